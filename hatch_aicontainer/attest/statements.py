"""in-toto Statements v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md).

Every statement is canonical JSON (sorted keys, no spaces), so the same subject and predicate
give the same bytes, and the same signature with a deterministic signer, on every host.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hatch_aicontainer.core.errors import AIContainerError
from hatch_aicontainer.oci.image import canonical_json

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PROVENANCE_TYPE = "https://slsa.dev/provenance/v1"
SBOM_TYPE = "https://cyclonedx.org/bom"
#: cosign's predicate for the signature of an image (its new bundle format): the subject is the image
SIGNATURE_TYPE = "https://sigstore.dev/cosign/sign/v1"

__all__ = [
    "PROVENANCE_TYPE",
    "SBOM_TYPE",
    "SIGNATURE_TYPE",
    "STATEMENT_TYPE",
    "Statement",
    "StatementError",
    "Subject",
    "parse_statement",
    "statement_bytes",
]


class StatementError(AIContainerError):
    """A statement that is not an in-toto Statement v1 (one line)."""


@dataclass(frozen=True)
class Subject:
    name: str
    digest: str  #: ``sha256:<hex>``

    def to_json(self) -> dict[str, Any]:
        algorithm, _, value = self.digest.partition(":")
        return {"name": self.name, "digest": {algorithm: value}}


@dataclass(frozen=True)
class Statement:
    subjects: tuple[Subject, ...]
    predicate_type: str
    predicate: Mapping[str, Any]

    def digests(self) -> set[str]:
        return {s.digest for s in self.subjects}


def statement_bytes(subjects: Sequence[Subject], predicate_type: str, predicate: Mapping[str, Any]) -> bytes:
    """The statement as canonical JSON."""
    return canonical_json(
        {
            "_type": STATEMENT_TYPE,
            "subject": [s.to_json() for s in subjects],
            "predicateType": predicate_type,
            "predicate": predicate,
        }
    )


def parse_statement(data: bytes, what: str) -> Statement:
    """``data`` read as a Statement v1; StatementError naming ``what`` otherwise."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise StatementError(f"{what} is not JSON") from None
    if not isinstance(document, dict) or document.get("_type") != STATEMENT_TYPE:
        raise StatementError(f"{what} is not an in-toto Statement v1 (_type {_get(document, '_type')!r})")
    subjects = []
    for entry in document.get("subject") or []:
        digests = entry.get("digest") if isinstance(entry, dict) else None
        if not isinstance(digests, dict) or not isinstance(digests.get("sha256"), str):
            raise StatementError(f"{what} has a subject without a sha256 digest")
        subjects.append(Subject(str(entry.get("name", "")), "sha256:" + digests["sha256"]))
    if not subjects:
        raise StatementError(f"{what} names no subject")
    predicate = document.get("predicate")
    if not isinstance(predicate, dict) or not isinstance(document.get("predicateType"), str):
        raise StatementError(f"{what} has no predicate")
    return Statement(tuple(subjects), document["predicateType"], predicate)


def _get(document: Any, key: str) -> Any:
    return document.get(key) if isinstance(document, dict) else None
