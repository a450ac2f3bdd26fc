"""Attach referrers (attestations) to an image in a registry, and find them again.

A referrer manifest is pushed by digest like any manifest. A registry with
the referrers API says so in its answer (``OCI-Subject``) and lists the
referrer itself; for one without, the distribution spec makes the client keep
the list: the image index under the fallback tag ``sha256-<hex>`` is read
(none yet: an empty one), the referrer's descriptor merged in
(:func:`~hatch_aicontainer.attest.referrers.merge_into_index`) and the index
put back only when it changed. Reading goes the same two ways: the API
first, the fallback tag when the registry has no API.

The fallback tag is read-modify-write without a lock (the spec leaves races
to clients; registries with the API have none). Errors are the client's
one-line ``RegistryError`` family.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from hatch_aicontainer.attest.referrers import (
    EMPTY_CONFIG_BYTES,
    ReferrerError,
    fallback_tag,
    merge_into_index,
    referrer_blobs,
)
from hatch_aicontainer.core.errors import AIContainerError, RegistryError
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.descriptor import Descriptor, short_digest
from hatch_aicontainer.registry.blob_sources import BlobSource, Count
from hatch_aicontainer.registry.client import RegistryClient
from hatch_aicontainer.registry.errors import RegistryAuthError, RegistryNotFound, RegistryUnreachable

#: how the referrers of an image are listed: by the registry itself
VIA_API = "referrers API"

#: makes one blob present in the repository; returns the client's ``upload_blob`` status
SendBlob = Callable[[str], str]

__all__ = ["VIA_API", "Attached", "SendBlob", "WithEmptyConfig", "attach", "find_referrers"]


@dataclass(frozen=True)
class Attached:
    """One referrer attached: how it is listed, and what was written for it."""

    digest: str  #: the referrer manifest's digest
    via: str  #: ``"referrers API"`` or ``"fallback tag sha256-…"``
    wrote: bool  #: whether anything was put (manifest or fallback index): False on a second push


class WithEmptyConfig:
    """A blob source that also has the empty config ``{}``, which an artifact manifest names as its config
    but which a store or archive written before it need not hold."""

    def __init__(self, source: BlobSource) -> None:
        self.source = source
        self.path: Path = source.path

    def _missing_empty(self, digest: str) -> bool:
        if digest != mt.OCI_EMPTY_DIGEST:
            return False
        try:
            self.source.blob_size(digest)
        except AIContainerError:
            return True
        return False

    def blob_size(self, digest: str) -> int:
        return len(EMPTY_CONFIG_BYTES) if self._missing_empty(digest) else self.source.blob_size(digest)

    def open_blob(self, digest: str) -> BinaryIO:
        return io.BytesIO(EMPTY_CONFIG_BYTES) if self._missing_empty(digest) else self.source.open_blob(digest)


def attach(
    client: RegistryClient,
    repository: str,
    subject_digest: str,
    manifest: bytes,
    descriptor: Descriptor,
    blobs: BlobSource,
    *,
    send_blob: SendBlob | None = None,
    progress: Count | None = None,
) -> Attached:
    """Push the referrer ``manifest`` (whose index entry is ``descriptor``) and list it for ``subject_digest``.

    Its blobs (config and layers) are made present first, by ``send_blob``
    (default: an upload from ``blobs``, or the empty config from memory).
    A manifest already in the repository is not put again: the referrers
    API or the fallback index is asked whether it is listed.
    """
    try:
        needed = referrer_blobs(manifest)
    except ReferrerError as exc:
        raise RegistryError(f"cannot attach referrer {short_digest(descriptor.digest)}: {exc}") from None
    source = WithEmptyConfig(blobs)
    send = send_blob or (lambda digest: client.upload_blob(repository, digest, source, progress=progress))
    for blob in needed:
        send(blob.digest)
    if client.manifest_digest(repository, descriptor.digest) == descriptor.digest:
        api = client.get_referrers(repository, subject_digest)
        if api is not None and descriptor.digest in _digests(api):
            return Attached(descriptor.digest, VIA_API, wrote=False)
        if api is None:
            return _list_in_fallback(client, repository, subject_digest, descriptor, wrote=False)
    answer = client.put_manifest_answer(repository, descriptor.digest, manifest, descriptor.media_type)
    if answer.subject == subject_digest:
        return Attached(descriptor.digest, VIA_API, wrote=True)
    return _list_in_fallback(client, repository, subject_digest, descriptor, wrote=True)


def _list_in_fallback(
    client: RegistryClient, repository: str, subject_digest: str, descriptor: Descriptor, *, wrote: bool
) -> Attached:
    """Merge ``descriptor`` into the fallback index (put only when it changed)."""
    tag = fallback_tag(subject_digest)
    where = f"fallback tag {tag}"
    try:
        data, media_type, _digest = client.get_manifest(repository, tag)
    except RegistryNotFound:
        existing = None
    else:
        existing = json.loads(data)  # get_manifest checked it is JSON
        if media_type != mt.OCI_INDEX or not isinstance(existing, dict):
            raise RegistryError(
                f"registry {client.host} holds a {media_type} under the {where} of {repository}, "
                "not an OCI image index: the referrer is not listed there"
            )
    try:
        merged = merge_into_index(existing, [descriptor])
    except ReferrerError as exc:
        raise RegistryError(f"registry {client.host} holds under the {where} of {repository}: {exc}") from None
    if merged is not None:
        client.put_manifest(repository, tag, merged, mt.OCI_INDEX)
        wrote = True
    return Attached(descriptor.digest, where, wrote=wrote)


def find_referrers(client: RegistryClient, repository: str, digest: str) -> tuple[list[Descriptor], str]:
    """The referrers of ``digest`` in ``repository`` and where they were found
    (``"referrers API"`` or ``"fallback tag sha256-…"``): the API first, the fallback tag when there is none.

    A fallback tag that is missing or holds anything but an OCI image index
    lists nothing (as the spec says a client assumes); entries that are not
    descriptors are skipped.
    """
    index = client.get_referrers(repository, digest)
    if index is not None:
        return _descriptors(index), VIA_API
    tag = fallback_tag(digest)
    where = f"fallback tag {tag}"
    try:
        data, media_type, _digest = client.get_manifest(repository, tag)
    except (RegistryAuthError, RegistryUnreachable):
        raise
    except RegistryError:  # missing, or not a manifest we can read
        return [], where
    if media_type != mt.OCI_INDEX:
        return [], where
    return _descriptors(json.loads(data)), where


def _digests(index: dict[str, Any]) -> set[str]:
    return {d.digest for d in _descriptors(index)}


def _descriptors(index: Any) -> list[Descriptor]:
    out: list[Descriptor] = []
    entries = index.get("manifests") if isinstance(index, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        try:
            out.append(Descriptor.from_json(entry))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return out
