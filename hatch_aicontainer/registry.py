"""A small client for the OCI distribution API (pull and push), on ``requests``.

* TLS is always verified, against ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` /
  ``SSL_CERT_FILE`` when set. Plain HTTP is used only for loopback hosts
  (127.0.0.0/8, localhost, ::1) and hosts listed in
  ``AICONTAINER_INSECURE_REGISTRIES`` (comma separated ``host[:port]``), as
  Docker allows: HTTPS is tried first and plain HTTP when the TLS handshake
  fails. Proxies come from the usual environment variables; loopback hosts
  are never proxied.
* Auth follows the registry's ``WWW-Authenticate`` challenge: ``Bearer``
  fetches a token from the realm for the repository scope (with Basic
  credentials if there are any, or an OAuth refresh token), ``Basic`` sends the
  credentials with every request. Credentials are looked up (``auth.py``) only
  when a registry asks for them.
* Connection errors and 5xx answers are retried a few times with a short
  back-off. Every failure is a ``RegistryError`` whose message is one line
  naming the host and what failed, never a secret.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import logging
import os
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Union
from urllib.parse import quote, urljoin, urlsplit

import requests

from . import __version__
from .auth import CredentialHelperError, Credentials, find_credentials
from .blob_source import BlobSource, StoreBlobs, open_verified
from .errors import RegistryError
from .oci import mediatypes as mt
from .oci.cache import CHUNK, BlobStore, DigestMismatch
from .oci.descriptor import short_digest
from .reference import is_loopback_host, split_host_port

log = logging.getLogger(__name__)

INSECURE_ENV = "AICONTAINER_INSECURE_REGISTRIES"
MANIFEST_ACCEPT = ", ".join((mt.OCI_INDEX, mt.OCI_MANIFEST, mt.DOCKER_MANIFEST_LIST, mt.DOCKER_MANIFEST))
MAX_MANIFEST_BYTES = 4 << 20  # the distribution project's own limit
_RETRY_STATUS = frozenset({500, 502, 503, 504})
_CONNECT_TIMEOUT = 15.0
_READ_TIMEOUT = 300.0

CredentialsArg = Union[Credentials, None, Callable[[], Union[Credentials, None]]]


class _Default:
    def __repr__(self) -> str:
        return "<look up credentials>"


LOOKUP = _Default()


class RegistryUnreachable(RegistryError):
    """The registry could not be reached, or kept answering 5xx."""


class RegistryNotFound(RegistryError):
    """The registry has no such manifest or blob (404)."""


class RegistryAuthError(RegistryError):
    """The registry refused the credentials, or needs some."""


def insecure_hosts(env: dict[str, str] | None = None) -> frozenset[str]:
    value = (os.environ if env is None else env).get(INSECURE_ENV, "")
    return frozenset(part.strip().lower() for part in value.split(",") if part.strip())


def allows_plain_http(host: str) -> bool:
    """Loopback hosts and those in ``AICONTAINER_INSECURE_REGISTRIES`` (with or without the port)."""
    if is_loopback_host(host):
        return True
    listed = insecure_hosts()
    name, _ = split_host_port(host.lower())
    return host.lower() in listed or name in listed


def _ca_bundle() -> str | bool:
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        value = os.environ.get(variable)
        if value and os.path.exists(value):
            return value
    return True


def describe_exception(exc: BaseException) -> str:
    """A few words for a network failure: "connection refused", "timed out", "TLS certificate not trusted"."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    texts: list[str] = []
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ssl.SSLCertVerificationError):
            return f"TLS certificate not trusted: {item.verify_message or 'verify failed'}"
        if isinstance(item, ConnectionRefusedError):
            return "connection refused"
        if isinstance(item, ConnectionResetError):
            return "connection reset"
        if isinstance(item, socket.gaierror):
            return "host name not resolved"
        if isinstance(item, (TimeoutError, socket.timeout, requests.Timeout)):
            return "timed out"
        if isinstance(item, OSError) and item.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "no route to host"
        texts.append(str(item))
        for attr in ("reason", "__cause__", "__context__"):
            stack.append(getattr(item, attr, None))
        stack.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))
    joined = " ".join(texts)
    for needle, words in (
        ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
        ("Connection refused", "connection refused"),
        ("Name or service not known", "host name not resolved"),
        ("Temporary failure in name resolution", "host name not resolved"),
        ("timed out", "timed out"),
        ("WRONG_VERSION_NUMBER", "TLS handshake failed (plain HTTP server?)"),
        ("Connection reset", "connection reset"),
        ("Connection aborted", "connection aborted"),
        ("IncompleteRead", "connection closed mid-transfer"),
    ):
        if needle in joined:
            return words
    return type(exc).__name__


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="…",service="…",scope="…"`` -> ``("bearer", {...})``."""
    scheme, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " ,":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip().lower()
        i = eq + 1
        if i < n and rest[i] == '"':
            i += 1
            value = []
            while i < n and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(rest[i])
                i += 1
            i += 1
            params[key] = "".join(value)
        else:
            end = rest.find(",", i)
            end = n if end < 0 else end
            params[key] = rest[i:end].strip()
            i = end
    return scheme.lower(), params


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class RegistryClient:
    """One registry host (``host[:port]``, the API host: ``registry-1.docker.io`` for Docker Hub)."""

    def __init__(
        self,
        host: str,
        *,
        insecure: bool | None = None,
        credentials: CredentialsArg | _Default = LOOKUP,
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.host = host
        if insecure is True:
            self._schemes: tuple[str, ...] = ("http",)
        elif insecure is False or not allows_plain_http(host):
            self._schemes = ("https",)
        else:
            self._schemes = ("https", "http")
        self._scheme: str | None = self._schemes[0] if len(self._schemes) == 1 else None
        self._credentials_arg = credentials
        self._credentials: Credentials | None = None
        self._credentials_loaded = False
        self._credentials_note = ""
        self._retries = max(1, retries)
        self._backoff = backoff
        self._session = session or requests.Session()
        self._session.headers["User-Agent"] = f"hatch-aicontainer/{__version__}"
        self._verify = _ca_bundle()
        self._proxies = {"no_proxy": split_host_port(host)[0]} if is_loopback_host(host) else None
        self._tokens: dict[str, str] = {}
        self._basic = False

    # -- lifecycle -------------------------------------------------------

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RegistryClient({self.host!r})"

    # -- pull ------------------------------------------------------------

    def ping(self) -> None:
        """``GET /v2/``: reachable, speaks the API, credentials (if asked for) accepted."""
        resp = self._request("GET", "/v2/", scopes=())
        with resp:
            if resp.status_code != 200:
                self._fail(resp, "answer the API version check", "")

    def get_manifest(self, repository: str, reference: str) -> tuple[bytes, str, str]:
        """The manifest or index ``repository:reference`` as ``(bytes, media_type, digest)``.

        ``reference`` is a tag or a digest; a digest is verified against the bytes.
        """
        what = f"{repository}@{reference}" if ":" in reference else f"{repository}:{reference}"
        resp = self._request(
            "GET",
            f"/v2/{repository}/manifests/{quote(reference, safe=':')}",
            scopes=(self._scope(repository, "pull"),),
            headers={"Accept": MANIFEST_ACCEPT},
            stream=True,
        )
        with resp:
            if resp.status_code == 404:
                raise RegistryNotFound(f"registry {self.host} has no manifest {what} (404)")
            if resp.status_code != 200:
                self._fail(resp, f"serve the manifest {what}", repository)
            data = self._read_limited(resp, what)
        digest = _sha256(data)
        if reference.startswith("sha256:") and digest != reference:
            raise RegistryError(f"registry {self.host} sent a manifest for {what} that does not match its digest")
        header_digest = resp.headers.get("Docker-Content-Digest", "")
        if header_digest.startswith("sha256:") and header_digest != digest:
            raise RegistryError(
                f"registry {self.host} sent a manifest for {what} whose digest differs from its Docker-Content-Digest"
            )
        media_type = self._manifest_media_type(data, resp.headers.get("Content-Type", ""), what)
        return data, media_type, digest

    def fetch_blob(self, repository: str, digest: str, store: BlobStore) -> Path:
        """Stream blob ``digest`` of ``repository`` into ``store`` (verified); skip it when cached and intact."""
        if store.has(digest) and store.verify(digest):
            return store.path(digest)
        last: BaseException | None = None
        for attempt in range(self._retries):
            resp = self._request(
                "GET", f"/v2/{repository}/blobs/{digest}", scopes=(self._scope(repository, "pull"),), stream=True
            )
            with resp:
                if resp.status_code == 404:
                    raise RegistryNotFound(f"registry {self.host} has no blob {short_digest(digest)} in {repository} (404)")
                if resp.status_code != 200:
                    self._fail(resp, f"serve blob {short_digest(digest)} of {repository}", repository)
                log.info("pulling %s from %s/%s", short_digest(digest), self.host, repository)
                try:
                    store.put_stream(resp.iter_content(CHUNK), expected=digest)
                    return store.path(digest)
                except DigestMismatch:
                    raise RegistryError(
                        f"registry {self.host} sent blob {short_digest(digest)} of {repository} that does not match its digest"
                    ) from None
                except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout) as exc:
                    last = exc
            if attempt + 1 < self._retries:
                time.sleep(self._backoff * (2**attempt))
        assert last is not None
        raise RegistryUnreachable(
            f"download of blob {short_digest(digest)} from registry {self.host} failed ({describe_exception(last)})"
        )

    # -- push ------------------------------------------------------------

    def head_blob(self, repository: str, digest: str) -> int | None:
        """The size of blob ``digest`` in ``repository``, or None when the registry does not have it."""
        resp = self._request(
            "HEAD", f"/v2/{repository}/blobs/{digest}", scopes=(self._scope(repository, "pull"),)
        )
        with resp:
            if resp.status_code == 404:
                return None
            if resp.status_code != 200:
                self._fail(resp, f"answer whether it has blob {short_digest(digest)} in {repository}", repository)
            try:
                return int(resp.headers.get("Content-Length", "-1"))
            except ValueError:
                return -1

    def upload_blob(
        self,
        repository: str,
        digest: str,
        source: BlobStore | BlobSource,
        *,
        mount_from: str | Sequence[str] | None = None,
        chunk_size: int | None = None,
    ) -> str:
        """Make blob ``digest`` (read from ``source``, checked against its digest) present in ``repository``.

        Returns ``"exists"`` when the registry already had it, ``"mounted"``
        when a cross-repository mount from one of ``mount_from`` (tried in
        order) worked, else ``"uploaded"``. Any refusal of a mount (202: the
        registry opened an upload session instead; or an auth or other
        error) falls back to the next repository, then to an upload.
        Uploads are monolithic (one PUT) unless ``chunk_size`` is given and
        the blob is larger (PATCH chunks, then PUT). The bytes are read
        through ``blob_source.VerifiedReader``: a corrupt blob raises
        ``BlobMismatch`` before its last byte is sent, so no upload completes.
        """
        if self.head_blob(repository, digest) is not None:
            return "exists"
        blobs = StoreBlobs(source) if isinstance(source, BlobStore) else source
        size = blobs.blob_size(digest)
        where = str(getattr(blobs, "path", "the blob source"))
        candidates = [mount_from] if isinstance(mount_from, str) else list(mount_from or ())
        candidates = [repo for repo in dict.fromkeys(candidates) if repo and repo != repository]
        last: RegistryError | None = None
        for attempt in range(self._retries):
            try:
                session = self._mount_or_start(repository, digest, candidates)
                if session is None:
                    return "mounted"
                location, scopes = session
                if chunk_size and size > chunk_size:
                    self._upload_chunked(repository, digest, blobs, where, chunk_size, location, scopes)
                else:
                    self._upload_monolithic(repository, digest, blobs, where, location, scopes)
                return "uploaded"
            except RegistryUnreachable as exc:
                last = exc
            if attempt + 1 < self._retries:
                time.sleep(self._backoff * (2**attempt))
        assert last is not None
        raise last

    def put_manifest(self, repository: str, reference: str, data: bytes, media_type: str) -> str:
        """PUT a manifest or index under ``reference`` (tag or digest); returns its digest."""
        digest = _sha256(data)
        resp = self._request(
            "PUT",
            f"/v2/{repository}/manifests/{quote(reference, safe=':')}",
            scopes=(self._scope(repository, "pull", "push"),),
            headers={"Content-Type": media_type},
            body=lambda: data,
        )
        with resp:
            if resp.status_code not in (200, 201):
                self._fail(resp, f"accept the manifest {repository}:{reference}", repository)
            echoed = resp.headers.get("Docker-Content-Digest", "")
        if echoed.startswith("sha256:") and echoed != digest:
            raise RegistryError(f"registry {self.host} stored manifest {repository}:{reference} under another digest")
        return digest

    def _mount_or_start(
        self, repository: str, digest: str, candidates: Sequence[str]
    ) -> tuple[str, tuple[str, ...]] | None:
        """Mount ``digest`` from the first candidate that has it (None), else an upload session:
        its location and the scopes its token was asked for (the upload reuses that token)."""
        for number, source in enumerate(candidates, 1):
            scopes = (self._scope(repository, "pull", "push"), self._scope(source, "pull"))
            try:
                location = self._start_upload(repository, digest, source, scopes)
            except RegistryUnreachable:
                raise
            except RegistryError as exc:  # e.g. no pull access to ``source``: upload instead
                log.info("mount of %s from %s/%s refused (%s)", short_digest(digest), self.host, source, exc)
                continue
            if location is None:
                return None
            if number == len(candidates):
                return location, scopes  # refused (202): upload into the session the registry opened
            self._cancel_upload(location, scopes)
        scopes = (self._scope(repository, "pull", "push"),)
        location = self._start_upload(repository, digest, None, scopes)
        assert location is not None
        return location, scopes

    def _start_upload(
        self, repository: str, digest: str, mount_from: str | None, scopes: tuple[str, ...]
    ) -> str | None:
        query = f"?mount={quote(digest, safe=':')}&from={quote(mount_from, safe='/')}" if mount_from else ""
        resp = self._request("POST", f"/v2/{repository}/blobs/uploads/{query}", scopes=scopes, body=lambda: b"")
        with resp:
            if resp.status_code == 201 and query:
                return None
            if resp.status_code != 202 or not resp.headers.get("Location"):
                self._fail(resp, f"start an upload to {repository}", repository)
            return self._absolute(resp.headers["Location"])

    def _cancel_upload(self, location: str, scopes: tuple[str, ...]) -> None:
        """Best effort: end an upload session that will not be used (registries also expire them)."""
        try:
            self._request("DELETE", location, scopes=scopes, retry=False).close()
        except RegistryError:
            pass

    def _upload_monolithic(
        self, repository: str, digest: str, blobs: BlobSource, where: str, location: str, scopes: tuple[str, ...]
    ) -> None:
        size = blobs.blob_size(digest)
        resp = self._request(
            "PUT",
            _add_query(location, "digest", digest),
            scopes=scopes,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
            body=lambda: open_verified(blobs, digest, where),  # _send closes it
        )
        with resp:
            if resp.status_code != 201:
                self._fail(resp, f"accept blob {short_digest(digest)} in {repository}", repository)

    def _upload_chunked(
        self,
        repository: str,
        digest: str,
        blobs: BlobSource,
        where: str,
        chunk_size: int,
        location: str,
        scopes: tuple[str, ...],
    ) -> None:
        offset = 0
        with open_verified(blobs, digest, where) as reader:
            while chunk := reader.read(chunk_size):
                end = offset + len(chunk) - 1
                resp = self._request(
                    "PATCH",
                    location,
                    scopes=scopes,
                    headers={
                        "Content-Type": "application/octet-stream",
                        "Content-Range": f"{offset}-{end}",
                        "Content-Length": str(len(chunk)),
                    },
                    body=lambda chunk=chunk: chunk,
                    retry=False,
                )
                with resp:
                    if resp.status_code != 202 or not resp.headers.get("Location"):
                        self._fail(resp, f"accept a chunk of blob {short_digest(digest)} in {repository}", repository)
                    location = self._absolute(resp.headers["Location"])
                offset = end + 1
        resp = self._request(
            "PUT", _add_query(location, "digest", digest), scopes=scopes, headers={"Content-Length": "0"}, body=lambda: b""
        )
        with resp:
            if resp.status_code != 201:
                self._fail(resp, f"accept blob {short_digest(digest)} in {repository}", repository)

    # -- plumbing --------------------------------------------------------

    @staticmethod
    def _scope(repository: str, *actions: str) -> str:
        return f"repository:{repository}:{','.join(actions)}"

    def _base(self) -> str:
        return f"{self._scheme or self._schemes[0]}://{self.host}"

    def _absolute(self, location: str) -> str:
        return urljoin(self._base() + "/", location)

    def _request(
        self,
        method: str,
        path_or_url: str,
        *,
        scopes: Sequence[str],
        headers: dict[str, str] | None = None,
        body: Callable[[], Any] | None = None,
        stream: bool = False,
        retry: bool = True,
    ) -> requests.Response:
        """Send with retries, answering one auth challenge; the caller closes the response."""
        for round_ in range(2):
            resp = self._send(method, path_or_url, scopes, headers or {}, body, stream, retry)
            if resp.status_code != 401 or round_ == 1:
                return resp
            challenge = resp.headers.get("WWW-Authenticate", "")
            resp.close()
            if not challenge:
                return resp
            self._answer_challenge(challenge, scopes)
        raise AssertionError("unreachable")

    def _send(
        self,
        method: str,
        path_or_url: str,
        scopes: Sequence[str],
        headers: dict[str, str],
        body: Callable[[], Any] | None,
        stream: bool,
        retry: bool,
    ) -> requests.Response:
        attempts = self._retries if retry else 1
        last_exc: BaseException | None = None
        for attempt in range(attempts):
            try:
                resp = self._send_once(method, path_or_url, scopes, headers, body, stream)
            except requests.RequestException as exc:
                last_exc = exc
                if isinstance(exc, requests.exceptions.SSLError):
                    break  # not transient
            else:
                if resp.status_code not in _RETRY_STATUS or attempt + 1 == attempts:
                    return resp
                resp.close()
                last_exc = None
            if attempt + 1 < attempts:
                time.sleep(self._backoff * (2**attempt))
        if last_exc is None:
            raise AssertionError("unreachable")
        raise RegistryUnreachable(f"cannot reach registry {self.host} ({describe_exception(last_exc)})") from None

    def _send_once(
        self,
        method: str,
        path_or_url: str,
        scopes: Sequence[str],
        headers: dict[str, str],
        body: Callable[[], Any] | None,
        stream: bool,
    ) -> requests.Response:
        if self._scheme is None:
            # Loopback or listed insecure host: HTTPS first, plain HTTP if the TLS handshake fails.
            try:
                resp = self._send_scheme("https", method, path_or_url, scopes, headers, body, stream)
                self._scheme = "https"
                return resp
            except requests.ConnectionError as exc:
                log.debug("HTTPS to %s failed (%s); trying plain HTTP", self.host, describe_exception(exc))
            resp = self._send_scheme("http", method, path_or_url, scopes, headers, body, stream)
            self._scheme = "http"
            return resp
        return self._send_scheme(self._scheme, method, path_or_url, scopes, headers, body, stream)

    def _send_scheme(
        self,
        scheme: str,
        method: str,
        path_or_url: str,
        scopes: Sequence[str],
        headers: dict[str, str],
        body: Callable[[], Any] | None,
        stream: bool,
    ) -> requests.Response:
        url = path_or_url if "://" in path_or_url else f"{scheme}://{self.host}{path_or_url}"
        all_headers = dict(headers)
        authorization = self._authorization(scopes)
        if authorization and urlsplit(url).netloc.lower() == self.host.lower():
            all_headers["Authorization"] = authorization
        data = body() if body is not None else None
        try:
            return self._session.request(
                method,
                url,
                headers=all_headers,
                data=data,
                stream=stream,
                verify=self._verify,
                proxies=self._proxies,
                timeout=(_CONNECT_TIMEOUT, _READ_TIMEOUT),
                allow_redirects=True,
            )
        finally:
            if hasattr(data, "close"):
                data.close()

    # -- auth ------------------------------------------------------------

    def _get_credentials(self) -> Credentials | None:
        if not self._credentials_loaded:
            self._credentials_loaded = True
            arg = self._credentials_arg
            try:
                if isinstance(arg, _Default):
                    self._credentials = find_credentials(self.host)
                elif callable(arg):
                    self._credentials = arg()
                else:
                    self._credentials = arg
            except CredentialHelperError as exc:
                # Anonymous access may still work (public images); say why if it does not.
                self._credentials_note = f"; {exc}"
                self._credentials = None
        return self._credentials

    def _authorization(self, scopes: Sequence[str]) -> str | None:
        if self._basic:
            creds = self._get_credentials()
            if creds is not None:
                return _basic(creds)
        token = self._tokens.get(" ".join(scopes))
        return f"Bearer {token}" if token else None

    def _answer_challenge(self, header: str, scopes: Sequence[str]) -> None:
        scheme, params = parse_challenge(header)
        what = _scope_repos(scopes)
        creds = self._get_credentials()
        if scheme == "basic":
            if creds is None:
                raise self._needs_credentials(what)
            self._basic = True
            return
        if scheme != "bearer" or "realm" not in params:
            raise RegistryAuthError(f"registry {self.host} asks for an unsupported authentication ({scheme or 'none'})")
        self._tokens[" ".join(scopes)] = self._fetch_token(params, scopes, creds, what)

    def _fetch_token(
        self, params: dict[str, str], scopes: Sequence[str], creds: Credentials | None, what: str
    ) -> str:
        realm = params["realm"]
        realm_parts = urlsplit(realm)
        if realm_parts.scheme not in ("https", "http"):
            raise RegistryAuthError(f"registry {self.host} names a token service that is not a URL")
        realm_host = realm_parts.netloc.rsplit("@", 1)[-1]
        if realm_parts.scheme == "http" and creds is not None and not allows_plain_http(realm_host):
            raise RegistryAuthError(
                f"registry {self.host} wants credentials sent to plain-HTTP token service {realm_host}; refused"
            )
        query: list[tuple[str, str]] = []
        if params.get("service"):
            query.append(("service", params["service"]))
        try:
            if creds is not None and creds.identity_token:
                form = {
                    "grant_type": "refresh_token",
                    "refresh_token": creds.identity_token,
                    "client_id": "hatch-aicontainer",
                    "scope": " ".join(scopes),
                    **({"service": params["service"]} if params.get("service") else {}),
                }
                resp = self._session.post(
                    realm, data=form, verify=self._verify, timeout=(_CONNECT_TIMEOUT, 60), proxies=self._realm_proxies(realm_host)
                )
            else:
                query.extend(("scope", scope) for scope in scopes)
                resp = self._session.get(
                    realm,
                    params=query,
                    auth=(creds.username, creds.password) if creds is not None else None,
                    verify=self._verify,
                    timeout=(_CONNECT_TIMEOUT, 60),
                    proxies=self._realm_proxies(realm_host),
                )
        except requests.RequestException as exc:
            raise RegistryUnreachable(
                f"cannot reach token service {realm_host} of registry {self.host} ({describe_exception(exc)})"
            ) from None
        with resp:
            if resp.status_code in (401, 403):
                if creds is None:
                    raise self._needs_credentials(what, resp.status_code)
                raise RegistryAuthError(f"registry {self.host} refused the credentials for {what} ({resp.status_code})")
            if resp.status_code != 200:
                raise RegistryAuthError(
                    f"token service {realm_host} of registry {self.host} failed for {what} (HTTP {resp.status_code})"
                )
            try:
                answer = resp.json()
                token = answer.get("token") or answer.get("access_token")
            except (ValueError, AttributeError):
                token = None
        if not isinstance(token, str) or not token:
            raise RegistryAuthError(f"token service {realm_host} of registry {self.host} gave no token for {what}")
        return token

    def _realm_proxies(self, realm_host: str) -> dict[str, str] | None:
        return {"no_proxy": split_host_port(realm_host)[0]} if is_loopback_host(realm_host) else None

    def _needs_credentials(self, what: str, status: int = 401) -> RegistryAuthError:
        return RegistryAuthError(
            f"registry {self.host} denied anonymous access to {what} ({status}: it does not exist or needs "
            f"credentials; set AICONTAINER_REGISTRY_USERNAME/AICONTAINER_REGISTRY_PASSWORD or docker login"
            f"{self._credentials_note})"
        )

    def _fail(self, resp: requests.Response, action: str, repository: str) -> None:
        """Raise the one-line error for an unexpected answer to ``action``."""
        status = resp.status_code
        what = repository or "the API"
        if status == 401:
            creds = self._get_credentials()
            if creds is None:
                raise self._needs_credentials(what)
            method = resp.request.method if resp.request is not None else "GET"
            if self._tokens and not self._basic and method in ("POST", "PUT", "PATCH", "DELETE"):
                # the token service accepted the credentials but granted no push
                raise RegistryAuthError(f"registry {self.host} denied {creds.username} push access to {what} (401)")
            raise RegistryAuthError(f"registry {self.host} refused the credentials for {what} (401)")
        if status == 403:
            raise RegistryAuthError(f"registry {self.host} denied access to {what} (403)")
        if status in _RETRY_STATUS:
            raise RegistryUnreachable(f"registry {self.host} failed to {action} (HTTP {status})")
        detail = _error_detail(resp)
        raise RegistryError(f"registry {self.host} did not {action} (HTTP {status}{detail})")

    def _read_limited(self, resp: requests.Response, what: str) -> bytes:
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in resp.iter_content(1 << 16):
                total += len(chunk)
                if total > MAX_MANIFEST_BYTES:
                    raise RegistryError(f"registry {self.host} sent a manifest for {what} larger than 4 MiB")
                chunks.append(chunk)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout) as exc:
            raise RegistryUnreachable(
                f"cannot reach registry {self.host} ({describe_exception(exc)} while reading {what})"
            ) from None
        return b"".join(chunks)

    def _manifest_media_type(self, data: bytes, content_type: str, what: str) -> str:
        try:
            document = json.loads(data)
        except ValueError:
            raise RegistryError(f"registry {self.host} sent a manifest for {what} that is not JSON") from None
        declared = document.get("mediaType") if isinstance(document, dict) else None
        header = content_type.split(";", 1)[0].strip()
        media_type = declared or header
        if media_type not in mt.INDEX_TYPES and media_type not in mt.MANIFEST_TYPES:
            if isinstance(document, dict) and document.get("schemaVersion") == 2:
                if "manifests" in document:
                    return mt.OCI_INDEX
                if "layers" in document and "config" in document:
                    return mt.OCI_MANIFEST
            if isinstance(document, dict) and document.get("schemaVersion") == 1:
                raise RegistryError(f"registry {self.host} has only an old schema-1 manifest for {what} (not supported)")
            raise RegistryError(f"registry {self.host} sent {what} with unsupported media type {media_type or 'none'}")
        return media_type


def _scope_repos(scopes: Iterable[str]) -> str:
    repos = [scope.split(":")[1] for scope in scopes if scope.count(":") >= 2]
    return ", ".join(repos) if repos else "the API"


def _add_query(url: str, key: str, value: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{key}={quote(value, safe=':')}"


def _error_detail(resp: requests.Response) -> str:
    """``: MANIFEST_INVALID`` from a distribution error body, if any."""
    try:
        errors = resp.json().get("errors") or []
        codes = [str(e.get("code")) for e in errors if isinstance(e, dict) and e.get("code")]
    except (ValueError, AttributeError):
        return ""
    return f": {', '.join(codes[:3])}" if codes else ""


def _basic(creds: Credentials) -> str:
    pair = f"{creds.username}:{creds.password}".encode("utf-8")
    return "Basic " + base64.b64encode(pair).decode("ascii")
