#!/usr/bin/env python3
"""The .deb CPack makes: its runtime dependencies found by dpkg-shlibdeps,
the program, man page (gzip -9n, as Debian policy wants), completions and
docker plugin in it (dpkg-deb -c), and, installed by dpkg into a throwaway
root, a ctxpack that runs and a man page that renders without a warning."""
import argparse
import os
import subprocess
import sys
import tempfile

EXPECTED = [
    "./usr/bin/ctxpack",
    "./usr/share/man/man1/ctxpack.1.gz",
    "./usr/share/bash-completion/completions/ctxpack",
    "./usr/share/zsh/vendor-completions/_ctxpack",
    "./usr/share/fish/vendor_completions.d/ctxpack.fish",
    "./usr/lib/docker/cli-plugins/docker-ctxpack -> ../../../bin/ctxpack",
]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def out(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["cpack", "--config", os.path.join(args.build_dir, "CPackConfig.cmake"), "-B", tmp],
                       cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if len(debs) != 1:
            fail(f"cpack made {debs}")
            return 1
        deb = os.path.join(tmp, debs[0])
        contents = [" ".join(line.split()[5:]) for line in out("dpkg-deb", "-c", deb).splitlines()]
        for path in EXPECTED:
            if path not in contents:
                fail(f"{path} is not in the package")
        for path in contents:
            if "libctxpack" in path or "/include/" in path or "/cmake/" in path:
                fail(f"{path}: the library's files are not the program's package")
        depends = out("dpkg-deb", "-f", deb, "Depends")
        for lib in ("libarchive13", "libc6", "libstdc++6"):
            if lib not in depends:
                fail(f"Depends: {depends.strip()} lacks {lib} (shlibdeps)")
        # A root of its own with an empty dpkg database; its dependencies are
        # the host's, which the program then runs with.
        root = os.path.join(tmp, "root")
        for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates"):
            os.makedirs(os.path.join(root, d))
        open(os.path.join(root, "var/lib/dpkg/status"), "w").close()
        subprocess.run(["dpkg", "--root", root, "--force-depends", "--force-script-chrootless", "-i", deb],
                       check=True, stdout=subprocess.DEVNULL)
        status = out("dpkg", "--root", root, "-s", "ctxpack")
        if "Status: install ok installed" not in status:
            fail(f"dpkg -s: {status}")
        version = subprocess.run([os.path.join(root, "usr/bin/ctxpack"), "--version"], capture_output=True, text=True)
        if version.returncode != 0 or not version.stdout.startswith("ctxpack "):
            fail(f"installed ctxpack --version: {version.returncode} {version.stdout!r} {version.stderr!r}")
        page = os.path.join(root, "usr/share/man/man1/ctxpack.1.gz")
        with open(page, "rb") as f:
            header = f.read(10)
        # gzip -n: no file name (flag bit 3) and no time stamp (bytes 4-7).
        if header[:2] != b"\x1f\x8b" or header[3] & 0x08 or header[4:8] != b"\0\0\0\0":
            fail(f"{page} is not a gzip -n stream: {header!r}")
        man = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True,
                             env=dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="0"))
        if man.returncode != 0 or man.stderr.strip() or "ctxpack" not in man.stdout:
            fail(f"man -l {page}: exit {man.returncode}, {man.stderr.strip()[:300]!r}")
        plugin = os.path.join(root, "usr/lib/docker/cli-plugins/docker-ctxpack")
        if '"Vendor":"ctxpack"' not in out(plugin, "docker-cli-plugin-metadata"):
            fail("the packaged plugin does not answer docker-cli-plugin-metadata")
    print("PASS" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
