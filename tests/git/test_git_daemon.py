#!/usr/bin/env python3
"""Git URL contexts (`docker build git://host/repo.git#ref:subdir`) against
the real daemon, offline.

Repositories are served by `git daemon` on 127.0.0.1. Each case is built on
a private dockerd (tests/daemon/dockerd.py) with the classic builder (whose
CLI clones) and BuildKit (which clones in the daemon), and `ctxpack copy
--json` is asked about the same URL: ctxpack must fail exactly when the
build fails, and otherwise predict the image's /ctx tree (path, type,
symlink target, and each file's bytes as committed; inside .git, where two
clones differ in timestamps, paths and types only). Afterwards no clone of
ctxpack's may be left in its temporary directory.

With --builder buildah the same repositories are built by Debian's real
buildah (tests/buildah/buildah.py), which clones them itself
(cloneToDirectory: the remote's HEAD by default, no submodules) and builds
the checkout as a directory.

usage: test_git_daemon.py --ctxpack PATH [--count N] [-k SUBSTRING] [--builder buildah]
"""

import argparse
import contextlib
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "buildah"))
import contexts  # noqa: E402
import dockerd  # noqa: E402
from buildah import Buildah  # noqa: E402

DF = b"FROM scratch\nCOPY . /ctx/\n"
GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@e", GIT_CONFIG_NOSYSTEM="1", HOME="/dev/null")


def git(*args, cwd=None):
    subprocess.run(["git"] + list(args), cwd=cwd, env=GIT_ENV, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def write(root, files):
    for name, content in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, tuple):  # ("symlink", target)
            os.symlink(content[1], path)
        else:
            with open(path, "wb") as f:
                f.write(content)


class Server:
    """Bare repositories under one directory, served by `git daemon`."""

    def __init__(self, base):
        self.base = base
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
                                      "--port=%d" % self.port, "--base-path=" + base, base],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("git daemon did not start")

    def url(self, name):
        return "git://127.0.0.1:%d/%s.git" % (self.port, name)

    def publish(self, name, work, branch="master"):
        """Commits `work` (a directory) on `branch` and serves it as NAME."""
        git("init", "-q", "-b", branch, cwd=work)
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", "c", cwd=work)
        bare = os.path.join(self.base, name + ".git")
        if not os.path.exists(bare):
            git("clone", "-q", "--bare", work, bare)
        else:
            git("push", "-q", bare, "%s:%s" % (branch, branch), cwd=work)
        return bare

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def fixed_cases(server, top):
    """(name, URL, -f or None, the committed trees: context-relative path -> bytes)."""
    cases = []

    def repo(name, files, branch="master", extra=None):
        work = os.path.join(top, "work-" + name)
        write(work, files)
        server.publish(name, work, branch)
        if extra:
            extra(work)
        return work

    main = repo("main", {"Dockerfile": DF, ".dockerignore": b"secret\n.git\n", "secret": b"s", "a": b"a",
                         "sub/Dockerfile": DF, "sub/.dockerignore": b"ign\n", "sub/ign": b"i", "sub/inner/x": b"x",
                         "link": ("symlink", "sub/inner")}, branch="main")

    def tag(work):
        git("tag", "v1", cwd=work)
        bare = os.path.join(server.base, "main.git")
        git("push", "-q", bare, "v1", cwd=work)
    tag(main)
    cases += [
        ("branch", server.url("main") + "#main", None, main),
        ("tag", server.url("main") + "#v1", None, main),
        ("default-ref-missing", server.url("main"), None, None),
        ("missing-ref", server.url("main") + "#nope", None, None),
        ("subdir", server.url("main") + "#main:sub", None, os.path.join(main, "sub")),
        ("subdir-is-a-file", server.url("main") + "#main:a", None, None),
        ("dockerfile-in-subdir", server.url("main") + "#main", "sub/Dockerfile", main),
    ]
    keep = repo("keepgit", {"Dockerfile": DF, "a": b"a"})
    cases.append(("git-dir-sent", server.url("keepgit"), None, keep))
    inner = repo("inner", {"lib.txt": b"from the submodule\n"})
    del inner

    def add_submodule(work):
        git("-c", "protocol.file.allow=always", "submodule", "add", "-q", server.url("inner"), "vendor/inner",
            cwd=work)
        git("commit", "-q", "-m", "sub", cwd=work)
        git("push", "-q", os.path.join(server.base, "outer.git"), "master:master", cwd=work)
    outer = repo("outer", {"Dockerfile": DF, ".dockerignore": b".git\n", "a": b"a"}, extra=add_submodule)
    cases.append(("submodule", server.url("outer"), None, outer))
    return cases


def generated_case(server, top, seed):
    case = contexts.generated_case(seed)
    df = case.dockerfile or "Dockerfile"
    # What git can hold: no sockets, FIFOs or devices; the Dockerfile copies all.
    keep = ("file", "dir", "symlink", "hardlink")
    case.tree.ops = [("file", df, DF) + op[3:] if op[0] == "file" and op[1] == df else op
                     for op in case.tree.ops if op[0] in keep]
    case.tree.materialize(os.path.join(top, "gen-%d" % seed))
    work = os.path.join(top, "gen-%d" % seed, "ctx")
    for root, dirs, _ in os.walk(work):
        os.chmod(root, 0o755)
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    name = "gen%d" % seed
    server.publish(name, work)
    return ("generated-%d" % seed, server.url(name), case.dockerfile, work)


def predict(ctxpack, url, dockerfile, builder, scratch):
    args = [ctxpack, "copy", "--json", "--builder", builder] + (["-f", dockerfile] if dockerfile else []) + [url]
    # ctxpack's clones go to `scratch`, which must be empty after.
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, TMPDIR=scratch))


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def in_git_dir(path):
    return ".git" in path.split("/")


def tree(entries, source, submodules):
    out = {}
    for path, kind, detail in entries:
        rel = path[len("/ctx/"):]
        if in_git_dir(path):
            out[path] = (kind, None)  # two clones' .git differ in timestamps
        elif kind == "file" and detail == "?":
            src = os.path.join(source, rel)
            for sub in submodules:
                if rel.startswith(sub + "/"):
                    src = os.path.join(submodules[sub], rel[len(sub) + 1:])
            out[path] = (kind, sha(src) if os.path.isfile(src) else "missing " + rel)
        else:
            out[path] = (kind, detail)
    return out


def run_case(docker, ctxpack, case, builder, submodules, scratch):
    name, url, dockerfile, source = case
    proc = predict(ctxpack, url, dockerfile, builder, scratch)
    result = docker.build(url, dockerfile=dockerfile, builder=builder)
    if proc.returncode == 2 or not result.ok:
        if proc.returncode == 2 and not result.ok:
            return None
        return "ctxpack %s (%s); the build %s:\n%s" % (
            "refused the URL" if proc.returncode == 2 else "predicted an image", proc.stderr.decode().strip(),
            "succeeded" if result.ok else "failed", result.output[-500:])
    plan = json.loads(proc.stdout)
    if plan["fails_at"] is not None:
        return "ctxpack predicted a failure at line %s; the build succeeded" % plan["fails_at"]
    predicted = [(e["path"], e["type"], e["link"] if e["type"] == "symlink" else "?" if e["type"] == "file" else None)
                 for e in plan["image"]["entries"] if e["path"].startswith("/ctx/")]
    image = []
    for f in docker.image_files(result.image_id):
        if f.path.startswith("/ctx/"):
            kind = "file" if f.type == "hardlink" else f.type
            image.append((f.path, kind, f.linkname if kind == "symlink" else None, f.sha256))
    want = tree(predicted, source, submodules)
    got = {p: (k, None if in_git_dir(p) else link if k == "symlink" else digest)
           for p, k, link, digest in image}
    problems = ["  %s: predicted %s, image has %s" % (p, want.get(p), got.get(p))
                for p in sorted(set(want) | set(got)) if want.get(p) != got.get(p)]
    return "\n".join(problems) or None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--count", type=int, default=20, help="generated repositories")
    ap.add_argument("-k", default="")
    ap.add_argument("--builder", choices=["buildah"], help="build with buildah instead of dockerd")
    args = ap.parse_args()
    missing = ["buildah"] if args.builder and not shutil.which("buildah") else dockerd.missing_packages()
    if missing or not shutil.which("git"):
        print("missing %s (%s; and git)" % (", ".join(missing), dockerd.INSTALL_HINT))
        return 1
    builders = [args.builder] if args.builder else ["legacy", "buildkit"]
    ctxpack = os.path.abspath(args.ctxpack)
    failed = passed = 0
    scratch = tempfile.mkdtemp(prefix="ctxpack-git-test-")
    top = tempfile.mkdtemp(prefix="repos-", dir="/tmp")
    os.makedirs(os.path.join(top, "served"))
    server = Server(os.path.join(top, "served"))
    try:
        runner = contextlib.nullcontext(Buildah(os.path.join(top, "buildah"))) if args.builder else dockerd.Daemon()
        with runner as docker:
            cases = fixed_cases(server, top)
            if args.builder:
                # The "main" repository's HEAD is its only branch: Buildah
                # builds it where Docker's default ref (master) is missing.
                cases = [c[:3] + (os.path.join(top, "work-main"),) if c[0] == "default-ref-missing" else c
                         for c in cases]
            submodules = {"vendor/inner": os.path.join(top, "work-inner")}
            cases += [generated_case(server, top, seed) for seed in range(1, args.count + 1)]
            for case in cases:
                if args.k not in case[0]:
                    continue
                for builder in builders:
                    try:
                        problem = run_case(docker, ctxpack, case, builder, submodules, scratch)
                    except (KeyError, ValueError) as e:
                        problem = "%s: %s" % (type(e).__name__, e)
                    left = os.listdir(scratch)
                    if left and not problem:
                        problem = "ctxpack left %s in its temporary directory" % left
                    if problem:
                        failed += 1
                        print("FAIL %s [%s] %s\n%s" % (case[0], builder, case[1], problem))
                    else:
                        passed += 1
                        print("ok   %s [%s]" % (case[0], builder))
                    sys.stdout.flush()
                docker.remove_images()
    finally:
        server.stop()
        shutil.rmtree(top, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
