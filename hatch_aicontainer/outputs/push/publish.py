"""Long because: the push of one image to every repository, its record of mount sources and its one-line errors.

Push a built image to one or more registry references, with the bytes it was built with.

The image comes from a :class:`~hatch_aicontainer.oci.cache.BlobStore` and
its root descriptor (right after a build) or from an ``.oci.tar`` / OCI
layout (``push_archive``, a later stage of the release pipeline): either way the manifest or
index bytes are pushed unchanged, so the digest a registry reports is the one
the build recorded. An archive is pushed from its own bytes only: every blob
is read from it and checked against its digest (``registry.blob_sources``), also the
blobs the registry already has or mounts, and a mismatch stops the push
before any manifest is put, however good the copies in the cache are.

For every repository (references are grouped by registry and repository):

1. each layer and config blob: HEAD first (already there: nothing sent);
   else a cross-repository mount is asked for from the repositories of the
   same registry known to hold it: one pushed earlier in this run, those
   recorded by earlier pushes (``mounts``, in the cache), and the base
   image's (named by the image's ``org.opencontainers.image.base.name``);
   when the registry refuses, the blob is uploaded;
2. for an index, each platform's manifest, by digest (skipped when present);
3. the root manifest or index under each tag (skipped when the tag already
   points at it);
4. each referrer (attestation) given: its blobs as in 1., its manifest by
   digest, then its listing: by the registry's referrers API when it has
   one, else in the fallback tag's index (``registry.referrers``). A failure
   here leaves the image's references pushed (and reported as such).

A second push of the same image therefore sends no blob and no manifest, and
a push that failed half-way completes when run again (what arrived stays).
A failure raises :class:`PushError` (one line: which reference, which step,
which host; never a secret) that carries the references pushed before it.

A reference to push to needs a tag or a digest: ``latest`` is never implied
(:func:`parse_reference`, the one place that decides it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from hatch_aicontainer.attest.referrers import (
    KIND_ANNOTATION,
    ReferrerError,
    referrer_blobs,
    referrer_descriptor,
    referrer_subject,
)
from hatch_aicontainer.core.errors import AIContainerError, ConfigError, RegistryError, one_line
from hatch_aicontainer.core.progress import Progress
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor
from hatch_aicontainer.oci.mediatypes import INDEX_TYPES, MANIFEST_TYPES
from hatch_aicontainer.oci.reader import open_image
from hatch_aicontainer.outputs.push.mounts import MountSources
from hatch_aicontainer.registry.access import RegistryAccess
from hatch_aicontainer.registry.blob_sources import BlobSource, StoreBlobs, WithRemoteBlobs, check_blob
from hatch_aicontainer.registry.client import RegistryClient
from hatch_aicontainer.registry.reference import BaseImageSpec, ImageReference
from hatch_aicontainer.registry.referrers import WithEmptyConfig, attach

Log = Callable[[str], None]
ClientFactory = Callable[[str], RegistryClient]

BASE_NAME = "org.opencontainers.image.base.name"
#: mount sources tried per blob before uploading it (each refusal costs a request)
MAX_MOUNT_TRIES = 3

__all__ = [
    "PushError",
    "Pushed",
    "base_mount_hint",
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
    attestations: int = 0  #: referrers attached to the image in this repository
    attached_via: str = ""  #: how they are listed: ``referrers API`` or ``fallback tag sha256-…``

    @property
    def pinned(self) -> str:
        """``host/repository:tag@sha256:…`` (a reference by digest as it is)"""
        if self.reference.endswith(f"@{self.digest}"):
            return self.reference
        return f"{self.reference}@{self.digest}"


class PushError(RegistryError):
    """A push failed; ``pushed`` holds the references completed before the failure."""

    def __init__(self, message: str, pushed: Sequence[Pushed] = ()) -> None:
        super().__init__(message)
        self.pushed: tuple[Pushed, ...] = tuple(pushed)


@dataclass(frozen=True)
class _Referrer:
    """One referrer to attach: its manifest, the index entry listing it, its subject and blobs."""

    descriptor: Descriptor
    data: bytes
    subject: str
    blobs: tuple[tuple[str, str], ...]  # (digest, what)
    kind: str  # "provenance attestation", or "attestation" when not one of ours


@dataclass
class _Image:
    """What to push: the root and, per manifest, its bytes and blobs."""

    root: Descriptor
    root_bytes: bytes
    manifests: list[tuple[Descriptor, bytes]] = field(default_factory=list)  # index children
    blobs: list[tuple[str, str]] = field(default_factory=list)  # (digest, what) layers then configs
    base_names: list[str] = field(default_factory=list)  # org.opencontainers.image.base.name values
    referrers: list[_Referrer] = field(default_factory=list)  # attached after the references


@dataclass
class _Source:
    """Where the blobs are read from, and whether blobs not sent are read (checked) too."""

    blobs: BlobSource
    where: str
    check_unsent: bool


_USERINFO = re.compile(r"^[^/@]*:[^/@]*@")
_ALLOWED = "[registry[:port]/]repository:tag or repository@sha256:<digest>, such as 127.0.0.1:5000/team/app:1.0"


def _redact(text: str) -> str:
    """Hide a ``user:password@`` someone wrote into a reference."""
    return _USERINFO.sub("***@", text)


def parse_reference(text: str, *, what: str = "push reference") -> ImageReference:
    """``host/repository:tag`` or ``host/repository[:tag]@digest`` -> ImageReference.

    ConfigError (one line) when it does not parse or names neither a tag nor
    a digest: ``latest`` is never implied, it is written out (``repo:latest``).
    """
    try:
        ref = ImageReference.parse(text, default_tag=None)
    except ValueError as exc:
        raise ConfigError(
            f"{what} {_redact(str(text))!r} is not an image reference ({exc}); allowed: {_ALLOWED}"
        ) from None
    if ref.tag is None and ref.digest is None:
        raise ConfigError(
            f"{what} {_redact(text)!r} names no tag (latest is never implied; write {_redact(text)}:latest "
            f"to push latest); allowed: {_ALLOWED}"
        )
    return ref


def parse_references(texts: Iterable[str], *, what: str = "push reference") -> list[ImageReference]:
    """Parse every reference first, so a typo in the last one pushes nothing."""
    out = [parse_reference(text, what=what) for text in texts]
    if not out:
        raise ConfigError(f"no {what} given")
    return out


def base_mount_hint(base_name: str) -> dict[str, str]:
    """``{api host: repository}`` of a base image spec (``org.opencontainers.image.base.name``):
    the registry repository a push can mount the base layers from (none for local files)."""
    try:
        spec = BaseImageSpec.parse(base_name)
    except ValueError:
        return {}
    if spec.reference is None:  # a local image (oci:DIR, …)
        return {}
    return {spec.reference.api_host: spec.reference.repository}


def _load(root: Descriptor, read_document: Callable[[str], bytes], blobs: BlobSource) -> _Image:
    def document(data: bytes, digest: str) -> dict:
        try:
            value = json.loads(data)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise AIContainerError(f"cannot push: document {digest[:19]} is not JSON")
        return value

    def base_name(value: dict) -> None:
        name = (value.get("annotations") or {}).get(BASE_NAME)
        if isinstance(name, str) and name not in image.base_names:
            image.base_names.append(name)

    image = _Image(root=root, root_bytes=read_document(root.digest))
    if root.media_type in INDEX_TYPES:
        index = document(image.root_bytes, root.digest)
        base_name(index)
        children = [Descriptor.from_json(d) for d in index.get("manifests") or []]
        manifests = [(child, read_document(child.digest)) for child in children if child.media_type in MANIFEST_TYPES]
        image.manifests = manifests
    elif root.media_type in MANIFEST_TYPES:
        manifests = [(root, image.root_bytes)]
    else:
        raise AIContainerError(f"cannot push: unsupported media type {root.media_type}")
    seen: set[str] = set()
    configs: list[tuple[str, str]] = []
    for descriptor, data in manifests:
        manifest = document(data, descriptor.digest)
        base_name(manifest)
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
        try:
            blobs.blob_size(digest)
        except AIContainerError as exc:
            raise AIContainerError(f"cannot push: {what} {digest[:19]} is missing ({exc})") from None
    return image


def _load_referrers(
    image: _Image, referrers: Sequence[Descriptor], read_document: Callable[[str], bytes], blobs: BlobSource
) -> None:
    """Read each referrer manifest; check that its subject is part of the image and its blobs are there."""
    subjects = {image.root.digest, *(d.digest for d, _data in image.manifests)}
    for given in {d.digest: d for d in referrers}.values():
        data = read_document(given.digest)
        try:
            descriptor = referrer_descriptor(data)
            subject = referrer_subject(data)
            needed = referrer_blobs(data)
        except ReferrerError as exc:
            raise AIContainerError(f"cannot push: attestation {given.digest[:19]}: {exc}") from None
        kind = descriptor.annotations.get(KIND_ANNOTATION) or given.annotations.get(KIND_ANNOTATION)
        what = f"{kind} attestation" if kind else "attestation"
        if subject not in subjects:
            raise AIContainerError(
                f"cannot push: the {what} {given.digest[:19]} is attached to {subject[:19]}, which is not this image"
            )
        wanted = tuple((blob.digest, f"blob of the {what}") for blob in needed)
        for digest, blob in wanted:
            try:
                blobs.blob_size(digest)
            except AIContainerError as exc:
                raise AIContainerError(f"cannot push: {blob} {digest[:19]} is missing ({exc})") from None
        image.referrers.append(_Referrer(descriptor, data, subject, wanted, what))


def push_image(
    store: BlobStore,
    root: Descriptor,
    references: Sequence[str | ImageReference],
    *,
    access: RegistryAccess,
    log: Log | None = None,
    client_factory: ClientFactory | None = None,
    mount_from: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    referrers: Sequence[Descriptor] = (),
    remote_blobs: Mapping[str, tuple[int, str]] | None = None,
) -> list[Pushed]:
    """Push the image ``root`` (and everything it reaches, from ``store``) to every reference.

    ``access`` says how registries are reached (plain-HTTP hosts, CA bundle, credentials).

    ``mount_from`` maps a registry host to a repository that may hold some
    of the blobs, to mount them from instead of uploading (the base image's
    repository is found in the image itself). ``cache_dir`` holds the record
    of where blobs were seen (default: the store's own directory, the build
    cache). ``referrers`` are the descriptors of referrer manifests in the
    store (attestations whose subject is the image or one of its manifests),
    attached in every repository after the references are pushed.
    ``remote_blobs`` (digest -> (size, ``host/repo``)) are blobs of the image that
    are not in the store but in a registry cache repository: each is found in the
    destination or mounted from there, never read. Returns
    one :class:`Pushed` per reference, in order. Raises ConfigError for a
    reference that does not parse (before anything is sent) and PushError
    when a push fails (with the references completed before it).
    """
    refs = _refs(references)
    blobs = WithEmptyConfig(WithRemoteBlobs(StoreBlobs(store), remote_blobs or {}))
    mounts = dict(mount_from or {})
    for _size, where in (remote_blobs or {}).values():
        holder = ImageReference.parse(where, default_tag=None)
        mounts.setdefault(holder.api_host, holder.repository)

    def read_document(digest: str) -> bytes:
        try:
            return store.read_bytes(digest)
        except (OSError, ValueError) as exc:
            raise AIContainerError(f"cannot push: document {digest[:19]} is not in the blob store ({exc})") from None

    _check_digests(refs, root)
    image = _load(root, read_document, blobs)
    _load_referrers(image, referrers, read_document, blobs)
    # the store's blobs were checked when they were written: those not sent are not read again
    source = _Source(blobs, str(store.root), check_unsent=False)
    factory = client_factory or _client_factory(access)
    return _push(image, source, refs, MountSources(cache_dir or store.root), log, factory, mounts, progress)


def push_archive(
    archive: str | Path,
    references: Sequence[str | ImageReference],
    *,
    access: RegistryAccess,
    cache_dir: Path,
    log: Log | None = None,
    client_factory: ClientFactory | None = None,
    progress: Progress | None = None,
    referrers: Sequence[Descriptor] | None = None,
) -> list[Pushed]:
    """Push an ``.oci.tar`` (or OCI layout directory) built earlier; its digest does not change.

    The references are checked before the archive is read. Every blob is
    read from the archive and checked against its digest (nothing is taken
    from the cache); ``cache_dir`` (the build cache) keeps the record of
    where blobs were seen. The archive's referrers (attestations) are
    attached too: ``referrers`` names them (None: those the archive lists).
    """
    refs = _refs(references)
    factory = client_factory or _client_factory(access)
    with open_image(archive) as opened:
        root = Descriptor(opened.root.media_type, opened.root.digest, opened.root.size)
        _check_digests(refs, root)
        blobs = WithEmptyConfig(opened)
        image = _load(root, opened.read_blob, blobs)
        listed = getattr(opened, "referrers", ()) if referrers is None else referrers
        _load_referrers(image, listed, opened.read_blob, blobs)
        source = _Source(blobs, str(archive), check_unsent=True)
        return _push(image, source, refs, MountSources(cache_dir), log, factory, None, progress)


def _client_factory(access: RegistryAccess) -> ClientFactory:
    return lambda host: RegistryClient(host, access=access)


def _refs(references: Sequence[str | ImageReference]) -> list[ImageReference]:
    refs = [r if isinstance(r, ImageReference) else parse_reference(r) for r in references]
    if not refs:
        raise ConfigError("no push reference given")
    for ref in refs:
        if ref.tag is None and ref.digest is None:  # an ImageReference made by the caller
            raise ConfigError(f"push reference {ref} names no tag (latest is never implied); allowed: {_ALLOWED}")
    return refs


def _check_digests(refs: Sequence[ImageReference], root: Descriptor) -> None:
    for ref in refs:
        if ref.digest and ref.digest != root.digest:
            raise ConfigError(
                f"push reference {ref} names digest {ref.digest[:19]} but the image is {root.digest[:19]}"
            )


def _push(
    image: _Image,
    source: _Source,
    refs: list[ImageReference],
    memory: MountSources,
    log: Log | None,
    factory: ClientFactory,
    mount_from: Mapping[str, str] | None,
    progress: Progress | None = None,
) -> list[Pushed]:
    say = log or (lambda _message: None)
    root = image.root

    # (host, repository) -> its references, in first-seen order
    groups: dict[tuple[str, str], list[ImageReference]] = {}
    for ref in refs:
        groups.setdefault((ref.api_host, ref.repository), [])
        if ref not in groups[(ref.api_host, ref.repository)]:
            groups[(ref.api_host, ref.repository)].append(ref)

    hints: dict[str, list[str]] = {}  # host -> repositories that may hold the base layers
    for name in image.base_names:
        for host, repository in base_mount_hint(name).items():
            hints.setdefault(host, []).append(repository)
    for host, repository in (mount_from or {}).items():
        hints.setdefault(host, []).append(repository)

    # what an upload of every blob to every repository would send (mounted or present blobs are not)
    every_blob = dict(image.blobs)
    for referrer in image.referrers:
        for digest, what in referrer.blobs:
            every_blob.setdefault(digest, what)
    size = sum(source.blobs.blob_size(digest) for digest in every_blob)
    where = ", ".join(f"{host}/{repository}" for host, repository in groups)
    task = (progress or Progress.silent()).task(f"push to {where}", size * len(groups))

    done: dict[ImageReference, Pushed] = {}
    clients: dict[str, RegistryClient] = {}
    holder: dict[str, str] = {}  # host -> a repository pushed in this run: it has every blob
    checked: set[str] = set()  # blobs read from the source and found to match their digest
    present: dict[tuple[str, str], list[str]] = {}  # (host, repository) -> blobs now there
    current = refs[0]
    step = "connecting"

    def send(client: RegistryClient, host: str, repository: str, digest: str, what: str) -> str:
        """Make one blob present in ``repository``: HEAD, else mount, else upload; check what was not sent."""
        nonlocal step
        candidates = [holder[host]] if host in holder else []
        candidates += memory.repositories(host, digest) + hints.get(host, [])
        candidates = [r for r in dict.fromkeys(candidates) if r != repository][:MAX_MOUNT_TRIES]
        status = client.upload_blob(repository, digest, source.blobs, mount_from=candidates, progress=task)
        if status != "uploaded" and source.check_unsent and digest not in checked:
            before, step = step, f"checking {what} {digest[:19]} (the registry had it: not sent)"
            check_blob(source.blobs, digest, source.where, count=task)
            step = before
        elif status != "uploaded" and digest not in present[(host, repository)]:  # (attestations share blobs)
            task.shrink(source.blobs.blob_size(digest))  # neither sent nor read: not part of what the push moves
        checked.add(digest)  # sent (read through blob_sources.VerifiedReader) or checked
        present[(host, repository)].append(digest)
        return status

    try:
        for (host, repository), group in groups.items():
            current = group[0]
            client = clients.get(host)
            if client is None:
                client = clients[host] = factory(host)
            counts = {"uploaded": 0, "mounted": 0, "exists": 0}
            present.setdefault((host, repository), [])
            for digest, what in image.blobs:
                step = f"uploading {what} {digest[:19]}"
                counts[send(client, host, repository, digest, what)] += 1
            for descriptor, data in image.manifests:
                step = f"uploading the {descriptor.platform or ''} manifest {descriptor.digest[:19]}".replace("  ", " ")
                if client.manifest_digest(repository, descriptor.digest) != descriptor.digest:
                    client.put_manifest(repository, descriptor.digest, data, descriptor.media_type)
            holder.setdefault(host, repository)
            for ref in group:
                current = ref
                tag = ref.tag or ref.digest or root.digest
                kind = "index" if root.media_type in INDEX_TYPES else "manifest"
                step = f"uploading the {kind} {root.digest[:19]} as {tag}"
                if client.manifest_digest(repository, tag) != root.digest:
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
            if image.referrers:
                vias: list[str] = []
                for referrer in image.referrers:
                    step = f"attaching the {referrer.kind} {referrer.descriptor.digest[:19]}"
                    named = dict(referrer.blobs)
                    attached = attach(
                        client, repository, referrer.subject, referrer.data, referrer.descriptor, source.blobs,
                        send_blob=lambda digest, named=named: send(client, host, repository, digest, named[digest]),
                    )
                    vias.append(attached.via)
                via = ", ".join(dict.fromkeys(vias))
                count = len(image.referrers)
                for ref in group:
                    done[ref] = replace(done[ref], attestations=count, attached_via=via)
                names = ", ".join(done[ref].pinned for ref in group)
                say(f"attached {count} attestation{'s' if count != 1 else ''} to {names} ({via})")
    except AIContainerError as exc:
        raise PushError(
            f"push to {_display(current)} failed while {step}: {one_line(str(exc))}",
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
        _remember(memory, present, checked, say)
    task.finish()
    return [done[r] for r in refs]


def _remember(memory: MountSources, present: Mapping[tuple[str, str], list[str]], checked: set[str], say: Log) -> None:
    """Record where the blobs now are (only those known to be the right bytes), for later pushes."""
    for (host, repository), digests in present.items():
        try:
            memory.record(host, repository, [d for d in digests if d in checked])
        except OSError as exc:
            say(
                f"note: cannot record in {memory.folder} which blobs {host}/{repository} holds "
                f"({exc.strerror or exc}); later pushes elsewhere upload them instead of mounting"
            )
            return


def _display(ref: ImageReference) -> str:
    """``host/repository:tag`` (the digest is reported separately)."""
    if ref.tag:
        return f"{ref.registry}/{ref.repository}:{ref.tag}"
    return str(ref)

