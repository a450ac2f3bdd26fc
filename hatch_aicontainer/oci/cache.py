"""A content-addressed blob store on disk (``<root>/blobs/sha256/<hex>``).

Used both as the persistent cache (base-image blobs, built layers) and as the
scratch store of one build. Blobs are written to a temporary file in the same
directory, hashed while written, and renamed into place only when the digest
matches, so an interrupted build never leaves a corrupt entry and two builds
sharing the store can race safely (the rename is atomic; both write the same
bytes). Temporary files are named ``.tmp-<owner token>-*``: never read as blobs,
removed by ``cache.admin`` (prune/clean) once no build holds the store, and by
the next build once their writer is proven dead (``faults.sweep``).

Two things let ``cache.admin`` prune the persistent cache without breaking a
build that is using it:

* a store takes a SHARED ``flock`` on ``<root>/.lock`` the first time it is
  used and keeps it until ``close()`` (or until the process ends, however it
  ends: the kernel drops the lock). Pruning and cleaning take it EXCLUSIVELY,
  so they never run while a build holds the store.
* every use of a blob (``has`` finding it, ``verify``, ``open``, ...) sets its
  mtime to now (at most once a minute): the mtime is its last use, the order of
  least-recently-used pruning (atime is unreliable: noatime/relatime mounts).

Re-use without re-reading: when a blob is written or hashed in full, its identity
``(st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns)`` is recorded in
``<root>/blobs/identity/<hex>``. ``verify`` compares the blob's identity with the
record and hashes the blob in full only when they differ (no record, truncated,
rewritten in place, replaced by another file: any of these changes the size, the
inode or the ctime, which no user can set). Bit rot below the file system keeps the
identity: ``verify(full=True)`` (``aicontainer cache verify``) finds it, and
registries and Docker check every digest again on push and load. A record is only a
hint: a lost, stale or torn one costs one full hash, never a wrong answer.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hatch_aicontainer.core.atomic import temporary_file
from hatch_aicontainer.core.faults import located

CHUNK = 1 << 20
TEMP_PREFIX = ".tmp-"
_TOUCH_EVERY_NS = 60 * 10**9  # a use within the last minute is not recorded again


@dataclass(frozen=True)
class CacheFolders:
    """Every path inside a cache folder, named here and nowhere else."""

    root: Path

    @property
    def blobs(self) -> Path:
        """``blobs/sha256/<hex>``: the blobs."""
        return self.root / "blobs" / "sha256"

    @property
    def identities(self) -> Path:
        """``blobs/identity/<hex>``: each blob's file identity when it was last hashed (the module docstring)."""
        return self.root / "blobs" / "identity"

    @property
    def layer_records(self) -> Path:
        """``layers/``: the dependency and include layers' records (key -> blob and what it holds)."""
        return self.root / "layers"

    @property
    def probes(self) -> Path:
        """``probes/``: each base image's Python, by manifest digest."""
        return self.root / "probes"

    @property
    def interpreters(self) -> Path:
        """``interpreters/<key>/``: base images' interpreters unpacked to compile bytecode."""
        return self.root / "interpreters"

    @property
    def archive_records(self) -> Path:
        """``archives/``: what an archive in dist/ holds, for a rebuild to keep its prefix."""
        return self.root / "archives"

    @property
    def registries(self) -> Path:
        """``registries/<host>.json``: which repositories of a registry hold a blob (cross-repository mounts)."""
        return self.root / "registries"

    @property
    def bytecode(self) -> Path:
        """``bytecode/``: the bytecode of what an image build imports, when its Python writes none
        (plugin/import_bytecode.py; laid out as ``sys.pycache_prefix`` lays it out)."""
        return self.root / "bytecode"

    @property
    def lock(self) -> Path:
        """``.lock``: shared while a build uses the cache, exclusive while it is pruned or cleaned."""
        return self.root / ".lock"

    def temp_folders(self) -> tuple[Path, ...]:
        """Where writers leave ``TEMP_PREFIX`` names (blobs, records, unpacks)."""
        return (self.blobs, self.identities, self.layer_records, self.probes, self.interpreters)

    def subfolders(self) -> tuple[Path, ...]:
        """Every folder of the cache (what ``clean`` empties)."""
        return (
            self.root / "blobs", self.layer_records, self.probes, self.interpreters, self.archive_records, self.registries,
            self.bytecode,
        )


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

    def __init__(self, raw: BinaryIO, where: Path | None = None) -> None:
        self._raw = raw
        self._where = where
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:  # noqa: D401 - file protocol
        self._sha.update(data)
        self.size += len(data)
        with located(self._where or "?"):
            self._raw.write(data)
        return len(data)

    def flush(self) -> None:
        with located(self._where or "?"):
            self._raw.flush()

    @property
    def digest(self) -> str:
        return "sha256:" + self._sha.hexdigest()


class BlobStore:
    """Blobs addressed by sha256 digest under ``root/blobs/sha256``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.folders = CacheFolders(self.root)
        self._dir = self.folders.blobs
        self._lock_fd: int | None = None
        self._lock_taken = False
        self._lock_guard = threading.Lock()

    # -- the "in use" lock (see the module docstring) -----------------------

    def hold(self) -> None:
        """Take the shared lock on the store, once; kept until ``close()``.

        Blocks only while ``cache.admin`` prunes or cleans (seconds). A store
        that cannot be locked (read-only directory) is used without the lock.
        """
        if self._lock_taken:
            return
        with self._lock_guard:
            if self._lock_taken:
                return
            self._lock_taken = True
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.folders.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            except OSError:
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_SH)
            except OSError:
                os.close(fd)
                return
            self._lock_fd = fd

    def close(self) -> None:
        """Release the shared lock (the store stays usable: the next use takes it again)."""
        with self._lock_guard:
            fd, self._lock_fd, self._lock_taken = self._lock_fd, None, False
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock

    def __enter__(self) -> BlobStore:
        self.hold()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        fd = getattr(self, "_lock_fd", None)
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    # -- blobs ----------------------------------------------------------------

    def path(self, digest: str) -> Path:
        _, hexpart = split_digest(digest)
        self.hold()
        return self._dir / hexpart

    def has(self, digest: str) -> bool:
        path = self.path(digest)
        if path.is_file():
            self._touch(path)
            return True
        return False

    @contextmanager
    def writer(self, expected: str | None = None) -> Iterator[HashingWriter]:
        """Yield a writer into a temporary file; on clean exit the blob is moved to its digest name.

        The final digest is available as ``writer.digest`` after the block.
        With ``expected``, a blob of another digest raises DigestMismatch and
        never becomes visible; on any failure the temporary file is removed.
        """
        self.hold()
        self._dir.mkdir(parents=True, exist_ok=True)
        with temporary_file(self._dir, TEMP_PREFIX) as (fd, tmp_name):
            with os.fdopen(fd, "wb") as raw:
                hashing = HashingWriter(raw, self._dir)
                yield hashing
                with located(self._dir):
                    raw.flush()
                    os.fsync(raw.fileno())
            if expected is not None and hashing.digest != expected:
                raise DigestMismatch(f"expected {expected}, got {hashing.digest}")
            os.replace(tmp_name, self.path(hashing.digest))
        self._record_identity(hashing.digest)

    def put_stream(self, chunks: Iterable[bytes], expected: str | None = None) -> tuple[str, int]:
        """Store a stream of bytes; verify ``expected`` before it becomes visible."""
        with self.writer(expected) as hashing:
            for chunk in chunks:
                hashing.write(chunk)
        return hashing.digest, hashing.size

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        return self.put_stream([data])

    def open(self, digest: str) -> BinaryIO:
        path = self.path(digest)
        handle = open(path, "rb")
        self._touch(path)
        return handle

    def read_bytes(self, digest: str) -> bytes:
        """Read a (small) blob whole, verifying its digest. For JSON documents only."""
        path = self.path(digest)
        data = path.read_bytes()
        self._touch(path)
        if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
            raise DigestMismatch(f"cached blob {digest} is corrupt")
        return data

    def verify(self, digest: str, *, full: bool = False) -> bool:
        """Is the stored blob intact? Remove it and return False when it is not.

        Cheap by default: the blob's identity against the one recorded when it was
        written or last hashed (see the module docstring); a full hash when they
        differ, or with ``full``.
        """
        path = self.path(digest)
        if not full:
            try:
                if file_identity(os.stat(path)) == self._recorded_identity(digest):
                    self._touch(path)
                    return True
            except FileNotFoundError:
                return False
        sha = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                hashed = file_identity(os.fstat(handle.fileno()))
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    sha.update(chunk)
        except FileNotFoundError:
            return False
        if "sha256:" + sha.hexdigest() == digest:
            self._record_identity(digest, hashed)  # only if nothing changed it while it was hashed
            if not full:  # ``cache verify`` checks every blob: that is no use of them
                self._touch(path)
            return True
        with _suppress_missing():
            path.unlink()
        with _suppress_missing():
            self._identity_path(digest).unlink()
        return False

    # -- identities (see the module docstring) --------------------------------

    def _identity_path(self, digest: str) -> Path:
        return self.folders.identities / split_digest(digest)[1]

    def _recorded_identity(self, digest: str) -> str | None:
        try:
            return self._identity_path(digest).read_text()
        except (OSError, UnicodeDecodeError):
            return None

    def _record_identity(self, digest: str, expected: str | None = None) -> None:
        """Record the blob's identity now (it was just written or hashed), unless it is no
        longer ``expected``. Best effort: a record that cannot be written only costs a full
        hash next time."""
        try:
            identity = file_identity(os.stat(self.path(digest)))
            if expected is None or identity == expected:
                write_record(self._identity_path(digest), identity)
        except OSError:
            pass

    def _touch(self, path: Path) -> None:
        """Record a use: mtime = now (the least-recently-used order of cache.admin), at most
        once a minute; a matching identity record follows the touch (it changes the mtime and ctime)."""
        try:
            before = os.stat(path)
        except OSError:
            return
        if time.time_ns() - before.st_mtime_ns < _TOUCH_EVERY_NS:
            return
        digest = "sha256:" + path.name
        was_intact = self._recorded_identity(digest) == file_identity(before)
        try:
            os.utime(path)
        except OSError:
            return  # another user's blob in a shared cache: it only prunes a little earlier
        if was_intact:
            self._record_identity(digest)


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file, read in ``CHUNK``s (``hashlib.file_digest`` needs Python 3.11)."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            sha.update(chunk)
    return sha.hexdigest()


def file_identity(st: os.stat_result) -> str:
    """What changes whenever a file's bytes may have: device, inode, size, mtime and ctime (no user sets a ctime)."""
    return f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}\n"


def write_record(path: Path, text: str) -> None:
    """A small file written under a swept temporary name and renamed (no fsync: a record lost
    in a crash only costs a full hash)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with temporary_file(path.parent, TEMP_PREFIX) as (fd, tmp_name):
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            os.fchmod(handle.fileno(), 0o644)
        os.replace(tmp_name, path)


@contextmanager
def _suppress_missing() -> Iterator[None]:
    try:
        yield
    except FileNotFoundError:
        pass
