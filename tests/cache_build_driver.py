"""A small image build through the library, for the cache tests (run as a separate process).

``make_project(dir, base_spec)`` writes a tiny project that depends only on
``idna`` and builds its wheel. Its lock (``pylock.aicontainer-py311-amd64-cpu.toml``)
carries the fingerprint of the real inputs (which include the TensorFlow pin)
but lists only idna, so ``ensure_lock`` reuses it and the dependency layer
holds one small package: the build takes about a second, yet runs every real
step (base image from an OCI layout, probe, uv install, bytecode, layers,
archive) against the shared cache.

As a script::

    python cache_build_driver.py PROJECT CACHE OUT [--hang MARKER [--hang-for SECONDS]]

builds PROJECT (made by make_project) with the blob store at CACHE and writes
the archive into OUT; prints one JSON line {"digest", "dependency_cached",
"dependency_layer"}. With ``--hang``, the build stops while writing the
first layer's blob it writes (the dependency layer's when it is not cached; after its first
bytes), creates MARKER and sleeps
(forever, or SECONDS and then finishes): the tests kill it there, or prune
and clean the cache meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

MTIME = 1_700_000_000
PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "cache-probe"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["idna"]

[project.scripts]
cache-probe = "cache_probe:main"

[tool.aicontainer]
python = "3.11"
tensorflow = "2.16.1"
"""
MODULE = '''\
"""Prints idna's version."""


def main() -> int:
    import idna

    print("idna", idna.__version__)
    return 0
'''
IDNA_LOCK_ENTRY = """\
[[packages]]
name = "idna"
version = "3.20"

[[packages.wheels]]
url = "https://files.pythonhosted.org/packages/58/a2/bb081bab032533a855d44de1d56f8e8426114ff1ba5d1f07a438a0a654f8/idna-3.20-py3-none-any.whl"
size = 69583

[packages.wheels.hashes]
sha256 = "ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c"
"""


def _settings_and_project(project_dir: Path, base_spec: str):
    from environments import without_plugin_settings
    from hatchling.metadata.core import ProjectMetadata
    from hatchling.plugin.manager import PluginManager

    from hatch_aicontainer.config.settings import load_settings
    from hatch_aicontainer.plugin.project import project_info, tool_table

    metadata = ProjectMetadata(str(project_dir), PluginManager())
    project = project_info(metadata, project_dir)
    settings = load_settings(tool_table(metadata), project, without_plugin_settings(AICONTAINER_BASE_IMAGE=base_spec))
    return settings, project


def make_project(directory: Path, base_spec: str) -> Path:
    """Write the project, its (idna-only) lock and its wheel into ``directory``; return the wheel."""
    import tomli_w
    from hatchling.builders.wheel import WheelBuilder
    from stand_ins import lock_package, lock_tool_table, stand_in_wheel

    from hatch_aicontainer.build.deps.lock import lock_inputs, lock_path

    (directory / "src" / "cache_probe").mkdir(parents=True)
    (directory / "pyproject.toml").write_text(PYPROJECT)
    (directory / "src" / "cache_probe" / "__init__.py").write_text(MODULE)
    settings, project = _settings_and_project(directory, base_spec)
    platform = settings.platforms[0]
    inputs = lock_inputs(settings, project, settings.target_for(platform))
    tensorflow = lock_package(stand_in_wheel(directory / "stand-in"), directory)
    tool = tomli_w.dumps({"tool": lock_tool_table(inputs.fingerprint())})
    packages = IDNA_LOCK_ENTRY + "\n" + tomli_w.dumps({"packages": [tensorflow]})
    lock = 'lock-version = "1.0"\ncreated-by = "uv"\nrequires-python = ">=3.10"\n\n' + packages + "\n" + tool
    lock_path(directory, platform, settings.accelerator, settings.python).write_text(lock)
    wheels = directory / "wheels"
    builder = WheelBuilder(str(directory))
    return Path(next(builder.build(directory=str(wheels), versions=["standard"])))


def build(project_dir: Path, cache: Path, out: Path, base_spec: str) -> dict:
    from hatch_aicontainer.build.image import build_image
    from hatch_aicontainer.oci.cache import BlobStore

    settings, project = _settings_and_project(project_dir, base_spec)
    wheel = next((project_dir / "wheels").glob("*.whl"))
    out.mkdir(parents=True, exist_ok=True)
    store = BlobStore(cache)
    result = build_image(settings, project, wheel, out, store, mtime=MTIME, log=lambda m: print(m, file=sys.stderr))
    store.close()
    image = result.images[0]
    dependency = image.layers[len(image.base.layers)]
    return {
        "digest": result.digest,
        "archive": str(result.archive),
        "dependency_cached": image.dependency_layer_cached,
        "dependency_layer": dependency.digest,
        "lock_reused": image.lock.reused,
    }


def _hang_in_dependency_layer(marker: Path, seconds: float | None) -> None:
    """Make the first layer the build writes stop mid-blob: the dependency layer, or the project's
    when the dependency layer comes from the cache."""
    from hatch_aicontainer.build.layers import app as app_layer
    from hatch_aicontainer.build.layers import dependencies as dependency_layer
    from hatch_aicontainer.oci import cache

    original_write_layer = dependency_layer.write_layer
    original_write = cache.HashingWriter.write
    state = {"layers": 0, "armed": False}

    def write(self, data):
        n = original_write(self, data)
        if state["armed"] and self.size > 0:
            state["armed"] = False
            self.flush()  # the first bytes reach the temporary file, as in a long write
            marker.write_text(str(os.getpid()))
            time.sleep(3600 if seconds is None else seconds)
        return n

    def write_layer(*args, **kwargs):
        state["layers"] += 1
        state["armed"] = state["layers"] == 1
        try:
            return original_write_layer(*args, **kwargs)
        finally:
            state["armed"] = False

    cache.HashingWriter.write = write
    dependency_layer.write_layer = write_layer
    app_layer.write_layer = write_layer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("cache", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--base", required=True)
    parser.add_argument("--hang", type=Path)
    parser.add_argument("--hang-for", type=float)
    parser.add_argument("--start-after", type=Path, help="wait until this file exists (a start barrier)")
    args = parser.parse_args(argv)
    if args.hang is not None:
        _hang_in_dependency_layer(args.hang, args.hang_for)
    if args.start_after is not None:
        deadline = time.monotonic() + 60
        while not args.start_after.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    print(json.dumps(build(args.project, args.cache, args.out, args.base)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
