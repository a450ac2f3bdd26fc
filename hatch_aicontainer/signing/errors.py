"""The error of a signature or signed document that does not hold."""

from __future__ import annotations

from hatch_aicontainer.core.errors import AIContainerError

__all__ = ["SignatureError"]


class SignatureError(AIContainerError):
    """A DSSE envelope or sigstore bundle is malformed, or no signature in it verifies with the key given."""
