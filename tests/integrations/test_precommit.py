#!/usr/bin/env python3
"""The ctxpack-report hook of .pre-commit-hooks.yaml, run by Debian's
pre-commit on a throwaway repository: skipped when no context file
changes, failing a commit whose .dockerignore leaves a gate failing, and
passing once it is fixed. The hooks repository is a copy of the hook file
as it is in the source tree, so the test sees uncommitted edits."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def git(repo, *args, env=None):
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, env=env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HOME=tmp, PRE_COMMIT_HOME=os.path.join(tmp, "cache"),
                   PATH=os.path.dirname(os.path.abspath(args.ctxpack)) + ":" + os.environ["PATH"],
                   GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
        hooks = os.path.join(tmp, "hooks")
        os.mkdir(hooks)
        shutil.copy(os.path.join(args.source_dir, ".pre-commit-hooks.yaml"), hooks)
        git(hooks, "init", "-q", env=env)
        git(hooks, "add", ".", env=env)
        git(hooks, "commit", "-qm", "hooks", env=env)
        rev = git(hooks, "rev-parse", "HEAD").stdout.strip()

        repo = os.path.join(tmp, "project")
        os.mkdir(repo)
        git(repo, "init", "-q", env=env)
        with open(os.path.join(repo, ".pre-commit-config.yaml"), "w") as f:
            f.write(f"repos:\n- repo: {hooks}\n  rev: {rev}\n  hooks:\n  - id: ctxpack-report\n"
                    "    args: [--max-files, '3']\n")
        files = {"Dockerfile": "FROM scratch\nCOPY . /\n", "README.md": "x\n", "a.txt": "a\n", "b.txt": "b\n",
                 "c.txt": "c\n"}
        for name, text in files.items():
            with open(os.path.join(repo, name), "w") as f:
                f.write(text)

        def commit(paths, message):
            git(repo, "add", *paths, env=env)
            r = subprocess.run(["pre-commit", "run"], cwd=repo, capture_output=True, text=True, env=env)
            git(repo, "commit", "-qm", message, "--no-verify", env=env)
            return r

        r = commit(["README.md", ".pre-commit-config.yaml"], "readme")
        if r.returncode != 0 or "(no files to check)Skipped" not in r.stdout.replace(".", ""):
            fail(f"a README change ran the hook: {r.returncode}\n{r.stdout}{r.stderr}")
        r = commit(["Dockerfile", "a.txt", "b.txt", "c.txt"], "six files sent")
        if r.returncode != 1 or "over --max-files 3" not in r.stdout:
            fail(f"a context over --max-files passed the hook: {r.returncode}\n{r.stdout}{r.stderr}")
        with open(os.path.join(repo, ".dockerignore"), "w") as f:
            f.write(".git\n*.txt\nREADME.md\n.pre-commit-config.yaml\n")
        r = commit([".dockerignore"], "ignore")
        if r.returncode != 0 or "Passed" not in r.stdout:
            fail(f"the fixed context failed the hook: {r.returncode}\n{r.stdout}{r.stderr}")
    print("PASS" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
