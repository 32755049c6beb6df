"""Shared machinery for the hardening suites: running ctxpack with a time
limit (and, for permission tests, as an unprivileged user), watching which
files it opens, building hostile trees, and decoding what it prints.

Each suite script registers cases with @suite.case and ends with
suite.main(); every case gets a fresh scratch directory that uid 65534 can
traverse, and the script closes with "N passed, M failed".
"""

import argparse
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from tarscan import read_tar  # noqa: E402  (the e2e suite's tar reader, shared)

NOBODY = 65534


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def show(data, limit=600):
    """Bytes for a failure message, cut short."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "backslashreplace")
    return data if len(data) <= limit else data[:limit] + "...[%d more]" % (len(data) - limit)


class Result:
    def __init__(self, args, rc, out, err, seconds, max_rss_kb=None):
        self.args, self.rc, self.out, self.err, self.seconds, self.max_rss_kb = args, rc, out, err, seconds, max_rss_kb

    def describe(self):
        return "`%s` exited %s after %.1fs\n  stdout: %s\n  stderr: %s" % (
            " ".join(show(os.fsdecode(a), 120) for a in self.args), self.rc, self.seconds, show(self.out),
            show(self.err))

    def error_lines(self):
        """stderr lines that are not warnings."""
        return [l for l in self.err.decode("utf-8", "replace").splitlines()
                if l.strip() and "warning:" not in l]


class Suite:
    def __init__(self, description):
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--ctxpack", required=True, help="the ctxpack binary")
        parser.add_argument("--only", default="", help="run only cases whose name contains this")
        parser.add_argument("--case", default="", help="run only the case with this exact name")
        parser.add_argument("--keep", action="store_true", help="keep scratch directories")
        self.args = parser.parse_args()
        self.binary = os.path.abspath(self.args.ctxpack)
        self.cases = []

    def case(self, fn):
        self.cases.append(fn)
        return fn

    def main(self):
        passed = failed = 0
        for fn in self.cases:
            if self.args.only not in fn.__name__ or self.args.case not in ("", fn.__name__):
                continue
            scratch = tempfile.mkdtemp(prefix="ctxpack-hardening-")
            # uid 65534 must reach the contexts and the binary's output directories.
            os.chmod(scratch, 0o755)
            start = time.monotonic()
            try:
                fn(Env(self, scratch))
                passed += 1
                print("PASS %s (%.1fs)" % (fn.__name__, time.monotonic() - start), flush=True)
            except Failure as e:
                failed += 1
                print("FAIL %s: %s" % (fn.__name__, e), flush=True)
            except Exception:
                failed += 1
                print("FAIL %s: the test itself raised\n%s" % (fn.__name__, traceback.format_exc()), flush=True)
            finally:
                unmount_all(scratch)
                if self.args.keep:
                    print("  kept %s" % scratch)
                else:
                    remove_tree(scratch)
        if not passed + failed:
            sys.exit("no case named %r" % (self.args.case or self.args.only))
        print("%d passed, %d failed" % (passed, failed))
        sys.exit(1 if failed else 0)


class Env:
    """What a case works with: its scratch directory and ways to run ctxpack."""

    def __init__(self, suite, scratch):
        self.binary = suite.binary
        self.scratch = scratch

    @property
    def slowdown(self):
        return sanitizer_slowdown(self.binary)

    def path(self, *parts):
        return os.path.join(self.scratch, *parts)

    def run(self, args, timeout=30, as_nobody=False, stdin=None, measure=False, stdout=None):
        """Runs ctxpack with `args` and returns a Result. A hang, a death by
        signal or a sanitizer report fails the case."""
        cmd = [self.binary] + [os.fsencode(a) if isinstance(a, str) else a for a in args]
        if measure:
            cmd = ["/usr/bin/time", "-f", "CTXPACK-RSS %M", "--"] + cmd
        if as_nobody:
            cmd = unprivileged(cmd)
        return run_command(cmd, timeout=timeout, stdin=stdin, stdout=stdout)

    def traced(self, args, timeout=60):
        """Runs ctxpack under strace and returns (Result, opens): every open
        call as (path argument, resolved path of the directory it was
        relative to or None, resolved path of the result or None)."""
        check(shutil.which("strace"), "strace is not installed (apt-get install strace)")
        log = self.path("strace.log")
        cmd = ["strace", "-f", "-qq", "-y", "-s", "4096", "-e", "trace=open,openat,openat2", "-o", log,
               "--", self.binary] + [os.fsencode(a) if isinstance(a, str) else a for a in args]
        # LeakSanitizer cannot work under ptrace.
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
        result = run_command(cmd, timeout=timeout, env=env)
        with open(log, "rb") as f:
            opens = parse_strace(f.read())
        os.unlink(log)
        return result, opens


_slowdowns = {}


def sanitizer_slowdown(binary):
    """How much longer time limits are for a sanitizer build (.ci/run
    runs the suite under ASan and UBSan too)."""
    if binary not in _slowdowns:
        # An ASan build lists its options when asked to.
        probe = subprocess.run([binary, "--version"], env=dict(os.environ, ASAN_OPTIONS="help=1"),
                               capture_output=True)
        _slowdowns[binary] = 4 if b"AddressSanitizer" in probe.stdout + probe.stderr else 1
    return _slowdowns[binary]


def expect_clean_error(res, names, what):
    """Exit 2 with one error line (warnings aside) naming each of `names`."""
    errors = res.error_lines()
    check(res.rc == 2, "%s: expected exit 2, %s" % (what, res.describe()))
    check(len(errors) == 1, "%s: expected one error line, got %d: %s" % (what, len(errors), res.describe()))
    for n in names:
        check(n in errors[0], "%s: the error does not name %r: %s" % (what, n, errors[0]))


def expect_finished_naming(res, name, what):
    """Either one clear error naming `name`, or success with a warning
    naming it; anything but a hang."""
    check(res.rc in (0, 2), "%s: %s" % (what, res.describe()))
    check(name.encode() in res.err, "%s: nothing on stderr names %s: %s" % (what, name, res.describe()))
    if res.rc == 2:
        check(len(res.error_lines()) == 1, "%s: expected one error line: %s" % (what, res.describe()))


def unprivileged(cmd):
    """Root reads everything, so permission tests run ctxpack as nobody."""
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups", "--"] + cmd


def run_command(cmd, timeout=30, stdin=None, stdout=None, env=None):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if isinstance(stdin, bytes) else stdin,
                            stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    try:
        out, err = proc.communicate(stdin if isinstance(stdin, bytes) else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise Failure("`%s` did not finish within %ds (a hang?)\n  stderr: %s" % (
            " ".join(show(os.fsdecode(a), 120) for a in cmd), timeout, show(err)))
    rss = None
    # /usr/bin/time's own lines, when measuring.
    m = re.search(rb"(Command (exited with non-zero status|terminated by signal) \d+\n)?CTXPACK-RSS (\d+)\n?$", err)
    if m:
        rss = int(m.group(3))
        err = err[:m.start()]
    result = Result(cmd, proc.returncode, out or b"", err, time.monotonic() - start, rss)
    died = (proc.returncode < 0 or proc.returncode in (128 + 6, 128 + 11)
            or (m is not None and m.group(2) == b"terminated by signal"))
    check(not died, "ctxpack crashed (signal or abort): " + result.describe())
    check(b"Sanitizer" not in err and b"runtime error:" not in err,
          "a sanitizer reported an error: " + result.describe())
    check(b"terminate called" not in err, "an uncaught exception: " + result.describe())
    return result


_OPEN_LINE = re.compile(rb'^\d+\s+(open|openat|openat2)\((.*)\)\s+=\s+(-?\d+)(<(.*)>)?')
_ARG = re.compile(rb'(-?\w+)(<([^>]*)>)?, "((?:[^"\\]|\\.)*)"')
_PATH_ONLY = re.compile(rb'^"((?:[^"\\]|\\.)*)"')


def _unescape_strace(s):
    return re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  s.replace(b'\\"', b'"').replace(b"\\\\", b"\\"))


def parse_strace(log):
    opens = []
    for line in log.splitlines():
        m = _OPEN_LINE.match(line)
        if not m:
            continue
        args = m.group(2)
        if m.group(1) == b"open":
            a = _PATH_ONLY.match(args)
            if not a:
                continue
            path, base = _unescape_strace(a.group(1)), None
        else:
            a = _ARG.match(args)
            if not a:
                continue
            path, base = _unescape_strace(a.group(4)), a.group(3)
        result = m.group(5) if int(m.group(3)) >= 0 else None
        opens.append((path, base, result))
    return opens


def opened_outside(opens, allowed_roots, watched_roots):
    """The opens that reached into one of `watched_roots` (or opened "/")
    without being inside one of `allowed_roots`."""
    bad = []
    for path, base, result in opens:
        if result is None:
            continue
        where = os.path.normpath(result)
        if where == b"/" or (any(_inside(where, w) for w in watched_roots)
                             and not any(_inside(where, a) for a in allowed_roots)):
            bad.append((path, base, result))
    return bad


def _inside(path, root):
    root = os.path.normpath(os.fsencode(root))
    return path == root or path.startswith(root + b"/")


def unmount_all(root):
    root = os.path.realpath(root)
    with open("/proc/self/mounts") as f:
        points = [line.split()[1] for line in f]
    for p in reversed(points):
        p = p.replace("\\040", " ")
        if p == root or p.startswith(root + "/"):
            subprocess.run(["umount", "-l", p], check=False)


def remove_tree(path):
    # rm copes with trees deeper than Python's recursion limit and longer
    # than PATH_MAX.
    subprocess.run(["chmod", "-R", "u+rwx", path], check=False, stderr=subprocess.DEVNULL)
    subprocess.run(["rm", "-rf", "--one-file-system", path], check=False)
    if os.path.exists(path):
        shutil.rmtree(path, ignore_errors=True)


# ---- building trees ----------------------------------------------------------

def write(path, data=b""):
    path = os.fsencode(path)
    os.makedirs(os.path.dirname(path) or b".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def make_context(root, files):
    """`files` maps relative names (str or bytes) to content; a name ending
    in "/" is a directory."""
    os.makedirs(root, exist_ok=True)
    for name, data in files.items():
        full = os.path.join(os.fsencode(root), os.fsencode(name))
        if full.endswith(b"/"):
            os.makedirs(full, exist_ok=True)
        else:
            write(full, data)
    return root


def deep_tree(root, levels, name=b"d", leaf=b"f"):
    """`levels` nested directories called `name` with a file `leaf` at the
    bottom, built through directory descriptors (the path soon exceeds
    PATH_MAX). Returns the expected ls listing."""
    os.makedirs(root, exist_ok=True)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    expected, prefix = [], b""
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
            prefix += name + b"/"
            expected.append(prefix)
        leaf_fd = os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(leaf_fd, b"bottom\n")
        os.close(leaf_fd)
        expected.append(prefix + leaf)
    finally:
        os.close(fd)
    return expected


def make_socket(path):
    # bind() takes at most 107 bytes of path: bind relative to the directory.
    old = os.getcwd()
    os.chdir(os.path.dirname(path))
    try:
        s = socket.socket(socket.AF_UNIX)
        s.bind(os.path.basename(path))
        s.close()
    finally:
        os.chdir(old)


# ---- reading what ctxpack prints --------------------------------------------

_C_ESCAPES = {ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12, ord("r"): 13,
              ord('"'): ord('"'), ord("\\"): ord("\\")}


def unquote(field):
    """The name a git-style quoted path stands for; a field that is not
    quoted is the name itself. Raises Failure on a malformed quote."""
    if not field.startswith(b'"'):
        return field
    check(field.endswith(b'"') and len(field) >= 2, "an unterminated quoted path: %r" % field)
    body, out, i = field[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c == ord('"'):
            raise Failure("an unescaped quote inside a quoted path: %r" % field)
        if c != ord("\\"):
            out.append(c)
            i += 1
            continue
        check(i + 1 < len(body), "a quoted path ends in a backslash: %r" % field)
        n = body[i + 1]
        if n in _C_ESCAPES:
            out.append(_C_ESCAPES[n])
            i += 2
        elif body[i + 1:i + 4].isdigit() and len(body[i + 1:i + 4]) == 3:
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        else:
            raise Failure("an unknown escape in a quoted path: %r" % field)
    return bytes(out)


_LONG = re.compile(rb"^(\S+) +(\S+)  (.*)$", re.S)


def _take_quoted(s):
    """Splits a leading quoted path off `s`."""
    i = 1
    while i < len(s) and s[i] != ord('"'):
        i += 2 if s[i] == ord("\\") else 1
    check(i < len(s), "an unterminated quoted path: %r" % s)
    return unquote(s[:i + 1]), s[i + 1:]


def parse_long(line):
    """(mode, name, link target or None) from a `ls --long` line: mode,
    size, two spaces, the name, and " -> TARGET" for a symlink. A name that
    would make the line ambiguous must be quoted."""
    m = _LONG.match(line)
    check(m, "not a --long line: %r" % line)
    mode, rest = m.group(1), m.group(3)
    if rest.startswith(b'"'):
        name, rest = _take_quoted(rest)
    elif mode.startswith(b"l") and b" -> " in rest:
        name, rest = rest[:rest.index(b" -> ")], rest[rest.index(b" -> "):]
    else:
        name, rest = rest, b""
    target = None
    if mode.startswith(b"l"):
        check(rest.startswith(b" -> "), "a symlink without its target: %r" % line)
        rest = rest[4:]
        target, rest = _take_quoted(rest) if rest.startswith(b'"') else (rest, b"")
    check(rest == b"", "trailing text after the name: %r" % line)
    return mode, name, target


def lines(data):
    return data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")


def walk_listing(root):
    """The context as Docker walks it, without ignore rules: pre-order,
    siblings in byte order, symlinks not followed, directories with a
    trailing "/"."""
    out = []

    def walk(dir_path, rel_prefix):
        for name in sorted(os.listdir(dir_path)):
            full = os.path.join(dir_path, name)
            rel = rel_prefix + name
            if stat.S_ISDIR(os.lstat(full).st_mode):
                out.append(rel + b"/")
                walk(full, rel + b"/")
            else:
                out.append(rel)

    walk(os.fsencode(root), b"")
    return out
