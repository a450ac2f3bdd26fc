"""A content-addressed blob store on disk (``<root>/blobs/sha256/<hex>``).

Used both as the persistent cache (base-image blobs, built layers) and as the
scratch store of one build. Blobs are written to a temporary file in the same
directory, hashed while written, and renamed into place only when the digest
matches, so an interrupted build never leaves a corrupt entry and two builds
sharing the store can race safely (the rename is atomic; both write the same
bytes).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


def default_cache_dir() -> Path:
    """``$AICONTAINER_CACHE_DIR``, else ``$XDG_CACHE_HOME/hatch-aicontainer``."""
    explicit = os.environ.get("AICONTAINER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "hatch-aicontainer"


def split_digest(digest: str) -> tuple[str, str]:
    """``"sha256:ab.."`` -> ``("sha256", "ab..")``; rejects anything else."""
    algorithm, _, hexpart = digest.partition(":")
    if algorithm != "sha256" or len(hexpart) != 64 or any(c not in "0123456789abcdef" for c in hexpart):
        raise ValueError(f"not a sha256 digest: {digest!r}")
    return algorithm, hexpart


class DigestMismatch(Exception):
    """Bytes did not hash to the digest they were stored or fetched under."""


class HashingWriter:
    """A write-only file wrapper that hashes and counts what passes through."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:  # noqa: D401 - file protocol
        self._sha.update(data)
        self.size += len(data)
        self._raw.write(data)
        return len(data)

    def flush(self) -> None:
        self._raw.flush()

    @property
    def digest(self) -> str:
        return "sha256:" + self._sha.hexdigest()


class BlobStore:
    """Blobs addressed by sha256 digest under ``root/blobs/sha256``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._dir = self.root / "blobs" / "sha256"

    def path(self, digest: str) -> Path:
        _, hexpart = split_digest(digest)
        return self._dir / hexpart

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    @contextmanager
    def writer(self) -> Iterator[HashingWriter]:
        """Yield a writer; on clean exit the blob is moved to its digest name.

        The final digest is available as ``writer.digest`` after the block.
        """
        self._dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=self._dir)
        try:
            with os.fdopen(fd, "wb") as raw:
                hashing = HashingWriter(raw)
                yield hashing
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp_name, self.path(hashing.digest))
        except BaseException:
            with _suppress_missing():
                os.unlink(tmp_name)
            raise

    def put_stream(self, chunks: Iterable[bytes], expected: str | None = None) -> tuple[str, int]:
        """Store a stream of bytes; verify ``expected`` before it becomes visible."""
        self._dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=self._dir)
        try:
            with os.fdopen(fd, "wb") as raw:
                hashing = HashingWriter(raw)
                for chunk in chunks:
                    hashing.write(chunk)
                raw.flush()
                os.fsync(raw.fileno())
            if expected is not None and hashing.digest != expected:
                raise DigestMismatch(f"expected {expected}, got {hashing.digest}")
            os.replace(tmp_name, self.path(hashing.digest))
            return hashing.digest, hashing.size
        except BaseException:
            with _suppress_missing():
                os.unlink(tmp_name)
            raise

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        return self.put_stream([data])

    def put_file(self, source: Path, expected: str | None = None) -> tuple[str, int]:
        with open(source, "rb") as handle:
            return self.put_stream(iter(lambda: handle.read(CHUNK), b""), expected)

    def open(self, digest: str) -> BinaryIO:
        return open(self.path(digest), "rb")

    def read_bytes(self, digest: str) -> bytes:
        """Read a (small) blob whole, verifying its digest. For JSON documents only."""
        data = self.path(digest).read_bytes()
        if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
            raise DigestMismatch(f"cached blob {digest} is corrupt")
        return data

    def verify(self, digest: str) -> bool:
        """Re-hash a stored blob; remove it and return False when it is corrupt."""
        path = self.path(digest)
        sha = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    sha.update(chunk)
        except FileNotFoundError:
            return False
        if "sha256:" + sha.hexdigest() == digest:
            return True
        with _suppress_missing():
            path.unlink()
        return False

    def copy_to(self, digest: str, destination: Path) -> None:
        with self.open(digest) as source, open(destination, "wb") as target:
            shutil.copyfileobj(source, target, CHUNK)


@contextmanager
def _suppress_missing() -> Iterator[None]:
    try:
        yield
    except FileNotFoundError:
        pass
