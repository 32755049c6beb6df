#!/usr/bin/env python3
"""Archive contexts (`docker build - < ctx.tar`) against the real daemon.

Every case is an archive whose Dockerfile copies the whole context to
/ctx/. It is built on a private dockerd (tests/daemon/dockerd.py) with the
classic builder and with BuildKit, and `ctxpack copy --json` is asked about
the same archive (by path, or on stdin for some): ctxpack must fail exactly
when the build fails, with the daemon's reason when unpacking is what fails,
and otherwise predict the image's /ctx tree (path, type, symlink target, and
each file's bytes, read from the archive by the name ctxpack says it came
from). Then `ctxpack pack` of the archive, built the same way, must give
the same tree.

The hand-written cases hold what the daemon's unpacking does with odd
archives (duplicate names, absolute and ../ names, hard links, devices,
symlinks met as parents, links to later entries, compressions, an ignore
file that neither builder applies); the generated ones are tests/e2e
contexts packed by Python's tarfile, with names varied the way other tools
write them ("./", "/"), later duplicates, and a compression.

usage: test_archive_daemon.py --ctxpack PATH [--count N] [-k SUBSTRING]
"""

import argparse
import bz2
import gzip
import hashlib
import io
import json
import lzma
import os
import posixpath
import random
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import contexts  # noqa: E402
import dockerd  # noqa: E402

DF = b"FROM scratch\nCOPY . /ctx/\n"


def entry(name, kind="f", data=b"", link=""):
    return (name, kind, data, link)


def make_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, kind, data, link in entries:
            info = tarfile.TarInfo(name)
            info.mode = 0o755 if kind == "d" else 0o644
            info.type = {"f": tarfile.REGTYPE, "d": tarfile.DIRTYPE, "l": tarfile.SYMTYPE, "h": tarfile.LNKTYPE,
                         "c": tarfile.CHRTYPE, "b": tarfile.BLKTYPE, "p": tarfile.FIFOTYPE}[kind]
            info.linkname = link
            if kind in "cb":
                info.devmajor, info.devminor = (1, 3) if kind == "c" else (7, 0)
            info.size = len(data) if kind == "f" else 0
            t.addfile(info, io.BytesIO(data) if kind == "f" else None)
    return buf.getvalue()


def fixed_cases():
    """(name, archive bytes, -f inside the archive or None, on stdin, daemon's reason when it must fail)."""
    df = entry("Dockerfile", data=DF)
    a = entry("a", data=b"a")
    return [
        ("ignore-not-applied", make_tar([df, entry(".dockerignore", data=b"secret\n.dockerignore\nDockerfile\nsub\n"),
                                         entry("secret", data=b"s"), a, entry("sub/x", data=b"x")]), None, False, None),
        # The classic daemon's check errs on "!" alone and deletes nothing.
        ("ignore-file-malformed", make_tar([df, entry(".dockerignore", data=b"!\nDockerfile\n"), a]), None, False,
         None),
        ("ignore-keeps-itself", make_tar([df, entry(".dockerignore", data=b"secret\n"), entry("secret", data=b"s")]),
         None, True, None),
        ("dockerfile-in-excluded-dir", make_tar([entry("sub/Dockerfile", data=DF), entry(".dockerignore", data=b"sub\n"),
                                                 entry("sub/other", data=b"o"), a]), "sub/Dockerfile", False, None),
        ("dockerfile-under-glob", make_tar([entry("sub/Dockerfile", data=DF), entry(".dockerignore", data=b"sub/*\n"),
                                            entry("sub/other", data=b"o")]), "sub/Dockerfile", True, None),
        ("duplicates", make_tar([df, entry("a", data=b"first"), entry("a", data=b"second"), entry("d/x", data=b"x"),
                                 entry("d", data=b"a file replaces the directory"), entry("e", "d"),
                                 entry("e/y", data=b"y"), entry("e", "d")]), None, False, None),
        ("hard-links", make_tar([df, entry("a", data=b"aa"), entry("h", "h", link="a"), entry("sub/h2", "h", link="./a"),
                                 entry("a", data=b"replaced")]), None, False, None),
        ("link-to-later-entry", make_tar([df, entry("a", data=b"aa"), entry("fwd", "h", link="later"),
                                          entry("later", data=b"L")]), None, False,
         "link /later /fwd: no such file or directory"),
        ("absolute-and-dotdot", make_tar([df, entry("/abs", data=b"abs"), entry("../up", data=b"up"),
                                          entry("a/../b", data=b"b"), entry("./c/./d", data=b"d")]), None, True, None),
        ("special-files", make_tar([df, entry("null", "c"), entry("loop", "b"), entry("fifo", "p"), a]), None, False,
         None),
        ("symlinks-out", make_tar([df, entry("out", "l", link="/etc/passwd"), entry("up", "l", link="../../x"), a]),
         None, False, None),
        ("implied-parents", make_tar([df, entry("deep/er/x", data=b"x")]), None, False, None),
        ("lower-case-dockerfile", make_tar([entry("dockerfile", data=DF), a]), None, False, None),
        ("dockerfile-symlink", make_tar([entry("real", data=DF), entry("Dockerfile", "l", link="real")]), None, False,
         None),
        ("no-dockerfile", make_tar([a]), None, False, "Dockerfile"),
        ("symlink-parent-inside", make_tar([df, entry("sub/x", data=b"x"), entry("link", "l", link="sub"),
                                            entry("link/y", data=b"y"), entry("link/new/z", data=b"z")]), None, False,
         None),
        ("symlink-parent-outside", make_tar([df, entry("link", "l", link="/etc"), entry("link/y", data=b"y")]), None,
         False, "open /link/y: no such file or directory"),
        ("file-below-file", make_tar([df, entry("d", data=b"f"), entry("d/x", data=b"x")]), None, False,
         "open /d/x: not a directory"),
        ("gzip", gzip.compress(make_tar([df, a])), None, True, None),
        ("bzip2", bz2.compress(make_tar([df, a])), None, False, None),
        ("xz", lzma.compress(make_tar([df, a])), None, True, None),
        ("dockerfile-on-stdin", DF, None, True, None),
    ]


def generated_case(seed, workdir):
    """A generated context as an archive, names and compression varied by seed."""
    rng = random.Random(seed * 104729)
    case = contexts.generated_case(seed)
    df = case.dockerfile or "Dockerfile"
    # The Dockerfile copies everything (in place: hard links may name it);
    # sockets cannot be archived.
    ops = [("file", df, DF) + op[3:] if op[0] == "file" and op[1] == df else op for op in case.tree.ops]
    case.tree.ops = [op for op in ops if op[0] != "socket"]
    case.tree.materialize(os.path.join(workdir, "gen-%d" % seed))
    src = os.path.join(workdir, "gen-%d" % seed, "ctx")
    buf = io.BytesIO()
    prefix = rng.choice(["", "./", "/"])
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        members = []
        for root, dirs, files in os.walk(src):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                members.append(os.path.relpath(os.path.join(root, name), src))
        for rel in members:
            info = t.gettarinfo(os.path.join(src, rel), arcname=prefix + rel)
            if info is None:
                continue
            with open(os.path.join(src, rel), "rb") if info.isreg() else io.BytesIO() as f:
                t.addfile(info, f if info.isreg() else None)
        regular = [m for m in members if os.path.isfile(os.path.join(src, m)) and not os.path.islink(os.path.join(src, m))]
        if regular and rng.random() < 0.5:
            again = tarfile.TarInfo(prefix + rng.choice(regular))
            data = b"written again, later in the archive\n"
            again.size = len(data)
            t.addfile(again, io.BytesIO(data))
    data = buf.getvalue()
    data = rng.choice([lambda d: d, gzip.compress, bz2.compress, lzma.compress])(data)
    return ("generated-%d" % seed, data, case.dockerfile, seed % 3 == 0, None)


def archive_contents(data):
    """What unpacking leaves at each name, for the bytes ctxpack's `src` names:
    the last entry of a name wins, and a symlink met as a parent is followed."""
    contents, symlinks = {}, {}

    def place(name):
        parts = posixpath.normpath("/" + name).lstrip("/").split("/")
        at = ""
        for i, part in enumerate(parts):
            at = posixpath.join(at, part)
            for _ in range(40):
                if i + 1 == len(parts) or at not in symlinks:
                    break
                at = posixpath.normpath("/" + posixpath.join(posixpath.dirname(at), symlinks[at])).lstrip("/")
        return at

    try:
        t = tarfile.open(fileobj=io.BytesIO(data))
    except tarfile.ReadError:
        return {"Dockerfile": data}  # a Dockerfile on stdin
    with t:
        for m in t:
            name = place(m.name)
            symlinks.pop(name, None)
            if m.islnk():
                contents[name] = contents.get(place(m.linkname), b"")
            elif m.isreg():
                contents[name] = t.extractfile(m).read()
            elif m.ischr() or m.isblk():
                contents[name] = b""
            elif m.issym():
                symlinks[name] = m.linkname
    return contents


def predict(ctxpack, path, data, dockerfile, on_stdin, builder):
    args = [ctxpack, "copy", "--json", "--builder", builder]
    if dockerfile:
        args += ["-f", dockerfile]
    args.append("-" if on_stdin else path)
    return subprocess.run(args, input=data if on_stdin else None, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def image_tree(files):
    by_path = {f.path: f for f in files}
    got = {}
    for f in files:
        if not f.path.startswith("/ctx"):
            continue
        if f.type == "hardlink":
            got[f.path] = ("file", by_path[f.linkname].sha256)
        else:
            got[f.path] = (f.type, f.sha256 if f.type == "file" else f.linkname if f.type == "symlink" else None)
    return got


def run_case(docker, ctxpack, case, builder, workdir):
    name, data, dockerfile, on_stdin, reason = case
    path = os.path.join(workdir, name + ".tar")
    with open(path, "wb") as f:
        f.write(data)
    proc = predict(ctxpack, path, data, dockerfile, on_stdin, builder)
    result = docker.build(data, dockerfile=dockerfile, builder=builder)
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode == 2:
        if result.ok:
            return "ctxpack refused the archive (%s); the build succeeded" % stderr.strip()
        if reason and reason.lower() not in stderr.lower():
            return "ctxpack said %r, the daemon's reason is %r" % (stderr.strip(), reason)
        if reason and reason.lower() not in result.output.lower():
            return "the build failed, but not with %r:\n%s" % (reason, result.output[-600:])
        return None
    if proc.returncode not in (0, 1):
        return "ctxpack copy exited %d: %s" % (proc.returncode, stderr)
    plan = json.loads(proc.stdout)
    if (plan["fails_at"] is None) != result.ok:
        return "ctxpack predicted %s; the build %s:\n%s" % (
            "success" if plan["fails_at"] is None else "failure", "succeeded" if result.ok else "failed",
            result.output[-600:])
    if not result.ok:
        return None
    contents = archive_contents(data)
    want = {}
    for e in plan["image"]["entries"]:
        detail = None
        if e["type"] == "file":
            detail = hashlib.sha256(contents[e["src"]]).hexdigest() if e["src"] in contents else "?" + e["src"]
        elif e["type"] == "symlink":
            detail = e["link"]
        want[e["path"]] = (e["type"], detail)
    got = image_tree(docker.image_files(result.image_id))
    problems = ["  %s: predicted %s, image has %s" % (p, want.get(p), got.get(p))
                for p in sorted(set(want) | set(got)) if want.get(p) != got.get(p)]
    if not problems and data.startswith(b"FROM"):
        return None  # a Dockerfile on stdin: nothing to re-pack
    return "\n".join(problems) or check_repacked(docker, ctxpack, path, data, dockerfile, on_stdin, builder, got)


def check_repacked(docker, ctxpack, path, data, dockerfile, on_stdin, builder, image):
    """`ctxpack pack` of the archive must build the same image."""
    args = [ctxpack, "pack", "--builder", builder, "-o", "-"] + (["-f", dockerfile] if dockerfile else [])
    proc = subprocess.run(args + ["-" if on_stdin else path], input=data if on_stdin else None,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        return "ctxpack pack exited %d: %s" % (proc.returncode, proc.stderr.decode())
    result = docker.build(proc.stdout, dockerfile=dockerfile, builder=builder)
    if not result.ok:
        return "the re-packed archive does not build:\n" + result.output[-600:]
    again = image_tree(docker.image_files(result.image_id))
    problems = ["  %s: from the archive %s, from ctxpack pack %s" % (p, image.get(p), again.get(p))
                for p in sorted(set(image) | set(again)) if image.get(p) != again.get(p)]
    return "\n".join(problems) or None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--count", type=int, default=30, help="generated archives")
    ap.add_argument("-k", default="")
    args = ap.parse_args()
    missing = dockerd.missing_packages()
    if missing:
        print("missing %s (%s)" % (", ".join(missing), dockerd.INSTALL_HINT))
        return 1
    failed = passed = 0
    with tempfile.TemporaryDirectory(prefix="ctxpack-archive-") as workdir, dockerd.Daemon() as docker:
        cases = fixed_cases() + [generated_case(seed, workdir) for seed in range(1, args.count + 1)]
        for case in cases:
            if args.k not in case[0]:
                continue
            for builder in ("legacy", "buildkit"):
                try:
                    problem = run_case(docker, os.path.abspath(args.ctxpack), case, builder, workdir)
                except (KeyError, AssertionError, ValueError) as e:
                    problem = "%s: %s" % (type(e).__name__, e)
                if problem:
                    failed += 1
                    print("FAIL %s [%s]\n%s" % (case[0], builder, problem))
                else:
                    passed += 1
                    print("ok   %s [%s]" % (case[0], builder))
                sys.stdout.flush()
            docker.remove_images()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
