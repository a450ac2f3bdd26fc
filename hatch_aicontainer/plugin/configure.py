"""Settings for a build, with every framework range resolved to one exact release.

``tensorflow = "~=2.16.0"`` (or ``torch = ">=2.9,<2.11"``) is resolved once and then
kept: the release the target's lock file already holds wins while it still satisfies
the range (so a build a month later installs the same release); otherwise uv picks
the newest release with wheels for the target's Python and platform. The settings are
then loaded again with the exact versions, so every compatibility check runs on them,
and they end up in the lock and the image labels.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from hatch_aicontainer.build.deps.lock import lock_path, read_lock
from hatch_aicontainer.build.deps.uv import Indexes, Uv, target_args
from hatch_aicontainer.config.frameworks import framework
from hatch_aicontainer.config.settings import Pin, ProjectInfo, Settings, load_settings
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.plugin.preflight import preflight
from hatch_aicontainer.plugin.project import project_info, tool_table

#: What a build target implies unless its own table says otherwise (``container-gpu``: the CUDA variant).
TARGET_DEFAULTS: Mapping[str, Mapping[str, Any]] = {"container-gpu": {"accelerator": "cuda"}}


def target_settings(metadata: Any, root: str | Path, target_name: str, table: Mapping[str, Any]) -> Settings:
    """The settings of the build target ``target_name``, as ``hatch build -t TARGET_NAME`` sees them.

    The one place settings are loaded for a build: the builders' config, the wheel
    hook (its ``target`` option) and the CLI (through the builder's config) call it.
    ``metadata`` is hatchling's ``ProjectMetadata``; ``table`` is
    ``[tool.hatch.build.targets.<target_name>]``, laid over ``TARGET_DEFAULTS``.
    """
    return project_settings(
        tool_table(metadata),
        project_info(metadata, root),
        os.environ,
        target_overrides={**TARGET_DEFAULTS.get(target_name, {}), **table},
        target_name=target_name,
    )


def project_settings(
    table: Any,
    project: ProjectInfo,
    environ: Mapping[str, str],
    *,
    target_overrides: Mapping[str, Any] | None = None,
    target_name: str = "container",
) -> Settings:
    """load_settings, resolving framework ranges through the lock or the package index;
    everything else checkable before work starts is checked here too (``preflight``)."""
    settings = load_settings(
        table, project, environ, target_overrides=target_overrides, target_name=target_name, allow_ranges=True
    )
    preflight(settings, project)  # before any work, also the ranges' resolution
    if not settings.resolved:
        exact = {pin.framework: resolve_range(settings, project, pin) for pin in settings.pins if pin.version is None}
        settings = load_settings(
            table, project, environ, target_overrides=target_overrides, target_name=target_name, resolved=exact
        )
    return settings


def resolve_range(settings: Settings, project: ProjectInfo, pin: Pin) -> str:
    """The exact release of ``pin``'s range: the locked one while it fits, else the newest with
    wheels for the first platform (a local version label, ``2.10.0+cpu``, is not part of it)."""
    spec = SpecifierSet(pin.spec)
    platform = settings.platforms[0]
    pinned = framework(pin.framework)
    distribution = pinned.range_distribution(settings.accelerator, platform)
    locked = _locked_version(project, platform, settings.accelerator, settings.python, pin.framework, distribution)
    if locked is not None and spec.contains(locked, prereleases=False):
        return locked
    output = Uv.of(settings.environment).run(
        [
            "pip",
            "compile",
            "--no-config",
            "--quiet",
            "--no-deps",
            "--no-header",
            "--no-annotate",
            "--only-binary",
            ":all:",
            *target_args(settings.python, platform),
            *_index_args(settings),
            "-",
        ],
        step=f'{settings.key(pin.framework)} = "{pin.spec}": resolving it for Python {settings.python} on {platform}',
        input_text=f"{distribution}{spec}\n",
    )
    for line in output.splitlines():
        name, _, version = line.strip().partition("==")
        if name.lower() == distribution and version:
            return Version(version.split(";")[0].strip()).public
    raise AssertionError(f"uv resolved {distribution}{spec} without naming a version: {output!r}")


def _locked_version(
    project: ProjectInfo, platform: Platform, accelerator: str, python: str, name: str, distribution: str
) -> str | None:
    path = lock_path(project.root, platform, accelerator, python)
    if not path.is_file():
        return None
    try:
        lock = read_lock(path, reused=True)
    except Exception:  # noqa: BLE001 - an unreadable lock is re-resolved later anyway
        return None
    version = lock.framework_version(name, distribution)
    return Version(version).public if version else None


def _index_args(settings: Settings) -> list[str]:
    return Indexes(settings.index_url, settings.extra_index_urls, settings.find_links).args()
