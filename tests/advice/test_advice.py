#!/usr/bin/env python3
"""Every change `ctxpack report` proposes is applied and checked from the
outside, on generated working copies (a git repository with committed
sources and untracked node_modules, build output, logs, litter) and for
each builder:

  - the proposed line keeps out exactly the files and bytes it claims
    (measured with `ctxpack ls --json`, whose listing the conformance suites
    check against the docker client's upload);
  - nothing an exception (`!rule`) kept is lost, litter aside;
  - every COPY/ADD that worked still works, and each that copied something
    still copies something (`ctxpack copy --json`);
  - a tidy-up (a rule a later one overrides deleted, a would-be comment
    made a comment) sends exactly what was sent, unless the pattern it
    frees from a comment keeps something out, which is then checked as
    above;
  - once every proposal is applied, `report` has nothing more of the kind
    to propose: advice converges instead of coming back.

usage: test_advice.py --ctxpack PATH [--count N] [--seed S]
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from workcopy import commit_all, write  # noqa: E402

LITTER = (".DS_Store", "Thumbs.db", "desktop.ini")
TIDY_UPS = ("overridden-rule", "inline-comment")


def run(ctxpack, *args, cwd):
    p = subprocess.run([ctxpack, *args], cwd=cwd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise AssertionError(f"ctxpack {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def generate(rng, root):
    """A working copy: committed sources and data, then what a developer
    has on disk that git does not track."""
    sources = ["package.json", "src/index.js", "src/lib/util.js", "app/main.py", "config/app.yaml",
               "data/seed.sql", "server/database.js", "docs/guide.md", "keep.log", "pkg/target/target.go",
               "testdata/fixture.tgz"]
    for rel in rng.sample(sources, rng.randint(5, len(sources))):
        write(root, rel, "s" * rng.randint(1, 3000))
    commit_all(root)
    waste = ["node_modules/react/index.js", "web/node_modules/lodash/lodash.js", "dist/bundle.js",
             "web/dist/app.js", "logs/app.log", "server.log", "build/out.o", ".venv/lib/site.py",
             "web/.DS_Store", ".DS_Store", "backup.tgz", "web/coverage/lcov.info", "target/debug/app",
             "data/dump.sql.gz", ".cache/x"]
    for rel in rng.sample(waste, rng.randint(3, len(waste))):
        write(root, rel, "w" * rng.randint(1, 50000))
    rules = ["node_modules", "dist/", "*.log", "!keep.log", "/data*", "./data", "**/.git", "build",
             "# comment", "!dist/**/app.js", ".cache", "docs", "!docs/guide.md", "web/coverage",
             "!build", "logs # old logs", "  # indented comment", "// not a comment"]
    write(root, ".dockerignore", "\n".join(rng.sample(rules, rng.randint(0, len(rules)))) + "\n")
    copies = ["COPY . /app/", "COPY src /app/src", "COPY package.json /app/", "COPY dist/ /app/dist/",
              "COPY *.log /logs/", "COPY * /flat/", "COPY app/ /app/", "COPY docs/guide.md /doc/",
              "COPY web /web"]
    lines = ["FROM scratch"] + rng.sample(copies, rng.randint(1, 4))
    write(root, "Dockerfile", "\n".join(lines) + "\n")


def listing(ctxpack, root, builder):
    out = run(ctxpack, "ls", "--json", "--builder", builder, ".", cwd=root)
    entries = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {e["path"]: e for e in entries}


def copy_plan(ctxpack, root, builder):
    return json.loads(run(ctxpack, "copy", "--json", "--builder", builder, ".", cwd=root))["instructions"]


def apply(content, fix):
    lines = content.split("\n")
    if fix["line"] is None:
        if lines and lines[-1] == "":
            lines.pop()
        lines.append(fix["text"])
        lines.append("")
    elif fix["text"] is None:
        del lines[fix["line"] - 1]
    else:
        lines[fix["line"] - 1] = fix["text"]
    return "\n".join(lines)


def apply_all(content, fixes):
    """In-place edits from the last line up, so that each line number still
    names the line reported; then the appended lines."""
    in_place = sorted((f for f in fixes if f["line"] is not None), key=lambda f: -f["line"])
    for fix in in_place + [f for f in fixes if f["line"] is None]:
        content = apply(content, fix)
    return content


def check_fix(ctxpack, root, builder, fix, claim, before_ls, before_copy, where, tidy=False):
    ignore = os.path.join(root, fix["file"])
    original = open(ignore).read() if os.path.exists(ignore) else ""
    with open(ignore, "w") as f:
        f.write(apply(original, fix))
    try:
        after_ls = listing(ctxpack, root, builder)
        after_copy = copy_plan(ctxpack, root, builder)
    finally:
        with open(ignore, "w") as f:
            f.write(original)
    build_files = {".dockerignore", "Dockerfile"}
    removed = [p for p in before_ls if p not in after_ls and p not in build_files]
    added = [p for p in after_ls if p not in before_ls]
    assert removed or tidy, f"{where}: {fix['text']!r} keeps nothing out"
    assert not added, f"{where}: {fix['text']!r} (line {fix['line']}) sends {added[:3]} it did not send before"
    files = [p for p in removed if before_ls[p]["type"] == "file"]
    if claim is not None:
        got = (len(files), sum(before_ls[p]["size"] for p in files))
        assert got == claim, f"{where}: {fix['text']!r} claims {claim} (files, bytes), keeps out {got}"
    for p in removed:
        rule = before_ls[p].get("rule") or ""
        kept = rule.split(":", 2)[-1].startswith("!")
        assert not kept or os.path.basename(p) in LITTER, f"{where}: {fix['text']!r} drops {p}, kept by {rule}"
    for b, a in zip(before_copy, after_copy):
        if b["error"] is None and b["reached"]:
            assert a["error"] is None, f"{where}: {fix['text']!r} breaks {b['instruction']}: {a['error']}"
            if any(e["src"] for e in b["entries"]):
                assert any(e["src"] for e in a["entries"]), f"{where}: {fix['text']!r} empties {b['instruction']}"


def check_context(ctxpack, root, builder, where):
    report = json.loads(run(ctxpack, "report", "--json", "--builder", builder, ".", cwd=root))
    before_ls = listing(ctxpack, root, builder)
    before_copy = copy_plan(ctxpack, root, builder)
    proposals = [(s["fix"], (s["files"], s["bytes"]), False) for s in report["suggestions"]]
    proposals += [(f["fix"], None, f["code"] in TIDY_UPS) for f in report["findings"] if f.get("fix")]
    for fix, claim, tidy in proposals:
        check_fix(ctxpack, root, builder, fix, claim, before_ls, before_copy, where, tidy)
    # All of them at once, then ask again.
    ignore = os.path.join(root, ".dockerignore")
    content = open(ignore).read() if os.path.exists(ignore) else ""
    content = apply_all(content, [fix for fix, _, _ in proposals])
    with open(ignore, "w") as f:
        f.write(content)
    again = json.loads(run(ctxpack, "report", "--json", "--builder", builder, ".", cwd=root))
    applied = {fix["text"] for fix, _, _ in proposals}
    for s in again["suggestions"]:
        assert s["rule"] not in applied, f"{where}: {s['rule']!r} is proposed again once applied"
    for f in again["findings"]:
        assert not (f.get("fix") and f["code"] in TIDY_UPS), f"{where}: {f['code']} {f['message']!r} once applied"
    return len(proposals)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    checked = 0
    failures = []
    for i in range(args.count):
        for builder in ("buildkit", "legacy"):
            root = tempfile.mkdtemp(prefix="ctxpack-advice-")
            try:
                generate(random.Random(args.seed * 1000 + i), root)
                checked += check_context(args.ctxpack, root, builder, f"case {i} ({builder})")
            except AssertionError as e:
                failures.append(str(e))
            finally:
                shutil.rmtree(root)
    for f in failures:
        print("FAIL", f)
    print(f"advice: {args.count} generated contexts x 2 builders, {checked} proposals applied and checked, "
          f"{len(failures)} failures")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
