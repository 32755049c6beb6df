#!/usr/bin/env python3
"""The slow part of the hardening suite (ctest label "slow"): a 9 GiB sparse
file packed through a pipe (PAX size header, content at the right offsets
past 4 GiB, peak RSS independent of the file's size), and `report` with
10,000 ignore rules.

    python3 tests/hardening/test_slow.py --ctxpack build/ctxpack [--only NAME]
"""

import os
import re
import subprocess

from harness import Failure, Suite, check, make_context, show, write

suite = Suite(__doc__)

SIZE = 9 << 30
MARKERS = {0: b"BEGIN", (4 << 30) + 7: b"PAST-4-GIB", SIZE - 3: b"END"}


def parse_head(head):
    """Offset and size of the content of the entry named "sparse", from the
    first blocks of the stream."""
    pos, pax = 0, {}
    while pos + 512 <= len(head):
        block = head[pos:pos + 512]
        check(block != bytes(512), "the stream ended before the sparse file")
        kind = chr(block[156])
        size = int(block[124:136].strip(b" \0") or b"0", 8)
        name = block[0:100].split(b"\0")[0]
        check(kind != "g", "a global PAX header (moby#41496)")
        if kind == "x":
            body = head[pos + 512:pos + 512 + size]
            pax = dict(r.split(b" ", 1)[1].split(b"=", 1) for r in body.split(b"\n") if r)
            pos += 512 + -(-size // 512) * 512
            continue
        name = pax.get(b"path", name)
        size = int(pax[b"size"]) if b"size" in pax else size
        if name == b"sparse":
            check(b"size" in pax, "no PAX size record for a file over 8 GiB (records: %r)" % pax)
            return pos + 512, size
        pos += 512 + -(-size // 512) * 512
        pax = {}
    raise Failure("no entry for the sparse file in the first %d bytes" % len(head))


@suite.case
def a_9_gib_sparse_file_streams_in_bounded_memory(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n"})
    with open(os.path.join(ctx, "sparse"), "wb") as f:
        f.truncate(SIZE)
        for offset, marker in MARKERS.items():
            f.seek(offset)
            f.write(marker)
    proc = subprocess.Popen(["/usr/bin/time", "-f", "CTXPACK-RSS %M", env.binary, "pack", ctx],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        head = proc.stdout.read(64 << 10)
        start, size = parse_head(head)
        check(size == SIZE, "the size header says %d, the file has %d" % (size, SIZE))
        wanted = {start + off: m for off, m in MARKERS.items()}
        seen = {}
        buf = bytearray(4 << 20)
        view = memoryview(buf)
        pos, data = 0, head
        tail = b""
        while True:
            for at, marker in wanted.items():
                if pos <= at < pos + len(data) and at not in seen:
                    seen[at] = bytes(data[at - pos:at - pos + len(marker)])
            tail = (tail + bytes(data[-1024:]))[-1024:]
            pos += len(data)
            n = proc.stdout.readinto(view)
            if not n:
                break
            data = view[:n]
        err = proc.stderr.read()
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    check(rc == 0, "pack failed with %s: %s" % (rc, show(err)))
    check(pos == start + SIZE + 1024, "the tar has %d bytes, expected %d" % (pos, start + SIZE + 1024))
    check(tail == bytes(1024), "the tar does not end with two zero blocks")
    for at, marker in wanted.items():
        check(seen.get(at) == marker, "at offset %d the tar holds %r, the file %r" % (at - start, seen.get(at), marker))
    m = re.search(rb"CTXPACK-RSS (\d+)", err)
    check(m, "no RSS measurement: %s" % show(err))
    rss_mb = int(m.group(1)) // 1024
    check(rss_mb <= 64, "peak RSS %d MiB while streaming 9 GiB" % rss_mb)


@suite.case
def report_with_ten_thousand_rules(env):
    files = {"Dockerfile": "FROM scratch\n"}
    for d in range(30):
        for f in range(10):
            files["dir%d/sub/file%d.%s" % (d, f, ("log", "tmp", "txt")[f % 3])] = "x"
    ctx = make_context(env.path("ctx"), files)
    write(os.path.join(ctx, ".dockerignore"),
          "".join("dir%d/**/*.tmp\n!dir%d/sub/file%d.*\n*%d*.log\nnomatch%d\n" % (i, i, i % 10, i, i)
                  for i in range(2500)))
    for builder in ("buildkit", "legacy"):
        limit = 30
        res = env.run(["report", "--builder", builder, "--json", ctx], timeout=limit * 4, measure=True)
        check(res.rc == 0, "%s: %s" % (builder, res.describe()))
        check(res.seconds <= limit, "%s: report with 10,000 rules took %.1fs (limit %ds)" % (
            builder, res.seconds, limit))
        check(res.max_rss_kb < 512 * 1024, "%s: used %d MiB" % (builder, res.max_rss_kb // 1024))


suite.main()
