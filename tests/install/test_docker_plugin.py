#!/usr/bin/env python3
"""The installed docker-ctxpack, driven by the real docker 28 client: the
plugin's metadata, `docker --help` listing it, `docker ctxpack ...` giving
what `ctxpack ...` gives, exit statuses included. DOCKER_CONFIG is a
temporary directory whose cli-plugins/ holds the installed plugin, so no
daemon and no user configuration is involved."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

DOCKER = "/usr/local/bin/docker"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--installed", required=True, help="the DESTDIR tree install_tree.py kept (prefix /usr)")
    ap.add_argument("--context", required=True)
    args = ap.parse_args()
    if not os.access(DOCKER, os.X_OK):
        print(f"SKIP: {DOCKER} (the docker 28 client) is missing")
        return 77
    root = os.path.join(os.path.abspath(args.installed), "usr")
    plugin = os.path.join(root, "lib/docker/cli-plugins/docker-ctxpack")
    ctxpack = os.path.join(root, "bin/ctxpack")

    meta = subprocess.run([plugin, "docker-cli-plugin-metadata"], capture_output=True, text=True)
    try:
        m = json.loads(meta.stdout)
        version = subprocess.run([ctxpack, "--version"], capture_output=True, text=True).stdout.split()[-1]
        if m.get("SchemaVersion") != "0.1.0" or m.get("Vendor") != "ctxpack" or m.get("Version") != version:
            fail(f"metadata {m}")
    except json.JSONDecodeError:
        fail(f"metadata is not JSON: {meta.stdout!r}")

    with tempfile.TemporaryDirectory() as config:
        os.mkdir(os.path.join(config, "cli-plugins"))
        os.symlink(plugin, os.path.join(config, "cli-plugins", "docker-ctxpack"))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DOCKER_CONFIG": config, "HOME": config}

        def docker(*a):
            return subprocess.run([DOCKER, *a], capture_output=True, text=True, env=env)

        listing = docker("--help").stdout
        if not any(l.split()[:1] == ["ctxpack*"] for l in listing.splitlines()):
            fail("docker --help does not list ctxpack")
        cases = [
            ["ls", args.context],
            ["ls", "--json", args.context],
            ["why", args.context, ".env", "docs/internal.md"],
            ["report", "--max-size", "200MB", "--format", "json", args.context],
            ["report", "--max-size", "1B", args.context],
            ["ls", "--no-such-flag"],
        ]
        for case in cases:
            d = docker("ctxpack", *case)
            c = subprocess.run([ctxpack, *case], capture_output=True, text=True)
            if (d.returncode, d.stdout) != (c.returncode, c.stdout) or not (c.stdout or c.returncode == 2):
                fail(f"docker ctxpack {' '.join(case)}: status {d.returncode}, ctxpack gives {c.returncode};"
                     f" stdout equal: {d.stdout == c.stdout}; stderr {d.stderr!r}")
        usage = docker("ctxpack", "--help").stdout
        if "Usage: docker ctxpack" not in usage:
            fail(f"docker ctxpack --help does not name itself: {usage[:200]!r}")
    print("PASS" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
