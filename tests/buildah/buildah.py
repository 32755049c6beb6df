"""Debian's real buildah, offline, for end-to-end tests.

Every Buildah() has a storage root of its own (vfs driver, so no kernel
overlay support is needed) and builds with chroot isolation and --pull=never:
only `FROM scratch` images can be built, nothing reaches the network. A few
can run at once, each in its own directory.

    b = Buildah(workdir)
    result = b.build(ctx, build_args={"A": "1"}, target="final")
    if result.ok:
        for entry in b.image_files(result.image_id): ...
    b.remove_images()

build() and image_files() answer as tests/daemon/dockerd.py's Daemon does,
so the same checks read both.
"""

import collections
import hashlib
import os
import stat
import subprocess

BuildResult = collections.namedtuple("BuildResult", "ok image_id output")
FileEntry = collections.namedtuple("FileEntry", "path type sha256 linkname")
BUILD_TIMEOUT = 180


class Buildah:
    def __init__(self, workdir):
        self.base = ["buildah", "--storage-driver", "vfs", "--root", os.path.join(workdir, "root"),
                     "--runroot", os.path.join(workdir, "runroot")]

    def run(self, *args, check=True, stdin=None):
        """buildah's output as text; `stdin`: bytes to feed it."""
        proc = subprocess.run(self.base + list(args), capture_output=True, check=check, timeout=BUILD_TIMEOUT,
                              input=stdin)
        return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(errors="replace"),
                                           proc.stderr.decode(errors="replace"))

    def build(self, context, dockerfile=None, build_args=None, target=None, dockerfile_text=None, **_builder):
        """BuildResult(ok, image ID or None, buildah's output); a failed build is a result.

        context: a directory, or the bytes of a tar sent on stdin (`buildah build -`)
        dockerfile_text: bytes sent on stdin with `-f -`."""
        args = ["build", "--isolation", "chroot", "--pull=never", "-q"]
        if dockerfile_text is not None:
            args += ["-f", "-"]
        elif dockerfile:
            args += ["-f", dockerfile]
        for key, value in (build_args or {}).items():
            args += ["--build-arg", "%s=%s" % (key, value)]
        if target:
            args += ["--target", target]
        stdin = dockerfile_text
        if isinstance(context, (bytes, bytearray)):
            stdin, context = context, "-"
        proc = self.run(*args, context, check=False, stdin=stdin)
        output = proc.stdout + proc.stderr
        if proc.returncode != 0:
            return BuildResult(False, None, output)
        return BuildResult(True, proc.stdout.strip().splitlines()[-1], output)

    def mounted(self, image_id, visit):
        """visit(root directory of the image's files), with the image mounted meanwhile."""
        container = self.run("from", "--pull=never", image_id).stdout.strip()
        try:
            return visit(self.run("mount", container).stdout.strip())
        finally:
            self.run("rm", container, check=False)

    def image_files(self, image_id):
        """Every entry of the image's filesystem, with absolute paths, sorted by path bytes."""
        return self.mounted(image_id, _entries)

    def remove_images(self):
        self.run("rmi", "--all", "--force", check=False)


def _entries(root):
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            path = "/" + os.path.relpath(full, root)
            mode = os.lstat(full).st_mode
            if stat.S_ISLNK(mode):
                entries.append(FileEntry(path, "symlink", None, os.readlink(full)))
            elif stat.S_ISDIR(mode):
                entries.append(FileEntry(path, "dir", None, ""))
            elif stat.S_ISREG(mode):
                with open(full, "rb") as f:
                    entries.append(FileEntry(path, "file", hashlib.sha256(f.read()).hexdigest(), ""))
            else:
                entries.append(FileEntry(path, "special", None, ""))
    return sorted(entries, key=lambda e: os.fsencode(e.path))
