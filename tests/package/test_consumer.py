#!/usr/bin/env python3
"""The C++ package: install into a fresh prefix, configure and build
tests/package/consumer against it with find_package(ctxpack CONFIG) and
ctxpack::ctxpack, run it on a context, and compare its selection with
`ctxpack ls`. An older major or minor version must not be accepted."""
import argparse
import os
import subprocess
import sys
import tempfile


def run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--context", required=True)
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "prefix")
        subprocess.run(["cmake", "--install", args.build_dir, "--prefix", prefix], check=True,
                       stdout=subprocess.DEVNULL)
        build = os.path.join(tmp, "build")
        r = run("cmake", "-S", os.path.join(here, "consumer"), "-B", build, "-G", "Ninja",
                f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release")
        if r.returncode != 0:
            print(r.stdout, r.stderr)
            return 1
        r = run("cmake", "--build", build, "-j2")
        if r.returncode != 0:
            print(r.stdout, r.stderr)
            return 1
        got = run(os.path.join(build, "select"), args.context)
        want = run(os.path.join(prefix, "bin", "ctxpack"), "ls", args.context)
        if got.returncode != 0 or not want.stdout or got.stdout != want.stdout:
            failures.append(f"the consumer printed ({got.returncode}):\n{got.stdout}{got.stderr}"
                            f"ctxpack ls printed:\n{want.stdout}")
        # The version file: 0.1 is found above; a later minor is not there.
        with open(os.path.join(here, "consumer", "CMakeLists.txt")) as f:
            text = f.read()
        newer = os.path.join(tmp, "newer")
        os.mkdir(newer)
        with open(os.path.join(newer, "CMakeLists.txt"), "w") as f:
            f.write(text.replace("find_package(ctxpack 0.1 ", "find_package(ctxpack 0.99 "))
        with open(os.path.join(newer, "main.cpp"), "w") as f:
            f.write("int main() {}\n")
        r = run("cmake", "-S", newer, "-B", os.path.join(tmp, "b3"), f"-DCMAKE_PREFIX_PATH={prefix}")
        if r.returncode == 0:
            failures.append("find_package(ctxpack 0.99) accepted version 0.1")
    for f in failures:
        print("FAIL", f)
    print("PASS" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
