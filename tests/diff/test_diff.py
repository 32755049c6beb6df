#!/usr/bin/env python3
"""`ctxpack diff` against an independent computation from two `ls --json` listings.

Each case is a seeded random context and a copy of it with random edits (content
with and without a size change, mtime-only touches, chmod, deletions, additions,
renames, type changes, symlink retargets, .dockerignore edits). The expected diff
is computed here from `ctxpack ls --json` of each side, reading file contents
directly; `ctxpack diff --json` must agree entry for entry and in Docker's order,
for both builders, for directories, saved listings, a listing on stdin, and OLD
as a gzipped tar archive, by path and on stdin. For
directories, each added or removed path that is there on the other side yet
not sent names the rule that kept it out there (`excluded_by`), as `ctxpack
why` judges it on that side. Then the --max-growth gate and bad input.

`diff --git REF`: each case is also committed to a git repository, edited and
given untracked and git-ignored files; OLD must be what a plain `git clone`
of the commit sends (the same independent computation, `.git` left out of
both sides), for the repository's root and a subdirectory, and every file
the diff names must be one `git status` reports (and every file `git diff`
reports that either side sends must be in the diff).

    test_diff.py --ctxpack build/ctxpack [--count N] [--keep]
"""

import argparse
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

NAMES = ["a", "a.txt", "a-b", "A", "b c", "build", "docs", "x.log", "tmp", "keep.txt", "z", "é"]
RULES = ["*.log", "build", "!build/keep.txt", "**/tmp", "docs/*.md", "!**/*.txt", "a*", "z/**", "!a-b"]
BUILDERS = ["buildkit", "legacy"]


def populate(rng, root, rel, depth):
    for name in rng.sample(NAMES, rng.randint(1, 6)):
        path = os.path.join(root, rel, name)
        r = rng.random()
        if depth < 3 and r < 0.3:
            os.mkdir(path)
            populate(rng, root, os.path.join(rel, name), depth + 1)
        elif r < 0.4:
            os.symlink(rng.choice(["a", "../x", "/etc/passwd", "nowhere"]), path)
        else:
            with open(path, "wb") as f:
                f.write(os.urandom(rng.randint(0, 3000)))
            os.chmod(path, rng.choice([0o644, 0o600, 0o755]))


def all_paths(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            out.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(out)


def bump(path, seconds=100):
    st = os.lstat(path)
    os.utime(path, (st.st_atime, st.st_mtime + seconds), follow_symlinks=False)


def edit(rng, root):
    """One random edit of the tree at root; returns what it did."""
    paths = [p for p in all_paths(root) if p not in (".dockerignore", "Dockerfile", ".git") and not p.startswith(".git/")]
    if not paths:
        return "none"
    p = rng.choice(paths)
    full = os.path.join(root, p)
    st = os.lstat(full)
    kind = rng.choice(["content", "resize", "touch", "chmod", "delete", "add", "rename", "retype", "ignore"])
    if kind == "ignore":
        with open(os.path.join(root, ".dockerignore"), "a") as f:
            f.write(rng.choice(RULES) + "\n")
    elif kind in ("content", "resize", "touch") and stat.S_ISREG(st.st_mode):
        data = open(full, "rb").read()
        if kind == "content" and data:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        elif kind == "resize":
            data += os.urandom(rng.randint(1, 5000))
        open(full, "wb").write(data)
        os.utime(full, (st.st_atime, st.st_mtime + 100))  # a changed file gets a new mtime
    elif kind == "chmod" and not stat.S_ISLNK(st.st_mode):
        os.chmod(full, (st.st_mode & 0o777) ^ 0o011)
    elif kind == "delete":
        shutil.rmtree(full) if stat.S_ISDIR(st.st_mode) else os.unlink(full)
    elif kind == "add":
        base = full if stat.S_ISDIR(st.st_mode) else os.path.dirname(full)
        new = os.path.join(base, rng.choice(NAMES) + "-new")
        if not os.path.lexists(new):
            open(new, "wb").write(os.urandom(rng.randint(0, 9000)))
    elif kind == "rename":
        new = os.path.join(os.path.dirname(full), rng.choice(NAMES) + "-moved")
        if not os.path.lexists(new):
            os.rename(full, new)
    elif kind == "retype":
        shutil.rmtree(full) if stat.S_ISDIR(st.st_mode) else os.unlink(full)
        if stat.S_ISREG(st.st_mode):
            os.symlink("a", full) if rng.random() < 0.5 else os.mkdir(full)
        else:
            open(full, "wb").write(b"now a file")
    elif stat.S_ISLNK(st.st_mode):
        os.unlink(full)
        os.symlink("retargeted", full)
    return kind


def make_pair(rng, workdir):
    old, new = os.path.join(workdir, "old"), os.path.join(workdir, "new")
    os.mkdir(old)
    populate(rng, old, "", 0)
    with open(os.path.join(old, ".dockerignore"), "w") as f:
        f.write("\n".join(rng.sample(RULES, rng.randint(0, 4))) + "\n")
    open(os.path.join(old, "Dockerfile"), "w").write("FROM scratch\nCOPY . /\n")
    shutil.copytree(old, new, symlinks=True)
    for _ in range(rng.randint(0, 8)):
        edit(rng, new)
    return old, new


def run(args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True)


def listing(ctxpack, builder, ctx, dockerfile=None):
    r = run([ctxpack, "ls", "--json", "--builder", builder] + (["-f", dockerfile] if dockerfile else []) + [ctx])
    if r.returncode != 0:
        raise RuntimeError("ls failed: " + r.stderr.decode())
    return r.stdout, [json.loads(line) for line in r.stdout.decode().splitlines()]


def content_bytes(e):
    return e["size"] if e["type"] == "file" else 0


def expected_diff(old_list, new_list, old_dir=None, new_dir=None):
    """The diff from two listings; file contents from the directories when given."""
    old = {e["path"]: e for e in old_list}
    new = {e["path"]: e for e in new_list}
    added = [{"path": e["path"], "type": e["type"], "bytes": content_bytes(e)} for e in new_list if e["path"] not in old]
    removed = [{"path": e["path"], "type": e["type"], "bytes": content_bytes(e)} for e in old_list if e["path"] not in new]
    changed = []
    for e in new_list:
        o = old.get(e["path"])
        if o is None:
            continue
        what = []
        if o["type"] != e["type"]:
            what = ["type"]
        else:
            if e["type"] == "file":
                if o["size"] != e["size"]:
                    what.append("content")
                elif old_dir and open(os.path.join(old_dir, e["path"]), "rb").read() != open(
                        os.path.join(new_dir, e["path"]), "rb").read():
                    what.append("content")
            if o["mode"] != e["mode"]:
                what.append("mode")
            if e["type"] == "symlink" and o.get("target") != e.get("target"):
                what.append("target")
        if what:
            changed.append({"path": e["path"], "what": what, "old_bytes": content_bytes(o), "new_bytes": content_bytes(e)})
    return {"added": added, "removed": removed, "changed": changed,
            "bytes_before": sum(map(content_bytes, old_list)), "bytes_after": sum(map(content_bytes, new_list))}


def comparable(doc):
    return {"added": [{k: e[k] for k in ("path", "type", "bytes")} for e in doc["added"]],
            "removed": [{k: e[k] for k in ("path", "type", "bytes")} for e in doc["removed"]],
            "changed": [{k: e[k] for k in ("path", "what", "old_bytes", "new_bytes")} for e in doc["changed"]],
            "bytes_before": doc["bytes_before"], "bytes_after": doc["bytes_after"]}


class Checker:
    def __init__(self, ctxpack):
        self.ctxpack = ctxpack
        self.passed = self.failed = 0
        self.excluded_by_checked = self.excluded_by_named = 0
        self.git_cases = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}")

    def diff_json(self, name, args, stdin=None):
        r = run([self.ctxpack, "diff", "--json"] + args, stdin)
        if r.returncode != 0:
            self.check(name, False, f"exit {r.returncode}: {r.stderr.decode()}")
            return None
        return json.loads(r.stdout)


def why_rules(ctxpack, builder, ctx, paths):
    """What `ctxpack why` says keeps each path out of ctx ("FILE:LINE" or None)."""
    if not paths:
        return {}
    r = run([ctxpack, "why", "--json", "--builder", builder, "--stdin", ctx], stdin="\n".join(paths).encode() + b"\n")
    out = {}
    for line in r.stdout.decode().splitlines():
        v = json.loads(line)
        rule = v.get("rule")
        if v["verdict"] == "excluded" and rule and rule["text"].strip().startswith("!"):
            continue  # an exception the walk never reaches: why names it, not the exclusion above
        excluded = v["verdict"] == "excluded" and rule
        out[v["context_path"]] = "%s:%d" % (os.path.basename(rule["file"]), rule["line"]) if excluded else None
    return out


def check_excluded_by(c, name, builder, old, new, got):
    """excluded_by of the added (old side) and removed (new side) paths."""
    for side, ctx, entries in (("added", old, got["added"]), ("removed", new, got["removed"])):
        there = [e["path"] for e in entries if os.path.lexists(os.path.join(ctx, e["path"]))]
        want = why_rules(c.ctxpack, builder, ctx, there)
        for e in [e for e in entries if e["path"] in want or e["path"] not in there]:
            said = e.get("excluded_by")
            said = "%s:%s" % tuple(said.split(":")[:2]) if said else None
            said = said and "%s:%s" % (os.path.basename(said.split(":")[0]), said.split(":")[1])
            c.excluded_by_checked += 1
            c.excluded_by_named += said is not None
            c.check(f"{name} {side} {e['path']} excluded_by", said == want.get(e["path"]),
                    f"diff says {said}, why says {want.get(e['path'])}")


def check_pair(c, rng, seed, workdir):
    old, new = make_pair(rng, workdir)
    # OLD as an archive too (all of it: no ignore file applies to one).
    old_tar = os.path.join(workdir, "old.tar.gz")
    with tarfile.open(old_tar, "w:gz") as t:
        t.add(old, arcname=".")
    for builder in BUILDERS:
        name = f"seed {seed} {builder}"
        old_raw, old_list = listing(c.ctxpack, builder, old)
        new_raw, new_list = listing(c.ctxpack, builder, new)
        want = expected_diff(old_list, new_list, old, new)
        got = c.diff_json(name + " dirs", ["--builder", builder, old, new])
        if got is not None:
            c.check(name + " dirs", comparable(got) == want, json.dumps({"got": comparable(got), "want": want}))
            check_excluded_by(c, name + " dirs", builder, old, new, got)
        # Listings have no contents: equal sizes count as equal content.
        want = expected_diff(old_list, new_list)
        old_json, new_json = os.path.join(workdir, f"old-{builder}.json"), os.path.join(workdir, f"new-{builder}.json")
        open(old_json, "wb").write(old_raw)
        open(new_json, "wb").write(new_raw)
        got = c.diff_json(name + " listings", [old_json, new_json])
        if got is not None:
            c.check(name + " listings", comparable(got) == want, json.dumps({"got": comparable(got), "want": want}))
        got = c.diff_json(name + " stdin", ["--builder", builder, "-", new_json], stdin=old_raw)
        if got is not None:
            c.check(name + " stdin", comparable(got) == want, json.dumps({"got": comparable(got), "want": want}))
        gate_checks(c, name, builder, old, new, want["bytes_before"], want["bytes_after"])
        _, tar_list = listing(c.ctxpack, builder, old_tar)
        want = expected_diff(tar_list, new_list, old, new)
        got = c.diff_json(name + " archive", ["--builder", builder, old_tar, new])
        if got is not None:
            c.check(name + " archive", comparable(got) == want, json.dumps({"got": comparable(got), "want": want}))
        with open(old_tar, "rb") as f:
            got = c.diff_json(name + " archive on stdin", ["--builder", builder, "-", new], stdin=f.read())
        if got is not None:
            c.check(name + " archive on stdin", comparable(got) == want,
                    json.dumps({"got": comparable(got), "want": want}))


GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "protocol.file.allow=always"]


def without_git_dir(entries):
    return [e for e in entries if e["path"] != ".git" and not e["path"].startswith(".git/")]


def git_lines(repo, args):
    r = run(GIT + ["-C", repo] + args)
    if r.returncode != 0:
        raise RuntimeError("git failed: " + r.stderr.decode())
    return [p for p in r.stdout.decode().split("\0") if p]


def same_on_disk(a, b):
    if not (os.path.lexists(a) and os.path.lexists(b)):
        return False
    if os.path.islink(a) or os.path.islink(b):
        return os.path.islink(a) and os.path.islink(b) and os.readlink(a) == os.readlink(b)
    if os.path.isfile(a) and os.path.isfile(b):
        return open(a, "rb").read() == open(b, "rb").read()
    return os.path.isdir(a) and os.path.isdir(b)


def check_git_against_git(c, name, repo, clone, sub, got, old_list, new_list):
    """The diff's files against git's own view of the working copy."""
    prefix = sub + "/" if sub else ""
    status = {p[3:].rstrip("/") for p in git_lines(repo, ["status", "-z", "--porcelain", "--ignored",
                                                            "--untracked-files=all", "--no-renames"])}
    types = {e["path"]: e["type"] for e in old_list + new_list}
    for e in got["added"] + got["removed"] + got["changed"]:
        full = prefix + e["path"]
        if types.get(e["path"]) == "dir" or e.get("what") == ["mode"]:
            continue  # git has no directories, and no modes beyond the owner's x bit
        if same_on_disk(os.path.join(clone, full), os.path.join(repo, full)):
            continue  # sent on one side only: an ignore rule changed, not the file
        ancestors = [full[:i] for i in range(len(full)) if full[i] == "/"]
        c.check(f"{name} {e['path']} in git status", full in status or any(a in status for a in ancestors),
                "not in git status")
    named = {e["path"] for e in got["added"] + got["removed"] + got["changed"]}
    sent = {e["path"] for e in old_list + new_list}
    for p in git_lines(repo, ["diff", "-z", "--name-only", "--no-renames", "HEAD", "--", sub or "."]):
        rel = p[len(prefix):]
        if rel in sent:
            c.check(f"{name} git diff {rel} in the diff", rel in named, "git diff names it, ctxpack diff does not")


def check_git(c, rng, seed, workdir):
    repo = os.path.join(workdir, "repo")
    os.mkdir(repo)
    populate(rng, repo, "", 0)
    with open(os.path.join(repo, ".dockerignore"), "w") as f:
        f.write("\n".join(rng.sample(RULES, rng.randint(0, 4))) + "\n")
    open(os.path.join(repo, "Dockerfile"), "w").write("FROM scratch\nCOPY . /\n")
    open(os.path.join(repo, ".gitignore"), "w").write("node_modules/\n.env\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "seed"]):
        git_lines(repo, args)
    clone = os.path.join(workdir, "clone")
    git_lines(workdir, ["clone", "-q", repo, clone])
    # A developer's working copy: edits, and what git does not track.
    for _ in range(rng.randint(0, 8)):
        edit(rng, repo)
    os.makedirs(os.path.join(repo, "node_modules", "dep"), exist_ok=True)
    open(os.path.join(repo, "node_modules", "dep", "index.js"), "wb").write(os.urandom(rng.randint(0, 4000)))
    open(os.path.join(repo, ".env"), "w").write("TOKEN=1\n")
    subs = [""] + sorted(n for n in os.listdir(clone) if n != ".git" and os.path.isdir(os.path.join(clone, n))
                         and not os.path.islink(os.path.join(clone, n))
                         and os.path.isdir(os.path.join(repo, n)) and not os.path.islink(os.path.join(repo, n)))[:1]
    for sub in subs:
        old_dir, new_dir = os.path.join(clone, sub), os.path.join(repo, sub)
        for builder in BUILDERS:
            name = f"seed {seed} {builder} --git {sub or '.'}"
            # A subdirectory has no Dockerfile: the root's, outside it,
            # changes nothing ls selects.
            df = lambda root: os.path.join(root, "Dockerfile") if sub else None
            old_list = without_git_dir(listing(c.ctxpack, builder, old_dir, df(clone))[1])
            new_list = without_git_dir(listing(c.ctxpack, builder, new_dir, df(repo))[1])
            want = expected_diff(old_list, new_list, old_dir, new_dir)
            got = c.diff_json(name, ["--builder", builder, "--git", "HEAD", new_dir])
            if got is not None:
                c.check(name, comparable(got) == want, json.dumps({"got": comparable(got), "want": want}))
                check_git_against_git(c, name, repo, clone, sub, got, old_list, new_list)
    c.git_cases += 1


def gate_checks(c, name, builder, old, new, before, after):
    growth = after - before
    if growth <= 0:
        r = run([c.ctxpack, "diff", "--builder", builder, "--max-growth", "0", old, new])
        c.check(name + " gate (no growth)", r.returncode == 0, r.stderr.decode())
        return
    for limit, status in ((f"{growth - 1}B", 1), (f"{growth}B", 0)):
        r = run([c.ctxpack, "diff", "--builder", builder, "--max-growth", limit, old, new])
        ok = r.returncode == status and (status == 0 or len(r.stderr.decode().splitlines()) == 1)
        c.check(f"{name} gate {limit}", ok, f"exit {r.returncode}: {r.stderr.decode()}")
    if before:
        pct = growth * 100.0 / before
        for limit, status in ((f"{pct * 0.99:.6f}%", 1), (f"{pct * 1.01:.6f}%", 0)):
            r = run([c.ctxpack, "diff", "--builder", builder, "--max-growth", limit, old, new])
            c.check(f"{name} gate {limit}", r.returncode == status, f"exit {r.returncode}: {r.stderr.decode()}")


def check_errors(c, workdir):
    good = os.path.join(workdir, "good")
    os.mkdir(good)
    open(os.path.join(good, "f"), "w").write("x")
    bad_json = os.path.join(workdir, "bad.json")
    open(bad_json, "w").write('{"path":"a","type":"file","mode":"0644","size":1,"rule":null}\nnot json\n')
    unordered = os.path.join(workdir, "unordered.json")
    open(unordered, "w").write('{"path":"b","type":"file","mode":"0644","size":1,"rule":null}\n'
                               '{"path":"a","type":"file","mode":"0644","size":1,"rule":null}\n')
    cases = {
        "missing side": ([os.path.join(workdir, "nope"), good], "nope"),
        "bad listing": ([bad_json, good], "bad.json:2:"),
        "unordered listing": ([unordered, good], "unordered.json:2:"),
        "both stdin": (["-", "-"], "stdin"),
        "bad gate": (["--max-growth", "ten", good, good], "ten"),
        "--git outside a repository": (["--git", "HEAD", good], "not in a git work tree"),
        "--git with two contexts": (["--git", "HEAD", good, good], "one context"),
        "one context without --git": ([good], "two contexts"),
    }
    for name, (args, needle) in cases.items():
        r = run([c.ctxpack, "diff"] + args, stdin=b"")
        err = r.stderr.decode()
        ok = r.returncode == 2 and r.stdout == b"" and len(err.splitlines()) == 1 and needle in err
        c.check("error: " + name, ok, f"exit {r.returncode}, stderr {err!r}")


def wide_pair(workdir, per_dir):
    """10 top-level directories of per_dir directories of 100 files; NEW changes every 7th file."""
    old, new = os.path.join(workdir, "old"), os.path.join(workdir, "new")
    for root in (old, new):
        for i in range(10):
            for j in range(per_dir):
                d = os.path.join(root, f"d{i}", f"s{j:03}")
                os.makedirs(d)
                for k in range(100):
                    grow = root == new and (i * per_dir * 100 + j * 100 + k) % 7 == 0
                    with open(os.path.join(d, f"f{k:02}"), "wb") as f:
                        f.write(b"x" * (10 + grow))
        open(os.path.join(root, "Dockerfile"), "w").write("FROM scratch\n")
    return old, new


def peak_rss_kib(args):
    # GNU time runs it from a small process: a child forked from Python
    # would be charged Python's own peak.
    r = run(["/usr/bin/time", "-f", "CTXPACK-RSS %M", "--"] + args)
    last = r.stderr.decode().splitlines()[-1]
    return r.returncode, int(last.split()[-1]) if last.startswith("CTXPACK-RSS") else 0


def check_memory(c, top):
    """Memory must not grow with the number of entries (or of changes, with --json)."""
    rss = {}
    for per_dir in (2, 20):
        workdir = os.path.join(top, f"wide-{per_dir}")
        os.mkdir(workdir)
        old, new = wide_pair(workdir, per_dir)
        for mode in ([], ["--json"]):
            status, kib = peak_rss_kib([c.ctxpack, "diff"] + mode + [old, new])
            c.check(f"memory run {per_dir} {mode}", status == 0, f"exit {status}")
            rss[(per_dir, tuple(mode))] = kib
        shutil.rmtree(workdir)
    for mode in ((), ("--json",)):
        small, big = rss[(2, mode)], rss[(20, mode)]
        print(f"peak RSS {mode or 'text'}: {small} KiB for 2,000 files, {big} KiB for 20,000")
        c.check(f"memory {mode}", big - small < 1024, f"{small} KiB -> {big} KiB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-memory", action="store_true",
                    help="skip the peak-RSS check (a sanitizer's shadow memory grows with every allocation)")
    args = ap.parse_args()
    c = Checker(os.path.abspath(args.ctxpack))
    top = tempfile.mkdtemp(prefix="ctxpack-diff-")
    try:
        for seed in range(args.seed, args.seed + args.count):
            workdir = os.path.join(top, str(seed))
            os.mkdir(workdir)
            check_pair(c, random.Random(seed), seed, workdir)
            gitdir = os.path.join(workdir, "git")
            os.mkdir(gitdir)
            check_git(c, random.Random(seed), seed, gitdir)
        check_errors(c, top)
        if not args.no_memory:
            check_memory(c, top)
    finally:
        if not args.keep:
            shutil.rmtree(top)
    print(f"{c.passed} passed, {c.failed} failed ({c.excluded_by_checked} excluded_by verdicts compared with why, "
          f"{c.excluded_by_named} naming a rule; {c.git_cases} git repositories)")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
