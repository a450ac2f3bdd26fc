"""The ``container`` build targets: ``hatch build -t container`` and ``-t container-gpu``.

hatchling glue only: the target's settings (``configure.target_settings``),
the project's own wheel (built by hatchling, with the wheel hook held off),
then ``build.make_image`` around it; ``hatch build --clean`` removes what
earlier builds wrote.

hatchling imports this module for every build of the project (``hatch build -t wheel``
too), often in an environment without bytecode: it imports only hatchling's own
interfaces, and each method imports what it runs when it runs
(tests/test_import_cost.py).
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.plugin.interface import BuilderInterface

from hatch_aicontainer.core.faults import check_temp_folder, owner_token, reported, step, temporary_directory
from hatch_aicontainer.plugin.build_hook import image_hook_suppressed

if TYPE_CHECKING:
    from hatch_aicontainer.config.settings import Settings


class ContainerBuilderConfig(BuilderConfig):
    """hatchling's builder config plus our validated image settings."""

    @cached_property
    def image_settings(self) -> Settings:
        from hatch_aicontainer.plugin.configure import target_settings

        return target_settings(self.builder.metadata, self.root, self.plugin_name, self.target_config)


class ContainerBuilder(BuilderInterface):
    """Builds the project's wheel with hatchling, then the OCI image around it."""

    PLUGIN_NAME = "container"

    @classmethod
    def get_config_class(cls) -> type[ContainerBuilderConfig]:
        return ContainerBuilderConfig

    def get_version_api(self) -> dict[str, Any]:
        return {"standard": self.build_standard}

    def get_default_versions(self) -> list[str]:
        return ["standard"]

    def clean(self, directory: str, versions: list[str]) -> None:
        from hatch_aicontainer.outputs.clean import clean

        clean(Path(directory), self.metadata.core.name)

    def build_standard(self, directory: str, **_build_data: Any) -> str:
        from hatch_aicontainer.plugin.import_bytecode import imports_with_bytecode

        with reported(self.app.abort), imports_with_bytecode(os.environ):  # one line and exit 1 (130/143 on SIGINT/SIGTERM)
            from hatch_aicontainer.outputs.results import results_path
            from hatch_aicontainer.plugin import run as build

            settings = self.config.image_settings
            for warning in settings.warnings:
                self.app.display_warning(f"warning: {warning}")
            check_temp_folder(settings.environment.variables)  # before the wheel is built there
            with temporary_directory(f"aicontainer-wheel-{owner_token()}-") as scratch:
                with step("building the wheel", scratch):
                    wheel = self._build_wheel(Path(scratch))
                result = build.make_image(self.metadata, self.root, settings, wheel, Path(directory), self.app)
        if not result.archived:  # archive = false: hatch shows what was written, the results record
            return str(results_path(result.archive))
        return str(result.archive)

    def _build_wheel(self, directory: Path) -> Path:
        """The project's own wheel, by hatchling, with the project's wheel config and hooks
        (the wheel's own aicontainer hook held off: it must not build an image too)."""
        from hatchling.builders.wheel import WheelBuilder

        wheel_builder = WheelBuilder(self.root, plugin_manager=self.plugin_manager, metadata=self.metadata, app=self.app)
        with image_hook_suppressed():
            return Path(next(wheel_builder.build(directory=str(directory), versions=["standard"])))


class GPUContainerBuilder(ContainerBuilder):
    """``hatch build -t container-gpu``: the same image with ``accelerator = "cuda"``
    (``configure.TARGET_DEFAULTS``).

    hatchling finds a target's builder by the target's name, so a CPU and a
    GPU variant side by side need two registered names; the GPU target reads
    ``[tool.hatch.build.targets.container-gpu]`` for its own overrides.
    """

    PLUGIN_NAME = "container-gpu"
