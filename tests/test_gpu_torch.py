"""A PyTorch GPU image that would use the GPU: every CUDA library PyTorch links is found in the image.

``torch = "2.10.0"`` with ``hatch build -t container-gpu`` takes PyPI's torch wheel, the CUDA 12.8
build whose CUDA arrives as NVIDIA wheels (on the offline Debian base, Python 3.11). No GPU is
reachable here, so the loader is the test, as for TensorFlow (tests/test_gpu_images.py):

* as glibc searches (tests/gpu_loader.py), every CUDA library that a shared library of PyTorch
  needs (its DT_NEEDED entries, read with pyelftools) is found from that library, under the image's
  site-packages/nvidia, with the image's own LD_LIBRARY_PATH and each library's RUNPATH;
* in a container of the image (runc, no GPU, no network), ``import torch`` is the pinned release
  built for the table's CUDA, cuDNN loads and reports the installed wheel's version, and no GPU is seen;
* the labels say PyTorch, its version, and the CUDA runtime and cuDNN that the image holds.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import gpu_loader
import image_facts
import pytest
from e2e_helpers import hatch_build, hatch_env, skopeo_inspect
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from runc_bundle import make_bundle, run_in_bundle

from hatch_aicontainer.config.frameworks import framework
from hatch_aicontainer.outputs.summary import gpu_check_command

pytestmark = pytest.mark.e2e

TORCH = "2.10.0"
PYTHON = "3.11"
LABEL = "io.hatch-aicontainer."
#: The NVIDIA driver's own library: the NVIDIA container runtime brings it from the host.
DRIVER = {"libcuda.so.1"}
PROBE = """\
import json, torch
print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version(),
                  "gpus": torch.cuda.device_count()}))
"""


@dataclass(frozen=True)
class TorchImage:
    archive_name: str
    labels: dict[str, str]  #: skopeo's view of the archive, read before it was removed
    bundle: Path
    config: dict
    output: str


def _needed(library: Path) -> list[str]:
    with open(library, "rb") as handle:
        return [tag.needed for section in ELFFile(handle).iter_sections() if isinstance(section, DynamicSection)
                for tag in section.iter_tags() if tag.entry.d_tag == "DT_NEEDED"]


@pytest.fixture(scope="module")
def torch_gpu(module_tmp, plugin_wheelhouse, python_base_layout):
    if os.geteuid() != 0:
        pytest.skip("runc needs root (run scripts/test as root, as CI does)")
    root = module_tmp.mktemp("torch-gpu")
    project = root / "torch-gpu-check"
    (project / "torch_gpu_check").mkdir(parents=True)
    (project / "torch_gpu_check" / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(f"""[build-system]
requires = ["hatchling", "hatch-aicontainer"]
build-backend = "hatchling.build"

[project]
name = "torch-gpu-check"
version = "0.1.0"

[tool.hatch.build.targets.wheel]
packages = ["torch_gpu_check"]

[tool.aicontainer]
python = "{PYTHON}"
torch = "{TORCH}"
base-image = "{python_base_layout.spec}"
compression = "none"
""")
    # uv's cache is the image's own, as for tests/test_gpu_images.py: the CUDA wheels unpacked (~5 GB) go with it
    env = hatch_env(plugin_wheelhouse, root / "hatch", root / "cache", AICONTAINER_BYTECODE="off", UV_CACHE_DIR=str(root / "uv-cache"))
    run = hatch_build(project, env, "container-gpu")
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    shutil.rmtree(root / "uv-cache", ignore_errors=True)
    [archive] = run.archives
    config = skopeo_inspect(archive, config=True)
    labels = skopeo_inspect(archive)["Labels"]
    # about 5 GB each: the cached layer, the archive, the unpacked image; one at a time is kept
    shutil.rmtree(root / "cache", ignore_errors=True)
    bundle = make_bundle(archive, config, root / "bundle")
    archive.unlink()
    return TorchImage(archive.name, labels, bundle, config, run.stdout + run.stderr)


def test_every_cuda_library_pytorch_needs_is_found_as_the_loader_searches(torch_gpu):
    rootfs = torch_gpu.bundle / "rootfs"
    env = gpu_loader.config_env(torch_gpu.config)
    site = f"/opt/venv/lib/python{PYTHON}/site-packages"
    libraries = sorted((rootfs / site.lstrip("/") / "torch" / "lib").glob("*.so*"))
    checked = {}
    for library in libraries:
        caller = f"{site}/torch/lib/{library.name}"
        for soname in _needed(library):
            if soname.startswith(("libcu", "libnv")) and soname not in DRIVER:
                checked[(library.name, soname)] = gpu_loader.find(rootfs, soname, caller, env)
    assert {soname for _, soname in checked} >= {"libcudart.so.12", "libcublas.so.12", "libcudnn.so.9"}, sorted(checked)
    missing = sorted(key for key, found in checked.items() if found.path is None)
    assert not missing, missing
    assert all(found.path.startswith(f"{site}/nvidia/") for found in checked.values()), checked


def test_in_a_container_without_gpu_torch_is_the_cuda_build_and_loads_cudnn(torch_gpu, tmp_path):
    bundle = torch_gpu.bundle
    report = run_in_bundle(bundle, ["/opt/venv/bin/python", "-c", PROBE], tmp_path)
    release = framework("torch").table.release_for(TORCH)
    held = image_facts.installed(bundle / "rootfs")
    # the distribution is 2.10.0; PyTorch's own version string names the CUDA it was built for
    assert report["torch"] == f"{TORCH}+cu{release.cuda['12'].replace('.', '')}" and report["cuda"] == release.cuda["12"]
    assert report["gpus"] == 0
    major, minor, patch = held["nvidia-cudnn-cu12"].split(".")[:3]
    assert report["cudnn"] == int(major) * 10000 + int(minor) * 100 + int(patch)  # cuDNN 9's version number


def test_labels_say_pytorch_and_the_cuda_it_holds(torch_gpu):
    held = image_facts.installed(torch_gpu.bundle / "rootfs")
    labels = torch_gpu.labels
    assert (labels[LABEL + "torch"], labels[LABEL + "torch.package"], labels[LABEL + "accelerator"]) == (TORCH, "torch", "cuda")
    assert labels[LABEL + "cuda"] == held["nvidia-cuda-runtime-cu12"] and labels[LABEL + "cudnn"] == held["nvidia-cudnn-cu12"]
    release = framework("torch").table.release_for(TORCH)
    assert labels[LABEL + "cuda"].startswith(release.cuda["12"] + ".") and labels[LABEL + "cudnn"].startswith(release.cudnn["12"] + ".")
    assert torch_gpu.archive_name == f"torch_gpu_check-0.1.0-py311-torch{TORCH}-cuda-amd64.oci.tar"
    assert gpu_check_command("torch-gpu-check:0.1.0", ["torch"]) in torch_gpu.output
