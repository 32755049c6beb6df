#!/usr/bin/env python3
"""`-f -` (the Dockerfile on stdin) against what the docker client uploads for it.

Every case is built with `docker build -f - CONTEXT < Dockerfile` (classic
builder, stub daemon): the client sends the context as for a directory but
re-includes no Dockerfile, and adds the Dockerfile as `.dockerfile.<20 random
hex digits>`, listed in `.dockerignore` (rewritten, or created). ctxpack must
match it: `ls --builder legacy -f -` lists the upload less what the client
adds, and `pack --builder legacy -f -` writes the same tar entry for entry,
the random name (ctxpack's is the Dockerfile's digest) and the added entries'
mtimes (the time of the build) and the client's random order of the files it
appends aside. Where the client refuses the context, ctxpack must exit 2 with
one line.

    python3 tests/e2e/test_stdin_dockerfile.py --ctxpack build/ctxpack [--count N] [--case NAME] [--keep]
"""

import io
import os
import re
import tarfile

import dockerctx
import test_legacy_tar
from tarscan import read_tar

INJECTED = re.compile(rb"\.dockerfile\.[0-9a-f]{20}")
DEFAULT_DOCKERFILE = b"FROM scratch\nCOPY . /\n"


def prepare(case):
    """The case's Dockerfile goes to stdin (it stays in the context too, as a plain file)."""
    path = case.dockerfile or "Dockerfile"
    case.stdin = next((op[2] for op in case.tree.ops if op[0] == "file" and op[1] == path), DEFAULT_DOCKERFILE)
    if isinstance(case.stdin, str):
        case.stdin = case.stdin.encode()


def normalised(archive, raw):
    """Names with the injected name replaced; the added entries' mtimes and .dockerignore's text set aside."""
    ignore = b""
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        if ".dockerignore" in t.getnames():
            ignore = INJECTED.sub(b".dockerfile.X", t.extractfile(".dockerignore").read())
    for e in archive.entries:
        if INJECTED.fullmatch(e.name) or e.name == b".dockerignore":
            e.name = INJECTED.sub(b".dockerfile.X", e.name)
            e.mtime = None
            e.sha256 = ""
    # The client appends the files it adds in Go's map order, which is random.
    tail = len(archive.entries)
    while tail and archive.entries[tail - 1].mtime is None:
        tail -= 1
    archive.entries[tail:] = sorted(archive.entries[tail:], key=lambda e: e.name)
    return archive, ignore


def check(case, casedir, upload, ctxpack, outdir):
    ls = dockerctx.run_ctxpack(ctxpack, case, casedir, ["ls", "--builder", "legacy", "-0"])
    output = os.path.join(outdir, "ctxpack.tar")
    pack = dockerctx.run_ctxpack(ctxpack, case, casedir, ["pack", "--builder", "legacy", "-q", "-o", output])
    if upload.returncode != 0:
        return dockerctx.check_failure(upload, ls) + dockerctx.check_failure(upload, pack)
    problems = []
    for name, result in (("ls", ls), ("pack", pack)):
        if result.returncode != 0:
            problems.append("%s exited %d: %s" % (name, result.returncode, result.stderr.decode("utf-8", "replace")))
    if problems:
        return problems
    # The client's rewrite of the tar (ReplaceFileTarWrapper) closes its pipe
    # before the tar writer, so the upload has no end-of-archive marker.
    uploaded_tar = upload.tar if upload.tar.endswith(bytes(1024)) else upload.tar + bytes(1024)
    want, want_ignore = normalised(read_tar(uploaded_tar), uploaded_tar)
    packed = open(output, "rb").read()
    got, got_ignore = normalised(read_tar(packed), packed)
    problems += test_legacy_tar.compare(want, got)
    if want_ignore != got_ignore:
        problems.append(".dockerignore in the tar is %r, docker uploads %r" % (got_ignore, want_ignore))
    had_ignore = any(op[0] == "file" and op[1] == ".dockerignore" for op in case.tree.ops)
    added = {b".dockerfile.X"} | (set() if had_ignore else {b".dockerignore"})
    uploaded = [n.rstrip(b"/") for n in want.names() if n.rstrip(b"/") not in added]
    listed = [n for n in ls.stdout.split(b"\0") if n]
    if [n.rstrip(b"/") for n in listed] != uploaded:
        problems.append("ls -f - lists %d entries, the client uploads %d besides what it adds"
                        % (len(listed), len(uploaded)))
    return problems


if __name__ == "__main__":
    dockerctx.entry_point(__doc__.splitlines()[0], check, prepare)
