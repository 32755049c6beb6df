#!/usr/bin/env python3
"""`ctxpack ls --builder legacy` lists exactly what the docker client uploads, in order.

For every case the real client (/usr/local/bin/docker, DOCKER_BUILDKIT=0)
builds against the stub daemon; the names in its tar, in archive order, must be
ctxpack's output (NUL-separated with -0, directories ending in `/`). Where the
client refuses to build, ctxpack must exit 2 with one line on stderr.

    python3 tests/e2e/test_legacy_ls.py --ctxpack build/ctxpack [--count N] [--case NAME] [--keep]
"""

import difflib

import dockerctx
from tarscan import read_tar


def split_entries(output):
    entries = output.split(b"\0")
    # -0 may terminate each entry or only separate them.
    if entries[-1] == b"":
        entries.pop()
    return entries


def check(case, casedir, upload, ctxpack, outdir):
    result = dockerctx.run_ctxpack(ctxpack, case, casedir, ["ls", "--builder", "legacy", "-0"])
    # A malformed pattern that Docker's tar walk only reaches midway makes
    # the client log "Error matching ..." and silently send a truncated
    # context; ctxpack refuses instead (a documented deviation).
    if upload.returncode != 0 or "Error matching" in upload.stderr:
        return dockerctx.check_failure(upload, result)
    if result.returncode != 0:
        return ["ctxpack exited %d: %s" % (result.returncode,
                                           result.stderr.decode("utf-8", "replace").strip())]
    want = read_tar(upload.tar).names()
    got = split_entries(result.stdout)
    if got == want:
        return []
    diff = difflib.unified_diff(dockerctx.name_list(want), dockerctx.name_list(got),
                                "docker upload", "ctxpack ls", lineterm="")
    return ["entries differ (%d uploaded, %d listed):\n%s" % (len(want), len(got), "\n".join(diff))]


if __name__ == "__main__":
    dockerctx.entry_point(__doc__.splitlines()[0], check)
