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

Members come in a fixed order (``member_order``): ``oci-layout``, the layers that
change least first, the configs, manifests and root, then ``index.json`` and
``manifest.json``. A rebuild whose previous archive is still the one this code
wrote keeps its unchanged prefix in place and writes only the rest
(``archive_reuse``): a code-only rebuild of a 3 GB image writes megabytes. The
bytes are those of a full write (tests/test_archive_reuse.py).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from hatch_aicontainer.core.atomic import temporary_file
from hatch_aicontainer.core.errors import OutputError
from hatch_aicontainer.core.faults import step
from hatch_aicontainer.oci.archive_reuse import (
    KeptPrefix,
    MemberKey,
    member_offsets,
    prefix_to_keep,
    record_archive,
    record_path,
    still_the_same,
)
from hatch_aicontainer.oci.cache import BlobStore, split_digest
from hatch_aicontainer.oci.descriptor import Descriptor
from hatch_aicontainer.oci.image import canonical_json
from hatch_aicontainer.oci.layer import LayerEntry, write_tar
from hatch_aicontainer.oci.mediatypes import (
    ANNOTATION_CONTAINERD_NAME,
    ANNOTATION_REF_NAME,
    ANNOTATION_REFERRERS,
    INDEX_TYPES,
    OCI_INDEX,
    OCI_LAYOUT_VERSION,
)

#: False: copy blobs by read/write only (the benchmark and the tests compare both ways)
KERNEL_COPY = True
#: False: always write the whole archive (the tests compare a kept prefix with a full write)
REUSE_PREFIX = True
#: errors by which copy_file_range says "not here": fall back to read/write
_NO_KERNEL_COPY = {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF, errno.EPERM, errno.ETXTBSY}
_CHUNK = 1 << 20


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


def _index(root: Descriptor, ref_name: str, repo_tags: Sequence[str], referrers: Descriptor | None) -> dict[str, Any]:
    annotations = {**root.annotations, ANNOTATION_REF_NAME: ref_name}
    if repo_tags:
        annotations[ANNOTATION_CONTAINERD_NAME] = repo_tags[0]
    if referrers is not None:
        annotations[ANNOTATION_REFERRERS] = referrers.digest
    descriptor = Descriptor(root.media_type, root.digest, root.size, annotations, root.platform)
    return {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [descriptor.to_json()]}


def layout_documents(
    root: Descriptor,
    images: Sequence[ArchiveImage],
    ref_name: str,
    repo_tags: Sequence[str],
    referrers: Descriptor | None = None,
) -> dict[str, bytes]:
    """``oci-layout``, ``index.json`` and ``manifest.json`` of the archive, in its order (also what a
    push straight from the cache records, with no archive written). ``referrers``: the index of the
    image's attestations (``ANNOTATION_REFERRERS``)."""
    return {
        "oci-layout": canonical_json({"imageLayoutVersion": OCI_LAYOUT_VERSION}),
        "index.json": canonical_json(_index(root, ref_name, repo_tags, referrers)),
        "manifest.json": _docker_manifest(images[0], repo_tags),
    }


def member_order(root: Descriptor, images: Sequence[ArchiveImage]) -> list[Descriptor]:
    """The archive's blobs in its order: layers deepest below the top first, then the configs,
    the manifests and the root.

    A layer's depth is its distance from the top of its image (the most, over all
    platforms). What changes least sits lowest (base, dependencies, models, then the
    project), so the layers that a rebuild keeps come first, for every platform at
    once, and the previous archive's prefix can be kept (``archive_reuse``). The
    order depends only on the image: the same image gives the same bytes.
    """
    depth: dict[str, int] = {}
    layers: dict[str, Descriptor] = {}
    for image in images:
        for position, layer in enumerate(image.layers):
            layers.setdefault(layer.digest, layer)
            depth[layer.digest] = max(depth.get(layer.digest, 0), len(image.layers) - position)
    ordered = {d.digest: d for d in sorted(layers.values(), key=lambda d: -depth[d.digest])}  # stable: ties keep their order
    for descriptor in [image.config for image in images] + [image.manifest for image in images] + [root]:
        ordered.setdefault(descriptor.digest, descriptor)
    return list(ordered.values())


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
    attachments: Sequence[Descriptor] = (),
    referrers: Descriptor | None = None,
) -> None:
    """Write the archive of ``root`` (a manifest or an index) to ``destination``.

    Several images (an index) are all in the OCI part, but ``manifest.json``
    lists only ``images[0]``: ``docker load`` cannot choose a platform.
    ``attachments``: the blobs of the image's attestations (after the image's
    own, reached from the ``referrers`` index that ``index.json`` names).
    ``progress`` is called with the number of bytes just written, as they are
    (a kept prefix counts as written at once).
    """
    _check_images(store, root, images)
    documents = layout_documents(root, images, ref_name, repo_tags, referrers)
    blobs = member_order(root, images)
    seen = {blob.digest for blob in blobs}
    blobs += [d for d in dict((d.digest, d) for d in attachments).values() if d.digest not in seen]
    entries = [
        LayerEntry("oci-layout", "file", data=documents["oci-layout"]),
        LayerEntry("blobs", "dir", 0o755),
        LayerEntry("blobs/sha256", "dir", 0o755),
        *(LayerEntry(_blob_path(blob.digest), "file", source=store.path(blob.digest)) for blob in blobs),
        *(LayerEntry(name, "file", data=documents[name]) for name in ("index.json", "manifest.json")),
    ]
    sizes = {_blob_path(blob.digest): blob.size for blob in blobs}
    keys = [_member_key(entry, sizes) for entry in entries]
    destination = Path(destination)
    record = record_path(store.root, destination)
    kept = prefix_to_keep(record, destination, keys, mtime) if REUSE_PREFIX else None
    with step("writing the archive", destination.parent):
        destination.parent.mkdir(parents=True, exist_ok=True)
        needed = archive_size(keys)
        check_free_space(destination, needed - kept.size if kept else needed, freed=kept.old_size - kept.size if kept else 0)
    with step("writing the archive", destination):
        _write(destination, entries, mtime, progress, kept)
    record_archive(record, destination, keys, mtime)


def _member_key(entry: LayerEntry, sizes: dict[str, int]) -> MemberKey:
    """What a member's bytes in the archive depend on, besides the header mtime."""
    if entry.kind == "dir":
        return (entry.path, 0, "dir")
    if entry.data is not None:
        return (entry.path, len(entry.data), "sha256:" + hashlib.sha256(entry.data).hexdigest())
    return (entry.path, sizes[entry.path], "sha256:" + entry.path.rsplit("/", 1)[1])


def archive_size(keys: Sequence[MemberKey]) -> int:
    """The tar's exact size: its members (``archive_reuse.member_offsets``), two zero blocks, the
    whole padded to a 10240-byte record."""
    total = member_offsets(keys)[-1] + 2 * tarfile.BLOCKSIZE
    return -(-total // tarfile.RECORDSIZE) * tarfile.RECORDSIZE


def check_free_space(destination: Path, needed: int, *, freed: int = 0) -> None:
    """Refuse before writing, naming both figures, when ``destination``'s file system lacks the room
    (``freed``: bytes the write gives back first, the cut-off tail of a kept archive)."""
    stats = os.statvfs(destination.parent)
    free = stats.f_bavail * stats.f_frsize + freed
    if needed > free:
        mb = 1_000_000
        raise OutputError(
            f"writing the archive: {destination}: needs {-(-needed // mb)} MB in {destination.parent}/, {free // mb} MB free"
        )


def _write(
    destination: Path,
    entries: Sequence[LayerEntry],
    mtime: int,
    progress: Callable[[int], None] | None,
    kept: KeptPrefix | None,
) -> None:
    """The tar under a temporary name beside ``destination`` (named for the sweep), renamed when whole.

    With ``kept``, the previous archive itself is renamed to that temporary name, cut after
    the kept prefix and continued: an interrupted rebuild then leaves no archive at all
    (never a half-written one), where a full write would have left the previous one.
    """
    with temporary_file(destination.parent, f".{destination.name}.tmp-") as (fd, tmp_name):
        if kept is not None:
            os.close(fd)
            try:
                os.replace(destination, tmp_name)
            except FileNotFoundError:  # another build took or removed it just now
                kept = None
            fd = os.open(tmp_name, os.O_RDWR)
        with os.fdopen(fd, "r+b", buffering=0) as raw:
            if kept is not None and not still_the_same(kept, raw.fileno()):
                kept = None
            start = kept.size if kept is not None else 0
            os.ftruncate(raw.fileno(), start)
            os.lseek(raw.fileno(), start, os.SEEK_SET)
            out = _Output(raw.fileno(), progress)
            if start:
                out.kept(start)
            try:
                write_tar(entries[kept.count if kept else 0 :], out, mtime=mtime, copy=out.copy, ordered=True, start=start)
            except FileNotFoundError as error:
                raise OutputError(f"cannot write {destination}: blob missing from the store: {error.filename}") from error
            os.fsync(raw.fileno())
            os.fchmod(raw.fileno(), 0o644)
        os.replace(tmp_name, destination)


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

    def kept(self, size: int) -> None:
        """``size`` bytes already in place (a kept prefix): progress counts them as written."""
        self._done(size)

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
