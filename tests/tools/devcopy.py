#!/usr/bin/env python3
"""Turns a fetched repository into the two contexts the advice corpus is
judged on (docs/advice-corpus.md):

  CLEAN  what CI sends: the commit's files, committed with git so that
         `git ls-files` answers as in a fresh clone;
  WORK   a developer's working copy of it: CLEAN plus what people have
         untracked on disk: node_modules and build output next to every
         package.json, target/ next to Cargo.toml, .venv next to
         pyproject.toml/requirements.txt, a .env with real-looking secrets,
         editor and OS litter, a log file.

usage: devcopy.py GIT_DIR CLEAN WORK

Blobs the snapshot lacks (very large files) become 5 MB of zeros, so sizes
stay in the right order of magnitude.
"""
import os
import shutil
import subprocess
import sys


def extract(git_dir, out):
    tree = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "HEAD"],
                          check=True, capture_output=True).stdout
    cat = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for entry in tree.split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, kind, obj = meta.split()
        if kind != b"blob":
            continue  # submodules stay empty, as in a clone without them
        dest = os.path.join(out.encode(), path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        cat.stdin.write(obj + b"\n")
        cat.stdin.flush()
        header = cat.stdout.readline().split()
        data = b"\0" * 5_000_000 if header[-1] == b"missing" else cat.stdout.read(int(header[2]) + 1)[:-1]
        if mode == b"120000":
            os.symlink(data, dest)
            continue
        with open(dest, "wb") as f:
            f.write(data)
        if mode == b"100755":
            os.chmod(dest, 0o755)
    cat.stdin.close()
    cat.wait()


def commit(out):
    env = dict(os.environ, GIT_AUTHOR_NAME="c", GIT_AUTHOR_EMAIL="c@x", GIT_COMMITTER_NAME="c",
               GIT_COMMITTER_EMAIL="c@x")
    for cmd in (["init", "-q"], ["add", "-A", "-f"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run(["git", "-C", out] + cmd, check=True, env=env, stdout=subprocess.DEVNULL)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def untracked(work):
    for root, dirs, files in os.walk(work):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", "testdata", "fixtures")]
        if "package.json" in files:
            for pkg in ("react", "lodash", "@babel/core", ".bin"):
                for i in range(20):
                    write(os.path.join(root, "node_modules", pkg, f"lib/f{i}.js"), b"x" * 40_000)
            write(os.path.join(root, "dist", "index.js"), b"y" * 300_000)
            write(os.path.join(root, "dist", "index.js.map"), b"z" * 900_000)
        if "Cargo.toml" in files:
            write(os.path.join(root, "target", "debug", "app"), b"\x7fELF" + b"\0" * 3_000_000)
        if "pyproject.toml" in files or "requirements.txt" in files:
            write(os.path.join(root, ".venv", "lib", "site.py"), b"p" * 500_000)
    write(os.path.join(work, ".env"),
          b"DATABASE_URL=postgres://app:Xk29fj3kdL2x@db:5432/app\nSTRIPE_SECRET_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n")
    write(os.path.join(work, ".DS_Store"), b"\0\0\0\1Bud1" + b"\0" * 6000)
    write(os.path.join(work, ".idea", "workspace.xml"), b"<project/>\n")
    write(os.path.join(work, "debug.log"), b"log line\n" * 20_000)


def main():
    git_dir, clean, work = sys.argv[1:4]
    for d in (clean, work):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(clean)
    extract(git_dir, clean)
    commit(clean)
    shutil.copytree(clean, work, symlinks=True)
    untracked(work)


if __name__ == "__main__":
    main()
