#!/usr/bin/env python3
"""Replays the ignore-file fuzz corpus through Docker's own reader and
matcher (the conformance oracle, tests/conformance/oracle, built here with
Debian's Go and moby sources) and through ctxpack (oracle_replay), and
reports every input on which they disagree: the fuzz target's own reference
covers literal patterns only, this covers everything the fuzzer found.

    fuzz/differential.py BUILD_DIR CORPUS_DIR...
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATCH = 400

# A Go Unicode class escape (\pL, \PP, \p{Greek}) not itself escaped: the
# one syntax ctxpack's regex engine refuses where Go accepts it
# (include/ctxpack/regex.h, README "Limitations"). Disagreements on inputs
# holding one are listed as that known deviation and do not fail the run.
UNICODE_CLASS = re.compile(rb"(?:^|[^\\])(?:\\\\)*\\[pP]")


def build_oracle(build):
    oracle = os.path.join(build, "docker_oracle")
    source = os.path.join(ROOT, "tests", "conformance", "oracle", "main.go")
    if os.path.exists(oracle) and os.path.getmtime(oracle) >= os.path.getmtime(source):
        return oracle
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="",
               GOCACHE=os.path.join(build, "gocache"))
    try:
        subprocess.run(["go", "build", "-o", oracle, source], env=env, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit("differential.py: cannot build Docker's matcher oracle (apt-get install golang-go "
                 "golang-github-moby-patternmatcher-dev golang-github-docker-docker-dev): %s" % e)
    return oracle


def cases(output):
    """The answer to each case, with error messages left out."""
    out, current = [], []
    for line in output.splitlines():
        if line == b"E":
            out.append(current)
            current = []
            continue
        words = line.split()
        if words[:1] in ([b"R"], [b"N"]) and words[1:2] == [b"err"]:
            words = words[:2]
        current.append(words)
    return out


def decode(field):
    return b"" if field == b"-" else bytes.fromhex(field.decode())


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    build = os.path.abspath(argv[1])
    oracle = build_oracle(build)
    replay = os.path.join(build, "oracle_replay")
    files = sorted(os.path.join(d, n) for d in argv[2:] if os.path.isdir(d) for n in os.listdir(d))
    differing = known = 0
    for start in range(0, len(files), BATCH):
        batch = files[start:start + BATCH]
        request = subprocess.run([replay, "--request", *batch], capture_output=True, check=True).stdout
        docker = cases(subprocess.run([oracle], input=request, capture_output=True, check=True).stdout)
        ours = cases(subprocess.run([replay], input=request, capture_output=True, check=True).stdout)
        paths = [[decode(line.split()[1]) for line in case.splitlines() if line.startswith(b"T ")]
                 for case in request.split(b"E\n")[:-1]]
        if not (len(docker) == len(ours) == len(batch)):
            sys.exit("differential.py: %d inputs, %d answers from Docker, %d from ctxpack" % (
                len(batch), len(docker), len(ours)))
        for name, want, got, judged in zip(batch, docker, ours, paths):
            if want == got:
                continue
            if any(UNICODE_CLASS.search(decode(p)) for p in want[0][2:]):
                known += 1
                print("differential.py: %s: known deviation (a Unicode class in a pattern)" % name)
                continue
            differing += 1
            print("differential.py: %s: ctxpack and Docker disagree" % name)
            if want[:1] != got[:1] or want[1:2] != got[1:2]:
                print("  reading/compiling: Docker %s, ctxpack %s" % (want[:2], got[:2]))
                continue
            print("  patterns: %r" % [decode(p) for p in want[0][2:]])
            verdicts = [(p, w, g) for p, w, g in zip(judged, want[2:], got[2:]) if w != g]
            for path, w, g in verdicts[:4]:
                print("  %r: Docker %s, ctxpack %s (MatchesOrParentMatches, walk, Matches)" % (
                    path, b" ".join(w[1:]).decode(), b" ".join(g[1:]).decode()))
    print("differential.py: %d inputs replayed, %d where ctxpack differs from Docker, %d known deviations" % (
        len(files), differing, known))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
