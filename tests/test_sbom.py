"""The SBOM: parsed and schema-checked by the CycloneDX library, compared with the lock read independently.

Unit level on the example project's real lock (TensorFlow and 37 other
packages, one with two wheels); image level on the tiny project built on the
Debian base: the file in the image (``umoci unpack``) is the file beside the
archive, and its base digest is the one the image's labels state (``skopeo``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import tomllib
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import ComponentType
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packaging.utils import canonicalize_name
from trust_fixtures import NAME, VERSION, sha256_file, umoci_rootfs

from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.build.deps.lock import read_lock
from hatch_aicontainer.build.layers.sbom import archive_sbom_path, image_path, make_sbom
from hatch_aicontainer.config.settings import ProjectInfo
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.registry.reference import BaseImageSpec

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_LOCK = REPO / "example_project" / "pylock.aicontainer-py311-amd64-cpu.toml"
MTIME = 1_700_000_000
INDEX_DIGEST = "sha256:" + "b" * 64
MANIFEST_DIGEST = "sha256:" + "a" * 64


def registry_base(spec: str = "127.0.0.1:5000/library/python:3.11-slim-bookworm") -> BaseImage:
    return BaseImage(spec=BaseImageSpec.parse(spec), canonical=spec, manifest_digest=MANIFEST_DIGEST, index_digest=INDEX_DIGEST, config={}, layers=())


def example_sbom(tmp_path: Path, *, lock_path: Path = EXAMPLE_LOCK, mtime: int = MTIME, base: BaseImage | None = None) -> tuple[bytes, Path]:
    wheel = tmp_path / "example_project-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel, but bytes to hash")
    document = make_sbom(
        image_name="example-project",
        project=ProjectInfo("example-project", "0.1.0"),
        wheel=wheel,
        lock=read_lock(lock_path, reused=True),
        base=base or registry_base(),
        platform=Platform("linux", "amd64"),
        python_version="3.11.2",
        mtime=mtime,
    )
    return document, wheel


@functools.cache
def schema_errors(document: bytes) -> object:
    """The CycloneDX 1.6 schema's verdict on the document (seconds each: once per document)."""
    return JsonStrictValidator(SchemaVersion.V1_6).validate_str(document.decode())


def parse(document: bytes) -> Bom:
    errors = schema_errors(document)
    assert errors is None, errors
    return Bom.from_json(json.loads(document))  # type: ignore[attr-defined]


def lock_packages(path: Path) -> dict[tuple[str, str], set[str]]:
    """(canonical name, version) -> the sha256 of every file the lock lists, read with tomllib."""
    out = {}
    for package in tomllib.loads(path.read_text())["packages"]:
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        out[(canonicalize_name(package["name"]), package["version"])] = {f["hashes"]["sha256"] for f in files}
    return out


def sbom_packages(bom: Bom) -> dict[tuple[str, str], set[str]]:
    out = {}
    for component in bom.components:
        if component.type is ComponentType.LIBRARY:
            assert component.purl is not None and component.purl.type == "pypi"
            assert (component.purl.name, component.purl.version) == (canonicalize_name(component.name), component.version)
            key = (canonicalize_name(component.name), component.version)
            assert key not in out
            out[key] = {h.content for h in component.hashes if h.alg.value == "SHA-256"}
    return out


def test_every_locked_package_with_version_purl_and_hashes(tmp_path):
    document, _ = example_sbom(tmp_path)
    bom = parse(document)
    expected = lock_packages(EXAMPLE_LOCK)
    assert len(expected) == 38
    assert sbom_packages(bom) == expected
    assert any(len(hashes) > 1 for hashes in expected.values())  # the multi-wheel case is covered
    # each wheel also as a distribution reference with its URL and hash
    urls = {str(ref.url) for c in bom.components for ref in c.external_references}
    lock_urls = {w["url"] for p in tomllib.loads(EXAMPLE_LOCK.read_text())["packages"] for w in p.get("wheels", [])}
    assert urls == lock_urls


def test_project_and_base_image_components(tmp_path):
    document, wheel = example_sbom(tmp_path)
    bom = parse(document)
    (project,) = [c for c in bom.components if c.type is ComponentType.APPLICATION]
    assert (project.name, project.version, str(project.purl)) == ("example-project", "0.1.0", "pkg:pypi/example-project@0.1.0")
    assert [h.content for h in project.hashes] == [hashlib.sha256(wheel.read_bytes()).hexdigest()]
    (base,) = [c for c in bom.components if c.type is ComponentType.CONTAINER]
    assert base.version == INDEX_DIGEST
    assert base.purl is not None and base.purl.type == "oci" and base.purl.version == INDEX_DIGEST
    assert base.purl.qualifiers["repository_url"] == "127.0.0.1:5000/library/python"
    assert base.purl.qualifiers["arch"] == "amd64"
    image = bom.metadata.component
    assert image is not None and image.type is ComponentType.CONTAINER and image.name == "example-project"
    # the image depends on the project and the base; the project on every package
    graph = {str(d.ref): {str(x.ref) for x in d.dependencies} for d in bom.dependencies}
    assert graph[str(image.bom_ref)] == {str(project.bom_ref), str(base.bom_ref)}
    assert graph[str(project.bom_ref)] == {f"pkg:pypi/{n}@{v}" for n, v in lock_packages(EXAMPLE_LOCK)}


def test_local_base_carries_no_path(tmp_path):
    document, _ = example_sbom(tmp_path, base=registry_base("oci:/home/someone/layouts/python:3.11"))
    bom = parse(document)
    (base,) = [c for c in bom.components if c.type is ComponentType.CONTAINER]
    assert base.version == INDEX_DIGEST and base.purl is None
    assert b"/home/someone" not in document


def test_deterministic_and_content_derived(tmp_path):
    first, _ = example_sbom(tmp_path)
    again, _ = example_sbom(tmp_path)
    assert first == again
    bom = parse(first)
    assert bom.metadata.timestamp == datetime.fromtimestamp(MTIME, tz=timezone.utc)
    assert isinstance(bom.serial_number, uuid.UUID) and bom.serial_number.version == 5
    serial = json.loads(first)["serialNumber"]
    assert serial == bom.serial_number.urn
    later, _ = example_sbom(tmp_path, mtime=MTIME + 60)
    assert json.loads(later)["serialNumber"] != serial
    other_lock = tmp_path / "pylock.other.toml"
    text = EXAMPLE_LOCK.read_text().replace('name = "six"\nversion = "1.17.0"', 'name = "six"\nversion = "1.16.0"')
    assert text != EXAMPLE_LOCK.read_text()
    other_lock.write_text(text)
    changed, _ = example_sbom(tmp_path, lock_path=other_lock)
    assert json.loads(changed)["serialNumber"] != serial
    # components come sorted whatever the lock's order
    shuffled = tmp_path / "pylock.shuffled.toml"
    blocks = EXAMPLE_LOCK.read_text().split("\n[[packages]]\n")
    shuffled.write_text("\n[[packages]]\n".join([blocks[0], *reversed(blocks[1:])]))
    reordered, _ = example_sbom(tmp_path, lock_path=shuffled)
    assert json.loads(reordered)["components"] == json.loads(first)["components"]


# --- in the image --------------------------------------------------------------------------------


def test_image_carries_the_same_sbom_as_the_archive(tiny_build, tmp_path):
    from hatch_aicontainer.outputs.steps import SideFiles

    side = SideFiles(tiny_build.result, tiny_build.settings).run()
    beside = archive_sbom_path(tiny_build.archive)
    assert side.sboms == (beside,)
    assert beside.name == tiny_build.archive.name.removesuffix(".oci.tar") + ".cdx.json"
    rootfs = umoci_rootfs(tiny_build.archive)
    inside = rootfs / image_path(ProjectInfo(NAME, VERSION)).lstrip("/")
    assert inside.as_posix().endswith("opt/venv/share/sbom/tiny-app.cdx.json")
    assert inside.read_bytes() == beside.read_bytes()
    bom = parse(beside.read_bytes())
    # the packages: exactly the tiny project's lock, read independently
    (lock_file,) = tiny_build.project.glob("pylock.aicontainer-*.toml")
    assert sbom_packages(bom) == lock_packages(lock_file)
    # the project: the wheel that was built
    (project,) = [c for c in bom.components if c.type is ComponentType.APPLICATION]
    assert [h.content for h in project.hashes] == [sha256_file(tiny_build.wheel)]
    # the base: by the digest the image's own label states (skopeo reads it)
    done = subprocess.run(["skopeo", "inspect", f"oci-archive:{tiny_build.archive}"], capture_output=True, text=True, check=True)
    labels = json.loads(done.stdout)["Labels"]
    (base,) = [c for c in bom.components if c.type is ComponentType.CONTAINER]
    assert base.version == labels["org.opencontainers.image.base.digest"]
    assert bom.metadata.component is not None and bom.metadata.component.properties
    props = {p.name: p.value for p in bom.metadata.component.properties}
    assert props["hatch-aicontainer:lock.sha256"] == labels["io.hatch-aicontainer.lock.sha256"]
    assert props["hatch-aicontainer:lock.sha256"] == "sha256:" + sha256_file(lock_file)


def test_sbom_layer_is_readable_by_the_image_user(tiny_build):
    from trust_fixtures import archive_layers, layer_files

    digest, tar = archive_layers(tiny_build.archive)[-1]
    members = {m.name: m for m, _ in layer_files(tar)}
    member = members["opt/venv/share/sbom/tiny-app.cdx.json"]
    assert member.mode == 0o644 and member.uid == 0
    assert set(members) == {"opt", "opt/venv", "opt/venv/share", "opt/venv/share/sbom", "opt/venv/share/sbom/tiny-app.cdx.json"}


@pytest.mark.parametrize("name", ["example-project", "Example_Project"])
def test_image_path(name):
    assert image_path(ProjectInfo(name, "1")) == "/opt/venv/share/sbom/example-project.cdx.json"


def test_several_platforms_get_one_file_each(tmp_path):
    from hatch_aicontainer.build.layers.sbom import side_outputs
    from hatch_aicontainer.outputs.clean import clean_side_outputs

    archive = tmp_path / "app-1.0-py311-tf2.16.1-cpu-amd64-arm64.oci.tar"
    archive.write_bytes(b"")
    one = side_outputs(archive, [(Platform("linux", "amd64"), b"a")])
    assert [p.name for p in one] == ["app-1.0-py311-tf2.16.1-cpu-amd64-arm64.cdx.json"]
    two = side_outputs(archive, [(Platform("linux", "amd64"), b"a"), (Platform("linux", "arm64", "v8"), b"b")])
    assert [p.name for p in two] == [
        "app-1.0-py311-tf2.16.1-cpu-amd64-arm64.linux-amd64.cdx.json",
        "app-1.0-py311-tf2.16.1-cpu-amd64-arm64.linux-arm64-v8.cdx.json",
    ]
    assert [p.read_bytes() for p in two] == [b"a", b"b"]
    (tmp_path / "other.k8s.yaml").write_text("kind: Deployment\n")  # not ours: kept
    (tmp_path / "app.k8s.yaml").write_text("# Generated by hatch-aicontainer from x; image sha256:1\n")
    clean_side_outputs(archive)
    assert sorted(p.name for p in tmp_path.iterdir()) == [archive.name, "other.k8s.yaml"]
