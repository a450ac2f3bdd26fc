"""The registry's failures, each a one-line :class:`~hatch_aicontainer.core.errors.RegistryError`."""

from __future__ import annotations

from hatch_aicontainer.core.errors import RegistryError

__all__ = ["RegistryAuthError", "RegistryError", "RegistryNotFound", "RegistryUnreachable"]


class RegistryUnreachable(RegistryError):
    """The registry could not be reached, or kept answering 5xx."""


class RegistryNotFound(RegistryError):
    """The registry has no such manifest or blob (404)."""


class RegistryAuthError(RegistryError):
    """The registry refused the credentials, or needs some."""
