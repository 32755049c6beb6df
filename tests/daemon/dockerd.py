#!/usr/bin/env python3
"""A private, network-less Docker daemon for end-to-end tests.

Debian's docker.io (20.10) provides dockerd, containerd and the 20.10 client.
Daemon() starts a dockerd of its own in a fresh directory: vfs storage, no
bridge, no iptables, its own containerd under its exec root, its own socket,
an empty daemon.json (so /etc/docker is never read). Only `FROM scratch`
images can be built: nothing can be pulled, nothing reaches the network.

    with Daemon() as docker:
        result = docker.build("path/to/context", builder="buildkit")
        if result.ok:
            for entry in docker.image_files(result.image_id):
                ...
        docker.remove_images()

Two clients, because each builder needs its own:
  - legacy:   /usr/local/bin/docker (28.x) with DOCKER_BUILDKIT=0;
  - buildkit: /usr/bin/docker (Debian's 20.10) with DOCKER_BUILDKIT=1, since the
              28.x client only does BuildKit through the buildx plugin.

Command line, for poking at a daemon by hand: see USAGE.
"""

import collections
import ctypes
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse

DOCKERD = "/usr/sbin/dockerd"
CONTAINERD = "/usr/bin/containerd"
LEGACY_CLIENT = os.environ.get("DOCKER_CLIENT", "/usr/local/bin/docker")
BUILDKIT_CLIENT = "/usr/bin/docker"
INSTALL_HINT = "apt-get install -y --no-install-recommends docker.io"
NOBODY = 65534
START_TIMEOUT = 60
STOP_TIMEOUT = 30
BUILD_TIMEOUT = 180
USAGE = """\
usage: dockerd.py start [DIR]   start a daemon in DIR (default: a new /tmp/ctxpack-dockerd-*),
                                print `export DOCKER_HOST=...` and leave it running
       dockerd.py status [DIR]  say whether it answers
       dockerd.py stop [DIR]    stop it and remove DIR
Without DIR, status and stop use the directory the last `start` recorded.
"""
LAST_DIR_RECORD = os.path.join(tempfile.gettempdir(), "ctxpack-dockerd.last")

FileEntry = collections.namedtuple(
    "FileEntry", "path type mode uid gid size sha256 linkname")
FileEntry.__doc__ = """One entry of an image's merged filesystem.

path      absolute, no trailing slash ("/ctx/a")
type      file, dir, symlink, hardlink, char, block or fifo
mode      permission bits with setuid/setgid/sticky (mode & 0o7777)
size      content size of a file, else 0 (a hardlink: that of what it links to)
sha256    hex digest of a file's content, else None (a hardlink: as size)
linkname  symlink target verbatim, the absolute path a hardlink points to,
          "MAJOR:MINOR" for devices, else ""
"""

BuildResult = collections.namedtuple("BuildResult", "ok image_id output")


class DaemonError(Exception):
    """The daemon or a client did not behave (not: a build failed)."""


def _text(body):
    return (body or b"").decode("utf-8", "replace").strip()


def _expect(method, path, status, body, ok):
    if status not in ok:
        raise DaemonError("%s %s: HTTP %d %s" % (method, path, status, _text(body)))


def missing_packages():
    """What of docker.io this machine lacks, as a list of paths (empty: all there)."""
    return [p for p in (DOCKERD, CONTAINERD, BUILDKIT_CLIENT, LEGACY_CLIENT)
            if not os.access(p, os.X_OK)]


def require_installed():
    missing = missing_packages()
    if missing:
        raise DaemonError("missing %s (the legacy client is /usr/local/bin/docker; the rest "
                          "comes from Debian's docker.io: %s)" % (", ".join(missing), INSTALL_HINT))


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


class Daemon:
    """A dockerd of our own; use as a context manager so it never outlives the test.

    allow_uid: also let this uid use the socket (for builds run as an
    unprivileged user); root only otherwise.
    """

    def __init__(self, directory=None, allow_uid=None, keep_running=False):
        require_installed()
        self.dir = directory
        self.allow_uid = allow_uid
        # Unless told to outlive us (`dockerd.py start`), dockerd is told to
        # stop when this process dies, even by SIGKILL (a test timing out).
        self.keep_running = keep_running
        self.process = None

    # -- lifetime ----------------------------------------------------------

    @property
    def socket_path(self):
        return os.path.join(self.dir, "docker.sock")

    @property
    def host(self):
        return "unix://" + self.socket_path

    def start(self):
        if self.dir is None:
            # Short: the socket path must fit in sun_path (108 bytes).
            self.dir = tempfile.mkdtemp(prefix="ctxpack-dockerd-", dir="/tmp")
        else:
            os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, "daemon.json"), "w") as f:
            f.write("{}\n")
        log = open(os.path.join(self.dir, "dockerd.log"), "wb")
        try:
            self.process = subprocess.Popen(
                [DOCKERD,
                 "--config-file", os.path.join(self.dir, "daemon.json"),
                 "--storage-driver", "vfs",
                 "--iptables=false", "--ip6tables=false", "--ip-forward=false",
                 "--ip-masq=false", "--userland-proxy=false", "--bridge=none",
                 "--data-root", os.path.join(self.dir, "data"),
                 "--exec-root", os.path.join(self.dir, "exec"),
                 "--pidfile", os.path.join(self.dir, "docker.pid"),
                 "-H", self.host],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, env=_daemon_env(),
                preexec_fn=None if self.keep_running else _stop_when_parent_dies)
        finally:
            log.close()
        try:
            self._wait_ready()
            if self.allow_uid is not None:
                # Traversal only: the user reaches the socket, not the daemon's files.
                os.chmod(self.dir, 0o711)
                os.chown(self.socket_path, self.allow_uid, -1)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DaemonError("dockerd exited with status %d:\n%s"
                                  % (self.process.returncode, self.log_tail()))
            if self.ping():
                return
            time.sleep(0.1)
        raise DaemonError("dockerd did not answer /_ping within %ds:\n%s"
                          % (START_TIMEOUT, self.log_tail()))

    def ping(self):
        try:
            status, body = self.request("GET", "/_ping", timeout=5)
        except OSError:
            return False
        return status == 200 and body == b"OK"

    def stop(self):
        """Stop dockerd and its containerd, unmount what it mounted, remove the directory."""
        if self.process is not None:
            _stop_group(self.process.pid, self.process)
            self.process = None
        if self.dir is None:
            return
        # dockerd starts containerd in a session of its own and normally stops it;
        # make sure, since a stray containerd would outlive the test.
        pid = _read_pid(os.path.join(self.dir, "exec", "containerd", "containerd.pid"))
        if pid and _is_process(pid, CONTAINERD):
            _stop_group(pid, None)
        _unmount_below(self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log_tail(self, lines=30):
        try:
            with open(os.path.join(self.dir, "dockerd.log"), "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- API -----------------------------------------------------------------

    def request(self, method, path, timeout=60, into=None):
        """One API call; returns (status, body), or (status, None) with the body copied to `into`."""
        conn = _UnixConnection(self.socket_path, timeout)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            if into is None or response.status != 200:
                return response.status, response.read()
            shutil.copyfileobj(response, into, 1 << 20)
            return response.status, None
        finally:
            conn.close()

    def _api(self, method, path, ok=(200,), **kwargs):
        status, body = self.request(method, path, **kwargs)
        _expect(method, path, status, body, ok)
        return body

    def images(self):
        return [image["Id"] for image in json.loads(self._api("GET", "/images/json?all=1"))]

    def remove_image(self, image_id):
        self._api("DELETE", "/images/%s?force=1" % urllib.parse.quote(image_id, safe=""),
                  ok=(200, 404))

    def remove_images(self):
        """Delete every image and the BuildKit cache, so the next test starts from nothing.

        The classic builder leaves intermediate images that are the parents
        of others; the daemon refuses (409) to delete a parent before its
        children, whatever the listing order, so refused ones are retried
        while each round deletes something.
        """
        pending = self.images()
        while pending:
            refused = []
            for image in pending:
                path = "/images/%s?force=1" % urllib.parse.quote(image, safe="")
                status, body = self.request("DELETE", path)
                if status == 409:
                    refused.append((image, body))
                else:
                    _expect("DELETE", path, status, body, (200, 404))
            if len(refused) == len(pending):
                raise DaemonError("cannot delete images: %s" % "; ".join(_text(body) for _, body in refused))
            pending = [image for image, _ in refused]
        self._api("POST", "/build/prune?all=1", timeout=120)

    # -- clients -------------------------------------------------------------

    def client_env(self, builder, uid=None):
        """Environment for a docker client against this daemon, with a fresh, empty config.

        Fresh every time because the 20.10 client keys BuildKit's context
        transfer on its config's .buildNodeID and the context path as typed:
        with both the same, the daemon starts from the previous transfer and
        keeps any file whose size and mtime match, whatever its content.
        """
        config = tempfile.mkdtemp(prefix="config-", dir=self.dir)
        if uid is not None:
            os.chown(config, uid, -1)
        return self._env(builder, config)

    def _env(self, builder, config):
        if builder not in ("legacy", "buildkit"):
            raise ValueError("builder must be 'legacy' or 'buildkit', not %r" % (builder,))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("DOCKER_") and not k.startswith("BUILDKIT_")}
        env.update(DOCKER_HOST=self.host, DOCKER_CONFIG=config,
                   DOCKER_BUILDKIT="1" if builder == "buildkit" else "0")
        if builder == "buildkit":
            env["BUILDKIT_PROGRESS"] = "plain"
        return env

    def client(self, builder):
        return BUILDKIT_CLIENT if builder == "buildkit" else LEGACY_CLIENT

    def build(self, context, dockerfile=None, builder="buildkit", build_args=None,
              target=None, cwd=None, uid=None, extra_args=(), dockerfile_text=None):
        """Build an image; returns BuildResult(ok, image_id or None, client output).

        context:    a directory, or the bytes of a tar sent on stdin (`docker build -`)
        dockerfile: the -f argument as given (relative to cwd for a directory
                    context, a path inside the tar for a stdin context)
        dockerfile_text: bytes sent on stdin with `-f -` (a directory context only)
        uid:        run the client as this user (the daemon needs allow_uid=uid)
        A failed build is a result, not an exception: many tests expect one.
        """
        if uid is not None and uid != self.allow_uid:
            raise DaemonError("the daemon was started without allow_uid=%d" % uid)
        # The client's config and the image ID file; a fresh config, see client_env.
        scratch = tempfile.mkdtemp(prefix="build-", dir=self.dir)
        if uid is not None:
            os.chown(scratch, uid, -1)
        iidfile = os.path.join(scratch, "iid")
        args = ["build", "--iidfile", iidfile]
        if dockerfile_text is not None:
            args += ["-f", "-"]
        elif dockerfile is not None:
            args += ["-f", dockerfile]
        for key, value in (build_args or {}).items():
            args += ["--build-arg", "%s=%s" % (key, value)]
        if target is not None:
            args += ["--target", target]
        args += list(extra_args)
        if isinstance(context, (bytes, bytearray)):
            args.append("-")
            feed = {"input": context}
        elif dockerfile_text is not None:
            args.append(os.fspath(context))
            feed = {"input": dockerfile_text}
        else:
            args.append(os.fspath(context))
            feed = {"stdin": subprocess.DEVNULL}
        prefix = []
        if uid is not None:
            prefix = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid, "--clear-groups"]
        try:
            proc = subprocess.run(prefix + [self.client(builder)] + args, cwd=cwd,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  env=self._env(builder, scratch), timeout=BUILD_TIMEOUT,
                                  **feed)
        except subprocess.TimeoutExpired as e:
            raise DaemonError("docker build timed out after %ds:\n%s"
                              % (BUILD_TIMEOUT, (e.output or b"").decode("utf-8", "replace")))
        finally:
            image_id = _read_text(iidfile)
            shutil.rmtree(scratch)
        output = proc.stdout.decode("utf-8", "replace")
        if proc.returncode == 0 and image_id is None:
            raise DaemonError("docker build exited 0 without an image ID:\n" + output)
        return BuildResult(proc.returncode == 0, image_id, output)

    # -- image contents --------------------------------------------------------

    def image_files(self, image_id):
        """Every entry of the image's filesystem (its layers merged), sorted by path bytes."""
        with tempfile.TemporaryFile(dir=self.dir) as saved:
            self._api("GET", "/images/%s/get" % urllib.parse.quote(image_id, safe=""),
                      into=saved, timeout=300)
            saved.seek(0)
            with tarfile.open(fileobj=saved, mode="r:") as outer:
                manifest = json.load(outer.extractfile("manifest.json"))
                if len(manifest) != 1:
                    raise DaemonError("docker save returned %d images" % len(manifest))
                tree = {}
                for layer in manifest[0]["Layers"]:
                    with tarfile.open(fileobj=outer.extractfile(layer), mode="r:") as tar:
                        _apply_layer(tree, tar)
        return _entries(tree)


def _apply_layer(tree, tar):
    """Merge one layer into `tree` (path -> [TarInfo, size, sha256]), honouring whiteouts."""
    for info in tar:
        path = "/" + info.name.strip("/")
        parent, _, base = path.rpartition("/")
        parent = parent or "/"
        if base == ".wh..wh..opq":
            _remove_below(tree, parent)
            continue
        if base.startswith(".wh."):
            gone = (parent.rstrip("/") + "/" + base[4:])
            tree.pop(gone, None)
            _remove_below(tree, gone)
            continue
        if path == "/":
            continue
        size, digest = 0, None
        if info.isreg():
            h = hashlib.sha256()
            f = tar.extractfile(info)
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
            size, digest = info.size, h.hexdigest()
        if info.isdir() and path in tree and tree[path][0].isdir():
            tree[path][0] = info  # a directory entry in a later layer only updates metadata
        else:
            if path in tree and not info.isdir():
                _remove_below(tree, path)
            tree[path] = [info, size, digest]


def _remove_below(tree, path):
    prefix = path.rstrip("/") + "/"
    for p in [p for p in tree if p.startswith(prefix)]:
        del tree[p]


_TYPES = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir",
          tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink", tarfile.CHRTYPE: "char",
          tarfile.BLKTYPE: "block", tarfile.FIFOTYPE: "fifo"}


def _entries(tree):
    entries = []
    for path in sorted(tree, key=os.fsencode):
        info, size, digest = tree[path]
        kind = _TYPES.get(info.type)
        if kind is None:
            raise DaemonError("unexpected tar entry type %r for %s" % (info.type, path))
        link = ""
        if kind == "symlink":
            link = info.linkname
        elif kind == "hardlink":
            link = "/" + info.linkname.strip("/")
            target = tree.get(link)
            if target is None:
                raise DaemonError("hardlink %s points to missing %s" % (path, link))
            size, digest = target[1], target[2]
        elif kind in ("char", "block"):
            link = "%d:%d" % (info.devmajor, info.devminor)
        entries.append(FileEntry(path, kind, info.mode & 0o7777, info.uid, info.gid,
                                 size, digest, link))
    return entries


# -- processes ---------------------------------------------------------------------

def _daemon_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    # containerd and runc are found through PATH; make sure sbin is on it.
    env["PATH"] = env.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    return env


def _stop_when_parent_dies():
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _read_text(path):
    try:
        with open(path) as f:
            return f.read().strip() or None
    except FileNotFoundError:
        return None


def _read_pid(path):
    text = _read_text(path)
    return int(text) if text and text.isdigit() else None


def _is_process(pid, executable):
    try:
        return os.readlink("/proc/%d/exe" % pid) == executable
    except OSError:
        return False


def _stop_group(pid, popen):
    """SIGTERM the process group led by pid, wait, then SIGKILL whatever is left."""
    def alive():
        if popen is not None:
            return popen.poll() is None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        # A zombie of someone else's: gone as far as we are concerned.
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 10)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not alive():
            break
    if popen is not None:
        popen.wait(timeout=10)
    # Members of the group that outlived their leader.
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _unmount_below(directory):
    """dockerd bind-mounts its data root onto itself; unmount anything left below `directory`."""
    prefix = os.path.realpath(directory) + "/"
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    points = [p.encode().decode("unicode_escape") for p in points]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


# -- command line ---------------------------------------------------------------

def main(argv):
    if len(argv) < 2 or argv[1] not in ("start", "stop", "status") or len(argv) > 3:
        sys.stderr.write(USAGE)
        return 2
    command = argv[1]
    directory = argv[2] if len(argv) == 3 else None
    if command != "start" and directory is None:
        try:
            with open(LAST_DIR_RECORD) as f:
                directory = f.read().strip()
        except FileNotFoundError:
            sys.stderr.write("no daemon started with `dockerd.py start` is on record\n")
            return 1
    try:
        if command == "start":
            daemon = Daemon(directory, keep_running=True).start()
            with open(LAST_DIR_RECORD, "w") as f:
                f.write(daemon.dir + "\n")
            print("export DOCKER_HOST=%s" % daemon.host)
            print("# legacy:   DOCKER_BUILDKIT=0 %s build ..." % LEGACY_CLIENT)
            print("# buildkit: DOCKER_BUILDKIT=1 %s build ..." % BUILDKIT_CLIENT)
            print("# stop with: %s stop %s" % (argv[0], daemon.dir))
            return 0
        daemon = Daemon(directory)
        if command == "status":
            running = os.path.exists(daemon.socket_path) and daemon.ping()
            print("%s: %s" % (directory, "running" if running else "not running"))
            return 0 if running else 1
        pid = _read_pid(os.path.join(directory, "docker.pid"))
        if pid and _is_process(pid, DOCKERD):
            _stop_group(pid, None)
        daemon.stop()
        if os.path.exists(LAST_DIR_RECORD):
            os.unlink(LAST_DIR_RECORD)
        print("stopped; removed %s" % directory)
        return 0
    except DaemonError as e:
        sys.stderr.write("dockerd.py: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
