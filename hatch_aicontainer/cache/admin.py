"""The build cache on disk: its size, ``clean``, and a size limit kept by LRU pruning.

The cache (``AICONTAINER_CACHE_DIR``, else the user's cache folder: ``config.environment``) holds::

    blobs/sha256/<hex>       base-image blobs, built layers, configs, manifests
    blobs/sha256/.tmp-*      a blob being written (or left by a killed build)
    blobs/identity/<hex>     a blob's file identity when last hashed (BlobStore.verify's cheap check)
    layers/<key>.json        dependency-layer records: key -> layer descriptor
    probes/<hex>.json        base-image Python probes (tiny)
    interpreters/<key>/      base images' interpreters unpacked to compile bytecode (build/base/interpreter.py; ~80 MB each)
    bytecode/                the bytecode of what a build imports, when its Python writes none (plugin/import_bytecode.py)
    .lock                    the lock below

Safety with builds running at the same time (other processes, other users of
a shared cache):

* A build's ``BlobStore`` holds a SHARED ``flock`` on ``.lock`` from its
  first use until it is closed or its process ends (even by SIGKILL: the
  kernel drops the lock). ``clean_cache`` and ``prune_cache`` take it
  EXCLUSIVELY, so they never delete anything while a build is using the
  cache: they wait up to ``wait`` seconds and otherwise give up (prune
  reports ``busy``; clean raises ``CacheBusyError``). While they hold it,
  builds wait (for as long as the deletion takes).
* Holding the exclusive lock means no build is writing, so every ``.tmp-*``
  file is a leftover of a killed build and is removed.
* Blobs are only ever read through their digest (the store checks a cached
  layer before reusing it: its file identity, and a full hash when that
  changed; it removes a corrupt one; ``verify_cache`` hashes them all), so a
  record whose blob was pruned, or a half-written blob, is never used: the
  next build rebuilds it.

Least-recently-used: the store sets a blob's mtime whenever a build uses it
(``BlobStore.has``/``verify``/``open``), so pruning removes the blobs with the
oldest mtime first, until the cache fits ``max_bytes``. ``min_age`` keeps
anything used more recently than that many seconds (for caches on file systems
where ``flock`` is not shared between machines, e.g. some NFS setups).

``AICONTAINER_CACHE_MAX_SIZE`` (``"20G"``, ``"500MB"``, ``"10GiB"``, bytes)
sets the limit that ``after_build`` keeps automatically; without it the cache
is not pruned automatically.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hatch_aicontainer.cache import scan as cache_scan
from hatch_aicontainer.config.environment import parse_size
from hatch_aicontainer.core.errors import AIContainerError
from hatch_aicontainer.core.faults import EnvironmentFault, step
from hatch_aicontainer.oci.cache import BlobStore, CacheFolders


class CacheBusyError(AIContainerError):
    """A build is using the cache, so it cannot be cleaned now."""


@dataclass(frozen=True)
class CacheInfo:
    root: Path
    total_bytes: int  # everything under root
    blobs: int
    blob_bytes: int
    layer_records: int
    probes: int
    temp_files: int  # .tmp-* (being written, or left by a killed build)
    temp_bytes: int
    oldest_use: float | None  # mtime of the least recently used blob
    newest_use: float | None
    max_bytes: int | None  # AICONTAINER_CACHE_MAX_SIZE, if set
    in_use: bool  # a build holds the cache right now

    def summary(self) -> str:
        limit = f", limit {format_size(self.max_bytes)}" if self.max_bytes is not None else ""
        temp = f", {self.temp_files} temporary files ({format_size(self.temp_bytes)})" if self.temp_files else ""
        busy = " (a build is using it)" if self.in_use else ""
        return (
            f"{self.root}: {format_size(self.total_bytes)} in {self.blobs} blobs, "
            f"{self.layer_records} cached layers{temp}{limit}{busy}"
        )


@dataclass(frozen=True)
class PruneResult:
    root: Path
    removed_files: int
    removed_bytes: int
    total_bytes: int  # what is left
    busy: bool = False  # a build held the cache during the whole wait: nothing was removed

    def summary(self) -> str:
        if self.busy:
            return f"{self.root}: a build is using the cache; nothing removed ({format_size(self.total_bytes)})"
        return (
            f"{self.root}: removed {self.removed_files} files ({format_size(self.removed_bytes)}), "
            f"{format_size(self.total_bytes)} left"
        )


@dataclass(frozen=True)
class VerifyResult:
    root: Path
    checked: int
    checked_bytes: int
    bad: tuple[str, ...]  # digests of the blobs found corrupt (and removed)

    def summary(self) -> str:
        verdict = f"{len(self.bad)} corrupt, removed" if self.bad else "all intact"
        return f"{self.root}: hashed {self.checked} blobs ({format_size(self.checked_bytes)}): {verdict}"


# -- sizes ---------------------------------------------------------------------


def format_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


# -- the exclusive lock --------------------------------------------------------


@contextmanager
def exclusive(root: Path, wait: float) -> Iterator[bool]:
    """Yield True holding the exclusive lock on ``root``, or False if builds held it for ``wait`` s.

    Never use a ``BlobStore`` of ``root`` inside: its shared lock would wait for this one.
    """
    try:
        fd = os.open(CacheFolders(root).lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except FileNotFoundError:
        yield True  # no cache directory: nothing to protect
        return
    try:
        yield _lock_exclusive(fd, wait)
    finally:
        os.close(fd)  # drops the lock


def _lock_exclusive(fd: int, wait: float) -> bool:
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def _in_use(root: Path) -> bool:
    with exclusive(root, 0) as free:
        return not free


# -- the cache folder ----------------------------------------------------------


def checked_cache_dir(root: Path | str, where: str = "the cache folder") -> Path:
    """The cache folder ``root``, refused in one line when a file stands where it or one of its
    parents must be a folder; ``where`` names what chose it (``--dir``, ``AICONTAINER_CACHE_DIR``)."""
    chosen = Path(root)
    for path in (chosen, *chosen.parents):
        if path.exists():
            if not path.is_dir():
                raise EnvironmentFault(f"cache: {path}: not a directory ({where} = {chosen})")
            break
    return chosen


# -- the API the CLI wires ------------------------------------------------------


def cache_info(root: Path | str, max_bytes: int | None = None) -> CacheInfo:
    """What the cache holds (no lock taken: a snapshot); ``max_bytes``: its limit, when one is set."""
    root = checked_cache_dir(root)
    blobs, temps, total = cache_scan.scan(root)
    uses = [blob.mtime for blob in blobs]
    return CacheInfo(
        root=root,
        total_bytes=total,
        blobs=len(blobs),
        blob_bytes=sum(blob.size for blob in blobs),
        layer_records=len(list(CacheFolders(root).layer_records.glob("*.json"))),
        probes=len(list(CacheFolders(root).probes.glob("*.json"))),
        temp_files=len(temps),
        temp_bytes=sum(temp.size for temp in temps),
        oldest_use=min(uses) if uses else None,
        newest_use=max(uses) if uses else None,
        max_bytes=max_bytes,
        in_use=root.is_dir() and _in_use(root),
    )


def clean_cache(root: Path | str, *, wait: float = 30.0) -> PruneResult:
    """Remove everything in the cache once no build uses it (wait up to ``wait`` seconds).

    Raises ``CacheBusyError`` if builds kept using it for the whole wait.
    """
    root = checked_cache_dir(root)
    if not root.is_dir():
        return PruneResult(root, 0, 0, 0)
    with exclusive(root, wait) as free:
        if not free:
            raise CacheBusyError(f"the cache {root} is in use by a running build; try again when it has finished")
        removed_files = removed_bytes = 0
        for path, st in list(cache_scan.walk(root)):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            removed_files += 1
            removed_bytes += st.st_size
        for sub in CacheFolders(root).subfolders():
            shutil.rmtree(root / sub, ignore_errors=True)
    return PruneResult(root, removed_files, removed_bytes, cache_scan.scan(root)[2])


def prune_cache(
    max_bytes: int | str,
    root: Path | str,
    *,
    wait: float = 0.0,
    min_age: float = 0.0,
) -> PruneResult:
    """Shrink the cache to at most ``max_bytes``, least recently used blobs first.

    Also removes temporary files of killed builds and layer records whose blob
    is gone. Waits up to ``wait`` seconds for running builds to finish; if they
    do not, removes nothing and returns ``busy=True``. Blobs used less than
    ``min_age`` seconds ago are kept even if the cache stays over the limit.
    """
    limit = parse_size(max_bytes)
    root = checked_cache_dir(root)
    if not root.is_dir():
        return PruneResult(root, 0, 0, 0)
    with exclusive(root, wait) as free:
        if not free:
            return PruneResult(root, 0, 0, cache_scan.scan(root)[2], busy=True)
        blobs, temps, _ = cache_scan.scan(root)
        removed: list[int] = []

        def remove(path: Path) -> None:
            freed = cache_scan.unlink(path)
            if freed is not None:
                removed.append(freed)

        for temp in temps:  # nobody is writing: these are leftovers of killed builds
            remove(temp.path)
        interpreters, unfinished = cache_scan.interpreters(root)
        for folder in unfinished:  # an unpack a killed build left half-done
            removed.append(cache_scan.remove_tree(folder.path))
        total = cache_scan.scan(root)[2]
        now = time.time()
        for item in sorted(blobs + interpreters, key=lambda b: (b.mtime, b.path.name)):
            if total <= limit:
                break
            if now - item.mtime >= min_age:
                if item.path.parent == CacheFolders(root).interpreters:
                    removed.append(cache_scan.remove_tree(item.path))
                else:
                    remove(item.path)
                    freed = cache_scan.unlink(CacheFolders(root).identities / item.path.name)
                    if freed is not None and removed:
                        removed[-1] += freed  # one blob: its bytes and its identity's
                total -= item.size + item.identity
        blob_dir = CacheFolders(root).blobs
        for record, digest in cache_scan.records(root):
            if digest is None or not digest.startswith("sha256:") or not cache_scan.HEX.match(digest[7:]) or not (blob_dir / digest[7:]).is_file():
                remove(record)  # its layer is gone (or it is unreadable): the next build remakes both
        for identity in sorted(CacheFolders(root).identities.glob("*")):
            if cache_scan.HEX.match(identity.name) and not (blob_dir / identity.name).is_file():
                remove(identity)  # the identity of a pruned blob
        total = cache_scan.scan(root)[2]
    return PruneResult(root, len(removed), sum(removed), total)


def verify_cache(root: Path | str, report: Callable[[str], None] = lambda _line: None) -> VerifyResult:
    """Hash every blob in full (``aicontainer cache verify``); remove corrupt ones, one ``report`` line each.

    Finds what the cheap check of a build cannot: bytes changed below the file
    system (bit rot) with the file's identity unchanged. Holds the store like a
    build does (shared), so builds may run meanwhile; a removed blob is made or
    fetched again by the next build that needs it.
    """
    root = checked_cache_dir(root)
    if not root.is_dir():
        return VerifyResult(root, 0, 0, ())
    checked = checked_bytes = 0
    bad: list[str] = []
    with BlobStore(root) as store:
        for blob in sorted(cache_scan.scan(root)[0], key=lambda b: b.path.name):
            digest = "sha256:" + blob.path.name
            with step("verifying the cache", blob.path):
                if not blob.path.is_file():
                    continue  # pruned meanwhile
                intact = store.verify(digest, full=True)
            if not intact:
                bad.append(digest)
                report(f"{digest}: corrupt ({format_size(blob.size)}): removed")
            checked += 1
            checked_bytes += blob.size
    return VerifyResult(root, checked, checked_bytes, tuple(bad))


def after_build(
    store: BlobStore, max_size: int | None, log: Callable[[str], None] = lambda _message: None
) -> PruneResult | None:
    """Call when a build is done with ``store``: release it, then keep ``max_size`` (``AICONTAINER_CACHE_MAX_SIZE``).

    Never waits for other builds and never fails the build: if another build
    holds the cache, the next one to finish prunes.
    """
    store.close()
    limit = max_size
    if limit is None:
        return None
    try:
        result = prune_cache(limit, store.root, wait=0.0)
    except OSError as exc:
        log(f"cache: could not prune {store.root} ({exc.strerror or exc})")
        return None
    if result.removed_files:
        log(f"cache: {result.summary()} (limit {format_size(limit)})")
    return result


__all__ = [
    "CacheBusyError",
    "CacheInfo",
    "PruneResult",
    "VerifyResult",
    "after_build",
    "cache_info",
    "checked_cache_dir",
    "clean_cache",
    "format_size",
    "prune_cache",
    "verify_cache",
]
