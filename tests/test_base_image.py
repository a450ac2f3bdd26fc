"""resolve_base_image on images written by umoci/skopeo: registry (open, auth, offline), oci:, oci-archive:, docker-archive:."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import registry_helpers as rh
from environments import registry_access

from hatch_aicontainer.build.base.resolve import BaseImage, resolve_base_image
from hatch_aicontainer.core.errors import BaseImageError
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.registry.reference import BaseImageSpec


def resolve(spec: str, *args, **kwargs):
    """``resolve_base_image`` of a spec written as text (parsed as the settings parse it)."""
    return resolve_base_image(BaseImageSpec.parse(spec), *args, **kwargs, access=registry_access())


AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64")
PASSWORD = "base-image-pw-9Kd"
STATUS = b"Package: python3.11\nStatus: install ok installed\nVersion: 3.11.2-6+deb12u6\n\n"


pytestmark = pytest.mark.usefixtures("no_ambient_settings")


@pytest.fixture(scope="module")
def layout(tmp_path_factory, oci_tools) -> Path:
    """amd64 and arm64 images (different content) and a two-platform index "multi"."""
    path = tmp_path_factory.mktemp("layout") / "oci"
    for arch in ("amd64", "arm64"):
        rh.build_image(
            path,
            arch,
            [{"etc/os-release": b"ID=test\n"}, {"usr/bin/python3.11": arch.encode(), "var/lib/dpkg/status": STATUS}],
            arch=arch,
        )
    rh.add_index(path, "multi", {"linux/amd64": "amd64", "linux/arm64/v8": "arm64"})
    return path


def _index_digest(layout: Path, tag: str) -> str:
    return rh.manifest_digest(layout, tag)


def _blob(layout: Path, digest: str) -> dict:
    return json.loads((layout / "blobs" / "sha256" / digest.split(":")[1]).read_text())


@pytest.fixture(scope="module")
def open_registry(tmp_path_factory, layout):
    reg = rh.start_registry(tmp_path_factory.mktemp("registry"))
    try:
        rh.skopeo_copy(f"oci:{layout}:multi", f"docker://{reg.host}/library/python:multi", "--all")
        rh.skopeo_copy(f"oci:{layout}:amd64", f"docker://{reg.host}/library/python:single")
        rh.skopeo_copy(f"oci:{layout}:amd64", f"docker://{reg.host}/library/dockerish:single", "--format", "v2s2")
        yield reg
    finally:
        reg.stop()


def assert_complete(image: BaseImage, store: BlobStore) -> None:
    """Every blob the image names is in the store and verifies; layers are OCI typed with config diff_ids."""
    assert store.verify(image.manifest_digest)
    if image.index_digest:
        assert store.verify(image.index_digest)
    assert [layer.diff_id for layer in image.layers] == image.config["rootfs"]["diff_ids"]
    for layer in image.layers:
        assert layer.descriptor.media_type in (mt.OCI_LAYER_GZIP, mt.OCI_LAYER_TAR, mt.OCI_LAYER_ZSTD)
        assert store.verify(layer.descriptor.digest)
        assert store.path(layer.descriptor.digest).stat().st_size == layer.descriptor.size


# -- registry ---------------------------------------------------------------------


@pytest.mark.parametrize(("platform", "arch"), [(AMD64, "amd64"), (ARM64, "arm64"), (Platform("linux", "arm64", "v8"), "arm64")])
def test_registry_index_picks_the_platform(open_registry, layout, tmp_path, platform, arch):
    store = BlobStore(tmp_path / "store")
    spec = f"{open_registry.host}/library/python:multi"
    image = resolve(spec, platform, store)
    index_digest = _index_digest(layout, "multi")
    assert str(image.spec) == spec
    assert image.index_digest == index_digest
    assert image.manifest_digest == rh.manifest_digest(layout, arch)
    assert image.canonical == f"{open_registry.host}/library/python:multi@{index_digest}"
    assert image.config["architecture"] == arch
    assert len(image.layers) == 2
    assert_complete(image, store)


def test_registry_index_without_the_platform(open_registry, tmp_path):
    spec = f"{open_registry.host}/library/python:multi"
    with pytest.raises(BaseImageError) as info:
        resolve(spec, Platform("linux", "s390x"), BlobStore(tmp_path / "store"))
    assert str(info.value) == f'base-image "{spec}" has no linux/s390x image (it has linux/amd64, linux/arm64/v8)'


def test_registry_single_manifest_checks_config_platform(open_registry, layout, tmp_path):
    store = BlobStore(tmp_path / "store")
    spec = f"docker://{open_registry.host}/library/python:single"
    image = resolve(spec, AMD64, store)
    assert image.index_digest is None
    assert image.manifest_digest == rh.manifest_digest(layout, "amd64")
    assert image.canonical == f"{open_registry.host}/library/python:single@{image.manifest_digest}"
    assert_complete(image, store)
    with pytest.raises(BaseImageError) as info:
        resolve(spec, ARM64, store)
    assert str(info.value) == f'base-image "{spec}" is linux/amd64, not linux/arm64'


def test_registry_docker_media_types_are_relabelled(open_registry, layout, tmp_path):
    store = BlobStore(tmp_path / "store")
    image = resolve(f"{open_registry.host}/library/dockerish:single", AMD64, store)
    manifest = json.loads(store.read_bytes(image.manifest_digest))
    assert manifest["mediaType"] == mt.DOCKER_MANIFEST
    assert {layer["mediaType"] for layer in manifest["layers"]} == {mt.DOCKER_LAYER_GZIP}
    assert {layer.descriptor.media_type for layer in image.layers} == {mt.OCI_LAYER_GZIP}
    # same bytes as the OCI original: only the labels changed
    original = _blob(layout, rh.manifest_digest(layout, "amd64"))
    assert [layer.descriptor.digest for layer in image.layers] == [layer["digest"] for layer in original["layers"]]
    assert_complete(image, store)


def test_registry_missing_tag(open_registry, tmp_path):
    spec = f"{open_registry.host}/library/python:absent"
    with pytest.raises(BaseImageError) as info:
        resolve(spec, AMD64, BlobStore(tmp_path / "store"))
    assert str(info.value) == (
        f'base-image "{spec}" cannot be fetched: registry {open_registry.host} has no manifest library/python:absent (404)'
    )


def test_invalid_reference():
    """An invalid reference never reaches the resolver: the spec it takes is parsed (settings refuse it)."""
    with pytest.raises(ValueError, match="not an image reference"):
        BaseImageSpec.parse("nope:://x")


def test_unreachable_registry(tmp_path):
    port = rh.free_port()
    spec = f"127.0.0.1:{port}/library/python:3.11"
    with pytest.raises(BaseImageError) as info:
        resolve(spec, AMD64, BlobStore(tmp_path / "store"))
    assert str(info.value) == (
        f'base-image "{spec}" cannot be fetched: cannot reach registry 127.0.0.1:{port} (connection refused)'
    )


def test_registry_with_htpasswd(tmp_path, layout, monkeypatch):
    reg = rh.start_registry(tmp_path / "registry", auth=("alice", PASSWORD))
    try:
        rh.skopeo_copy(f"oci:{layout}:multi", f"docker://{reg.host}/library/python:3.11", "--all",
                       creds=f"alice:{PASSWORD}")
        spec = f"{reg.host}/library/python:3.11"
        store = BlobStore(tmp_path / "store")

        with pytest.raises(BaseImageError) as info:
            resolve(spec, AMD64, store)
        assert str(info.value).startswith(
            f'base-image "{spec}" cannot be fetched: registry {reg.host} denied anonymous access to library/python (401'
        )

        monkeypatch.setenv("AICONTAINER_REGISTRY_USERNAME", "alice")
        monkeypatch.setenv("AICONTAINER_REGISTRY_PASSWORD", "not-" + PASSWORD)
        with pytest.raises(BaseImageError) as info:
            resolve(spec, AMD64, store)
        assert str(info.value) == (
            f'base-image "{spec}" cannot be fetched: registry {reg.host} refused the credentials for library/python (401)'
        )
        assert PASSWORD not in str(info.value)

        monkeypatch.setenv("AICONTAINER_REGISTRY_PASSWORD", PASSWORD)
        image = resolve(spec, ARM64, store)
        assert image.manifest_digest == rh.manifest_digest(layout, "arm64")
        assert_complete(image, store)
    finally:
        reg.stop()


def test_cache_reuse_and_offline_rebuild_by_digest(tmp_path, layout):
    reg = rh.start_registry(tmp_path / "registry")
    store = BlobStore(tmp_path / "store")
    try:
        rh.skopeo_copy(f"oci:{layout}:multi", f"docker://{reg.host}/library/python:3.11", "--all")
        spec = f"{reg.host}/library/python:3.11"
        first = resolve(spec, AMD64, store)
        blobs = reg.requests_served("GET", "/v2/library/python/blobs/")
        by_tag = reg.requests_served("GET", "/v2/library/python/manifests/3.11")
        by_digest = reg.requests_served("GET", "/v2/library/python/manifests/sha256:")
        assert blobs == 3 and by_tag == 1 and by_digest == 1  # config + 2 layers; index; amd64 manifest

        second = resolve(spec, AMD64, store)
        assert second == first
        # the tag is asked for again (tags move); nothing else is downloaded
        assert reg.requests_served("GET", "/v2/library/python/manifests/3.11") == by_tag + 1
        assert reg.requests_served("GET", "/v2/library/python/manifests/sha256:") == by_digest
        assert reg.requests_served("GET", "/v2/library/python/blobs/") == blobs

        # a pinned digest needs no registry at all once cached
        pinned = f"{reg.host}/library/python:3.11@{first.index_digest}"
        served = len(reg.log_text())
        offline = resolve(pinned, AMD64, store)
        assert len(reg.log_text()) == served
    finally:
        reg.stop()
    assert (offline.manifest_digest, offline.layers, offline.config) == (first.manifest_digest, first.layers, first.config)
    assert offline.canonical == first.canonical
    # registry gone: the pinned digest still resolves from the cache; a tag, or a platform
    # whose blobs were never fetched, cannot
    again = resolve(f"{reg.host}/library/python@{first.index_digest}", AMD64, store)
    assert again.manifest_digest == first.manifest_digest
    with pytest.raises(BaseImageError, match="cannot reach registry .* \\(connection refused\\)"):
        resolve(spec, AMD64, store)
    with pytest.raises(BaseImageError, match="cannot reach registry"):
        resolve(pinned, ARM64, store)  # arm64 blobs were never fetched


def test_corrupt_cached_layer_is_fetched_again(tmp_path, open_registry):
    store = BlobStore(tmp_path / "store")
    spec = f"{open_registry.host}/library/python:multi"
    image = resolve(spec, AMD64, store)
    digest = image.layers[-1].descriptor.digest
    store.path(digest).write_bytes(b"bit rot")
    again = resolve(spec, AMD64, store)
    assert again == image
    assert store.verify(digest)


# -- oci: -------------------------------------------------------------------------------


def test_oci_layout_with_tag(layout, tmp_path):
    store = BlobStore(tmp_path / "store")
    image = resolve(f"oci:{layout}:multi", ARM64, store)
    index_digest = _index_digest(layout, "multi")
    assert image.index_digest == index_digest
    assert image.manifest_digest == rh.manifest_digest(layout, "arm64")
    assert image.canonical == f"oci:{layout}:multi@{index_digest}"
    assert_complete(image, store)

    single = resolve(f"oci:{layout}:amd64", AMD64, store)
    assert single.index_digest is None
    assert single.canonical == f"oci:{layout}:amd64@{single.manifest_digest}"


def test_oci_layout_relative_to_root(layout, tmp_path):
    image = resolve(f"oci:{layout.name}:amd64", AMD64, BlobStore(tmp_path / "store"), root=layout.parent)
    assert image.manifest_digest == rh.manifest_digest(layout, "amd64")


def test_oci_layout_needs_a_tag_when_it_holds_several(layout, tmp_path):
    with pytest.raises(BaseImageError) as info:
        resolve(f"oci:{layout}", AMD64, BlobStore(tmp_path / "store"))
    assert "holds 3 images" in str(info.value) and "amd64, arm64, multi" in str(info.value)


def test_oci_layout_unknown_tag(layout, tmp_path):
    with pytest.raises(BaseImageError) as info:
        resolve(f"oci:{layout}:nope", AMD64, BlobStore(tmp_path / "store"))
    assert str(info.value) == f'base-image "oci:{layout}:nope": no image tagged "nope" in {layout} (tags: amd64, arm64, multi)'


@pytest.mark.e2e
def test_oci_layout_single_image_without_tag(tmp_path):
    path = tmp_path / "one"
    digest = rh.build_image(path, "only", [{"usr/local/bin/python3.12": b""}])
    image = resolve(f"oci:{path}", AMD64, BlobStore(tmp_path / "store"))
    assert image.manifest_digest == digest


def test_no_such_oci_layout(tmp_path):
    with pytest.raises(BaseImageError) as info:
        resolve(f"oci:{tmp_path}/x", AMD64, BlobStore(tmp_path / "store"))
    assert str(info.value).startswith(f'base-image "oci:{tmp_path}/x": no such OCI layout')


def test_oci_layout_with_missing_blob(tmp_path, layout):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(layout, copy)
    manifest = _blob(copy, rh.manifest_digest(copy, "amd64"))
    missing = manifest["layers"][0]["digest"]
    (copy / "blobs" / "sha256" / missing.split(":")[1]).unlink()
    with pytest.raises(BaseImageError) as info:
        resolve(f"oci:{copy}:amd64", AMD64, BlobStore(tmp_path / "store"))
    assert f"blob {missing[:19]} is missing from {copy}" in str(info.value)


def test_oci_layout_with_corrupt_blob(tmp_path, layout):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(layout, copy)
    manifest = _blob(copy, rh.manifest_digest(copy, "amd64"))
    bad = manifest["layers"][1]["digest"]
    path = copy / "blobs" / "sha256" / bad.split(":")[1]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    store = BlobStore(tmp_path / "store")
    with pytest.raises(BaseImageError, match="does not match its digest"):
        resolve(f"oci:{copy}:amd64", AMD64, store)
    assert not store.has(bad)


# -- oci-archive: and docker-archive: --------------------------------------------------------


def test_oci_archive(layout, tmp_path):
    archive = tmp_path / "image.tar"
    rh.skopeo_copy(f"oci:{layout}:multi", f"oci-archive:{archive}:py", "--all")
    store = BlobStore(tmp_path / "store")
    image = resolve(f"oci-archive:{archive}:py", ARM64, store)
    assert image.manifest_digest == rh.manifest_digest(layout, "arm64")
    assert image.index_digest == _index_digest(layout, "multi")
    assert_complete(image, store)
    # one image in the archive: the tag may be left out
    assert resolve(f"oci-archive:{archive}", AMD64, store).manifest_digest == rh.manifest_digest(layout, "amd64")
    with pytest.raises(BaseImageError, match="no such file"):
        resolve(f"oci-archive:{tmp_path}/absent.tar", AMD64, store)


def test_docker_archive(layout, tmp_path):
    archive = tmp_path / "saved.tar"
    rh.skopeo_copy(f"oci:{layout}:amd64", f"docker-archive:{archive}:library/python:3.11")
    store = BlobStore(tmp_path / "store")
    image = resolve(f"docker-archive:{archive}", AMD64, store)
    original = _blob(layout, rh.manifest_digest(layout, "amd64"))
    original_config = _blob(layout, original["config"]["digest"])
    assert image.config["rootfs"] == original_config["rootfs"]
    assert image.index_digest is None
    assert image.canonical == f"docker-archive:{archive}@{image.manifest_digest}"
    # docker save layers are uncompressed tars: their digest is the diff_id
    for layer in image.layers:
        assert layer.descriptor.media_type == mt.OCI_LAYER_TAR
        assert layer.descriptor.digest == layer.diff_id
    assert_complete(image, store)
    manifest = json.loads(store.read_bytes(image.manifest_digest))
    assert manifest["mediaType"] == mt.OCI_MANIFEST
    assert [entry["digest"] for entry in manifest["layers"]] == [layer.diff_id for layer in image.layers]

    # the same archive chosen by name, by number, twice: same manifest digest (deterministic)
    for selector in ("library/python:3.11", "python:3.11", "@0"):
        again = resolve(f"docker-archive:{archive}:{selector}", AMD64, store)
        assert again.manifest_digest == image.manifest_digest
    with pytest.raises(BaseImageError, match='no image "python:3.12"'):
        resolve(f"docker-archive:{archive}:python:3.12", AMD64, store)
    with pytest.raises(BaseImageError) as info:
        resolve(f"docker-archive:{archive}", ARM64, store)
    assert str(info.value) == f'base-image "docker-archive:{archive}" is linux/amd64, not linux/arm64'


def test_docker_archive_that_is_not_one(tmp_path):
    bogus = tmp_path / "bogus.tar"
    bogus.write_bytes(os.urandom(100))
    with pytest.raises(BaseImageError, match="not a readable tar file"):
        resolve(f"docker-archive:{bogus}", AMD64, BlobStore(tmp_path / "store"))


# -- one reader for base images and for archives to push or load ----------------------------


def _copy_tar(source: Path, target: Path, extra=(), rename: dict | None = None) -> None:
    """``source``'s members into ``target`` (``rename``: new bytes for some members), then ``extra`` members."""
    import io
    import tarfile

    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            if rename and member.name in rename:
                data = rename[member.name]
                member.size = len(data)
            new.addfile(member, io.BytesIO(data) if data is not None else None)
        for member, data in extra:
            new.addfile(member, io.BytesIO(data) if data is not None else None)


def test_base_images_and_push_read_layouts_with_one_reader(layout, tmp_path):
    import tarfile

    from hatch_aicontainer.oci.reader import MAX_ARCHIVE_ENTRIES, ArchiveError, open_image

    archive = tmp_path / "image.tar"
    rh.skopeo_copy(f"oci:{layout}:amd64", f"oci-archive:{archive}:py")
    image = resolve(f"oci-archive:{archive}", AMD64, BlobStore(tmp_path / "store"))
    with open_image(archive) as opened:
        assert [m.descriptor.digest for m in opened.images] == [image.manifest_digest]

    # the same image, padded past the entry limit: both refuse it, at the same limit
    bomb = tmp_path / "bomb.tar"
    fillers = []
    for number in range(MAX_ARCHIVE_ENTRIES):
        member = tarfile.TarInfo(f"filler/{number}")
        fillers.append((member, b""))
    _copy_tar(archive, bomb, fillers)
    with pytest.raises(BaseImageError) as info:
        resolve(f"oci-archive:{bomb}", AMD64, BlobStore(tmp_path / "store2"))
    assert str(info.value) == (
        f'base-image "oci-archive:{bomb}": {bomb}: more than {MAX_ARCHIVE_ENTRIES} entries; not an image archive'
    )
    with pytest.raises(ArchiveError) as refused:
        open_image(bomb)
    assert str(refused.value) == f"{bomb}: more than {MAX_ARCHIVE_ENTRIES} entries; not an image archive"


def test_docker_archive_layers_linked_inside_the_archive_are_read(layout, tmp_path):
    """Older ``docker save`` writes a layer it already wrote as a symlink to the first copy."""
    import tarfile

    archive = tmp_path / "saved.tar"
    rh.skopeo_copy(f"oci:{layout}:amd64", f"docker-archive:{archive}:library/python:3.11")
    store = BlobStore(tmp_path / "store")
    plain = resolve(f"docker-archive:{archive}", AMD64, store)
    with tarfile.open(archive) as tar:
        entries = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    first = entries[0]["Layers"][0]
    entries[0]["Layers"][0] = "linked/layer.tar"
    link = tarfile.TarInfo("linked/layer.tar")
    link.type, link.linkname = tarfile.SYMTYPE, f"../{first}"
    linked = tmp_path / "linked.tar"
    _copy_tar(archive, linked, [(link, None)], rename={"manifest.json": json.dumps(entries).encode()})
    again = resolve(f"docker-archive:{linked}", AMD64, store)
    assert again.layers == plain.layers

    # a link to something that is not a regular file of the archive is refused, with the archive named
    link.linkname = "../../etc/passwd"
    escaping = tmp_path / "escaping.tar"
    _copy_tar(archive, escaping, [(link, None)], rename={"manifest.json": json.dumps(entries).encode()})
    with pytest.raises(BaseImageError) as info:
        resolve(f"docker-archive:{escaping}", AMD64, store)
    assert str(info.value).startswith(f'base-image "docker-archive:{escaping}": {escaping} lacks layer linked/layer.tar')
