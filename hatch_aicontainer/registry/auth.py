"""Credentials for a registry host.

Looked up, first match wins:

1. the environment: ``AICONTAINER_REGISTRY_USERNAME`` and
   ``AICONTAINER_REGISTRY_PASSWORD``; when ``AICONTAINER_REGISTRY_HOST`` is set
   they apply to that host only (``docker.io`` and its aliases count as one);
2. Docker's configuration, ``$DOCKER_CONFIG/config.json`` or
   ``~/.docker/config.json``: a ``credHelpers`` entry for the host, else the
   ``credsStore``, each run as ``docker-credential-<name> get`` with the server
   on standard input; else an ``auths`` entry (base64 ``auth`` or
   ``username``/``password``; ``identitytoken`` for OAuth refresh tokens).

Secrets never reach a log line, an exception message or a ``repr``.

:class:`Authenticator` answers a registry's ``WWW-Authenticate`` challenge:
``Bearer`` fetches a token from the realm for the repository scope (with
Basic credentials if there are any, or an OAuth refresh token), ``Basic``
sends the credentials with every request. Credentials are looked up only
when a registry asks for them.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union
from urllib.parse import urlsplit

import requests

from ..errors import ConfigError, RegistryError
from .errors import RegistryAuthError, RegistryUnreachable
from .transport import CONNECT_TIMEOUT, TOKEN_READ_TIMEOUT, Transport, allows_plain_http, describe_exception, no_proxy_for

ENV_USERNAME = "AICONTAINER_REGISTRY_USERNAME"
ENV_PASSWORD = "AICONTAINER_REGISTRY_PASSWORD"
ENV_HOST = "AICONTAINER_REGISTRY_HOST"

DOCKER_HUB_SERVER = "https://index.docker.io/v1/"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
_HELPER_TIMEOUT = 120


@dataclass(frozen=True)
class Credentials:
    """A username and secret (password or token). ``repr`` never shows the secret."""

    username: str
    password: str = field(repr=False)
    identity_token: str | None = field(default=None, repr=False)
    source: str = ""  # where they came from, for messages ("environment", "~/.docker/config.json")

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, source={self.source!r})"


class CredentialHelperError(RegistryError):
    """A Docker credential helper is missing or failed."""


def normalize_host(server: str) -> str:
    """A registry key as Docker writes it (``https://host/v1/``, ``host:5000``) -> ``host:5000``.

    All Docker Hub names map to ``docker.io``.
    """
    host = server.strip()
    for scheme in ("https://", "http://"):
        if host.lower().startswith(scheme):
            host = host[len(scheme) :]
            break
    host = host.split("/", 1)[0].lower()
    return "docker.io" if host in _HUB_ALIASES else host


def _server_key(host: str) -> str:
    """What Docker passes to credential helpers for ``host``."""
    return DOCKER_HUB_SERVER if normalize_host(host) == "docker.io" else normalize_host(host)


def docker_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    directory = env.get("DOCKER_CONFIG")
    if directory:
        return Path(directory) / "config.json"
    return Path(os.path.expanduser("~")) / ".docker" / "config.json"


def find_credentials(host: str, *, env: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials for registry ``host`` (``host[:port]``), or None for anonymous access.

    Raises ConfigError for a half-set environment or an unreadable Docker
    config, CredentialHelperError when a named helper cannot be run.
    """
    env = os.environ if env is None else env
    wanted = normalize_host(host)

    from_env = _from_environment(wanted, env)
    if from_env is not None:
        return from_env

    path = docker_config_path(env)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read Docker config {path} ({exc.strerror or exc})") from None
    try:
        config = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise ConfigError(f"Docker config {path} is not valid JSON (line {getattr(exc, 'lineno', '?')})") from None
    if not isinstance(config, dict):
        raise ConfigError(f"Docker config {path} is not a JSON object")

    helpers = config.get("credHelpers") or {}
    if isinstance(helpers, dict):
        for key, helper in helpers.items():
            if normalize_host(key) == wanted and isinstance(helper, str) and helper:
                return run_credential_helper(helper, _server_key(host), source=str(path))

    entry = _auths_entry(config.get("auths"), wanted)
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        found = run_credential_helper(store, _server_key(host), source=str(path))
        if found is not None:
            return found
    if entry is not None:
        return _decode_auths_entry(entry, path)
    return None


def _from_environment(wanted: str, env: Mapping[str, str]) -> Credentials | None:
    username = env.get(ENV_USERNAME) or ""
    password = env.get(ENV_PASSWORD) or ""
    if not username and not password:
        return None
    scoped = env.get(ENV_HOST)
    if scoped and normalize_host(scoped) != wanted:
        return None
    if not username:
        raise ConfigError(f"{ENV_PASSWORD} is set but {ENV_USERNAME} is not; set both or neither")
    if not password:
        raise ConfigError(f"{ENV_USERNAME} is set but {ENV_PASSWORD} is not; set both or neither")
    return Credentials(username, password, source="environment")


def _auths_entry(auths: object, wanted: str) -> Mapping[str, object] | None:
    if not isinstance(auths, dict):
        return None
    for key, entry in auths.items():
        if isinstance(key, str) and normalize_host(key) == wanted and isinstance(entry, dict):
            return entry
    return None


def _decode_auths_entry(entry: Mapping[str, object], path: Path) -> Credentials | None:
    username = entry.get("username") if isinstance(entry.get("username"), str) else ""
    password = entry.get("password") if isinstance(entry.get("password"), str) else ""
    encoded = entry.get("auth")
    if isinstance(encoded, str) and encoded:
        try:
            decoded = base64.b64decode(encoded, validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ConfigError(f"Docker config {path}: an 'auth' entry is not base64 of user:password") from None
        user_part, colon, pass_part = decoded.partition(":")
        if not colon:
            raise ConfigError(f"Docker config {path}: an 'auth' entry is not base64 of user:password")
        username, password = user_part, pass_part
    token = entry.get("identitytoken")
    token = token if isinstance(token, str) and token else None
    if token is not None:
        return Credentials(username or "<token>", password or "", identity_token=token, source=str(path))
    if username and password:
        return Credentials(str(username), str(password), source=str(path))
    return None


def run_credential_helper(name: str, server: str, *, source: str = "") -> Credentials | None:
    """``docker-credential-<name> get`` for ``server``; None when it has nothing for it."""
    program = f"docker-credential-{name}"
    executable = shutil.which(program)
    if executable is None:
        raise CredentialHelperError(f"credential helper {program} (named in {source or 'Docker config'}) is not installed")
    try:
        proc = subprocess.run(
            [executable, "get"],
            input=server.encode("utf-8"),
            capture_output=True,
            timeout=_HELPER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CredentialHelperError(f"credential helper {program} did not answer within {_HELPER_TIMEOUT} s") from None
    except OSError as exc:
        raise CredentialHelperError(f"credential helper {program} cannot be run ({exc.strerror or exc})") from None
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        # The protocol's "not found" answer; anything else is a real failure.
        if "credentials not found" in (out + proc.stderr.decode("utf-8", "replace")).lower():
            return None
        raise CredentialHelperError(f"credential helper {program} failed for {server} (exit status {proc.returncode})")
    try:
        data = json.loads(out)
        username = data.get("Username") or ""
        secret = data.get("Secret") or ""
    except (ValueError, AttributeError):
        raise CredentialHelperError(f"credential helper {program} gave an answer that is not JSON") from None
    if not isinstance(username, str) or not isinstance(secret, str) or not secret:
        return None
    if username == "<token>":
        return Credentials(username, "", identity_token=secret, source=program)
    return Credentials(username, secret, source=program)


# -- answering a registry's challenge ------------------------------------------------------


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
                    self._credentials = find_credentials(self.host)
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
        if realm_parts.scheme == "http" and creds is not None and not allows_plain_http(realm_host):
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
