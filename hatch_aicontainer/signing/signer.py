"""What signs an envelope: a key today; the seam where keyless signing would go.

A ``Signer`` signs bytes and says what a verifier needs to trust the signature, as the
``verificationMaterial`` of a sigstore bundle. ``KeySigner`` signs with a key the user holds,
so that material is only a hint naming the key, which the verifier has out of band.
Keyless signing (a short-lived Fulcio certificate as the material, the signature logged in
Rekor and its entry in ``tlogEntries``) would be another ``Signer``; it is not implemented.
"""

from __future__ import annotations

from typing import Any, Protocol

from hatch_aicontainer.signing.keys import PublicKey, SigningKey

__all__ = ["KeySigner", "Signer", "key_material"]


def key_material(keyid: str) -> dict[str, Any]:
    """A bundle's ``verificationMaterial`` for a signature by a user's key: the key id as a hint,
    no transparency log entry, no timestamp."""
    return {"publicKey": {"hint": keyid}, "tlogEntries": [], "timestampVerificationData": {}}


class Signer(Protocol):
    """Signs bytes (DER ECDSA here) and names what verifies them."""

    @property
    def keyid(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...

    def verification_material(self) -> dict[str, Any]: ...

    @property
    def public_key(self) -> PublicKey | None:
        """The key that verifies its signatures here, offline (None: verified another way, e.g. keyless)."""
        ...


class KeySigner:
    """A ``Signer`` holding a ``SigningKey``."""

    __slots__ = ("key",)

    def __init__(self, key: SigningKey) -> None:
        self.key = key

    @property
    def keyid(self) -> str:
        return self.key.keyid

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)

    def verification_material(self) -> dict[str, Any]:
        return key_material(self.keyid)

    @property
    def public_key(self) -> PublicKey:
        return self.key.public

    def __repr__(self) -> str:
        return f"KeySigner(keyid={self.keyid!r})"
