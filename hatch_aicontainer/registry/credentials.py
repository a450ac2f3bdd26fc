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
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hatch_aicontainer.core.errors import ConfigError, RegistryError

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


def docker_config_path(env: Mapping[str, str]) -> Path:
    """``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json`` (``HOME`` of ``env``)."""
    directory = env.get("DOCKER_CONFIG")
    if directory:
        return Path(directory) / "config.json"
    return Path(env.get("HOME") or os.path.expanduser("~")) / ".docker" / "config.json"


def find_credentials(host: str, *, env: Mapping[str, str]) -> Credentials | None:
    """Credentials for registry ``host`` (``host[:port]``), or None for anonymous access.

    Raises ConfigError for a half-set environment or an unreadable Docker
    config, CredentialHelperError when a named helper cannot be run.
    """
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
