#!/usr/bin/env python3
"""The composite action (action.yml): every input reaches its step as
INPUT_<NAME>, and the steps' scripts, run as the runner runs them, install
nothing when ctxpack is on PATH, turn the inputs into report's flags (a
gate fails the step, yet the annotations or the SARIF file are complete),
and set the sarif-file output.

With --build-from-source, the other path of the install step: no ctxpack
on PATH, so it builds one from the checkout into ~/.local (with the
packages present, apt-get must not run: a stub on PATH fails the test if
it does) and the report step then uses what it built."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import yaml

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def run_step(src, base, script, **inputs):
    """One of the action's scripts, as the runner runs it."""
    env = dict(base, **{"INPUT_" + k.upper(): v for k, v in inputs.items()})
    open(base["GITHUB_OUTPUT"], "w").close()
    return subprocess.run(["bash", os.path.join(src, "ci/action", script)], cwd=base["HOME"], env=env,
                          capture_output=True, text=True)


def build_packages(text, start, end):
    """The package names between the lines `start` and `end` of a script."""
    block = text[text.index(start) + len(start):]
    block = block[:block.index(end)]
    return {w for line in block.splitlines() for w in line.split("#")[0].split() if not w.startswith(("(", ")"))}


def build_from_source(src):
    context = os.path.join(src, "testdata/example")
    # What the build needs (.ci/run's build group) the action installs too;
    # a runner does not have the project's CI packages.
    ci = build_packages(open(os.path.join(src, ".ci/run")).read(), "# build\n", "\n  #")
    action = build_packages(open(os.path.join(src, "ci/action/install.sh")).read(), "packages=(", ")")
    for p in sorted(p for p in ci if p.endswith("-dev") and not p.startswith(("libgtest", "libgmock", "libbenchmark"))):
        if p not in action:
            fail(f"install.sh does not install {p}, which the build needs (.ci/run)")
    with tempfile.TemporaryDirectory() as tmp:
        stubs = os.path.join(tmp, "stubs")
        os.makedirs(stubs)
        for name in ("apt-get", "sudo"):
            with open(os.path.join(stubs, name), "w") as f:
                f.write("#!/bin/sh\necho \"$0 $*: the packages should be installed already\" >&2\nexit 1\n")
            os.chmod(os.path.join(stubs, name), 0o755)
        path = [stubs] + [d for d in os.environ["PATH"].split(":") if not os.path.exists(os.path.join(d, "ctxpack"))]
        base = {"PATH": ":".join(path), "GITHUB_OUTPUT": os.path.join(tmp, "output"),
                "GITHUB_PATH": os.path.join(tmp, "path"), "CTXPACK_SOURCE": src, "HOME": tmp}
        r = run_step(src, base, "install.sh")
        installed = os.path.join(tmp, ".local", "bin")
        if r.returncode != 0 or not r.stdout.startswith("ctxpack "):
            return fail(f"install.sh without ctxpack on PATH: {r.returncode} {r.stdout}{r.stderr[-2000:]}")
        if open(base["GITHUB_PATH"]).read().split() != [installed]:
            fail(f"GITHUB_PATH: {open(base['GITHUB_PATH']).read()!r}, not {installed}")
        for rel in ("share/man/man1/ctxpack.1", "lib/docker/cli-plugins/docker-ctxpack"):
            if not os.path.exists(os.path.join(tmp, ".local", rel)):
                fail(f"install.sh did not install {rel}")
        if [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("tmp.") and
                os.path.exists(os.path.join(tempfile.gettempdir(), n, "build.ninja"))]:
            fail("install.sh left its build directory behind")
        # The next step finds the program through GITHUB_PATH.
        base["PATH"] = installed + ":" + base["PATH"]
        r = run_step(src, base, "report.sh", context=context, fail_on="warning")
        if r.returncode != 1 or "::warning file=" not in r.stdout:
            fail(f"report.sh with the built ctxpack: {r.returncode}\n{r.stdout}{r.stderr}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--build-from-source", action="store_true")
    args = ap.parse_args()
    src = os.path.abspath(args.source_dir)
    if args.build_from_source:
        build_from_source(src)
        print("PASS" if not failures else f"{len(failures)} failures")
        return 1 if failures else 0
    action = yaml.safe_load(open(os.path.join(src, "action.yml")))
    steps = action["runs"]["steps"]
    env_of_steps = {k: v for s in steps for k, v in s.get("env", {}).items()}
    for name in action["inputs"]:
        key = "INPUT_" + name.upper().replace("-", "_")
        if env_of_steps.get(key) != "${{ inputs.%s }}" % name:
            fail(f"input {name} does not reach a step as {key}")
    for s in steps:
        script = s["run"].split('"')[1].replace("${{ github.action_path }}", src)
        if not os.path.isfile(script):
            fail(f"step {s['name']} runs {script}, which does not exist")

    context = os.path.join(src, "testdata/example")
    with tempfile.TemporaryDirectory() as tmp:
        base = {"PATH": os.path.dirname(os.path.abspath(args.ctxpack)) + ":" + os.environ["PATH"],
                "GITHUB_OUTPUT": os.path.join(tmp, "output"), "GITHUB_PATH": os.path.join(tmp, "path"),
                "CTXPACK_SOURCE": src, "HOME": tmp}

        def step(script, **inputs):
            return run_step(src, base, script, **inputs)

        r = step("install.sh")
        if r.returncode != 0 or "using" not in r.stdout or os.path.exists(base["GITHUB_PATH"]):
            fail(f"install.sh with ctxpack on PATH: {r.returncode} {r.stdout}{r.stderr}")

        r = step("report.sh", context=context, fail_on="warning")
        if r.returncode != 1 or "::warning file=" not in r.stdout or "at or above --fail-on warning" not in r.stderr:
            fail(f"format github, fail-on warning: {r.returncode}\n{r.stdout}{r.stderr}")
        r = step("report.sh", context=context, fail_on="", max_size="1GB", builder="legacy")
        if r.returncode != 0 or "ctxpack report:" not in r.stdout:
            fail(f"format github, gates met: {r.returncode}\n{r.stdout}{r.stderr}")

        r = step("report.sh", context=context, format="sarif", sarif_file="out.sarif", max_files="1")
        out = open(base["GITHUB_OUTPUT"]).read()
        if r.returncode != 1 or "over --max-files 1" not in r.stderr or "sarif-file=out.sarif" not in out:
            fail(f"format sarif, max-files 1: {r.returncode} {out!r}\n{r.stderr}")
        try:
            sarif = json.load(open(os.path.join(tmp, "out.sarif")))
            if sarif["version"] != "2.1.0" or not sarif["runs"][0]["results"]:
                fail("the SARIF file holds no results")
        except (OSError, ValueError, KeyError) as e:
            fail(f"the SARIF file: {e}")
        r = step("report.sh", context=context, format="xml")
        if r.returncode != 2:
            fail(f"format xml accepted: {r.returncode}")
    print("PASS" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
