#!/usr/bin/env python3
"""`ctxpack copy` against real builds: for every case, build a FROM scratch
image with each builder on a private dockerd (tests/daemon/dockerd.py) and
compare what ctxpack predicted with what the builder did:

  - ctxpack predicts a failure exactly when the build fails, and the
    builder's message carries the essential part of the predicted error;
  - on success, the image's files (path, type, symlink target, and the
    content of every file, traced back to the context file ctxpack says it
    came from) are exactly the predicted tree.

Only rules Docker 20.10 (the daemon Debian ships) supports are exercised:
no heredocs, --link, --parents or --exclude, and no `# syntax` directive
(it would pull a frontend image).

With `--builder buildah` the same cases are built by Debian's real buildah
(tests/buildah/buildah.py) instead of a dockerd, against
`ctxpack copy --builder buildah`.

usage: copy_e2e.py --ctxpack PATH [-k SUBSTRING] [--builder legacy|buildkit|buildah]
"""

import argparse
import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon"))
sys.path.insert(0, os.path.join(HERE, "..", "buildah"))
import dockerd  # noqa: E402
from buildah import Buildah  # noqa: E402

from cases import CASES, materialize  # noqa: E402


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def context_content(ctx, origin):
    """The bytes an image file should hold, from ctxpack's `src` of it."""
    if ":" in origin:
        archive, member = origin.split(":", 1)
        with tarfile.open(os.path.join(ctx, archive)) as t:
            for info in t:
                if info.name.strip("./").rstrip("/") == member:
                    return t.extractfile(info).read()
        raise AssertionError("%s not in %s" % (member, archive))
    with open(os.path.join(ctx, origin), "rb") as f:
        return f.read()


def predict(ctxpack, ctx, case, builder):
    args = [ctxpack, "copy", ctx, "--json", "--builder", builder]
    for k, v in case.get("build_args", {}).items():
        args += ["--build-arg", "%s=%s" % (k, v)]
    if case.get("target"):
        args += ["--target", case["target"]]
    stdin = None
    if case.get("stdin_dockerfile"):
        args += ["-f", "-"]
        stdin = case["dockerfile"].encode()
    proc = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):
        raise AssertionError("ctxpack copy exited %d: %s" % (proc.returncode, proc.stderr.decode()))
    plan = json.loads(proc.stdout)
    if (proc.returncode == 1) != (plan["fails_at"] is not None):
        raise AssertionError("exit status %d does not match fails_at=%s" % (proc.returncode, plan["fails_at"]))
    return plan


def error_pattern(message):
    """A regular expression for the predicted error in the builder's output.

    The builder prints absolute paths under its own mount point
    (/var/lib/docker/.../app where ctxpack says /app), and BuildKit's
    cache-key message changed shape across versions: 20.10 says
    `"/x" not found: not found`, later ones `checksum of ref ID: "/x": not
    found`. What must match is everything else, and every quoted path.
    """
    m = re.match(r'failed to compute cache key: failed to calculate checksum of ref: (".*"): not found$', message)
    if m:
        return re.escape(m.group(1)) + r":? not found"
    parts = []
    for token in message.split(" "):
        if token.startswith("/"):
            parts.append(r"\S*" + re.escape(token))
        else:
            parts.append(re.escape(token))
    return r"\s+".join(parts)


def check_failure(plan, result):
    failing = [i for i in plan["instructions"] if i["line"] == plan["fails_at"]]
    error = failing[0]["error"]
    if not re.search(error_pattern(error), result.output):
        return "predicted error %r, but the build said:\n%s" % (error, tail(result.output))
    return None


def tail(text, lines=12):
    return "\n".join("    | " + l for l in text.strip().splitlines()[-lines:])


def check_image(plan, ctx, files):
    if not plan["image"]["complete"]:
        return "ctxpack says the image is not fully known (the cases only use FROM scratch)"
    # The classic client appends a line with a random name to the
    # .dockerignore it sends with a Dockerfile from stdin: its size is known.
    rewritten = any(w["code"] == "dockerignore-rewritten" for i in plan["instructions"] for w in i["warnings"])
    want = {}
    for e in plan["image"]["entries"]:
        kind = e["type"]
        detail = None
        if kind == "file" and rewritten and e["src"] == ".dockerignore":
            detail = ("size", e["size"])
        elif kind == "file":
            detail = sha256(context_content(ctx, e["src"])) if e["src"] else None
        elif kind == "symlink":
            detail = e["link"]
        want[e["path"]] = (kind, detail)
    got = {}
    for f in files:
        detail = f.sha256 if f.type == "file" else f.linkname if f.type == "symlink" else None
        if f.type == "file" and isinstance(want.get(f.path, (None, None))[1], tuple):
            detail = ("size", f.size)
        got[f.path] = (f.type, detail)
    problems = []
    for path in sorted(set(want) | set(got)):
        w, g = want.get(path), got.get(path)
        if w == g or (w and g and w[0] == g[0] == "file" and w[1] is None):
            continue
        problems.append("  %s: predicted %s, image has %s" % (path, w or "nothing", g or "nothing"))
    return "\n".join(problems) or None


def run_case(build, ctxpack, case, builder, workdir):
    ctx = os.path.join(workdir, "%s-%s" % (case["name"], builder))
    materialize(ctx, case)
    plan = predict(ctxpack, ctx, case, builder)
    text = case["dockerfile"].encode() if case.get("stdin_dockerfile") else None
    result = build.build(ctx, builder=builder, build_args=case.get("build_args"),
                         target=case.get("target"), dockerfile_text=text)
    predicted_ok = plan["fails_at"] is None
    if predicted_ok != result.ok:
        if predicted_ok:
            return "ctxpack predicted success; the build failed:\n" + tail(result.output)
        return "ctxpack predicted failure at line %s; the build succeeded" % plan["fails_at"]
    if not result.ok:
        return check_failure(plan, result)
    return check_image(plan, ctx, build.image_files(result.image_id))


def backend(builder, workdir):
    """The builder's runner, or None with the reason printed when it is missing."""
    if builder == "buildah":
        if shutil.which("buildah") is None:
            print("skipped: buildah is not installed (apt-get install -y buildah)")
            return None
        return contextlib.nullcontext(Buildah(os.path.join(workdir, "buildah")))
    missing = dockerd.missing_packages()
    if missing:
        # .ci/run installs docker.io; a developer machine may not have it.
        print("skipped: missing %s (%s)" % (", ".join(missing), dockerd.INSTALL_HINT))
        return None
    return dockerd.Daemon()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("-k", default="", help="only cases whose name contains this")
    ap.add_argument("--builder", choices=["legacy", "buildkit", "buildah"])
    args = ap.parse_args()
    builders = [args.builder] if args.builder else ["legacy", "buildkit"]
    cases = [c for c in CASES if args.k in c["name"]]
    passed = {b: 0 for b in builders}
    failed = {b: 0 for b in builders}
    with tempfile.TemporaryDirectory(prefix="ctxpack-copy-e2e-") as workdir:
        runner = backend(builders[0], workdir)
        if runner is None:
            return 77
        with runner as build:
            for case in cases:
                for builder in builders:
                    if builder in case.get("skip", ()):
                        continue
                    try:
                        problem = run_case(build, args.ctxpack, case, builder, workdir)
                    except AssertionError as e:
                        problem = str(e)
                    if problem:
                        failed[builder] += 1
                        print("FAIL %s [%s]\n%s" % (case["name"], builder, problem))
                    else:
                        passed[builder] += 1
                        print("ok   %s [%s]" % (case["name"], builder))
                    sys.stdout.flush()
                build.remove_images()
    for b in builders:
        print("%s: %d passed, %d failed" % (b, passed[b], failed[b]))
    total_failed = sum(failed.values())
    print("%d passed, %d failed" % (sum(passed.values()), total_failed))
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
