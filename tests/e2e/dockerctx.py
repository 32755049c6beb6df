"""Run the real docker client and ctxpack on the same contexts, and drive the tests.

DockerClient runs `docker build` with the classic builder against the stub
daemon and returns what it uploaded; run_ctxpack runs the binary under test the
same way (same working directory, same arguments, same user); main() is the
shared test driver: it materialises every case, captures the client's upload,
hands both to the test's check function and prints `N passed, M failed`.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass

import contexts
from stub_daemon import StubDaemon
from tarscan import read_tar, show

DOCKER = os.environ.get("DOCKER_CLIENT", "/usr/local/bin/docker")
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
TIMEOUT = 60
MAX_PROBLEMS = 25
# Exit status for "cannot run here" (CTest's SKIP_RETURN_CODE convention).
SKIP = 77

# The classic builder prints this notice on stderr before anything else.
LEGACY_NOTICE = re.compile(r"DEPRECATED: The legacy builder is deprecated[^\n]*\n(?:[ \t]+\S[^\n]*\n)*\n?")


class HarnessError(Exception):
    """The harness itself (stub, client, generator) did not behave as designed."""


@dataclass
class Upload:
    returncode: int
    stdout: bytes
    stderr: str  # without the legacy-builder notice
    request: object  # stub_daemon.BuildRequest, or None when nothing was sent

    @property
    def tar(self):
        return self.request.body if self.request else None


def user_prefix(case):
    # Root reads everything: cases about unreadable files run as nobody.
    return NOBODY if case.as_nobody and os.geteuid() == 0 else []


def clean_env(extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DOCKER_") and k != "BUILDKIT_PROGRESS"}
    env.update(extra)
    return env


class DockerClient:
    """The docker CLI wired to a private stub daemon and an empty config dir."""

    def __init__(self, workdir):
        self.config = os.path.join(workdir, "docker-config")
        os.makedirs(self.config)
        self.daemon = StubDaemon(os.path.join(workdir, "docker.sock"))

    def __enter__(self):
        self.daemon.start()
        return self

    def __exit__(self, *exc):
        self.daemon.stop()

    def build(self, case, casedir):
        env = clean_env({"DOCKER_BUILDKIT": "0", "DOCKER_HOST": self.daemon.host,
                         "DOCKER_CONFIG": self.config})
        proc = subprocess.run(user_prefix(case) + [DOCKER, "build"] + case.build_args(),
                              cwd=casedir, env=env, input=case.stdin, capture_output=True, timeout=TIMEOUT)
        stderr = LEGACY_NOTICE.sub("", proc.stderr.decode("utf-8", "replace"), count=1)
        request = self.daemon.take_build()
        if self.daemon.unexpected:
            raise HarnessError("the client asked the stub for %s" % self.daemon.unexpected)
        if proc.returncode == 0 and request is None:
            raise HarnessError("docker build exited 0 without uploading a context")
        return Upload(proc.returncode, proc.stdout, stderr, request)


def run_ctxpack(binary, case, casedir, args):
    return subprocess.run(user_prefix(case) + [binary] + args + case.build_args(),
                          cwd=casedir, input=case.stdin, capture_output=True, timeout=TIMEOUT)


def check_failure(upload, result):
    """Where the client refuses to build, ctxpack must refuse too: exit 2, one line on stderr."""
    problems = []
    err = result.stderr.decode("utf-8", "replace")
    if result.returncode != 2:
        problems.append("docker failed (%s) but ctxpack exited %d"
                        % (upload.stderr.strip(), result.returncode))
    if result.stdout:
        problems.append("ctxpack printed on stdout: %r" % result.stdout[:200])
    lines = err.splitlines()
    if len(lines) != 1 or not lines[0].strip():
        problems.append("ctxpack's stderr is not one line: %r" % err[:500])
    # When the client names the offending file, so must ctxpack.
    named = re.search(r"'([^']+)'", upload.stderr)
    if named and os.path.basename(named.group(1)) not in err:
        problems.append("docker named %r, ctxpack's message does not: %r"
                        % (named.group(1), err.strip()))
    return problems


def describe(case):
    lines = ["case %s%s" % (case.name, " (%s)" % case.about if case.about else ""),
             "  run from the case dir: docker build %s" % " ".join(map(repr, case.build_args()))]
    ignore = case.dockerignore()
    if ignore is None:
        lines.append("  no .dockerignore")
    else:
        lines.append("  .dockerignore:")
        lines += ["    | " + repr(line)[1:-1] for line in ignore.decode("utf-8", "surrogateescape")
                  .splitlines()] or ["    (empty)"]
    return "\n".join(lines)


def name_list(names):
    return [show(n) for n in names]


def remove_tree(path):
    if not os.path.lexists(path):
        return
    # Cases leave directories without permissions behind.
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            full = os.path.join(root, d)
            if not os.path.islink(full):
                os.chmod(full, 0o700)
    shutil.rmtree(path)


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--ctxpack", default=os.environ.get("CTXPACK"),
                        help="the ctxpack binary (default: $CTXPACK)")
    parser.add_argument("--count", type=int, default=200, help="number of generated contexts")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first generated context")
    parser.add_argument("--case", action="append", default=[],
                        help="run only this case (gen-SEED or a fixed name); repeatable")
    parser.add_argument("--keep", action="store_true",
                        help="keep the case directories and uploads (printed at the end)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case")
    return parser.parse_args()


def main(description, check, prepare=None):
    """Run `check(case, casedir, upload, ctxpack, outdir) -> [problem]` over all cases.

    `prepare(case)` may change each case before it is built."""
    args = parse_args(description)
    if not os.access(DOCKER, os.X_OK):
        print("SKIP: the docker client %s is not installed" % DOCKER)
        return SKIP
    if args.case:
        names = args.case
    else:
        names = list(contexts.FIXED) + ["gen-%d" % s for s in range(args.seed, args.seed + args.count)]
    if not args.ctxpack or not os.access(args.ctxpack, os.X_OK):
        print("FAIL: no ctxpack binary (got %r; pass --ctxpack PATH or set CTXPACK)" % args.ctxpack)
        print("0 passed, %d failed" % len(names))
        return 1
    ctxpack = os.path.abspath(args.ctxpack)

    work = tempfile.mkdtemp(prefix="ctxpack-e2e-")
    # Some cases run as nobody, who must reach the context, the socket and the outputs.
    os.chmod(work, 0o755)
    passed = failed = 0
    started = time.monotonic()
    try:
        with DockerClient(work) as docker:
            for name in names:
                case = contexts.case_by_name(name)
                if prepare:
                    prepare(case)
                casedir = os.path.join(work, name)
                outdir = os.path.join(work, name + ".out")
                os.makedirs(outdir, mode=0o777)
                os.chmod(outdir, 0o777)
                upload = Upload(0, b"", "", None)
                try:
                    case.tree.materialize(casedir)
                    upload = docker.build(case, casedir)
                    if args.keep and upload.tar is not None:
                        with open(os.path.join(casedir, "docker-upload.tar"), "wb") as f:
                            f.write(upload.tar)
                    problems = check(case, casedir, upload, ctxpack, outdir)
                except Exception:
                    # One broken case (or a hanging ctxpack) must not hide the others.
                    problems = ["harness error:\n" + traceback.format_exc()]
                if problems:
                    failed += 1
                    print("FAIL " + describe(case))
                    for note in case.tree.notes:
                        print("  note: " + note)
                    if upload.returncode:
                        print("  docker exited %d: %s" % (upload.returncode, upload.stderr.strip()))
                    for problem in problems[:MAX_PROBLEMS]:
                        print("  " + problem.replace("\n", "\n  "))
                    if len(problems) > MAX_PROBLEMS:
                        print("  ... and %d more" % (len(problems) - MAX_PROBLEMS))
                else:
                    passed += 1
                    if args.verbose:
                        print("ok   %s%s" % (name, "  (docker failed: %s)" % upload.stderr.strip()
                                             if upload.returncode else ""))
                if not args.keep:
                    remove_tree(casedir)
                    remove_tree(outdir)
    finally:
        if args.keep:
            print("kept: %s" % work)
        else:
            remove_tree(work)
    print("ran %d cases in %.1fs" % (passed + failed, time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def entry_point(description, check, prepare=None):
    sys.exit(main(description, check, prepare))
