"""The NVIDIA library folders of an image and its loader environment (cuda_libraries.py), and the
per-line CUDA facts in the compatibility data checked against PyPI's and-cuda wheels."""

from __future__ import annotations

import pytest
from environments import uv_runner

from hatch_aicontainer.build.deps.cuda import CudaPaths, find_cuda_paths, loader_environment, search_path
from hatch_aicontainer.build.deps.lock import LockInputs, ensure_lock
from hatch_aicontainer.config.compat import check_target
from hatch_aicontainer.config.frameworks import framework
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.descriptor import Platform

AMD64 = Platform("linux", "amd64")
SITE = "/opt/venv/lib/python3.11/site-packages"
LIBRARY_KEYS = {"cudart", "cublas", "cublasLt", "cufft", "cusolver", "cusparse", "cudnn"}


def _dist(tree, name, files):
    info = tree / f"{name}.dist-info"
    info.mkdir(parents=True)
    lines = [f"{path},sha256=x,1" for path in files] + [f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(lines) + "\n")


def test_folders_are_those_of_the_nvidia_distributions_shared_libraries(tmp_path):
    _dist(tmp_path, "nvidia_cusparse_cu12-12.2.0.103", ["nvidia/cusparse/lib/libcusparse.so.12", "nvidia/cusparse/__init__.py"])
    _dist(tmp_path, "nvidia_cublas_cu12-12.3.4.1", ["nvidia/cublas/lib/libcublas.so.12", "nvidia/cublas/lib/libcublasLt.so.12"])
    _dist(tmp_path, "nvidia_cuda_nvrtc_cu12-12.3.107", ["nvidia/cuda_nvrtc/lib/libnvrtc-builtins.so.12.3"])
    _dist(tmp_path, "nvidia_cuda_nvcc_cu12-12.3.107", ["nvidia/cuda_nvcc/bin/ptxas", "nvidia/cuda_nvcc/include/x.h"])
    _dist(tmp_path, "nvidia_nccl_cu12-2.19.3", ["nvidia/nccl/lib/libnccl.so.2", "../../../bin/not-a-library.so"])
    # not NVIDIA's: its libraries are found through its own RUNPATH, not ours
    _dist(tmp_path, "numpy-1.26.4", ["numpy.libs/libopenblas64_p-r0.so", "numpy/core/_multiarray_umath.cpython-311.so"])
    _dist(tmp_path, "nvidia_tool-1.0", ["bin/ptxas"])  # a console script, not the toolkit's ptxas
    paths = find_cuda_paths(tmp_path, SITE)
    assert paths.library_dirs == tuple(
        f"{SITE}/nvidia/{name}/lib" for name in ("cublas", "cuda_nvrtc", "cusparse", "nccl")
    )
    assert paths.program_dirs == (f"{SITE}/nvidia/cuda_nvcc/bin",)
    assert CudaPaths.from_json(paths.to_json()) == paths


def test_a_cpu_tree_has_no_folders_and_changes_no_variable(tmp_path):
    _dist(tmp_path, "tensorflow_cpu-2.16.1", ["tensorflow/libtensorflow_framework.so.2"])
    paths = find_cuda_paths(tmp_path, SITE)
    assert not paths
    assert loader_environment(paths, {"PATH": "/usr/bin", "LD_LIBRARY_PATH": "/x"}) == {}


def test_a_users_library_path_is_extended_not_replaced():
    paths = CudaPaths((f"{SITE}/nvidia/cublas/lib", f"{SITE}/nvidia/cudnn/lib"), (f"{SITE}/nvidia/cuda_nvcc/bin",))
    env = loader_environment(paths, {"LD_LIBRARY_PATH": f"/opt/mine:{SITE}/nvidia/cudnn/lib", "PATH": "/opt/venv/bin:/usr/bin"})
    assert env == {
        "LD_LIBRARY_PATH": f"/opt/mine:{SITE}/nvidia/cudnn/lib:{SITE}/nvidia/cublas/lib",
        "PATH": f"/opt/venv/bin:/usr/bin:{SITE}/nvidia/cuda_nvcc/bin",
    }
    assert loader_environment(paths, {})["LD_LIBRARY_PATH"] == f"{SITE}/nvidia/cublas/lib:{SITE}/nvidia/cudnn/lib"
    assert search_path("::/a:", ("/a", "/b")) == "/a:/b"


@pytest.mark.parametrize("record", [None, [], {"library_dirs": ["relative"], "program_dirs": []}, {"library_dirs": []}])
def test_a_damaged_record_is_refused(record):
    with pytest.raises(ValueError):
        CudaPaths.from_json(record)


def test_every_and_cuda_line_names_the_libraries_tensorflow_loads():
    table = framework("tensorflow").table.lines
    lines = [release for release in table if release.facts.get("and-cuda")]
    assert [r.line for r in lines][-1] == "2.14" and [r.line for r in lines][0] == "2.21"
    for release in lines:
        libraries, source = release.facts.get("cuda-libraries", {}), release.facts.get("cuda-libraries-source", "")
        assert LIBRARY_KEYS <= set(libraries), release.line
        assert source and release.line in source.replace("-", " ")
        (major,) = release.cuda_majors
        assert libraries["cublas"] == f"libcublas.so.{major}"
        assert libraries["cudnn"] == f"libcudnn.so.{release.cudnn[major].split('.')[0]}"
        # NCCL is dlopened from 2.15 on (2.14 links it in)
        assert ("nccl" in libraries) == (release.version >= (2, 15))
    for release in table:
        if not release.facts.get("and-cuda"):
            assert not release.facts.get("cuda-libraries")


def test_214_cuda_needs_python_310_or_older():
    with pytest.raises(ConfigError) as info:
        check_target("3.11", {"tensorflow": "2.14.1"}, "cuda", AMD64, keys={"python": "tool.aicontainer.python"})
    assert str(info.value) == (
        'tool.aicontainer.python = "3.11": TensorFlow 2.14 (tensorflow = "2.14.1") has no CUDA wheels for '
        'Python 3.11; allowed: 3.9, 3.10, or accelerator = "cpu"'
    )
    cpu = check_target("3.11", {"tensorflow": "2.14.1"}, "cpu", AMD64).framework("tensorflow")
    assert cpu.requirement == "tensorflow-cpu==2.14.1"
    assert framework("tensorflow").table.release_for("2.15.0").supports_cuda_python("3.11")


@pytest.mark.network
@pytest.mark.parametrize(("python", "resolves"), [("3.10", True), ("3.11", False)])
def test_214_cuda_pythons_match_what_pypi_resolves(tmp_path, python, resolves):
    """The cuda-python row checked against the package index (tensorrt 8.5.3.1 has cp36-cp310 wheels only)."""
    from hatch_aicontainer.core.errors import ResolveError

    inputs = LockInputs(("tensorflow[and-cuda]==2.14.1",), python, AMD64)
    if resolves:
        lock = ensure_lock(inputs, tmp_path / "pylock.toml", uv=uv_runner())
        assert lock.version_of("tensorrt") == "8.5.3.1"
    else:
        with pytest.raises(ResolveError, match="tensorrt"):
            ensure_lock(inputs, tmp_path / "pylock.toml", uv=uv_runner())
