#!/usr/bin/env python3
"""`ctxpack pack --builder legacy` writes the very bytes the docker client uploads.

The entry-by-entry comparison (tests/e2e/test_legacy_tar.py) proves the same
entries and header kinds; this proves the encoding itself: every header
block, PAX record, padding byte and the end of the archive, byte for byte,
for the generated contexts and the fixed ones (special entries included).
The tar is taken from stdout, the way `ctxpack pack | docker build -` uses it.

    python3 tests/pack/test_pack_bytes.py --ctxpack build/ctxpack [--count N] [--case NAME]
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import dockerctx  # noqa: E402
from tarscan import show  # noqa: E402


def first_difference(want, got):
    n = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
    block = n - n % 512
    return ("byte %d differs (block at %d, whose name field is %s): docker wrote %r, ctxpack %r"
            % (n, block, show(want[block:block + 100].split(b"\0")[0]), want[n:n + 16], got[n:n + 16]))


def check(case, casedir, upload, ctxpack, outdir):
    result = dockerctx.run_ctxpack(ctxpack, case, casedir, ["pack", "--builder", "legacy", "-q"])
    if upload.returncode != 0:
        return dockerctx.check_failure(upload, result)
    if result.returncode != 0:
        return ["ctxpack exited %d: %s" % (result.returncode,
                                           result.stderr.decode("utf-8", "replace").strip())]
    if result.stdout == upload.tar:
        return []
    problems = [first_difference(upload.tar, result.stdout)]
    if len(result.stdout) != len(upload.tar):
        problems.append("ctxpack wrote %d bytes, docker %d" % (len(result.stdout), len(upload.tar)))
    return problems


if __name__ == "__main__":
    dockerctx.entry_point(__doc__.splitlines()[0], check)
