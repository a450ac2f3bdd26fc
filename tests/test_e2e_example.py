"""End to end: `hatch build -t container` on the example project, judged by independent tools.

Real parts only: hatch with an isolated build environment that installs this
checkout's plugin, uv and PyPI for TensorFlow, a registry on loopback serving a
debootstrap-made Python 3.11 base image, skopeo and umoci to inspect the
archive, and a real Docker engine to load and run it.
"""

from __future__ import annotations

import filecmp
import json
import re
import subprocess

import pytest
from e2e_helpers import EXAMPLE, copy_project, hatch_build, hatch_env, skopeo_inspect, umoci_unpack

pytestmark = pytest.mark.e2e

PYTHON = "3.11"
TENSORFLOW = "2.16.1"
ARCHIVE = "example_project-0.1.0-py311-tf2.16.1-cpu-amd64.oci.tar"


@pytest.fixture(scope="module")
def built(module_tmp, plugin_wheelhouse, base_image_ref):
    """The example project built once, as a user would."""
    root = module_tmp.mktemp("e2e-first")
    project = copy_project(EXAMPLE, root / "example_project")
    env = hatch_env(plugin_wheelhouse, root / "hatch", root / "cache", AICONTAINER_BASE_IMAGE=base_image_ref)
    run = hatch_build(project, env)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def test_archive_is_named_and_printed(built):
    assert [a.name for a in built.archives] == [ARCHIVE]
    sbom = ARCHIVE.replace(".oci.tar", ".cdx.json")
    # the archive, the files pipelines read, the SBOM; nothing half-written beside them
    assert built.dist_entries == sorted([ARCHIVE, ARCHIVE + ".json", ARCHIVE + ".digest", sbom])
    output = built.stdout + built.stderr
    assert ARCHIVE in output
    manifest_digest = skopeo_inspect(built.archives[0])["Digest"]
    assert manifest_digest in output
    dist = built.project / "dist"
    assert (dist / (ARCHIVE + ".digest")).read_text().strip() == manifest_digest
    assert json.loads((dist / (ARCHIVE + ".json")).read_text())["digest"] == manifest_digest


def test_skopeo_reads_the_pins_from_the_archive(built):
    info = skopeo_inspect(built.archives[0])
    labels = info["Labels"]
    assert re.fullmatch(r"3\.11\.\d+", labels["io.hatch-aicontainer.python"])  # the base's interpreter, probed
    assert labels["io.hatch-aicontainer.tensorflow"] == TENSORFLOW
    assert labels["org.opencontainers.image.title"] == "example-project"
    assert labels["org.opencontainers.image.version"] == "0.1.0"
    assert info["Architecture"] == "amd64" and info["Os"] == "linux"
    config = skopeo_inspect(built.archives[0], config=True)["config"]
    assert config["Entrypoint"] == ["example-project"]
    assert config["User"] == "10001:10001"
    assert config["WorkingDir"] == "/app"
    assert "VIRTUAL_ENV=/opt/venv" in config["Env"] and "TF_CPP_MIN_LOG_LEVEL=2" in config["Env"]
    raw = skopeo_inspect(built.archives[0], raw=True)
    assert raw["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    # base layer(s), dependencies, project, include files
    assert len(raw["layers"]) >= 4


def test_umoci_unpacks_a_complete_filesystem(built, tmp_path):
    rootfs = umoci_unpack(built.archives[0], tmp_path, "0.1.0")
    site = rootfs / "opt/venv/lib/python3.11/site-packages"
    assert (site / "tensorflow").is_dir()
    assert (site / "example_project" / "cli.py").is_file()
    assert (rootfs / "opt/venv/bin/example-project").read_text().startswith("#!/opt/venv/bin/python\n")
    assert json.loads((rootfs / "app/models/linear.json").read_text()) == {"kernel": [[2.0]], "bias": [1.0]}
    assert "home = /usr/bin" in (rootfs / "opt/venv/pyvenv.cfg").read_text()
    # one TensorFlow distribution: the project requires the name tensorflow, so that is what is installed
    assert sorted(p.name for p in site.glob("tensorflow*.dist-info") if "io_gcs" not in p.name) == ["tensorflow-2.16.1.dist-info"]


def test_docker_loads_and_runs_it(built, docker_engine, request):
    archive = built.archives[0]
    request.addfinalizer(lambda: docker_engine.docker("rmi", "-f", "example-project:0.1.0", check=False))
    load = subprocess.run(["docker", "load", "-i", str(archive)], env=docker_engine.env, capture_output=True, text=True, timeout=900)
    assert load.returncode == 0, load.stderr
    assert "example-project:0.1.0" in load.stdout
    run = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "example-project:0.1.0", "4", "5"],
        env=docker_engine.env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["python"].startswith(PYTHON + ".")
    assert skopeo_inspect(archive)["Labels"]["io.hatch-aicontainer.python"] == report["python"]  # the label is the image's
    assert report["tensorflow"] == TENSORFLOW
    assert report["predictions"] == [9.0, 11.0]
    whoami = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "--entrypoint", "id", "example-project:0.1.0", "-u"],
        env=docker_engine.env, capture_output=True, text=True, timeout=900,
    )
    assert whoami.stdout.strip() == "10001"
    home = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "--entrypoint", "sh", "example-project:0.1.0",
         "-c", 'touch "$HOME/written" && echo "$HOME"'],
        env=docker_engine.env, capture_output=True, text=True, timeout=900,
    )
    assert home.returncode == 0 and home.stdout.strip() == "/app", home.stderr


def test_same_inputs_same_digest(built, tmp_path, plugin_wheelhouse, base_image_ref):
    """A second build elsewhere, with empty caches, gives the same manifest digest."""
    project = copy_project(EXAMPLE, tmp_path / "elsewhere" / "example_project")
    env = hatch_env(plugin_wheelhouse, tmp_path / "hatch", tmp_path / "cache", AICONTAINER_BASE_IMAGE=base_image_ref)
    run = hatch_build(project, env)
    assert run.returncode == 0, run.stderr[-3000:]
    first = skopeo_inspect(built.archives[0])["Digest"]
    second = skopeo_inspect(run.archives[0])["Digest"]
    assert first == second
    assert filecmp.cmp(built.archives[0], run.archives[0], shallow=False)
