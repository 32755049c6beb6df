"""Writing generated working copies for the suites that judge advice
(tests/advice, tests/fix): files, and a git commit of what is there so far
(what a fresh clone would have)."""
import os
import subprocess


def write(root, rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(data)


def commit_all(root):
    git = ["git", "-C", root, "-c", "user.email=a@b", "-c", "user.name=a"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "c", "--allow-empty"], check=True)
