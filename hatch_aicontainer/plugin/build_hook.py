"""The ``aicontainer`` build hook: a plain ``hatch build`` emits the image beside the wheel.

Configured as ``[tool.hatch.build.targets.wheel.hooks.aicontainer]`` (or for
every target as ``[tool.hatch.build.hooks.aicontainer]``). After hatchling
has built the wheel, the image is built from THAT wheel file with the same
settings as the ``container`` target (``[tool.aicontainer]`` merged with
``[tool.hatch.build.targets.container]``; the hook's ``target`` option names
another target, e.g. ``target = "container-gpu"``, whose settings are then
those of ``hatch build -t container-gpu``: ``configure.target_settings``), and the outputs
(results files, layout, load, push) are applied as for ``hatch build -t container``.

It does nothing for any other target (``hatch build -t sdist`` skips cleanly,
without even reading the settings), for editable wheels, and for the wheel
the ``container`` builder makes for itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.core.faults import reported

if TYPE_CHECKING:
    from hatch_aicontainer.config.settings import Settings

HOOK_NAME = "aicontainer"
_HOOK_OPTIONS = frozenset({"target"})
#: hatchling's own options of every hook table
_HATCHLING_HOOK_OPTIONS = frozenset(
    {"dependencies", "require-runtime-dependencies", "require-runtime-features", "enable-by-default"}
)
_suppressed: ContextVar[bool] = ContextVar("aicontainer_image_hook_suppressed", default=False)


@contextmanager
def image_hook_suppressed() -> Iterator[None]:
    """While active, the hook builds no image (the ``container`` builder's own wheel build)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


class AIContainerBuildHook(BuildHookInterface):
    PLUGIN_NAME = HOOK_NAME

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self.target_name != "wheel" or version == "editable" or _suppressed.get():
            return
        from hatch_aicontainer.plugin.import_bytecode import imports_with_bytecode

        with reported(self.app.abort), imports_with_bytecode(os.environ):  # one line and exit 1 (130/143 on SIGINT/SIGTERM)
            from hatch_aicontainer.plugin import run as build  # what the image build needs, once it is asked for

            target = self._image_target()
            settings = self._settings(target)
            for warning in settings.warnings:
                self.app.display_warning(f"warning: {warning}")
            self.app.display_info(f"building the image from {Path(artifact_path).name}")
            build.make_image(self.metadata, self.root, settings, Path(artifact_path), Path(self.directory), self.app)

    def _image_target(self) -> str:
        prefix = f"tool.hatch.build.targets.{self.target_name}.hooks.{HOOK_NAME}"
        for key, value in self.config.items():
            if key not in _HOOK_OPTIONS | _HATCHLING_HOOK_OPTIONS:
                raise ConfigError(f"{prefix}.{key}: unknown option; allowed: target (and hatchling's hook options)")
        target = self.config.get("target", "container")
        if not isinstance(target, str) or not target.strip():
            raise ConfigError(f"{prefix}.target = {target!r}: must be the name of a build target table; allowed: e.g. \"container\"")
        return target

    def _settings(self, target: str) -> Settings:
        from hatch_aicontainer.plugin.configure import target_settings

        return target_settings(self.metadata, self.root, target, self.metadata.hatch.build_targets.get(target, {}))
