"""The .oci.tar writer, checked with independent tools (skopeo, umoci)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
from pathlib import Path

import pytest
from release_helpers import Built, assemble_image, built_from, write_archive

from hatch_aicontainer.core.errors import OutputError
from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.archive import ArchiveImage, read_archive_index, write_oci_archive
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.oci.image import ConfigChanges
from hatch_aicontainer.oci.layer import LayerEntry, write_layer

MTIME = 1580601600
TAG = "0.1.0"
NAME = f"example-project:{TAG}"
SKOPEO = "/usr/bin/skopeo"
UMOCI = "/usr/bin/umoci"


def build_image(store: BlobStore, platform: Platform, text: str) -> ArchiveImage:
    layers = [
        write_layer([LayerEntry("app/hello.txt", "file", data=text.encode())], store, mtime=MTIME),
        write_layer([LayerEntry("app/run.sh", "file", 0o755, data=b"#!/bin/sh\ncat /app/hello.txt\n")], store,
                    mtime=MTIME, compression="none"),
    ]
    changes = ConfigChanges(env={"PATH": "/usr/bin:/bin"}, entrypoint=None, cmd=["/app/run.sh"], workdir="/app",
                            user=None, exposed_ports=[], labels={"org.opencontainers.image.version": TAG})
    return assemble_image(store, platform, changes, [(layer, "app") for layer in layers], created=MTIME)


@pytest.fixture
def single(tmp_path: Path) -> Built:
    store = BlobStore(tmp_path / "store")
    return built_from(store, [build_image(store, Platform("linux", "amd64"), "hello from the image\n")])


@pytest.fixture
def multi(tmp_path: Path) -> Built:
    store = BlobStore(tmp_path / "store")
    images = [build_image(store, Platform("linux", "amd64"), "amd64\n"), build_image(store, Platform("linux", "arm64"), "arm64\n")]
    return built_from(store, images)


def write(built: Built, destination: Path) -> Path:
    return write_archive(built, destination, tags=(NAME,), mtime=MTIME)  # ref name: TAG


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def sha256_file(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.e2e
def test_skopeo_inspects_the_archive(single: Built, tmp_path: Path) -> None:
    archive = write(single, tmp_path / "dist" / "example.oci.tar")
    info = json.loads(run(SKOPEO, "inspect", f"oci-archive:{archive}"))
    assert info["Digest"] == single.root.digest
    assert info["Layers"] == [layer.digest for layer in single.images[0].layers]
    assert (info["Os"], info["Architecture"]) == ("linux", "amd64")
    assert info["Labels"] == {"org.opencontainers.image.version": TAG}
    by_ref = json.loads(run(SKOPEO, "inspect", f"oci-archive:{archive}:{TAG}"))
    assert by_ref["Digest"] == single.root.digest


@pytest.mark.e2e
def test_umoci_unpacks_the_layout_and_verifies_digests(single: Built, tmp_path: Path) -> None:
    archive = write(single, tmp_path / "example.oci.tar")
    layout = tmp_path / "layout"
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 (PEP 706)
            tar.extractall(layout, filter="data")
        else:
            tar.extractall(layout)
    bundle = tmp_path / "bundle"
    run(UMOCI, "unpack", "--rootless", "--image", f"{layout}:{TAG}", str(bundle))
    rootfs = bundle / "rootfs"
    assert (rootfs / "app" / "hello.txt").read_text() == "hello from the image\n"
    assert (rootfs / "app" / "run.sh").stat().st_mode & 0o777 == 0o755
    runtime = json.loads((bundle / "config.json").read_text())
    assert runtime["process"]["args"] == ["/app/run.sh"]
    assert runtime["process"]["cwd"] == "/app"


@pytest.mark.e2e
def test_skopeo_copy_round_trip(single: Built, tmp_path: Path) -> None:
    archive = write(single, tmp_path / "example.oci.tar")
    out = tmp_path / "copied"
    run(SKOPEO, "--insecure-policy", "copy", "--quiet", f"oci-archive:{archive}", f"dir:{out}")
    assert sha256_file(out / "manifest.json") == single.root.digest  # copied verbatim
    image = single.images[0]
    for descriptor in (image.config, *image.layers):
        copied = out / descriptor.digest.split(":")[1]
        assert sha256_file(copied) == descriptor.digest and copied.stat().st_size == descriptor.size


def test_archive_layout_and_docker_manifest(single: Built, tmp_path: Path) -> None:
    archive = write(single, tmp_path / "example.oci.tar")
    image = single.images[0]
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        files = {m.name: tar.extractfile(m).read() for m in members if m.isfile()}  # type: ignore[union-attr]
    names = [m.name for m in members]
    # the layers bottom to top (what changes least first, so a rebuild keeps that prefix), then
    # the config and the manifest (the root), then the two documents that name the root
    in_order = [*(l.digest for l in image.layers), image.config.digest, single.root.digest]
    assert names == ["oci-layout", "blobs", "blobs/sha256", *("blobs/sha256/" + d[7:] for d in in_order),
                     "index.json", "manifest.json"]
    for member in members:
        assert (member.uid, member.gid, member.uname, member.gname, member.mtime) == (0, 0, "", "", MTIME)
        assert member.mode == (0o755 if member.isdir() else 0o644)
    for name, data in files.items():
        if name.startswith("blobs/"):
            assert "sha256:" + hashlib.sha256(data).hexdigest() == "sha256:" + name.rsplit("/", 1)[1]
    assert json.loads(files["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    assert json.loads(files["manifest.json"]) == [{
        "Config": "blobs/sha256/" + image.config.digest[7:],
        "RepoTags": [NAME],
        "Layers": ["blobs/sha256/" + l.digest[7:] for l in image.layers],
    }]
    index = read_archive_index(archive)
    assert index == json.loads(files["index.json"])
    assert index["mediaType"] == mediatypes.OCI_INDEX and index["schemaVersion"] == 2
    (entry,) = index["manifests"]
    assert (entry["digest"], entry["size"], entry["mediaType"]) == (single.root.digest, single.root.size, mediatypes.OCI_MANIFEST)
    assert entry["annotations"] == {"org.opencontainers.image.ref.name": TAG, "io.containerd.image.name": NAME}
    assert archive.stat().st_mode & 0o777 == 0o644


def test_archive_is_byte_identical_when_written_twice(single: Built, tmp_path: Path) -> None:
    first = write(single, tmp_path / "a" / "x.oci.tar")
    second = write(single, tmp_path / "b" / "x.oci.tar")
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.e2e
def test_multi_platform_index(multi: Built, tmp_path: Path) -> None:
    archive = write(multi, tmp_path / "multi.oci.tar")
    raw = run(SKOPEO, "inspect", "--raw", f"oci-archive:{archive}")
    assert "sha256:" + hashlib.sha256(raw.encode()).hexdigest() == multi.root.digest
    arm = json.loads(run(SKOPEO, "--override-arch", "arm64", "inspect", f"oci-archive:{archive}"))
    assert arm["Digest"] == multi.root.digest  # skopeo reports the index digest ...
    assert arm["Architecture"] == "arm64"
    assert arm["Layers"] == [layer.digest for layer in multi.images[1].layers]  # ... and the arm64 image
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        docker_manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    for image in multi.images:
        for descriptor in (image.manifest, image.config, *image.layers):
            assert "blobs/sha256/" + descriptor.digest[7:] in names
    assert len(docker_manifest) == 1  # docker load cannot pick a platform: the first image only
    assert docker_manifest[0]["Config"] == "blobs/sha256/" + multi.images[0].config.digest[7:]
    (entry,) = read_archive_index(archive)["manifests"]
    assert entry["digest"] == multi.root.digest and entry["mediaType"] == mediatypes.OCI_INDEX


def test_images_must_match_the_root(multi: Built, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="do not match"):
        write_oci_archive(tmp_path / "x.oci.tar", multi.store, root=multi.root, images=multi.images[:1],
                          ref_name=TAG, repo_tags=[NAME], mtime=MTIME)
    assert not (tmp_path / "x.oci.tar").exists()


@pytest.mark.parametrize("existing", [False, True])
def test_failed_write_leaves_nothing_behind(single: Built, tmp_path: Path, existing: bool) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    destination = dist / "example.oci.tar"
    if existing:
        destination.write_bytes(b"previous build")
    single.store.path(single.images[0].layers[-1].digest).unlink()  # a blob vanished from the store
    with pytest.raises(OutputError, match="missing from the store"):
        write(single, destination)
    if existing:
        assert destination.read_bytes() == b"previous build"
        assert [p.name for p in dist.iterdir()] == [destination.name]
    else:
        assert list(dist.iterdir()) == []
