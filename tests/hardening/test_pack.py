#!/usr/bin/env python3
"""Hostile trees and faults for `ctxpack pack`, with both builders: special
files, unreadable paths (run as uid 65534), symlinks that lead out of the
context, depth and length, names that need care, files that change while
being packed, a full disk, a closed pipe, Ctrl-C, and a terminal on stdout.
With -o, a failure must never leave a file (or a temporary one) behind.

    python3 tests/hardening/test_pack.py --ctxpack build/ctxpack [--only NAME]
"""

import hashlib
import os
import pty
import signal
import stat
import subprocess
import time

from harness import (NOBODY, Failure, Suite, check, deep_tree, expect_clean_error, expect_finished_naming,
                     make_context, make_socket, opened_outside, read_tar, show, walk_listing, write)

suite = Suite(__doc__)
BUILDERS = ("buildkit", "legacy")


def pack(env, ctx, builder, *flags, **kw):
    return env.run(["pack", "--builder", builder, *flags, ctx], **kw)


def tar_of(res, what):
    check(res.rc == 0, "%s: %s" % (what, res.describe()))
    try:
        return read_tar(res.out)
    except Exception as e:
        raise Failure("%s: the tar is malformed: %s" % (what, e))


def output_dir(env, name="out", owner=None):
    d = env.path(name)
    os.mkdir(d)
    if owner is not None:
        os.chown(d, owner, owner)
    return d


def expect_nothing_left(directory, what):
    left = os.listdir(directory)
    check(not left, "%s: left %r behind in the output directory" % (what, left))


# ---- special files ---------------------------------------------------------

@suite.case
def fifos_and_devices_archived_as_docker_does(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "sub/a": "a"})
    os.mkfifo(os.path.join(ctx, "the-fifo"))
    os.mkfifo(os.path.join(ctx, "sub", "inner-fifo"))
    # Read as files, these would block (FIFO) or never end (zero).
    os.mknod(os.path.join(ctx, "dev-zero"), 0o640 | stat.S_IFCHR, os.makedev(1, 5))
    os.mknod(os.path.join(ctx, "dev-loop"), 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    make_socket(os.path.join(ctx, "the-sock"))
    for builder in BUILDERS:
        res, opens = env.traced(["pack", "--builder", builder, ctx], timeout=30)
        entries = {e.name: e for e in tar_of(res, builder).entries}
        for name in (b"the-fifo", b"sub/inner-fifo"):
            e = entries.get(name)
            check(e is not None and e.type == "6" and e.size == 0, "%s: %s is not a FIFO entry: %s" % (
                builder, name, e and e.describe()))
        for name, kind, dev in ((b"dev-zero", "3", (1, 5)), (b"dev-loop", "4", (7, 200))):
            e = entries.get(name)
            check(e is not None and e.type == kind and (e.devmajor, e.devminor) == dev and e.size == 0,
                  "%s: %s is not archived as a device %s: %s" % (builder, name, dev, e and e.describe()))
        for path, _, _ in opens:
            check(os.path.basename(path) not in (b"the-fifo", b"inner-fifo"), "%s: opened a FIFO: %r" % (
                builder, path))
        check(b"the-sock" not in entries, "%s: archived a socket (Go's tar writer cannot)" % builder)
        check(b"the-sock" in res.err, "%s: left the socket out without a warning" % builder)


@suite.case
def an_ignore_file_that_is_a_fifo_does_not_hang(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    os.mkfifo(os.path.join(ctx, ".dockerignore"))
    for builder in BUILDERS:
        out = output_dir(env, "out-" + builder)
        res = pack(env, ctx, builder, "-o", os.path.join(out, "ctx.tar"), timeout=10)
        expect_finished_naming(res, ".dockerignore", builder)
        if res.rc:
            expect_nothing_left(out, builder)


@suite.case
def a_dockerfile_that_never_ends_does_not_hang(env):
    # -f may name anything; a Dockerfile outside the context is read into
    # the tar, and /dev/zero never ends.
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    for builder in BUILDERS:
        out = output_dir(env, "out-" + builder)
        res = env.run(["pack", "--builder", builder, "-f", "/dev/zero", "-o", os.path.join(out, "ctx.tar"), ctx],
                      timeout=10 * env.slowdown, measure=True)
        expect_clean_error(res, ["/dev/zero"], builder)
        check(res.max_rss_kb < 128 * 1024, "%s: used %d MiB" % (builder, res.max_rss_kb // 1024))
        expect_nothing_left(out, builder)


# ---- unreadable paths (as uid 65534) ---------------------------------------------

def unreadable_context(env, ignore="", locked=True, secret=True):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "ok": "ok", "locked/inner": "x",
                                         "secret": "s"})
    if ignore:
        write(os.path.join(ctx, ".dockerignore"), ignore)
    if secret:
        os.chmod(os.path.join(ctx, "secret"), 0)
    if locked:
        os.chmod(os.path.join(ctx, "locked"), 0)
    return ctx


@suite.case
def legacy_unreadable_file_fails_and_leaves_no_output(env):
    ctx = unreadable_context(env, locked=False)
    out = output_dir(env, owner=NOBODY)
    res = pack(env, ctx, "legacy", "-o", os.path.join(out, "ctx.tar"), as_nobody=True)
    expect_clean_error(res, ["secret"], "legacy, unreadable file")
    expect_nothing_left(out, "legacy, unreadable file")


@suite.case
def legacy_unreadable_excluded_directory_fails_and_leaves_no_output(env):
    ctx = unreadable_context(env, ignore="locked\n", secret=False)
    out = output_dir(env, owner=NOBODY)
    res = pack(env, ctx, "legacy", "-o", os.path.join(out, "ctx.tar"), as_nobody=True)
    expect_clean_error(res, ["locked"], "legacy, unreadable excluded directory")
    expect_nothing_left(out, "legacy, unreadable excluded directory")


@suite.case
def buildkit_unreadable_excluded_directory_is_tolerated(env):
    ctx = unreadable_context(env, ignore="locked\n", secret=False)
    res = pack(env, ctx, "buildkit", as_nobody=True)
    names = [e.name for e in tar_of(res, "buildkit").entries]
    check(names == [b".dockerignore", b"Dockerfile", b"ok", b"secret"], "buildkit archived %r" % names)


@suite.case
def buildkit_unreadable_directory_it_sends_fails_and_leaves_no_output(env):
    ctx = unreadable_context(env, secret=False)
    out = output_dir(env, owner=NOBODY)
    res = pack(env, ctx, "buildkit", "-o", os.path.join(out, "ctx.tar"), as_nobody=True)
    expect_clean_error(res, ["locked"], "buildkit, unreadable directory")
    expect_nothing_left(out, "buildkit, unreadable directory")


@suite.case
def buildkit_unreadable_file_it_sends_is_reported(env):
    # BuildKit's transfer fails on it; pack must not pass it over silently,
    # and whatever it leaves must be a well-formed tar.
    ctx = unreadable_context(env, locked=False)
    out = output_dir(env, owner=NOBODY)
    target = os.path.join(out, "ctx.tar")
    res = pack(env, ctx, "buildkit", "-o", target, as_nobody=True)
    check(res.rc != 0, "buildkit packed an unreadable file it sends with exit 0: %s" % res.describe())
    check(b"secret" in res.err, "the message does not name the file: %s" % res.describe())
    left = os.listdir(out)
    check(left in ([], ["ctx.tar"]), "left %r in the output directory" % left)
    if left:
        with open(target, "rb") as f:
            read_tar(f.read())


# ---- symlinks ----------------------------------------------------------------------

@suite.case
def symlinks_archived_verbatim_and_never_followed(env):
    outside = make_context(env.path("outside"), {"secret": "OUTSIDE-SECRET\n", "sub/x": "OUTSIDE-X\n"})
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "d/file": "in\n"})
    links = {"root": "/", "up": "..", "outside-dir": outside, "outside-file": "../outside/secret",
             "loop1": "loop2", "loop2": "loop1", "self": "self", "d/back": "../d", "dangling": "does/not/exist",
             "d/updir": "../../outside/sub"}
    for name, target in links.items():
        os.symlink(target, os.path.join(ctx, name))
    write(os.path.join(ctx, ".dockerignore"),
          "root\n!root/etc/*\nup\n!up/outside/secret\noutside-dir\n!outside-dir/**\nd/updir\n!d/updir/x\n")
    for builder in BUILDERS:
        res, opens = env.traced(["pack", "--builder", builder, ctx], timeout=30)
        archive = tar_of(res, builder)
        entries = {e.name: e for e in archive.entries}
        for name, target in links.items():
            if name in ("root", "up", "outside-dir", "d/updir"):
                continue  # excluded
            e = entries.get(name.encode())
            check(e is not None and e.type == "2" and e.linkname == target.encode(),
                  "%s: %s is not a symlink to %r: %s" % (builder, name, target, e and e.describe()))
        check(b"OUTSIDE" not in res.out, "%s: content from outside the context is in the tar" % builder)
        bad = opened_outside(opens, [ctx], [outside, os.path.dirname(ctx)])
        check(not bad, "%s: opened paths outside the context: %r" % (builder, bad[:5]))


@suite.case
def a_context_that_is_a_symlink_is_resolved(env):
    ctx = make_context(env.path("real"), {"Dockerfile": "FROM scratch\n", "a/b": "b"})
    link = env.path("link")
    os.symlink(ctx, link)
    for builder in BUILDERS:
        names = [e.name for e in tar_of(pack(env, link, builder), builder).entries]
        check(names == [b"Dockerfile", b"a/", b"a/b"], "%s: archived %r" % (builder, names))


# ---- depth, length, names ---------------------------------------------------------

def expect_tar_or_clean_failure(env, ctx, builder, expected, what, timeout=60):
    out = output_dir(env, "out-" + builder)
    target = os.path.join(out, "ctx.tar")
    res = pack(env, ctx, builder, "-o", target, timeout=timeout)
    if res.rc == 0:
        with open(target, "rb") as f:
            names = [e.name for e in read_tar(f.read()).entries]
        check(names == expected, "%s: %d entries archived, %d expected; first difference at %s" % (
            what, len(names), len(expected),
            next((i for i, (a, b) in enumerate(zip(names, expected)) if a != b), min(len(names), len(expected)))))
    else:
        check(res.rc == 2 and len(res.error_lines()) == 1, "%s: neither a tar nor one clear error: %s" % (
            what, res.describe()))
        expect_nothing_left(out, what)


@suite.case
def a_tree_2500_levels_deep(env):
    ctx = env.path("ctx")
    expected = deep_tree(ctx, 2500)
    for builder in BUILDERS:
        expect_tar_or_clean_failure(env, ctx, builder, expected, builder)


@suite.case
def paths_longer_than_path_max(env):
    ctx = env.path("ctx")
    expected = deep_tree(ctx, 24, name=b"n" * 250, leaf=b"l" * 255)
    for builder in BUILDERS:
        expect_tar_or_clean_failure(env, ctx, builder, expected, builder)


NAMES = [b"n" * 255, b"\xff\xfe-not-utf8-\xe9", b"new\nline", b"tab\there", b'quote"d', b"back\\slash",
         b" leading space", b"trailing space ", b"\x01ctrl\x7f", "ünïcødé".encode(), b"-dash", b"[br]",
         "日本語".encode() * 28]


@suite.case
def names_round_trip_byte_for_byte(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n"})
    base = os.fsencode(ctx)
    for n in NAMES:
        write(os.path.join(base, n), n)
        write(os.path.join(base, b"dir\n" + n[:200], n), n)
    os.symlink(b"\xff target\nwith newline", os.path.join(base, b"link\t\xfe"))
    expected = walk_listing(ctx)
    for builder in BUILDERS:
        archive = tar_of(pack(env, ctx, builder), builder)
        check([e.name for e in archive.entries] == expected, "%s: names differ: %r" % (
            builder, sorted(set(e.name for e in archive.entries) ^ set(expected))[:6]))
        for e in archive.entries:
            if e.type == "0":
                with open(os.path.join(base, e.name), "rb") as f:
                    check(e.sha256 == hashlib.sha256(f.read()).hexdigest(), "%s: content of %r differs" % (
                        builder, e.name))
            if e.type == "2":
                check(e.linkname == b"\xff target\nwith newline", "%s: link target %r" % (builder, e.linkname))


# ---- files that change while being packed ------------------------------------------

@suite.case
def files_changing_mid_pack_keep_the_tar_well_formed(env):
    big = 8 << 20
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "z-grow": b"g" * 1000,
                                         "z-shrink": b"s" * 5000, "z-vanish": b"v" * 100})
    with open(os.path.join(ctx, "a-big"), "wb") as f:
        f.truncate(big)
    proc = subprocess.Popen([env.binary, "pack", ctx], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # The pipe fills while a-big streams: pack has listed (and stat'ed)
        # the z- files but not opened them yet.
        head = proc.stdout.read(1 << 20)
        with open(os.path.join(ctx, "z-grow"), "ab") as f:
            f.write(b"G" * 3000)
        with open(os.path.join(ctx, "z-shrink"), "r+b") as f:
            f.truncate(100)
        os.unlink(os.path.join(ctx, "z-vanish"))
        data = head + proc.stdout.read()
        err = proc.stderr.read()
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    check(rc not in (0, 2) and rc > 0, "expected the exit status for a changed context, got %s: %s" % (rc, show(err)))
    try:
        entries = {e.name: e for e in read_tar(data).entries}
    except Exception as e:
        raise Failure("the tar is malformed: %s" % e)
    for name in (b"z-grow", b"z-shrink", b"z-vanish"):
        check(name in err, "no warning names %s: %s" % (name.decode(), show(err)))
    grow, shrink = entries.get(b"z-grow"), entries.get(b"z-shrink")
    check(grow is not None and grow.size == 1000 and grow.sha256 == hashlib.sha256(b"g" * 1000).hexdigest(),
          "z-grow is not its first 1000 bytes: %s" % (grow and grow.describe()))
    check(shrink is not None and shrink.size == 5000 and
          shrink.sha256 == hashlib.sha256(b"s" * 100 + bytes(4900)).hexdigest(),
          "z-shrink is not its 100 bytes padded with zeros to the header's 5000: %s" % (shrink and shrink.describe()))
    check(entries.get(b"a-big") is not None and entries[b"a-big"].size == big, "a-big is missing or cut")


@suite.case
def paths_swapped_for_symlinks_mid_pack_never_leak(env):
    outside = make_context(env.path("outside"), {"secret": "OUTSIDE-SECRET\n", "sub/x": "OUTSIDE-X\n"})
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "z-dir/inner": "in\n",
                                         "z-file": "inside\n"})
    with open(os.path.join(ctx, "a-big"), "wb") as f:
        f.truncate(8 << 20)
    proc = subprocess.Popen([env.binary, "pack", ctx], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # While a-big streams into the full pipe, z-file and z-dir (already
        # listed) become symlinks to files outside the context.
        head = proc.stdout.read(1 << 20)
        os.unlink(os.path.join(ctx, "z-file"))
        os.symlink(os.path.join(outside, "secret"), os.path.join(ctx, "z-file"))
        os.rename(os.path.join(ctx, "z-dir"), env.path("moved-dir"))
        os.symlink(os.path.join(outside, "sub"), os.path.join(ctx, "z-dir"))
        data = head + proc.stdout.read()
        err = proc.stderr.read()
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    check(b"OUTSIDE" not in data, "content from outside the context reached the tar")
    check(rc != 0, "the context changed under pack, yet it exited 0: %s" % show(err))
    check(b"z-file" in err, "no message names the swapped file: %s" % show(err))
    if rc != 2:
        try:
            names = [e.name for e in read_tar(data).entries]
        except Exception as e:
            raise Failure("the tar is malformed: %s" % e)
        check(not any(n.startswith(b"z-dir/") and n not in (b"z-dir/", b"z-dir/inner") for n in names),
              "entries from behind the swapped directory: %r" % names)


# ---- write failures, signals, terminals ----------------------------------------------

def big_context(env, size=64 << 20, random=False):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n"})
    with open(os.path.join(ctx, "big"), "wb") as f:
        if random:
            for _ in range(size >> 20):
                f.write(os.urandom(1 << 20))
        else:
            f.truncate(size)
    return ctx


@suite.case
def a_closed_pipe_ends_the_run_promptly(env):
    ctx = big_context(env)
    for builder in BUILDERS:
        start = time.monotonic()
        proc = subprocess.Popen([env.binary, "pack", "--builder", builder, ctx], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        proc.stdout.read(1000)
        proc.stdout.close()  # like `| head -c 1000`
        try:
            err = proc.stderr.read()
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise Failure("%s: pack kept running after its reader went away" % builder)
        check(time.monotonic() - start < 10, "%s: pack took %.1fs to notice" % (builder, time.monotonic() - start))
        check(rc > 0, "%s: expected an error exit, got %s (stderr: %s)" % (builder, rc, show(err)))
        errors = [l for l in err.decode("utf-8", "replace").splitlines() if "warning:" not in l and l.strip()]
        check(len(errors) == 1 and "pipe" in errors[0], "%s: expected one line about the pipe: %s" % (
            builder, show(err)))


@suite.case
def a_full_disk_fails_cleanly(env):
    ctx = big_context(env, 4 << 20, random=True)
    with open("/dev/full", "wb") as full:
        res = env.run(["pack", ctx], stdout=full)
    check(res.rc > 0 and len(res.error_lines()) == 1 and "space" in res.error_lines()[0].lower(),
          "stdout on /dev/full: %s" % res.describe())
    mnt = output_dir(env, "small")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt], capture_output=True)
    check(mounted.returncode == 0, "cannot mount a 1 MiB tmpfs (the test needs root): %s" % show(mounted.stderr))
    for flags in ((), ("--compress", "gzip")):
        start = time.monotonic()
        res = env.run(["pack", *flags, "-o", os.path.join(mnt, "ctx.tar"), ctx], timeout=30)
        check(res.rc > 0 and len(res.error_lines()) == 1 and "space" in res.error_lines()[0].lower(),
              "%s on a full tmpfs: %s" % (flags, res.describe()))
        check(time.monotonic() - start < 10, "%s: took %.1fs to give up" % (flags, time.monotonic() - start))
        expect_nothing_left(mnt, "full disk %s" % (flags,))


@suite.case
def interrupted_pack_leaves_no_output(env):
    ctx = big_context(env, 48 << 20, random=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        out = output_dir(env, "out-%d" % sig)
        # xz on random data is slow enough to be caught in the middle.
        proc = subprocess.Popen([env.binary, "pack", "--compress", "xz", "-o", os.path.join(out, "ctx.tar.xz"), ctx],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not os.listdir(out) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        check(proc.poll() is None, "pack finished before it could be interrupted (rc %s)" % proc.returncode)
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise Failure("pack did not stop within 10s of signal %d" % sig)
        check(proc.returncode != 0, "pack exited 0 after signal %d" % sig)
        expect_nothing_left(out, "after signal %d" % sig)


@suite.case
def refuses_to_write_to_a_terminal(env):
    ctx = make_context(env.path("ctx"), {"Dockerfile": "FROM scratch\n", "a": "a"})
    master, slave = pty.openpty()
    try:
        res = env.run(["pack", ctx], stdout=slave, timeout=10)
        os.close(slave)
        slave = None
        check(res.rc == 2 and len(res.error_lines()) == 1 and "terminal" in res.error_lines()[0],
              "expected one error about the terminal: %s" % res.describe())
        written = b""
        try:
            while True:
                chunk = os.read(master, 4096)
                if not chunk:
                    break
                written += chunk
        except OSError:
            pass  # EIO: the terminal is closed and drained
        check(written == b"", "wrote %d bytes to the terminal" % len(written))
        # -o - is stdout too.
        master2, slave2 = pty.openpty()
        res = env.run(["pack", "-o", "-", ctx], stdout=slave2, timeout=10)
        os.close(slave2)
        os.close(master2)
        check(res.rc == 2, "-o - on a terminal: %s" % res.describe())
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)


suite.main()
