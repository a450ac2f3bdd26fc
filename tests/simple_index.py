"""A PEP 503 package index on loopback, standing in for a framework's own index (PyTorch's
``/whl/cpu``, which these machines cannot reach) or a private mirror: the wheels it is given,
behind HTTP basic auth, and a record of the requests it answered."""

from __future__ import annotations

import base64
import hashlib
import html
import shutil
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from packaging.utils import canonicalize_name, parse_wheel_filename


class SimpleIndex:
    """``with SimpleIndex(wheels, ("user", "secret")) as index:`` serves ``index.url`` (``/simple/``)."""

    def __init__(self, wheels: Iterable[Path], auth: tuple[str, str] | None = None) -> None:
        self.wheels = {path.name: path for path in wheels}
        self.auth = auth
        self.requests: list[tuple[str, bool]] = []  #: (path, whether it carried the right credentials)
        self._server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def url(self, *, with_credentials: bool = True) -> str:
        userinfo = f"{self.auth[0]}:{self.auth[1]}@" if self.auth and with_credentials else ""
        return f"http://{userinfo}127.0.0.1:{self.port}/simple/"

    def _page(self, project: str) -> bytes | None:
        links = []
        for name, path in sorted(self.wheels.items()):
            if canonicalize_name(parse_wheel_filename(name)[0]) == project:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                links.append(f'<a href="/files/{html.escape(name)}#sha256={digest}">{html.escape(name)}</a><br>')
        if not links:
            return None
        return ("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n").encode()

    def __enter__(self) -> SimpleIndex:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_HEAD(self) -> None:  # noqa: N802 - uv asks for a wheel's size before fetching it
                self._answer(body=False)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._answer(body=True)

            def _answer(self, *, body: bool) -> None:
                authorised = index.auth is None or self.headers.get("Authorization") == "Basic " + base64.b64encode(
                    f"{index.auth[0]}:{index.auth[1]}".encode()).decode()
                index.requests.append((self.path, authorised))
                if not authorised:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="stand-in index"')
                    self.end_headers()
                    return
                parts = [p for p in self.path.split("?")[0].split("/") if p]
                if len(parts) == 2 and parts[0] == "simple" and (page := index._page(canonicalize_name(parts[1]))):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    if body:
                        self.wfile.write(page)
                elif len(parts) == 2 and parts[0] == "files" and parts[1] in index.wheels:
                    path = index.wheels[parts[1]]
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(path.stat().st_size))
                    self.end_headers()
                    if body:
                        with path.open("rb") as source:
                            shutil.copyfileobj(source, self.wfile, 1 << 20)
                else:
                    self.send_response(404)
                    self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
