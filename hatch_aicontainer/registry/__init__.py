"""The OCI distribution API: :class:`RegistryClient` (``client``), over ``transport`` (HTTP, TLS,
retries), ``auth`` (challenges) and ``credentials`` (where they come from). The public names are re-exported here."""

from __future__ import annotations

from .auth import LOOKUP, CredentialLookup, CredentialsArg, parse_challenge
from .credentials import CredentialHelperError, Credentials, find_credentials
from .client import MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, RegistryClient
from .errors import RegistryAuthError, RegistryNotFound, RegistryUnreachable
from .transport import INSECURE_ENV, allows_plain_http, describe_exception, insecure_hosts, one_line

__all__ = [
    "INSECURE_ENV",
    "LOOKUP",
    "MANIFEST_ACCEPT",
    "MAX_MANIFEST_BYTES",
    "CredentialHelperError",
    "CredentialLookup",
    "Credentials",
    "CredentialsArg",
    "RegistryAuthError",
    "RegistryClient",
    "RegistryNotFound",
    "RegistryUnreachable",
    "allows_plain_http",
    "describe_exception",
    "find_credentials",
    "insecure_hosts",
    "one_line",
    "parse_challenge",
]
