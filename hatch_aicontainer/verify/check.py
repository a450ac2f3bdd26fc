"""``aicontainer verify``: the image's signature and attestations, checked against a public key.

For the root and every platform manifest, the referrers are found (the archive's own list, the
registry's referrers API, or the fallback tag) and each attestation of ours is checked: its
manifest names this image as ``subject``, its sigstore bundle's DSSE signature verifies with the
key, and the statement inside names this image among its subjects. The image passes when it has
a valid signature, a valid provenance, and a valid SBOM for every platform, and no attestation
of ours fails; anything else is one line naming what failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hatch_aicontainer.attest.referrers import KIND_ANNOTATION
from hatch_aicontainer.attest.statements import PROVENANCE_TYPE, SBOM_TYPE, SIGNATURE_TYPE, Statement, parse_statement
from hatch_aicontainer.core.errors import AIContainerError
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.descriptor import Descriptor, short_digest
from hatch_aicontainer.signing.bundle import envelope_of
from hatch_aicontainer.signing.dsse import verify_envelope
from hatch_aicontainer.signing.keys import PublicKey
from hatch_aicontainer.verify.sources import ImageSource

__all__ = ["Verified", "VerifyError", "verify_image"]

_KINDS = {SIGNATURE_TYPE: "signature", PROVENANCE_TYPE: "provenance", SBOM_TYPE: "SBOM"}


class VerifyError(AIContainerError):
    """The image does not verify (one line: what failed, for which digest)."""


@dataclass(frozen=True)
class Verified:
    kind: str  #: signature, provenance, SBOM
    subject: str  #: the digest it is about
    platform: str  #: the platform whose manifest it is about ("" for the root)
    referrer: str  #: the referrer manifest's digest
    where: str  #: where it was found
    statement: Statement

    def line(self, keyid: str) -> str:
        about = f" {self.platform}" if self.platform else ""
        return (
            f"verified {self.kind}{about} of {short_digest(self.subject)}: signed by key {keyid[:12]} "
            f"(referrer {short_digest(self.referrer)}, {self.where})"
        )


def verify_image(source: ImageSource, key: PublicKey, *, say: Callable[[str], None] = lambda _line: None) -> list[Verified]:
    """Every attestation of the image, verified; VerifyError (one line) at the first failure."""
    root = source.root
    subjects: list[tuple[str, Descriptor]] = [("", root)]
    platforms = source.manifests()
    if root.media_type in mt.INDEX_TYPES:
        subjects += platforms
    verified: list[Verified] = []
    for platform, subject in subjects:
        referrers, where = source.referrers(subject.digest)
        for referrer in referrers:
            if referrer.annotations.get(KIND_ANNOTATION) is None and referrer.artifact_type != mt.SIGSTORE_BUNDLE:
                continue  # another tool's: not ours to judge
            item = _verify_one(source, referrer, subject.digest, platform, where, key)
            say(item.line(key.keyid))
            verified.append(item)
    _require(verified, "signature", root.digest, "", source.name)
    _require(verified, "provenance", root.digest, "", source.name)
    for platform, manifest in platforms:
        _require(verified, "SBOM", manifest.digest, platform if root.media_type in mt.INDEX_TYPES else "", source.name)
    return verified


def _verify_one(source: ImageSource, referrer: Descriptor, subject: str, platform: str, where: str, key: PublicKey) -> Verified:
    kind = referrer.annotations.get(KIND_ANNOTATION) or "attestation"
    what = f"the {kind} attestation {short_digest(referrer.digest)} of {short_digest(subject)}"
    try:
        manifest = json.loads(source.read(referrer.digest))
    except (AIContainerError, ValueError) as exc:
        raise VerifyError(f"{what} cannot be read ({exc})") from None
    named = (manifest.get("subject") or {}).get("digest") if isinstance(manifest, dict) else None
    if named != subject:
        raise VerifyError(f"{what} is about {named and short_digest(named)}, not this image (a swapped attestation)")
    if referrer.artifact_type != mt.SIGSTORE_BUNDLE or manifest.get("artifactType") != mt.SIGSTORE_BUNDLE:
        raise VerifyError(f"{what} is not signed (artifact type {manifest.get('artifactType')}; build with a signing key)")
    layers = manifest.get("layers") or []
    if len(layers) != 1:
        raise VerifyError(f"{what} holds {len(layers)} layers, not one bundle")
    try:
        bundle = json.loads(source.read(layers[0]["digest"]))
        payload = verify_envelope(envelope_of(bundle), key)
        statement = parse_statement(payload, what)
    except (AIContainerError, ValueError, KeyError, TypeError) as exc:
        raise VerifyError(f"{what} does not verify with key {key.keyid[:12]}: {exc}") from None
    if subject not in statement.digests():
        raise VerifyError(f"{what} is signed but its statement names {sorted(statement.digests())}, not this image")
    found = _KINDS.get(statement.predicate_type)
    if found is None:
        raise VerifyError(f"{what} states an unknown predicate type {statement.predicate_type}")
    return Verified(found, subject, platform, referrer.digest, where, statement)


def _require(verified: Sequence[Verified], kind: str, subject: str, platform: str, name: str) -> None:
    if not any(v.kind == kind and v.subject == subject for v in verified):
        about = f" for {platform}" if platform else ""
        raise VerifyError(f"{name}: no signed {kind}{about} of {short_digest(subject)} was found")
