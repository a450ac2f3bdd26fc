"""The output steps of a build, each one job; ``apply`` runs them in order.

``SideFiles`` writes the SBOM(s) and the Kubernetes manifest; ``Results``
writes ``<archive>.json``/``.digest`` from the record; ``Layout``, ``Load``
and ``Push`` each do one configured output and add to the record what
really happened (a failing push records the references it did push before
raising).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hatch_aicontainer.build.image import BuiltImage
from hatch_aicontainer.build.layers import sbom
from hatch_aicontainer.cache.remote import EntryDocuments
from hatch_aicontainer.config.settings import Settings
from hatch_aicontainer.core.progress import Progress
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor
from hatch_aicontainer.oci.reader import OCIImage
from hatch_aicontainer.outputs import kubernetes
from hatch_aicontainer.outputs.layout import layout_path, write_oci_layout
from hatch_aicontainer.outputs.load import load_archive
from hatch_aicontainer.outputs.push.cache_entries import write_cache_entries
from hatch_aicontainer.outputs.push.publish import PushError, push_image
from hatch_aicontainer.outputs.results import add_loaded, add_pushed, write_results
from hatch_aicontainer.registry.access import RegistryAccess

Log = Callable[[str], None]
#: what ``<archive>.json`` holds (outputs.results)
Record = dict[str, Any]

__all__ = ["Layout", "Load", "Log", "Push", "Record", "Results", "SideFiles", "SideOutputs"]


@dataclass(frozen=True)
class SideOutputs:
    sboms: tuple[Path, ...]
    kubernetes: Path | None


@dataclass(frozen=True)
class SideFiles:
    """The SBOM(s) beside the archive (sbom.side_outputs) and the Kubernetes manifest (when configured)."""

    result: BuiltImage
    settings: Settings

    def run(self) -> SideOutputs:
        result = self.result
        documents = [(image.platform, image.sbom) for image in result.images if image.sbom]
        sboms = tuple(sbom.side_outputs(result.archive, documents)) if documents else ()
        manifest = kubernetes.write_manifest(
            self.settings, result.project.version, result.digest, result.images[0].user, result.archive.parent,
            source=result.archive.name,
        )
        return SideOutputs(sboms=sboms, kubernetes=manifest)


@dataclass(frozen=True)
class Results:
    """``<archive>.json`` and ``<archive>.digest``, rewritten after each step that succeeds."""

    archive: Path

    def run(self, record: Record) -> tuple[Path, Path]:
        return write_results(self.archive, record)


@dataclass(frozen=True)
class Layout:
    """``oci-layout = true``: the OCI layout directory beside the archive."""

    image: OCIImage
    archive: Path
    log: Log

    def run(self, record: Record) -> Path:
        layout = write_oci_layout(self.image, layout_path(self.archive))
        record["oci_layout"] = layout.name
        self.log(f"OCI layout {layout}")
        return layout


@dataclass(frozen=True)
class Load:
    """``load = true``: ``docker load`` into the engine ``DOCKER_HOST`` names, tagged."""

    archive: Path
    tags: Sequence[str]
    environ: Mapping[str, str]
    log: Log

    def run(self, record: Record) -> None:
        loaded = load_archive(self.archive, tags=self.tags, environ=self.environ, log=self.log)
        add_loaded(record, loaded.engine, loaded.image_id, loaded.tags)


@dataclass(frozen=True)
class Push:
    """Pushing: every reference from the store the build filled (base layers mounted where they are)."""

    store: BlobStore
    root: Descriptor
    references: Sequence[str]
    access: RegistryAccess
    log: Log
    progress: Progress | None
    referrers: Sequence[Descriptor] = ()  #: the attestations, attached to every repository pushed to
    remote_blobs: Mapping[str, tuple[int, str]] = field(default_factory=dict)  #: taken from a registry cache, not here
    cache_entries: Sequence[EntryDocuments] = ()  #: written to every repository pushed to (``cache-to``)

    def run(self, record: Record) -> None:
        try:
            pushed = push_image(
                self.store, self.root, self.references, access=self.access, log=self.log, progress=self.progress,
                referrers=self.referrers, remote_blobs=self.remote_blobs,
            )
        except PushError as exc:
            add_pushed(record, [p.pinned for p in exc.pushed])  # what the registry accepted before the failure
            raise
        add_pushed(record, [p.pinned for p in pushed])
        if self.cache_entries:
            write_cache_entries(self.references, self.cache_entries, self.access, self.log)
