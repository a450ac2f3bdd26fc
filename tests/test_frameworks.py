"""PyTorch and JAX beside TensorFlow: each pin checked against its framework's table, the build a
platform and accelerator get, one CUDA major per image, and the settings, names, lock inputs and
installed facts that follow (pure; the images themselves: tests/test_e2e_frameworks.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hatch_aicontainer.build.deps.installed import Distribution, InstalledFramework, installed_facts
from hatch_aicontainer.build.deps.lock import LockInputs, lock_inputs
from hatch_aicontainer.config.compat import check_target
from hatch_aicontainer.config.frameworks.torch import CPU_INDEX
from hatch_aicontainer.config.naming import archive_name
from hatch_aicontainer.config.settings import ProjectInfo, Settings, load_settings
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.descriptor import Platform

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64")
T = "tool.aicontainer"
PROJECT = ProjectInfo(name="Multi", version="1.0", requires_python=">=3.10", root=Path("/work/multi"))


def load(table: dict[str, Any], project: ProjectInfo = PROJECT, environ: dict[str, str] | None = None) -> Settings:
    return load_settings(table, project, environ or {})


def one_line_error(table: dict[str, Any], project: ProjectInfo = PROJECT, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load(table, project, environ)
    message = str(info.value)
    assert "\n" not in message and "allowed: " in message, message
    return message


# --- the build each target gets -----------------------------------------------------------------


def test_torch_cpu_comes_from_the_cpu_index_where_pypi_has_the_cuda_build():
    amd64 = check_target("3.11", {"torch": "2.10.0"}, "cpu", AMD64).framework("torch")
    assert (amd64.requirement, amd64.index, amd64.pinned) == ("torch==2.10.0+cpu", CPU_INDEX, "2.10.0+cpu")
    # aarch64: PyPI's wheel is the CPU build up to 2.10, the CUDA build from 2.11
    assert check_target("3.11", {"torch": "2.10.0"}, "cpu", ARM64).framework("torch").requirement == "torch==2.10.0"
    arm_211 = check_target("3.11", {"torch": "2.11.0"}, "cpu", ARM64).framework("torch")
    assert (arm_211.requirement, arm_211.index) == ("torch==2.11.0+cpu", CPU_INDEX)
    mirror = check_target("3.11", {"torch": "2.10.0"}, "cpu", AMD64, indexes={"torch": "https://m.example/whl/cpu"})
    assert mirror.framework("torch").index == "https://m.example/whl/cpu"


def test_torch_cuda_is_pypis_wheel_with_the_tables_cuda():
    target = check_target("3.12", {"torch": "2.10.0"}, "cuda", AMD64)
    torch = target.framework("torch")
    assert (torch.requirement, torch.index, target.cuda_major, torch.cuda, torch.cudnn) == ("torch==2.10.0", None, "12", "12.8", "9.10")
    newest = check_target("3.12", {"torch": "2.15.0"}, "cuda", ARM64)
    assert (newest.cuda_major, newest.framework("torch").cuda) == ("13", "13.2")


def test_jax_builds_by_accelerator_and_cuda_major():
    assert check_target("3.12", {"jax": "0.12.0"}, "cpu", ARM64).framework("jax").requirement == "jax[cpu]==0.12.0"
    alone = check_target("3.12", {"jax": "0.12.0"}, "cuda", AMD64)
    assert (alone.cuda_major, alone.framework("jax").requirement) == ("13", "jax[cuda13]==0.12.0")
    # beside PyTorch 2.10 (CUDA 12), JAX takes its CUDA 12 build
    both = check_target("3.11", {"torch": "2.10.0", "jax": "0.6.2"}, "cuda", AMD64)
    assert both.cuda_major == "12" and both.framework("jax").requirement == "jax[cuda12]==0.6.2"
    assert [f.framework for f in both.frameworks] == ["torch", "jax"]


def test_one_cudnn_per_image():
    """TensorFlow 2.16 pins cuDNN 8.9, JAX 0.6 asks for 9.8 at least, PyTorch 2.7 pins 9.5: none of these
    resolves to one lock, and each is one line before any work."""
    message = one_line_error({"tensorflow": "2.16.1", "jax": "0.6.2", "accelerator": "cuda", "python": "3.11"})
    assert message.startswith(f'{T}.jax = "0.6.2": jax = "0.6.2" needs at least cuDNN 9.8, tensorflow = "2.16.1" pins cuDNN 8.9')
    message = one_line_error({"tensorflow": "2.18.0", "torch": "2.7.1", "accelerator": "cuda", "python": "3.11"})
    assert message.startswith(f'{T}.torch = "2.7.1": torch = "2.7.1" pins cuDNN 9.5, tensorflow = "2.18.0" pins cuDNN 9.3')


def test_two_cuda_majors_in_one_image_are_one_line_naming_both():
    message = one_line_error({"tensorflow": "2.16.1", "torch": "2.11.0", "accelerator": "cuda", "python": "3.11"})
    assert message.startswith(f'{T}.torch = "2.11.0": ')
    assert "torch = \"2.11.0\" is built for CUDA 13" in message and "tensorflow = \"2.16.1\" is built for CUDA 12" in message
    assert "one image holds one CUDA major" in message
    # the same pins on the CPU are fine
    assert load({"tensorflow": "2.16.1", "torch": "2.11.0", "python": "3.11"}).resolved


@pytest.mark.parametrize(
    ("table", "key", "value", "fragment"),
    [
        ({"torch": "2.15.0", "python": "3.10"}, f"{T}.python", '"3.10"', "PyTorch 2.15"),
        ({"jax": "0.12.0", "python": "3.11"}, f"{T}.python", '"3.11"', "JAX 0.12"),
        ({"torch": "2.5.1"}, f"{T}.torch", '"2.5.1"', "known lines: 2.6 … 2.15"),
        ({"jax": "0.4.38"}, f"{T}.jax", '"0.4.38"', "not a JAX release this plugin knows"),
        ({"torch": "2.10"}, f"{T}.torch", '"2.10"', "not an exact"),
        ({"torch": "2.10.0+cpu"}, f"{T}.torch", '"2.10.0+cpu"', "not an exact"),
        ({"torch": 2.1}, f"{T}.torch", "2.1", "must be a string"),
        ({"torch": "2.10.0", "accelerator": "cuda", "platforms": ["linux/arm64"]}, f"{T}.accelerator", '"cuda"', "CUDA wheels exist only for linux/amd64"),
        ({"torch": "2.16.0", "accelerator": "cuda"}, f"{T}.accelerator", '"cuda"', "CUDA/cuDNN versions are unknown"),
        ({"torch": "2.10.0", "dependencies": ["torch==2.9.1"]}, f"{T}.dependencies[0]", '"torch==2.9.1"', "pinned by tool.aicontainer.torch"),
        ({"torch": "2.10.0", "jax": "0.12.0", "python": "3.11"}, f"{T}.python", '"3.11"', "JAX 0.12"),
        ({"torch": "2.10.0", "tags": ["{jax}"]}, f"{T}.tags[0]", '"{jax}"', "pinned by no setting placeholder {jax}"),
    ],
)
def test_bad_framework_settings_are_one_line(table, key, value, fragment):
    message = one_line_error(table)
    assert message.startswith(f"{key} = {value}: "), message
    assert fragment in message, message


def test_the_default_python_is_the_newest_every_framework_supports():
    assert load({"torch": "2.10.0", "jax": "0.6.2"}).python == "3.13"
    assert load({"torch": "2.10.0", "tensorflow": "2.16.1"}).python == "3.12"
    assert load({"tensorflow": "2.16.1", "jax": "0.12.0"}).python == "3.12"  # 3.9–3.12 and 3.12–3.15
    message = one_line_error({"tensorflow": "2.15.0", "jax": "0.12.0"})  # 3.9–3.11 and 3.12–3.15
    assert message.startswith(f'{T}.jax = "0.12.0": ') and "no Python both support" in message


def test_a_project_requirement_must_admit_the_pin():
    project = ProjectInfo(name="m", version="1", requires_python=">=3.10", dependencies=("torch>=2.11",), root=Path("/w"))
    message = one_line_error({"torch": "2.10.0"}, project)
    assert message.startswith(f'{T}.torch = "2.10.0": ') and "torch>=2.11" in message


def test_a_torch_index_with_credentials_is_never_shown():
    message = one_line_error({"torch": "2.10.0", "torch-index-url": "ftp://user:hunter2secret@mirror.example/whl"})
    assert "hunter2secret" not in message and "***@mirror.example" in message
    settings = load({"torch": "2.10.0"}, environ={"AICONTAINER_TORCH_INDEX_URL": "https://u:p4ss@mirror.example/whl/cpu"})
    assert "p4ss" not in repr(settings)
    assert settings.targets[0].framework("torch").index == "https://u:p4ss@mirror.example/whl/cpu"  # uv needs them


# --- names, lock inputs, installed facts ----------------------------------------------------------


def test_archive_name_and_tags_name_every_framework():
    settings = load({"tensorflow": "2.16.1", "torch": "2.10.0", "jax": "0.6.2", "python": "3.11", "tags": ["{torch}-{jax}"]})
    assert archive_name(settings, PROJECT, settings.targets) == "multi-1.0-py311-tf2.16.1-torch2.10.0-jax0.6.2-cpu-amd64.oci.tar"
    from hatch_aicontainer.config.naming import render_tags

    assert render_tags(settings, PROJECT, settings.targets[0]) == ("multi:2.10.0-0.6.2",)


def test_lock_inputs_ask_for_each_framework_at_its_pin_and_search_its_index():
    settings = load({"tensorflow": "2.16.1", "torch": "2.10.0", "jax": "0.6.2", "python": "3.11",
                     "extra-index-urls": ["https://extra.example/simple"]})
    inputs = lock_inputs(settings, PROJECT, settings.targets[0])
    assert inputs.tensorflow is not None and inputs.tensorflow.version == "2.16.1"
    assert [(f.requirement, f.held, f.index) for f in inputs.frameworks] == [
        ("torch==2.10.0+cpu", ("torch==2.10.0+cpu",), CPU_INDEX), ("jax[cpu]==0.6.2", ("jax==0.6.2",), None)]
    assert inputs.all_indexes().extra_index_urls == ("https://extra.example/simple", CPU_INDEX)
    mirror = load({"torch": "2.10.0", "python": "3.11", "torch-index-url": "https://m.example/whl/cpu"})
    default = load({"torch": "2.10.0", "python": "3.11"})
    assert lock_inputs(mirror, PROJECT, mirror.targets[0]).fingerprint() != lock_inputs(default, PROJECT, default.targets[0]).fingerprint()


def test_a_tensorflow_lock_keeps_its_fingerprint():
    """Locks written before PyTorch and JAX existed stay valid: a TensorFlow-only fingerprint has no frameworks entry."""
    tf_only = LockInputs(("a==1",), "3.11", AMD64)
    assert "frameworks" not in str(tf_only.fingerprint())
    assert tf_only.fingerprint() == LockInputs(("a==1",), "3.11", AMD64, frameworks=()).fingerprint()


def _dist(name: str, version: str, top: tuple[str, ...] = ()) -> Distribution:
    return Distribution(name, version, top_level=top)


def test_installed_facts_read_each_framework_and_cuda_13s_unsuffixed_runtime():
    pins = check_target("3.12", {"torch": "2.15.0"}, "cuda", AMD64).frameworks
    tree = [_dist("torch", "2.15.0", ("torch",)), _dist("nvidia-cuda-runtime", "13.2.51", ("nvidia",)),
            _dist("nvidia-cudnn-cu13", "9.26.0.51", ("nvidia",)), _dist("jax", "0.7.0", ("jax",))]
    facts = installed_facts(tree, python="3.12.8", pins=pins, accelerator="cuda", keys={"torch": f"{T}.torch"})
    # jax is reported though not pinned: what the image holds
    assert facts.frameworks == (InstalledFramework("torch", "torch", "2.15.0"), InstalledFramework("jax", "jax", "0.7.0"))
    assert (facts.cuda, facts.cudnn) == ("13.2.51", "9.26.0.51")
    cpu = check_target("3.11", {"torch": "2.10.0"}, "cpu", AMD64).frameworks
    assert installed_facts([_dist("torch", "2.10.0+cpu", ("torch",))], python="3.11.2", pins=cpu, accelerator="cpu",
                           keys={}).framework("torch").version == "2.10.0+cpu"
    from hatch_aicontainer.core.errors import ResolveError

    with pytest.raises(ResolveError, match=r"torch = 2.10.0: the image holds torch 2.10.0, not the pinned version"):
        installed_facts([_dist("torch", "2.10.0", ("torch",))], python="3.11.2", pins=cpu, accelerator="cpu", keys={})


def test_packages_from_a_frameworks_index_name_it_in_the_lock():
    from hatch_aicontainer.build.deps.framework_rule import FrameworkRequest, name_indexes

    request = FrameworkRequest("torch", "torch==2.10.0+cpu", ("torch==2.10.0+cpu",), "torch", "2.10.0+cpu",
                               "https://ci:s3cret@mirror.example:8443/whl/cpu")
    packages = [
        {"name": "torch", "wheels": [{"url": "https://mirror.example:8443/whl/cpu/torch-2.10.0%2Bcpu-cp311-cp311-linux_x86_64.whl"}]},
        {"name": "numpy", "wheels": [{"url": "https://files.pythonhosted.org/packages/numpy-2.0.0-cp311-cp311-linux_x86_64.whl"}]},
        {"name": "other", "wheels": [{"url": "https://mirror.example:9999/whl/other-1-py3-none-any.whl"}]},
    ]
    name_indexes(packages, [request])
    assert [p.get("index") for p in packages] == ["https://***@mirror.example:8443/whl/cpu", None, None]


def test_a_project_named_like_a_pinned_framework_is_one_line():
    """A project called "jax" pinning jax: its wheel and JAX's are one distribution; refused up front."""
    project = ProjectInfo(name="JAX", version="1.0", requires_python=">=3.10", root=Path("/w"))
    message = one_line_error({"jax": "0.12.0"}, project)
    assert message.startswith('project.name = "JAX": the name of a JAX distribution, pinned by tool.aicontainer.jax')
    assert load({"torch": "2.10.0"}, project).python  # not pinned: no clash
