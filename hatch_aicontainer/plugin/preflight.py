"""What can be checked before a build does any work, checked before it does.

``configure.project_settings`` calls :func:`preflight` for every caller (``hatch
build -t container``, the wheel hook, ``aicontainer check`` and ``lock``), so a
mistake that would surface after the lock step or after the layers were written
stops the build first, and ``aicontainer check`` reports the same thing the build
would. Each value is checked by the function the build itself uses for it (one
home for each decision); this module only calls them early.

Checked here: ``include`` sources (they must match files), optional extras the
settings need (``compression = "zstd"``) and the signing key (it opens with the passphrase
given, and is an ECDSA P-256 key). The ``AICONTAINER_*`` variables are parsed
with the settings (``config.environment``, when the settings are loaded).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from hatch_aicontainer.build.layers.include import include_entries
from hatch_aicontainer.config.settings import ProjectInfo, Settings
from hatch_aicontainer.core.errors import missing_extra
from hatch_aicontainer.plugin.signing import signer_for

#: The extra that provides each optional module, for the advice.
_EXTRAS = {"zstandard": "zstd"}


def preflight(settings: Settings, project: ProjectInfo) -> None:
    """Raise ConfigError (one line) for the first problem found."""
    check_extras(settings)
    check_includes(settings, project)
    signer_for(settings)


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


__all__ = ["check_extras", "check_includes", "preflight"]
