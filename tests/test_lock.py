"""The dependency lock: requirements, fingerprint reuse, real uv resolution for a foreign target."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from environments import uv_runner
from stand_ins import lock_package, lock_tool_table, metadata_wheel, stand_in_wheel

from hatch_aicontainer.build.deps.installer import install_lock, install_wheel
from hatch_aicontainer.build.deps.lock import (
    LockInputs,
    TensorFlowRequest,
    ensure_lock,
    installable_copy,
    lock_fingerprint,
    lock_inputs,
    lock_path,
)
from hatch_aicontainer.build.deps.uv import Indexes, summarize_uv_error
from hatch_aicontainer.core.errors import ResolveError
from hatch_aicontainer.oci.descriptor import Platform

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64", "v8")


def test_lock_inputs_keep_the_project_requirements_and_hold_tensorflow_apart():
    from hatch_aicontainer.config.settings import ProjectInfo, load_settings

    project = ProjectInfo(name="app", version="1", dependencies=("tensorflow>=2.15,<2.18", "numpy<3"))
    settings = load_settings({"tensorflow": "2.16.1", "python": "3.11", "dependencies": ["pillow"]}, project, {})
    inputs = lock_inputs(settings, project, settings.targets[0])
    assert inputs.requirements == ("tensorflow>=2.15,<2.18", "numpy<3", "pillow")
    assert inputs.tensorflow == TensorFlowRequest("2.16.1", "tensorflow-cpu", None)
    cuda = load_settings({"tensorflow": "2.16.1", "python": "3.11", "accelerator": "cuda"}, project, {})
    assert lock_inputs(cuda, project, cuda.targets[0]).tensorflow == TensorFlowRequest("2.16.1", "tensorflow", "and-cuda")


def test_invalid_requirement_is_a_resolve_error():
    from hatch_aicontainer.config.settings import ProjectInfo, load_settings

    project = ProjectInfo(name="app", version="1", dependencies=("numpy >>> 1",))
    settings = load_settings({"tensorflow": "2.16.1", "python": "3.11"}, project, {})
    with pytest.raises(ResolveError, match="not a valid requirement"):
        lock_inputs(settings, project, settings.targets[0])


def test_fingerprint_changes_with_every_input():
    base = LockInputs(("a==1",), "3.11", AMD64)
    variants = [
        LockInputs(("a==2",), "3.11", AMD64),
        LockInputs(("a==1",), "3.12", AMD64),
        LockInputs(("a==1",), "3.11", ARM64),
        LockInputs(("a==1",), "3.11", AMD64, Indexes(index_url="https://example.invalid/simple")),
        LockInputs(("a==1",), "3.11", AMD64, tensorflow=TensorFlowRequest("2.16.1", "tensorflow-cpu")),
        LockInputs(("a==1",), "3.11", AMD64, tensorflow=TensorFlowRequest("2.16.2", "tensorflow-cpu")),
        LockInputs(("a==1",), "3.11", AMD64, tensorflow=TensorFlowRequest("2.16.1", "tensorflow", "and-cuda")),
    ]
    assert len({base.fingerprint(), *(v.fingerprint() for v in variants)}) == 8
    assert LockInputs(("b", "a==1"), "3.11", AMD64).fingerprint() == LockInputs(("a==1", "b"), "3.11", AMD64).fingerprint()


def test_lock_path_names_python_arch_and_accelerator(tmp_path):
    assert lock_path(tmp_path, AMD64, "cpu", "3.11").name == "pylock.aicontainer-py311-amd64-cpu.toml"
    assert lock_path(tmp_path, ARM64, "cpu", "3.13").name == "pylock.aicontainer-py313-arm64-v8-cpu.toml"
    # a patch pin shares its minor's file (the fingerprint inside tells them apart)
    assert lock_path(tmp_path, AMD64, "cuda", "3.9.2") == lock_path(tmp_path, AMD64, "cuda", "3.9")


def test_summarize_uv_error_is_one_line():
    stderr = "  × No solution found when resolving dependencies:\n  ╰─▶ Because there is no version of foo==9 and you require foo==9,\n      we can conclude that your requirements are unsatisfiable.\n"
    line = summarize_uv_error(stderr)
    assert "\n" not in line
    assert line.startswith("No solution found") and "foo==9" in line


@pytest.mark.network
def test_resolve_for_a_foreign_target_then_reuse(tmp_path):
    """Real uv, real PyPI: a lock for CPython 3.12 on linux/arm64, whatever runs this test."""
    inputs = LockInputs(("idna==3.10",), "3.12", ARM64)
    path = tmp_path / "pylock.test.toml"
    first = ensure_lock(inputs, path, uv=uv_runner())
    assert not first.reused
    assert first.version_of("idna") == "3.10"
    assert lock_fingerprint(path) == inputs.fingerprint()
    text = path.read_text()
    assert 'lock-version = "1.0"' in text and "idna-3.10-py3-none-any.whl" in text
    assert str(tmp_path) not in text  # no temporary paths recorded

    again = ensure_lock(inputs, path, uv=uv_runner())
    assert again.reused and again.sha256 == first.sha256

    changed = ensure_lock(LockInputs(("idna==3.9",), "3.12", ARM64), path, uv=uv_runner())
    assert not changed.reused and changed.version_of("idna") == "3.9"


@pytest.mark.network
def test_nonexistent_version_fails_with_one_line(tmp_path):
    inputs = LockInputs((), "3.11", AMD64, tensorflow=TensorFlowRequest("2.16.9", "tensorflow-cpu"))
    with pytest.raises(ResolveError) as info:
        ensure_lock(inputs, tmp_path / "pylock.x.toml", uv=uv_runner())
    message = str(info.value)
    assert "\n" not in message and "tensorflow-cpu" in message and "2.16.9" in message
    assert not (tmp_path / "pylock.x.toml").exists()


@pytest.mark.network
def test_install_locked_binary_wheels_for_target(tmp_path):
    inputs = LockInputs(("charset-normalizer==3.4.0",), "3.11", AMD64)
    lock = ensure_lock(inputs, tmp_path / "pylock.cn.toml", uv=uv_runner())
    target = tmp_path / "site"
    install_lock(lock, inputs, target, uv=uv_runner())
    extensions = list(target.glob("charset_normalizer/*.so"))
    assert extensions and all("cpython-311-x86_64-linux-gnu" in p.name for p in extensions)
    assert (target / "bin" / "normalizer").is_file()
    assert not (target / ".lock").exists()


@pytest.mark.network
def test_uv_settings_in_the_environment_do_not_reach_the_install(tmp_path, monkeypatch):
    """uv reads UV_* even with --no-config: these would compile with the host's Python, install
    links into uv's cache, or resolve from elsewhere: the build host's settings must not change the bytes."""
    inputs = LockInputs(("idna==3.10",), "3.11", AMD64)
    lock = ensure_lock(inputs, tmp_path / "pylock.idna.toml", uv=uv_runner())
    monkeypatch.setenv("UV_COMPILE_BYTECODE", "1")
    monkeypatch.setenv("UV_LINK_MODE", "symlink")
    monkeypatch.setenv("UV_INDEX_URL", "http://127.0.0.1:9/simple")  # nothing listens: a resolve from here fails
    target = tmp_path / "site"
    install_lock(lock, inputs, target, uv=uv_runner())
    files = [p for p in target.rglob("*")]
    assert any(p.name == "idna" and p.is_dir() for p in files)
    assert [p for p in files if p.suffix == ".pyc"] == []
    assert [p for p in files if p.is_symlink()] == []
    again = ensure_lock(LockInputs(("idna==3.9",), "3.11", AMD64), tmp_path / "pylock.idna.toml", uv=uv_runner())
    assert again.version_of("idna") == "3.9"  # resolved from PyPI, not UV_INDEX_URL


@pytest.mark.network
@pytest.mark.skipif(sys.version_info >= (3, 13), reason="needs a host Python older than the image's 3.13")
def test_install_the_lock_for_a_python_newer_than_the_host(tmp_path):
    """uv alone refuses this (it checks the lock's requires-python against the host's 3.11): the image's
    Python, not the host's, decides what installs."""
    inputs = LockInputs(("charset-normalizer==3.4.0",), "3.13", AMD64)
    lock = ensure_lock(inputs, lock_path(tmp_path, AMD64, "cpu", "3.13"), uv=uv_runner())
    assert 'requires-python = ">=3.13"' in lock.path.read_text()
    target = tmp_path / "site"
    install_lock(lock, inputs, target, uv=uv_runner())
    extensions = list(target.glob("charset_normalizer/*.so"))
    assert extensions and all("cpython-313-x86_64-linux-gnu" in p.name for p in extensions)


@pytest.mark.network
def test_installable_copy_checks_requires_python_against_the_image_and_keeps_hashes(tmp_path):
    lock = ensure_lock(LockInputs(("idna==3.10",), "3.13", AMD64), tmp_path / "pylock.idna.toml", uv=uv_runner())
    copy = installable_copy(lock, "3.13", tmp_path / "copy")
    document = tomllib.loads(copy.read_text())
    assert "requires-python" not in document
    (wheel,) = document["packages"][0]["wheels"]
    assert wheel["hashes"]["sha256"] and wheel["url"].endswith("idna-3.10-py3-none-any.whl")
    with pytest.raises(ResolveError, match=r"requires Python >=3\.13, not 3\.9"):
        installable_copy(lock, "3.9", tmp_path / "other")


@pytest.mark.network
def test_a_matrix_keeps_one_lock_per_python_and_switches_back_without_resolving(tmp_path):
    first = {
        python: ensure_lock(LockInputs(("idna==3.10",), python, AMD64), lock_path(tmp_path, AMD64, "cpu", python), uv=uv_runner())
        for python in ("3.11", "3.13")
    }
    assert sorted(p.name for p in tmp_path.glob("pylock.*.toml")) == [
        "pylock.aicontainer-py311-amd64-cpu.toml", "pylock.aicontainer-py313-amd64-cpu.toml",
    ]
    for python, lock in first.items():
        again = ensure_lock(LockInputs(("idna==3.10",), python, AMD64), lock_path(tmp_path, AMD64, "cpu", python), uv=uv_runner())
        assert again.reused and again.sha256 == lock.sha256


def test_install_wheel_drops_direct_url(tmp_path: Path):
    wheel_dir = tmp_path / "wheels"
    wheel_dir.mkdir()
    project = tmp_path / "proj"
    (project / "src" / "tiny").mkdir(parents=True)
    (project / "src" / "tiny" / "__init__.py").write_text("def main():\n    return 0\n")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires=["hatchling"]\nbuild-backend="hatchling.build"\n'
        '[project]\nname="tiny"\nversion="1.0"\n[project.scripts]\ntiny="tiny:main"\n'
        '[tool.hatch.build.targets.wheel]\npackages=["src/tiny"]\n'
    )
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(next(WheelBuilder(str(project)).build(directory=str(wheel_dir), versions=["standard"])))
    target = tmp_path / "app"
    install_wheel(wheel, LockInputs((), "3.11", AMD64), target, uv=uv_runner())
    dist_info = next(target.glob("tiny-1.0.dist-info"))
    assert not (dist_info / "direct_url.json").exists() and not (dist_info / "uv_cache.json").exists()
    record = (dist_info / "RECORD").read_text()
    assert "direct_url.json" not in record and "uv_cache.json" not in record
    assert "tiny-1.0.dist-info/METADATA" in record
    assert (target / "bin" / "tiny").is_file()


@pytest.mark.network
@pytest.mark.parametrize("tensorflow", ["2.16.1", "2.18.0"])
def test_cuda_lock_brings_the_cuda_and_cudnn_the_data_states(tmp_path, tensorflow):
    """The compatibility data checked against what PyPI's tensorflow[and-cuda] really resolves to."""
    from hatch_aicontainer.config.compat import check_target

    target = check_target("3.11", {"tensorflow": tensorflow}, "cuda", AMD64).framework("tensorflow")
    assert target.requirement == f"tensorflow[and-cuda]=={tensorflow}"
    request = TensorFlowRequest(tensorflow, target.distribution, "and-cuda")
    lock = ensure_lock(LockInputs((), "3.11", AMD64, tensorflow=request), tmp_path / "pylock.cuda.toml", uv=uv_runner())
    assert lock.version_of("tensorflow") == tensorflow
    assert lock.version_of("tensorflow-cpu") is None
    cudnn = lock.version_of("nvidia-cudnn-cu12")
    runtime = lock.version_of("nvidia-cuda-runtime-cu12")
    assert cudnn is not None and runtime is not None
    assert ".".join(cudnn.split(".")[:2]) == target.cudnn
    assert ".".join(runtime.split(".")[:2]) == target.cuda


# --- one TensorFlow per image, at the pin (tensorflow_rule), with real resolutions ----------------

CPU_2_16_1 = TensorFlowRequest("2.16.1", "tensorflow-cpu")


def _tensorflow_packages(lock) -> dict[str, str]:
    return {p.name: p.version for p in lock.packages if p.name.startswith("tensorflow") and "-io" not in p.name}


@pytest.mark.network
def test_a_dependency_asking_for_tensorflow_gets_tensorflow_at_the_pin_and_nothing_beside_it(tmp_path):
    """tf-keras 2.16.0 asks for tensorflow>=2.16,<2.17: the resolver used to add tensorflow 2.16.2 beside
    tensorflow-cpu 2.16.1 (two TensorFlows in one folder, the image ran 2.16.2)."""
    lock = ensure_lock(LockInputs(("tf-keras",), "3.11", AMD64, tensorflow=CPU_2_16_1), tmp_path / "pylock.keras.toml", uv=uv_runner())
    assert _tensorflow_packages(lock) == {"tensorflow": "2.16.1"}
    assert lock.version_of("tf-keras") == "2.16.0"  # the release made for the pin, not the newest
    assert lock.tensorflow.distribution == "tensorflow" and lock.tensorflow.reason == "tf-keras requires tensorflow"
    again = ensure_lock(LockInputs(("tf-keras",), "3.11", AMD64, tensorflow=CPU_2_16_1), tmp_path / "pylock.keras.toml", uv=uv_runner())
    assert again.reused and again.tensorflow == lock.tensorflow  # the choice and its reason are kept in the lock


@pytest.mark.network
def test_the_project_asking_for_tensorflow_gets_it_without_a_second_resolution(tmp_path):
    lock = ensure_lock(LockInputs(("tensorflow>=2.15,<2.18",), "3.11", AMD64, tensorflow=CPU_2_16_1), tmp_path / "pylock.p.toml", uv=uv_runner())
    assert _tensorflow_packages(lock) == {"tensorflow": "2.16.1"}
    assert lock.tensorflow.reason == "the project requires tensorflow>=2.15,<2.18"


@pytest.mark.network
def test_without_a_request_for_the_name_the_cpu_build_stays(tmp_path):
    lock = ensure_lock(LockInputs(("tensorflow-cpu>=2.16", "numpy<2"), "3.11", AMD64, tensorflow=CPU_2_16_1), tmp_path / "pylock.c.toml", uv=uv_runner())
    assert _tensorflow_packages(lock) == {"tensorflow-cpu": "2.16.1"}
    assert lock.tensorflow.distribution == "tensorflow-cpu" and lock.tensorflow.reason is None


@pytest.mark.network
def test_two_tensorflow_distributions_are_refused_naming_who_asked(tmp_path):
    """A package that insists on tensorflow-cpu beside a project that requires tensorflow: no lock, one line."""
    links = tmp_path / "links"
    metadata_wheel(links, "needs-cpu-build", "1.0", requires=("tensorflow-cpu>=2.16",))
    inputs = LockInputs(("tensorflow>=2.16", "needs-cpu-build"), "3.11", AMD64, Indexes(find_links=(str(links),)), CPU_2_16_1)
    with pytest.raises(ResolveError) as info:
        ensure_lock(inputs, tmp_path / "pylock.two.toml", uv=uv_runner())
    message = str(info.value)
    assert "\n" not in message and "needs-cpu-build" in message and "tensorflow-cpu 2.16.1" in message
    assert not (tmp_path / "pylock.two.toml").exists()


@pytest.mark.network
def test_two_builds_of_one_cuda_library_are_refused_naming_who_asked(tmp_path):
    links = tmp_path / "links"
    metadata_wheel(links, "wants-cuda-11", "1.0", requires=("nvidia-cublas-cu11",))
    request = TensorFlowRequest("2.16.1", "tensorflow", "and-cuda")
    inputs = LockInputs(("wants-cuda-11",), "3.11", AMD64, Indexes(find_links=(str(links),)), request)
    with pytest.raises(ResolveError) as info:
        ensure_lock(inputs, tmp_path / "pylock.cu.toml", uv=uv_runner())
    message = str(info.value)
    assert "nvidia-cublas-cu11" in message and "nvidia-cublas-cu12" in message and "wants-cuda-11" in message
    assert "two builds of one CUDA library" in message and "\n" not in message


def test_a_hand_edited_lock_with_another_tensorflow_is_refused(tmp_path):
    """The fingerprint still matches (only the package list was edited): the rule is checked on reuse too."""
    import tomli_w

    inputs = LockInputs(("six",), "3.11", AMD64, tensorflow=CPU_2_16_1)
    wheel = stand_in_wheel(tmp_path / "stand-in", version="2.16.2")
    document = {"lock-version": "1.0", "created-by": "hand", "packages": [lock_package(wheel, tmp_path, version="2.16.2")],
                "tool": lock_tool_table(inputs.fingerprint())}
    path = tmp_path / "pylock.edited.toml"
    path.write_text(tomli_w.dumps(document))
    with pytest.raises(ResolveError, match=r"pylock.edited.toml: tensorflow-cpu 2\.16\.2 is not the pinned TensorFlow 2\.16\.1; delete it"):
        ensure_lock(inputs, path, uv=uv_runner())


def test_a_locked_local_wheel_leaves_no_host_record_in_the_tree(tmp_path):
    """A lock may name wheels by path (find-links folders, vendored wheels): uv records the install's
    host path and a cache timestamp beside them, which would reach the image's bytes."""
    import tomli_w

    wheel = metadata_wheel(tmp_path / "wheels", "vendored", "1.0", files={"vendored/__init__.py": ""})
    inputs = LockInputs(("vendored",), "3.11", AMD64)
    path = tmp_path / "pylock.local.toml"
    path.write_text(tomli_w.dumps({"lock-version": "1.0", "created-by": "hand", "packages": [lock_package(wheel, tmp_path, "vendored", "1.0")],
                                   "tool": lock_tool_table(inputs.fingerprint())}))
    lock = ensure_lock(inputs, path, uv=uv_runner())
    install_lock(lock, inputs, tmp_path / "site", uv=uv_runner())
    (dist_info,) = (tmp_path / "site").glob("vendored-1.0.dist-info")
    assert sorted(p.name for p in dist_info.iterdir()) == ["INSTALLER", "METADATA", "RECORD", "REQUESTED", "WHEEL"]
    assert "uv_cache.json" not in (dist_info / "RECORD").read_text()


def test_uv_gets_the_network_settings_and_nothing_that_changes_the_files():
    from hatch_aicontainer.build.deps.uv import uv_environment

    env = uv_environment({"UV_HTTP_RETRIES": "8", "UV_CACHE_DIR": "/c", "UV_INDEX_URL": "https://other.example/simple",
                          "UV_EXCLUDE_NEWER": "2024-01-01", "PATH": "/bin"})
    assert (env["UV_HTTP_RETRIES"], env["UV_CACHE_DIR"], env["PATH"]) == ("8", "/c", "/bin")
    assert "UV_INDEX_URL" not in env and "UV_EXCLUDE_NEWER" not in env
