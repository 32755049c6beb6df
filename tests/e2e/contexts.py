#!/usr/bin/env python3
"""Build contexts for the conformance tests: seeded random trees and fixed cases.

A case is a Tree (a list of filesystem operations, so that the same seed always
yields the same files, names, modes, owners and mtimes), the build context
directory inside the case directory, the -f argument, and whether the builds
run as an unprivileged user (root reads every file, so unreadable-file cases
need one).

    contexts.py DIR CASE...   materialises cases (gen-<seed> or a fixed name) under DIR
    contexts.py --list        lists the fixed cases
"""

import os
import random
import socket
import stat
import sys
from dataclasses import dataclass, field

CONTEXT_DIR = "ctx"
IS_ROOT = os.geteuid() == 0


class Tree:
    """Filesystem operations, relative to the case's context directory.

    Paths may leave the context with `..` (a symlinked context, a Dockerfile
    outside). Parent directories are created as needed. Directory modes, owners
    and mtimes are applied after everything else, deepest first, so that a 0500
    directory can still be filled and creating children does not disturb a
    directory's mtime. Whatever has no mtime of its own gets DEFAULT_MTIME, so
    the same Tree always gives the same stat data.
    """

    def __init__(self):
        self.ops = []
        self.notes = []  # parts of the case this machine cannot create

    def dir(self, path, mode=0o755, **meta):
        self.ops.append(("dir", path, mode, meta))

    def file(self, path, content=b"", mode=0o644, **meta):
        self.ops.append(("file", path, content, mode, meta))

    def symlink(self, path, target, **meta):
        self.ops.append(("symlink", path, target, meta))

    def hardlink(self, path, existing):
        self.ops.append(("hardlink", path, existing))

    def fifo(self, path, mode=0o644, **meta):
        self.ops.append(("fifo", path, mode, meta))

    def socket(self, path):
        self.ops.append(("socket", path))

    def device(self, path, kind, major, minor, mode=0o600, **meta):
        self.ops.append(("device", path, kind, major, minor, mode, meta))

    def paths(self):
        return [op[1] for op in self.ops]

    def materialize(self, casedir):
        ctx = os.path.join(os.path.abspath(casedir), CONTEXT_DIR)
        finish = []  # (path, meta, mode or None), applied in reverse

        def make_parents(path):
            parent = os.path.dirname(path)
            if not os.path.lexists(parent):
                make_parents(parent)
                os.mkdir(parent)
                finish.append((parent, {}, None))

        make_parents(os.path.join(ctx, ""))
        for op in self.ops:
            kind, rel = op[0], op[1]
            path = os.path.join(ctx, rel)
            make_parents(path)
            if kind == "dir":
                if not os.path.isdir(path):
                    os.mkdir(path)
                finish.append((path, op[3], op[2]))
            elif kind == "file":
                with open(path, "wb") as f:
                    f.write(op[2])
                os.chmod(path, op[3])
                self._xattrs(path, op[4].get("xattrs", {}))
                finish.append((path, op[4], None))
            elif kind == "symlink":
                os.symlink(op[2], path)
                finish.append((path, op[3], None))
            elif kind == "hardlink":
                os.link(os.path.join(ctx, op[2]), path, follow_symlinks=False)
            elif kind == "fifo":
                os.mkfifo(path, op[2])
                os.chmod(path, op[2])
                finish.append((path, op[3], None))
            elif kind == "socket":
                with socket.socket(socket.AF_UNIX) as s:
                    s.bind(path)
                finish.append((path, {}, None))
            elif kind == "device":
                _, _, dev, major, minor, mode, meta = op
                type_bits = stat.S_IFCHR if dev == "char" else stat.S_IFBLK
                try:
                    os.mknod(path, mode | type_bits, os.makedev(major, minor))
                    os.chmod(path, mode)
                except PermissionError:
                    self.notes.append("cannot create device node %s here" % rel)
                    continue
                finish.append((path, meta, None))
        for path, meta, mode in reversed(finish):
            owner = meta.get("owner")
            if owner and IS_ROOT:
                os.lchown(path, *owner)
            if mode is not None:
                os.chmod(path, mode)
            mtime = meta.get("mtime_ns", DEFAULT_MTIME * 10**9)
            os.utime(path, ns=(mtime, mtime), follow_symlinks=False)
        return ctx

    def _xattrs(self, path, xattrs):
        for key, value in xattrs.items():
            try:
                os.setxattr(path, key, value, follow_symlinks=False)
            except OSError as e:
                self.notes.append("cannot set xattr %s on %s here: %s" % (key, path, e.strerror))


@dataclass
class Case:
    name: str
    tree: Tree
    dockerfile: str = None  # -f argument relative to the context argument; None: no -f
    context: str = CONTEXT_DIR  # context argument, relative to the case directory
    as_nobody: bool = False  # run the client and ctxpack as uid/gid 65534
    seed: int = None
    about: str = ""
    stdin: bytes = None  # the Dockerfile, given as -f - on stdin

    def build_args(self):
        """The arguments after `docker build` or `ctxpack ls`: [-f F] CONTEXT, run from the case dir."""
        args = []
        if self.stdin is not None:
            args += ["-f", "-"]
        elif self.dockerfile is not None:
            args += ["-f", os.path.join(self.context, self.dockerfile)]
        return args + [self.context]

    def dockerignore(self):
        for op in self.tree.ops:
            if op[0] == "file" and op[1] == ".dockerignore":
                return op[2]
        return None


# ---------------------------------------------------------------------------
# Random contexts

PLAIN = ["src", "lib", "docs", "app", "web", "util", "docker", "config", "keep", "sub",
         "pkg", "data", "a", "b", "c", "x", "test"]
HEAVY = ["build", "dist", "node_modules", "vendor", "target", "out", "tmp", "cache", "logs"]
DOT = [".git", ".env", ".cache", ".hidden", ".github", ".venv", ".npmrc"]
ODD = ["with space", "two  spaces", "héllo", "日本語", "naïve", "Ωmega", "df-1", "df-2",
       "my-app", "a.b.c", "v1.2", "under_score", "#hash", "!bang", "a[1]", "c++", "x$y",
       "-dash", "back\\slash", "q?", "star*"]
EXTS = ["", ".py", ".md", ".txt", ".log", ".js", ".go", ".tmp", ".json", ".tar.gz"]
FILES = ["README.md", "main.py", "app.log", "Makefile", "Dockerfile", ".dockerignore",
         "keep", "secret.env", "index.js", "go.mod"]
# Patterns that are valid when read but fail when first evaluated, or at once.
BAD = ["x*[", "[", "a\\", "[z-a]*", "!"]
DEFAULT_MTIME = 1_600_000_000


def _name(rng, is_dir):
    pool = rng.choices([PLAIN, HEAVY, DOT, ODD], weights=[5, 3, 2, 2])[0]
    base = rng.choice(pool)
    if is_dir:
        return base
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(FILES)
    return base + rng.choice(EXTS)


def _meta(rng):
    return {"mtime_ns": (DEFAULT_MTIME + rng.randrange(100_000_000)) * 10**9
            + rng.randrange(10**9)}


def _content(rng):
    size = rng.choice([0, 1, 7, 100, 511, 512, 513, rng.randrange(4096)])
    return rng.randbytes(size)


def _populate(rng, tree, rel, depth, budget, dirs, files):
    names = set()
    for _ in range(rng.randint(1, 6 if depth == 0 else 4)):
        if budget[0] <= 0:
            return
        is_dir = depth < 4 and rng.random() < 0.45 - 0.1 * depth
        name = _name(rng, is_dir)
        if name in names or (depth == 0 and name == ".dockerignore"):
            continue
        names.add(name)
        budget[0] -= 1
        path = rel + name
        if is_dir:
            tree.dir(path, rng.choice([0o755] * 6 + [0o700, 0o775, 0o750]), **_meta(rng))
            dirs.append(path)
            _populate(rng, tree, path + "/", depth + 1, budget, dirs, files)
        else:
            tree.file(path, _content(rng),
                      rng.choice([0o644] * 6 + [0o755, 0o600, 0o444, 0o4755, 0o664]),
                      **_meta(rng))
            files.append(path)


def _variant(rng, path):
    """The same path as a user might write it in .dockerignore."""
    roll = rng.random()
    if roll < 0.55:
        return path
    if roll < 0.65:
        return "/" + path
    if roll < 0.73:
        return path + "/"
    if roll < 0.8:
        return "./" + path
    if roll < 0.85:
        return "x/../" + path
    parts = path.split("/")
    i = rng.randrange(len(parts))
    if roll < 0.93:
        parts[i] = "*"
    elif parts[i]:
        j = rng.randrange(len(parts[i]))
        parts[i] = parts[i][:j] + "?" + parts[i][j + 1:]
    return "/".join(parts)


def _glob(rng, dirs, files):
    ext = rng.choice([e for e in EXTS if e])
    some_dir = rng.choice(dirs) if dirs else "src"
    some_name = (rng.choice(files) if files else "main.py").rsplit("/", 1)[-1]
    return rng.choice([
        "*", "**", "*" + ext, "**/*" + ext, "**/" + some_name, some_dir + "/*",
        some_dir + "/**", some_dir + "/**/*" + ext, "*/" + some_name, some_name[:2] + "*",
        "**" + some_name[-3:], ".*", "*/*", "**/" + some_dir.rsplit("/", 1)[-1],
        "[a-m]*", "*/[!x]*", some_dir + "?",
    ])


def _rule(rng, dirs, files, dockerfile):
    roll = rng.random()
    if roll < 0.35 and (dirs or files):
        return _variant(rng, rng.choice(dirs + files))
    if roll < 0.6:
        return _glob(rng, dirs, files)
    if roll < 0.85:
        target = (_variant(rng, rng.choice(dirs + files)) if (dirs or files) and rng.random() < 0.6
                  else rng.choice(["**/*.py", "*/keep", "**/README.md", "docs/README.md",
                                   "*.md", "**/keep", _glob(rng, dirs, files)]))
        return rng.choice(["!", "!", "! "]) + target
    return rng.choice(["Dockerfile", "**/Dockerfile", "*Dockerfile*", ".dockerignore", ".*",
                       os.path.dirname(dockerfile) or "Dockerfile", "*.Dockerfile"])


def _noise(rng):
    return rng.choice(["# a comment", "", "   ", " # not a comment", "#", "\t"])


def _dockerignore(rng, dirs, files, dockerfile):
    lines = []
    for _ in range(rng.randint(1, 9)):
        if rng.random() < 0.15:
            lines.append(_noise(rng))
        rule = _rule(rng, dirs, files, dockerfile)
        if rng.random() < 0.08:
            rule = rng.choice(["  ", "\t"]) + rule + rng.choice([" ", "  "])
        lines.append(rule)
    if rng.random() < 0.04:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(BAD))
    eol = "\r\n" if rng.random() < 0.1 else "\n"
    text = eol.join(lines) + (eol if rng.random() < 0.8 else "")
    if rng.random() < 0.05:
        text = "\ufeff" + text
    return text.encode()


def generated_case(seed):
    rng = random.Random(seed)
    tree = Tree()
    dirs, files = [], []
    _populate(rng, tree, "", 0, [rng.randint(3, 45)], dirs, files)

    roll = rng.random()
    dockerfile_arg = None
    if roll < 0.55:
        dockerfile = "Dockerfile"
    elif roll < 0.7:
        dockerfile = dockerfile_arg = "Dockerfile"
    else:
        fresh = [d for d in ("docker/app", "sub", "build")
                 if not any(d.startswith(f + "/") or d == f for f in files)]
        where = rng.choice(dirs) if dirs and rng.random() < 0.7 else rng.choice(
            fresh or ["dockerfiles"])
        dockerfile = dockerfile_arg = where + "/" + rng.choice(["Dockerfile", "app.Dockerfile"])
    if dockerfile not in files:
        tree.file(dockerfile, b"FROM scratch\nCOPY . /\n", **_meta(rng))
        files.append(dockerfile)

    # Links are made after all targets exist.
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        at = rng.choice(dirs + [""])
        at = at + "/" if at else ""
        tree.symlink(at + "link-%d" % len(tree.ops), rng.choice(
            [os.path.relpath(rng.choice(files), at or "."), "missing", "/etc/hostname",
             "../" * at.count("/") + (rng.choice(dirs) if dirs else "."), "."]), **_meta(rng))
    for _ in range(rng.choice([0, 0, 0, 0, 1, 2])):
        source = rng.choice(files)
        at = rng.choice(dirs + [""])
        tree.hardlink((at + "/" if at else "") + "hard-%d" % len(tree.ops), source)

    if rng.random() < 0.85:
        tree.file(".dockerignore", _dockerignore(rng, dirs, files, dockerfile), **_meta(rng))
    return Case("gen-%d" % seed, tree, dockerfile=dockerfile_arg, seed=seed,
                about="generated from seed %d" % seed)


# ---------------------------------------------------------------------------
# Fixed cases: the documented walks and failures of the classic client

def _fixed(ignore, files, dockerfile=None, dirs=(), about="", **case_args):
    def make(name):
        tree = Tree()
        for d in dirs:
            tree.dir(d)
        for f in files:
            tree.file(f, b"FROM scratch\n" if f.endswith("ockerfile") else f.encode() + b"\n")
        if ignore is not None:
            tree.file(".dockerignore", ignore.encode())
        return Case(name, tree, dockerfile=dockerfile, about=about, **case_args)
    return make


def _special_entries(name):
    """Every kind of entry and header the tar format distinguishes."""
    t = Tree()
    t.file("Dockerfile", b"FROM scratch\nCOPY . /\n")
    t.file(".dockerignore", b"excluded-first\n*.tmp\n")
    ns = 123_456_789
    # Hardlinks: the first name archived is the file, later names link to it;
    # when the first name is excluded the next one archived becomes the file.
    t.file("hl/a-first", b"shared content\n", mtime_ns=1_600_000_000 * 10**9 + ns)
    t.hardlink("hl/b-second", "hl/a-first")
    t.hardlink("hl/sub/c-third", "hl/a-first")
    t.file("excluded-first/orig", b"only the second name is sent\n")
    t.hardlink("keep-second", "excluded-first/orig")
    t.file("x.tmp", b"excluded file, hardlinked below\n")
    t.hardlink("y-of-tmp", "x.tmp")
    # Long names: one component over 100 bytes (PAX), a path that splits into
    # USTAR prefix and name, a path too long for that (PAX), limits exactly.
    t.file("L" * 120, b"long component\n")
    t.file("d" * 60 + "/" + "e" * 60 + "/file", b"splits into prefix/name\n")
    t.file("p" * 100 + "/" + "q" * 100 + "/" + "r" * 80, b"needs a PAX path\n")
    t.file("n" * 100, b"exactly 100\n")
    t.file("m" * 101, b"101\n")
    t.file("o" * 255, b"255-byte name\n")
    t.dir("s" * 99)
    t.dir("t" * 100)
    t.dir("u" * 154 + "/" + "v" * 99)
    # Names that are not plain ASCII.
    t.file("ünïcödé.txt", b"utf-8\n")
    t.file("日本/語.txt", b"cjk\n")
    t.file(os.fsdecode(b"latin1-\xe9-\xff.bin"), b"not UTF-8\n")
    t.file("new\nline", b"newline in name\n")
    t.file("tab\there", b"tab in name\n")
    t.file("back\\slash", b"backslash\n")
    # Modes with special bits, and modes root can read anyway.
    t.file("modes/setuid", b"#!/bin/sh\n", 0o4755)
    t.file("modes/setgid", b"#!/bin/sh\n", 0o2755)
    t.file("modes/all-bits", b"#!/bin/sh\n", 0o7777)
    t.file("modes/none", b"mode 0\n", 0o000)
    t.file("modes/read-only", b"0444\n", 0o444)
    t.dir("modes/sticky-dir", 0o1777)
    t.dir("modes/setgid-dir", 0o2775)
    t.dir("modes/private-dir", 0o700)
    # Special files: FIFOs are archived (never read), sockets are skipped.
    t.fifo("special/fifo")
    t.hardlink("special/fifo-link", "special/fifo")
    t.socket("special/socket")
    t.device("special/char-null", "char", 1, 3, 0o666)
    t.device("special/block-loop", "block", 7, 0, 0o660)
    # Symlinks are stored, never followed.
    t.symlink("links/dangling", "does-not-exist")
    t.symlink("links/absolute", "/etc/passwd")
    t.symlink("links/outside", "../../../outside")
    t.symlink("links/to-dir", "../modes")
    t.symlink("links/loop", "loop")
    t.symlink("links/long-target", "z" * 150)
    t.hardlink("links/dangling-hardlinked", "links/dangling")
    # Empty files and empty directories.
    t.file("empty/a")
    t.file("empty/.hidden")
    t.dir("empty/dir")
    # Ownership and times the tar must not carry through.
    t.file("owned/by-1000", b"uid 1000\n", owner=(1000, 1000))
    t.file("owned/by-big-id", b"uid 123456789\n", owner=(123456789, 987654321))
    t.file("times/nanoseconds", b"ns\n", mtime_ns=1_700_000_000 * 10**9 + 999_999_999)
    t.file("times/epoch", b"0\n", mtime_ns=0)
    t.file("times/before-1970", b"-1\n", mtime_ns=-86400 * 10**9)
    t.file("times/after-2242", b"needs more than 11 octal digits\n",
           mtime_ns=9_000_000_000 * 10**9)
    # Only the security.capability xattr is carried.
    cap_v2 = bytes([0, 0, 0, 2, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    t.file("xattr/capability", b"cap_net_bind_service\n", 0o755,
           xattrs={"security.capability": cap_v2})
    t.file("xattr/user", b"user xattr\n", xattrs={"user.comment": b"not archived"})
    # Content larger than a few blocks, streamed.
    t.file("big.bin", random.Random(7).randbytes(1 << 20 | 77))
    return Case(name, t, about="every special entry and header")


def _unreadable(ignore, mode_of, dockerfile=None, about=""):
    def make(name):
        t = Tree()
        t.file("Dockerfile", b"FROM scratch\n")
        t.file("ok.txt", b"readable\n")
        for path, mode in mode_of.items():
            if path.endswith("/"):
                t.file(path + "inside", b"inside\n")
                t.dir(path.rstrip("/"), mode)
            else:
                t.file(path, b"unreadable\n", mode)
        if ignore is not None:
            t.file(".dockerignore", ignore.encode())
        return Case(name, t, dockerfile=dockerfile, as_nobody=True, about=about)
    return make


def _symlinked_context(name):
    t = Tree()
    t.file("Dockerfile", b"FROM scratch\n")
    t.file("a/b", b"b\n")
    t.file(".dockerignore", b"a/b\n")
    t.symlink("../link-to-ctx", CONTEXT_DIR)
    return Case(name, t, context="link-to-ctx", dockerfile="Dockerfile",
                about="the context argument is a symlink to the context")


def _symlinked_dockerfile(name):
    t = Tree()
    t.file("docker/real.Dockerfile", b"FROM scratch\n")
    t.symlink("Dockerfile", "docker/real.Dockerfile")
    t.file(".dockerignore", b"docker\n")
    return Case(name, t, about="Dockerfile is a symlink into an excluded directory")


FIXED = {
    # §6.1: a re-added Dockerfile below an excluded directory comes without its parents.
    "df-star": _fixed("df-*\nDockerfile\n", ["Dockerfile", "df-1/Dockerfile", "df-2/x", "other"],
                      "df-1/Dockerfile"),
    # §6.3: an exception below an excluded directory: only the file, no parent entry.
    "docs-readme": _fixed("docs\n!docs/README.md\n",
                          ["Dockerfile", "docs/README.md", "docs/other.md", "docs/sub/x"]),
    "all-but-web": _fixed("**\n!util/docker/web\n",
                          ["Dockerfile", "util/docker/web/index.html", "util/docker/web/js/app.js",
                           "util/docker/other", "util/x"]),
    # docker/for-linux#585: the wildcard exception cannot reach the Dockerfile.
    "star-dockerfiles": _fixed("*\n!docker/*/Dockerfile\n",
                               ["docker/application/Dockerfile", "docker/other/Dockerfile",
                                "docker/x", "src/y"], "docker/application/Dockerfile"),
    # The single-ancestor match misses that sub/Dockerfile is excluded.
    "any-sub": _fixed("**/sub\n", ["sub/Dockerfile", "sub/x", "a/sub/y", "a/z"], "sub/Dockerfile"),
    "any-sub-deep": _fixed("**/sub\n", ["a/b/sub/Dockerfile", "a/b/c", "sub/x"],
                           "a/b/sub/Dockerfile"),
    # §4: the walk's cached per-pattern results disagree with MatchesOrParentMatches.
    "cache-foo-bar": _fixed("foo/bar\n!foo\n", ["Dockerfile", "foo/bar", "foo/baz"]),
    "cache-keep-log": _fixed("**/*.log\n!keep\n",
                             ["Dockerfile", "keep/x.log", "keep/y.txt", "z.log"]),
    "exclude-both": _fixed(".dockerignore\nDockerfile\n", ["Dockerfile", "a"]),
    "exclude-everything": _fixed("*\n", ["Dockerfile", "a", "b/c", ".hidden"]),
    "exclude-all-dirs": _fixed("**\n", ["Dockerfile", "a", "b/c"], "Dockerfile"),
    "wildcard-exception": _fixed("*\n!*.py\n!**/*.go\n!*/keep\n",
                                 ["Dockerfile", "a.py", "d/b.py", "d/keep", "e/f/g.go", "h.go"]),
    "prefix-pruning": _fixed("build\n!build/keep/x\n!buildx\n",
                             ["Dockerfile", "build/keep/x", "build/keep/y", "build/other/z",
                              "buildx/a", "buildxx/b"]),
    "trailing-leading-slash": _fixed("/build/\nlogs/\n/./tmp\n",
                                     ["Dockerfile", "build/a", "logs/b", "src/logs/c", "tmp/d"]),
    "reader-quirks": _fixed("\ufeff# comment\r\n #not-a-comment\r\n! keep.txt \r\n*.txt\r\n"
                            "x/../y\r\n./z\r\n\r\n",
                            ["Dockerfile", " #not-a-comment", "#not-a-comment", "keep.txt",
                             "a.txt", "y", "z", "x/y"]),
    "escapes-and-classes": _fixed("\\#hash\n[a-c]?\n*.[ch]\nsp\\ ace\\?\n",
                                  ["Dockerfile", "#hash", "ab", "dd", "x.c", "y.h", "z.o",
                                   "sp ace?"]),
    "suffix-quirk": _fixed("**foo\n**.txt\n", ["Dockerfile", "xfoo", "d/yfoo", "d/a.txt", "foo"]),
    "empty-ignore": _fixed("", ["Dockerfile", "a", "b/c"], dirs=["empty"]),
    "no-ignore": _fixed(None, ["Dockerfile", ".dockerignore.bak", "a/.dockerignore"]),
    "lowercase-dockerfile": _fixed("x\n", ["dockerfile", "x", "y"]),
    "nested-dockerignore": _fixed("a\n", ["sub/Dockerfile", "sub/Dockerfile.dockerignore",
                                          "sub/.dockerignore", "a", "b"], "sub/Dockerfile"),
    # Failures the client reports before sending anything.
    "missing-dockerfile": _fixed("", ["a"], about="no Dockerfile: the client refuses"),
    "dockerfile-excluded-directory": _fixed("sub\n", ["sub/Dockerfile", "sub/x"], "sub/Dockerfile"),
    "bad-pattern-bracket": _fixed("a\n[\n", ["Dockerfile", "a"]),
    "bad-pattern-bang": _fixed("a\n!\n", ["Dockerfile", "a"]),
    "bad-pattern-lazy-hit": _fixed("sub\n!a*[\n", ["Dockerfile", "sub/x"]),
    "bad-pattern-lazy-miss": _fixed("!a*[\n", ["Dockerfile", "sub/x"],
                                    about="an exception is never evaluated while nothing matched"),
    "bad-pattern-reversed-range": _fixed("[z-a]*\n", ["Dockerfile", "b"]),
    "context-is-a-file": _fixed("", ["Dockerfile", "file"], context=CONTEXT_DIR + "/file"),
    "context-missing": _fixed("", ["Dockerfile"], context="no-such-dir"),
    "unreadable-file": _unreadable(None, {"secret": 0o600}),
    "unreadable-file-excluded": _unreadable("secret\n", {"secret": 0o600}),
    "unreadable-dir": _unreadable(None, {"private/": 0o700}),
    # Listable but not searchable: names can be read, the entries not stat'd.
    "searchless-dir": _unreadable(None, {"listonly/": 0o744}),
    "searchless-dir-excluded": _unreadable("listonly\n", {"listonly/": 0o744},
                                           about="excluded, listable but not searchable"),
    "unreadable-dir-excluded": _unreadable("private\n", {"private/": 0o700},
                                           about="excluded, yet the client stats it first"),
    "unlistable-dir-excluded": _unreadable("private\n", {"private/": 0o311}),
    "unreadable-dockerfile": _unreadable(None, {"Dockerfile2": 0o600}, dockerfile="Dockerfile2"),
    "symlinked-context": _symlinked_context,
    "symlinked-dockerfile": _symlinked_dockerfile,
    "special-entries": _special_entries,
}


def fixed_case(name):
    return FIXED[name](name)


def case_by_name(name):
    if name.startswith("gen-"):
        return generated_case(int(name[4:]))
    return fixed_case(name)


def main(argv):
    if argv[1:] == ["--list"]:
        for name in FIXED:
            print(name)
        return 0
    if len(argv) < 3:
        sys.stderr.write("usage: contexts.py DIR CASE... | contexts.py --list\n")
        return 2
    for name in argv[2:]:
        case = case_by_name(name)
        ctx = case.tree.materialize(os.path.join(argv[1], name))
        print("%s: %s  (docker build %s)" % (name, ctx, " ".join(case.build_args())))
        for note in case.tree.notes:
            print("  note: " + note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
