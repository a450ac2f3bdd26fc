"""The registry as a shared layer cache: a release pushed from one runner, a code-only change built on another
with empty caches (the tiny project: its dependency layer holds six and a stand-in TensorFlow).

Runner A builds and pushes (``cache-to``: the dependency layer's entry goes beside the image). Runner B
has an empty plugin cache, an empty uv cache and a fresh hatch data folder: its dependency layer comes
from the registry (no package installed, no wheel downloaded), and its image is the one a full build of
the same change makes. A cache that lies, is missing, or does not answer never fails the build nor
changes the image: one line, then a full build.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e_helpers import hatch_build, hatch_env
from trust_fixtures import MTIME, VERSION, make_tiny_project

pytestmark = pytest.mark.usefixtures("no_ambient_settings")


@dataclass(frozen=True)
class Runner:
    """One CI runner: its own plugin cache, uv cache and hatch data folder."""

    root: Path

    def env(self, wheelhouse: Path, **extra: str) -> dict[str, str]:
        return hatch_env(wheelhouse, self.root / "hatch", self.root / "cache", UV_CACHE_DIR=str(self.root / "uv"),
                         SOURCE_DATE_EPOCH=str(MTIME), **extra)

    def installed_from_the_lock(self) -> list[str]:
        """The lock's distributions uv fetched or unpacked on this runner (its cache also holds hatch's build
        environment, the plugin among it: only the lock's packages count)."""
        uv = self.root / "uv"
        found = (p.name for p in uv.rglob("*.dist-info")) if uv.exists() else ()
        return sorted(name for name in found if name.startswith(("six-", "tensorflow")))


def _digest(run) -> str:
    (archive,) = run.archives
    return json.loads(archive.with_name(archive.name + ".json").read_text())["digest"]


def _change_the_code(project: Path, text: str) -> None:
    init = project / "src" / "tiny_app" / "__init__.py"
    init.write_text(init.read_text() + f"\n# {text}\n")


@pytest.fixture(scope="module")
def released(module_tmp, plugin_wheelhouse, python_base_layout, registry):
    """Runner A's release of the tiny project to <registry>/team/cached."""
    top = module_tmp.mktemp("registry-cache")
    project = make_tiny_project(top / "tiny-app", python_base_layout.spec)
    reference = f"{registry.host}/team/cached:{VERSION}"
    run = hatch_build(project, Runner(top / "runner-a").env(plugin_wheelhouse, AICONTAINER_PUSH_TO=reference))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "cache entry aicontainer-cache-" in run.stdout + run.stderr
    return top, project, reference


def _runner_b(released, tmp_path, wheelhouse, name: str, **env: str):
    top, project, reference = released
    checkout = tmp_path / name
    shutil.copytree(project, checkout, symlinks=True, ignore=shutil.ignore_patterns("dist"))
    _change_the_code(checkout, "a code-only change")
    runner = Runner(tmp_path / f"runner-{name}")
    run = hatch_build(checkout, runner.env(wheelhouse, **env))
    return run, runner, checkout


def test_a_fresh_runner_takes_the_dependency_layer_from_the_registry(released, tmp_path, plugin_wheelhouse, registry):
    run, runner, checkout = _runner_b(released, tmp_path, plugin_wheelhouse, "b", AICONTAINER_PUSH_TO=f"{registry.host}/team/cached:b")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert f"dependencies: from registry cache {registry.host}/team/cached (key" in output
    assert runner.installed_from_the_lock() == []  # nothing installed: no wheel of the lock fetched
    # the same change built in full (an empty cache, no registry cache) gives the same image
    full = Runner(tmp_path / "runner-full")
    control = tmp_path / "control"
    shutil.copytree(checkout, control, symlinks=True, ignore=shutil.ignore_patterns("dist"))
    done = hatch_build(control, full.env(plugin_wheelhouse))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "from registry cache" not in done.stdout + done.stderr
    assert full.installed_from_the_lock() != []  # the control really installed
    assert _digest(done) == _digest(run)
