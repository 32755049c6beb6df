#!/usr/bin/env python3
"""`ctxpack fix --write` and `ctxpack fix --allowlist --write` against real
builds. For generated contexts (committed sources, untracked junk and a
.env with a secret) and Dockerfiles (random COPY sources, wildcards,
`COPY *`, `COPY .`, a second stage copied with --from, a build arg), each
built on a private network-less dockerd (tests/daemon/dockerd.py) with both
builders before and after:

  - after `fix --write --builder all`: the build succeeds where it did, the
    image holds nothing the first one did not (same content), and the
    classic upload (`report --json` tar_bytes, byte-exact with the docker
    client's in report_totals) is no larger;
  - after `fix --allowlist --write --builder all`: the same image exactly,
    and an upload no larger;
  - a second run of either has nothing to change (exit 0).

usage: test_fix_daemon.py --ctxpack PATH [--count N] [--seed S]
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon"))
import dockerd  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "tools"))
from workcopy import commit_all, write  # noqa: E402

BUILDERS = ("buildkit", "legacy")


def generate(rng, root):
    sources = ["package.json", "src/index.js", "src/lib/util.js", "app/main.py", "config/app.yaml",
               "docs/guide.md", "README.md", "web/index.html", "web/app.js"]
    for rel in sources:
        write(root, rel, rel + "\n" + "s" * rng.randint(0, 500))
    commit_all(root)
    for rel in rng.sample(["node_modules/react/index.js", "web/node_modules/lodash/lodash.js", "dist/bundle.js",
                           "web/dist/app.js", "logs/app.log", "debug.log", ".DS_Store", "web/.DS_Store"],
                          rng.randint(2, 8)):
        write(root, rel, "junk" * rng.randint(10, 5000))
    write(root, ".env", "DATABASE_URL=postgres://app:Xk29fj3kdL2x@db/app\n")
    # With tidy-ups to make: an exception that overrides `*.log`, a would-be comment.
    ignore = rng.sample(["node_modules", "dist", "*.log", "docs", "!docs/guide.md", "# comment", "!*.log",
                         "web/dist # bundles", "// old rules"], rng.randint(0, 5))
    if ignore:
        write(root, ".dockerignore", "\n".join(ignore) + "\n")
    copies = ["COPY package.json /ctx/", "COPY src /ctx/src", "COPY ${DIR} /ctx/${DIR}/", "COPY *.md /ctx/md/",
              "COPY web/ /ctx/web/", "COPY config/app.yaml /ctx/config/", "COPY . /ctx/all/", "COPY * /ctx/star/"]
    first = rng.sample(copies, rng.randint(1, 3))
    lines = ["FROM scratch AS base", "ARG DIR=app"] + first + [
        "FROM scratch", "COPY --from=base /ctx /ctx/base", rng.choice(copies[:6]).replace("${DIR}", "app")]
    write(root, "Dockerfile", "\n".join(lines) + "\n")


def ctxpack(binary, args, cwd):
    p = subprocess.run([binary] + args, cwd=cwd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise AssertionError("ctxpack %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return p


def upload(binary, root):
    out = ctxpack(binary, ["report", "--json", "--builder", "legacy", "--no-compare", "."], root).stdout
    return json.loads(out)["tar_bytes"]


def image(docker, root, builder):
    r = docker.build(root, builder=builder, build_args={"DIR": "app"})
    if not r.ok:
        return None
    files = {e.path: (e.type, e.sha256, e.linkname) for e in docker.image_files(r.image_id)}
    docker.remove_images()
    return files


def check(binary, docker, original, mode, problems, where):
    root = tempfile.mkdtemp(prefix="ctxpack-fix-")
    try:
        shutil.copytree(original, root, dirs_exist_ok=True, symlinks=True)
        flags = ["--builder", "all", "--build-arg", "DIR=app"] + (["--allowlist"] if mode == "allowlist" else [])
        before_upload = upload(binary, root)
        before = {b: image(docker, root, b) for b in BUILDERS}
        # The ignore file is what changes: its own copies in an image may differ.
        had_ignore = os.path.exists(os.path.join(root, ".dockerignore"))
        made = json.loads(ctxpack(binary, ["fix", "--write", "--json"] + flags + ["."], root).stdout)
        if mode == "allowlist" and not made["allowlist"]:
            mode = "fix (no allowlist: %s)" % "; ".join(made["notes"])
        again = ctxpack(binary, ["fix"] + flags + ["."], root)
        if again.returncode != 0:
            problems.append("%s %s: a second run still changes:\n%s" % (where, mode, again.stdout))
        if upload(binary, root) > before_upload:
            problems.append("%s %s: the upload grew" % (where, mode))
        for b in BUILDERS:
            after = image(docker, root, b)
            if had_ignore and after is not None:
                for tree in (after, before[b]):
                    for path in [p for p in tree if p.endswith("/.dockerignore")]:
                        del tree[path]
            if (before[b] is None) != (after is None):
                problems.append("%s %s %s: the build %s" % (where, mode, b, "fails now" if after is None else "works now"))
            elif after is not None and mode == "allowlist" and after != before[b]:
                diff = sorted(set(after.items()) ^ set(before[b].items()))[:4]
                problems.append("%s %s %s: another image: %s" % (where, mode, b, diff))
            elif after is not None and not set(after.items()) <= set(before[b].items()):
                extra = sorted(set(after.items()) - set(before[b].items()))[:4]
                problems.append("%s %s %s: the image gained %s" % (where, mode, b, extra))
        return mode == "allowlist"
    finally:
        shutil.rmtree(root)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    missing = dockerd.missing_packages()
    if missing:
        print("test_fix_daemon: missing " + ", ".join(missing) + ": " + dockerd.INSTALL_HINT)
        return 77
    problems = []
    allowlists = 0
    with dockerd.Daemon() as docker:
        for i in range(args.count):
            original = tempfile.mkdtemp(prefix="ctxpack-fix-src-")
            try:
                generate(random.Random(args.seed * 1000 + i), original)
                for mode in ("fix", "allowlist"):
                    allowlists += check(args.ctxpack, docker, original, mode, problems, "case %d" % i)
            finally:
                shutil.rmtree(original)
    for p in problems:
        print("FAIL", p)
    print("fix against the daemon: %d contexts x 2 modes x 2 builders (%d allowlists written), %d problems"
          % (args.count, allowlists, len(problems)))
    return 1 if problems or not allowlists else 0


if __name__ == "__main__":
    sys.exit(main())
