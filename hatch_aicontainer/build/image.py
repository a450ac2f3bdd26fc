"""From settings and a built wheel to the image: every platform, the index, the archive.

``build_image`` is what both the ``container`` builder and the wheel build hook run (through
``plugin.run.make_image``). Each platform is built by ``platform.build_platform``; with several,
an OCI index names them. The ``.oci.tar`` is then written (``oci.archive``: under a temporary
name, renamed when whole; a rebuild keeps the previous archive's unchanged prefix), unless
``archive = false``.

What it returns, :class:`BuiltImage`, is the image as a value: its root and per-platform
descriptors, config documents and labels, the index, the layout documents, and what was
installed. The outputs (side files, results, layout, load, push) and the summary read this
value; nothing re-reads the archive it just wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hatch_aicontainer.build.attestations import attachment_blobs, attest_image, store_referrers_index
from hatch_aicontainer.build.labels import oci_annotations
from hatch_aicontainer.build.platform import PlatformImage, build_platform
from hatch_aicontainer.cache.remote import EntryDocuments, RemoteLayers, entry_documents
from hatch_aicontainer.config.naming import archive_name, render_tags
from hatch_aicontainer.config.settings import ProjectInfo, Settings
from hatch_aicontainer.core.progress import Progress
from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.archive import ArchiveImage, layout_documents, write_oci_archive
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor
from hatch_aicontainer.oci.image import image_index, store_json

if TYPE_CHECKING:
    from hatch_aicontainer.signing.signer import Signer

Log = Callable[[str], None]

__all__ = ["BuiltImage", "PlatformImage", "build_image"]


@dataclass(frozen=True)
class BuiltImage:
    """The image a build made (the archive written, unless ``archived`` is False)."""

    archive: Path  #: the ``.oci.tar``; with ``archive = false``, the name that was not written
    root: Descriptor  #: the manifest (one platform) or the index (several)
    repo_tags: tuple[str, ...]
    images: tuple[PlatformImage, ...]
    project: ProjectInfo
    archived: bool = True
    documents: Mapping[str, bytes] = field(default_factory=dict)  #: the layout's index.json etc. (layout_documents)
    warnings: tuple[str, ...] = ()  #: one-line warnings found while building (shown with the summary)
    referrers: tuple[Descriptor, ...] = ()  #: the attestation manifests (build.attestations), in the store
    signed_by: str | None = None  #: the key id the attestations are signed with (the signature among them); None: unsigned
    cache_entries: tuple[EntryDocuments, ...] = ()  #: an entry per layer a registry cache can name (``cache.remote``), signed with them

    @property
    def signed(self) -> bool:
        return self.signed_by is not None

    @property
    def digest(self) -> str:
        return self.root.digest

    @property
    def media_type(self) -> str:
        return self.root.media_type

    def remote_blobs(self) -> dict[str, str]:
        """Blobs of the image that are not in the local store (taken from a registry cache, not downloaded):
        digest -> the ``host/repo`` that holds them (the push mounts them from there)."""
        return {digest: where for image in self.images for digest, where in image.remote_blobs.items()}

    def blob_sizes(self) -> dict[str, int]:
        """Every blob of the image once (digest -> size): what a registry stores."""
        sizes = {self.root.digest: self.root.size}
        for image in self.images:
            sizes.update({d.digest: d.size for d in (image.manifest, image.config, *image.layers)})
        return sizes


def _cache_entries(images: Sequence[PlatformImage], signer: Signer | None) -> tuple[EntryDocuments, ...]:
    """The registry cache entry of every layer a key names, once per key (platforms may share an include
    layer), signed by ``signer`` if the build signs."""
    layers = {key: (layer, extras) for image in images for key, layer, extras in image.cache_entries}
    return tuple(entry_documents(key, layer, extras, signer) for key, (layer, extras) in layers.items())


def build_image(
    settings: Settings,
    project: ProjectInfo,
    wheel: Path,
    output_dir: Path,
    store: BlobStore,
    *,
    mtime: int,
    revision: str | None = None,
    log: Log = lambda _message: None,
    progress: Progress | None = None,
    signer: Signer | None = None,
    remote: RemoteLayers | None = None,
) -> BuiltImage:
    """Build the image for every configured platform, attest it (signed by ``signer``, if any)
    and write the archive."""
    progress = progress or Progress.silent()
    images = tuple(
        build_platform(
            settings, project, wheel, store, platform, mtime=mtime, revision=revision, log=log, progress=progress, remote=remote
        )
        for platform in settings.platforms
    )
    first = images[0]
    if len(images) == 1:
        root = first.manifest
    else:
        index = image_index([image.manifest for image in images], oci_annotations(first.labels))
        root = store_json(store, index, mediatypes.OCI_INDEX)
    repo_tags = render_tags(settings, project, first.target)
    archive = output_dir / archive_name(settings, project, [image.target for image in images])
    parts = [ArchiveImage(manifest=i.manifest, config=i.config, layers=i.layers) for i in images]
    ref_name = repo_tags[0].rpartition(":")[2]
    referrers = attest_image(settings, project, images, root, wheel, store, revision=revision, signer=signer)
    index = store_referrers_index(store, referrers)
    built = BuiltImage(
        archive=archive, root=root, repo_tags=repo_tags, images=images, project=project,
        archived=settings.outputs.archive, documents=layout_documents(root, parts, ref_name, repo_tags, index),
        warnings=tuple(dict.fromkeys(i.entrypoint.warning for i in images if i.entrypoint.warning)),
        referrers=referrers, signed_by=signer.keyid if signer is not None else None,
        cache_entries=_cache_entries(images, signer),
    )
    if settings.outputs.archive:
        log(f"writing {archive.name}")
        with progress.task(f"writing {archive.name}").begin(sum(built.blob_sizes().values())) as task:
            write_oci_archive(
                archive, store, root=root, images=parts, ref_name=ref_name, repo_tags=repo_tags, mtime=mtime, progress=task,
                attachments=attachment_blobs(store, referrers, index), referrers=index,
            )
    else:
        log(f"no {archive.name} (as {settings.key('archive')} asks): the push reads the cache")
    return built
