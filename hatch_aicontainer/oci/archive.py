"""``dist/*.oci.tar``: an OCI image layout in a tar, plus Docker's ``manifest.json``.

OCI tools (skopeo ``oci-archive:``, umoci, containerd) read ``oci-layout``,
``index.json`` and ``blobs/``; ``docker load`` of any engine version reads
``manifest.json`` (Docker 25+ writes archives of exactly this shape). The tar
is deterministic (see ``layer.write_tar``) and is written to a temporary file
beside the destination (named with ``faults.owner_token()``, so a later build can
sweep it should this one be killed), then renamed, so a failed build leaves
nothing behind. The file system's free space is checked against the tar's
exact size first (``needs 503 MB in dist/, 150 MB free``).

Blobs go into the tar by ``os.copy_file_range``: the kernel copies them without
passing them through this process, and file systems that share extents (XFS,
Btrfs; NFS 4.2 server-side) share them instead of copying, wherever the tar's
512-byte alignment allows. Where the call is refused (EXDEV across file systems
on old kernels, EINVAL, ENOSYS, EOPNOTSUPP, ...), the rest is copied by
read/write. Both give the same bytes (tests/test_archive_copy.py); the figures
are in ``benchmarks/archive_copy.py``.
"""

from __future__ import annotations

import errno
import json
import os
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from hatch_aicontainer.errors import OutputError
from hatch_aicontainer.faults import owner_token, signals_deferred, step
from hatch_aicontainer.oci.cache import BlobStore, split_digest
from hatch_aicontainer.oci.descriptor import Descriptor
from hatch_aicontainer.oci.image import canonical_json
from hatch_aicontainer.oci.layer import LayerEntry, write_tar
from hatch_aicontainer.oci.mediatypes import INDEX_TYPES, OCI_INDEX, OCI_LAYOUT_VERSION

#: False: copy blobs by read/write only (the benchmark and the tests compare both ways)
KERNEL_COPY = True
#: errors by which copy_file_range says "not here": fall back to read/write
_NO_KERNEL_COPY = {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF, errno.EPERM, errno.ETXTBSY}
_CHUNK = 1 << 20

REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"


@dataclass(frozen=True)
class ArchiveImage:
    """One platform's image: its manifest, config and layers (all in the store)."""

    manifest: Descriptor
    config: Descriptor
    layers: Sequence[Descriptor]


def _blob_path(digest: str) -> str:
    return "blobs/sha256/" + split_digest(digest)[1]


def _check_images(store: BlobStore, root: Descriptor, images: Sequence[ArchiveImage]) -> None:
    """``images`` must be exactly what ``root`` points to (a manifest, or an index's manifests)."""
    if not images:
        raise ValueError("an archive needs at least one image")
    if root.media_type in INDEX_TYPES:
        listed = [m["digest"] for m in json.loads(store.read_bytes(root.digest))["manifests"]]
    else:
        listed = [root.digest]
    if sorted(listed) != sorted(image.manifest.digest for image in images):
        raise ValueError(f"images do not match the manifests of {root.digest}")


def _docker_manifest(image: ArchiveImage, repo_tags: Sequence[str]) -> bytes:
    entry = {
        "Config": _blob_path(image.config.digest),
        "RepoTags": list(repo_tags),
        "Layers": [_blob_path(layer.digest) for layer in image.layers],
    }
    return canonical_json([entry])


def _index(root: Descriptor, ref_name: str, repo_tags: Sequence[str]) -> dict[str, Any]:
    annotations = {**root.annotations, REF_NAME: ref_name}
    if repo_tags:
        annotations[CONTAINERD_NAME] = repo_tags[0]
    descriptor = Descriptor(root.media_type, root.digest, root.size, annotations, root.platform)
    return {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [descriptor.to_json()]}


def layout_documents(
    root: Descriptor, images: Sequence[ArchiveImage], ref_name: str, repo_tags: Sequence[str]
) -> dict[str, bytes]:
    """``oci-layout``, ``index.json`` and ``manifest.json`` of the archive, in its order (also what a
    push straight from the cache records, with no archive written)."""
    return {
        "oci-layout": canonical_json({"imageLayoutVersion": OCI_LAYOUT_VERSION}),
        "index.json": canonical_json(_index(root, ref_name, repo_tags)),
        "manifest.json": _docker_manifest(images[0], repo_tags),
    }


def write_oci_archive(
    destination: Path,
    store: BlobStore,
    *,
    root: Descriptor,
    images: Sequence[ArchiveImage],
    ref_name: str,
    repo_tags: Sequence[str],
    mtime: int,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the archive of ``root`` (a manifest or an index) to ``destination``.

    Several images (an index) are all in the OCI part, but ``manifest.json``
    lists only ``images[0]``: ``docker load`` cannot choose a platform.
    ``progress`` is called with the number of bytes just written, as they are.
    """
    _check_images(store, root, images)
    blobs: dict[str, Descriptor] = {root.digest: root}
    for image in images:
        for descriptor in (image.manifest, image.config, *image.layers):
            blobs.setdefault(descriptor.digest, descriptor)
    entries = [
        *(LayerEntry(name, "file", data=data) for name, data in layout_documents(root, images, ref_name, repo_tags).items()),
        *(LayerEntry(_blob_path(digest), "file", source=store.path(digest)) for digest in blobs),
    ]
    destination = Path(destination)
    with step("writing the archive", destination.parent):
        destination.parent.mkdir(parents=True, exist_ok=True)
        check_free_space(destination, archive_size(entries, {_blob_path(d): b.size for d, b in blobs.items()}))
    with step("writing the archive", destination):
        _write(destination, entries, mtime, progress)


def archive_size(entries: Sequence[LayerEntry], sizes: dict[str, int]) -> int:
    """The tar's size (``sizes``: of the entries without ``data``, by path): a 512-byte header per
    entry, data padded to 512, two zero blocks, the whole padded to 10240."""
    total = 0
    for entry in entries:
        size = len(entry.data) if entry.data is not None else sizes[entry.path]
        total += 512 + -(-size // 512) * 512
    total += 1024
    return -(-total // 10240) * 10240


def check_free_space(destination: Path, needed: int) -> None:
    """Refuse before writing, naming both figures, when ``destination``'s file system lacks the room."""
    stats = os.statvfs(destination.parent)
    free = stats.f_bavail * stats.f_frsize
    if needed > free:
        mb = 1_000_000
        raise OutputError(
            f"writing the archive: {destination}: needs {-(-needed // mb)} MB in {destination.parent}/, {free // mb} MB free"
        )


def _write(destination: Path, entries: Sequence[LayerEntry], mtime: int, progress: Callable[[int], None] | None) -> None:
    """The tar under a temporary name beside ``destination`` (named for the sweep), renamed when whole."""
    tmp_name = None
    try:
        with signals_deferred():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{destination.name}.tmp-{owner_token()}-", dir=destination.parent)
        with os.fdopen(fd, "wb", buffering=0) as raw:
            out = _Output(raw.fileno(), progress)
            try:
                write_tar(entries, out, mtime=mtime, copy=out.copy)
            except FileNotFoundError as error:
                raise OutputError(f"cannot write {destination}: blob missing from the store: {error.filename}") from error
            os.fsync(raw.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, destination)
    except BaseException:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
        raise


class _Output:
    """The archive's descriptor: tar headers by ``write``, blobs by ``copy`` (in the kernel when it can)."""

    def __init__(self, fd: int, progress: Callable[[int], None] | None) -> None:
        self._fd = fd
        self._progress = progress
        self._kernel = KERNEL_COPY

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        self._done(len(data))
        return len(data)

    def copy(self, source: BinaryIO, size: int) -> None:
        """``size`` bytes of ``source`` (positioned at its start, nothing read yet) to the archive."""
        fd = source.fileno()
        remaining = size
        while remaining and self._kernel:
            try:
                copied = os.copy_file_range(fd, self._fd, min(remaining, 1 << 30))
            except OSError as error:
                if error.errno not in _NO_KERNEL_COPY:
                    raise
                self._kernel = False  # for the rest of this archive: the answer will not change
                break
            if not copied:
                raise OSError(errno.EIO, f"{source.name} shrank while it was being archived")
            remaining -= copied
            self._done(copied)
        while remaining:
            chunk = os.read(fd, min(_CHUNK, remaining))
            if not chunk:
                raise OSError(errno.EIO, f"{source.name} shrank while it was being archived")
            self.write(chunk)
            remaining -= len(chunk)

    def _done(self, size: int) -> None:
        if self._progress is not None:
            self._progress(size)


def read_archive_index(path: Path) -> dict[str, Any]:
    """The ``index.json`` of an archive."""
    with tarfile.open(path, "r:") as archive:
        member = archive.extractfile("index.json")
        if member is None:
            raise ValueError(f"{path} has no index.json file")
        with member:
            index: dict[str, Any] = json.loads(member.read())
    return index
