#!/usr/bin/env python3
"""`ctxpack report` totals are what the docker client uploads and what `ctxpack pack` writes.

Runs over the cases of the docker-client conformance suite (tests/e2e: seeded
random contexts and the fixed ones). For each, the real client builds with the
classic builder against the stub daemon, and:
- `report --builder legacy --json`: files (hardlinks included), dirs, symlinks,
  others and bytes (content of regular entries) are those of the uploaded tar,
  and tar_bytes is its exact size;
- for each builder, `pack` writes a tar of exactly tar_bytes, and the entries of
  `pack --no-dockerfile` (the selection alone) give report's totals;
- where the client refuses to build, report fails the same way (exit 2, one
  line) or carries an error finding that says why.

    python3 tests/report/test_report_totals.py --ctxpack build/ctxpack [--count N] [--case NAME] [--keep]
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import dockerctx  # noqa: E402
from tarscan import read_tar  # noqa: E402

FIELDS = ("files", "dirs", "symlinks", "others", "bytes")


def tar_totals(entries):
    """Totals by kind; a hardlink entry counts as what it links to (so a
    hardlinked regular file is one more file, its content counted once)."""
    t = dict.fromkeys(FIELDS, 0)
    kind_of = {}
    for e in entries:
        kind = kind_of.get(e.linkname) if e.type == "1" else e.type
        kind_of[e.name] = kind
        if kind in ("0", "\0"):
            t["files"] += 1
            t["bytes"] += e.size
        elif kind == "5":
            t["dirs"] += 1
        elif kind == "2":
            t["symlinks"] += 1
        elif kind in ("3", "4", "6"):
            t["others"] += 1
    return t


def selection(archive, ctxdir):
    """The entries that come from the context: a Dockerfile from outside is
    injected as .dockerfile.<hex>, and .dockerignore then rewritten to name it."""
    entries = archive.entries
    injected = [e for e in entries if e.name.startswith(b".dockerfile.")
                and not os.path.lexists(os.path.join(ctxdir, os.fsdecode(e.name)))]
    if not injected:
        return entries, None
    ignore = os.path.join(ctxdir, ".dockerignore")
    kept = [e for e in entries if e not in injected and e.name != b".dockerignore"]
    return kept, (os.path.getsize(ignore) if os.path.isfile(ignore) else None)


def compare(what, report, entries, ignore_on_disk):
    want = tar_totals(entries)
    if ignore_on_disk is not None:  # report counts the real .dockerignore
        want["files"] += 1
        want["bytes"] += ignore_on_disk
    got = {k: report[k] for k in FIELDS}
    if got != want:
        return ["%s: report says %s, the tar holds %s" % (what, got, want)]
    return []


def run_report(ctxpack, case, casedir, builder):
    result = dockerctx.run_ctxpack(ctxpack, case, casedir,
                                   ["report", "--builder", builder, "--json", "--no-compare"])
    err = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        return None, result, ["report --builder %s exited %d: %s" % (builder, result.returncode, err.strip())]
    return json.loads(result.stdout), result, []


def check_refused(upload, result, report):
    """The client refused to build: report must say so."""
    if report is None:
        return dockerctx.check_failure(upload, result)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    if not errors:
        return ["docker refused (%s) but report has no error finding: %s"
                % (upload.stderr.strip(), [f["code"] for f in report["findings"]])]
    return []


def check_pack(ctxpack, case, casedir, outdir, builder, report):
    ctx = os.path.join(casedir, case.context)
    # Without a Dockerfile the build fails and pack refuses, unless told to
    # pack the selection alone, which is then what tar_bytes measures.
    missing = any(f["code"] == "dockerfile-missing" for f in report["findings"])
    full = os.path.join(outdir, builder + ".tar")
    bare = os.path.join(outdir, builder + "-selection.tar")
    runs = [(bare, ["--no-dockerfile"])] + ([] if missing else [(full, [])])
    for path, extra in runs:
        result = dockerctx.run_ctxpack(ctxpack, case, casedir,
                                       ["pack", "-q", "--builder", builder, "-o", path] + extra)
        if result.returncode != 0:
            return ["pack --builder %s %s exited %d: %s" % (builder, " ".join(extra), result.returncode,
                                                            result.stderr.decode("utf-8", "replace").strip())]
    problems = []
    written = os.path.getsize(bare if missing else full)
    if written != report["tar_bytes"]:
        problems.append("%s: report tar_bytes %d, pack wrote %d bytes" % (builder, report["tar_bytes"], written))
    with open(bare, "rb") as f:
        entries, ignore = selection(read_tar(f.read()), ctx)
    problems += compare("%s pack --no-dockerfile" % builder, report, entries, ignore)
    return problems


def check(case, casedir, upload, ctxpack, outdir):
    legacy, result, problems = run_report(ctxpack, case, casedir, "legacy")
    if upload.returncode != 0:
        return check_refused(upload, result, legacy)
    if problems:
        return problems
    ctx = os.path.join(casedir, case.context)
    if legacy["tar_bytes"] != len(upload.tar):
        problems.append("legacy: report tar_bytes %d, the client uploaded %d bytes"
                        % (legacy["tar_bytes"], len(upload.tar)))
    entries, ignore = selection(read_tar(upload.tar), ctx)
    problems += compare("legacy upload", legacy, entries, ignore)
    problems += check_pack(ctxpack, case, casedir, outdir, "legacy", legacy)
    buildkit, _, more = run_report(ctxpack, case, casedir, "buildkit")
    if more:
        return problems + more
    return problems + check_pack(ctxpack, case, casedir, outdir, "buildkit", buildkit)


if __name__ == "__main__":
    dockerctx.entry_point(__doc__.splitlines()[0], check)
