"""TensorFlow ranges resolved to one exact release: from the lock while it fits, else the index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from environments import uv_runner

from hatch_aicontainer.build.deps.lock import LockInputs, ensure_lock, lock_path
from hatch_aicontainer.config.frameworks import framework
from hatch_aicontainer.config.settings import ProjectInfo
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.plugin.configure import project_settings

AMD64 = Platform("linux", "amd64")


def _project(root: Path) -> ProjectInfo:
    return ProjectInfo(name="svc", version="1.0", requires_python=">=3.10", root=root)


def test_distribution_per_target():
    tensorflow = framework("tensorflow")
    assert tensorflow.range_distribution("cpu", AMD64) == "tensorflow-cpu"
    assert tensorflow.range_distribution("cpu", Platform("linux", "arm64")) == "tensorflow"
    assert tensorflow.range_distribution("cuda", AMD64) == "tensorflow"
    assert framework("torch").range_distribution("cpu", AMD64) == "torch"


def test_exact_pin_needs_no_resolution(tmp_path):
    settings = project_settings({"tensorflow": "2.16.1", "python": "3.11"}, _project(tmp_path), {})
    assert settings.version_of("tensorflow") == "2.16.1"


@pytest.mark.network
def test_range_resolves_to_the_newest_release_on_the_index(tmp_path):
    """Real uv against PyPI (with this process's environment: its proxy and CA bundle): 2.16.2 is
    the last 2.16 release with cp311 wheels."""
    settings = project_settings({"tensorflow": "~=2.16.0", "python": "3.11"}, _project(tmp_path), os.environ)
    assert settings.version_of("tensorflow") == "2.16.2"
    assert settings.pin("tensorflow").spec == "~=2.16.0"
    assert settings.targets[0].framework("tensorflow").requirement == "tensorflow-cpu==2.16.2"


@pytest.mark.network
def test_range_keeps_the_locked_release_while_it_fits(tmp_path):
    project = _project(tmp_path)
    inputs = LockInputs(("tensorflow-cpu==2.16.1",), "3.11", AMD64)
    ensure_lock(inputs, lock_path(tmp_path, AMD64, "cpu", "3.11"), uv=uv_runner())
    assert project_settings({"tensorflow": ">=2.15,<2.17", "python": "3.11"}, project, os.environ).version_of("tensorflow") == "2.16.1"
    # the lock no longer fits the range: resolved afresh from the index
    assert project_settings({"tensorflow": "~=2.15.0", "python": "3.11"}, project, os.environ).version_of("tensorflow").startswith("2.15.")


def test_resolved_release_is_still_checked_against_python(tmp_path):
    with pytest.raises(ConfigError) as info:
        project_settings({"tensorflow": "~=2.16.0", "python": "3.13"}, _project(tmp_path), {})
    assert "\n" not in str(info.value) and "3.13" in str(info.value)
