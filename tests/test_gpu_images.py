"""GPU images that would use the GPU: every CUDA library TensorFlow dlopens is found in the image.

No GPU is reachable on a build or CI host, so the loader is the test. For three
TensorFlow lines with ``and-cuda`` wheels (2.14.1 with its -cu11 wheels on
Python 3.9, 2.16.1 whose RUNPATH names only the CUDA runtime, 2.18.1 whose
RUNPATH names most folders) a real ``hatch build -t container-gpu`` makes the
image from PyPI's wheels on the offline Debian base; then

* as glibc searches (tests/gpu_loader.py): the RUNPATH of the image's
  ``libtensorflow_framework.so.2`` read with pyelftools, the config's
  LD_LIBRARY_PATH, the image's ld.so cache and the system folders, every
  soname that the compatibility data names for the line is found;
* in a container of the image (runc on a bundle of its layers, no GPU, no network,
  the image's own environment and user): ``ctypes.CDLL(soname)`` loads each,
  TensorFlow's own loader opens each from ``libtensorflow_framework.so.2``,
  ``import tensorflow`` is the CUDA build of the pinned release and sees no
  GPU, and ``ptxas`` is on PATH and runs.

On the 2.16.1 line, the registry as a fresh runner's layer cache: the release pushed by its build (which
leaves a registry cache entry for the dependency layer, the NVIDIA folders in its record), then a runner
with empty caches builds the same checkout and takes the layer from there (mounted by its push, or
downloaded into its archive): nothing of the lock installed, the same digest, the same library path.

One image at a time (module-scoped parameter), removed with its plugin cache
when its tests are done (peak disk about 3x the installed size: layer, archive,
root filesystem); uv's cache and hatch's build environment are shared.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import base_images
import gpu_loader
import image_facts
import pytest
import registry_helpers
import requests
from e2e_helpers import BIN, copy_project, hatch_build, hatch_env, skopeo_inspect, unpacked_by_uv
from runc_bundle import make_bundle, run_in_bundle

from hatch_aicontainer.config.frameworks import framework
from hatch_aicontainer.outputs.summary import gpu_check_command

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
#: (TensorFlow, Python, Debian suite giving that Python, the project's dependencies). 2.16.1's project
#: also depends on tf-keras, which asks for the name tensorflow (<2.17,>=2.16, with 2.16.2 on PyPI):
#: the GPU case of tests/test_e2e_tensorflow_pin.py.
TF_2_14 = ("2.14.1", "3.9", "bullseye", ())
TF_2_16 = ("2.16.1", "3.11", "bookworm", ("tf-keras",))
TF_2_18 = ("2.18.1", "3.11", "bookworm", ())
LINES = [TF_2_14, TF_2_16, TF_2_18]
TAG = "0.1.0"
NAME = "gpu-check"


@dataclass(frozen=True)
class GpuImage:
    tensorflow: str
    python: str
    archive: Path
    rootfs: Path
    bundle: Path
    config: dict
    output: str  #: the build's stdout + stderr
    project: Path
    build_env: dict[str, str]
    keys: Path

    @property
    def env(self) -> dict[str, str]:
        return gpu_loader.config_env(self.config)

    @property
    def libraries(self) -> dict[str, str]:
        release = framework("tensorflow").table.release_for(self.tensorflow)
        assert release is not None and release.facts.get("cuda-libraries"), f"no cuda-libraries in the data for {self.tensorflow}"
        return dict(release.facts["cuda-libraries"])

    @property
    def framework(self) -> str:
        return f"/opt/venv/lib/python{self.python}/site-packages/tensorflow/libtensorflow_framework.so.2"


def _project(directory: Path, tensorflow: str, python: str, base_spec: str, dependencies: tuple[str, ...]) -> Path:
    (directory / "gpu_check").mkdir(parents=True)
    (directory / "gpu_check" / "__init__.py").write_text("")
    (directory / "pyproject.toml").write_text(
        f"""[build-system]
requires = ["hatchling", "hatch-aicontainer"]
build-backend = "hatchling.build"

[project]
name = "{NAME}"
version = "{TAG}"
dependencies = {json.dumps(list(dependencies))}

[tool.hatch.build.targets.wheel]
packages = ["gpu_check"]

[tool.aicontainer]
python = "{python}"
tensorflow = "{tensorflow}"
base-image = "{base_spec}"
compression = "none"  # these images are unpacked at once: no gzip either way saves a minute per image
"""
    )
    return directory


@pytest.fixture(scope="session")
def gpu_hatch_data(tmp_path_factory):
    """hatch's data (its build environment with the plugin), shared by every GPU build of the session."""
    root = tmp_path_factory.mktemp("gpu-hatch")
    yield root
    shutil.rmtree(root, ignore_errors=True)


SIGNING_PASSWORD = "gpu-release-key"


@pytest.fixture(scope="session")
def gpu_signing_key(gpu_hatch_data) -> Path:
    """A key ``aicontainer keygen`` wrote: the GPU images are signed releases (their attestations are checked here)."""
    keys = gpu_hatch_data / "keys"
    keys.mkdir()
    done = subprocess.run([str(BIN / "aicontainer"), "keygen"], cwd=keys, capture_output=True, text=True,
                          env={**os.environ, "AICONTAINER_SIGNING_PASSWORD": SIGNING_PASSWORD})
    assert done.returncode == 0, done.stderr
    return keys


@pytest.fixture(scope="module", params=LINES, ids=[line[0] for line in LINES])
def gpu_image(request, tmp_path_factory, plugin_wheelhouse, gpu_hatch_data, gpu_signing_key):
    if os.geteuid() != 0:
        pytest.skip("debootstrap and runc need root (run scripts/test as root, as CI does)")
    tensorflow, python, suite, dependencies = request.param
    root = tmp_path_factory.mktemp(f"gpu-{tensorflow}")
    try:
        base = base_images.make_python_base_layout(root / "base", suite)
        project = _project(root / "project", tensorflow, python, base.spec, dependencies)
        started = time.monotonic()
        # The plugin's cache and uv's are the line's own: two lines share no NVIDIA wheel and no
        # dependency layer, and keeping each line's 4-6 GB of unpacked wheels and layer until the
        # session ends would add up (a CI runner starts with an empty uv cache anyway). Bytecode is
        # not what is tested here, and compiling TensorFlow's tree costs a minute.
        env = hatch_env(plugin_wheelhouse, gpu_hatch_data, root / "cache", AICONTAINER_BYTECODE="off", UV_CACHE_DIR=str(root / "uv-cache"),
                        AICONTAINER_SIGNING_KEY=str(gpu_signing_key / "cosign.key"), AICONTAINER_SIGNING_PASSWORD=SIGNING_PASSWORD)
        run = hatch_build(project, env, "container-gpu")
        assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
        shutil.rmtree(root / "uv-cache", ignore_errors=True)  # installed: the layer is in the plugin's cache
        [archive] = run.archives
        built = time.monotonic()
        config = skopeo_inspect(archive, config=True)
        bundle = make_bundle(archive, config, root / "bundle")
        print(f"[gpu {tensorflow}] hatch build {built - started:.0f}s, unpack {time.monotonic() - built:.0f}s", file=sys.stderr)
        yield GpuImage(
            tensorflow=tensorflow,
            python=python,
            archive=archive,
            rootfs=bundle / "rootfs",
            bundle=bundle,
            config=config,
            output=run.stdout + run.stderr,
            project=project,
            build_env=env,
            keys=gpu_signing_key,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)  # several GB per image


def test_every_cuda_library_is_found_as_the_loader_searches(gpu_image):
    """dlopen(soname) from libtensorflow_framework.so.2: LD_LIBRARY_PATH, RUNPATH ($ORIGIN), ld.so.cache, system."""
    found = {
        key: gpu_loader.find(gpu_image.rootfs, soname, gpu_image.framework, gpu_image.env)
        for key, soname in gpu_image.libraries.items()
    }
    missing = sorted(result.soname for result in found.values() if result.path is None)
    assert not missing, f"TensorFlow {gpu_image.tensorflow} cannot dlopen {missing} in the image"
    site = f"/opt/venv/lib/python{gpu_image.python}/site-packages/nvidia/"
    assert all(result.path.startswith(site) for result in found.values()), found


@pytest.mark.parametrize("gpu_image", [TF_2_16], ids=[TF_2_16[0]], indirect=True)
def test_without_the_library_path_the_check_fails_on_2_16_1(gpu_image):
    """Without LD_LIBRARY_PATH a 2.16.1 image fails the check above: its RUNPATH names only the CUDA
    runtime (the other lines' RUNPATHs differ, so only 2.16.1 shows why the variable is set)."""
    without = {k: v for k, v in gpu_image.env.items() if k != "LD_LIBRARY_PATH"}
    missing = {
        key
        for key, soname in gpu_image.libraries.items()
        if gpu_loader.find(gpu_image.rootfs, soname, gpu_image.framework, without).path is None
    }
    assert missing == {"cublas", "cublasLt", "cufft", "cusolver", "cusparse", "cudnn", "nccl"}


def test_library_folders_come_from_the_installed_nvidia_wheels(gpu_image):
    """Every LD_LIBRARY_PATH folder exists and holds a shared library; sorted; ptxas's folder on PATH."""
    folders = gpu_image.env["LD_LIBRARY_PATH"].split(":")
    assert folders == sorted(folders) and len(set(folders)) == len(folders)
    site = gpu_image.rootfs / f"opt/venv/lib/python{gpu_image.python}/site-packages"
    installed = {path.parent for path in (site / "nvidia").glob("*/lib/lib*.so*")}
    assert installed <= {gpu_image.rootfs / folder.lstrip("/") for folder in folders}
    for folder in folders:
        assert any((gpu_image.rootfs / folder.lstrip("/")).glob("lib*.so*")), folder
    assert gpu_image.env["PATH"].split(":")[-1] == f"/opt/venv/lib/python{gpu_image.python}/site-packages/nvidia/cuda_nvcc/bin"


def test_in_a_container_without_gpu_the_libraries_load_and_tensorflow_is_the_cuda_build(gpu_image, tmp_path):
    shutil.copy(HERE / "gpu_probe.py", gpu_image.rootfs / "tmp" / "gpu_probe.py")
    started = time.monotonic()
    report = run_in_bundle(gpu_image.bundle, ["/opt/venv/bin/python", "/tmp/gpu_probe.py", json.dumps(gpu_image.libraries)], tmp_path)
    print(f"[gpu {gpu_image.tensorflow}] runc {time.monotonic() - started:.0f}s", file=sys.stderr)

    cdll = report["cdll"]
    assert cdll["returncode"] == 0, cdll["stderr"][-3000:]
    failed = {soname: error for soname, error in cdll["result"].items() if error is not None}
    assert not failed, failed

    tf = report["tensorflow"]
    assert tf["returncode"] == 0, tf["stderr"][-3000:]
    assert tf["result"]["version"] == gpu_image.tensorflow
    assert tf["result"]["is_cuda_build"] is True
    assert tf["result"]["gpus"] == []
    # TensorFlow's own loader, called from libtensorflow_framework.so.2, asked for exactly the data's sonames
    not_opened = [s for s in gpu_image.libraries.values() if f"Successfully opened dynamic library {s}\n" not in tf["stderr"]]
    assert not not_opened, tf["stderr"][-5000:]

    assert report["ptxas"]["path"] and report["ptxas"]["path"].endswith("/nvidia/cuda_nvcc/bin/ptxas")
    assert "Cuda compilation tools" in report["ptxas"]["version"]


def test_one_tensorflow_at_the_pin_and_pip_check_passes_in_the_image(gpu_image, tmp_path):
    """Read from the image: one TensorFlow distribution (the CUDA build's, tensorflow), one build of each
    NVIDIA library, and pip check by the image's Python finds every requirement met."""
    rootfs = gpu_image.rootfs
    assert image_facts.tensorflows(rootfs) == {"tensorflow": gpu_image.tensorflow}
    libraries = [name for name in image_facts.installed(rootfs) if name.startswith("nvidia-")]
    stems = [name.rsplit("-cu", 1)[0] for name in libraries]
    assert len(stems) == len(set(stems)), libraries
    done = image_facts.pip_check(gpu_image.bundle, tmp_path)
    assert done.returncode == 0 and "No broken requirements found" in done.stdout, done.stdout + done.stderr


def _cuda_versions(rootfs: Path) -> tuple[str, str]:
    """The versions of the CUDA runtime and cuDNN wheels installed in the image (any CUDA major)."""
    held = image_facts.installed(rootfs)
    runtime = next(v for n, v in held.items() if n.startswith("nvidia-cuda-runtime"))
    cudnn = next(v for n, v in held.items() if n.startswith("nvidia-cudnn"))
    return runtime, cudnn


def test_inspect_and_summary_show_the_cuda_setup(gpu_image):
    """The labels say the CUDA and cuDNN that the image holds (the wheels' versions), which are the
    compatibility data's for the line."""
    release = framework("tensorflow").table.release_for(gpu_image.tensorflow)
    (major,) = release.cuda_majors
    cuda, cudnn = _cuda_versions(gpu_image.rootfs)
    assert cuda.startswith(release.cuda[major] + ".") and cudnn.startswith(release.cudnn[major] + ".")
    labels = skopeo_inspect(gpu_image.archive)["Labels"]
    assert (labels["io.hatch-aicontainer.cuda"], labels["io.hatch-aicontainer.cudnn"]) == (cuda, cudnn)
    done = subprocess.run([str(BIN / "aicontainer"), "inspect", str(gpu_image.archive)], capture_output=True, text=True, check=True)
    assert f"CUDA {cuda}, cuDNN {cudnn}" in done.stdout
    for folder in gpu_image.env["LD_LIBRARY_PATH"].split(":"):
        assert f"  {folder}\n" in done.stdout
    as_json = subprocess.run(
        [str(BIN / "aicontainer"), "inspect", "--json", str(gpu_image.archive)], capture_output=True, text=True, check=True
    )
    cuda_json = json.loads(as_json.stdout)["images"][0]["cuda"]
    assert cuda_json == {"cuda": cuda, "cudnn": cudnn, "library_dirs": gpu_image.env["LD_LIBRARY_PATH"].split(":")}
    assert gpu_check_command(f"{NAME}:{TAG}", ["tensorflow"]) in gpu_image.output


@pytest.mark.parametrize("gpu_image", [TF_2_16], ids=[TF_2_16[0]], indirect=True)
def test_from_the_cached_dependency_layer_the_image_is_the_same(gpu_image):
    """The folders are kept with the cached layer: a second build takes the layer from the cache, same digest
    (on one line: the record does not depend on the line)."""
    digest = skopeo_inspect(gpu_image.archive)["Digest"]
    again = hatch_build(gpu_image.project, gpu_image.build_env, "container-gpu")
    assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]
    assert "(cached)" in again.stdout + again.stderr
    assert skopeo_inspect(gpu_image.archive)["Digest"] == digest
    assert gpu_loader.config_env(skopeo_inspect(gpu_image.archive, config=True)) == gpu_image.env


def test_the_gpu_release_is_signed_and_its_provenance_names_the_cuda_wheels(gpu_image, tmp_path):
    """``aicontainer verify`` accepts the archive, and the signed provenance states the GPU target and lists
    the NVIDIA wheels the lock installs (by the lock's own hashes), the CUDA/cuDNN the image holds."""
    env = {**gpu_image.build_env}
    done = subprocess.run([str(BIN / "aicontainer"), "verify", str(gpu_image.archive), "--key", str(gpu_image.keys / "cosign.pub")],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].endswith("verified (3 signed attestations)")
    provenance = image_facts.archive_provenance(gpu_image.archive)
    settings = provenance["predicate"]["buildDefinition"]["externalParameters"]["settings"]
    assert settings["target"] == "container-gpu" and settings["accelerator"] == "cuda"
    assert settings["tensorflow"] == gpu_image.tensorflow and settings["python"] == gpu_image.python
    wheels = {d["name"]: d["digest"]["sha256"] for d in provenance["predicate"]["buildDefinition"]["resolvedDependencies"]
              if d["annotations"]["kind"] == "wheel"}
    (lock,) = gpu_image.project.glob("pylock.aicontainer-*-cuda.toml")
    locked = {w["url"].rsplit("/", 1)[1]: w["hashes"]["sha256"] for p in tomllib.loads(lock.read_text())["packages"]
              for w in p.get("wheels", [])}
    assert wheels == locked
    assert any(name.startswith(("nvidia_cuda_runtime", "nvidia-cuda-runtime")) for name in wheels), sorted(wheels)


# --- the registry as the layer cache of a fresh runner ----------------------------------------------------------

ENTRY = "aicontainer-cache-"
ACCESS = re.compile(r'"(?P<method>[A-Z]+) (?P<uri>\S+) HTTP/1\.[01]" (?P<status>\d{3}) (?P<size>\d+)')


def _served(registry: registry_helpers.LocalRegistry, since: int) -> list[tuple[str, str, int, int]]:
    """(method, uri, status, bytes written) of every request the registry's access log shows after ``since``."""
    text = registry.log_path.read_bytes()[since:].decode(errors="replace")
    return [(m["method"], m["uri"], int(m["status"]), int(m["size"])) for m in ACCESS.finditer(text)]


def _dependency_layer(archive: Path) -> dict:
    """The descriptor of the archive's dependency layer (named by the config's history)."""
    with tarfile.open(archive) as tar:
        (root,) = json.load(tar.extractfile("index.json"))["manifests"]
        manifest = json.load(tar.extractfile(f"blobs/sha256/{root['digest'][7:]}"))
        config = json.load(tar.extractfile(f"blobs/sha256/{manifest['config']['digest'][7:]}"))
    comments = [h.get("comment", "") for h in config["history"] if not h.get("empty_layer")]
    return manifest["layers"][next(i for i, c in enumerate(comments) if c.startswith("dependencies"))]


def _pushed(reference: str) -> tuple[str, dict]:
    """What the registry holds at ``reference``: the digest of its manifest (skopeo's raw bytes, hashed here)
    and its image config."""
    raw = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}"],
                         capture_output=True, check=True).stdout
    config = subprocess.run(["skopeo", "inspect", "--config", "--tls-verify=false", f"docker://{reference}"],
                            capture_output=True, check=True, text=True).stdout
    return "sha256:" + hashlib.sha256(raw).hexdigest(), json.loads(config)


def _installed_from_the_lock(uv: Path) -> list[str]:
    """What uv unpacked of the lock's packages on a runner (its cache may hold hatch's build environment too)."""
    return unpacked_by_uv(uv, ("tensorflow", "nvidia", "keras", "tf_keras", "numpy"))


def _fresh_runner(gpu_image: GpuImage, root: Path, **env: str):
    """The same checkout copied to a runner with an empty plugin cache and an empty uv cache (hatch's data, which
    holds no package of the lock, is shared), built there: (the run, its uv cache, seconds)."""
    checkout = copy_project(gpu_image.project, root / "project")
    started = time.monotonic()
    run = hatch_build(checkout, {**gpu_image.build_env, "AICONTAINER_CACHE_DIR": str(root / "cache"),
                                 "UV_CACHE_DIR": str(root / "uv"), **env}, "container-gpu")
    seconds = time.monotonic() - started
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    return run, root / "uv", seconds


@dataclass(frozen=True)
class GpuRelease:
    """The GPU image pushed by its build to a registry of its own: the release a fresh runner builds again."""

    registry: registry_helpers.LocalRegistry
    repository: str  #: ``host/repo`` the release was pushed to (and its registry cache entries written in)
    digest: str  #: the first archive's digest
    layer: dict  #: its dependency layer's descriptor
    key: str  #: the key of the registry cache entry holding that layer


@pytest.fixture(scope="module")
def gpu_release(gpu_image, tmp_path_factory) -> GpuRelease:
    """The release pushed with the local cache warm (about 5 GB uploaded, archive = false: no second archive
    written). The registry is the fixture's own (its access log shows what a runner downloaded), and it is
    removed with its GB when the line's tests are done."""
    root = tmp_path_factory.mktemp(f"gpu-release-{gpu_image.tensorflow}")
    registry = registry_helpers.start_registry(root / "registry")
    try:
        digest = skopeo_inspect(gpu_image.archive)["Digest"]
        layer = _dependency_layer(gpu_image.archive)
        repository = f"{registry.host}/gpu/{NAME}"
        started = time.monotonic()
        pushed = hatch_build(copy_project(gpu_image.project, root / "release"),
                             {**gpu_image.build_env, "AICONTAINER_PUSH_TO": f"{repository}:{TAG}", "AICONTAINER_ARCHIVE": "0"},
                             "container-gpu")
        assert pushed.returncode == 0, (pushed.stdout + pushed.stderr)[-4000:]
        print(f"[gpu {gpu_image.tensorflow}] push {time.monotonic() - started:.0f}s", file=sys.stderr)
        assert _pushed(f"{repository}:{TAG}")[0] == digest
        tags = requests.get(f"http://{registry.host}/v2/gpu/{NAME}/tags/list", timeout=30).json()["tags"]
        entries = {}
        for tag in (t for t in tags if t.startswith(ENTRY)):
            entry = requests.get(f"http://{registry.host}/v2/gpu/{NAME}/manifests/{tag}", timeout=30,
                                 headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).json()
            entries[entry["layers"][0]["digest"]] = tag[len(ENTRY):]
        assert layer["digest"] in entries, f"no registry cache entry holds the dependency layer {layer['digest']}: {tags}"
        yield GpuRelease(registry, repository, digest, layer, entries[layer["digest"]])
    finally:
        registry.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("gpu_image", [TF_2_16], ids=[TF_2_16[0]], indirect=True)
def test_a_fresh_runner_without_an_archive_mounts_the_cuda_dependency_layer(gpu_image, gpu_release, tmp_path, oci_tools):
    """A runner with empty caches builds the same checkout with ``archive = false``, pushing to another repository
    of the release's registry: the layer is mounted by the push, never downloaded, nothing of the lock is installed,
    and the pushed image is the archive's, LD_LIBRARY_PATH and PATH included (the NVIDIA folders come from the
    entry's record: the runner has no installed tree to find them in)."""
    release, layer = gpu_release, gpu_release.layer
    since = release.registry.log_path.stat().st_size
    fresh = f"{release.registry.host}/gpu/{NAME}-fresh"
    run, uv, seconds = _fresh_runner(gpu_image, tmp_path / "runner", AICONTAINER_ARCHIVE="0",
                                     AICONTAINER_PUSH_TO=f"{fresh}:{TAG}", AICONTAINER_CACHE_FROM=release.repository)
    print(f"[gpu {gpu_image.tensorflow}] fresh runner mounting the layer {seconds:.0f}s", file=sys.stderr)
    output = run.stdout + run.stderr
    # the build signs (build_env has the key): it took the entry its key signed
    line = f"dependencies: from registry cache {release.repository} (key {release.key[:12]}; signed; mounted by the push, not downloaded)"
    assert line in output, output[-4000:]
    served = _served(release.registry, since)
    assert not [s for s in served if s[0] == "GET" and s[1].endswith(f"/blobs/{layer['digest']}")], served
    assert [s for s in served if s[0] == "POST" and f"mount={layer['digest']}" in s[1] and s[2] == 201], served
    assert _installed_from_the_lock(uv) == []  # nothing of the lock fetched or installed on the runner
    digest, config = _pushed(f"{fresh}:{TAG}")
    assert digest == release.digest
    env = gpu_loader.config_env(config)
    assert (env["LD_LIBRARY_PATH"], env["PATH"]) == (gpu_image.env["LD_LIBRARY_PATH"], gpu_image.env["PATH"])
    head = requests.head(f"http://{release.registry.host}/v2/gpu/{NAME}-fresh/blobs/{layer['digest']}", timeout=30)
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == layer["size"]


@pytest.mark.parametrize("gpu_image", [TF_2_16], ids=[TF_2_16[0]], indirect=True)
def test_a_fresh_runner_writing_the_archive_downloads_the_cuda_dependency_layer(gpu_image, gpu_release, tmp_path, oci_tools):
    """The same runner writing the archive (nothing pushed): the layer is downloaded from the registry once,
    nothing of the lock is installed, and the archive is the first one (config environment included).

    It holds the layer twice more (the runner's cache, the archive: about 10 GB for 2.16.1, on top of the
    image, its root file system and the registry's copy): with less disk free it is skipped, saying so."""
    release, layer = gpu_release, gpu_release.layer
    free, needed = shutil.disk_usage(tmp_path).free, 2 * layer["size"] + (2 << 30)
    if free < needed:
        pytest.skip(f"needs {needed >> 30} GB free for a second copy of the {layer['size'] >> 20} MB layer and its archive; "
                    f"{free >> 30} GB free")
    since = release.registry.log_path.stat().st_size
    try:
        run, uv, seconds = _fresh_runner(gpu_image, tmp_path / "runner", AICONTAINER_CACHE_FROM=release.repository)
        print(f"[gpu {gpu_image.tensorflow}] fresh runner writing the archive {seconds:.0f}s", file=sys.stderr)
        output = run.stdout + run.stderr
        line = f"dependencies: from registry cache {release.repository} (key {release.key[:12]}; signed; {layer['size']} bytes downloaded)"
        assert line in output, output[-4000:]
        served = _served(release.registry, since)
        downloads = [s for s in served if s[0] == "GET" and s[1].endswith(f"/blobs/{layer['digest']}")]
        assert [s[2:] for s in downloads] == [(200, layer["size"])], served  # once, whole
        assert not [s for s in served if s[0] in ("POST", "PUT", "PATCH")], served  # nothing pushed
        assert _installed_from_the_lock(uv) == []
        [archive] = run.archives
        assert skopeo_inspect(archive)["Digest"] == release.digest
        assert gpu_loader.config_env(skopeo_inspect(archive, config=True)) == gpu_image.env
    finally:
        shutil.rmtree(tmp_path / "runner", ignore_errors=True)  # its cache and archive, kept even on a failure: twice the layer


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
