"""The files of an OCI image layout we did not write: a directory, a tar of one, or the blob store.

One reader, with one set of limits, for every layout that comes from
outside: base images (``oci:``, ``oci-archive:``, ``docker-archive:``) and
the archives ``aicontainer push``/``load`` read. A directory is read without
following links out of it (``oci.beneath``). A tar is indexed once, up to
:data:`MAX_ARCHIVE_ENTRIES` members; only regular-file members are read, and
a name that is a link, a directory or a device is refused by name, never
followed (unless the caller asks for links inside the archive to be
resolved, as ``docker save`` writes them, to a regular member of the same
archive). Documents are read whole only up to :data:`MAX_DOCUMENT_BYTES`.

The decisions on an index are here too: which entries a name picks
(:func:`entries_named`) and which entry serves a platform
(:func:`choose_platform`). Problems are :class:`LayoutError` (a few words,
no path: each caller names the file in its own wording) or, for a refused
member, ``oci.beneath.UnsafePath``.
"""

from __future__ import annotations

import errno
import io
import posixpath
import stat
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from hatch_aicontainer.oci.beneath import UnsafePath, lstat_beneath, open_beneath
from hatch_aicontainer.oci.cache import split_digest
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.oci.mediatypes import ANNOTATION_REF_NAME

#: An OCI layout holds a handful of files per layer; far more is not an image archive.
MAX_ARCHIVE_ENTRIES = 100_000
#: index.json, manifest.json, manifests and configs: a registry refuses larger manifests too
MAX_DOCUMENT_BYTES = 4 << 20
#: indexes inside indexes, at most
MAX_INDEX_DEPTH = 4
#: links followed one after the other inside an archive, at most
_MAX_LINK_HOPS = 8

__all__ = [
    "MAX_ARCHIVE_ENTRIES",
    "MAX_DOCUMENT_BYTES",
    "MAX_INDEX_DEPTH",
    "DirFiles",
    "LayoutError",
    "LayoutFiles",
    "StoreFiles",
    "TarFiles",
    "blob_name",
    "choose_platform",
    "entries_named",
    "norm_name",
    "platform_of",
    "read_document",
]


class LayoutError(Exception):
    """A layout cannot be read as one. The message names no file: the caller adds its own."""


class LayoutFiles(Protocol):
    """Named files of a layout (``index.json``, ``blobs/sha256/…``)."""

    def exists(self, name: str) -> bool: ...

    def open(self, name: str) -> IO[bytes]: ...

    def size(self, name: str) -> int: ...

    def close(self) -> None: ...


def norm_name(name: str) -> str:
    """A member name without ``./`` or ``/`` in front, as it is looked up."""
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def blob_name(digest: str) -> str:
    """``sha256:…`` -> ``blobs/sha256/…``; ValueError for a digest that is not one."""
    algorithm, hexpart = split_digest(digest)
    return f"blobs/{algorithm}/{hexpart}"


class DirFiles:
    """A layout directory, read without following links out of it (``oci.beneath``): a blob
    that is a symlink (to a host file, ``/dev/zero``, a FIFO) is refused, never read."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def exists(self, name: str) -> bool:
        return lstat_beneath(self.root, norm_name(name)) is not None

    def open(self, name: str) -> IO[bytes]:
        return open_beneath(self.root, norm_name(name))

    def size(self, name: str) -> int:
        found = lstat_beneath(self.root, norm_name(name))
        if found is None:
            raise FileNotFoundError(name)
        if stat.S_ISLNK(found.st_mode):
            raise UnsafePath(errno.ELOOP, f"{name} is a symbolic link, not a regular file")
        if not stat.S_ISREG(found.st_mode):
            raise UnsafePath(errno.EINVAL, f"{name} is not a regular file")
        return found.st_size

    def close(self) -> None:
        pass


class StoreFiles(DirFiles):
    """A blob store (``blobs/sha256/`` like a layout) with the layout's documents given in memory."""

    def __init__(self, root: Path, documents: Mapping[str, bytes]) -> None:
        super().__init__(root)
        self.documents = dict(documents)

    def exists(self, name: str) -> bool:
        return name in self.documents or (name.startswith("blobs/") and super().exists(name))

    def open(self, name: str) -> IO[bytes]:
        return io.BytesIO(self.documents[name]) if name in self.documents else super().open(name)

    def size(self, name: str) -> int:
        return len(self.documents[name]) if name in self.documents else super().size(name)


class TarFiles:
    """A layout in a tar, indexed once by normalised name.

    Raises ``tarfile.TarError``/``OSError`` when the file is not a readable
    tar, :class:`LayoutError` when it has more than :data:`MAX_ARCHIVE_ENTRIES`
    members. With ``links``, a symbolic or hard link to a regular member of
    the same archive is read as that member; any other link is refused.
    """

    def __init__(self, path: Path, *, links: bool = False) -> None:
        self.tar = tarfile.open(path, "r:*")
        self.members: dict[str, tarfile.TarInfo] = {}
        self.refused: dict[str, str] = {}
        self.links: dict[str, str] = {}
        try:
            for count, member in enumerate(self.tar, 1):
                if count > MAX_ARCHIVE_ENTRIES:
                    raise LayoutError(f"more than {MAX_ARCHIVE_ENTRIES} entries; not an image archive")
                self._add(norm_name(member.name), member, links)
        except BaseException:
            self.tar.close()
            raise
        self.tar.members = []  # the index above is all we need: do not keep every header twice

    def _add(self, name: str, member: tarfile.TarInfo, links: bool) -> None:
        self.members.pop(name, None)
        self.refused.pop(name, None)
        self.links.pop(name, None)
        if member.isfile():
            self.members[name] = member
        elif links and member.issym():
            self.links[name] = posixpath.normpath(posixpath.join(posixpath.dirname(name), member.linkname))
        elif links and member.islnk():
            self.links[name] = posixpath.normpath(norm_name(member.linkname))
        else:
            self.refused[name] = _kind(member)

    def _member(self, name: str) -> tarfile.TarInfo:
        name = norm_name(name)
        for _ in range(_MAX_LINK_HOPS):
            if name in self.refused:
                raise UnsafePath(errno.EINVAL, f"{name} is {self.refused[name]}, not a regular file")
            if name not in self.links:
                if name not in self.members:
                    raise FileNotFoundError(name)
                return self.members[name]
            name = self.links[name]
        raise UnsafePath(errno.ELOOP, f"{name} is a chain of links too long to follow")

    def exists(self, name: str) -> bool:
        name = norm_name(name)
        return name in self.members or name in self.refused or name in self.links

    def open(self, name: str) -> IO[bytes]:
        handle = self.tar.extractfile(self._member(name))
        if handle is None:  # pragma: no cover - isfile() members always extract
            raise FileNotFoundError(name)
        return handle

    def size(self, name: str) -> int:
        return self._member(name).size

    def close(self) -> None:
        self.tar.close()


def _kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "a symbolic link"
    if member.islnk():
        return "a hard link"
    if member.isdir():
        return "a directory"
    return "a device, FIFO or other special file"


def read_document(files: LayoutFiles, name: str) -> bytes:
    """A small file (``index.json``, ``manifest.json``) whole; :class:`LayoutError` past the limit."""
    with files.open(name) as handle:
        data = handle.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise LayoutError(f"{name} is larger than 4 MiB")
    return data


def entries_named(entries: Sequence[Mapping[str, Any]], name: str) -> list[Mapping[str, Any]]:
    """The index entries ``name`` picks: by ``org.opencontainers.image.ref.name`` or digest, else
    by the tag of a full reference as containerd writes it (``docker.io/library/python:3.11``)."""

    def ref_name(entry: Mapping[str, Any]) -> str:
        annotations = entry.get("annotations")
        return str(annotations.get(ANNOTATION_REF_NAME) or "") if isinstance(annotations, Mapping) else ""

    chosen = [e for e in entries if ref_name(e) == name or e.get("digest") == name]
    return chosen or [e for e in entries if ref_name(e).endswith(f":{name}")]


def choose_platform(entries: Sequence[Mapping[str, Any]], platform: Platform) -> Mapping[str, Any]:
    """The entry for ``platform`` (an exact variant first); attestations are not images.

    :class:`LayoutError` (``has no linux/arm64 image (it has linux/amd64)``) when none serves it.
    """
    images = [
        e
        for e in entries
        if isinstance(e, Mapping)
        and isinstance(e.get("platform"), Mapping)
        and (e.get("annotations") or {}).get("vnd.docker.reference.type") != "attestation-manifest"
    ]
    matching = [e for e in images if platform.matches(e["platform"])]
    if not matching:
        have = sorted({str(platform_of(e["platform"])) for e in images if e["platform"].get("os") != "unknown"})
        raise LayoutError(f"has no {platform} image (it has {', '.join(have) if have else 'no platforms'})")
    exact = [e for e in matching if e["platform"].get("variant") == platform.variant]
    return (exact or matching)[0]


def platform_of(data: Mapping[str, Any]) -> Platform:
    """The platform an index entry or a config names (``?`` for what it leaves out)."""
    return Platform(str(data.get("os", "?")), str(data.get("architecture", "?")), data.get("variant") or None)
