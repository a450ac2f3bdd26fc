"""Answering a registry's ``WWW-Authenticate`` challenge (:class:`Authenticator`).

``Bearer`` fetches a token from the realm for the repository scope (with Basic
credentials if there are any, or an OAuth refresh token); ``Basic`` sends the
credentials with every request. Credentials (``credentials.py``) are looked up
only when a registry asks for them, and never reach a log line, an exception
message or a ``repr``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Sequence
from typing import Union
from urllib.parse import urlsplit

import requests

from hatch_aicontainer.registry.credentials import CredentialHelperError, Credentials, find_credentials
from hatch_aicontainer.registry.errors import RegistryAuthError, RegistryUnreachable
from hatch_aicontainer.registry.transport import (
    CONNECT_TIMEOUT,
    TOKEN_READ_TIMEOUT,
    Transport,
    describe_exception,
    no_proxy_for,
)


class CredentialLookup:
    """The marker for "look the credentials up when asked" (:data:`LOOKUP`)."""

    def __repr__(self) -> str:
        return "<look up credentials>"


#: look the credentials up (:func:`find_credentials`) when a registry first asks for them
LOOKUP = CredentialLookup()

CredentialsArg = Union[Credentials, None, Callable[[], Union[Credentials, None]]]


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="…",service="…",scope="…"`` -> ``("bearer", {...})``."""
    scheme, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " ,":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip().lower()
        i = eq + 1
        if i < n and rest[i] == '"':
            i += 1
            value = []
            while i < n and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(rest[i])
                i += 1
            i += 1
            params[key] = "".join(value)
        else:
            end = rest.find(",", i)
            end = n if end < 0 else end
            params[key] = rest[i:end].strip()
            i = end
    return scheme.lower(), params


def basic_authorization(creds: Credentials) -> str:
    """The ``Authorization`` header value of HTTP Basic auth."""
    pair = f"{creds.username}:{creds.password}".encode("utf-8")
    return "Basic " + base64.b64encode(pair).decode("ascii")


class Authenticator:
    """The ``Authorization`` for one registry host: tokens per scope, or Basic credentials."""

    def __init__(self, transport: Transport, credentials: CredentialsArg | CredentialLookup = LOOKUP) -> None:
        self.host = transport.host
        self._transport = transport
        self._credentials_arg = credentials
        self._credentials: Credentials | None = None
        self._credentials_loaded = False
        self._credentials_note = ""
        self._tokens: dict[str, str] = {}
        self._basic = False

    @property
    def holds_token(self) -> bool:
        """A token service granted a token (and Basic auth is not in use)."""
        return bool(self._tokens) and not self._basic

    def credentials(self) -> Credentials | None:
        """The credentials for the host, looked up once; None for anonymous access."""
        if not self._credentials_loaded:
            self._credentials_loaded = True
            arg = self._credentials_arg
            try:
                if isinstance(arg, CredentialLookup):
                    self._credentials = find_credentials(self.host, env=self._transport.access.environ)
                elif callable(arg):
                    self._credentials = arg()
                else:
                    self._credentials = arg
            except CredentialHelperError as exc:
                # Anonymous access may still work (public images); say why if it does not.
                self._credentials_note = f"; {exc}"
                self._credentials = None
        return self._credentials

    def authorization(self, scopes: Sequence[str]) -> str | None:
        """The header value for a request needing ``scopes``, or None (anonymous, or not asked yet)."""
        if self._basic:
            creds = self.credentials()
            if creds is not None:
                return basic_authorization(creds)
        token = self._tokens.get(" ".join(scopes))
        return f"Bearer {token}" if token else None

    def answer_challenge(self, header: str, scopes: Sequence[str]) -> None:
        """Act on a 401's ``WWW-Authenticate``: switch to Basic, or fetch a token for ``scopes``."""
        scheme, params = parse_challenge(header)
        what = _scope_repos(scopes)
        creds = self.credentials()
        if scheme == "basic":
            if creds is None:
                raise self.needs_credentials(what)
            self._basic = True
            return
        if scheme != "bearer" or "realm" not in params:
            raise RegistryAuthError(f"registry {self.host} asks for an unsupported authentication ({scheme or 'none'})")
        self._tokens[" ".join(scopes)] = self._fetch_token(params, scopes, creds, what)

    def needs_credentials(self, what: str, status: int = 401) -> RegistryAuthError:
        """The error for anonymous access refused to ``what``."""
        return RegistryAuthError(
            f"registry {self.host} denied anonymous access to {what} ({status}: it does not exist or needs "
            f"credentials; set AICONTAINER_REGISTRY_USERNAME/AICONTAINER_REGISTRY_PASSWORD or docker login"
            f"{self._credentials_note})"
        )

    def _fetch_token(
        self, params: dict[str, str], scopes: Sequence[str], creds: Credentials | None, what: str
    ) -> str:
        realm = params["realm"]
        realm_parts = urlsplit(realm)
        if realm_parts.scheme not in ("https", "http"):
            raise RegistryAuthError(f"registry {self.host} names a token service that is not a URL")
        realm_host = realm_parts.netloc.rsplit("@", 1)[-1]
        if realm_parts.scheme == "http" and creds is not None and not self._transport.access.allows_plain_http(realm_host):
            raise RegistryAuthError(
                f"registry {self.host} wants credentials sent to plain-HTTP token service {realm_host}; refused"
            )
        session = self._transport.session
        timeout = (CONNECT_TIMEOUT, TOKEN_READ_TIMEOUT)
        query: list[tuple[str, str]] = []
        if params.get("service"):
            query.append(("service", params["service"]))
        try:
            if creds is not None and creds.identity_token:
                form = {
                    "grant_type": "refresh_token",
                    "refresh_token": creds.identity_token,
                    "client_id": "hatch-aicontainer",
                    "scope": " ".join(scopes),
                    **({"service": params["service"]} if params.get("service") else {}),
                }
                resp = session.post(
                    realm, data=form, verify=self._transport.verify, timeout=timeout, proxies=no_proxy_for(realm_host)
                )
            else:
                query.extend(("scope", scope) for scope in scopes)
                resp = session.get(
                    realm,
                    params=query,
                    auth=(creds.username, creds.password) if creds is not None else None,
                    verify=self._transport.verify,
                    timeout=timeout,
                    proxies=no_proxy_for(realm_host),
                )
        except requests.RequestException as exc:
            raise RegistryUnreachable(
                f"cannot reach token service {realm_host} of registry {self.host} ({describe_exception(exc)})"
            ) from None
        with resp:
            if resp.status_code in (401, 403):
                if creds is None:
                    raise self.needs_credentials(what, resp.status_code)
                raise RegistryAuthError(f"registry {self.host} refused the credentials for {what} ({resp.status_code})")
            if resp.status_code != 200:
                raise RegistryAuthError(
                    f"token service {realm_host} of registry {self.host} failed for {what} (HTTP {resp.status_code})"
                )
            try:
                answer = resp.json()
                token = answer.get("token") or answer.get("access_token")
            except (ValueError, AttributeError):
                token = None
        if not isinstance(token, str) or not token:
            raise RegistryAuthError(f"token service {realm_host} of registry {self.host} gave no token for {what}")
        return token


def _scope_repos(scopes: Iterable[str]) -> str:
    repos = [scope.split(":")[1] for scope in scopes if scope.count(":") >= 2]
    return ", ".join(repos) if repos else "the API"
