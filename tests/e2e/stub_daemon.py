#!/usr/bin/env python3
"""A fake Docker daemon on a unix socket that records what `docker build` uploads.

It speaks just enough of the Engine API for the classic (legacy) builder path of
the docker CLI: the ping that negotiates the API version and tells the client
not to use BuildKit, /version and /info, and POST /build, whose body (the build
context tar) is recorded byte for byte. The reply to /build is a well-formed
JSON message stream ending in an image ID, so the client exits 0 whenever it
managed to send the context.

Used in-process by dockerctx.py (StubDaemon), or standalone:

    stub_daemon.py SOCKET OUTDIR

which writes OUTDIR/build-N.tar (the body) and OUTDIR/build-N.json (method,
path, query, headers) for the N-th build request, and runs until SIGINT/SIGTERM.
"""

import hashlib
import http.server
import json
import os
import queue
import signal
import socketserver
import sys
import threading
import urllib.parse

# The oldest API version that docker 28 still accepts, and the newest the
# Debian 20.10 daemon speaks: the client then behaves as it does against the
# daemon the real end-to-end tests use.
API_VERSION = "1.41"
DAEMON_VERSION = "20.10.24"


class BuildRequest:
    """One POST /build as the client sent it."""

    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query  # dict: name -> list of values, in the client's order
        self.headers = headers  # list of (name, value) pairs, as sent
        self.body = body

    def metadata(self):
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body_bytes": len(self.body),
            "body_sha256": hashlib.sha256(self.body).hexdigest(),
        }


class _Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 keeps the connection open between the ping and the build, as a
    # real daemon does; every reply therefore carries a Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "ctxpack-stub-daemon"
    sys_version = ""

    def log_message(self, fmt, *args):
        # A unix socket has no client address, and the client's own output is
        # what the tests look at; unexpected requests are recorded instead.
        pass

    def _reply(self, status, body=b"", content_type="application/json", head=False):
        self.send_response(status)
        self.send_header("Api-Version", API_VERSION)
        self.send_header("Ostype", "linux")
        self.send_header("Docker-Experimental", "false")
        # Builder-Version 1 is the classic builder: without DOCKER_BUILDKIT the
        # client would otherwise try to open a BuildKit session.
        self.send_header("Builder-Version", "1")
        self.send_header("Cache-Control", "no-cache, no-store, must-revalidate")
        self.send_header("Pragma", "no-cache")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _json(self, obj, status=200):
        self._reply(status, json.dumps(obj).encode())

    def _route(self):
        # Versioned paths look like /v1.41/build; unversioned ones are accepted too.
        path = urllib.parse.urlsplit(self.path).path
        parts = path.split("/", 2)
        if len(parts) == 3 and parts[1].startswith("v") and parts[1][1:2].isdigit():
            return "/" + parts[2]
        return path

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                line = self.rfile.readline()
                if not line:
                    raise ConnectionError("connection closed inside a chunked body")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    # Trailer fields, if any, end with an empty line.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length)

    def do_HEAD(self):
        if self._route() == "/_ping":
            self._reply(200, b"OK", "text/plain; charset=utf-8", head=True)
        else:
            self._unexpected()

    def do_GET(self):
        route = self._route()
        if route == "/_ping":
            self._reply(200, b"OK", "text/plain; charset=utf-8")
        elif route == "/version":
            self._json({
                "Version": DAEMON_VERSION, "ApiVersion": API_VERSION,
                "MinAPIVersion": "1.12", "Os": "linux", "Arch": "amd64",
                "KernelVersion": os.uname().release, "GoVersion": "go1.19.8",
                "GitCommit": "stub", "BuildTime": "", "Components": [],
            })
        elif route == "/info":
            self._json({
                "ID": "stub", "OSType": "linux", "Architecture": "x86_64",
                "ServerVersion": DAEMON_VERSION, "Driver": "vfs", "NCPU": 1,
                "Name": "ctxpack-stub", "IndexServerAddress": "https://index.docker.io/v1/",
            })
        else:
            self._unexpected()

    def do_POST(self):
        if self._route() != "/build":
            self._unexpected()
            return
        body = self._read_body()
        split = urllib.parse.urlsplit(self.path)
        request = BuildRequest(
            "POST", split.path,
            urllib.parse.parse_qs(split.query, keep_blank_values=True),
            list(self.headers.items()), body)
        # Recorded before the reply: when the client exits, its upload is complete.
        self.server.on_build(request)
        image_id = hashlib.sha256(body).hexdigest()
        messages = [
            {"stream": "Step 1/1 : FROM scratch\n"},
            {"stream": " ---> Running in stub\n"},
            {"aux": {"ID": "sha256:" + image_id}},
            {"stream": "Successfully built %s\n" % image_id[:12]},
        ]
        self._reply(200, b"".join(json.dumps(m).encode() + b"\r\n" for m in messages))

    def _unexpected(self):
        self.server.unexpected.append("%s %s" % (self.command, self.path))
        self._json({"message": "ctxpack stub daemon: unsupported request %s %s"
                    % (self.command, self.path)}, status=404)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    # Connections the client leaves open must not delay shutdown.
    block_on_close = False


class StubDaemon:
    """Serve on `socket_path` in a background thread until stop() (or `with`).

    Each build request is passed to `on_build` if given, else queued for
    `next_build()`. Requests the stub does not know are listed in `unexpected`.
    """

    def __init__(self, socket_path, on_build=None):
        self.socket_path = socket_path
        self._builds = queue.Queue()
        if os.path.exists(socket_path):
            os.unlink(socket_path)
        self._server = _Server(socket_path, _Handler)
        # The client may run as another user (unreadable-file cases).
        os.chmod(socket_path, 0o777)
        self._server.on_build = on_build or self._builds.put
        self._server.unexpected = []
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="stub-daemon", daemon=True)

    @property
    def unexpected(self):
        return self._server.unexpected

    @property
    def host(self):
        return "unix://" + self.socket_path

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def take_build(self):
        """The build request received since the last call, or None."""
        try:
            return self._builds.get_nowait()
        except queue.Empty:
            return None


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: stub_daemon.py SOCKET OUTDIR\n")
        return 2
    socket_path, outdir = argv[1], argv[2]
    os.makedirs(outdir, exist_ok=True)
    counter = [0]
    lock = threading.Lock()

    def save(request):
        with lock:
            counter[0] += 1
            base = os.path.join(outdir, "build-%d" % counter[0])
        # Written under a temporary name so a reader never sees half a file.
        with open(base + ".tar.part", "wb") as f:
            f.write(request.body)
        os.replace(base + ".tar.part", base + ".tar")
        with open(base + ".json", "w") as f:
            json.dump(request.metadata(), f, indent=1)
        sys.stderr.write("stub daemon: %s (%d bytes)\n" % (base + ".tar", len(request.body)))

    daemon = StubDaemon(socket_path, on_build=save)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with daemon:
        sys.stderr.write("stub daemon listening on %s\n" % daemon.host)
        stop.wait()
    for request in daemon.unexpected:
        sys.stderr.write("stub daemon: unexpected request %s\n" % request)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
