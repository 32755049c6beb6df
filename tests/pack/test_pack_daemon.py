#!/usr/bin/env python3
"""`docker build - < ctxpack's tar` gives the image `docker build CONTEXT` gives, with both builders.

For each context below a private dockerd (tests/daemon/dockerd.py, Debian's
docker.io 20.10, no network, FROM scratch only) builds the image twice per
builder: from the directory, and from `ctxpack pack --builder B` sent on stdin
with `-f` set to the Dockerfile's name inside the tar (the name pack prints).
BuildKit runs through the 20.10 client with DOCKER_BUILDKIT=1, the classic
builder through the 28.x client with DOCKER_BUILDKIT=0. The two images' files
must be the same: path, type, mode, owner, size, content, link target.

One difference is by design (README, "Dockerfile policy"): BuildKit applies no
.dockerignore to a tar context, so a Dockerfile that the ignore file keeps out
of a directory build, or one from outside the context, is in the tar (pack
adds it, or the stdin build could not read it) and a `COPY .` copies it. There
the tar's image must hold exactly that one file more, and pack must have said
so. The classic daemon removes such a Dockerfile itself, so its images match.

Compressed tars are built too (gzip, bzip2, xz; gzip also over several MiB, so
that the daemon reads pack's gzip members as one stream); a zstd tar must be refused by
this 20.10 daemon, as pack's warning says.

    python3 tests/pack/test_pack_daemon.py --ctxpack build/ctxpack [--case NAME] [--builder B] [-v]

Needs root (dockerd) and Debian's docker.io; a missing piece fails with the
install command (tests/daemon/README.md).
"""

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "daemon"))

import dockerd  # noqa: E402
from contexts import Tree  # noqa: E402

BUILDERS = ("buildkit", "legacy")
COPY_ALL = b"FROM scratch\nCOPY . /ctx/\n"


class Case:
    def __init__(self, name, tree, dockerfile=None, added=None, compress=None, refused=False):
        self.name = name
        self.tree = tree
        self.dockerfile = dockerfile  # -f as given to docker build, relative to the case dir
        # For BuildKit: the path under /ctx of the Dockerfile the tar adds.
        self.added = added
        self.compress = compress
        self.refused = refused  # the daemon must refuse the tar


def rich_tree(dockerfile=COPY_ALL, dockerfile_path="Dockerfile"):
    """Nested directories, modes, links, long and non-ASCII names, and rules."""
    t = Tree()
    t.file(dockerfile_path, dockerfile)
    t.file(".dockerignore", b"*.log\ntmp/\ndocs\n!docs/README.md\n**/cache\n")
    t.file("src/main.c", b"int main(void) { return 0; }\n")
    t.file("src/lib/util.c", b"/* util */\n" * 300)
    t.file("src/app.log", b"excluded\n")
    t.file("bin/run.sh", b"#!/bin/sh\necho run\n", 0o755)
    t.file("bin/setgid-tool", b"tool\n", 0o2755)
    t.dir("shared", 0o1777)
    t.file("shared/readme", b"sticky dir\n")
    t.dir("empty")
    t.file("tmp/junk", b"excluded dir\n")
    t.file("docs/README.md", b"re-included\n")
    t.file("docs/guide.md", b"excluded\n")
    t.file("a/b/cache/blob", b"excluded by **/cache\n")
    t.file("a/b/keep.txt", b"kept\n")
    t.symlink("links/rel", "../src/main.c")
    t.symlink("links/dangling", "nowhere")
    t.symlink("links/abs", "/etc/hostname")
    t.file("hl/first", b"hardlinked content\n")
    t.hardlink("hl/second", "hl/first")
    t.file("names/" + "long-" * 30 + "name.txt", b"a component over 100 bytes\n")
    t.file("names/" + "d" * 90 + "/" + "e" * 90 + "/file", b"a path over 100 bytes\n")
    t.file("names/ünïcödé.txt", b"utf-8\n")
    t.file("names/with space", b"space\n")
    t.file("big.bin", bytes(range(256)) * 4096 + b"tail")
    t.file("empty-file")
    return t


def gzip_members_tree():
    """Several MiB, so that pack's gzip holds several members (one per MiB of tar)."""
    t = rich_tree()
    rng = random.Random(15)
    t.file("blobs/mixed.bin", b"".join(rng.randbytes(32 << 10) + b"compressible line\n" * 2000 for _ in range(80)))
    return t


def excluded_dockerfile_tree():
    t = rich_tree()
    t.file(".dockerignore", b"Dockerfile\n.dockerignore\n*.log\n")
    return t


def outside_dockerfile_tree():
    t = rich_tree()
    t.file("../build/Dockerfile.outside", COPY_ALL)
    return t


def fifo_tree():
    t = Tree()
    t.file("Dockerfile", COPY_ALL)
    t.file("data/x", b"x\n")
    t.fifo("data/pipe")
    return t


def dockerfile_ignore_tree():
    # BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile instead
    # of the root one; the classic builder reads only the root file.
    t = Tree()
    t.file("app.Dockerfile", COPY_ALL)
    t.file("app.Dockerfile.dockerignore", b"secret\n*.tmp\n")
    t.file(".dockerignore", b"public\n")
    t.file("secret/key", b"k\n")
    t.file("public/index.html", b"<html>\n")
    t.file("x.tmp", b"t\n")
    t.file("main.txt", b"m\n")
    return t


CASES = [
    Case("rich", rich_tree()),
    Case("dockerfile-in-subdir", rich_tree(dockerfile_path="docker/app/Dockerfile"),
         dockerfile="ctx/docker/app/Dockerfile"),
    Case("dockerfile-excluded", excluded_dockerfile_tree(), added="Dockerfile"),
    Case("dockerfile-outside", outside_dockerfile_tree(), dockerfile="build/Dockerfile.outside", added=".dockerfile."),
    Case("fifo", fifo_tree()),
    Case("dockerfile-dockerignore", dockerfile_ignore_tree(), dockerfile="ctx/app.Dockerfile"),
    Case("gzip", rich_tree(), compress="gzip"),
    Case("gzip-members", gzip_members_tree(), compress="gzip"),
    Case("bzip2", rich_tree(), compress="bzip2"),
    Case("xz", rich_tree(), compress="xz"),
    Case("zstd", rich_tree(), compress="zstd", refused=True),
]


def describe(entry):
    return "%s %s %o %d:%d %d %s %s" % (entry.path, entry.type, entry.mode, entry.uid, entry.gid,
                                       entry.size, entry.sha256[:12] if entry.sha256 else "-",
                                       entry.linkname or "")


def differences(want, got):
    """Entries only in one image, or different: lines for the report."""
    a = {e.path: e for e in want}
    b = {e.path: e for e in got}
    lines = []
    for path in sorted(set(a) | set(b)):
        if path not in b:
            lines.append("only in the directory build: " + describe(a[path]))
        elif path not in a:
            lines.append("only in the tar build: " + describe(b[path]))
        elif a[path] != b[path]:
            lines.append("differs: directory %s, tar %s" % (describe(a[path]), describe(b[path])))
    return lines


def run_pack(ctxpack, case, builder, casedir):
    args = [ctxpack, "pack", "--builder", builder, "ctx"]
    if case.dockerfile:
        args += ["-f", case.dockerfile]
    if case.compress:
        args += ["--compress", case.compress]
    return subprocess.run(args, cwd=casedir, capture_output=True, timeout=120)


def dockerfile_in_tar(stderr):
    """The -f pack tells the user to pass; None (the default name) when it says none."""
    for line in stderr.splitlines():
        if "docker build -f " in line:
            return line.split("docker build -f ", 1)[1].split(" ", 1)[0]
    return None


def rewritten_dockerignore(case, casedir, name):
    """The .dockerignore the docker CLI sends with a Dockerfile from outside:
    the original, then the added Dockerfile's name (random in the CLI's upload)."""
    with open(os.path.join(casedir, "ctx", ".dockerignore"), "rb") as f:
        return f.read() + b"\n" + name.encode() + b"\n"


def check(docker, ctxpack, case, builder, casedir):
    pack = run_pack(ctxpack, case, builder, casedir)
    err = pack.stderr.decode("utf-8", "replace")
    if pack.returncode != 0:
        return ["ctxpack pack exited %d: %s" % (pack.returncode, err.strip())]
    name = dockerfile_in_tar(err)
    tar_build = docker.build(pack.stdout, dockerfile=name, builder=builder)
    if case.refused:
        if tar_build.ok:
            return ["the daemon accepted a %s tar; pack's warning says 20.10 refuses it" % case.compress]
        if "zstd" not in err or "20.10" not in err:
            return ["pack did not warn that Docker 20.10 refuses zstd: %r" % err]
        return []
    if not tar_build.ok:
        return ["docker build - < tar failed:\n" + tar_build.output[-1500:]]
    dir_build = docker.build("ctx", dockerfile=case.dockerfile, builder=builder, cwd=casedir)
    if not dir_build.ok:
        return ["docker build ctx failed (the case is broken):\n" + dir_build.output[-1500:]]
    want = docker.image_files(dir_build.image_id)
    got = docker.image_files(tar_build.image_id)
    docker.remove_images()
    problems = []
    if builder == "legacy" and case.added == ".dockerfile.":
        # Both images hold the CLI's rewritten .dockerignore: pack's names the
        # Dockerfile after its hash, the CLI's after random bytes (same length).
        content = rewritten_dockerignore(case, casedir, name)
        for image, entries in (("directory", want), ("tar", got)):
            e = next((e for e in entries if e.path == "/ctx/.dockerignore"), None)
            if e is None or e.size != len(content):
                problems.append("the %s build's /ctx/.dockerignore is not the rewritten one: %s"
                                % (image, e and describe(e)))
        e = next((e for e in got if e.path == "/ctx/.dockerignore"), None)
        if e is not None and e.sha256 != hashlib.sha256(content).hexdigest():
            problems.append("the tar's .dockerignore does not list %s after the original content" % name)
        want = [e for e in want if e.path != "/ctx/.dockerignore"]
        got = [e for e in got if e.path != "/ctx/.dockerignore"]
    if builder == "buildkit" and case.added:
        extra = [e for e in got if e.path.startswith("/ctx/" + case.added)
                 and not any(w.path == e.path for w in want)]
        if len(extra) != 1:
            problems.append("expected the tar's image to hold the added Dockerfile /ctx/%s* once more, found %s"
                            % (case.added, [e.path for e in extra]))
        got = [e for e in got if e not in extra]
        if "Dockerfile" not in err or ("COPY" not in err and "docker build -f" not in err):
            problems.append("pack did not say that it added the Dockerfile: %r" % err)
    return problems + differences(want, got)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ctxpack", default=os.environ.get("CTXPACK"))
    parser.add_argument("--case", action="append", default=[], help="run only this case (repeatable)")
    parser.add_argument("--builder", choices=BUILDERS, action="append", default=[])
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.case or c.name in args.case]
    builders = args.builder or list(BUILDERS)
    total = len(cases) * len(builders)
    if not args.ctxpack or not os.access(args.ctxpack, os.X_OK):
        print("FAIL: no ctxpack binary (got %r; pass --ctxpack PATH or set CTXPACK)" % args.ctxpack)
        print("0 passed, %d failed" % total)
        return 1
    try:
        dockerd.require_installed()
    except dockerd.DaemonError as e:
        print("FAIL: %s" % e)
        print("0 passed, %d failed" % total)
        return 1
    ctxpack = os.path.abspath(args.ctxpack)
    work = tempfile.mkdtemp(prefix="ctxpack-pack-daemon-")
    passed = failed = 0
    started = time.monotonic()
    try:
        with dockerd.Daemon() as docker:
            for case in cases:
                casedir = os.path.join(work, case.name)
                case.tree.materialize(casedir)
                for builder in builders:
                    try:
                        problems = check(docker, ctxpack, case, builder, casedir)
                    except Exception:
                        problems = ["harness error:\n" + traceback.format_exc()]
                    if problems:
                        failed += 1
                        print("FAIL %s (%s)" % (case.name, builder))
                        for p in problems[:25]:
                            print("  " + p.replace("\n", "\n  "))
                    else:
                        passed += 1
                        if args.verbose:
                            print("ok   %s (%s)" % (case.name, builder))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("ran %d build pairs in %.1fs" % (passed + failed, time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
