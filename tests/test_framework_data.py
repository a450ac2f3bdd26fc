"""The PyTorch and JAX tables (``config/data/torch.toml``, ``jax.toml``) against the packages' own
metadata on PyPI: the wheels' file names and METADATA of the release each row was read from
(``tested``), through the Simple API (tests/framework_metadata.py). A table that drifts from what
the packages say fails here, line by line; TensorFlow's table is checked against its documented
facts in tests/test_compat.py."""

from __future__ import annotations

import pytest
from framework_metadata import (
    cpython_minor,
    extra_requires,
    manylinux_wheels,
    pick_wheel,
    requires_dist_for,
    wheel_glibc,
    wheel_metadata,
    wheels,
)
from packaging.version import Version

from hatch_aicontainer.config.frameworks import framework

pytestmark = pytest.mark.network

MACHINES = {"linux/amd64": "x86_64", "linux/arm64": "aarch64"}
TORCH = framework("torch").table
JAX = framework("jax").table


def _pythons(project: str, version: str, machine: str = "x86_64") -> list[str]:
    found = {cpython_minor(w) for w in manylinux_wheels(project, version, machine)} - {None}
    return sorted(found, key=lambda minor: int(minor.split(".")[1]))


def _minor(version: str) -> str:
    """``12.8.90`` -> ``12.8``."""
    return ".".join(str(part) for part in Version(version).release[:2])


def _pinned(requirements, prefixes: tuple[str, ...]) -> str | None:
    """The ``==`` version of the first requirement whose name starts with one of ``prefixes``."""
    for requirement in requirements:
        if requirement.name.startswith(prefixes):
            exact = [s.version for s in requirement.specifier if s.operator == "=="]
            if exact:
                return exact[0]
    return None


def _lower_bound(requirements, prefixes: tuple[str, ...]) -> str | None:
    for requirement in requirements:
        if requirement.name.startswith(prefixes):
            bounds = [s.version for s in requirement.specifier if s.operator == ">="]
            if bounds:
                return bounds[0]
    return None


def _glibc_tag(wheel, machine: str) -> str:
    major, minor = wheel_glibc(wheel, machine)
    return "manylinux1" if (major, minor) == (2, 5) else f"manylinux_{major}_{minor}"


@pytest.mark.parametrize("line", TORCH.lines, ids=[line.line for line in TORCH.lines])
def test_torch_rows_match_the_wheels_metadata(line):
    assert line.tested and line.tested.startswith(line.line + "."), line.line
    assert wheels("torch", line.tested), f"torch {line.tested} has no wheels on PyPI"
    assert list(line.pythons) == _pythons("torch", line.tested)
    python = line.pythons[-2] if len(line.pythons) > 1 else line.pythons[0]
    amd64 = pick_wheel([w for w in manylinux_wheels("torch", line.tested, "x86_64") if cpython_minor(w) == python], python)
    metadata = wheel_metadata(amd64)
    assert metadata["Requires-Python"] == line.facts["requires-python"]
    assert _glibc_tag(amd64, "x86_64") == line.manylinux
    cuda_machines = []
    for platform, machine in MACHINES.items():
        candidates = [w for w in manylinux_wheels("torch", line.tested, machine) if cpython_minor(w) == python]
        if not candidates:
            continue
        requirements = requires_dist_for(wheel_metadata(pick_wheel(candidates, python)), python, machine)
        cudnn = _pinned(requirements, ("nvidia-cudnn",))
        if cudnn is None:
            continue
        cuda_machines.append(platform)
        (major,) = line.cuda_majors
        runtime = _pinned(requirements, ("nvidia-cuda-runtime", "cuda-toolkit"))
        assert runtime is not None, f"torch {line.tested} on {machine}: no CUDA runtime pin"
        assert (_minor(runtime), _minor(cudnn)) == (line.cuda[major], line.cudnn[major]), machine
    # PyPI's wheel is the CUDA build exactly where the table says, and there a CPU image takes +cpu
    assert cuda_machines == list(line.cuda_platforms)
    assert list(line.facts["cpu-index-platforms"]) == cuda_machines


@pytest.mark.parametrize("line", JAX.lines, ids=[line.line for line in JAX.lines])
def test_jax_rows_match_the_wheels_metadata(line):
    assert line.tested and line.tested.startswith(line.line + "."), line.line
    (jax_wheel,) = [w for w in wheels("jax", line.tested)]
    metadata = wheel_metadata(jax_wheel)
    assert metadata["Requires-Python"] == line.facts["requires-python"]
    assert list(line.pythons) == _pythons("jaxlib", line.tested)
    amd64 = manylinux_wheels("jaxlib", line.tested, "x86_64")
    assert _glibc_tag(amd64[0], "x86_64") == line.manylinux
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert "cpu" in extras
    python = line.pythons[0]
    assert {e for e in extras if e.startswith("cuda") and e[4:].isdigit()} == set(line.facts["cuda-extras"].values())
    for major, extra in line.facts["cuda-extras"].items():
        (plugin,) = [r for r in extra_requires(metadata, extra, python, "x86_64") if r.name.endswith("-plugin")]
        (version,) = {s.version for s in plugin.specifier}
        machines = [p for p, m in MACHINES.items() if manylinux_wheels(plugin.name, version, m)]
        assert machines == list(line.cuda_platforms), extra
        plugin_wheel = pick_wheel([w for w in manylinux_wheels(plugin.name, version, "x86_64") if cpython_minor(w) == python], python)
        libraries = extra_requires(wheel_metadata(plugin_wheel), "with-cuda", python, "x86_64")
        runtime = _lower_bound(libraries, ("nvidia-cuda-runtime",))
        cudnn = _lower_bound(libraries, ("nvidia-cudnn",))
        assert (_minor(runtime), _minor(cudnn)) == (line.cuda[major], line.cudnn[major]), extra


def test_the_tables_name_their_source_and_date():
    for table in (TORCH, JAX):
        assert "PyPI" in table.info.source and "METADATA" in table.info.source
        assert table.info.source_date == table.info.recorded == "2026-12"
        assert table.info.newest_on_pypi == table.newest.tested


def _cuda_lock_inputs(table: dict):
    from pathlib import Path

    from hatch_aicontainer.build.deps.lock import lock_inputs
    from hatch_aicontainer.config.settings import ProjectInfo, load_settings

    project = ProjectInfo(name="cuda-lock", version="1", requires_python=">=3.10", root=Path("/nonexistent"))
    settings = load_settings({**table, "accelerator": "cuda", "python": "3.11"}, project, {})
    return lock_inputs(settings, project, settings.targets[0])


def test_a_cuda_lock_of_pytorch_and_jax_holds_one_cuda_and_one_cudnn(tmp_path):
    """What the one-CUDA/one-cuDNN rule allows resolves for real: PyTorch 2.10 pins cuDNN 9.10, JAX 0.6's
    CUDA 12 plugin asks for 9.8 at least; the lock holds one of each NVIDIA library, at torch's pins."""
    from environments import uv_runner

    from hatch_aicontainer.build.deps.lock import ensure_lock

    lock = ensure_lock(_cuda_lock_inputs({"torch": "2.10.0", "jax": "0.6.2"}), tmp_path / "pylock.toml", uv=uv_runner())
    assert (lock.version_of("torch"), lock.version_of("jax"), lock.version_of("jax-cuda12-plugin")) == ("2.10.0", "0.6.2", "0.6.2")
    assert lock.version_of("nvidia-cudnn-cu12") == "9.10.2.21" and lock.version_of("nvidia-cuda-runtime-cu12").startswith("12.8.")
    stems = [p.name.rsplit("-cu", 1)[0] for p in lock.packages if p.name.startswith("nvidia-")]
    assert len(stems) == len(set(stems)), stems


def test_what_the_cudnn_rule_refuses_does_not_resolve(tmp_path):
    """TensorFlow 2.18 pins cuDNN 9.3 (and the NVIDIA wheels of CUDA 12.5), PyTorch 2.8 pins 9.10 (and 12.8's):
    refused before any work, and the same pins given to the resolver fail on the NVIDIA wheels."""
    from environments import uv_runner

    from hatch_aicontainer.build.deps.lock import LockInputs, ensure_lock
    from hatch_aicontainer.core.errors import ConfigError, ResolveError

    with pytest.raises(ConfigError, match="one image holds one cuDNN"):
        _cuda_lock_inputs({"tensorflow": "2.18.0", "torch": "2.8.0"})
    platform = _cuda_lock_inputs({"torch": "2.8.0"}).platform
    inputs = LockInputs(("tensorflow[and-cuda]==2.18.0", "torch==2.8.0"), "3.11", platform)
    with pytest.raises(ResolveError, match=r"nvidia-\S+-cu12==") as info:
        ensure_lock(inputs, tmp_path / "pylock.toml", uv=uv_runner())
    assert "are incompatible" in str(info.value)
