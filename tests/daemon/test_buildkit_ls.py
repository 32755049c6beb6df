#!/usr/bin/env python3
"""`ctxpack ls` against what a real daemon puts in an image, for both builders.

Every case (the generated and fixed contexts of tests/e2e/contexts.py, each
Dockerfile replaced by `FROM scratch` + `COPY . /ctx/`) is built by a private
dockerd (tests/daemon/dockerd.py) with BuildKit and with the classic builder.
The image's /ctx tree must be exactly what ctxpack's listing predicts once it
has gone through the daemon's receiving side:

- Every listed entry is there with the type, permission bits, size, content
  and link target it has on disk, owned by 0:0; nothing else is there.
  A hardlink in the image is compared as what it links to.
- Classic builder: `ls --builder legacy` is the upload. The 20.10 daemon then
  deletes .dockerignore and the Dockerfile when its own matcher says they are
  excluded, its untar creates, mode 0755, the parents the upload leaves out
  (an excluded directory holding a re-included file), and its chown to 0:0
  clears setuid on files, and setgid on group-executable ones.
- BuildKit: `ls --builder buildkit` is the transfer, directories included.
  Debian's BuildKit turns what it cannot copy into something else: a socket
  arrives as an empty regular file, COPY makes device nodes empty regular
  files and drops FIFOs, and a file the client cannot read arrives empty.
- Where docker build fails, ctxpack must exit 2 with one line on stderr (and
  print nothing for the classic builder, whose client checks the whole
  context before sending). Where the classic client uploads and the daemon
  then finds no Dockerfile in the upload, ctxpack must list the upload
  without it.

Debian's docker.io is 20.10, whose BuildKit transfer is older than the one
ctxpack reproduces (dockerignore-semantics.md §8.2): moby 20.10's matcher
(one-ancestor Matches, regex patterns), excluded directories walked into only
by literal exception prefixes and then always sent, unreadable directories
fatal even when excluded. tests/daemon/bkmodel (built here from Debian's Go
sources) predicts both transfers for each case. Where they agree, the whole
image is compared with ctxpack. Where they differ, the daemon can say nothing
about current BuildKit on the disputed paths: the image is compared with the
20.10 prediction (keeping the model honest), ctxpack only on the other paths,
and the case is counted apart ("buildkit-partial").

Not compared: the order of the listing (an image has none; the stub-daemon
tests in tests/e2e check it for the classic builder), mtimes, xattrs.

    python3 tests/daemon/test_buildkit_ls.py --ctxpack build/ctxpack [--count N] [--case NAME] [--builder B] [-v]

Needs root (dockerd), Debian's docker.io, golang-go and the Go sources
(golang-github-docker-docker-dev, golang-github-moby-patternmatcher-dev).
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import contexts  # noqa: E402  (tests/e2e)
import dockerctx  # noqa: E402
import dockerd  # noqa: E402

BUILDERS = ("buildkit", "legacy")
DOCKERFILE = b"FROM scratch\nCOPY . /ctx/\n"
GO_SOURCES = {
    "golang-github-docker-docker-dev": "/usr/share/gocode/src/github.com/docker/docker/pkg/fileutils",
    "golang-github-moby-patternmatcher-dev": "/usr/share/gocode/src/github.com/moby/patternmatcher",
}
TIMEOUT = 60
UPLOADED = "Sending build context to Docker daemon"
LOST_DOCKERFILE = re.compile(r"Cannot locate specified Dockerfile: ([^\n]*)")
MAX_PROBLEMS = 25
# Fixed cases about how the client reads its arguments rather than what it
# selects: nothing of them reaches an image.
NOT_HERE = {"context-is-a-file", "context-missing"}


def setup_problems():
    problems = []
    missing = dockerd.missing_packages()
    if missing:
        problems.append("missing %s: %s" % (", ".join(missing), dockerd.INSTALL_HINT))
    if not shutil.which("go"):
        problems.append("no Go toolchain: apt-get install -y golang-go")
    for package, path in GO_SOURCES.items():
        if not os.path.isdir(path):
            problems.append("missing %s: apt-get install -y %s" % (path, package))
    if os.geteuid() != 0:
        problems.append("dockerd needs root")
    return problems


def build_model(outdir):
    """Compile bkmodel against Debian's Go sources (GOPATH mode, no network)."""
    binary = os.path.join(outdir, "bkmodel")
    env = dict(os.environ, GO111MODULE="off", GOFLAGS="", GOPATH="/usr/share/gocode",
               GOCACHE=os.environ.get("GOCACHE") or os.path.join(tempfile.gettempdir(),
                                                                 "ctxpack-go-cache"))
    proc = subprocess.run(["go", "build", "-o", binary, "."], cwd=os.path.join(HERE, "bkmodel"),
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise dockerd.DaemonError("building bkmodel failed:\n" + proc.stderr)
    os.chmod(outdir, 0o755)
    return binary


# ---------------------------------------------------------------------------
# Cases

def dockerfile_path(case):
    """The Dockerfile as the client resolves it: relative to the context, symlinks followed."""
    if case.dockerfile is not None:
        name = case.dockerfile
    else:
        names = case.tree.paths()
        name = "Dockerfile" if "Dockerfile" in names or "dockerfile" not in names else "dockerfile"
    links = {op[1]: op[2] for op in case.tree.ops if op[0] == "symlink"}
    seen = set()
    while name in links and name not in seen:
        seen.add(name)
        name = os.path.normpath(os.path.join(os.path.dirname(name), links[name]))
    return name


def with_copy_dockerfile(case):
    """The case with its Dockerfile saying `COPY . /ctx/` (a case without one keeps none)."""
    name = dockerfile_path(case)
    ops = []
    for op in case.tree.ops:
        if op[0] == "file" and op[1] == name:
            op = ("file", name, DOCKERFILE, op[3], op[4])
        ops.append(op)
    case.tree.ops = ops
    return case


def case_names(args):
    if args.case:
        return args.case
    fixed = [name for name in contexts.FIXED if name not in NOT_HERE]
    return fixed + ["gen-%d" % s for s in range(args.seed, args.seed + args.count)]


# ---------------------------------------------------------------------------
# What each side says

def as_user(case):
    return dockerd.NOBODY if case.as_nobody else None


def user_prefix(uid):
    return [] if uid is None else ["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid,
                                   "--clear-groups"]


def run_model(model, case, casedir):
    """bkmodel's predictions, run as the user the builds run as."""
    context = os.path.join(casedir, case.context)
    dockerfile = dockerfile_path(case)
    local = os.path.join(context, dockerfile + ".dockerignore")
    ignore = local if os.path.lexists(local) else os.path.join(context, ".dockerignore")
    proc = subprocess.run(user_prefix(as_user(case)) + [model, context, ignore, dockerfile],
                          capture_output=True, timeout=TIMEOUT)
    if proc.returncode != 0:
        raise dockerd.DaemonError("bkmodel failed: " + proc.stderr.decode("utf-8", "replace"))
    return json.loads(proc.stdout)


def run_ls(ctxpack, case, casedir, builder):
    proc = subprocess.run(user_prefix(as_user(case)) + [ctxpack, "ls", "--builder", builder, "-0"]
                          + case.build_args(), cwd=casedir, capture_output=True, timeout=TIMEOUT)
    names = [n for n in proc.stdout.split(b"\0") if n]
    return proc, [(os.fsdecode(n.rstrip(b"/")), n.endswith(b"/")) for n in names]


def failure_problems(proc, builder):
    """Where docker refuses to build, ctxpack must refuse too: exit 2, one line on stderr.

    The classic client checks the whole context before it sends anything, and
    so must ctxpack (nothing on stdout); BuildKit finds a fault while it is
    sending, and ctxpack's listing, which streams, may stop part way too.
    """
    problems = []
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 2:
        problems.append("docker build failed, ctxpack ls exited %d" % proc.returncode)
    if proc.stdout and builder == "legacy":
        problems.append("ctxpack printed on stdout: %r" % proc.stdout[:200])
    if len(err.splitlines()) != 1:
        problems.append("ctxpack's stderr is not one line: %r" % err[:500])
    return problems


def daemon_refusal_problems(output, proc, listed):
    """The classic client uploaded, then the daemon refused: the listing must show why.

    The one refusal our Dockerfiles can meet: the upload lacks the Dockerfile,
    because the client's re-adding of an excluded Dockerfile missed it
    (dockerignore-semantics.md §6.1).
    """
    lost = LOST_DOCKERFILE.search(output)
    if lost is None:
        return ["the daemon refused the upload for a reason this test does not know"]
    if proc.returncode != 0:
        return ["ctxpack ls exited %d, yet the client uploads a context: %s" % (
            proc.returncode, proc.stderr.decode("utf-8", "replace").strip())]
    if lost.group(1) in [name for name, _ in listed]:
        return ["the upload lacks the Dockerfile %r, ctxpack lists it" % lost.group(1)]
    return []


# ---------------------------------------------------------------------------
# From a listing to the image it predicts

def readable_by(st, uid):
    if uid is None:
        return True
    bits = 0o400 if st.st_uid == uid else 0o040 if st.st_gid == uid else 0o004
    return bool(st.st_mode & bits)


def content(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


EMPTY = hashlib.sha256(b"").hexdigest()


def arrives_as(context, rel, builder, uid):
    """What a sent entry becomes in the image (None: nothing), from its lstat on disk."""
    full = os.path.join(context, rel)
    st = os.lstat(full)
    perm = stat.S_IMODE(st.st_mode)
    path = "/ctx/" + rel

    def entry(kind, size=0, digest=None, link=""):
        return dockerd.FileEntry(path, kind, perm, 0, 0, size, digest, link)

    if stat.S_ISDIR(st.st_mode):
        return entry("dir")
    if stat.S_ISLNK(st.st_mode):
        return entry("symlink", link=os.readlink(full))
    if stat.S_ISREG(st.st_mode):
        if builder == "buildkit" and not readable_by(st, uid):
            return entry("file", 0, EMPTY)
        if builder == "legacy":
            # The classic daemon chowns what it copies to 0:0, and chown(2)
            # clears setuid, and setgid on group-executable files.
            perm &= ~(stat.S_ISUID | (stat.S_ISGID if perm & stat.S_IXGRP else 0))
        return entry("file", st.st_size, content(full))
    if builder == "buildkit":
        if stat.S_ISFIFO(st.st_mode):
            return None
        return entry("file", 0, EMPTY)
    if stat.S_ISFIFO(st.st_mode):
        return entry("fifo")
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return entry("char" if stat.S_ISCHR(st.st_mode) else "block",
                     link="%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
    return entry("socket")


def predicted_image(context, names, builder, uid, removed=()):
    tree = {}
    for rel in names:
        if rel in removed:
            continue
        e = arrives_as(context, rel, builder, uid)
        if e is not None:
            tree[e.path] = e
    if builder == "legacy":
        for rel in names:
            parent = os.path.dirname(rel)
            while parent and "/ctx/" + parent not in tree:
                tree["/ctx/" + parent] = dockerd.FileEntry("/ctx/" + parent, "dir", 0o755,
                                                           0, 0, 0, None, "")
                parent = os.path.dirname(parent)
    return tree


def image_tree(docker, image_id):
    """The image's /ctx entries by path; a hardlink shows as what it links to."""
    entries = {e.path: e for e in docker.image_files(image_id)}
    tree, problems = {}, []
    for e in entries.values():
        if e.path == "/ctx":
            continue
        if not e.path.startswith("/ctx/"):
            problems.append("image holds %s outside /ctx" % e.path)
            continue
        if e.type == "hardlink":
            e = entries[e.linkname]._replace(path=e.path)
        tree[e.path] = e
    return tree, problems


def show(e):
    extra = {"file": " %d bytes sha256:%s" % (e.size, (e.sha256 or "")[:12]),
             "symlink": " -> %r" % e.linkname}.get(e.type, " " + e.linkname if e.linkname else "")
    return "%s %04o %d:%d%s" % (e.type, e.mode, e.uid, e.gid, extra)


def compare(want, got):
    problems = []
    for path in sorted(set(want) | set(got), key=os.fsencode):
        w, g = want.get(path), got.get(path)
        if w == g:
            continue
        if g is None:
            problems.append("missing from the image: %r (%s)" % (path, show(w)))
        elif w is None:
            problems.append("in the image, not predicted: %r (%s)" % (path, show(g)))
        else:
            problems.append("%r: predicted %s, image has %s" % (path, show(w), show(g)))
    return problems


# ---------------------------------------------------------------------------
# One case

class Tally:
    def __init__(self):
        self.counts = {}

    def add(self, kind, ok):
        passed, failed = self.counts.get(kind, (0, 0))
        self.counts[kind] = (passed + ok, failed + (not ok))

    def totals(self):
        return (sum(p for p, _ in self.counts.values()), sum(f for _, f in self.counts.values()))


def transfer(prediction):
    """A model's prediction without its wording: the entries sent, or that it fails."""
    if "error" in prediction:
        return "fails"
    return [tuple(e) for e in prediction.get("entries", [])]


def divergent_problems(context, uid, build, got, old, new, proc, listed):
    """A case where Debian's BuildKit and current BuildKit send different things.

    The daemon must do what the 20.10 model says (else the model's verdicts
    elsewhere mean nothing), and on every path the two transfers agree on,
    the image must still be what ctxpack lists.
    """
    problems = []
    if old == "fails" or not build.ok:
        if (old == "fails") == build.ok:
            problems.append("bkmodel's 20.10 transfer %s, but docker build %s" % (
                "fails" if old == "fails" else "succeeds", "succeeded" if build.ok else "failed"))
        return problems
    want = predicted_image(context, [path for path, _ in old], "buildkit", uid)
    problems += ["20.10 model: " + p for p in compare(want, got)]
    if new == "fails":
        return problems
    if proc.returncode != 0:
        return problems + ["ctxpack ls exited %d: %s" % (
            proc.returncode, proc.stderr.decode("utf-8", "replace").strip())]
    disputed = {path for path, _ in set(old) ^ set(new)}
    want = predicted_image(context, [n for n, _ in listed if n not in disputed], "buildkit", uid)
    agreed = {path: e for path, e in got.items() if path[len("/ctx/"):] not in disputed}
    return problems + compare(want, agreed)


def check_builder(docker, ctxpack, case, casedir, builder, model):
    """Problems for one builder, and the kind of check it was (a Tally key)."""
    uid = as_user(case)
    context = os.path.join(casedir, case.context)
    dockerfile = os.path.join(case.context, case.dockerfile) if case.dockerfile else None
    build = docker.build(case.context, dockerfile=dockerfile, builder=builder, cwd=casedir, uid=uid)
    got, problems = {}, []
    if build.ok:
        got, problems = image_tree(docker, build.image_id)
        docker.remove_image(build.image_id)
    notes = [] if build.ok else ["docker build failed:\n    " + build.output.strip()
                                 .replace("\n", "\n    ")[-1500:]]
    proc, listed = run_ls(ctxpack, case, casedir, builder)
    if proc.returncode == 0:
        for name, is_dir in listed:
            if is_dir != stat.S_ISDIR(os.lstat(os.path.join(context, name)).st_mode):
                problems.append("ctxpack lists %r %s a trailing '/'"
                                % (name, "with" if is_dir else "without"))

    if builder == "buildkit":
        old, new = transfer(model["old"]), transfer(model["new"])
        if old != new:
            return "buildkit-partial", problems + divergent_problems(
                context, uid, build, got, old, new, proc, listed), notes

    if not build.ok and builder == "legacy" and UPLOADED in build.output:
        return builder, problems + daemon_refusal_problems(build.output, proc, listed), notes
    if not build.ok:
        return builder, problems + failure_problems(proc, builder), notes
    if proc.returncode != 0:
        return builder, problems + ["ctxpack ls exited %d: %s" % (
            proc.returncode, proc.stderr.decode("utf-8", "replace").strip())], notes
    removed = ()
    if builder == "legacy":
        if "legacy_daemon_removes" not in model:
            raise dockerd.DaemonError("bkmodel: " + model["legacy_daemon_removes_error"])
        removed = model["legacy_daemon_removes"]
    want = predicted_image(context, [n for n, _ in listed], builder, uid, removed)
    return builder, problems + compare(want, got), notes


def run(args, ctxpack, work):
    model_bin = build_model(os.path.join(work, "bin"))
    tally = Tally()
    started = time.monotonic()
    with dockerd.Daemon(allow_uid=dockerd.NOBODY) as docker:
        print("dockerd ready in %.1fs (%s)" % (time.monotonic() - started, docker.dir))
        for name in case_names(args):
            case = with_copy_dockerfile(contexts.case_by_name(name))
            casedir = os.path.join(work, name)
            case.tree.materialize(casedir)
            model = run_model(model_bin, case, casedir)
            failed = []
            for builder in args.builder or BUILDERS:
                kind, problems, notes = check_builder(docker, ctxpack, case, casedir, builder, model)
                tally.add(kind, not problems)
                if problems:
                    failed.append((kind, problems, notes))
                elif args.verbose:
                    print("ok   %s %s%s" % (name, kind, " (docker build failed)" if notes else ""))
            for kind, problems, notes in failed:
                print("FAIL [%s] %s" % (kind, dockerctx.describe(case)))
                for line in notes + problems[:MAX_PROBLEMS]:
                    print("  " + line)
                if len(problems) > MAX_PROBLEMS:
                    print("  ... and %d more" % (len(problems) - MAX_PROBLEMS))
            if not args.keep:
                dockerctx.remove_tree(casedir)
    for kind, about in (
            ("buildkit", "the image's /ctx against `ls --builder buildkit`"),
            ("buildkit-partial", "20.10 and current BuildKit differ: the image against the "
                                 "20.10 model, and against ctxpack where they agree"),
            ("legacy", "the image's /ctx against `ls --builder legacy`")):
        passed, failed = tally.counts.get(kind, (0, 0))
        print("%-18s %4d passed, %d failed  (%s)" % (kind + ":", passed, failed, about))
    print("ran %d cases in %.1fs" % (len(case_names(args)), time.monotonic() - started))
    return tally.totals()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ctxpack", default=os.environ.get("CTXPACK"),
                        help="the ctxpack binary (default: $CTXPACK)")
    parser.add_argument("--count", type=int, default=30, help="number of generated contexts")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first generated context")
    parser.add_argument("--case", action="append", default=[],
                        help="run only this case (gen-SEED or a fixed name); repeatable")
    parser.add_argument("--builder", action="append", choices=BUILDERS,
                        help="check only this builder; repeatable (default: both)")
    parser.add_argument("--keep", action="store_true", help="keep the case directories")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every check")
    args = parser.parse_args()

    problems = setup_problems()
    if not args.ctxpack or not os.access(args.ctxpack, os.X_OK):
        problems.append("no ctxpack binary (got %r; pass --ctxpack PATH or set CTXPACK)"
                        % args.ctxpack)
    if problems:
        for problem in problems:
            print("FAIL: " + problem)
        print("0 passed, 1 failed")
        return 1
    # A timeout's SIGTERM still stops the daemon and removes the work directory.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    work = tempfile.mkdtemp(prefix="ctxpack-daemon-")
    # Some cases run as nobody, who must reach the contexts and the model.
    os.chmod(work, 0o755)
    try:
        passed, failed = run(args, os.path.abspath(args.ctxpack), work)
    except dockerd.DaemonError as e:
        print("FAIL: the harness broke: %s" % e)
        print("0 passed, 1 failed")
        return 1
    finally:
        if args.keep:
            print("kept: %s" % work)
        else:
            dockerctx.remove_tree(work)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
