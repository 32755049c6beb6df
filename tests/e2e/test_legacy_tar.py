#!/usr/bin/env python3
"""`ctxpack pack --builder legacy` writes, entry for entry, the tar the docker client uploads.

For every case the real client (/usr/local/bin/docker, DOCKER_BUILDKIT=0)
builds against the stub daemon; ctxpack packs the same context with -o. The
two archives must hold the same entries in the same order with the same type,
mode, uid/gid, user/group names, size, mtime, link target, device numbers,
xattrs and content, and use the same header kinds (plain USTAR, or a PAX
extended header with the same records); ctxpack must never write a global PAX
header. Where the client refuses to build, ctxpack must exit 2 with one line on
stderr and leave no output file.

    python3 tests/e2e/test_legacy_tar.py --ctxpack build/ctxpack [--count N] [--case NAME] [--keep]
"""

import difflib
import os

import dockerctx
from tarscan import TarFormatError, read_tar, show

FIELDS = ("type", "mode", "uid", "gid", "uname", "gname", "size", "mtime", "linkname",
          "devmajor", "devminor", "sha256", "xattrs", "headers")


def pax_keys(entry):
    return sorted(entry.pax)


def value(field, v):
    if field == "mode":
        return "0o%o" % v
    if isinstance(v, bytes):
        return repr(show(v))
    return repr(v)


def compare(want, got):
    problems = []
    if want.names() != got.names():
        diff = difflib.unified_diff(dockerctx.name_list(want.names()),
                                    dockerctx.name_list(got.names()),
                                    "docker upload", "ctxpack pack", lineterm="")
        return ["entry names differ (%d uploaded, %d packed):\n%s"
                % (len(want.entries), len(got.entries), "\n".join(diff))]
    for a, b in zip(want.entries, got.entries):
        for field in FIELDS:
            if getattr(a, field) != getattr(b, field):
                problems.append("%s: %s is %s, docker uploads %s"
                                % (show(a.name), field, value(field, getattr(b, field)),
                                   value(field, getattr(a, field))))
        if pax_keys(a) != pax_keys(b):
            problems.append("%s: PAX records %s, docker writes %s"
                            % (show(a.name), pax_keys(b), pax_keys(a)))
        if b.global_pax:
            problems.append("%s: a global PAX header is in force (moby#41496)" % show(a.name))
    return problems


def check(case, casedir, upload, ctxpack, outdir):
    output = os.path.join(outdir, "ctxpack.tar")
    result = dockerctx.run_ctxpack(ctxpack, case, casedir,
                                   ["pack", "--builder", "legacy", "-o", output])
    if upload.returncode != 0:
        problems = dockerctx.check_failure(upload, result)
        leftovers = os.listdir(outdir)
        if leftovers:
            problems.append("a failed pack left files behind: %s" % leftovers)
        return problems
    if result.returncode != 0:
        return ["ctxpack exited %d: %s" % (result.returncode,
                                           result.stderr.decode("utf-8", "replace").strip())]
    with open(output, "rb") as f:
        packed = f.read()
    try:
        got = read_tar(packed)
    except TarFormatError as e:
        return ["ctxpack wrote a malformed tar: %s" % e]
    return compare(read_tar(upload.tar), got)


if __name__ == "__main__":
    dockerctx.entry_point(__doc__.splitlines()[0], check)
