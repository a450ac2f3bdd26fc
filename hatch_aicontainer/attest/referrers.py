"""OCI 1.1 referrers: the artifact manifests that attach an attestation to an image, and the fallback index.

An attestation (provenance, SBOM, signature) travels as an image manifest
whose ``subject`` is the image's manifest or index: a registry with the
referrers API lists it under ``GET /v2/<name>/referrers/<digest>``; for one
without, clients keep an image index of the referrers' descriptors under the
*fallback tag* ``sha256-<hex>`` (distribution spec 1.1, "Referrers Tag
Schema") and read, extend and put it back themselves.

Everything here is pure and deterministic (no clock, no I/O), so the same
attestation gives the same referrer digest on every build, and a second push
of an image finds its entries already listed and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from hatch_aicontainer.core.errors import AIContainerError
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.descriptor import Descriptor, short_digest
from hatch_aicontainer.oci.image import canonical_json

#: on a referrer manifest and its index entry: which of our attestations it is ("provenance", "sbom", "signature")
KIND_ANNOTATION = "io.hatch-aicontainer.attestation"
#: the config blob of an artifact manifest that has no config (the OCI empty descriptor's content)
EMPTY_CONFIG_BYTES = b"{}"
EMPTY_CONFIG = Descriptor(mt.OCI_EMPTY, mt.OCI_EMPTY_DIGEST, len(EMPTY_CONFIG_BYTES))

_TAG_FORBIDDEN = re.compile(r"[^a-zA-Z0-9._-]")

__all__ = [
    "EMPTY_CONFIG",
    "EMPTY_CONFIG_BYTES",
    "KIND_ANNOTATION",
    "ReferrerError",
    "fallback_tag",
    "merge_into_index",
    "referrer_blobs",
    "referrer_descriptor",
    "referrer_manifest",
    "referrer_subject",
    "referrers_index",
]


class ReferrerError(AIContainerError):
    """A referrer manifest or a referrers index is not what the OCI specs describe."""


def referrer_manifest(
    subject: Descriptor, artifact_type: str, layer: Descriptor, annotations: Mapping[str, str]
) -> bytes:
    """The canonical bytes of an artifact manifest carrying ``layer`` and pointing at ``subject``.

    The config is the empty descriptor (the image spec's way to say "no
    config"), so ``artifactType`` is what names the artifact; the subject is
    reduced to media type, digest and size, as a referrer needs no more.
    """
    if not artifact_type:
        raise ReferrerError("a referrer manifest needs an artifactType (its config is empty)")
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": EMPTY_CONFIG.to_json(),
        "layers": [layer.to_json()],
        "subject": Descriptor(subject.media_type, subject.digest, subject.size).to_json(),
    }
    if annotations:
        manifest["annotations"] = dict(sorted(annotations.items()))
    return canonical_json(manifest)


def _document(data: bytes, what: str) -> Mapping[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ReferrerError(f"{what} is not a JSON object")
    return value


def referrer_descriptor(manifest_bytes: bytes) -> Descriptor:
    """The descriptor a referrers index lists for a referrer manifest.

    As the distribution spec asks: ``artifactType`` is the manifest's (else
    its config's media type, for a manifest), and every annotation of the
    manifest is copied, so clients can choose a referrer without fetching it.
    """
    digest = "sha256:" + hashlib.sha256(manifest_bytes).hexdigest()
    manifest = _document(manifest_bytes, f"referrer {short_digest(digest)}")
    media_type = manifest.get("mediaType") or (mt.OCI_INDEX if "manifests" in manifest else mt.OCI_MANIFEST)
    if media_type not in (mt.OCI_MANIFEST, mt.OCI_INDEX):
        raise ReferrerError(f"referrer {short_digest(digest)} is a {media_type}, not an OCI manifest or index")
    artifact_type = manifest.get("artifactType") or None
    if artifact_type is None and media_type == mt.OCI_MANIFEST:
        artifact_type = (manifest.get("config") or {}).get("mediaType") or None
    annotations = manifest.get("annotations") or {}
    if not isinstance(annotations, Mapping) or not all(isinstance(v, str) for v in annotations.values()):
        raise ReferrerError(f"referrer {short_digest(digest)} has annotations that are not strings")
    return Descriptor(media_type, digest, len(manifest_bytes), annotations=dict(annotations), artifact_type=artifact_type)


def referrer_subject(manifest_bytes: bytes) -> str:
    """The digest a referrer manifest's ``subject`` names (ReferrerError when it has none)."""
    manifest = _document(manifest_bytes, "a referrer manifest")
    subject = manifest.get("subject")
    digest = subject.get("digest") if isinstance(subject, Mapping) else None
    if not isinstance(digest, str) or ":" not in digest:
        raise ReferrerError("a referrer manifest names no subject")
    return digest


def referrer_blobs(manifest_bytes: bytes) -> list[Descriptor]:
    """The blobs a referrer manifest needs in the repository: its layers, then its config."""
    manifest = _document(manifest_bytes, "a referrer manifest")
    try:
        layers = [Descriptor.from_json(layer) for layer in manifest.get("layers") or []]
        config = manifest.get("config")
        return layers + ([Descriptor.from_json(config)] if config else [])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ReferrerError("a referrer manifest has a malformed config or layer descriptor") from None


def fallback_tag(digest: str) -> str:
    """The tag under which a registry without the referrers API keeps the referrers of ``digest``.

    The spec's Referrers Tag Schema: the algorithm truncated to 32
    characters, ``-``, the encoded part truncated to 64, and every character
    a tag cannot hold replaced with ``-`` (``sha256:ab…`` -> ``sha256-ab…``).
    """
    algorithm, sep, encoded = digest.partition(":")
    if not sep or not algorithm or not encoded:
        raise ReferrerError(f"not a digest: {digest!r}")
    return _TAG_FORBIDDEN.sub("-", f"{algorithm[:32]}-{encoded[:64]}")


def referrers_index(descriptors: Sequence[Descriptor]) -> bytes:
    """The canonical bytes of a referrers index listing ``descriptors``."""
    return canonical_json(_index([d.to_json() for d in descriptors], None))


def _index(entries: list[Any], annotations: Any) -> dict[str, Any]:
    index: dict[str, Any] = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": entries}
    if annotations:
        index["annotations"] = annotations
    return index


def _kind(entry: Any) -> str | None:
    annotations = entry.get("annotations") if isinstance(entry, Mapping) else None
    kind = annotations.get(KIND_ANNOTATION) if isinstance(annotations, Mapping) else None
    return kind if isinstance(kind, str) else None


def _digest(entry: Any) -> str | None:
    return entry.get("digest") if isinstance(entry, Mapping) else None


def merge_into_index(existing: Mapping[str, Any] | None, new: Sequence[Descriptor]) -> bytes | None:
    """The fallback index after adding ``new``, or None when it already lists them (nothing to put).

    An entry already listed (same digest) is not added twice; an entry of
    ours of the same kind (``KIND_ANNOTATION``) with another digest is
    replaced in place, so an image pushed again with a re-made attestation
    keeps one entry per attestation; entries of other tools are kept as they
    are, in their order. ``existing`` is the index the tag holds now (None:
    there is none yet); ReferrerError when it is not an image index.
    """
    if existing is not None:
        media_type = existing.get("mediaType")
        typed = media_type == mt.OCI_INDEX or (media_type is None and "manifests" in existing)
        if not typed or existing.get("schemaVersion") != 2 or not isinstance(existing.get("manifests", []), list):
            raise ReferrerError(f"the referrers index is not an OCI image index (it is {media_type or 'untyped'})")
    before: list[Any] = list((existing or {}).get("manifests") or [])
    entries = list(before)
    for descriptor in new:
        kind = descriptor.annotations.get(KIND_ANNOTATION)
        slot: int | None = None
        kept: list[Any] = []
        for entry in entries:
            if _digest(entry) == descriptor.digest:
                slot = -1  # listed already: keep that entry as it is
                kept.append(entry)
            elif kind is not None and _kind(entry) == kind:
                slot = len(kept) if slot is None else slot  # ours, superseded: the new one takes its place
            else:
                kept.append(entry)
        if slot is None:
            kept.append(descriptor.to_json())
        elif slot >= 0:
            kept.insert(slot, descriptor.to_json())
        entries = kept
    if existing is not None and entries == before:
        return None
    if existing is None and not entries:
        return None
    return canonical_json(_index(entries, (existing or {}).get("annotations")))
