"""Long because: one reader for every layout a user hands us (archive, directory, store), its referrers too.

Read an image back: an ``.oci.tar`` (ours, or any OCI archive) or an OCI layout directory.

``open_image(path)`` returns an :class:`OCIImage` (a context manager) with
the layout's ``index.json``, the root descriptor (a manifest or an index),
and per platform the manifest, config and layer descriptors. Blobs are read
through it (small JSON documents whole and verified, layers as streams), and
:meth:`OCIImage.import_into` copies every blob the root reaches into a
:class:`~hatch_aicontainer.oci.cache.BlobStore`, streaming and verified, so
the image can be pushed with the very bytes (and digest) it was built with.

Every problem is an :class:`ArchiveError` whose message is one line naming
the file.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from hatch_aicontainer.core.errors import OutputError
from hatch_aicontainer.oci.cache import CHUNK, BlobStore, DigestMismatch, split_digest
from hatch_aicontainer.oci.descriptor import Descriptor, Platform, short_digest
from hatch_aicontainer.oci.layout import (
    MAX_ARCHIVE_ENTRIES,
    MAX_DOCUMENT_BYTES,
    MAX_INDEX_DEPTH,
    DirFiles,
    LayoutError,
    LayoutFiles,
    StoreFiles,
    TarFiles,
    blob_name,
    entries_named,
    norm_name,
    read_document,
)
from hatch_aicontainer.oci.mediatypes import (
    ANNOTATION_CONTAINERD_NAME,
    ANNOTATION_REF_NAME,
    ANNOTATION_REFERRERS,
    INDEX_TYPES,
    MANIFEST_TYPES,
    OCI_INDEX,
)

#: re-exported: the limits an archive is read with (``oci.layout``'s, the same for base images)
__all__ = [
    "MAX_ARCHIVE_ENTRIES",
    "MAX_DOCUMENT_BYTES",
    "ArchiveError",
    "ImportStats",
    "OCIImage",
    "PlatformManifest",
    "open_image",
    "open_store_image",
]


class ArchiveError(OutputError):
    """An image archive or layout is missing, unreadable, or not a valid OCI image."""


@dataclass(frozen=True)
class PlatformManifest:
    """One image manifest reachable from the root, with its config and layers."""

    descriptor: Descriptor  #: the manifest's descriptor (platform set when an index names it)
    platform: Platform | None  #: from the index entry, else from the config
    manifest: Mapping[str, Any]
    config_descriptor: Descriptor
    config: Mapping[str, Any]
    layers: tuple[Descriptor, ...]

    @property
    def labels(self) -> dict[str, str]:
        return dict((self.config.get("config") or {}).get("Labels") or {})

    @property
    def size(self) -> int:
        """Compressed size: manifest + config + layers, as a registry stores them."""
        return self.descriptor.size + self.config_descriptor.size + sum(layer.size for layer in self.layers)


@dataclass(frozen=True)
class ImportStats:
    copied: int
    reused: int
    bytes_copied: int


def _plain_relative(name: str) -> bool:
    """No absolute path, no ``..``: a name that stays inside the archive."""
    normal = norm_name(name)
    return bool(normal) and not name.startswith("/") and ".." not in normal.split("/") and posixpath.normpath(normal) == normal


class OCIImage:
    """An opened OCI image (archive or layout). Close it, or use it as a context manager."""

    def __init__(self, path: Path, files: LayoutFiles, ref: str | None) -> None:
        self.path = path
        self._files = files
        self._documents: dict[str, bytes] = {}
        self.index: dict[str, Any] = self._json_file("index.json")
        self.root = self._choose_root(ref)
        self.ref_name: str | None = self.root.annotations.get(ANNOTATION_REF_NAME)
        self.docker_manifest: list[dict[str, Any]] | None = (
            self._json_file("manifest.json") if self._has("manifest.json") else None
        )
        self._check_docker_manifest()
        self.images: tuple[PlatformManifest, ...] = tuple(self._walk(self.root, 0))
        if not self.images:
            raise ArchiveError(f"{self.path}: the image {short_digest(self.root.digest)} holds no manifest")

    # -- lifecycle -------------------------------------------------------

    def close(self) -> None:
        self._files.close()

    def __enter__(self) -> OCIImage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OCIImage({str(self.path)!r}, root={short_digest(self.root.digest)})"

    # -- what it holds ---------------------------------------------------

    @property
    def repo_tags(self) -> tuple[str, ...]:
        """``name:tag`` names it carries: Docker's manifest.json, else the containerd name annotation."""
        tags: list[str] = []
        for entry in self.docker_manifest or []:
            if isinstance(entry, dict):
                tags += [t for t in entry.get("RepoTags") or [] if isinstance(t, str)]
        if not tags and self.root.annotations.get(ANNOTATION_CONTAINERD_NAME):
            tags.append(self.root.annotations[ANNOTATION_CONTAINERD_NAME])
        return tuple(dict.fromkeys(tags))

    def blob_digests(self) -> list[str]:
        """Every blob the root reaches, each once: layers and configs first, manifests, then the root."""
        out: dict[str, None] = {}
        for image in self.images:
            for layer in image.layers:
                out.setdefault(layer.digest)
            out.setdefault(image.config_descriptor.digest)
        for image in self.images:
            out.setdefault(image.descriptor.digest)
        out.setdefault(self.root.digest)
        return list(out)

    @property
    def referrers_index(self) -> Descriptor | None:
        """The index of the image's attestations that its ``index.json`` entry names (``ANNOTATION_REFERRERS``)."""
        digest = self.root.annotations.get(ANNOTATION_REFERRERS)
        return Descriptor(OCI_INDEX, digest, self.blob_size(digest)) if digest else None

    @property
    def referrers(self) -> list[Descriptor]:
        """The image's attestations (referrer manifests, as a referrers index lists them); [] when it has none."""
        index = self.referrers_index
        if index is None:
            return []
        document = self._parse(self.read_blob(index.digest), f"referrers index {short_digest(index.digest)}")
        entries = document.get("manifests") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise ArchiveError(f"{self.path}: referrers index {short_digest(index.digest)} lists no manifests")
        return [self._descriptor(entry, "a referrers index entry") for entry in entries]

    def attachment_digests(self) -> list[str]:
        """Every blob of the attestations, each once: layers and configs, manifests, then their index."""
        index = self.referrers_index
        if index is None:
            return []
        out: dict[str, None] = {}
        referrers = self.referrers
        for referrer in referrers:
            document = self._document(referrer)
            for entry in (*(document.get("layers") or []), document.get("config") or {}):
                if isinstance(entry, dict) and isinstance(entry.get("digest"), str):
                    out.setdefault(entry["digest"])
        for referrer in referrers:
            out.setdefault(referrer.digest)
        out.setdefault(index.digest)
        return list(out)

    def blob_size(self, digest: str) -> int:
        name = self._blob_file(digest)
        try:
            return self._files.size(name)
        except OSError as exc:
            raise ArchiveError(f"{self.path}: cannot read blob {short_digest(digest)} ({_reason(exc)})") from None

    def open_blob(self, digest: str) -> IO[bytes]:
        """A stream of blob ``digest`` (not verified: :meth:`import_into` verifies)."""
        name = self._blob_file(digest)
        try:
            return self._files.open(name)
        except OSError as exc:
            raise ArchiveError(f"{self.path}: cannot read blob {short_digest(digest)} ({_reason(exc)})") from None

    def _blob_file(self, digest: str) -> str:
        name = blob_name(digest)
        if not self._has(name):
            raise ArchiveError(f"{self.path}: blob {short_digest(digest)} is missing")
        return name

    def _has(self, name: str) -> bool:
        try:
            return self._files.exists(name)
        except OSError as exc:
            raise ArchiveError(f"{self.path}: cannot read {name} ({_reason(exc)})") from None

    def read_blob(self, digest: str) -> bytes:
        """A small blob (a JSON document) whole, verified against its digest."""
        if digest in self._documents:
            return self._documents[digest]
        if self.blob_size(digest) > MAX_DOCUMENT_BYTES:
            raise ArchiveError(f"{self.path}: document {short_digest(digest)} is larger than 4 MiB")
        with self.open_blob(digest) as handle:
            data = handle.read()
        if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
            raise ArchiveError(f"{self.path}: blob {short_digest(digest)} does not match its digest (corrupt archive)")
        self._documents[digest] = data
        return data

    def import_into(self, store: BlobStore) -> ImportStats:
        """Copy every blob the root reaches into ``store`` (streamed, verified); keep intact ones."""
        copied = reused = total = 0
        for digest in self.blob_digests():
            if store.has(digest) and store.verify(digest):
                reused += 1
                continue
            with self.open_blob(digest) as handle:
                try:
                    _, size = store.put_stream(iter(lambda: handle.read(CHUNK), b""), expected=digest)
                except DigestMismatch:
                    raise ArchiveError(
                        f"{self.path}: blob {short_digest(digest)} does not match its digest (corrupt archive)"
                    ) from None
                except (OSError, tarfile.TarError, EOFError) as exc:
                    raise ArchiveError(f"{self.path}: cannot read blob {short_digest(digest)} ({_reason(exc)})") from None
            copied += 1
            total += size
        return ImportStats(copied=copied, reused=reused, bytes_copied=total)

    # -- parsing ---------------------------------------------------------

    def _json_file(self, name: str) -> Any:
        if not self._has(name):
            raise ArchiveError(f"{self.path} is not an OCI image layout (no {name})")
        try:
            data = read_document(self._files, name)
        except LayoutError as exc:
            raise ArchiveError(f"{self.path}: {exc}") from None
        except (OSError, tarfile.TarError) as exc:
            raise ArchiveError(f"{self.path}: cannot read {name} ({_reason(exc)})") from None
        return self._parse(data, name)

    def _parse(self, data: bytes, what: str) -> Any:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ArchiveError(f"{self.path}: {what} is larger than 4 MiB")
        try:
            return json.loads(data)
        except ValueError:
            raise ArchiveError(f"{self.path}: {what} is not JSON") from None

    def _document(self, descriptor: Descriptor) -> dict[str, Any]:
        document = self._parse(self.read_blob(descriptor.digest), f"document {short_digest(descriptor.digest)}")
        if not isinstance(document, dict):
            raise ArchiveError(f"{self.path}: document {short_digest(descriptor.digest)} is not a JSON object")
        return document

    def _descriptor(self, data: Any, what: str) -> Descriptor:
        try:
            descriptor = Descriptor.from_json(data)
            split_digest(descriptor.digest)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ArchiveError(f"{self.path}: {what} is not a valid descriptor") from None
        return descriptor

    def _check_docker_manifest(self) -> None:
        """Docker's ``manifest.json`` (read by ``docker load``) may only name regular files of this image."""
        if self.docker_manifest is None:
            return
        if not isinstance(self.docker_manifest, list):
            raise ArchiveError(f"{self.path}: manifest.json is not a list of images")
        for entry in self.docker_manifest:
            if not isinstance(entry, dict):
                raise ArchiveError(f"{self.path}: manifest.json holds an entry that is not an object")
            layers = entry.get("Layers") or []
            if not isinstance(layers, list):
                raise ArchiveError(f"{self.path}: manifest.json Layers is not a list")
            for name in [entry.get("Config"), *layers]:
                if not isinstance(name, str) or not _plain_relative(name):
                    raise ArchiveError(f"{self.path}: manifest.json names {name!r}, not a file of the archive")
                if not self._has(norm_name(name)):
                    raise ArchiveError(f"{self.path}: manifest.json names {name!r}, which the archive lacks")
                try:
                    self._files.size(norm_name(name))
                except OSError as exc:
                    raise ArchiveError(f"{self.path}: manifest.json names {name!r} ({_reason(exc)})") from None

    def _choose_root(self, ref: str | None) -> Descriptor:
        entries = self.index.get("manifests") if isinstance(self.index, dict) else None
        if not isinstance(entries, list) or not entries:
            raise ArchiveError(f"{self.path}: index.json lists no image")
        descriptors = [self._descriptor(entry, "an index.json entry") for entry in entries]
        if ref is not None:
            picked = {id(entry) for entry in entries_named(entries, ref)}
            chosen = [d for d, entry in zip(descriptors, entries, strict=True) if id(entry) in picked]
            if not chosen:
                names = ", ".join(sorted({d.annotations.get(ANNOTATION_REF_NAME, "") for d in descriptors} - {""})) or "none"
                raise ArchiveError(f"{self.path} has no image {ref!r} (names: {names})")
            return chosen[0]
        if len(descriptors) > 1:
            names = ", ".join(d.annotations.get(ANNOTATION_REF_NAME) or short_digest(d.digest) for d in descriptors)
            raise ArchiveError(f"{self.path} holds several images ({names}); name one")
        return descriptors[0]

    def _walk(self, descriptor: Descriptor, depth: int) -> Iterator[PlatformManifest]:
        if descriptor.media_type in INDEX_TYPES:
            if depth >= MAX_INDEX_DEPTH:
                raise ArchiveError(f"{self.path}: indexes nested too deeply")
            document = self._document(descriptor)
            children = document.get("manifests")
            if not isinstance(children, list):
                raise ArchiveError(f"{self.path}: index {short_digest(descriptor.digest)} has no manifests")
            for child in children:
                yield from self._walk(self._descriptor(child, "an index entry"), depth + 1)
            return
        if descriptor.media_type not in MANIFEST_TYPES:
            # Attestations and other artifacts are not images: leave them out.
            if depth > 0:
                return
            raise ArchiveError(f"{self.path}: unsupported media type {descriptor.media_type}")
        document = self._document(descriptor)
        try:
            config_descriptor = self._descriptor(document["config"], "a manifest's config")
            layers = tuple(self._descriptor(layer, "a manifest's layer") for layer in document.get("layers") or [])
        except (KeyError, TypeError):
            raise ArchiveError(f"{self.path}: manifest {short_digest(descriptor.digest)} has no config") from None
        config = self._parse(self.read_blob(config_descriptor.digest), f"config {short_digest(config_descriptor.digest)}")
        if not isinstance(config, dict):
            raise ArchiveError(f"{self.path}: config {short_digest(config_descriptor.digest)} is not a JSON object")
        platform = descriptor.platform
        if platform is None and config.get("os") and config.get("architecture"):
            platform = Platform(str(config["os"]), str(config["architecture"]), config.get("variant") or None)
        yield PlatformManifest(
            descriptor=descriptor,
            platform=platform,
            manifest=document,
            config_descriptor=config_descriptor,
            config=config,
            layers=layers,
        )


def open_image(path: str | Path, ref: str | None = None) -> OCIImage:
    """Open an ``.oci.tar`` (or any tar of an OCI layout) or an OCI layout directory.

    ``ref`` picks one image by its ``org.opencontainers.image.ref.name`` (or
    digest) when the layout holds several.
    """
    path = Path(path)
    if path.is_dir():
        files: LayoutFiles = DirFiles(path)
    elif path.is_file():
        try:
            files = TarFiles(path)
        except LayoutError as exc:
            raise ArchiveError(f"{path}: {exc}") from None
        except tarfile.ReadError:
            raise ArchiveError(f"{path} is not an image archive (not a tar file)") from None
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ArchiveError(f"{path} is not a readable image archive ({_reason(exc)})") from None
    else:
        raise ArchiveError(f"{path} does not exist")
    try:
        return OCIImage(path, files, ref)
    except BaseException:
        files.close()
        raise


def open_store_image(store_root: Path, documents: Mapping[str, bytes]) -> OCIImage:
    """The image an archive would hold, read from the blob store with no archive written:
    ``documents`` are the archive's own (``archive.layout_documents``)."""
    return OCIImage(Path(store_root), StoreFiles(Path(store_root), documents), None)


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())
