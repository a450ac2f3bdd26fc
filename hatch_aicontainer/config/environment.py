"""The process environment, read once: every ``AICONTAINER_*`` variable parsed, and what is passed on.

The entry points (``hatch build``'s builders and hook, the ``aicontainer`` command) read
``os.environ`` into :class:`BuildEnvironment` and hand it down; no module below them and
``config/`` reads the environment. Each value is checked here, once, with a one-line
:class:`~hatch_aicontainer.core.errors.ConfigError` naming the variable, the value and what
is allowed; names that look like ours but are not are warnings ("did you mean").

The variables themselves are listed in ``config.variables.ENVIRONMENT`` (the variables that
override settings, such as ``AICONTAINER_PUSH``, are parsed by the settings loader with the
settings they override). What the build runs (uv, the Docker SDK, the registry client) gets
the snapshot ``variables``, never the live environment.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from hatch_aicontainer.config.variables import (
    BYTECODE_ENV,
    CACHE_DIR_ENV,
    CACHE_MAX_SIZE_ENV,
    ENVIRONMENT,
    INSECURE_REGISTRIES_ENV,
    UV_ENV,
)
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.registry.access import RegistryAccess
from hatch_aicontainer.registry.reference import split_host_port

PREFIX = "AICONTAINER_"
BYTECODE_MODES = ("auto", "on", "off")
_ON = frozenset({"on", "1", "true", "yes"})
_OFF = frozenset({"off", "0", "false", "no"})
_UNITS = {
    "": 1, "b": 1,
    "k": 1024, "kib": 1024, "kb": 1000,
    "m": 1024**2, "mib": 1024**2, "mb": 1000**2,
    "g": 1024**3, "gib": 1024**3, "gb": 1000**3,
    "t": 1024**4, "tib": 1024**4, "tb": 1000**4,
}


@dataclass(frozen=True)
class BuildEnvironment:
    """The environment of one process, as the plugin reads it."""

    #: a snapshot, for what the build runs (uv, the Docker SDK); never shown (it holds credentials)
    variables: Mapping[str, str] = field(repr=False)
    cache_dir: Path  #: ``AICONTAINER_CACHE_DIR``, else the user's cache folder
    cache_dir_from_env: bool
    cache_max_size: int | None  #: ``AICONTAINER_CACHE_MAX_SIZE`` in bytes
    bytecode: str  #: ``AICONTAINER_BYTECODE``: auto, on or off
    uv: str | None  #: ``AICONTAINER_UV``: a uv executable instead of the bundled one
    registry: RegistryAccess  #: plain-HTTP hosts, CA bundle, where credentials come from
    warnings: tuple[str, ...] = ()  #: one line each: variables that look like ours but are not

    @classmethod
    def read(cls, environ: Mapping[str, str]) -> BuildEnvironment:
        """Parse ``environ`` (the process's, at an entry point); ConfigError for the first wrong value."""
        variables = MappingProxyType(dict(environ))
        cache_dir, from_env = cache_folder(variables)
        insecure = insecure_registries(variables.get(INSECURE_REGISTRIES_ENV, ""))
        return cls(
            variables=variables,
            cache_dir=cache_dir,
            cache_dir_from_env=from_env,
            cache_max_size=cache_max_size(variables.get(CACHE_MAX_SIZE_ENV, "")),
            bytecode=bytecode_mode(variables.get(BYTECODE_ENV, "")),
            uv=uv_executable(variables.get(UV_ENV, "")),
            registry=RegistryAccess.from_environment(variables, insecure),
            warnings=tuple(unknown_variable_warning(name) for name in sorted(variables) if _unknown(name)),
        )


def cache_folder(environ: Mapping[str, str]) -> tuple[Path, bool]:
    """``$AICONTAINER_CACHE_DIR`` (and True), else ``$XDG_CACHE_HOME/hatch-aicontainer`` or ``~/.cache/…``."""
    explicit = environ.get(CACHE_DIR_ENV, "")
    if explicit:
        path = Path(explicit).expanduser()
        if path.exists() and not path.is_dir():
            raise ConfigError(f"{CACHE_DIR_ENV} = {str(path)!r}: not a directory; allowed: a directory (it is created if missing)")
        return path, True
    home = environ.get("HOME") or os.path.expanduser("~")
    xdg = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    return Path(xdg) / "hatch-aicontainer", False


def parse_size(text: str | int) -> int:
    """``"20G"``/``"20GiB"`` (1024³), ``"20GB"`` (1000³), ``"500M"``, ``"123"`` bytes; ValueError otherwise."""
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"a size cannot be negative: {text}")
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise ValueError(f"not a size: {text!r} (use e.g. 20G, 500MB, 10GiB or a number of bytes)")
    return int(float(match.group(1)) * _UNITS[unit])


def cache_max_size(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return parse_size(value)
    except ValueError as exc:
        raise ConfigError(f"{CACHE_MAX_SIZE_ENV} = {value!r}: {exc}") from None


def bytecode_mode(value: str) -> str:
    """``auto``, ``on`` or ``off`` of ``AICONTAINER_BYTECODE`` (unset: auto)."""
    text = value.strip().lower()
    if text in ("", "auto"):
        return "auto"
    if text in _ON:
        return "on"
    if text in _OFF:
        return "off"
    raise ConfigError(
        f'{BYTECODE_ENV} = "{text}": not a bytecode mode; use auto, on or off (allowed: auto, on, off, 1, 0, true, false, yes, no)'
    )


def uv_executable(value: str) -> str | None:
    if not value:
        return None
    if not (os.path.isfile(value) and os.access(value, os.X_OK)):
        raise ConfigError(f"{UV_ENV} = {value!r}: not an executable file; allowed: the path of a uv executable, or unset")
    return value


def insecure_registries(value: str) -> frozenset[str]:
    """The ``host[:port]`` of ``AICONTAINER_INSECURE_REGISTRIES`` (lowercase), reached over plain HTTP."""
    hosts = set()
    for item in value.split(","):
        host = item.strip()
        if not host:
            continue
        name, port = split_host_port(host)
        if not name or any(c in host for c in "/@ \t") or (port is not None and not port.isdigit()):
            raise ConfigError(
                f"{INSECURE_REGISTRIES_ENV} = {value!r}: {host!r} is not a registry host; "
                "allowed: comma-separated host[:port] such as registry.local:5000"
            )
        hosts.add(host.lower())
    return frozenset(hosts)


def _unknown(name: str) -> bool:
    return name.startswith(PREFIX) and name not in ENVIRONMENT


def unknown_variable_warning(name: str) -> str:
    """``AICONTAINER_PUSHTO is not a hatch-aicontainer variable (ignored); did you mean AICONTAINER_PUSH_TO?``"""
    known = list(ENVIRONMENT)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    if not close:  # a missing or doubled underscore: compare without them
        squeezed = {k.replace("_", ""): k for k in known}
        match = squeezed.get(name.replace("_", ""))
        close = [match] if match else []
    hint = f"; did you mean {close[0]}?" if close else f"; known: {', '.join(known)}"
    return f"{name} is not a hatch-aicontainer variable (ignored){hint}"


__all__ = [
    "BYTECODE_MODES",
    "BuildEnvironment",
    "bytecode_mode",
    "cache_folder",
    "cache_max_size",
    "insecure_registries",
    "parse_size",
    "unknown_variable_warning",
    "uv_executable",
]
