"""A base image with hostile layers cannot write outside the build's folders.

For each case of tests/hostile.py (``../`` and absolute names, symlinks then
writes through them, hard links out, device nodes and FIFOs, setuid bits,
whiteouts naming paths outside), the offline Debian Python base gets one
hostile layer on top and the tiny project is built on it by a real
``python -m hatchling build -t container`` process. Every case is served as
an ``oci:`` layout; the layer holding every case at once is also served as
``oci-archive:``, ``docker-archive:`` and from the loopback registry.

After each build: it ended with an archive or one ``error:`` line naming the
image, the layer and the entry (never a traceback); the markers planted
outside every work folder are unchanged; no device node, FIFO or setuid file
exists in the project, the cache, ``dist/`` or ``TMPDIR``; and the image's
base layers are the hostile base's layers, byte for byte (digests).
Bytecode is required (``AICONTAINER_BYTECODE=on``), so the one replay of the
base's layers both finds its Python and unpacks the interpreter to compile with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import base_images
import hostile
import pytest
from trust_fixtures import make_tiny_project

pytestmark = pytest.mark.e2e


#: cases the unpacker defuses (and counts) rather than refuses, with the reason it names
CONTAINED_WITH_A_COUNT = {"devices": "device nodes, FIFOs or sockets", "setuid": "setuid/setgid/sticky bits dropped"}


@pytest.fixture(scope="module")
def shared_cache(module_tmp) -> Path:
    """One plugin cache for the module: the dependency layer is built once."""
    return module_tmp.mktemp("hostile-cache")


def _manifest_layers(archive: Path) -> list[str]:
    """Layer digests of the archive's single image, read with tarfile and json only."""
    with tarfile.open(archive) as tar:
        def document(digest: str) -> dict:
            return json.loads(tar.extractfile("blobs/" + digest.replace(":", "/")).read())  # type: ignore[union-attr]

        top = json.loads(tar.extractfile("index.json").read())  # type: ignore[union-attr]
        manifest = document(top["manifests"][0]["digest"])
        if "manifests" in manifest:
            manifest = document(manifest["manifests"][0]["digest"])
        return [layer["digest"] for layer in manifest["layers"]]


def _build(tmp_path: Path, spec: str, cache: Path, bytecode: str) -> tuple[subprocess.CompletedProcess, Path]:
    project = make_tiny_project(tmp_path / "project", spec, git=False, tool={"include": [], "kubernetes": {}})
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AICONTAINER_", "DOCKER_"))}
    env.update(AICONTAINER_CACHE_DIR=str(cache), AICONTAINER_BYTECODE=bytecode, TMPDIR=str(scratch),
               SOURCE_DATE_EPOCH="1700000000")
    run = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "container"], cwd=project, env=env,
                         capture_output=True, text=True, timeout=900)
    return run, project


def _assert_contained(run, project: Path, cache: Path, tmp_path: Path, markers: hostile.Markers, before: dict,
                      base_layers: list[str]) -> None:
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output[-3000:]
    assert hostile.snapshot(markers.root) == before, "a marker outside the work folders changed"
    work = (project, cache, tmp_path / "tmp")
    assert hostile.special_files(*work) == []
    assert hostile.setuid_files(*work) == []
    archives = sorted((project / "dist").glob("*.oci.tar")) if (project / "dist").exists() else []
    if run.returncode == 0:
        (archive,) = archives
        layers = _manifest_layers(archive)
        assert layers[: len(base_layers)] == base_layers  # the base's layers untouched
    else:
        errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, run.stderr[-3000:]
        assert archives == []


def _hostile_layout(tmp_path: Path, markers: hostile.Markers, layer: bytes) -> tuple[Path, str, list[str]]:
    cached, tag = base_images.ensure_python_base_layout()
    return hostile.hostile_base_layout(cached, tag, tmp_path / "hostile-layout", layer)


@pytest.mark.parametrize("case", sorted(hostile.LAYER_CASES))
def test_hostile_layer_in_an_oci_layout(case, tmp_path, shared_cache):
    markers = hostile.plant_markers(tmp_path / "outside")
    before = hostile.snapshot(markers.root)
    layout, tag, layers = _hostile_layout(tmp_path, markers, hostile.LAYER_CASES[case](markers))
    run, project = _build(tmp_path, f"oci:{layout}:{tag}", shared_cache, "on")
    _assert_contained(run, project, shared_cache, tmp_path, markers, before, layers)
    if run.returncode != 0:  # refused: the line names the image, the hostile layer and the entry
        (line,) = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
        assert str(layout) in line and layers[-1][:19] in line and "entry" in line, line
    if case in CONTAINED_WITH_A_COUNT:  # defused: the build says what it left out
        assert run.returncode == 0, run.stderr[-3000:]
        assert "base layer entries contained: " in run.stdout + run.stderr
        assert CONTAINED_WITH_A_COUNT[case] in run.stdout + run.stderr


@pytest.mark.parametrize("source", ["oci-archive", "docker-archive", "registry"])
def test_every_hostile_entry_from_each_kind_of_source(source, tmp_path, shared_cache, registry):
    markers = hostile.plant_markers(tmp_path / "outside")
    before = hostile.snapshot(markers.root)
    layout, tag, layers = _hostile_layout(tmp_path, markers, hostile.every_case(markers))
    if source == "oci-archive":
        spec = f"oci-archive:{hostile.as_oci_archive(layout, tmp_path / 'hostile.tar')}:{tag}"
    elif source == "docker-archive":
        spec = f"docker-archive:{hostile.as_docker_archive(layout, tag, tmp_path / 'hostile-docker.tar')}"
        layers = None  # docker-archive layers are uncompressed tars: their digests are the diff_ids
    else:
        spec = base_images.push_layout(layout, tag, registry.host, f"hostile/base:{tag}")
    run, project = _build(tmp_path, spec, shared_cache, "on")
    if layers is None:
        with tarfile.open(tmp_path / "hostile-docker.tar") as tar:
            names = json.loads(tar.extractfile("manifest.json").read())[0]["Layers"]  # type: ignore[union-attr]
            import hashlib

            layers = ["sha256:" + hashlib.sha256(tar.extractfile(n).read()).hexdigest() for n in names]  # type: ignore[union-attr]
    _assert_contained(run, project, shared_cache, tmp_path, markers, before, layers)


@pytest.mark.parametrize("target", ["victim", "dev-zero"])
def test_a_symlinked_blob_in_an_oci_layout_base_is_refused(target, tmp_path, shared_cache):
    """oci:PATH is read like any layout we did not write: a blob that is a symlink is never followed
    (to a host file, or to /dev/zero, which would never end)."""
    markers = hostile.plant_markers(tmp_path / "outside")
    before = hostile.snapshot(markers.root)
    layout, tag, layers = _hostile_layout(tmp_path, markers, hostile.LAYER_CASES["setuid"](markers))
    blob = layout / "blobs" / "sha256" / layers[-1].split(":", 1)[1]
    blob.unlink()
    os.symlink(markers.victim if target == "victim" else "/dev/zero", blob)
    cache = tmp_path / "own-cache"  # the shared cache already holds that layer (content addressed): it would not be read
    run, project = _build(tmp_path, f"oci:{layout}:{tag}", cache, "on")
    _assert_contained(run, project, cache, tmp_path, markers, before, layers)
    assert run.returncode != 0
    assert "is a symbolic link; refused" in run.stderr, run.stderr[-2000:]
