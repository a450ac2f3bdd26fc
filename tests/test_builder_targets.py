"""The registered build targets, found the way hatchling finds them."""

from __future__ import annotations

from hatchling.metadata.core import ProjectMetadata
from hatchling.plugin.manager import PluginManager

PYPROJECT = """
[build-system]
requires = ["hatchling", "hatch-aicontainer"]
build-backend = "hatchling.build"

[project]
name = "svc"
version = "1.0"
requires-python = ">=3.10"

[tool.aicontainer]
python = "3.11"
tensorflow = "2.16.1"

[tool.hatch.build.targets.container-gpu]
image-dependencies = ["nvidia-ml-py"]
"""


def _builder(tmp_path, target):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    manager = PluginManager()
    builder_class = manager.builder.get(target)
    assert builder_class is not None, f"hatchling does not know the target {target!r}"
    return builder_class(str(tmp_path), plugin_manager=manager, metadata=ProjectMetadata(str(tmp_path), manager))


def test_container_target_is_cpu_by_default(tmp_path):
    settings = _builder(tmp_path, "container").config.image_settings
    assert settings.accelerator == "cpu"
    assert settings.targets[0].framework("tensorflow").requirement == "tensorflow-cpu==2.16.1"


def test_gpu_target_implies_cuda_and_reads_its_own_table(tmp_path):
    settings = _builder(tmp_path, "container-gpu").config.image_settings
    assert settings.accelerator == "cuda"
    assert settings.targets[0].framework("tensorflow").requirement == "tensorflow[and-cuda]==2.16.1"
    assert settings.dependencies == ("nvidia-ml-py",)
    assert settings.env["NVIDIA_VISIBLE_DEVICES"] == "all"
