"""Long because: four kinds of source (registry, oci:, oci-archive:, docker-archive:), each with its own errors.

Resolve the ``base-image`` setting to one platform's manifest, config and layers, all in the blob store.

Accepted specs:

* a registry reference, Docker-normalised (``python:3.11-slim``,
  ``127.0.0.1:5000/library/python:3.11-slim``, ``host/repo@sha256:…``); an
  optional ``docker://`` prefix is allowed, as skopeo writes it;
* ``oci:PATH[:TAG]`` — an OCI image layout directory; TAG is matched against
  ``org.opencontainers.image.ref.name``; without TAG the layout must hold one
  image (or one image per platform);
* ``oci-archive:FILE[:TAG]`` — the same layout in a tar file;
* ``docker-archive:FILE[:NAME:TAG | :@N]`` — ``docker save`` output
  (``manifest.json``); a manifest is made for it (uncompressed layers are
  ``OCI_LAYER_TAR``).

An index (OCI index or Docker manifest list) yields the manifest for the
requested platform; a single manifest must match the platform by its config.

Caching: every blob goes into the store, keyed and verified by digest. A
registry manifest asked for by TAG is fetched on each build (tags move); the
platform manifest, config and layers it names are then taken from the store
when present. A spec that pins a digest is resolved from the store alone when
everything it names is cached (content addressing makes that exact), so
rebuilds work offline; otherwise it is fetched.
"""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from hatch_aicontainer.core.errors import BaseImageError, RegistryError
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.beneath import UnsafePath
from hatch_aicontainer.oci.cache import CHUNK, BlobStore, DigestMismatch, split_digest
from hatch_aicontainer.oci.descriptor import Descriptor, Layer, Platform, short_digest
from hatch_aicontainer.oci.image import canonical_json
from hatch_aicontainer.oci.layout import (
    MAX_INDEX_DEPTH,
    DirFiles,
    LayoutError,
    LayoutFiles,
    TarFiles,
    blob_name,
    choose_platform,
    entries_named,
    platform_of,
    read_document,
)
from hatch_aicontainer.registry.access import RegistryAccess
from hatch_aicontainer.registry.client import RegistryClient
from hatch_aicontainer.registry.reference import BaseImageSpec, ImageReference

_CONFIG_TYPES = frozenset({mt.OCI_CONFIG, mt.DOCKER_CONFIG})
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True)
class BaseImage:
    spec: BaseImageSpec  # as the user wrote it
    canonical: str  # "127.0.0.1:5000/library/python:3.11-slim@sha256:…", "oci:/abs/path:tag@sha256:…"
    manifest_digest: str  # the chosen platform manifest
    index_digest: str | None  # the index it was chosen from, if any
    config: Mapping[str, Any]  # parsed image config JSON
    layers: tuple[Layer, ...]  # OCI media types; diff_ids from the config; blobs in the store

    @property
    def platform(self) -> Platform:
        """The platform the config declares."""
        return Platform(
            str(self.config.get("os", "")), str(self.config.get("architecture", "")), self.config.get("variant") or None
        )


def resolve_base_image(
    spec: BaseImageSpec,
    platform: Platform,
    store: BlobStore,
    *,
    access: RegistryAccess,
    root: Path | None = None,
    from_env: str | None = None,
) -> BaseImage:
    """Resolve ``spec`` for ``platform`` with every blob in ``store``.

    ``access`` says how registries are reached (plain-HTTP hosts, CA bundle, credentials).
    ``root`` is the directory relative local paths are taken from (default:
    the current directory). ``from_env``: the environment variable that set
    ``spec`` (``AICONTAINER_BASE_IMAGE``), named in every failure so a CI
    mirror setting is not mistaken for pyproject.toml's. Every failure is a
    one-line ``BaseImageError``.
    """
    try:
        return _resolve(spec, platform, store, root, access)
    except BaseImageError as exc:
        if from_env is None:
            raise
        raise BaseImageError(f"{exc} (the value comes from the environment variable {from_env})") from None


def _resolve(spec: BaseImageSpec, platform: Platform, store: BlobStore, root: Path | None, access: RegistryAccess) -> BaseImage:
    handlers = {"oci": _resolve_oci_layout, "oci-archive": _resolve_oci_archive, "docker-archive": _resolve_docker_archive}
    if spec.is_local:
        return handlers[spec.transport](spec, spec.location, platform, store, Path(root) if root is not None else Path.cwd())
    assert spec.reference is not None  # BaseImageSpec.parse gives a registry spec its reference
    return _resolve_registry(spec, spec.reference, platform, store, access)


# -- sources of documents and blobs ----------------------------------------


class _NotCached(Exception):
    pass


class _Source(Protocol):
    def document(self, digest: str) -> bytes:
        """A config blob's bytes, verified and put in the store."""

    def manifest(self, digest: str) -> bytes:
        """A manifest or index by digest, verified and put in the store."""

    def blob(self, digest: str) -> None:
        """Make sure a (layer) blob is in the store, verified."""


class _StoreSource:
    """Only what the store already has (offline rebuilds)."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store

    def document(self, digest: str) -> bytes:
        if not self.store.has(digest):
            raise _NotCached(digest)
        try:
            return self.store.read_bytes(digest)
        except DigestMismatch:
            self.store.path(digest).unlink(missing_ok=True)
            raise _NotCached(digest) from None

    manifest = document

    def blob(self, digest: str) -> None:
        if not (self.store.has(digest) and self.store.verify(digest)):
            raise _NotCached(digest)


class _RegistrySource:
    def __init__(self, client: RegistryClient, repository: str, store: BlobStore) -> None:
        self.client = client
        self.repository = repository
        self.store = store

    def document(self, digest: str) -> bytes:
        self.client.fetch_blob(self.repository, digest, self.store)  # skips a cached, intact blob
        return self.store.read_bytes(digest)

    def manifest(self, digest: str) -> bytes:
        if self.store.has(digest):
            try:
                return self.store.read_bytes(digest)
            except DigestMismatch:
                self.store.path(digest).unlink(missing_ok=True)
        data, _, _ = self.client.get_manifest(self.repository, digest)
        self.store.put_stream([data], expected=digest)
        return data

    def blob(self, digest: str) -> None:
        self.client.fetch_blob(self.repository, digest, self.store)


class _LayoutSource:
    """Blobs of an OCI layout (directory or tar), copied into the store."""

    def __init__(self, files: LayoutFiles, where: Path, store: BlobStore, spec: BaseImageSpec) -> None:
        self.files = files
        self.where = str(where)
        self.store = store
        self.spec = spec

    def document(self, digest: str) -> bytes:
        self.blob(digest)
        return self.store.read_bytes(digest)

    manifest = document

    def blob(self, digest: str) -> None:
        if self.store.has(digest) and self.store.verify(digest):
            return
        try:
            handle = self.files.open(blob_name(digest))
        except (FileNotFoundError, ValueError):
            raise BaseImageError(f'base-image "{self.spec}": blob {short_digest(digest)} is missing from {self.where}') from None
        except UnsafePath as exc:
            raise BaseImageError(f'base-image "{self.spec}": {self.where}: {exc.strerror}; refused') from None
        try:
            with handle:
                self.store.put_stream(iter(lambda: handle.read(CHUNK), b""), expected=digest)
        except DigestMismatch:
            raise BaseImageError(
                f'base-image "{self.spec}": blob {short_digest(digest)} in {self.where} does not match its digest'
            ) from None


# -- registry --------------------------------------------------------------


def _resolve_registry(
    spec: BaseImageSpec, ref: ImageReference, platform: Platform, store: BlobStore, access: RegistryAccess
) -> BaseImage:
    name = f"{ref.registry}/{ref.repository}" + (f":{ref.tag}" if ref.tag else "")
    if ref.digest:
        try:
            return _from_top(spec, name, ref.digest, None, platform, _StoreSource(store), store)
        except _NotCached:
            pass
    client = RegistryClient(ref.api_host, access=access)
    try:
        source = _RegistrySource(client, ref.repository, store)
        if ref.digest:
            top = source.manifest(ref.digest)
            return _from_top(spec, name, ref.digest, top, platform, source, store)
        data, _media_type, digest = client.get_manifest(ref.repository, ref.tag or "latest")
        store.put_stream([data], expected=digest)
        return _from_top(spec, name, digest, data, platform, source, store)
    except RegistryError as exc:
        raise BaseImageError(f'base-image "{spec}" cannot be fetched: {exc}') from None
    finally:
        client.close()


def _from_top(
    spec: BaseImageSpec, name: str, top_digest: str, top: bytes | None, platform: Platform, source: _Source, store: BlobStore
) -> BaseImage:
    """Walk from the document ``top_digest`` (an index or a manifest) to one platform's image."""
    if top is None:
        top = source.manifest(top_digest)
    manifest_digest, index_digest, manifest = _walk(spec, top_digest, top, platform, source)
    return _assemble(
        spec, f"{name}@{top_digest}", manifest_digest, index_digest, manifest, platform, source, store
    )


def _walk(
    spec: BaseImageSpec, digest: str, data: bytes, platform: Platform, source: _Source
) -> tuple[str, str | None, Mapping[str, Any]]:
    document = _parse_json(spec, data, "manifest")
    index_digest: str | None = None
    for _ in range(MAX_INDEX_DEPTH):
        if not _is_index(document):
            return digest, index_digest, document
        if index_digest is None:
            index_digest = digest
        entry = _choose_platform(spec, document.get("manifests") or [], platform)
        digest = _descriptor_digest(spec, entry)
        document = _parse_json(spec, source.manifest(digest), "manifest")
    raise BaseImageError(f'base-image "{spec}" has indexes nested too deep')


def _is_index(document: Mapping[str, Any]) -> bool:
    media_type = document.get("mediaType")
    if media_type in mt.INDEX_TYPES:
        return True
    return media_type is None and isinstance(document.get("manifests"), list) and "layers" not in document


def _choose_platform(spec: BaseImageSpec, entries: Sequence[Any], platform: Platform) -> Mapping[str, Any]:
    try:
        return choose_platform(entries, platform)
    except LayoutError as exc:
        raise BaseImageError(f'base-image "{spec}" {exc}') from None


def _descriptor_digest(spec: BaseImageSpec, entry: Mapping[str, Any]) -> str:
    digest = entry.get("digest")
    try:
        split_digest(str(digest))
    except ValueError:
        raise BaseImageError(f'base-image "{spec}" names an unsupported digest {digest!r} (sha256 only)') from None
    return str(digest)


def _assemble(
    spec: BaseImageSpec,
    canonical: str,
    manifest_digest: str,
    index_digest: str | None,
    manifest: Mapping[str, Any],
    platform: Platform,
    source: _Source,
    store: BlobStore,
) -> BaseImage:
    if manifest.get("mediaType") not in (None, *mt.MANIFEST_TYPES) or not isinstance(manifest.get("config"), Mapping):
        raise BaseImageError(f'base-image "{spec}" is not an image manifest ({manifest.get("mediaType")})')
    config_descriptor = manifest["config"]
    config_type = config_descriptor.get("mediaType")
    if config_type not in _CONFIG_TYPES:
        raise BaseImageError(f'base-image "{spec}" is not a container image (config media type {config_type})')
    config = _parse_json(spec, source.document(_descriptor_digest(spec, config_descriptor)), "config")
    if index_digest is None:
        _check_config_platform(spec, config, platform)

    raw_layers = manifest.get("layers") or []
    rootfs = config.get("rootfs") if isinstance(config.get("rootfs"), Mapping) else {}
    diff_ids = rootfs.get("diff_ids") or []
    if len(diff_ids) != len(raw_layers):
        raise BaseImageError(
            f'base-image "{spec}" is inconsistent: {len(raw_layers)} layers but {len(diff_ids)} diff_ids in its config'
        )
    layers = []
    for raw, diff_id in zip(raw_layers, diff_ids, strict=True):
        layer = _relabel(spec, raw, diff_id)
        source.blob(layer.descriptor.digest)
        layers.append(layer)
    return BaseImage(
        spec=spec,
        canonical=canonical,
        manifest_digest=manifest_digest,
        index_digest=index_digest,
        config=config,
        layers=tuple(layers),
    )


def _relabel(spec: BaseImageSpec, raw: Mapping[str, Any], diff_id: str) -> Layer:
    media_type = str(raw.get("mediaType"))
    try:
        oci_type = mt.layer_to_oci(media_type)
    except KeyError:
        raise BaseImageError(f'base-image "{spec}" has a layer of unsupported media type {media_type}') from None
    try:
        split_digest(str(diff_id))
    except ValueError:
        raise BaseImageError(f'base-image "{spec}" has an unsupported diff_id {diff_id!r}') from None
    descriptor = Descriptor(
        media_type=oci_type,
        digest=_descriptor_digest(spec, raw),
        size=int(raw.get("size", 0)),
        annotations=dict(raw.get("annotations") or {}),
    )
    return Layer(descriptor=descriptor, diff_id=str(diff_id))


def _check_config_platform(spec: BaseImageSpec, config: Mapping[str, Any], platform: Platform) -> None:
    theirs = {"os": config.get("os"), "architecture": config.get("architecture"), "variant": config.get("variant")}
    if not platform.matches(theirs):
        raise BaseImageError(f'base-image "{spec}" is {platform_of(theirs)}, not {platform}')


def _parse_json(spec: BaseImageSpec, data: bytes, what: str) -> Mapping[str, Any]:
    try:
        document = json.loads(data)
    except ValueError:
        raise BaseImageError(f'base-image "{spec}" has a {what} that is not JSON') from None
    if not isinstance(document, dict):
        raise BaseImageError(f'base-image "{spec}" has a {what} that is not a JSON object')
    return document


# -- local layouts -----------------------------------------------------------


def _split_local(rest: str, root: Path, *, want_dir: bool) -> tuple[Path, str | None]:
    """``PATH[:SUFFIX]`` -> (absolute path, suffix): the longest existing prefix wins."""

    def ok(candidate: str) -> bool:
        path = _absolute(candidate, root)
        return path.is_dir() if want_dir else path.is_file()

    if ok(rest):
        return _absolute(rest, root), None
    for i, char in enumerate(rest):
        if char == ":" and i > 0 and ok(rest[:i]):
            return _absolute(rest[:i], root), rest[i + 1 :] or None
    return _absolute(rest, root), None


def _absolute(text: str, root: Path) -> Path:
    path = Path(os.path.expanduser(text))
    return path if path.is_absolute() else root / path


def _resolve_oci_layout(spec: BaseImageSpec, rest: str, platform: Platform, store: BlobStore, root: Path) -> BaseImage:
    path, tag = _split_local(rest, root, want_dir=True)
    if not path.is_dir() or not (path / "index.json").is_file():
        raise BaseImageError(f'base-image "{spec}": no such OCI layout ({path} has no index.json)')
    return _from_layout(spec, "oci", path, tag, DirFiles(path), platform, store)


def _resolve_oci_archive(spec: BaseImageSpec, rest: str, platform: Platform, store: BlobStore, root: Path) -> BaseImage:
    with _archive(spec, rest, root, "an OCI archive", "index.json") as (path, tag, files):
        return _from_layout(spec, "oci-archive", path, tag, files, platform, store)


@contextmanager
def _archive(spec: BaseImageSpec, rest: str, root: Path, kind: str, needs: str) -> Iterator[tuple[Path, str | None, TarFiles]]:
    """``PATH[:SUFFIX]`` opened as a tar that holds ``needs``; links inside it are followed to its
    regular members, as ``docker save`` writes them."""
    path, suffix = _split_local(rest, root, want_dir=False)
    if not path.is_file():
        raise BaseImageError(f'base-image "{spec}": no such file {path}')
    try:
        files = TarFiles(path, links=True)
    except LayoutError as exc:
        raise BaseImageError(f'base-image "{spec}": {path}: {exc}') from None
    except (tarfile.TarError, OSError) as exc:
        raise BaseImageError(f'base-image "{spec}": {path} is not a readable tar file ({exc})') from None
    try:
        if not files.exists(needs):
            raise BaseImageError(f'base-image "{spec}": {path} is not {kind} (no {needs})')
        yield path, suffix, files
    finally:
        files.close()


def _read_document(spec: BaseImageSpec, path: Path, files: LayoutFiles, name: str) -> bytes:
    """A document of the layout or archive at ``path`` whole (FileNotFoundError when it has none)."""
    try:
        return read_document(files, name)
    except LayoutError as exc:
        raise BaseImageError(f'base-image "{spec}": {path}: {exc}') from None
    except UnsafePath as exc:
        raise BaseImageError(f'base-image "{spec}": {path}: {exc.strerror}; refused') from None


def _from_layout(
    spec: BaseImageSpec, transport: str, path: Path, tag: str | None, files: LayoutFiles, platform: Platform, store: BlobStore
) -> BaseImage:
    index = _parse_json(spec, _read_document(spec, path, files, "index.json"), "index.json")
    entries = [e for e in index.get("manifests") or [] if isinstance(e, Mapping)]
    name = f"{transport}:{path}" + (f":{tag}" if tag else "")
    source = _LayoutSource(files, path, store, spec)

    def names(entry: Mapping[str, Any]) -> str | None:
        return (entry.get("annotations") or {}).get(mt.ANNOTATION_REF_NAME)

    tags = sorted({n for n in map(names, entries) if n})
    if tag is not None:
        chosen = entries_named(entries, tag)
        if not chosen:
            listing = ", ".join(tags) if tags else "none"
            raise BaseImageError(f'base-image "{spec}": no image tagged "{tag}" in {path} (tags: {listing})')
    else:
        chosen = entries
    if not chosen:
        raise BaseImageError(f'base-image "{spec}": {path} holds no image')
    if len(chosen) == 1:
        digest = _descriptor_digest(spec, chosen[0])
        return _from_top(spec, name, digest, None, platform, source, store)
    if all(isinstance(e.get("platform"), Mapping) for e in chosen):
        # index.json itself lists one manifest per platform.
        entry = _choose_platform(spec, chosen, platform)
        digest = _descriptor_digest(spec, entry)
        return _from_top(spec, name, digest, None, platform, source, store)
    listing = ", ".join(tags) if tags else "untagged"
    raise BaseImageError(f'base-image "{spec}": {path} holds {len(chosen)} images; name one as {transport}:PATH:TAG ({listing})')


# -- docker save archives -----------------------------------------------------


def _resolve_docker_archive(spec: BaseImageSpec, rest: str, platform: Platform, store: BlobStore, root: Path) -> BaseImage:
    with _archive(spec, rest, root, "a docker-archive", "manifest.json") as (path, selector, files):
        try:
            entries = json.loads(_read_document(spec, path, files, "manifest.json"))
        except ValueError:
            raise BaseImageError(f'base-image "{spec}": {path} has a manifest.json that is not JSON') from None
        if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
            raise BaseImageError(f'base-image "{spec}": {path} has a malformed manifest.json')
        entry = _choose_docker_entry(spec, path, entries, selector)
        return _from_docker_entry(spec, path, selector, entry, files, platform, store)


def _choose_docker_entry(
    spec: BaseImageSpec, path: Path, entries: list[Mapping[str, Any]], selector: str | None
) -> Mapping[str, Any]:
    if not entries:
        raise BaseImageError(f'base-image "{spec}": {path} holds no image')
    all_tags = [t for e in entries for t in (e.get("RepoTags") or [])]
    if selector is None:
        if len(entries) == 1:
            return entries[0]
        raise BaseImageError(
            f'base-image "{spec}": {path} holds {len(entries)} images; name one as docker-archive:PATH:NAME:TAG '
            f"({', '.join(all_tags) or 'untagged'})"
        )
    if selector.startswith("@"):
        try:
            return entries[int(selector[1:])]
        except (ValueError, IndexError):
            raise BaseImageError(f'base-image "{spec}": {path} has no image number {selector[1:]}') from None
    try:
        wanted = ImageReference.parse(selector)
    except ValueError as exc:
        raise BaseImageError(f'base-image "{spec}": "{selector}" is not a valid image reference ({exc})') from None
    for entry in entries:
        for repo_tag in entry.get("RepoTags") or []:
            try:
                if ImageReference.parse(repo_tag) == wanted:
                    return entry
            except ValueError:
                continue
    raise BaseImageError(f'base-image "{spec}": no image "{selector}" in {path} (tags: {", ".join(all_tags) or "none"})')


def _from_docker_entry(
    spec: BaseImageSpec,
    path: Path,
    selector: str | None,
    entry: Mapping[str, Any],
    files: TarFiles,
    platform: Platform,
    store: BlobStore,
) -> BaseImage:
    config_name = entry.get("Config")
    layer_names = entry.get("Layers") or []
    if not isinstance(config_name, str) or not isinstance(layer_names, list):
        raise BaseImageError(f'base-image "{spec}": {path} has a malformed manifest.json')
    try:
        config_bytes = _read_document(spec, path, files, config_name)
    except FileNotFoundError:
        raise BaseImageError(f'base-image "{spec}": {path} lacks its config {config_name}') from None
    config_digest, config_size = store.put_bytes(config_bytes)
    config = _parse_json(spec, config_bytes, "config")
    _check_config_platform(spec, config, platform)
    rootfs = config.get("rootfs") if isinstance(config.get("rootfs"), Mapping) else {}
    diff_ids = list(rootfs.get("diff_ids") or [])
    if len(diff_ids) != len(layer_names):
        raise BaseImageError(
            f'base-image "{spec}" is inconsistent: {len(layer_names)} layers but {len(diff_ids)} diff_ids in its config'
        )
    layers: list[Layer] = []
    for name, diff_id in zip(layer_names, diff_ids, strict=True):
        try:
            handle = files.open(str(name))
        except FileNotFoundError:
            raise BaseImageError(f'base-image "{spec}": {path} lacks layer {name}') from None
        except UnsafePath as exc:
            raise BaseImageError(f'base-image "{spec}": {path}: {exc.strerror}; refused') from None
        with handle:
            head = handle.read(CHUNK)
            media_type = _layer_type_by_magic(head)
            digest, size = store.put_stream(_chain(head, handle))
        if media_type == mt.OCI_LAYER_TAR and digest != diff_id:
            raise BaseImageError(f'base-image "{spec}": layer {name} in {path} does not match its diff_id')
        layers.append(Layer(Descriptor(media_type, digest, size), str(diff_id)))
    manifest = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": {"mediaType": mt.OCI_CONFIG, "digest": config_digest, "size": config_size},
        "layers": [layer.descriptor.to_json() for layer in layers],
    }
    manifest_bytes = canonical_json(manifest)
    manifest_digest, _ = store.put_bytes(manifest_bytes)
    canonical = f"docker-archive:{path}" + (f":{selector}" if selector else "") + f"@{manifest_digest}"
    return BaseImage(
        spec=spec,
        canonical=canonical,
        manifest_digest=manifest_digest,
        index_digest=None,
        config=config,
        layers=tuple(layers),
    )


def _layer_type_by_magic(head: bytes) -> str:
    if head.startswith(_GZIP_MAGIC):
        return mt.OCI_LAYER_GZIP
    if head.startswith(_ZSTD_MAGIC):
        return mt.OCI_LAYER_ZSTD
    return mt.OCI_LAYER_TAR


def _chain(head: bytes, handle: IO[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from iter(lambda: handle.read(CHUNK), b"")
