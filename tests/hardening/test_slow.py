#!/usr/bin/env python3
"""The slow part of the hardening suite (ctest label "slow", which the
sanitizer pass skips): a 9 GiB sparse file packed through a pipe (PAX size
header, content at the right offsets past 4 GiB, peak RSS independent of the
file's size), and pathological ignore files (10,000 rules, rules of 3,000
`*`, lines up to Docker's 64 KiB limit) for ls, why and report, each within
a time and memory bound.

    python3 tests/hardening/test_slow.py --ctxpack build/ctxpack [--only NAME]
"""

import os
import re
import subprocess

from harness import Failure, Suite, check, expect_clean_error, make_context, remove_tree, show, write

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


# ---- pathological ignore files ----------------------------------------------------

BUILDERS = ("buildkit", "legacy")
TEN_THOUSAND_RULES = "".join("dir%d/**/*.tmp\n!dir%d/sub/file%d.*\n*%d*.log\nnomatch%d\n" % (i, i, i % 10, i, i)
                             for i in range(2500))


def bounded(env, args, seconds, rss_mb, what, stdin=None):
    """Runs ctxpack and fails when it takes longer than `seconds` (scaled for
    sanitizer builds) or more than `rss_mb` MiB."""
    seconds *= env.slowdown
    res = env.run(args, timeout=seconds * 4, measure=True, stdin=stdin)
    check(res.seconds <= seconds, "%s took %.1fs (limit %ds)" % (what, res.seconds, seconds))
    check(res.max_rss_kb <= rss_mb * 1024, "%s used %d MiB (limit %d)" % (what, res.max_rss_kb // 1024, rss_mb))
    return res


def pathological_context(env, rules):
    files = {"Dockerfile": "FROM scratch\n"}
    for d in range(30):
        for f in range(10):
            files["dir%d/sub/file%d.%s" % (d, f, ("log", "tmp", "txt")[f % 3])] = "x"
    files["a" * 250] = "a"
    files["/".join(["a" * 50] * 20) + "/b"] = "b"
    ctx = make_context(env.path("ctx"), files)
    write(os.path.join(ctx, ".dockerignore"), rules)
    return ctx


@suite.case
def ten_thousand_rules(env):
    ctx = pathological_context(env, TEN_THOUSAND_RULES)
    for builder in BUILDERS:
        res = bounded(env, ["ls", "--builder", builder, ctx], 10, 256, "%s ls with 10,000 rules" % builder)
        check(res.rc == 0, res.describe())
    paths = "".join("dir%d/sub/file%d.tmp\n" % (d, f) for d in range(5) for f in range(10))
    res = bounded(env, ["why", ctx, "--stdin"], 10, 256, "why with 10,000 rules", stdin=paths.encode())
    check(res.rc == 0, res.describe())
    for builder in BUILDERS:
        res = bounded(env, ["report", "--builder", builder, "--json", ctx], 30, 512,
                      "%s report with 10,000 rules" % builder)
        check(res.rc == 0, res.describe())


@suite.case
def a_rule_of_3000_stars(env):
    for rule in ("*" * 3000, "*" * 3000 + "b", "a*" * 1500 + "c", "**/" * 1000 + "b", "!" + "*" * 3000):
        ctx = pathological_context(env, "x\n" + rule + "\n")
        for builder in BUILDERS:
            res = bounded(env, ["ls", "--builder", builder, ctx], 20, 256,
                          "%s ls with the rule %s..." % (builder, rule[:12]))
            check(res.rc == 0, res.describe())
        res = bounded(env, ["why", "--ignore-file", os.path.join(ctx, ".dockerignore"),
                            "a" * 3000, "a/" * 1500 + "b"], 20, 256, "why with the rule %s..." % rule[:12])
        check(res.rc in (0, 1), res.describe())
        remove_tree(ctx)


@suite.case
def lines_up_to_the_64k_limit(env):
    # Docker's reader takes lines below 64 KiB and refuses longer ones.
    longest = "a" * 65535
    wild = ("[ab]*?" * 10922)[:65535]
    ctx = pathological_context(env, "x\n" + longest + "\n" + wild + "\n")
    for builder in BUILDERS:
        res = bounded(env, ["ls", "--builder", builder, ctx], 20, 256, "%s ls with 64 KiB rules" % builder)
        check(res.rc == 0, res.describe())
    write(os.path.join(ctx, ".dockerignore"), "x\n" + "b" * 65536 + "\n")
    for builder in BUILDERS:
        res = env.run(["ls", "--builder", builder, ctx])
        expect_clean_error(res, [".dockerignore", ":2"], "%s, a line of 64 KiB" % builder)
        check(res.out == b"", "a listing despite the bad ignore file")


suite.main()
