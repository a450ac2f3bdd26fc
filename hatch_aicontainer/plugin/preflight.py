"""What can be checked before a build does any work, checked before it does.

``configure.project_settings`` calls :func:`preflight` for every caller (``hatch
build -t container``, the wheel hook, ``aicontainer check`` and ``lock``), so a
mistake that would surface after the lock step, after the layers were written
or after the image was pushed (``AICONTAINER_CACHE_MAX_SIZE=20X``) stops the
build first, and ``aicontainer check`` reports the same thing the build would.
Each value is parsed by the function the build itself uses for it (one home
for each decision); this module only calls them early.

Checked: every ``AICONTAINER_*`` variable (the registry is
:data:`~hatch_aicontainer.config.settings.keys.ENVIRONMENT`; an unknown name is a
warning with "did you mean"), ``include`` sources (they must match files),
and optional extras the settings need (``compression = "zstd"``).
"""

from __future__ import annotations

import difflib
import importlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from hatch_aicontainer.build.layers.bytecode import mode as bytecode_mode
from hatch_aicontainer.build.layers.include import include_entries
from hatch_aicontainer.cache.admin import max_size_from_env
from hatch_aicontainer.config.settings import ProjectInfo, Settings
from hatch_aicontainer.config.settings.keys import (
    BYTECODE_ENV,
    CACHE_DIR_ENV,
    CACHE_MAX_SIZE_ENV,
    ENVIRONMENT,
    INSECURE_REGISTRIES_ENV,
    UV_ENV,
)
from hatch_aicontainer.core.errors import ConfigError, missing_extra
from hatch_aicontainer.registry.reference import split_host_port

PREFIX = "AICONTAINER_"
#: The extra that provides each optional module, for the advice.
_EXTRAS = {"zstandard": "zstd"}


def preflight(settings: Settings, project: ProjectInfo, environ: Mapping[str, str]) -> tuple[str, ...]:
    """Raise ConfigError for the first problem found; return the warnings (one line each)."""
    warnings = check_environment(environ)
    check_extras(settings)
    check_includes(settings, project)
    return warnings


def check_environment(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Check every set ``AICONTAINER_*`` value; warn about names the plugin does not read."""
    for name, check in _CHECKS.items():
        if environ.get(name, "") != "":
            check(environ)
    warnings = []
    for name in sorted(environ):
        if name.startswith(PREFIX) and name not in ENVIRONMENT:
            warnings.append(unknown_variable_warning(name))
    return tuple(warnings)


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


def check_extras(settings: Settings) -> None:
    """An optional module the settings need must be importable in the build environment."""
    if settings.compression == "zstd":
        _require("zstandard", f'{settings.key("compression")} = "zstd"')


def _require(module: str, setting: str) -> None:
    try:
        importlib.import_module(module)  # what the layer writer will do; a broken install counts as missing
        return
    except ImportError:
        pass
    raise missing_extra(setting, module, _EXTRAS[module])


def check_includes(settings: Settings, project: ProjectInfo) -> None:
    """Every ``include`` source matches files (the build's own walk: ``build.layers.include.include_entries``)."""
    if settings.include:
        include_entries(settings.include, Path(project.root))


def _bytecode(environ: Mapping[str, str]) -> None:
    bytecode_mode(environ)


def _cache_max_size(environ: Mapping[str, str]) -> None:
    max_size_from_env(environ)


def _cache_dir(environ: Mapping[str, str]) -> None:
    path = Path(environ[CACHE_DIR_ENV]).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{CACHE_DIR_ENV} = {str(path)!r}: not a directory; allowed: a directory (it is created if missing)")


def _uv(environ: Mapping[str, str]) -> None:
    value = environ[UV_ENV]
    if not (os.path.isfile(value) and os.access(value, os.X_OK)):
        raise ConfigError(f"{UV_ENV} = {value!r}: not an executable file; allowed: the path of a uv executable, or unset")


def _insecure_registries(environ: Mapping[str, str]) -> None:
    value = environ[INSECURE_REGISTRIES_ENV]
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


#: Variables whose value can be wrong by itself; the output flags, AICONTAINER_PUSH_TO and
#: AICONTAINER_BASE_IMAGE are checked by load_settings with the settings they override.
_CHECKS: dict[str, Callable[[Mapping[str, str]], None]] = {
    BYTECODE_ENV: _bytecode,
    CACHE_MAX_SIZE_ENV: _cache_max_size,
    CACHE_DIR_ENV: _cache_dir,
    UV_ENV: _uv,
    INSECURE_REGISTRIES_ENV: _insecure_registries,
}

__all__ = ["check_environment", "check_extras", "check_includes", "preflight", "unknown_variable_warning"]
