"""Sigstore bundles (v0.3, JSON): a DSSE envelope with what verifies it, as cosign and the
sigstore clients read them.

Field names are the protobuf-specs' ``Bundle`` message in proto3 JSON form (lowerCamelCase).
The spec asks that a DSSE envelope in a bundle hold exactly one signature and, when the
verification material is a key hint, that the envelope's key id be that hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hatch_aicontainer.signing.errors import SignatureError
from hatch_aicontainer.signing.signer import key_material

__all__ = ["BUNDLE_MEDIA_TYPES", "SIGSTORE_BUNDLE", "bundle_of", "envelope_of"]

SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json"
#: What a reader must accept: the current name and the earlier ``+json;version=`` spellings.
BUNDLE_MEDIA_TYPES = (
    SIGSTORE_BUNDLE,
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
)


def bundle_of(envelope: Mapping[str, Any], material: str | Mapping[str, Any]) -> dict[str, Any]:
    """The v0.3 bundle of a one-signature DSSE ``envelope``; ``material`` is the signer's
    ``verification_material()``, or the key id of a key-only signature."""
    signatures = envelope.get("signatures")
    if not isinstance(signatures, list) or len(signatures) != 1:
        raise ValueError("a bundle's DSSE envelope holds exactly one signature")
    verification = key_material(material) if isinstance(material, str) else dict(material)
    hint = verification.get("publicKey", {}).get("hint")
    if hint is not None and hint != signatures[0].get("keyid"):
        raise ValueError("the bundle's key hint must be the envelope signature's keyid")
    return {"mediaType": SIGSTORE_BUNDLE, "verificationMaterial": verification, "dsseEnvelope": dict(envelope)}


def envelope_of(bundle: Mapping[str, Any], *, what: str = "the sigstore bundle") -> Mapping[str, Any]:
    """The DSSE envelope in ``bundle`` (not verified here: see ``dsse.verify_envelope``);
    ``SignatureError`` naming ``what`` if it is not a bundle of one signed envelope."""
    allowed = f"allowed: a sigstore bundle ({SIGSTORE_BUNDLE}) holding a DSSE envelope with one signature"
    if not isinstance(bundle, Mapping):
        raise SignatureError(f"{what}: not a JSON object; {allowed}")
    media_type = bundle.get("mediaType")
    if media_type not in BUNDLE_MEDIA_TYPES:
        raise SignatureError(f"{what}: mediaType is {media_type!r}; {allowed}")
    envelope = bundle.get("dsseEnvelope")
    if not isinstance(envelope, Mapping):
        found = "a message signature" if "messageSignature" in bundle else "no dsseEnvelope"
        raise SignatureError(f"{what}: holds {found}; {allowed}")
    signatures = envelope.get("signatures")
    if not isinstance(signatures, list) or len(signatures) != 1 or not isinstance(signatures[0], Mapping):
        count = len(signatures) if isinstance(signatures, list) else 0
        raise SignatureError(f"{what}: its DSSE envelope has {count} signatures; {allowed}")
    material = bundle.get("verificationMaterial")
    public_key = material.get("publicKey") if isinstance(material, Mapping) else None
    hint = public_key.get("hint") if isinstance(public_key, Mapping) else None
    keyid = signatures[0].get("keyid")
    if hint and keyid and hint != keyid:
        raise SignatureError(f"{what}: its key hint {hint!r} is not its signature's keyid {keyid!r}; {allowed}")
    return envelope
