"""Progress and summary of a real ``hatch build -t container`` run, checked against independent tools.

The tiny project (tests/trust_fixtures.py) is built by hatch as a user would
(isolated build environment with this checkout's plugin wheel) on the offline
Debian Python base. Its captured output must show every phase in order and a
summary whose digest and layers are what ``skopeo`` reads from the archive,
and whose load/run command works on a real Docker engine; ``hatch -q build``
prints none of it. The same image's config carries the ``healthcheck``
setting (``docker inspect``).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from e2e_helpers import BIN, hatch_env, skopeo_inspect
from trust_fixtures import HEALTHCHECK, NAME, VERSION, make_tiny_project

from hatch_aicontainer.core.progress import human_bytes

pytestmark = pytest.mark.e2e

ARCHIVE = f"{NAME.replace('-', '_')}-{VERSION}-py311-tf2.16.1-cpu-amd64.oci.tar"
PLATFORM = "[linux/amd64]"
TAG = f"{NAME}:{VERSION}"


def _hatch(project: Path, env: dict, *global_args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "hatch"), *global_args, "build", "-t", "container"],
        cwd=project, env=env, capture_output=True, text=True, timeout=1200,
    )


@pytest.fixture(scope="module")
def run(module_tmp, plugin_wheelhouse, python_base_layout):
    top = module_tmp.mktemp("summary")
    project = make_tiny_project(top / NAME, python_base_layout.spec)
    done = _hatch(project, hatch_env(plugin_wheelhouse, top / "hatch", top / "cache"))
    assert done.returncode == 0, done.stderr[-3000:]
    return project, done.stdout + done.stderr


def _lines(output: str) -> list[str]:
    return [line.rstrip() for line in output.splitlines()]


def test_one_line_per_phase_in_order(run):
    _, output = run
    lines = _lines(output)
    phases = [
        f"{PLATFORM} base image oci:",
        f"{PLATFORM} base Python 3.11",
        f"{PLATFORM} lock pylock.aicontainer-py311-amd64-cpu.toml (reused",
        f"{PLATFORM} dependency layer sha256:",
        "include: left out",
        f"{PLATFORM} SBOM /opt/venv/share/sbom/{NAME}.cdx.json",
        f"writing {ARCHIVE}",
        f"image dist/{ARCHIVE} (",
        "image digest sha256:",
        f"tags {TAG}",
        f"{PLATFORM} Python 3.11",
        f"{PLATFORM} layer 1/5 ",
        f"{PLATFORM} layer 5/5 SBOM",
        f"sbom dist/{ARCHIVE.removesuffix('.oci.tar')}.cdx.json",
        f"kubernetes dist/{NAME}.k8s.yaml",
        f"run: docker load -i dist/{ARCHIVE} && docker run --rm {TAG}",
    ]
    positions = []
    for phase in phases:
        found = [i for i, line in enumerate(lines) if line.startswith(phase)]
        assert len(found) == 1, (phase, output[-4000:])
        positions.append(found[0])
    assert positions == sorted(positions), output[-4000:]


def test_summary_matches_what_skopeo_reads(run):
    project, output = run
    archive = project / "dist" / ARCHIVE
    digest = skopeo_inspect(archive)["Digest"]
    assert f"image digest {digest}" in output
    raw = skopeo_inspect(archive, raw=True)
    layer_lines = [line for line in _lines(output) if line.startswith(f"{PLATFORM} layer ")]
    assert len(layer_lines) == len(raw["layers"]) == 5
    for line, layer in zip(layer_lines, raw["layers"]):
        assert layer["digest"][:19] in line
        assert line.endswith(human_bytes(layer["size"]))
    assert re.search(rf"^image dist/{re.escape(ARCHIVE)} \({re.escape(human_bytes(archive.stat().st_size))}\) in [0-9.]+s$", output, re.M)
    labels = skopeo_inspect(archive)["Labels"]
    (pins,) = [line for line in _lines(output) if line.startswith(f"{PLATFORM} Python ")]
    assert f"{labels['io.hatch-aicontainer.tensorflow.package']} {labels['io.hatch-aicontainer.tensorflow']}" in pins
    assert "2 locked packages (pylock.aicontainer-py311-amd64-cpu.toml)" in pins  # six and the stand-in TensorFlow


def test_side_outputs_of_the_real_run(run):
    project, _ = run
    dist = project / "dist"
    sbom = dist / (ARCHIVE.removesuffix(".oci.tar") + ".cdx.json")
    assert json.loads(sbom.read_text())["bomFormat"] == "CycloneDX"
    documents = list(yaml.safe_load_all((dist / f"{NAME}.k8s.yaml").read_text()))
    for document in documents:
        kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)
    image = documents[0]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == f"{NAME}@{skopeo_inspect(dist / ARCHIVE)['Digest']}"


def test_quiet_prints_no_progress(tmp_path, plugin_wheelhouse, python_base_layout):
    project = make_tiny_project(tmp_path / NAME, python_base_layout.spec)
    done = _hatch(project, hatch_env(plugin_wheelhouse, tmp_path / "hatch", tmp_path / "cache"), "-q")
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stdout + done.stderr
    for marker in (PLATFORM, "image digest", "writing ", "include: left out", "run: docker load", "sbom "):
        assert marker not in output, output
    assert (project / "dist" / ARCHIVE).is_file()


def test_the_printed_command_loads_and_runs_with_the_healthcheck(run, docker_engine):
    project, output = run
    (command,) = [line for line in _lines(output) if line.startswith("run: ")]
    load, _, start = command.removeprefix("run: ").partition(" && ")
    done = subprocess.run(shlex.split(load), cwd=project, env=docker_engine.env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    argv = shlex.split(start)
    assert argv[:3] == ["docker", "run", "--rm"]
    argv[3:3] = ["--network", "none"]  # the test engine has no bridge network
    done = subprocess.run(argv, env=docker_engine.env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "tiny 1.17.0"
    inspect = subprocess.run(["docker", "inspect", TAG], env=docker_engine.env, capture_output=True, text=True, check=True)
    config = json.loads(inspect.stdout)[0]["Config"]
    assert config["Healthcheck"] == {
        "Test": ["CMD", *HEALTHCHECK["test"]],
        "Interval": 30 * 10**9,
        "Timeout": 5 * 10**9,
        "StartPeriod": 2 * 10**9,
        "Retries": 3,
    }
    assert config["User"] == "10001:10001"


def test_provenance_labels(run, python_base_layout):
    """Lock hash, base digest, git revision, plugin version and SBOM path, each checked against its source."""
    import hashlib
    from importlib.metadata import version

    project, _ = run
    labels = skopeo_inspect(project / "dist" / ARCHIVE)["Labels"]
    (lock,) = project.glob("pylock.aicontainer-*.toml")
    assert labels["io.hatch-aicontainer.lock.sha256"] == "sha256:" + hashlib.sha256(lock.read_bytes()).hexdigest()
    index = json.loads((python_base_layout.path / "index.json").read_text())
    (base,) = [m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == python_base_layout.tag]
    assert labels["org.opencontainers.image.base.digest"] == base["digest"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True).stdout.strip()
    assert labels["org.opencontainers.image.revision"] == head
    assert labels["io.hatch-aicontainer.plugin.version"] == version("hatch-aicontainer")
    sbom_path = labels["io.hatch-aicontainer.sbom"]
    assert sbom_path == f"/opt/venv/share/sbom/{NAME}.cdx.json"
