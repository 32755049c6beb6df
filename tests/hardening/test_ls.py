#!/usr/bin/env python3
"""Hostile trees for `ctxpack ls` and `ctxpack why`, with both builders:
special files, unreadable paths (run as uid 65534), symlinks that lead out
of the context, very deep trees and very long paths, and names that need
quoting. Pathological ignore files are in test_slow.py.

    python3 tests/hardening/test_ls.py --ctxpack build/ctxpack [--only NAME]
"""

import json
import os
import stat

from harness import (Suite, check, deep_tree, expect_clean_error, expect_finished_naming, lines, make_context,
                     make_socket, opened_outside, parse_long, show, unquote, walk_listing, write)

suite = Suite(__doc__)
BUILDERS = ("buildkit", "legacy")


def ls(env, ctx, builder, *flags, **kw):
    return env.run(["ls", "--builder", builder, *flags, ctx], **kw)


def expect_listing(res, expected, what):
    check(res.rc == 0, "%s: %s" % (what, res.describe()))
    got = lines(res.out)
    if got != expected:
        missing = [x for x in expected if x not in got][:5]
        extra = [x for x in got if x not in expected][:5]
        check(False, "%s: listing differs (%d lines, expected %d); missing %r, unexpected %r" % (
            what, len(got), len(expected), missing, extra))


def never_opened(opens, name):
    return [o for o in opens if os.path.basename(o[0]) == os.fsencode(name)]


# ---- special files ---------------------------------------------------------

def special_context(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a", "sub/b": "b"})
    os.mkfifo(os.path.join(ctx, "the-fifo"))
    os.mkfifo(os.path.join(ctx, "sub", "inner-fifo"))
    make_socket(os.path.join(ctx, "the-sock"))
    # If anything read these as files, it would read forever (zero) or block.
    os.mknod(os.path.join(ctx, "dev-zero"), 0o644 | stat.S_IFCHR, os.makedev(1, 5))
    os.mknod(os.path.join(ctx, "dev-loop"), 0o644 | stat.S_IFBLK, os.makedev(7, 200))
    return ctx


def json_types(res):
    check(res.rc == 0, res.describe())
    return {json.loads(l)["path"]: json.loads(l)["type"] for l in lines(res.out)}


@suite.case
def fifos_listed_as_fifos_and_never_opened(env):
    ctx = special_context(env)
    for builder in BUILDERS:
        res, opens = env.traced(["ls", "--builder", builder, "--json", ctx], timeout=20)
        types = json_types(res)
        for name in ("the-fifo", "sub/inner-fifo"):
            check(types.get(name) == "fifo", "%s: %s is listed as %r" % (builder, name, types.get(name)))
        for name in ("the-fifo", "inner-fifo"):
            check(not never_opened(opens, name), "%s: opened the FIFO %s: %r" % (
                builder, name, never_opened(opens, name)))
        res = ls(env, ctx, builder, "--long", timeout=20)
        modes = {parse_long(l)[1]: parse_long(l)[0] for l in lines(res.out)}
        check(modes.get(b"the-fifo", b"").startswith(b"p"), "%s: --long does not show a FIFO: %s" % (
            builder, show(res.out)))


@suite.case
def devices_listed_with_their_type_and_never_read(env):
    ctx = special_context(env)
    for builder in BUILDERS:
        types = json_types(ls(env, ctx, builder, "--json", timeout=20))
        check(types.get("dev-zero") == "char-device", "%s: a char device is listed as %r" % (
            builder, types.get("dev-zero")))
        check(types.get("dev-loop") == "block-device", "%s: a block device is listed as %r" % (
            builder, types.get("dev-loop")))


@suite.case
def sockets_left_out_by_legacy(env):
    ctx = special_context(env)
    for builder in BUILDERS:
        res = ls(env, ctx, builder, timeout=20)
        check(res.rc == 0, "%s: %s" % (builder, res.describe()))
        listed = b"the-sock" in lines(res.out)
        if builder == "legacy":
            # Go's tar writer cannot store sockets; the classic CLI skips them.
            check(not listed, "legacy lists the socket, which the docker CLI leaves out: %s" % show(res.out))
            check(b"the-sock" in res.err, "legacy leaves the socket out without saying so: %s" % res.describe())
        else:
            # BuildKit's file sync sends it (it arrives as an empty file).
            check(listed, "buildkit does not list the socket: %s" % show(res.out))


@suite.case
def why_does_not_open_special_files(env):
    ctx = special_context(env)
    write(os.path.join(ctx, ".dockerignore"), "dev-*\n")
    for builder in BUILDERS:
        res, opens = env.traced(["why", "--builder", builder, ctx, "the-fifo", "dev-zero", "the-sock"], timeout=20)
        check(res.rc == 0, "%s: %s" % (builder, res.describe()))
        for name in ("the-fifo", "dev-zero"):
            check(not never_opened(opens, name), "%s: why opened %s" % (builder, name))


# ---- ignore files that are not plain files ------------------------------------------

@suite.case
def an_ignore_file_that_is_a_fifo_does_not_hang(env):
    # Opening a FIFO for reading blocks until someone writes to it.
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    os.mkfifo(os.path.join(ctx, ".dockerignore"))
    for builder in BUILDERS:
        expect_finished_naming(ls(env, ctx, builder, timeout=10), ".dockerignore", builder)
        expect_finished_naming(env.run(["why", "--builder", builder, ctx, "a"], timeout=10), ".dockerignore",
                               "why, " + builder)


@suite.case
def an_ignore_file_that_never_ends_does_not_hang(env):
    # Docker's reader gives up at the first line of 64 KiB; /dev/zero has
    # no line end at all.
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    os.symlink("/dev/zero", os.path.join(ctx, ".dockerignore"))
    for builder in BUILDERS:
        res = ls(env, ctx, builder, timeout=10 * env.slowdown, measure=True)
        check(res.rc in (0, 2), "%s: %s" % (builder, res.describe()))
        check(res.max_rss_kb < 128 * 1024, "%s: used %d MiB" % (builder, res.max_rss_kb // 1024))


@suite.case
def a_huge_ignore_file_fails_at_its_first_long_line(env):
    # Memory is compared with the same listing under a small ignore file, so
    # that a sanitizer build's own overhead does not count.
    small = make_context(env.path("small"), {"Dockerfile": "FROM scratch\n", "a": "a", ".dockerignore": "a\n"})
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    with open(os.path.join(ctx, ".dockerignore"), "wb") as f:
        f.write(b"a\n" + b"x" * (96 << 20))
    for builder in BUILDERS:
        base = ls(env, small, builder, measure=True)
        check(base.rc == 0, "%s: %s" % (builder, base.describe()))
        res = ls(env, ctx, builder, timeout=30 * env.slowdown, measure=True)
        expect_clean_error(res, [".dockerignore", ":2"], builder)
        check(res.seconds < 2 * env.slowdown, "%s: took %.1fs to find the long line" % (builder, res.seconds))
        grown = res.max_rss_kb - base.max_rss_kb
        check(grown < 16 * 1024, "%s: read %d MiB more than with a small ignore file to find a line too long at "
              "64 KiB" % (builder, grown // 1024))


# ---- unreadable files and directories (as uid 65534) -------------------------

def unreadable_context(env, ignore=""):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "ok": "ok", "locked/inner": "x",
                                         "secret": "s"})
    if ignore:
        write(os.path.join(ctx, ".dockerignore"), ignore)
    os.chmod(os.path.join(ctx, "secret"), 0)
    os.chmod(os.path.join(ctx, "locked"), 0)
    return ctx


@suite.case
def legacy_fails_on_an_unreadable_file_naming_it(env):
    ctx = unreadable_context(env)
    os.chmod(os.path.join(ctx, "locked"), 0o755)
    res = ls(env, ctx, "legacy", as_nobody=True)
    expect_clean_error(res, ["secret"], "legacy, unreadable file")
    check(res.out == b"", "legacy printed a listing before failing: %s" % show(res.out))


@suite.case
def legacy_fails_on_an_unreadable_directory_even_when_excluded(env):
    # The docker CLI's pre-flight walk reads every directory before it
    # looks at the rules (docker/for-linux#380).
    ctx = unreadable_context(env, "locked\nsecret\n")
    res = ls(env, ctx, "legacy", as_nobody=True)
    expect_clean_error(res, ["locked"], "legacy, unreadable excluded directory")
    check(res.out == b"", "legacy printed a listing before failing: %s" % show(res.out))


@suite.case
def legacy_accepts_an_excluded_unreadable_file(env):
    ctx = unreadable_context(env, "secret\n")
    os.chmod(os.path.join(ctx, "locked"), 0o755)
    res = ls(env, ctx, "legacy", as_nobody=True)
    expect_listing(res, [b".dockerignore", b"Dockerfile", b"locked/", b"locked/inner", b"ok"],
                   "legacy, excluded unreadable file")


@suite.case
def buildkit_tolerates_an_unreadable_excluded_directory(env):
    ctx = unreadable_context(env, "locked\n")
    res = ls(env, ctx, "buildkit", as_nobody=True)
    expect_listing(res, [b".dockerignore", b"Dockerfile", b"ok", b"secret"], "buildkit, excluded unreadable dir")


@suite.case
def buildkit_tolerates_an_unreadable_directory_under_an_exception(env):
    # A wildcard exception makes BuildKit walk excluded directories; a
    # permission error there is still one it is skipping.
    ctx = unreadable_context(env, "locked\n!**/*.keep\n")
    res = ls(env, ctx, "buildkit", as_nobody=True)
    expect_listing(res, [b".dockerignore", b"Dockerfile", b"ok", b"secret"], "buildkit, excluded dir, exception")


@suite.case
def buildkit_fails_on_an_unreadable_directory_it_sends(env):
    ctx = unreadable_context(env)
    res = ls(env, ctx, "buildkit", as_nobody=True)
    check(res.rc == 2, "buildkit must fail on an unreadable directory it has to send: %s" % res.describe())
    errors = res.error_lines()
    check(len(errors) == 1 and "locked" in errors[0], "expected one error naming locked: %s" % res.describe())


# ---- symlinks ------------------------------------------------------------------

def symlink_context(env):
    outside = make_context(env.path("outside"), {"secret": "OUTSIDE-SECRET\n", "sub/x": "OUTSIDE-X\n"})
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "d/file": "in\n"})
    links = {"root": "/", "up": "..", "outside-dir": outside, "outside-file": "../outside/secret",
             "loop1": "loop2", "loop2": "loop1", "self": "self", "d/back": "../d", "d/updir": "../../outside/sub",
             "dangling": "does/not/exist"}
    for name, target in links.items():
        os.symlink(target, os.path.join(ctx, name))
    # Exceptions that point below the symlinks: a walk that followed them
    # would look inside.
    write(os.path.join(ctx, ".dockerignore"),
          "root\n!root/etc/*\nup\n!up/outside/secret\noutside-dir\n!outside-dir/**\nd/updir\n!d/updir/x\n")
    return ctx, outside


@suite.case
def symlinks_listed_and_never_followed(env):
    ctx, outside = symlink_context(env)
    for builder in BUILDERS:
        res, opens = env.traced(["ls", "--builder", builder, "--json", ctx], timeout=30)
        types = json_types(res)
        for name in ("loop1", "loop2", "self", "d/back", "dangling", "outside-file"):
            check(types.get(name) == "symlink", "%s: %s is listed as %r" % (builder, name, types.get(name)))
        check(not any(n.startswith(("root/", "up/", "outside-dir/", "d/updir/", "d/back/")) for n in types),
              "%s: listed something behind a symlink: %s" % (builder, show(res.out)))
        bad = opened_outside(opens, [ctx], [outside, os.path.dirname(ctx)])
        check(not bad, "%s: opened paths outside the context: %r" % (builder, bad[:5]))


@suite.case
def why_judges_paths_behind_symlinks_without_following(env):
    ctx, outside = symlink_context(env)
    for builder in BUILDERS:
        res, opens = env.traced(["why", "--builder", builder, ctx, "root/etc/passwd", "up/outside/secret",
                                 "outside-dir/secret", "d/updir/x"], timeout=30)
        check(res.rc in (0, 1), "%s: %s" % (builder, res.describe()))
        check(len(lines(res.out)) == 4, "%s: expected one line per path: %s" % (builder, show(res.out)))
        bad = opened_outside(opens, [ctx], [outside, os.path.dirname(ctx)])
        check(not bad, "%s: why opened paths outside the context: %r" % (builder, bad[:5]))


@suite.case
def a_context_that_is_a_symlink_is_resolved(env):
    ctx = make_context(env.path("real"), {"Dockerfile": "FROM scratch\n", "a/b": "b", ".dockerignore": "x\n",
                                          "x": "x"})
    link = env.path("link")
    os.symlink(ctx, link)
    for builder in BUILDERS:
        expected = [b".dockerignore", b"Dockerfile", b"a/", b"a/b"]
        expect_listing(ls(env, link, builder), expected, "%s, context through a symlink" % builder)
        expect_listing(ls(env, link + "/", builder), expected, "%s, context through a symlink/" % builder)


# ---- depth and length ---------------------------------------------------------

def expect_listing_or_clean_error(res, expected, what):
    if res.rc == 0:
        got = lines(res.out)
        check(got == expected, "%s: listing differs: %d lines, expected %d; first difference at %s" % (
            what, len(got), len(expected),
            next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))))
    else:
        errors = res.error_lines()
        check(res.rc == 2 and len(errors) == 1, "%s: neither a listing nor one clear error: %s" % (
            what, res.describe()))


@suite.case
def a_tree_2500_levels_deep(env):
    ctx = env.path("ctx")
    expected = deep_tree(ctx, 2500)
    for builder in BUILDERS:
        res = ls(env, ctx, builder, timeout=60)
        expect_listing_or_clean_error(res, expected, builder)
        deepest = expected[-1].decode()
        res = env.run(["why", "--builder", builder, ctx, deepest], timeout=60)
        check(res.rc in (1, 2), "%s: why on the deepest path: %s" % (builder, res.describe()))


@suite.case
def paths_longer_than_path_max(env):
    ctx = env.path("ctx")
    # 24 levels of 250-byte names: about 6 kB, beyond PATH_MAX (4096).
    expected = deep_tree(ctx, 24, name=b"n" * 250, leaf=b"l" * 255)
    check(len(expected[-1]) > 4096, "the tree is not deep enough to test PATH_MAX")
    write(os.path.join(ctx, ".dockerignore"), "*/*/*/x\n")
    for builder in BUILDERS:
        expect_listing_or_clean_error(ls(env, ctx, builder, timeout=60), expected, builder)


# ---- names ---------------------------------------------------------------------

NAMES = [b"n" * 255, b"\xff\xfe-not-utf8-\xe9", b"new\nline", b"tab\there", b'quote"d', b"back\\slash",
         b" leading space", b"trailing space ", b'"quoted"', b"\x01ctrl\x7f", "ünïcødé".encode(),
         b"looks\\nescaped", b"-dash", b"#hash", b"!bang", b"star*", b"q?", b"[br]"]


def names_context(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n"})
    for n in NAMES:
        write(os.path.join(os.fsencode(ctx), n), n)
        write(os.path.join(os.fsencode(ctx), b"dir\n" + n[:200], n), n)
    # A symlink whose name and target both hold the arrow --long prints.
    os.symlink(b"t -> u", os.path.join(os.fsencode(ctx), b"arrow -> x"))
    return ctx


@suite.case
def ls_null_separated_names_are_raw(env):
    ctx = names_context(env)
    expected = walk_listing(ctx)
    for builder in BUILDERS:
        res = ls(env, ctx, builder, "-0")
        check(res.rc == 0, "%s: %s" % (builder, res.describe()))
        check(res.out.endswith(b"\0"), "%s: -0 output does not end in NUL" % builder)
        got = res.out[:-1].split(b"\0")
        check(got == expected, "%s: -0 names differ: %r" % (
            builder, sorted(set(got) ^ set(expected))[:6]))


@suite.case
def ls_quotes_names_unambiguously(env):
    ctx = names_context(env)
    expected = walk_listing(ctx)
    for builder in BUILDERS:
        for flags in ((), ("--long",)):
            res = ls(env, ctx, builder, *flags)
            check(res.rc == 0, "%s: %s" % (builder, res.describe()))
            out = lines(res.out)
            check(len(out) == len(expected), "%s %s: %d lines for %d entries: a name broke a line" % (
                builder, flags, len(out), len(expected)))
            got = [parse_long(l)[1] if flags else unquote(l) for l in out]
            check(got == expected, "%s %s: printed names do not map back: %r" % (
                builder, flags, [(l, e) for l, g, e in zip(out, got, expected) if g != e][:4]))
            if flags:
                target = [parse_long(l)[2] for l in out if parse_long(l)[1] == b"arrow -> x"]
                check(target == [b"t -> u"], "%s: --long shows the symlink's target as %r" % (builder, target))


@suite.case
def ls_json_survives_any_name(env):
    ctx = names_context(env)
    for builder in BUILDERS:
        res = ls(env, ctx, builder, "--json")
        check(res.rc == 0, "%s: %s" % (builder, res.describe()))
        entries = [json.loads(l) for l in lines(res.out)]
        paths = {e["path"] for e in entries}
        for n in NAMES:
            try:
                text = n.decode("utf-8")
            except UnicodeDecodeError:
                continue
            check(text in paths, "%s: --json lost %r" % (builder, text))


@suite.case
def why_quotes_names_unambiguously(env):
    ctx = names_context(env)
    write(os.path.join(ctx, ".dockerignore"), "*space*\n")
    for builder in BUILDERS:
        # "--" first: names that look like options are paths too.
        res = env.run(["why", "--builder", builder, "--", ctx] + NAMES)
        check(res.rc == 0, "%s: %s" % (builder, res.describe()))
        out = lines(res.out)
        check(len(out) == len(NAMES), "%s: %d lines for %d paths" % (builder, len(out), len(NAMES)))
        for line, name in zip(out, NAMES):
            fields = line.split(b"\t")
            check(len(fields) >= 3, "%s: a name broke the tab-separated fields: %r" % (builder, line))
            check(unquote(fields[1]) == name, "%s: %r does not map back to %r" % (builder, fields[1], name))
        # With -0, names go in and come out raw.
        res = env.run(["why", "--builder", builder, "--stdin", "-0", ctx], stdin=b"\0".join(NAMES) + b"\0")
        check(res.rc == 0, "%s -0: %s" % (builder, res.describe()))
        records = res.out.split(b"\0")
        check(records[-1] == b"" and len(records) == len(NAMES) + 1, "%s -0: %d records for %d paths" % (
            builder, len(records) - 1, len(NAMES)))
        for record, name in zip(records, NAMES):
            verdict = record.split(b"\t", 1)[0]
            check(record.startswith(verdict + b"\t" + name + b"\t"), "%s -0: %r does not hold %r raw" % (
                builder, record, name))


@suite.case
def why_takes_double_dash_after_the_context(env):
    # `why CTX -- -name` is how a user passes a path that looks like an
    # option, as with git check-ignore.
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "-dash": "x", ".dockerignore": "-*\n"})
    res = env.run(["why", ctx, "--", "-dash", "Dockerfile"])
    check(res.rc == 0 and lines(res.out)[0].startswith(b"excluded\t-dash\t"), res.describe())


suite.main()
