#!/usr/bin/env python3
"""Compare what two ctxpack binaries print on the end-to-end corpora.

A refactoring must not change behaviour: this runs `ls`, `ls --long`,
`ls --json`, `why` (every listed path, plus paths that do not exist),
`pack --reproducible`, `report --json` and `copy --json` with every builder
on the generated and fixed e2e contexts, the COPY suite's contexts and
testdata/, with an OLD and a NEW binary, and reports every command whose
stdout or exit status differs. JSON output that differs only in how a
string is escaped (the same JSON values) is counted apart, not as a
difference.

    tests/tools/compare_outputs.py OLD_CTXPACK NEW_CTXPACK [--generated N] [--builders b,l]

Exit status 0 when everything is identical, 1 otherwise.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "tests", "copy"))

import contexts  # noqa: E402
import cases as copy_cases  # noqa: E402


def run(binary, args, cwd, stdin=None):
    p = subprocess.run([binary] + args, cwd=cwd, input=stdin, capture_output=True, timeout=120)
    return p.returncode, p.stdout


def short(out):
    return out if len(out) <= 300 else out[:300] + b"... sha256:" + hashlib.sha256(out).hexdigest().encode()


def json_values(out):
    """The JSON values of a document or of one document per line."""
    text = out.decode("utf-8", "surrogateescape")
    try:
        return [json.loads(text)]
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line]


def commands(ctx_args, builders, listing_paths):
    for b in builders:
        base = ["--builder", b]
        yield ["ls"] + base + ctx_args
        yield ["ls", "--long"] + base + ctx_args
        yield ["ls", "--json"] + base + ctx_args
        yield ["pack", "--reproducible", "-q", "-o", "-"] + base + ctx_args
        yield ["pack", "--reproducible", "-q", "--no-dockerfile", "-o", "-"] + base + ctx_args
        yield ["report"] + base + ctx_args
        yield ["report", "--json"] + base + ctx_args
        yield ["report", "--format", "github"] + base + ctx_args
        yield ["copy", "--json"] + base + ctx_args
        yield ["copy"] + base + ctx_args
        if listing_paths is not None:
            yield ["why", "--stdin"] + base + ctx_args
            yield ["why", "--stdin", "--json"] + base + ctx_args


def case_dirs(work, generated):
    """(name, cwd, context args) for every corpus context, materialised under `work`."""
    names = ["gen-%d" % s for s in range(1, generated + 1)] + list(contexts.FIXED)
    for name in names:
        case = contexts.case_by_name(name)
        if case.as_nobody:
            continue  # the binaries run as the current user; unreadable cases need uid 65534
        casedir = os.path.join(work, name)
        try:
            case.tree.materialize(casedir)
        except OSError:
            continue
        yield name, casedir, case.build_args()
    for c in copy_cases.CASES:
        root = os.path.join(work, "copy-" + c["name"])
        copy_cases.materialize(root, c)
        yield "copy-" + c["name"], work, [os.path.basename(root)]
    for sub in sorted(os.listdir(os.path.join(ROOT, "testdata", "report"))):
        yield "report-" + sub, os.path.join(ROOT, "testdata", "report"), [sub]
    yield "example", os.path.join(ROOT, "testdata"), ["example"]
    yield "copy-app", os.path.join(ROOT, "testdata", "copy"), ["app"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--generated", type=int, default=60)
    ap.add_argument("--builders", default="buildkit,legacy")
    args = ap.parse_args()
    old, new = os.path.abspath(args.old), os.path.abspath(args.new)
    builders = args.builders.split(",")
    work = tempfile.mkdtemp(prefix="ctxpack-compare-")
    compared = differ = escaped = 0
    try:
        for name, cwd, ctx_args in case_dirs(work, args.generated):
            status, listing = run(old, ["ls", "-0"] + ctx_args, cwd)
            paths = listing.split(b"\0") if status == 0 else []
            stdin = b"\n".join(p.rstrip(b"/") for p in paths if p and b"\n" not in p)
            stdin += b"\nno/such/path\nsrc/../x\n./a\n"
            for cmd in commands(ctx_args, builders, paths):
                feed = stdin if "--stdin" in cmd else None
                a = run(old, cmd, cwd, feed)
                b = run(new, cmd, cwd, feed)
                compared += 1
                if a == b:
                    continue
                if a[0] == b[0] and "--json" in cmd and json_values(a[1]) == json_values(b[1]):
                    escaped += 1
                    continue
                differ += 1
                print("DIFF %s: ctxpack %s" % (name, " ".join(cmd)))
                print("  old: exit %d, %r" % (a[0], short(a[1])))
                print("  new: exit %d, %r" % (b[0], short(b[1])))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d commands compared, %d differ, %d print the same JSON values escaped differently"
          % (compared, differ, escaped))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
