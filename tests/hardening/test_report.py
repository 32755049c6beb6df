#!/usr/bin/env python3
"""Hostile trees for `ctxpack report`, with both builders: it must finish,
report what is dangerous instead of failing on it (unreadable paths are
findings, not errors), never read outside the context or open a FIFO, print
odd names unambiguously, and stay fast on huge files and ignore files.

    python3 tests/hardening/test_report.py --ctxpack build/ctxpack [--only NAME]
"""

import json
import os
import stat

from harness import (Failure, Suite, check, deep_tree, expect_finished_naming, make_context, make_socket,
                     opened_outside, show, write)

suite = Suite(__doc__)
BUILDERS = ("buildkit", "legacy")


def report_json(res, what):
    # No gate was asked for, so findings do not fail the run.
    check(res.rc == 0, "%s: %s" % (what, res.describe()))
    try:
        return json.loads(res.out)
    except ValueError as e:
        raise Failure("%s: --json output is not JSON (%s): %s" % (what, e, show(res.out)))


def findings(doc, code):
    """Paths of the findings with `code` (directories without their "/")."""
    return {f["path"].rstrip("/") for f in doc.get("findings", []) if f.get("code") == code}


@suite.case
def special_files_are_findings_and_never_opened(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    os.mkfifo(os.path.join(ctx, "the-fifo"))
    os.mknod(os.path.join(ctx, "dev-zero"), 0o644 | stat.S_IFCHR, os.makedev(1, 5))
    make_socket(os.path.join(ctx, "the-sock"))
    for builder in BUILDERS:
        res, opens = env.traced(["report", "--builder", builder, "--json", ctx], timeout=30)
        doc = report_json(res, builder)
        special = findings(doc, "special-file")
        check({"the-fifo", "dev-zero"} <= special, "%s: special files not reported: %r" % (builder, special))
        for path, _, _ in opens:
            check(os.path.basename(path) not in (b"the-fifo", b"dev-zero"), "%s: opened %r" % (builder, path))


@suite.case
def an_ignore_file_that_is_a_fifo_does_not_hang(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    os.mkfifo(os.path.join(ctx, ".dockerignore"))
    for builder in BUILDERS:
        expect_finished_naming(env.run(["report", "--builder", builder, ctx], timeout=10), ".dockerignore", builder)


@suite.case
def a_dockerfile_that_never_ends_does_not_hang(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    for builder in BUILDERS:
        res = env.run(["report", "--builder", builder, "-f", "/dev/zero", ctx], timeout=10 * env.slowdown,
                      measure=True)
        check(res.rc in (0, 1, 2), "%s: %s" % (builder, res.describe()))
        check(res.max_rss_kb < 128 * 1024, "%s: used %d MiB" % (builder, res.max_rss_kb // 1024))


def unreadable_report(env, builder):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "ok": "ok", "locked/inner": "x",
                                         "secret": "s", "excluded-locked/x": "x", ".dockerignore": "excluded-*\n"})
    for name in ("secret", "locked", "excluded-locked"):
        os.chmod(os.path.join(ctx, name), 0)
    doc = report_json(env.run(["report", "--builder", builder, "--json", ctx], as_nobody=True), builder)
    unreadable = findings(doc, "unreadable")
    check({"secret", "locked"} <= unreadable, "%s: unreadable paths not reported: %r" % (builder, unreadable))
    return unreadable


@suite.case
def buildkit_unreadable_paths_are_findings_not_failures(env):
    unreadable_report(env, "buildkit")


@suite.case
def legacy_unreadable_paths_are_findings_not_failures(env):
    unreadable = unreadable_report(env, "legacy")
    # The docker CLI refuses even an excluded unreadable directory.
    check("excluded-locked" in unreadable, "legacy: the excluded unreadable directory is not reported")


@suite.case
def symlinks_out_of_the_context_are_findings_and_never_followed(env):
    outside = make_context(env.path("outside"), {"secret": "OUTSIDE-SECRET\n"})
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "d/file": "in\n"})
    links = {"root": "/", "up": "..", "outside-dir": outside, "outside-file": "../outside/secret",
             "loop1": "loop2", "loop2": "loop1", "dangling": "nothing/here"}
    for name, target in links.items():
        os.symlink(target, os.path.join(ctx, name))
    for builder in BUILDERS:
        res, opens = env.traced(["report", "--builder", builder, "--json", ctx], timeout=30)
        doc = report_json(res, builder)
        out = findings(doc, "symlink-outside")
        check({"root", "up", "outside-dir", "outside-file"} <= out, "%s: symlink-outside findings %r" % (builder, out))
        dangling = findings(doc, "symlink-dangling")
        check({"loop1", "loop2", "dangling"} <= dangling, "%s: symlink-dangling findings %r" % (builder, dangling))
        bad = opened_outside(opens, [ctx], [outside, os.path.dirname(ctx)])
        check(not bad, "%s: opened paths outside the context: %r" % (builder, bad[:5]))


@suite.case
def odd_names_are_printed_unambiguously(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n"})
    # The largest files, so that the report lists them.
    names = [b"new\nline.bin", b"tab\there.bin", b"\xff\xfe.bin", "ünï.bin".encode()]
    for i, n in enumerate(names):
        write(os.path.join(os.fsencode(ctx), n), b"x" * (100000 + i))
    for builder in BUILDERS:
        res = env.run(["report", "--builder", builder, ctx])
        check(res.rc == 0, "%s: %s" % (builder, res.describe()))
        for raw in (b"new\nline", b"tab\there", b"\xff\xfe"):
            check(raw not in res.out, "%s: the text report prints %r raw: %s" % (builder, raw, show(res.out)))
        check(b'"new\\nline.bin"' in res.out, "%s: the newline name is not quoted: %s" % (builder, show(res.out)))
        doc = report_json(env.run(["report", "--builder", builder, "--json", ctx]), builder)
        largest = {f["path"] for f in doc["largest_files"]}
        check({"new\nline.bin", "tab\there.bin", "ünï.bin"} <= largest, "%s: largest_files %r" % (builder, largest))


@suite.case
def a_tree_2500_levels_deep(env):
    ctx = env.path("ctx")
    deep_tree(ctx, 2500)
    for builder in BUILDERS:
        res = env.run(["report", "--builder", builder, "--json", "--depth", "3", ctx], timeout=120)
        if res.rc == 0:
            doc = json.loads(res.out)
            check(doc["files"] == 1 and doc["dirs"] == 2500, "%s: counted %s files, %s dirs" % (
                builder, doc["files"], doc["dirs"]))
        else:
            check(res.rc == 2 and len(res.error_lines()) == 1, "%s: neither a report nor one clear error: %s" % (
                builder, res.describe()))


@suite.case
def a_9_gib_sparse_file_is_measured_not_read(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n"})
    size = 9 << 30
    with open(os.path.join(ctx, "sparse"), "wb") as f:
        f.truncate(size)
    for builder in BUILDERS:
        res = env.run(["report", "--builder", builder, "--json", ctx], timeout=30 * env.slowdown)
        check(res.seconds < 5 * env.slowdown, "%s: took %.1fs, as if it read the file" % (builder, res.seconds))
        doc = report_json(res, builder)
        check(doc["bytes"] == size + 13, "%s: bytes %s" % (builder, doc["bytes"]))
        # Dockerfile (header + block) + sparse (PAX header + records +
        # header + content) + end of archive.
        check(doc["tar_bytes"] == 1024 + 1536 + size + 1024, "%s: tar_bytes %s" % (builder, doc["tar_bytes"]))


suite.main()
