"""DSSE v1 envelopes: a payload, its type, and signatures over both.

https://github.com/secure-systems-lab/dsse/blob/master/protocol.md: the signature is over the
pre-authentication encoding (PAE) of type and payload, so a signed payload cannot be
reinterpreted as another type. Key ids are unauthenticated hints: verification tries every
signature against the key it is given.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from hatch_aicontainer.signing.errors import SignatureError
from hatch_aicontainer.signing.keys import PublicKey
from hatch_aicontainer.signing.signer import Signer

__all__ = ["b64decode", "pae", "sign_envelope", "signature", "signature_verifies", "verify_envelope"]


def pae(payload_type: str, payload: bytes) -> bytes:
    """``"DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload``, lengths in ASCII decimal bytes."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def signature(signer: Signer, payload_type: str, payload: bytes) -> str:
    """``signer``'s signature over the PAE of ``payload_type`` and ``payload``, standard base64 with padding:
    an envelope's ``sig``, or a signature kept beside its payload (a registry cache entry's record)."""
    return base64.b64encode(signer.sign(pae(payload_type, payload))).decode("ascii")


def signature_verifies(key: PublicKey, signature: object, payload_type: str, payload: bytes) -> bool:
    """Whether ``signature`` (base64, as ``signature`` gives it or DSSE allows) is ``key``'s over the PAE
    of ``payload_type`` and ``payload``; False for anything that is not base64."""
    raw = b64decode(signature)
    return raw is not None and key.verify(raw, pae(payload_type, payload))


def sign_envelope(signer: Signer, payload_type: str, payload: bytes) -> dict[str, Any]:
    """The envelope of ``payload`` with one signature by ``signer`` (standard base64, with padding)."""
    return {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": payload_type,
        "signatures": [{"keyid": signer.keyid, "sig": signature(signer, payload_type, payload)}],
    }


def b64decode(value: object) -> bytes | None:
    """Standard or URL-safe base64, padded or not (DSSE allows each); None if ``value`` is neither."""
    if not isinstance(value, str):
        return None
    text = value.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def verify_envelope(
    envelope: Mapping[str, Any], key: PublicKey, *, payload_type: str | None = None, what: str = "the DSSE envelope"
) -> bytes:
    """The payload of ``envelope`` if a signature in it verifies with ``key`` (and its type is
    ``payload_type``, when given); else ``SignatureError`` naming ``what``."""
    if not isinstance(envelope, Mapping):
        raise SignatureError(f"{what}: not a JSON object; allowed: a DSSE envelope (payload, payloadType, signatures)")
    kind = envelope.get("payloadType")
    if not isinstance(kind, str):
        raise SignatureError(f"{what}: payloadType is missing or not a string; allowed: a DSSE envelope")
    if payload_type is not None and kind != payload_type:
        raise SignatureError(f"{what}: payloadType is {kind!r}; allowed: {payload_type!r}")
    payload = b64decode(envelope.get("payload"))
    if payload is None:
        raise SignatureError(f"{what}: payload is missing or not base64; allowed: a DSSE envelope")
    signatures = envelope.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        raise SignatureError(f"{what}: has no signatures; allowed: a DSSE envelope signed by key {key.keyid}")
    for entry in signatures:
        if isinstance(entry, Mapping) and signature_verifies(key, entry.get("sig"), kind, payload):
            return payload
    raise SignatureError(
        f"{what}: none of its {len(signatures)} signature(s) verifies with key {key.keyid}; "
        "allowed: an envelope signed by that key, unchanged since"
    )
