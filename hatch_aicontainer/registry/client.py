"""Long because: every call of the distribution API, with the one-line errors of its answers, in one class.

A small client for the OCI distribution API (pull and push), on ``requests``.

:class:`RegistryClient` speaks the API: manifests, blobs, uploads and mounts,
and turns every unexpected answer into a one-line ``RegistryError`` naming
the host and what failed, never a secret. How requests travel (TLS, plain
HTTP for loopback hosts, proxies, retries) is :mod:`.transport`'s; who may
ask what (challenges, tokens, credentials) is :mod:`.auth`'s.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from hatch_aicontainer.core.errors import RegistryError
from hatch_aicontainer.core.pipeline import read_ahead
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.cache import CHUNK, BlobStore, DigestMismatch
from hatch_aicontainer.oci.descriptor import short_digest
from hatch_aicontainer.registry.access import RegistryAccess
from hatch_aicontainer.registry.auth import LOOKUP, Authenticator, CredentialLookup, CredentialsArg
from hatch_aicontainer.registry.blob_sources import BlobSource, Count, StoreBlobs, open_verified
from hatch_aicontainer.registry.errors import RegistryAuthError, RegistryNotFound, RegistryUnreachable
from hatch_aicontainer.registry.transport import RETRY_STATUS, STREAM_ERRORS, Body, Transport, describe_exception

log = logging.getLogger(__name__)

MANIFEST_ACCEPT = ", ".join((mt.OCI_INDEX, mt.OCI_MANIFEST, mt.DOCKER_MANIFEST_LIST, mt.DOCKER_MANIFEST))
MAX_MANIFEST_BYTES = 4 << 20  # the distribution project's own limit

#: answers to ``GET /v2/<name>/referrers/<digest>`` of a registry without the referrers API
#: (a registry that has it never answers 404; 400 and 406 are what some others say to the unknown path)
NO_REFERRERS_API = frozenset({400, 404, 405, 406, 501})
MAX_REFERRERS_PAGES = 64

__all__ = ["MANIFEST_ACCEPT", "MAX_MANIFEST_BYTES", "NO_REFERRERS_API", "ManifestAnswer", "RegistryClient"]


@dataclass(frozen=True)
class ManifestAnswer:
    """What a registry said when it accepted a manifest."""

    digest: str  #: the manifest's digest (checked against the one the registry echoed)
    subject: str | None  #: its ``OCI-Subject`` header: the registry recorded the manifest's subject (referrers API)


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class RegistryClient:
    """One registry host (``host[:port]``, the API host: ``registry-1.docker.io`` for Docker Hub)."""

    def __init__(
        self,
        host: str,
        *,
        access: RegistryAccess,
        insecure: bool | None = None,
        credentials: CredentialsArg | CredentialLookup = LOOKUP,
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.host = host
        self.transport = Transport(host, access=access, insecure=insecure, retries=retries, backoff=backoff, session=session)
        self.auth = Authenticator(self.transport, credentials)

    # -- lifecycle -------------------------------------------------------

    def close(self) -> None:
        self.transport.close()

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

    def manifest_digest(self, repository: str, reference: str) -> str | None:
        """What ``repository:reference`` points at now; None when nothing is there or it is something we
        cannot read (it gets replaced). Refusals and an unreachable registry still raise."""
        try:
            return self.get_manifest(repository, reference)[2]
        except (RegistryAuthError, RegistryUnreachable):
            raise
        except RegistryError:
            return None

    def fetch_blob(
        self, repository: str, digest: str, store: BlobStore, *, observe: Callable[[bytes], None] | None = None
    ) -> Path:
        """Stream blob ``digest`` of ``repository`` into ``store`` (verified); skip it when cached and intact.

        ``observe`` sees every chunk as it streams (a second check over the same bytes, such as a layer's
        diff_id); a retried download shows it the new attempt's chunks too (it can tell by the count).
        """
        if store.has(digest) and store.verify(digest):
            return store.path(digest)
        last: BaseException | None = None
        for attempt in range(self.transport.retries):
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
                    chunks = read_ahead(resp.iter_content(CHUNK), f"download {short_digest(digest)}")  # overlaps hashing, writing
                    store.put_stream(_observed(chunks, observe) if observe is not None else chunks, expected=digest)
                    return store.path(digest)
                except DigestMismatch:
                    raise RegistryError(
                        f"registry {self.host} sent blob {short_digest(digest)} of {repository} that does not match its digest"
                    ) from None
                except STREAM_ERRORS as exc:
                    last = exc
            if attempt + 1 < self.transport.retries:
                self.transport.pause(attempt)
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
        progress: Count | None = None,
    ) -> str:
        """Make blob ``digest`` (read from ``source``, checked against its digest) present in ``repository``.

        Returns ``"exists"`` when the registry already had it, ``"mounted"``
        when a cross-repository mount from one of ``mount_from`` (tried in
        order) worked, else ``"uploaded"``. Any refusal of a mount (202: the
        registry opened an upload session instead; or an auth or other
        error) falls back to the next repository, then to an upload.
        Uploads are monolithic (one PUT) unless ``chunk_size`` is given and
        the blob is larger (PATCH chunks, then PUT). The bytes are read
        through ``blob_sources.VerifiedReader``: a corrupt blob raises
        ``BlobMismatch`` before its last byte is sent, so no upload completes.
        ``progress`` is told the length of every read of the blob's bytes.
        """
        if self.head_blob(repository, digest) is not None:
            return "exists"
        blobs = StoreBlobs(source) if isinstance(source, BlobStore) else source
        size = blobs.blob_size(digest)
        where = str(blobs.path)
        candidates = [mount_from] if isinstance(mount_from, str) else list(mount_from or ())
        candidates = [repo for repo in dict.fromkeys(candidates) if repo and repo != repository]
        last: RegistryError | None = None
        for attempt in range(self.transport.retries):
            try:
                session = self._mount_or_start(repository, digest, candidates)
                if session is None:
                    return "mounted"
                location, scopes = session
                if chunk_size and size > chunk_size:
                    self._upload_chunked(repository, digest, blobs, where, chunk_size, location, scopes, progress)
                else:
                    self._upload_monolithic(repository, digest, blobs, where, location, scopes, progress)
                return "uploaded"
            except RegistryUnreachable as exc:
                last = exc
            if attempt + 1 < self.transport.retries:
                self.transport.pause(attempt)
        assert last is not None
        raise last

    def put_manifest(self, repository: str, reference: str, data: bytes, media_type: str) -> str:
        """PUT a manifest or index under ``reference`` (tag or digest); returns its digest."""
        return self.put_manifest_answer(repository, reference, data, media_type).digest

    def put_manifest_answer(self, repository: str, reference: str, data: bytes, media_type: str) -> ManifestAnswer:
        """PUT a manifest or index, and say what the registry answered besides accepting it.

        A registry with the referrers API answers a manifest carrying a
        ``subject`` with ``OCI-Subject: <subject digest>``; without that
        header the client must keep the referrers tag itself.
        """
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
            subject = resp.headers.get("OCI-Subject", "").strip() or None
        if echoed.startswith("sha256:") and echoed != digest:
            raise RegistryError(f"registry {self.host} stored manifest {repository}:{reference} under another digest")
        return ManifestAnswer(digest, subject)

    def get_referrers(self, repository: str, digest: str) -> dict[str, Any] | None:
        """The referrers API's index of the manifests whose subject is ``digest``, every page of it;
        None when the registry has no referrers API (then the referrers tag is where they are listed)."""
        what = f"the referrers of {repository}@{short_digest(digest)}"
        url = f"/v2/{repository}/referrers/{quote(digest, safe=':')}"
        index: dict[str, Any] | None = None
        for _page in range(MAX_REFERRERS_PAGES):
            resp = self._request(
                "GET", url, scopes=(self._scope(repository, "pull"),), headers={"Accept": mt.OCI_INDEX}, stream=True
            )
            with resp:
                if resp.status_code in NO_REFERRERS_API:
                    return None
                if resp.status_code != 200:
                    self._fail(resp, f"list {what}", repository)
                content_type = resp.headers.get("Content-Type", "").split(";", 1)[0].strip()
                data = self._read_limited(resp, what)
                following = resp.links.get("next", {}).get("url")
            try:
                page = json.loads(data)
            except ValueError:
                page = None
            listed = page.get("manifests") if isinstance(page, dict) else None
            if content_type != mt.OCI_INDEX and (not isinstance(page, dict) or page.get("mediaType") != mt.OCI_INDEX):
                return None  # a 200 that is not the API's answer (a catch-all page): no referrers API
            if not isinstance(listed, list):
                raise RegistryError(f"registry {self.host} sent {what} in an index without a manifests list")
            if index is None:
                index = page
            else:
                index["manifests"] = [*index["manifests"], *listed]
            if not following:
                return index
            url = self.transport.absolute(following)
        raise RegistryError(f"registry {self.host} sent {what} in more than {MAX_REFERRERS_PAGES} pages")

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
            return self.transport.absolute(resp.headers["Location"])

    def _cancel_upload(self, location: str, scopes: tuple[str, ...]) -> None:
        """Best effort: end an upload session that will not be used (registries also expire them)."""
        try:
            self._request("DELETE", location, scopes=scopes, retry=False).close()
        except RegistryError:
            pass

    def _upload_monolithic(
        self,
        repository: str,
        digest: str,
        blobs: BlobSource,
        where: str,
        location: str,
        scopes: tuple[str, ...],
        progress: Count | None,
    ) -> None:
        size = blobs.blob_size(digest)
        resp = self._request(
            "PUT",
            _add_query(location, "digest", digest),
            scopes=scopes,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
            body=lambda: open_verified(blobs, digest, where, progress),  # the transport closes it
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
        progress: Count | None,
    ) -> None:
        offset = 0
        with open_verified(blobs, digest, where, progress) as reader:
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
                    location = self.transport.absolute(resp.headers["Location"])
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

    def _request(
        self,
        method: str,
        path_or_url: str,
        *,
        scopes: Sequence[str],
        headers: dict[str, str] | None = None,
        body: Body | None = None,
        stream: bool = False,
        retry: bool = True,
    ) -> requests.Response:
        """Send with retries, answering one auth challenge; the caller closes the response."""
        for round_ in range(2):
            resp = self.transport.send(
                method,
                path_or_url,
                headers=headers or {},
                body=body,
                stream=stream,
                retry=retry,
                authorization=self.auth.authorization(scopes),
            )
            if resp.status_code != 401 or round_ == 1:
                return resp
            challenge = resp.headers.get("WWW-Authenticate", "")
            resp.close()
            if not challenge:
                return resp
            self.auth.answer_challenge(challenge, scopes)
        raise AssertionError("unreachable")

    def _fail(self, resp: requests.Response, action: str, repository: str) -> None:
        """Raise the one-line error for an unexpected answer to ``action``."""
        status = resp.status_code
        what = repository or "the API"
        if status == 401:
            creds = self.auth.credentials()
            if creds is None:
                raise self.auth.needs_credentials(what)
            method = resp.request.method if resp.request is not None else "GET"
            if self.auth.holds_token and method in ("POST", "PUT", "PATCH", "DELETE"):
                # the token service accepted the credentials but granted no push
                raise RegistryAuthError(f"registry {self.host} denied {creds.username} push access to {what} (401)")
            raise RegistryAuthError(f"registry {self.host} refused the credentials for {what} (401)")
        if status == 403:
            raise RegistryAuthError(f"registry {self.host} denied access to {what} (403)")
        if status in RETRY_STATUS:
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
        except STREAM_ERRORS as exc:
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



def _observed(chunks: Iterable[bytes], observe: Callable[[bytes], None]) -> Iterator[bytes]:
    for chunk in chunks:
        observe(chunk)
        yield chunk


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
