"""Helpers for the release-pipeline tests (publish, engine, results, CLI).

* ``small_image(store, ...)`` / ``small_archive(path, ...)``: tiny images made
  with the library's own layer/config/manifest writers (no TensorFlow), one
  or several platforms, with the ``io.hatch-aicontainer.*`` pin labels.
* ``runnable_archive(path, base_layout)``: an image on top of the offline
  Debian Python base (``python_base_layout`` fixture) that ``docker run`` can
  start: it prints a greeting.
* ``RegistryProxy(upstream)``: a loopback HTTP proxy in front of a real
  registry that records every request (to count uploads) and can inject
  faults: answer 5xx, or drop connections as a dead registry would, or run
  a callback after a request (to stop the real registry between blobs).
* ``skopeo_digest(ref)``: what an independent tool says the pushed digest is.
* ``assemble_image(store, platform, changes, layers)`` / ``built_from(store, images)``:
  the config + manifest of one platform's image, and the root (manifest or index)
  over one or several, for tests that write their own layers.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.archive import ArchiveImage, write_oci_archive
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Layer, Platform
from hatch_aicontainer.oci.image import ConfigChanges, image_config, image_index, image_manifest, rfc3339, store_json
from hatch_aicontainer.oci.layer import LayerEntry, write_layer
from hatch_aicontainer.oci.reader import open_image

MTIME = 1700000000
LABELS = {
    "org.opencontainers.image.version": "1.0.0",
    "io.hatch-aicontainer.python": "3.11",
    "io.hatch-aicontainer.tensorflow": "2.16.1",
    "io.hatch-aicontainer.tensorflow.package": "tensorflow-cpu",
    "io.hatch-aicontainer.accelerator": "cpu",
    "io.hatch-aicontainer.lock.sha256": "sha256:" + "1" * 64,
}


@dataclass
class Built:
    store: BlobStore
    root: Descriptor
    images: list[ArchiveImage]

    @property
    def blob_count(self) -> int:
        """Distinct layer + config blobs (what a push uploads besides manifests)."""
        return len({d.digest for i in self.images for d in (i.config, *i.layers)})


def platform_image(store: BlobStore, platform: Platform, text: str, *, salt: str = "") -> ArchiveImage:
    layers = [
        write_layer([LayerEntry("app/hello.txt", "file", data=f"{text}{salt}\n".encode())], store, mtime=MTIME),
        write_layer([LayerEntry("app/shared.txt", "file", data=b"shared by every platform\n" + salt.encode())], store,
                    mtime=MTIME),
    ]
    changes = ConfigChanges(env={"PATH": "/usr/bin:/bin"}, entrypoint=None, cmd=["cat", "/app/hello.txt"],
                            workdir="/app", user=None, exposed_ports=["8080/tcp"], labels=LABELS)
    return assemble_image(store, platform, changes, [(layer, f"layer {i}") for i, layer in enumerate(layers)])


def assemble_image(store: BlobStore, platform: Platform, changes: ConfigChanges,
                   layers: list[tuple[Layer, str]], *, created: int = MTIME, base_config: dict | None = None,
                   base_layers: tuple[Descriptor, ...] = ()) -> ArchiveImage:
    """The config and manifest of one platform's image: ``layers`` (written layer, history comment)
    on top of ``base_config`` / ``base_layers`` (none: an image from scratch), stored in ``store``."""
    config = image_config(base_config or {}, changes, platform=platform,
                          layers=[(layer.diff_id, comment) for layer, comment in layers], created=rfc3339(created))
    config_desc = store_json(store, config, mediatypes.OCI_CONFIG)
    layer_descs = [*base_layers, *(layer.descriptor for layer, _ in layers)]
    manifest = store_json(store, image_manifest(config_desc, layer_descs, {}), mediatypes.OCI_MANIFEST,
                          platform=platform)
    return ArchiveImage(manifest=manifest, config=config_desc, layers=layer_descs)


def built_from(store: BlobStore, images: list[ArchiveImage]) -> Built:
    """One image: its manifest is the root; several: an OCI index of them is."""
    if len(images) == 1:
        root = images[0].manifest
    else:
        root = store_json(store, image_index([i.manifest for i in images], {}), mediatypes.OCI_INDEX)
    return Built(store, root, images)


def small_image(store: BlobStore, *, platforms: tuple[str, ...] = ("linux/amd64",), salt: str = "") -> Built:
    """A tiny image (``salt`` makes its blobs unique to one test)."""
    return built_from(store, [platform_image(store, Platform.parse(p), f"hello from {p}", salt=salt) for p in platforms])


def write_archive(built: Built, destination: Path, *, tags: tuple[str, ...] = ("hello-app:1.0.0",),
                  mtime: int = MTIME) -> Path:
    write_oci_archive(destination, built.store, root=built.root, images=built.images,
                      ref_name=tags[0].rpartition(":")[2], repo_tags=list(tags), mtime=mtime)
    return destination


def small_archive(directory: Path, *, platforms: tuple[str, ...] = ("linux/amd64",), salt: str = "",
                  name: str = "hello_app-1.0.0.oci.tar", tags: tuple[str, ...] = ("hello-app:1.0.0",)) -> tuple[Path, Built]:
    built = small_image(BlobStore(directory / "build-store"), platforms=platforms, salt=salt)
    return write_archive(built, directory / "dist" / name, tags=tags), built


def runnable_image(store: BlobStore, base_layout: Path, base_tag: str, *, greeting: str) -> Built:
    """A linux/amd64 image on the Debian Python base whose entrypoint prints ``greeting``."""
    with open_image(base_layout, ref=base_tag) as base:
        base.import_into(store)
        (item,) = [i for i in base.images if i.platform is None or i.platform.architecture == "amd64"]
        base_config = dict(item.config)
        base_layers = [Descriptor(mediatypes.layer_to_oci(d.media_type), d.digest, d.size) for d in item.layers]
    script = f"import sys\nprint({greeting!r}, sys.version_info[:2])\n".encode()
    layer = write_layer([LayerEntry("app/hello.py", "file", data=script)], store, mtime=MTIME)
    platform = Platform("linux", "amd64")
    changes = ConfigChanges(env={}, entrypoint=["python3", "/app/hello.py"], cmd=None, workdir="/app",
                            user="10001:10001", exposed_ports=[], labels=LABELS)
    image = assemble_image(store, platform, changes, [(layer, "hello")], base_config=base_config,
                           base_layers=tuple(base_layers))
    return built_from(store, [image])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def skopeo_inspect(ref: str, *, raw: bool = False, creds: str | None = None) -> dict:
    argv = ["skopeo", "inspect", "--tls-verify=false", "--retry-times", "0", "--no-tags"]
    if raw:
        argv.append("--raw")
    if creds:
        argv += ["--creds", creds]
    done = subprocess.run([*argv, f"docker://{ref}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def skopeo_digest(ref: str, *, creds: str | None = None) -> str:
    return skopeo_inspect(ref, creds=creds)["Digest"]


# --------------------------------------------------------------------------------------------------
# a recording, fault-injecting proxy in front of a real registry

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
               "transfer-encoding", "upgrade"}


@dataclass
class Seen:
    method: str
    path: str
    status: int | None  # None: the connection was dropped


@dataclass
class RegistryProxy:
    """``127.0.0.1:<port>`` forwarding to ``upstream`` (``host:port``) over plain HTTP.

    ``fail``: predicate(method, path) -> HTTP status to answer instead of forwarding (or None).
    ``drop``: predicate(method, path) -> True to close the connection without an answer.
    ``after``: callback(method, path, status) run after a request was answered.
    ``alter``: callback(method, path, body) -> the body to answer instead (a registry serving wrong bytes).
    ``dead``: when True every request is dropped (a registry that went away).
    """

    upstream: str
    fail: Callable[[str, str], int | None] | None = None
    drop: Callable[[str, str], bool] | None = None
    after: Callable[[str, str, int], None] | None = None
    alter: Callable[[str, str, bytes], bytes] | None = None
    dead: bool = False
    seen: list[Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    @property
    def host(self) -> str:
        assert self._server is not None
        return f"127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RegistryProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().strip().split(b";")[0], 16)
                        if size == 0:
                            self.rfile.readline()
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _record(self, status: int | None) -> None:
                with proxy._lock:
                    proxy.seen.append(Seen(self.command, self.path, status))

            def _drop(self) -> None:
                self._record(None)
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _handle(self) -> None:
                body = self._body()
                if proxy.dead or (proxy.drop and proxy.drop(self.command, self.path)):
                    self._drop()
                    return
                status = proxy.fail(self.command, self.path) if proxy.fail else None
                if status:
                    payload = json.dumps({"errors": [{"code": "UNAVAILABLE", "message": "injected"}]}).encode()
                    self._record(status)  # before answering: the client may act on the answer at once
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                # header lines one by one: clients send several Accept lines
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP | {"content-length"}]
                connection = http.client.HTTPConnection(proxy.upstream, timeout=60)
                try:
                    connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for key, value in headers:
                        connection.putheader(key, value)
                    connection.putheader("Content-Length", str(len(body)))
                    connection.endheaders(body)
                    answer = connection.getresponse()
                    data = answer.read()
                except OSError:
                    self._drop()  # the registry is gone: so is the answer
                    return
                finally:
                    connection.close()
                self._record(answer.status)
                if proxy.after:
                    proxy.after(self.command, self.path, answer.status)
                if proxy.alter and answer.status == 200:
                    data = proxy.alter(self.command, self.path, data)
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                if self.command == "HEAD":
                    self.send_header("Content-Length", answer.getheader("Content-Length", "0"))
                else:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> RegistryProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self.seen.clear()

    def writes(self) -> list[Seen]:
        """Requests that send something: POST (upload start / mount), PATCH, PUT."""
        with self._lock:
            return [s for s in self.seen if s.method in ("POST", "PATCH", "PUT")]

    def blob_uploads(self) -> list[Seen]:
        """Completed blob uploads (the final PUT of an upload session)."""
        return [s for s in self.writes() if s.method == "PUT" and "/blobs/uploads/" in s.path and s.status == 201]

    def mounts(self) -> list[Seen]:
        return [s for s in self.writes() if s.method == "POST" and "mount=" in s.path and s.status == 201]

    def manifest_puts(self) -> list[Seen]:
        return [s for s in self.writes() if s.method == "PUT" and "/manifests/" in s.path]
