"""Push a built image to one or more registry references, with the bytes it was built with.

The image comes from a :class:`~hatch_aicontainer.oci.cache.BlobStore` and
its root descriptor (right after a build) or from an ``.oci.tar`` / OCI
layout (``push_archive``, a later pipeline stage): either way the manifest or
index bytes are pushed unchanged, so the digest a registry reports is the one
the build recorded.

For every repository (references are grouped by registry and repository):

1. each layer and config blob: HEAD first (already there: nothing sent);
   when another repository of the same registry received it earlier in this
   push, a cross-repository mount is asked for; else it is uploaded;
2. for an index, each platform's manifest, by digest (skipped when present);
3. the root manifest or index under each tag (skipped when the tag already
   points at it).

A second push of the same image therefore sends no blob and no manifest, and
a push that failed half-way completes when run again (what arrived stays).
A failure raises :class:`PushError` (one line: which reference, which step,
which host; never a secret) that carries the references pushed before it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AIContainerError, ConfigError, RegistryError
from .oci.cache import BlobStore, default_cache_dir
from .oci.descriptor import Descriptor
from .oci.mediatypes import INDEX_TYPES, MANIFEST_TYPES
from .oci.reader import open_image
from .reference import ImageReference
from .registry import RegistryAuthError, RegistryClient, RegistryUnreachable

Log = Callable[[str], None]
ClientFactory = Callable[[str], RegistryClient]

__all__ = [
    "PushError",
    "Pushed",
    "parse_reference",
    "parse_references",
    "push_archive",
    "push_image",
]


@dataclass(frozen=True)
class Pushed:
    """One reference that now points at the image."""

    reference: str  #: normalised ``host/repository:tag`` (or ``host/repository@digest``)
    digest: str  #: the root digest the registry holds under it
    uploaded: int = 0  #: blobs sent
    mounted: int = 0  #: blobs mounted from another repository of the registry
    existing: int = 0  #: blobs the registry already had

    @property
    def pinned(self) -> str:
        """``host/repository:tag@sha256:…``"""
        return f"{self.reference}@{self.digest}"


class PushError(RegistryError):
    """A push failed; ``pushed`` holds the references completed before the failure."""

    def __init__(self, message: str, pushed: Sequence[Pushed] = ()) -> None:
        super().__init__(message)
        self.pushed: tuple[Pushed, ...] = tuple(pushed)


@dataclass
class _Image:
    """What to push: the root and, per manifest, its bytes and blobs."""

    root: Descriptor
    root_bytes: bytes
    manifests: list[tuple[Descriptor, bytes]] = field(default_factory=list)  # index children
    blobs: list[tuple[str, str]] = field(default_factory=list)  # (digest, what) layers then configs


_USERINFO = re.compile(r"^[^/@]*:[^/@]*@")


def _redact(text: str) -> str:
    """Hide a ``user:password@`` someone wrote into a reference."""
    return _USERINFO.sub("***@", text)


def parse_reference(text: str, *, what: str = "push reference") -> ImageReference:
    """``host/repository[:tag][@digest]`` -> ImageReference; ConfigError (one line) when it does not parse."""
    try:
        return ImageReference.parse(text)
    except ValueError as exc:
        raise ConfigError(
            f"{what} {_redact(str(text))!r} is not an image reference ({exc}); "
            "allowed: [registry[:port]/]repository[:tag][@digest] such as 127.0.0.1:5000/team/app:1.0"
        ) from None


def parse_references(texts: Iterable[str], *, what: str = "push reference") -> list[ImageReference]:
    """Parse every reference first, so a typo in the last one pushes nothing."""
    out = [parse_reference(text, what=what) for text in texts]
    if not out:
        raise ConfigError(f"no {what} given")
    return out


def _load(store: BlobStore, root: Descriptor) -> _Image:
    def read(digest: str, what: str) -> bytes:
        try:
            return store.read_bytes(digest)
        except (OSError, ValueError) as exc:
            raise AIContainerError(f"cannot push: {what} {digest[:19]} is not in the blob store ({exc})") from None

    def document(data: bytes, digest: str) -> dict:
        try:
            value = json.loads(data)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise AIContainerError(f"cannot push: document {digest[:19]} in the blob store is not JSON")
        return value

    image = _Image(root=root, root_bytes=read(root.digest, "the image"))
    if root.media_type in INDEX_TYPES:
        children = [Descriptor.from_json(d) for d in document(image.root_bytes, root.digest).get("manifests") or []]
        manifests = [(child, read(child.digest, "manifest")) for child in children if child.media_type in MANIFEST_TYPES]
        image.manifests = manifests
    elif root.media_type in MANIFEST_TYPES:
        manifests = [(root, image.root_bytes)]
    else:
        raise AIContainerError(f"cannot push: unsupported media type {root.media_type}")
    seen: set[str] = set()
    configs: list[tuple[str, str]] = []
    for descriptor, data in manifests:
        manifest = document(data, descriptor.digest)
        platform = f" ({descriptor.platform})" if descriptor.platform else ""
        layers = [Descriptor.from_json(layer) for layer in manifest.get("layers") or []]
        for number, layer in enumerate(layers, 1):
            if layer.digest not in seen:
                seen.add(layer.digest)
                image.blobs.append((layer.digest, f"layer {number}/{len(layers)}{platform}"))
        config = Descriptor.from_json(manifest["config"])
        if config.digest not in seen:
            seen.add(config.digest)
            configs.append((config.digest, f"config{platform}"))
    image.blobs += configs  # a manifest's config last, as Docker does
    for digest, what in image.blobs:
        if not store.has(digest):
            raise AIContainerError(f"cannot push: {what} {digest[:19]} is not in the blob store")
    return image


def push_image(
    store: BlobStore,
    root: Descriptor,
    references: Sequence[str | ImageReference],
    *,
    log: Log | None = None,
    client_factory: ClientFactory | None = None,
    mount_from: Mapping[str, str] | None = None,
) -> list[Pushed]:
    """Push the image ``root`` (and everything it reaches, from ``store``) to every reference.

    ``mount_from`` maps a registry host to a repository that may hold some
    of the blobs (the base image's), to mount them from instead of uploading.
    Returns one :class:`Pushed` per reference, in order. Raises ConfigError
    for a reference that does not parse (before anything is sent) and
    PushError when a push fails (with the references completed before it).
    """
    say = log or (lambda _message: None)
    refs = [r if isinstance(r, ImageReference) else parse_reference(r) for r in references]
    if not refs:
        raise ConfigError("no push reference given")
    for ref in refs:
        if ref.digest and ref.digest != root.digest:
            raise ConfigError(
                f"push reference {ref} names digest {ref.digest[:19]} but the image is {root.digest[:19]}"
            )
    image = _load(store, root)
    factory = client_factory or (lambda host: RegistryClient(host))

    # (host, repository) -> its references, in first-seen order
    groups: dict[tuple[str, str], list[ImageReference]] = {}
    for ref in refs:
        groups.setdefault((ref.api_host, ref.repository), [])
        if ref not in groups[(ref.api_host, ref.repository)]:
            groups[(ref.api_host, ref.repository)].append(ref)

    done: dict[ImageReference, Pushed] = {}
    clients: dict[str, RegistryClient] = {}
    holder: dict[str, str] = {}  # host -> a repository pushed in this run: it has every blob
    hints = dict(mount_from or {})
    current = refs[0]
    step = "connecting"
    try:
        for (host, repository), group in groups.items():
            current = group[0]
            client = clients.get(host)
            if client is None:
                client = clients[host] = factory(host)
            counts = {"uploaded": 0, "mounted": 0, "exists": 0}
            for digest, what in image.blobs:
                step = f"uploading {what} {digest[:19]}"
                status = client.upload_blob(
                    repository, digest, store, mount_from=holder.get(host) or hints.get(host)
                )
                counts[status] += 1
            for descriptor, data in image.manifests:
                step = f"uploading the {descriptor.platform or ''} manifest {descriptor.digest[:19]}".replace("  ", " ")
                if not _has_manifest(client, repository, descriptor.digest):
                    client.put_manifest(repository, descriptor.digest, data, descriptor.media_type)
            holder.setdefault(host, repository)
            for ref in group:
                current = ref
                tag = ref.tag or ref.digest or root.digest
                kind = "index" if root.media_type in INDEX_TYPES else "manifest"
                step = f"uploading the {kind} {root.digest[:19]} as {tag}"
                if _manifest_digest(client, repository, tag) != root.digest:
                    client.put_manifest(repository, tag, image.root_bytes, root.media_type)
                pushed = Pushed(
                    reference=_display(ref),
                    digest=root.digest,
                    uploaded=counts["uploaded"],
                    mounted=counts["mounted"],
                    existing=counts["exists"],
                )
                done[ref] = pushed
                say(
                    f"pushed {pushed.pinned} ({counts['uploaded']} blobs uploaded, {counts['mounted']} mounted, "
                    f"{counts['exists']} already there)"
                )
                counts = {"uploaded": 0, "mounted": 0, "exists": len(image.blobs)}
    except AIContainerError as exc:
        raise PushError(
            f"push to {_display(current)} failed while {step}: {_one_line(str(exc))}",
            pushed=[done[r] for r in refs if r in done],
        ) from None
    except OSError as exc:  # reading a blob from the store
        raise PushError(
            f"push to {_display(current)} failed while {step}: {exc.strerror or exc}",
            pushed=[done[r] for r in refs if r in done],
        ) from None
    finally:
        for client in clients.values():
            client.close()
    return [done[r] for r in refs]


def push_archive(
    archive: str | Path,
    references: Sequence[str | ImageReference],
    *,
    store: BlobStore | None = None,
    log: Log | None = None,
    client_factory: ClientFactory | None = None,
) -> list[Pushed]:
    """Push an ``.oci.tar`` (or OCI layout directory) built earlier; its digest does not change.

    The references are checked before the archive is read; its blobs are
    imported (streamed, verified) into ``store`` (default: the build cache).
    """
    refs = [r if isinstance(r, ImageReference) else parse_reference(r) for r in references]
    own_store = store is None
    store = store or BlobStore(default_cache_dir())
    try:
        with open_image(archive) as image:
            stats = image.import_into(store)
            if log and stats.copied:
                log(f"read {stats.copied} blobs ({stats.bytes_copied} bytes) from {Path(archive).name}")
            root = image.root
        root = Descriptor(root.media_type, root.digest, root.size)
        return push_image(store, root, refs, log=log, client_factory=client_factory)
    finally:
        if own_store and hasattr(store, "close"):
            store.close()  # the cache's shared lock: a prune may run again


def _has_manifest(client: RegistryClient, repository: str, digest: str) -> bool:
    return _manifest_digest(client, repository, digest) == digest


def _manifest_digest(client: RegistryClient, repository: str, reference: str) -> str | None:
    """What ``repository:reference`` points at now (None: nothing, or something we cannot read)."""
    try:
        return client.get_manifest(repository, reference)[2]
    except (RegistryAuthError, RegistryUnreachable):
        raise
    except RegistryError:  # 404, or an artifact of another kind: it gets replaced
        return None


def _display(ref: ImageReference) -> str:
    """``host/repository:tag`` (the digest is reported separately)."""
    if ref.tag:
        return f"{ref.registry}/{ref.repository}:{ref.tag}"
    return str(ref)


def _one_line(text: str) -> str:
    return " ".join(text.split())
