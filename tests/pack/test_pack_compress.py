#!/usr/bin/env python3
"""`ctxpack pack --compress gzip|zstd|xz` compresses on several threads
(gzip: independent members; zstd and xz: their multithreaded encoders): the
stream must still be one file to every reader, hold exactly the
uncompressed tar, and not depend on the thread count (--jobs 1, 2, 4 give
the same bytes with --reproducible).

Readers: gzip -t / zstd -t / xz -t, bsdtar -tf (libarchive), and Python's
gzip and lzma modules (zstd's own CLI decompresses for the byte check). The
context holds several MiB so that the stream has several gzip members and,
at level 1, several xz blocks. Also: --jobs 0 is refused, and a write that
fails leaves no partial file behind.

    python3 tests/pack/test_pack_compress.py --ctxpack build/ctxpack
"""

import argparse
import gzip
import lzma
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


def make_context(root):
    rng = random.Random(15)
    os.makedirs(os.path.join(root, "src"))
    with open(os.path.join(root, "Dockerfile"), "w") as f:
        f.write("FROM scratch\nCOPY . /ctx/\n")
    with open(os.path.join(root, ".dockerignore"), "w") as f:
        f.write("*.log\n")
    for i in range(200):
        with open(os.path.join(root, "src", "f%03d.txt" % i), "w") as f:
            f.write("file %d\n" % i * rng.randrange(1, 400))
    # Half random, half text: members of different sizes, over several MiB.
    with open(os.path.join(root, "blob.bin"), "wb") as f:
        for _ in range(48):
            f.write(rng.randbytes(64 << 10))
            f.write(b"a line that compresses well\n" * 2400)
    with open(os.path.join(root, "debug.log"), "w") as f:
        f.write("excluded\n")


def pack(ctxpack, ctx, out, *flags, **kw):
    return subprocess.run([ctxpack, "pack", "--reproducible", "-q", "-o", out, *flags, ctx],
                          capture_output=True, **kw)


def decompressed(kind, path):
    if kind == "gzip":
        with gzip.open(path, "rb") as f:
            return f.read()
    if kind == "xz":
        with lzma.open(path, "rb") as f:
            return f.read()
    return subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout


def readers_accept(kind, path, tar):
    name = os.path.basename(path)
    res = subprocess.run([kind, "-t", path], capture_output=True)
    check(res.returncode == 0, "%s -t %s: %s" % (kind, name, res.stderr.decode(errors="replace")))
    listed = subprocess.run(["bsdtar", "-tf", path], capture_output=True)
    plain = subprocess.run(["bsdtar", "-tf", tar], capture_output=True)
    check(listed.returncode == 0 and listed.stdout == plain.stdout and len(plain.stdout.splitlines()) > 200,
          "bsdtar -tf %s lists what bsdtar -tf of the plain tar lists: %s" % (name, listed.stderr))
    with open(tar, "rb") as t:
        check(decompressed(kind, path) == t.read(), "%s of %s gives exactly the uncompressed tar" % (kind, name))


def xz_blocks(path):
    out = subprocess.run(["xz", "--robot", "-lv", path], capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if line.startswith("block\t"))


def members(data):
    return data.count(b"\x1f\x8b\x08\x00\x00\x00\x00\x00")


def limit_file_size():
    # A failed write (EFBIG) rather than a kill: SIGXFSZ stays ignored across exec.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ctxpack-gzip-") as tmp:
        ctx = os.path.join(tmp, "ctx")
        make_context(ctx)
        tar = os.path.join(tmp, "ctx.tar")
        res = pack(args.ctxpack, ctx, tar)
        check(res.returncode == 0, "uncompressed pack: %s" % res.stderr)

        for kind, level in (("gzip", []), ("zstd", ["--level", "1"]), ("xz", ["--level", "1"])):
            outputs = {}
            for jobs in ("1", "2", "4"):
                out = os.path.join(tmp, "ctx.%s.tar.%s" % (jobs, kind))
                res = pack(args.ctxpack, ctx, out, "--compress", kind, *level, "--jobs", jobs)
                check(res.returncode == 0, "%s --jobs %s: %s" % (kind, jobs, res.stderr))
                with open(out, "rb") as f:
                    outputs[jobs] = f.read()
                readers_accept(kind, out, tar)
            check(len(set(outputs.values())) == 1, "--reproducible %s differs across --jobs 1, 2, 4" % kind)
            if kind == "gzip":
                check(members(outputs["1"]) >= 3, "expected several gzip members, got %d" % members(outputs["1"]))
                gz = outputs["1"]
            if kind == "xz":
                blocks = xz_blocks(os.path.join(tmp, "ctx.1.tar.xz"))
                check(blocks >= 2, "expected several xz blocks (the multithreaded encoder), got %d" % blocks)
        again = os.path.join(tmp, "again.tar.gz")
        pack(args.ctxpack, ctx, again, "--compress", "gzip")
        with open(again, "rb") as f:
            check(f.read() == gz, "a second run (default --jobs) gives other bytes")

        res = pack(args.ctxpack, ctx, os.path.join(tmp, "zero.tar.gz"), "--compress", "gzip", "--jobs", "0")
        lines = res.stderr.decode(errors="replace").strip().splitlines()
        check(res.returncode == 2 and len(lines) == 1 and "--jobs" in lines[0],
              "--jobs 0: want exit 2 and one line naming --jobs, got %d: %s" % (res.returncode, lines))

        full = os.path.join(tmp, "full")
        os.mkdir(full)
        res = pack(args.ctxpack, ctx, os.path.join(full, "ctx.tar.gz"), "--compress", "gzip", "--jobs", "2",
                   preexec_fn=limit_file_size)
        lines = res.stderr.decode(errors="replace").strip().splitlines()
        check(res.returncode not in (0, None) and len(lines) == 1 and "too large" in lines[0].lower(),
              "a write failing with EFBIG: want one error line, got %d: %s" % (res.returncode, lines))
        check(os.listdir(full) == [], "a failed write left %s behind" % os.listdir(full))
    if failures:
        print("%d failures" % len(failures), file=sys.stderr)
        return 1
    print("ok: gzip, zstd and xz read by their tools, bsdtar and Python; same bytes for --jobs 1, 2, 4")
    return 0


if __name__ == "__main__":
    sys.exit(main())
