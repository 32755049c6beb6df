#!/usr/bin/env python3
"""`ctxpack ls --builder buildah` against what Debian's real buildah copies.

Each generated context of tests/e2e/contexts.py is varied for Buildah (its
ignore file as .containerignore, as .dockerignore, both with different rules,
or beside the Containerfile; a Containerfile next to a Dockerfile it must
win over), built with `buildah build` (FROM scratch, `COPY . /ctx/`, vfs
storage, chroot isolation, private root: nothing is pulled, no network), and
the image's /ctx is read back through `buildah from` + `buildah mount`. One
seed in three without a named Dockerfile is sent as a gzipped tar on stdin
(`buildah build -`), which Buildah unpacks and builds as a directory.

Buildah sends no excluded directory itself: unpacking what it keeps creates
the missing parents. So the prediction is what ctxpack lists plus the
ancestors of every entry.

Exit 1 on any disagreement.
"""

import argparse
import concurrent.futures
import io
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import contexts  # noqa: E402  (tests/e2e)
from buildah import Buildah  # noqa: E402

COPY_CTX = b"FROM scratch\nCOPY . /ctx/\n"


def vary(case, seed):
    """Buildah's ignore-file and Containerfile choices, by seed."""
    rng = random.Random(seed * 7919)
    ops = case.tree.ops
    ignore = next((op for op in ops if op[0] == "file" and op[1] == ".dockerignore"), None)
    df = case.dockerfile or "Dockerfile"
    kind = seed % 5
    if ignore is not None and kind in (1, 2, 3):
        ops.remove(ignore)
        ops.append(("file", ".containerignore") + ignore[2:])
        if kind == 2:  # the context's .containerignore wins over its .dockerignore
            ops.append(("file", ".dockerignore", b"*\n", 0o644, {}))
        if kind == 3 and case.dockerfile is not None:  # beside the Containerfile wins
            ops.append(("file", df + ".containerignore") + ignore[2:])
            ops[-2] = ("file", ".containerignore", b"*\n", 0o644, {})
    # Every Dockerfile copies the context to /ctx/; an unused one would not.
    for i, op in enumerate(ops):
        if op[0] == "file" and op[1] == df:
            ops[i] = ("file", df, COPY_CTX) + op[3:]
    if case.dockerfile is None and rng.random() < 0.4:
        for i, op in enumerate(ops):
            if op[0] == "file" and op[1] == "Dockerfile":
                ops[i] = ("file", "Dockerfile", b"FROM scratch\nCOPY . /not-this/\n") + op[3:]
        ops.append(("file", "Containerfile", COPY_CTX, 0o644, {}))
    return case


def image_files(buildah, ctx, dockerfile):
    """(paths under /ctx with a trailing / for directories, None) or (None, error)."""
    result = buildah.build(ctx, dockerfile)
    if not result.ok:
        return None, result.output.strip().splitlines()[-1] if result.output.strip() else "failed"
    try:
        files = buildah.image_files(result.image_id)
    finally:
        buildah.run("rmi", "-f", result.image_id, check=False)
    return {e.path[len("/ctx/"):] + ("/" if e.type == "dir" else "")
            for e in files if e.path.startswith("/ctx/")}, None


def predicted(ctxpack, ctx, dockerfile, stdin=None):
    args = [ctxpack, "ls", "--builder", "buildah", "--json"]
    if dockerfile:
        args += ["-f", dockerfile]
    proc = subprocess.run(args + [ctx], capture_output=True, input=stdin)
    if proc.returncode != 0:
        return None, proc.stderr.decode(errors="replace").strip()
    out = set()
    for line in proc.stdout.decode().splitlines():
        e = json.loads(line)
        out.add(e["path"] + ("/" if e["type"] == "dir" else ""))
        parts = e["path"].split("/")
        for i in range(1, len(parts)):
            out.add("/".join(parts[:i]) + "/")
    return out, None


def check(ctxpack, buildah, work, seed):
    """None when ctxpack and buildah agree on gen-<seed>, else what differs."""
    case = vary(contexts.generated_case(seed), seed)
    casedir = os.path.join(work, "case-%d" % seed)
    ctx = case.tree.materialize(casedir)
    dockerfile = os.path.join(ctx, case.dockerfile) if case.dockerfile else None
    try:
        if seed % 3 == 0 and dockerfile is None:
            # As `buildah build - < ctx.tar.gz`: unpacked, then built as a directory.
            archive = io.BytesIO()
            with tarfile.open(fileobj=archive, mode="w:gz") as t:
                t.add(ctx, arcname=".")
            want, want_err = predicted(ctxpack, "-", None, archive.getvalue())
            got, got_err = image_files(buildah, archive.getvalue(), None)
        else:
            want, want_err = predicted(ctxpack, ctx, dockerfile)
            got, got_err = image_files(buildah, ctx, dockerfile)
    finally:
        shutil.rmtree(casedir, ignore_errors=True)
    same = want == got if (want is not None and got is not None) else (want is None) == (got is None)
    if same:
        return None
    return "gen-%d: ctxpack %s, buildah %s\n  only ctxpack: %s\n  only buildah: %s" % (
        seed, want_err or "ok", got_err or "ok", sorted((want or set()) - (got or set()))[:8],
        sorted((got or set()) - (want or set()))[:8])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--first-seed", type=int, default=1)
    # A build mostly waits (buildah's own locking and syncing), so a few at
    # once, each with its own storage root, use the cores that sit idle.
    ap.add_argument("--jobs", type=int, default=4)
    args = ap.parse_args()
    if shutil.which("buildah") is None:
        print("buildah is not installed: skipped")
        return 77
    work = tempfile.mkdtemp(prefix="ctxpack-buildah-")
    idle = queue.Queue()
    for i in range(args.jobs):
        idle.put(Buildah(os.path.join(work, "storage-%d" % i)))

    def run(seed):
        buildah = idle.get()
        try:
            return check(args.ctxpack, buildah, work, seed)
        finally:
            idle.put(buildah)

    try:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(run, range(args.first_seed, args.first_seed + args.count)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failures = [r for r in results if r is not None]
    for f in failures:
        print(f)
    print("buildah ls: %d contexts, %d agree, %d disagree" % (args.count, args.count - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
