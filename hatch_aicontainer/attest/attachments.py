"""A statement made ready to attach: signed into a sigstore bundle, or left as a bare statement.

With a signer, the statement is a DSSE envelope (payload type ``application/vnd.in-toto+json``)
in a sigstore bundle v0.3: what cosign 3 writes and reads (``cosign verify-attestation
--new-bundle-format``) and what sigstore's verifiers read. Without one, the statement itself
is attached (``application/vnd.in-toto+json``, as BuildKit attaches unsigned attestations), so
a consumer still finds where the image came from, but ``aicontainer verify`` refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.image import canonical_json

if TYPE_CHECKING:
    from hatch_aicontainer.signing.signer import Signer

#: the annotations cosign writes on a bundle's referrer manifest, and BuildKit's/in-toto's for a bare statement
BUNDLE_CONTENT_ANNOTATION = "dev.sigstore.bundle.content"
BUNDLE_PREDICATE_ANNOTATION = "dev.sigstore.bundle.predicateType"
PREDICATE_ANNOTATION = "in-toto.io/predicate-type"

__all__ = ["Attachment", "attachment"]


@dataclass(frozen=True)
class Attachment:
    """What goes in one referrer manifest: its artifact type, its one layer and the annotations."""

    artifact_type: str
    media_type: str
    content: bytes
    annotations: Mapping[str, str]
    signed: bool


def attachment(predicate_type: str, statement: bytes, signer: Signer | None) -> Attachment:
    """``statement`` (canonical JSON) as a bundle signed by ``signer``, or bare when there is none."""
    if signer is None:
        return Attachment(mt.IN_TOTO, mt.IN_TOTO, statement, {PREDICATE_ANNOTATION: predicate_type}, signed=False)
    # only a signed build loads the signing libraries (cryptography: 0.1 s of a build's import without bytecode)
    from hatch_aicontainer.signing.bundle import bundle_of
    from hatch_aicontainer.signing.dsse import sign_envelope

    envelope = sign_envelope(signer, mt.IN_TOTO, statement)
    bundle = canonical_json(bundle_of(envelope, signer.verification_material()))
    annotations = {BUNDLE_CONTENT_ANNOTATION: "dsse-envelope", BUNDLE_PREDICATE_ANNOTATION: predicate_type}
    return Attachment(mt.SIGSTORE_BUNDLE, mt.SIGSTORE_BUNDLE, bundle, annotations, signed=True)
