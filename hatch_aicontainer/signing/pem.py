"""Finding the PEM block in a key file, to say what the file is before parsing it."""

from __future__ import annotations

import re

__all__ = ["pem_block", "pem_type"]

_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.S)
#: Blocks beside a key that say nothing of which key it is (``openssl ecparam -genkey`` writes one first).
_SKIPPED = {"EC PARAMETERS"}


def pem_block(data: bytes) -> tuple[str, bytes] | None:
    """The type and (still base64) body of the first PEM block in ``data`` that is not
    ``EC PARAMETERS``; None if there is none."""
    for match in _BLOCK.finditer(data):
        kind = match.group(1).decode("ascii")
        if kind not in _SKIPPED:
            return kind, match.group(2)
    return None


def pem_type(data: bytes) -> str | None:
    """The type of ``data``'s PEM block (``"PRIVATE KEY"``, ``"PUBLIC KEY"``, ...), or None."""
    block = pem_block(data)
    return block[0] if block else None
