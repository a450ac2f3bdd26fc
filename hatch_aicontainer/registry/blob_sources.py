"""Where a push reads its blobs from, and the check that they are the bytes their digest names.

A push sends the bytes of one source: the build's blob store (right after a
build) or the archive or layout given to ``aicontainer push``. Every blob is
read through :class:`VerifiedReader`, which hashes while it is read (and
counts the bytes for a progress display, when asked) and
raises :class:`BlobMismatch` before handing out the last bytes of a blob that
does not match its digest, so a corrupt blob never completes an upload (the
registry sees a body cut short) and the push stops before any manifest is
put. Nothing else is trusted in its place: the cache may hold good copies of
an archive's blobs, but an archive push reads the archive.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO, Protocol

from hatch_aicontainer.core.errors import AIContainerError
from hatch_aicontainer.oci.cache import CHUNK, BlobStore
from hatch_aicontainer.oci.descriptor import short_digest

#: told the number of bytes just read (a progress display)
Count = Callable[[int], None]

__all__ = ["BlobMismatch", "BlobSource", "Count", "StoreBlobs", "VerifiedReader", "check_blob", "open_verified"]


class BlobMismatch(AIContainerError):
    """A blob's bytes are not the ones its digest names (or cannot be read whole)."""


class BlobSource(Protocol):
    """What a push reads blobs from (``oci.reader.OCIImage`` is one; :class:`StoreBlobs` another)."""

    path: Path  #: the archive, layout or store, named in errors

    def blob_size(self, digest: str) -> int:
        """The stored size; raises AIContainerError when the blob is missing."""
        ...

    def open_blob(self, digest: str) -> BinaryIO:
        """The raw, unverified bytes (use :func:`open_verified`)."""
        ...


class StoreBlobs:
    """A :class:`~hatch_aicontainer.oci.cache.BlobStore` as a :class:`BlobSource`."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store
        self.path = store.root

    def blob_size(self, digest: str) -> int:
        try:
            return self.store.path(digest).stat().st_size
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise AIContainerError(f"blob {short_digest(digest)} is not in the blob store {self.path} ({reason})") from None

    def open_blob(self, digest: str) -> BinaryIO:
        try:
            return self.store.open(digest)
        except OSError as exc:
            raise AIContainerError(f"cannot read blob {short_digest(digest)} from {self.path} ({exc.strerror or exc})") from None


class VerifiedReader:
    """A read-only file over one blob that checks size and digest as it is read.

    The check runs when the last byte is read, before it is returned; any
    read error becomes a :class:`BlobMismatch` (never an ``OSError``, which an
    HTTP library sending this as a request body would take for a network fault).
    ``count`` is told every read's length.
    """

    def __init__(self, raw: BinaryIO, digest: str, size: int, where: str, count: Count | None = None) -> None:
        self._raw = raw
        self._digest = digest
        self._size = size
        self._where = where
        self._count = count
        self._sha = hashlib.sha256()
        self._done = 0

    def __len__(self) -> int:  # lets an HTTP client send a Content-Length
        return self._size

    def read(self, amount: int = -1) -> bytes:
        left = self._size - self._done
        if left <= 0:
            self._check()  # an empty blob is checked too
            return b""
        wanted = left if amount is None or amount < 0 else min(amount, left)
        try:
            data = self._raw.read(wanted)
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise BlobMismatch(f"cannot read blob {short_digest(self._digest)} from {self._where} ({_reason(exc)})") from None
        if self._count is not None:
            self._count(len(data))
        if not data:
            raise BlobMismatch(
                f"blob {short_digest(self._digest)} in {self._where} ends after {self._done} of {self._size} bytes (corrupt)"
            )
        self._sha.update(data)
        self._done += len(data)
        if self._done == self._size:
            self._check()
        return data

    def _check(self) -> None:
        if "sha256:" + self._sha.hexdigest() != self._digest:
            raise BlobMismatch(f"blob {short_digest(self._digest)} in {self._where} does not match its digest (corrupt)")

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> VerifiedReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_verified(source: BlobSource, digest: str, where: str, count: Count | None = None) -> VerifiedReader:
    """Blob ``digest`` of ``source`` as a :class:`VerifiedReader` (``where`` names the source in errors)."""
    size = source.blob_size(digest)
    return VerifiedReader(source.open_blob(digest), digest, size, where, count)


def check_blob(source: BlobSource, digest: str, where: str, count: Count | None = None) -> None:
    """Read blob ``digest`` whole and check it; :class:`BlobMismatch` when it is not what the digest names."""
    with open_verified(source, digest, where, count) as reader:
        while reader.read(CHUNK):
            pass


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class BytesBlobs:
    """Small blobs held in memory (a cache entry's record) as a :class:`BlobSource`."""

    def __init__(self, blobs: Mapping[str, bytes], path: Path = Path("<memory>")) -> None:
        self.blobs = dict(blobs)
        self.path = path

    def blob_size(self, digest: str) -> int:
        if digest not in self.blobs:
            raise AIContainerError(f"blob {short_digest(digest)} is not among the blobs to send")
        return len(self.blobs[digest])

    def open_blob(self, digest: str) -> BinaryIO:
        self.blob_size(digest)
        return io.BytesIO(self.blobs[digest])


class WithRemoteBlobs:
    """A blob source plus blobs that are in a registry, not here (layers taken from a registry cache and
    not downloaded): their sizes are known; a push must find them there or mount them, never read them."""

    def __init__(self, source: BlobSource, remote: Mapping[str, tuple[int, str]]) -> None:
        self.source = source
        self.remote = dict(remote)  #: digest -> (size, "host/repo" holding it)
        self.path: Path = source.path

    def blob_size(self, digest: str) -> int:
        if digest in self.remote:
            return self.remote[digest][0]
        return self.source.blob_size(digest)

    def open_blob(self, digest: str) -> BinaryIO:
        if digest in self.remote:
            raise AIContainerError(
                f"blob {short_digest(digest)} was taken from the registry cache {self.remote[digest][1]} without downloading "
                f"it, and the registry could not mount it from there; build again with cache-from = [] to build the layer here"
            )
        return self.source.open_blob(digest)
