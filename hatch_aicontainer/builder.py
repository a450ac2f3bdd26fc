"""The ``container`` build target: ``hatch build -t container``."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from functools import cached_property
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.plugin.interface import BuilderInterface
from hatchling.builders.utils import get_reproducible_timestamp
from hatchling.builders.wheel import WheelBuilder

from .faults import PROBE_PREFIX, check_temp_folder, check_writable, owner_token, reported, step, sweep, temporary_directory
from .cache_admin import after_build, checked_cache_dir
from .oci.cache import TEMP_PREFIX, BlobStore, cache_temp_folders
from .outputs import apply_outputs
from .pipeline import BuildResult, build_image
from .progress import Progress
from .project import git_revision, project_info, tool_table
from .results import results_path
from .configure import project_settings
from .settings import Settings
from .summary import clean_side_outputs, summary_lines, wheel_warnings, write_side_outputs


class ContainerBuilderConfig(BuilderConfig):
    """hatchling's builder config plus our validated image settings."""

    @cached_property
    def image_settings(self) -> Settings:
        metadata = self.builder.metadata
        return project_settings(
            tool_table(metadata),
            project_info(metadata, self.root),
            os.environ,
            target_overrides={**self.builder.TARGET_DEFAULTS, **self.target_config},
            target_name=self.plugin_name,
        )


class ContainerBuilder(BuilderInterface):
    """Builds the project's wheel with hatchling, then the OCI image around it."""

    PLUGIN_NAME = "container"
    # Settings this target implies unless its own table says otherwise.
    TARGET_DEFAULTS: dict[str, Any] = {}

    @classmethod
    def get_config_class(cls) -> type[ContainerBuilderConfig]:
        return ContainerBuilderConfig

    def get_version_api(self) -> dict[str, Any]:
        return {"standard": self.build_standard}

    def get_default_versions(self) -> list[str]:
        return ["standard"]

    def clean(self, directory: str, versions: list[str]) -> None:
        prefix = self.metadata.core.name.replace("-", "_").lower() + "-"
        for path in Path(directory).glob("*.oci.tar"):
            if path.name.lower().startswith(prefix):
                path.unlink()
                for results in (path.with_name(path.name + ".json"), path.with_name(path.name + ".digest")):
                    results.unlink(missing_ok=True)
                layout = path.with_suffix("")  # the oci-layout output
                if (layout / "oci-layout").is_file() and not layout.is_symlink():
                    shutil.rmtree(layout)
                clean_side_outputs(path)

    def build_standard(self, directory: str, **_build_data: Any) -> str:
        with reported(self.app.abort):  # one line and exit 1 (130/143 on SIGINT/SIGTERM); abort exits
            settings = self.config.image_settings
            for warning in settings.warnings:
                self.app.display_warning(f"warning: {warning}")
            check_temp_folder(os.environ)  # before the wheel is built there
            with temporary_directory(f"aicontainer-wheel-{owner_token()}-") as scratch:
                with step("building the wheel", scratch):
                    wheel = self._build_wheel(Path(scratch))
                result = make_image(self.metadata, self.root, settings, wheel, Path(directory), self.app)
        if not result.archived:  # archive = false: hatch shows what was written, the results record
            return str(results_path(result.archive))
        return str(result.archive)

    def _build_wheel(self, directory: Path) -> Path:
        """The project's own wheel, by hatchling, with the project's wheel config and hooks."""
        from .build_hook import image_hook_suppressed  # the wheel's own aicontainer hook must not build an image too

        wheel_builder = WheelBuilder(self.root, plugin_manager=self.plugin_manager, metadata=self.metadata, app=self.app)
        with image_hook_suppressed():
            return Path(next(wheel_builder.build(directory=str(directory), versions=["standard"])))


def make_image(metadata: Any, root: str, settings: Settings, wheel: Path, directory: Path, app: Any) -> BuildResult:
    """Shared by the builder and the wheel hook: build, then report digest and how to run."""
    started = time.monotonic()
    project = project_info(metadata, root)
    check_temp_folder(os.environ)
    store = BlobStore(checked_cache_dir())
    with step("creating the output folder", directory):
        directory.mkdir(parents=True, exist_ok=True)
    check_writable(directory, "output folder")
    with step("cache", store.root):
        store.root.mkdir(parents=True, exist_ok=True)
    check_writable(store.root, "cache")
    sweep_dead_leftovers(directory, store.root)
    progress = Progress.for_app(app)
    try:
        result = build_image(
            settings,
            project,
            wheel,
            directory,
            store,
            mtime=get_reproducible_timestamp(),
            revision=git_revision(Path(root)),
            log=progress.say,
            progress=progress,
        )
        with step("writing the side outputs", directory):
            side = write_side_outputs(result, settings, project, directory)  # SBOM beside the archive, k8s manifest
        for warning in wheel_warnings(wheel):
            app.display_warning(warning)
        for line in summary_lines(result, store, side, project=project, elapsed=time.monotonic() - started, cwd=Path.cwd()):
            app.display_info(line)
        with step("writing the outputs", directory):
            apply_outputs(result, settings, store, log=progress.say, progress=progress)  # results files; layout, load, push if asked
    except BaseException:
        store.close()
        raise
    after_build(store, app.display_info)  # releases the cache, then keeps AICONTAINER_CACHE_MAX_SIZE
    return result


def sweep_dead_leftovers(directory: Path, cache: Path) -> None:
    """Remove what builds proven dead (killed, SIGKILL, OOM) left in dist/, the cache and the temp folder."""
    sweep(directory, (".",))
    sweep(Path(tempfile.gettempdir()), ("aicontainer-", PROBE_PREFIX))
    sweep(cache, (PROBE_PREFIX,))
    for folder in cache_temp_folders(cache):
        sweep(folder, (TEMP_PREFIX,))


class GPUContainerBuilder(ContainerBuilder):
    """``hatch build -t container-gpu``: the same image with ``accelerator = "cuda"``.

    hatchling finds a target's builder by the target's name, so a CPU and a
    GPU variant side by side need two registered names; the GPU target reads
    ``[tool.hatch.build.targets.container-gpu]`` for its own overrides.
    """

    PLUGIN_NAME = "container-gpu"
    TARGET_DEFAULTS = {"accelerator": "cuda"}
