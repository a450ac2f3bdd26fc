"""PyTorch and JAX pinned as TensorFlow is, built with ``hatch build -t container`` as a user would.

* ``torch-jax``: ``torch = "2.13.0"`` and ``jax = "0.6.2"`` in one image on the offline Debian base
  (Python 3.11). PyTorch's CPU build (``2.13.0+cpu``) comes from a stand-in for PyTorch's CPU index
  (tests/simple_index.py: a loopback PEP 503 index behind basic auth, serving the real CPU wheel
  that lies on these machines, /opt/wheels), named by ``AICONTAINER_TORCH_INDEX_URL``; everything
  else from PyPI.
* ``jax``: ``jax = "~=0.12.0"`` (a range, resolved once) on Debian trixie's Python 3.13.

Then, from the unpacked image (runc) and never from the plugin's records: both frameworks import
at their pins and compute; the labels and the build record say what the image's metadata says; the
index is named in the lock and the SBOM, and its password is nowhere: not in the output, the files
beside the archive, the lock, the image config or any file of the image. A JAX build for
linux/arm64 (which this machine cannot run) holds aarch64 jaxlib, read from the ELF headers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import base_images
import image_facts
import pytest
from e2e_helpers import HatchRun, hatch_build, hatch_env, skopeo_inspect
from runc_bundle import make_bundle, run_in_bundle
from simple_index import SimpleIndex

pytestmark = pytest.mark.e2e

#: The real PyTorch CPU build this machine has on disk (for CPython 3.11, x86_64).
TORCH_WHEEL = Path("/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")
SECRET = "torch-Index-Secret-93Kx"
LABEL = "io.hatch-aicontainer."
ELF_MACHINE = {b"\x3e\x00": "x86_64", b"\xb7\x00": "aarch64"}

PROBE = """\
import json, sys
out = {"python": sys.version.split()[0]}
try:
    import torch
    out.update(torch=torch.__version__, torch_sum=torch.arange(4.0).sum().item(), torch_cuda=torch.version.cuda)
except ImportError:
    pass
import jax, jax.numpy as jnp
out.update(jax=jax.__version__, jax_sum=float(jnp.arange(4.0).sum()), jax_backend=jax.default_backend())
print(json.dumps(out))
"""

PROJECTS = {
    # name -> (python, [tool.aicontainer] lines)
    "torch-jax-app": ("3.11", 'torch = "2.13.0"\njax = "0.6.2"\n'),
    "jax-app": ("3.13", 'jax = "~=0.12.0"\n'),
}


@dataclass(frozen=True)
class Built:
    name: str
    run: HatchRun
    archive: Path
    bundle: Path
    scratch: Path

    @property
    def output(self) -> str:
        return self.run.stdout + self.run.stderr


def _write_project(root: Path, name: str, python: str, tool: str, base_spec: str, platforms: str = '["linux/amd64"]') -> Path:
    package = name.replace("-", "_")
    (root / package).mkdir(parents=True)
    (root / package / "__init__.py").write_text('"""A framework image under test."""\n')
    (root / "pyproject.toml").write_text(
        f"""[build-system]
requires = ["hatchling", "hatch-aicontainer"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "1.0.0"
requires-python = ">=3.10"

[tool.hatch.build.targets.wheel]
packages = ["{package}"]

[tool.aicontainer]
python = "{python}"
base-image = "{base_spec}"
platforms = {platforms}
compression = "none"
{tool}"""
    )
    return root


@pytest.fixture(scope="module")
def torch_index():
    if not TORCH_WHEEL.is_file():
        pytest.skip(f"{TORCH_WHEEL} (PyTorch's CPU build, on every machine of this kind) is not here")
    with SimpleIndex([TORCH_WHEEL], auth=("ci", SECRET)) as index:
        yield index


@pytest.fixture(scope="module")
def hatch_data(module_tmp):
    return module_tmp.mktemp("frameworks-hatch")


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def built(request, tmp_path_factory, plugin_wheelhouse, hatch_data, python_base_layout, torch_index):
    if os.geteuid() != 0:
        pytest.skip("runc needs root (run scripts/test as root, as CI does)")
    name = request.param
    python, tool = PROJECTS[name]
    base = python_base_layout if python == "3.11" else base_images.ensure_python_base_layout("trixie")
    root = tmp_path_factory.mktemp(f"frameworks-{name}")
    try:
        project = _write_project(root / name, name, python, tool, base.spec)
        env = hatch_env(plugin_wheelhouse, hatch_data, root / "cache", AICONTAINER_BYTECODE="off",
                        AICONTAINER_TORCH_INDEX_URL=torch_index.url())
        run = hatch_build(project, env)
        assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
        [archive] = run.archives
        bundle = make_bundle(archive, skopeo_inspect(archive, config=True), root / "bundle")
        yield Built(name, run, archive, bundle, root / "scratch")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_frameworks_import_at_their_pins_and_compute(built):
    inside = run_in_bundle(built.bundle, ["python", "-c", PROBE], built.scratch)
    held = image_facts.installed(built.bundle / "rootfs")
    assert inside["jax"] == held["jax"] and inside["jax_sum"] == 6.0 and inside["jax_backend"] == "cpu"
    if built.name == "torch-jax-app":
        assert (inside["torch"], inside["jax"]) == ("2.13.0+cpu", "0.6.2")
        assert inside["torch_sum"] == 6.0 and inside["torch_cuda"] is None  # the CPU build
        assert not any(name.startswith("nvidia-") for name in held)
    else:
        assert inside["python"].startswith("3.13.") and inside["jax"].startswith("0.12.")


def test_labels_and_record_report_what_the_image_holds(built):
    labels = skopeo_inspect(built.archive)["Labels"]
    held = image_facts.installed(built.bundle / "rootfs")
    record = json.loads(built.archive.with_name(built.archive.name + ".json").read_text())
    for framework in ("torch", "jax"):
        if framework in held:
            assert labels[LABEL + framework] == held[framework] == record["pinned"][framework]
            assert labels[LABEL + framework + ".package"] == framework
    assert LABEL + "tensorflow" not in labels and "tensorflow" not in held
    shown = labels.get(LABEL + "torch")
    assert (shown == "2.13.0+cpu") == (built.name == "torch-jax-app")
    if built.name == "jax-app":  # the range resolved once, to the newest 0.12 release with cp313 wheels
        assert f"-jax{held['jax']}-cpu-amd64.oci.tar" in built.archive.name
        assert "[linux/amd64] Python 3.13" in built.output and f"jax {held['jax']}" in built.output
    else:
        assert built.archive.name == "torch_jax_app-1.0.0-py311-torch2.13.0-jax0.6.2-cpu-amd64.oci.tar"


@pytest.mark.parametrize("built", ["torch-jax-app"], indirect=True)
def test_the_torch_index_is_named_and_its_password_is_nowhere(built, torch_index):
    assert any(path.startswith("/files/torch-") and authorised for path, authorised in torch_index.requests)
    assert all(authorised for _, authorised in torch_index.requests)
    shown = torch_index.url(with_credentials=False).replace("http://", "http://***@")
    (lock_file,) = built.run.project.glob("pylock.aicontainer-*.toml")
    lock = lock_file.read_text()
    assert f'torch = "{shown}"' in lock  # [tool.hatch-aicontainer].indexes
    sbom = json.loads(next(built.archive.parent.glob("*.cdx.json")).read_text())
    (torch,) = [c for c in sbom["components"] if c["name"] == "torch"]
    assert torch["version"] == "2.13.0+cpu" and "repository_url=" in torch["purl"] and "127.0.0.1" in torch["purl"]
    places = [built.output, lock, *(p.read_text(errors="replace") for p in built.archive.parent.iterdir() if p.suffix == ".json")]
    places.append(json.dumps(skopeo_inspect(built.archive, config=True)))
    assert not [text[:80] for text in places if SECRET in text]
    found = subprocess.run(["grep", "-rlF", SECRET, str(built.bundle / "rootfs")], capture_output=True, text=True)
    assert found.returncode == 1 and found.stdout == "", found.stdout  # 1: no file holds it


def test_an_unreachable_torch_index_is_one_line_and_leaves_nothing(tmp_path, plugin_wheelhouse, hatch_data, python_base_layout):
    """No stand-in: the default (download.pytorch.org) or a mirror that does not answer."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    project = _write_project(tmp_path / "torch-only", "torch-only", "3.11", 'torch = "2.13.0"\n', python_base_layout.spec)
    (project / "dist").mkdir()
    env = hatch_env(plugin_wheelhouse, hatch_data, tmp_path / "cache", AICONTAINER_BYTECODE="off",
                    AICONTAINER_TORCH_INDEX_URL=f"http://ci:{SECRET}@127.0.0.1:{port}/simple/")
    run = hatch_build(project, env)
    assert run.returncode != 0 and "Traceback" not in run.stdout + run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, run.stderr[-2000:]
    assert f"127.0.0.1:{port}" in errors[0] and SECRET not in run.stdout + run.stderr
    assert run.dist_entries == []


def test_a_torch_release_the_index_does_not_have_is_one_line(tmp_path, plugin_wheelhouse, hatch_data, python_base_layout, torch_index):
    project = _write_project(tmp_path / "torch-only", "torch-only", "3.11", 'torch = "2.13.1"\n', python_base_layout.spec)
    (project / "dist").mkdir()
    env = hatch_env(plugin_wheelhouse, hatch_data, tmp_path / "cache", AICONTAINER_TORCH_INDEX_URL=torch_index.url())
    run = hatch_build(project, env)
    assert run.returncode != 0 and "Traceback" not in run.stdout + run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, run.stderr[-2000:]
    assert errors[0].startswith('error: tool.aicontainer.torch = "2.13.1": torch 2.13.1+cpu has no wheel for Python 3.11'), errors[0]
    assert "127.0.0.1" in errors[0] and SECRET not in run.stdout + run.stderr
    assert run.dist_entries == []


def _arm64_stub_base(work: Path, python: str) -> str:
    """An arm64 image holding only what the probe reads (an interpreter file, a dpkg record): built
    with umoci, never run."""
    layout = work / "layout"
    stub = work / "stub"
    (stub / "usr/bin").mkdir(parents=True)
    (stub / f"usr/bin/python{python}").write_bytes(b"")
    (stub / f"usr/bin/python{python}").chmod(0o755)
    (stub / "var/lib/dpkg").mkdir(parents=True)
    (stub / "var/lib/dpkg/status").write_text(f"Package: python{python}\nStatus: install ok installed\nVersion: {python}.2-1\n\n")
    image = f"{layout}:arm64"
    subprocess.run(["umoci", "init", "--layout", str(layout)], check=True, capture_output=True)
    for argv in (["new", "--image", image], ["insert", "--image", image, str(stub / "usr"), "/usr"],
                 ["insert", "--image", image, str(stub / "var"), "/var"],
                 ["config", "--image", image, "--architecture", "arm64", "--os", "linux",
                  "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]):
        subprocess.run(["umoci", *argv], check=True, capture_output=True)
    return f"oci:{layout}:arm64"


def test_jax_for_arm64_holds_aarch64_jaxlib(tmp_path, plugin_wheelhouse, hatch_data, oci_tools):
    base = _arm64_stub_base(tmp_path / "base", "3.13")
    project = _write_project(tmp_path / "jax-arm", "jax-arm", "3.13", 'jax = "0.12.0"\n', base, '["linux/arm64"]')
    run = hatch_build(project, hatch_env(plugin_wheelhouse, hatch_data, tmp_path / "cache", AICONTAINER_BYTECODE="off"))
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    [archive] = run.archives
    assert archive.name.endswith("-jax0.12.0-cpu-arm64.oci.tar")
    config = skopeo_inspect(archive, config=True)
    assert config["architecture"] == "arm64" and config["config"]["Labels"][LABEL + "jax"] == "0.12.0"
    machines = set()
    with tarfile.open(archive) as outer:
        (entry,) = json.load(outer.extractfile("manifest.json"))
        for name in entry["Layers"]:
            blob = outer.extractfile(name)
            if blob.read(2) == b"\x1f\x8b":
                continue  # the stub base's layers (umoci's, gzip); ours are plain tar (compression = "none")
            blob.seek(0)
            with tarfile.open(fileobj=blob, mode="r:") as layer:
                for member in layer:
                    if member.isfile() and "/jaxlib/" in member.name and member.name.endswith(".so"):
                        machines.add(ELF_MACHINE.get(layer.extractfile(member).read(20)[18:20], "other"))
    assert machines == {"aarch64"}
