"""Long because: a test harness (a private registry with TLS and token auth, images by umoci/skopeo).

Helpers for the base-image / registry tests: a private docker-registry and images made by umoci/skopeo.

The images are written by independent tools (umoci builds layouts, skopeo
pushes and converts them) so the reader under test never reads its own output.

* ``start_registry(dir, auth=(user, password) | None)`` -> LocalRegistry: Debian's
  ``docker-registry serve`` on 127.0.0.1:<free port> with its access log on, so
  tests can count the requests it served; ``.stop()`` ends it (by its pid).
* ``build_image(layout, tag, layers, arch=..., env=...)``: an OCI image in a
  layout via ``umoci new``/``insert``/``config``; each layer is a dict of
  ``path -> bytes`` (a file), ``Symlink(target)``, ``WHITEOUT`` or ``OPAQUE``.
* ``add_index(layout, tag, {platform: tag})``: a hand-written OCI index over
  images already in the layout, tagged ``tag``.
* ``skopeo_copy(src, dst, ...)``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
REF_NAME = "org.opencontainers.image.ref.name"


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian packages: docker-registry, umoci, skopeo, apache2-utils)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int | None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


@dataclass
class LocalRegistry:
    dir: Path
    host: str
    username: str | None = None
    password: str | None = None
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.dir / "registry.log"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def requests_served(self, method: str, path_pattern: str) -> int:
        """How many access-log lines show ``METHOD <path matching path_pattern>``."""
        pattern = re.compile(rf'"{method} ({path_pattern})[^ "]* HTTP/1\.[01]"')
        return sum(1 for line in self.log_text().splitlines() if pattern.search(line))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()


def start_registry(
    directory: Path,
    *,
    auth: tuple[str, str] | None = None,
    token: TokenServer | None = None,
    tls: tuple[Path, Path] | None = None,
) -> LocalRegistry:
    """``auth``: htpasswd (Basic) users; ``token``: Bearer auth through that token server;
    ``tls``: (certificate, key) PEM files to serve HTTPS with."""
    require("docker-registry", *(["htpasswd"] if auth else []))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "storage").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "OTEL_"))}
    for _ in range(5):
        port = free_port()
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": False}},
            "storage": {"filesystem": {"rootdirectory": str(directory / "storage")}, "delete": {"enabled": True}},
            "http": {"addr": f"127.0.0.1:{port}", "secret": "test-secret"},
        }
        if tls:
            config["http"]["tls"] = {"certificate": str(tls[0]), "key": str(tls[1])}
        if auth:
            line = subprocess.run(
                ["htpasswd", "-n", "-b", "-B", auth[0], auth[1]], capture_output=True, text=True, check=True
            ).stdout.strip()
            (directory / "htpasswd").write_text(line + "\n")
            config["auth"] = {"htpasswd": {"realm": "test", "path": str(directory / "htpasswd")}}
        if token:
            config["auth"] = {
                "token": {
                    "realm": token.realm,
                    "service": token.service,
                    "issuer": token.issuer,
                    "rootcertbundle": str(token.cert_path),
                }
            }
        (directory / "config.yml").write_text(json.dumps(config))  # JSON is YAML
        log = open(directory / "registry.log", "wb")
        proc = subprocess.Popen(
            ["docker-registry", "serve", str(directory / "config.yml")],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=directory,
            env=env,
            start_new_session=True,
        )
        log.close()
        reg = LocalRegistry(directory, f"127.0.0.1:{port}", *(auth or (None, None)), proc=proc)
        if token:
            reg.username, reg.password = token.username, token.password
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            if _status(f"http://{reg.host}/v2/") in ((400,) if tls else (200, 401)):
                return reg
            time.sleep(0.1)
        reg.stop()
        if "address already in use" not in reg.log_text():
            raise RuntimeError(f"docker-registry did not start:\n{reg.log_text()[-2000:]}")
    raise RuntimeError("docker-registry found no free port")


def make_tls_files(directory: Path) -> tuple[Path, Path, Path]:
    """A private CA and a server certificate for 127.0.0.1/localhost: (ca.pem, server.pem, server.key)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aicontainer test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_path, cert_path, key_path


# -- a token service for Bearer auth ------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class TokenServer:
    """A Docker-style token service (``GET /token?service=&scope=``) signing RS256 JWTs.

    Users with the right Basic credentials get every action they ask for
    (only ``pull`` on ``read_only`` repositories);
    anonymous callers get ``pull`` on ``public_repositories`` only (as Docker
    Hub does), everything else is granted nothing. Wrong credentials -> 401.
    ``calls`` records (username or None, [scopes]) per request.
    """

    service = "test-registry"
    issuer = "test-issuer"

    def __init__(self, directory: Path, username: str, password: str, public_repositories=()) -> None:
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        directory.mkdir(parents=True, exist_ok=True)
        self.username, self.password = username, password
        self.refresh_token = f"refresh-{password}"
        self.public = set(public_repositories)
        self.read_only: set[str] = set()  # repositories the user may pull but not push
        self.calls: list[tuple[str | None, list[str]]] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test token signer")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self._cert_der = cert.public_bytes(serialization.Encoding.DER)
        self.cert_path = directory / "token-signer.pem"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self._httpd = self._serve()
        self.realm = f"http://127.0.0.1:{self._httpd.server_address[1]}/token"

    def _jwt(self, access: list[dict]) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(self._cert_der).decode()]}
        claims = {
            "iss": self.issuer,
            "sub": "test",
            "aud": self.service,
            "exp": now + 300,
            "nbf": now - 60,
            "iat": now,
            "jti": os.urandom(8).hex(),
            "access": access,
        }
        signing_input = _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64url(signature)

    def _serve(self):
        import http.server
        import threading
        from urllib.parse import parse_qs, urlsplit

        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                scopes = query.get("scope", [])
                user = None
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                    if (user, password) != (server.username, server.password):
                        server.calls.append((user, scopes))
                        self.send_response(401)
                        self.send_header("Content-Type", "application/json")
                        self.end_headers()
                        self.wfile.write(b'{"details":"incorrect username or password"}')
                        return
                server.calls.append((user, scopes))
                if parts.path != "/token" or query.get("service") != [server.service]:
                    self.send_response(400)
                    self.end_headers()
                    return
                access = []
                for scope in scopes:
                    kind, name, actions = scope.split(":")
                    wanted = actions.split(",")
                    if user:
                        granted = [a for a in wanted if a == "pull" or name not in server.read_only]
                    else:
                        granted = [a for a in wanted if a == "pull" and name in server.public]
                    access.append({"type": kind, "name": name, "actions": granted})
                token = server._jwt(access)
                body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802  (OAuth2 refresh-token grant, as Docker Hub offers)
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                scopes = " ".join(form.get("scope", [])).split()
                token_ok = form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == [
                    server.refresh_token
                ]
                server.calls.append(("<refresh>" if token_ok else "<bad refresh>", scopes))
                if not token_ok or form.get("service") != [server.service]:
                    self.send_response(401)
                    self.end_headers()
                    return
                access = []
                for scope in scopes:
                    kind, name, actions = scope.split(":")
                    access.append({"type": kind, "name": name, "actions": actions.split(",")})
                body = json.dumps({"access_token": server._jwt(access), "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


# -- images by umoci -----------------------------------------------------------


@dataclass(frozen=True)
class Symlink:
    target: str


WHITEOUT = object()  # remove the path (and what is under it) from lower layers
OPAQUE = object()  # hide the lower contents of this directory


def run(argv: Sequence[str], **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(list(argv), capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def build_image(
    layout: Path,
    tag: str,
    layers: Sequence[Mapping[str, object]],
    *,
    arch: str | None = None,
    env: Sequence[str] = (),
) -> str:
    """Build ``layout:tag`` with umoci; returns the manifest digest."""
    require("umoci")
    if not (layout / "index.json").exists():
        run(["umoci", "init", "--layout", str(layout)])
    image = f"{layout}:{tag}"
    run(["umoci", "new", "--image", image])
    for layer in layers:
        files = {p: v for p, v in layer.items() if v is not WHITEOUT and v is not OPAQUE}
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "root"
            root.mkdir()
            for path, value in files.items():
                target = root / path.lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(value, Symlink):
                    os.symlink(value.target, target)
                elif value is None:
                    target.mkdir(exist_ok=True)
                else:
                    target.write_bytes(value)  # type: ignore[arg-type]
            if files:
                run(["umoci", "insert", "--image", image, str(root), "/"])
        for path, value in layer.items():
            if value is WHITEOUT:
                run(["umoci", "insert", "--image", image, "--whiteout", "/" + path.lstrip("/")])
            elif value is OPAQUE:
                with tempfile.TemporaryDirectory() as empty:
                    run(["umoci", "insert", "--image", image, "--opaque", empty, "/" + path.lstrip("/")])
    config = ["umoci", "config", "--image", image]
    if arch:
        config += ["--architecture", arch]
    for item in env:
        config += ["--config.env", item]
    if len(config) > 4:
        run(config)
    return manifest_digest(layout, tag)


def manifest_digest(layout: Path, tag: str) -> str:
    index = json.loads((layout / "index.json").read_text())
    for entry in index["manifests"]:
        if entry.get("annotations", {}).get(REF_NAME) == tag:
            return entry["digest"]
    raise KeyError(tag)


def _put_blob(layout: Path, data: bytes) -> tuple[str, int]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
    return digest, len(data)


def add_index(layout: Path, tag: str, platforms: Mapping[str, str]) -> str:
    """Tag ``tag`` -> a new OCI index of the images tagged ``platforms[platform]``; returns its digest."""
    index = json.loads((layout / "index.json").read_text())
    entries = []
    for platform, image_tag in platforms.items():
        parts = platform.split("/")
        digest = manifest_digest(layout, image_tag)
        size = (layout / "blobs" / "sha256" / digest.split(":")[1]).stat().st_size
        plat = {"architecture": parts[1], "os": parts[0], **({"variant": parts[2]} if len(parts) > 2 else {})}
        entries.append({"mediaType": OCI_MANIFEST, "digest": digest, "size": size, "platform": plat})
    doc = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    digest, size = _put_blob(layout, json.dumps(doc, indent=2).encode())
    index["manifests"] = [e for e in index["manifests"] if e.get("annotations", {}).get(REF_NAME) != tag]
    index["manifests"].append(
        {"mediaType": OCI_INDEX, "digest": digest, "size": size, "annotations": {REF_NAME: tag}}
    )
    (layout / "index.json").write_text(json.dumps(index))
    return digest


def skopeo_copy(src: str, dst: str, *extra: str, creds: str | None = None) -> None:
    require("skopeo")
    argv = ["skopeo", "--insecure-policy", "copy", "--retry-times", "0", *extra]
    if dst.startswith("docker://"):
        argv.append("--dest-tls-verify=false")
        if creds:
            argv += ["--dest-creds", creds]
    if src.startswith("docker://"):
        argv.append("--src-tls-verify=false")
    run([*argv, src, dst], timeout=300)
