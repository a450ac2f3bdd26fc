"""Which repositories of a registry hold a blob, remembered across commands, to mount from.

A registry copies a blob from one of its repositories into another without
receiving its bytes again (a cross-repository mount, ``POST
/v2/<to>/blobs/uploads/?mount=<digest>&from=<from>``), but only when the
client names a repository that has it. Every push records, per registry
host, the repositories each of its blobs is now in; the next push (another
``aicontainer push``, another build) names them. What is recorded is a hint:
a repository deleted or unreadable since then only makes the registry refuse
the mount, and the push uploads instead.

The cache holds one small JSON file per registry host::

    <cache>/registries/<host>.json   {"version": 1, "blobs": {"sha256:…": ["team/app", …]}}

No credentials, no tags: digests and repository names only. The newest
entries are kept (``MAX_BLOBS`` blobs, ``MAX_REPOSITORIES`` repositories
each). Writers merge with what is on disk under an ``flock`` on the folder and
replace the file atomically, so concurrent pushes keep each other's entries.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from hatch_aicontainer.core.atomic import write_atomically
from hatch_aicontainer.oci.cache import TEMP_PREFIX, CacheFolders

MAX_BLOBS = 4096  #: per registry host, most recently recorded kept
MAX_REPOSITORIES = 8  #: per blob, most recently recorded first
_VERSION = 1

__all__ = ["MountSources"]


class MountSources:
    """The record in one cache directory (read lazily, one registry host at a time)."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = CacheFolders(Path(cache_dir)).registries
        self._loaded: dict[str, dict[str, list[str]]] = {}

    def path(self, host: str) -> Path:
        """The file of ``host`` (``host[:port]`` as the API is reached), a safe file name."""
        return self.folder / f"{quote(host.lower(), safe='.-_')}.json"

    def repositories(self, host: str, digest: str) -> list[str]:
        """Repositories of ``host`` known to hold ``digest``, most recently seen first."""
        if host not in self._loaded:
            self._loaded[host] = self._read(host)
        return list(self._loaded[host].get(digest, ()))

    def record(self, host: str, repository: str, digests: Iterable[str]) -> None:
        """Remember that ``repository`` of ``host`` holds ``digests``; OSError when the cache is not writable."""
        digests = list(dict.fromkeys(digests))
        if not digests:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        with _locked(self.folder):
            blobs = self._read(host)
            for digest in digests:
                repositories = [repository, *(r for r in blobs.pop(digest, []) if r != repository)]
                blobs[digest] = repositories[:MAX_REPOSITORIES]  # re-inserted: newest last
            kept = dict(list(blobs.items())[-MAX_BLOBS:])
            document = {"version": _VERSION, "blobs": kept}
            data = json.dumps(document, separators=(",", ":")).encode()
            write_atomically(self.path(host), data, prefix=TEMP_PREFIX)
        self._loaded[host] = kept

    def _read(self, host: str) -> dict[str, list[str]]:
        """The file's entries in recording order; nothing when it is absent or unreadable (a hint only)."""
        try:
            document = json.loads(self.path(host).read_bytes())
        except (OSError, ValueError):
            return {}
        blobs = document.get("blobs") if isinstance(document, dict) and document.get("version") == _VERSION else None
        if not isinstance(blobs, dict):
            return {}
        return {
            digest: [r for r in repositories if isinstance(r, str)][:MAX_REPOSITORIES]
            for digest, repositories in blobs.items()
            if isinstance(digest, str) and isinstance(repositories, list)
        }


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the folder itself (no lock file to leave behind)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
