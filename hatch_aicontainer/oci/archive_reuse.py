"""Which leading part of the previous ``.oci.tar`` a rebuild can keep in place.

A code-only rebuild of a 3 GB GPU image changes one small layer, yet writing the
archive afresh copies every blob: on file systems without shared extents (ext4)
that is gigabytes per build. The archive therefore lists its members in a fixed
order, the layers that change least first (``archive.member_order``), so the
previous archive of the same project begins with the same members: same names
(blob digests), same sizes, same header mtime, hence the same bytes at the same
offsets. The rebuild keeps that prefix and rewrites only the tail after it.

Trust: after an archive is renamed into place, a record of it is written to
``<cache>/archives/<key>.json``: its path, its file identity (device, inode,
size, mtime, ctime; see ``cache.file_identity``), the header mtime and each
member's ``(path, size, fingerprint)``. A prefix is kept only while the archive's
identity still equals the record's (any write, truncation or replacement changes
the ctime or the inode, and no user can set a ctime) and the file has one link
(a hard-linked copy elsewhere would change with it). Otherwise, or with no
record, the archive is written in full. As with the blob store, bit rot below
the file system is left to the digest checks of ``docker load`` and registries.

The record is a hint: a lost, stale or torn one costs one full write, never a
wrong archive. A prefix is only ever kept from a file this code wrote and
recorded, never guessed from the tar's contents.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hatch_aicontainer.oci.cache import CacheFolders, file_identity, write_record

#: the store's folder of archive records (removed by ``aicontainer cache clean``)

#: a member of the archive as the record keeps it: (path, data size, fingerprint)
MemberKey = tuple[str, int, str]


@dataclass(frozen=True)
class KeptPrefix:
    """The first ``count`` members of the previous archive, ``size`` bytes, are kept as they are."""

    count: int
    size: int
    old_size: int
    #: device, inode, size and mtime of the previous archive: checked again once it is renamed
    #: to the build's temporary name (the rename itself changes its ctime)
    stable_identity: tuple[int, int, int, int]


def member_offsets(keys: Sequence[MemberKey]) -> list[int]:
    """Where each member's header starts, and last where the members end (a 512-byte header
    each, data padded to 512 bytes; the end-of-archive blocks follow)."""
    offsets, offset = [0], 0
    for _path, size, _fingerprint in keys:
        offset += tarfile.BLOCKSIZE + -(-size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE
        offsets.append(offset)
    return offsets


def record_path(cache_root: Path, destination: Path) -> Path:
    """The record of the archive at ``destination`` (one per absolute path)."""
    key = hashlib.sha256(os.fsencode(os.path.abspath(destination))).hexdigest()[:32]
    return CacheFolders(cache_root).archive_records / f"{key}.json"


def prefix_to_keep(record: Path, destination: Path, keys: Sequence[MemberKey], mtime: int) -> KeptPrefix | None:
    """The part of the archive at ``destination`` that a rewrite with members ``keys`` keeps, if any."""
    try:
        recorded = json.loads(record.read_text())
        st = os.lstat(destination)
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or recorded.get("path") != os.path.abspath(destination):
        return None
    if recorded.get("mtime") != mtime or recorded.get("identity") != file_identity(st):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        return None
    old = recorded.get("members")
    if not isinstance(old, list):
        return None
    count = 0
    for before, now in zip(old, keys):
        if not isinstance(before, list) or tuple(before) != tuple(now):
            break
        count += 1
    if count == 0:
        return None  # all of it is kept when nothing changed: only the end blocks are written again
    size = member_offsets(keys)[count]
    if size > st.st_size:
        return None
    return KeptPrefix(count, size, st.st_size, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))


def still_the_same(kept: KeptPrefix, fd: int) -> bool:
    """After the rename: is the open file the one whose prefix was judged (no writer in between)?"""
    st = os.fstat(fd)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) == kept.stable_identity


def record_archive(record: Path, destination: Path, keys: Sequence[MemberKey], mtime: int) -> None:
    """Record the archive just renamed to ``destination``; a failure only costs the next build a full write."""
    try:
        text = json.dumps(
            {
                "path": os.path.abspath(destination),
                "identity": file_identity(os.lstat(destination)),
                "mtime": mtime,
                "members": [list(key) for key in keys],
            }
        )
        write_record(record, text)
    except OSError:
        try:
            record.unlink()  # a stale record never matches a new identity, but leave none behind either
        except OSError:
            pass
