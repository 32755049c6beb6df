#!/usr/bin/env python3
"""Hostile input for `ctxpack copy`, with both builders: a Dockerfile that is
a FIFO or never ends, a context 2,500 levels deep behind `COPY . /`, and
names that need care. It must finish, bounded, with a plan or one clear
error.

    python3 tests/hardening/test_copy.py --ctxpack build/ctxpack [--only NAME]
"""

import json
import os

from harness import Suite, check, deep_tree, expect_finished_naming, make_context, show, write

suite = Suite(__doc__)
BUILDERS = ("buildkit", "legacy")


@suite.case
def a_dockerfile_that_is_a_fifo_does_not_hang(env):
    # Opening a FIFO for reading blocks until someone writes to it.
    ctx = make_context(env.path("ctx"), {"a": "a"})
    os.mkfifo(os.path.join(ctx, "Dockerfile"))
    for builder in BUILDERS:
        expect_finished_naming(env.run(["copy", "--builder", builder, ctx], timeout=10), "Dockerfile", builder)


@suite.case
def a_dockerfile_that_never_ends_does_not_hang(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    for builder in BUILDERS:
        res = env.run(["copy", "--builder", builder, "-f", "/dev/zero", ctx], timeout=10 * env.slowdown,
                      measure=True)
        expect_finished_naming(res, "/dev/zero", builder)
        check(res.max_rss_kb < 128 * 1024, "%s: used %d MiB" % (builder, res.max_rss_kb // 1024))


@suite.case
def copy_everything_from_a_tree_2500_levels_deep(env):
    ctx = env.path("ctx")
    expected = deep_tree(ctx, 2500)
    write(os.path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY . /dst/\n")
    for builder in BUILDERS:
        res = env.run(["copy", "--builder", builder, "--json", ctx], timeout=120)
        if res.rc != 0:
            check(res.rc == 2 and len(res.error_lines()) == 1, "%s: neither a plan nor one clear error: %s" % (
                builder, res.describe()))
            continue
        entries = json.loads(res.out)["instructions"][0]["entries"]
        deepest = "/dst/" + expected[-1].decode()
        check(any(e["dest"] == deepest for e in entries), "%s: the deepest file is not planned at %s..." % (
            builder, deepest[:60]))


@suite.case
def odd_names_keep_their_bytes(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\nCOPY . /dst/\n"})
    names = ["new\nline", "tab\there", "ünï", " lead"]
    for n in names:
        write(os.path.join(ctx, n), n)
    for builder in BUILDERS:
        res = env.run(["copy", "--builder", builder, "--json", ctx])
        check(res.rc == 0, "%s: %s" % (builder, res.describe()))
        dests = {e["dest"] for e in json.loads(res.out)["instructions"][0]["entries"]}
        for n in names:
            check("/dst/" + n in dests, "%s: %r is not planned: %s" % (builder, n, show(res.out)))
        text = env.run(["copy", "--builder", builder, ctx])
        check(b"new\nline" not in text.out and b"tab\there" not in text.out,
              "%s: the text plan prints a name raw: %s" % (builder, show(text.out)))


suite.main()
