#!/usr/bin/env python3
"""`cmake --install` with a prefix and with DESTDIR: every file in place,
the plugin link resolving to the program, the man page rendering without a
warning, the installed program running.

With --keep DIR the DESTDIR tree (prefix /usr) is left in DIR for the
tests that use the installed files (ctest fixture ctxpack_installed)."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

FILES = [
    "bin/ctxpack",
    "share/man/man1/ctxpack.1",
    "share/bash-completion/completions/ctxpack",
    "share/zsh/vendor-completions/_ctxpack",
    "share/fish/vendor_completions.d/ctxpack.fish",
    "lib/docker/cli-plugins/docker-ctxpack",
]


def install(build, prefix, destdir=None):
    env = dict(os.environ)
    env.pop("DESTDIR", None)
    if destdir:
        env["DESTDIR"] = destdir
    subprocess.run(["cmake", "--install", build, "--prefix", prefix], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return (destdir or "") + prefix


def check_tree(root, failures):
    for f in FILES:
        if not os.path.isfile(os.path.join(root, f)):
            failures.append(f"{root}: {f} is missing")
    plugin = os.path.join(root, "lib/docker/cli-plugins/docker-ctxpack")
    if os.path.islink(plugin) and os.path.isabs(os.readlink(plugin)):
        failures.append(f"{plugin} links to an absolute path: the tree would not relocate")
    if os.path.exists(plugin) and not os.path.samefile(plugin, os.path.join(root, "bin/ctxpack")):
        failures.append(f"{plugin} is not the installed program")
    version = subprocess.run([os.path.join(root, "bin/ctxpack"), "--version"], capture_output=True, text=True)
    if version.returncode != 0 or not version.stdout.startswith("ctxpack "):
        failures.append(f"installed ctxpack --version: {version.returncode} {version.stdout!r}")


def check_man_page(page, failures):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    r = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", page], env=env, capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        failures.append(f"man -l {page}: status {r.returncode}, warnings:\n{r.stderr}")
    for heading in ("NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS"):
        if heading not in r.stdout:
            failures.append(f"the rendered man page has no {heading} section")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--keep")
    args = ap.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        # A prefix of one's own, no DESTDIR: what a user without root does.
        check_tree(install(args.build_dir, os.path.join(tmp, "opt", "ctxpack")), failures)
        # DESTDIR staging under /usr, what packagers do.
        staged = install(args.build_dir, "/usr", os.path.join(tmp, "stage"))
        check_tree(staged, failures)
        check_man_page(os.path.join(staged, "share/man/man1/ctxpack.1"), failures)
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(os.path.join(tmp, "stage"), args.keep, symlinks=True)
    for f in failures:
        print("FAIL", f)
    print("PASS" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
