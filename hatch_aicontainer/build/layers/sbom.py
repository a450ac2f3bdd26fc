"""The image's software bill of materials: CycloneDX 1.6 JSON, made with ``cyclonedx-python-lib``.

One SBOM per platform image, describing (``metadata.component``) the image
itself as a ``container`` component, with these components:

* the project (``application``): name, version, ``pkg:pypi`` purl and the
  SHA-256 of the wheel hatchling built (the one installed in the image);
* the base image (``container``) by digest: the index digest when the base was
  chosen from an index, else its manifest digest (the same value as the
  ``org.opencontainers.image.base.digest`` label); a ``pkg:oci`` purl with the
  repository and architecture for a registry base; a local base
  (``oci:``/``oci-archive:``/``docker-archive:``) gets no location, so the
  document does not depend on where the base lies on disk;
* every package of the resolved lock (``library``): name, version,
  ``pkg:pypi`` purl, and the SHA-256 of every wheel the PEP 751 lock lists for
  it (``hashes``; each wheel also as a ``distribution`` external reference with
  its URL and hash).

Dependencies: the image depends on the project and the base image; the project
on every locked package (the lock holds no finer graph).

Deterministic: the timestamp is the build's ``mtime`` (``SOURCE_DATE_EPOCH``),
components are sorted (by the library), every ``bom-ref`` is derived from the
content (a purl or a fixed name), and the ``serialNumber`` is a UUIDv5 of the
document's own bytes without it. The same inputs give the same bytes.

Where it goes (see docs/trust.md): into the image, in a small layer of its
own after the others, at :data:`IMAGE_DIR` ``/<project>.cdx.json``; and beside
the archive as ``<archive without .oci.tar>.cdx.json``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cyclonedx.model import ExternalReference, ExternalReferenceType, HashAlgorithm, HashType, Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL
from packaging.utils import canonicalize_name

from hatch_aicontainer import __version__
from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.build.deps.lock import Lock, lock_document
from hatch_aicontainer.config.messages import without_credentials
from hatch_aicontainer.config.naming import SBOM_IMAGE_DIR as IMAGE_DIR
from hatch_aicontainer.config.naming import SBOM_SUFFIX as SUFFIX
from hatch_aicontainer.config.naming import archive_files, sbom_image_path
from hatch_aicontainer.config.settings import ProjectInfo
from hatch_aicontainer.core.atomic import write_atomically
from hatch_aicontainer.core.errors import AIContainerError
from hatch_aicontainer.oci.cache import file_sha256
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.oci.image import canonical_json
from hatch_aicontainer.oci.layer import LayerEntry

SCHEMA_VERSION = SchemaVersion.V1_6
#: Namespace of the content-derived serial numbers (uuid5 of the document's sha256).
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/hatch-aicontainer/#sbom")
PROPERTY_PREFIX = "hatch-aicontainer:"
IMAGE_REF = "image"
BASE_REF = "base-image"


class SbomError(AIContainerError):
    """The SBOM could not be made from the build's inputs."""


def image_path(project: ProjectInfo) -> str:
    """``/opt/venv/share/sbom/<normalized project name>.cdx.json``: where the SBOM is in the image."""
    return sbom_image_path(project.name)


def archive_sbom_path(archive: Path) -> Path:
    """``dist/x-1.0-…-amd64.oci.tar`` -> ``dist/x-1.0-…-amd64.cdx.json``."""
    return archive_files(archive).sbom


def make_sbom(
    *,
    image_name: str,
    project: ProjectInfo,
    wheel: Path,
    lock: Lock,
    base: BaseImage,
    platform: Platform,
    python_version: str,
    mtime: int,
) -> bytes:
    """The CycloneDX JSON document (UTF-8, ends with a newline) for one platform image."""
    locked = lock_document(lock)
    wheel_sha256 = file_sha256(wheel)

    image = Component(
        type=ComponentType.CONTAINER,
        name=image_name,
        version=project.version,
        bom_ref=IMAGE_REF,
        properties=_properties(
            {
                "platform": str(platform),
                "python": python_version,
                "lock.sha256": lock.sha256,
                "lock.file": lock.path.name,
            }
        ),
    )
    project_purl = PackageURL(type="pypi", name=str(canonicalize_name(project.name)), version=project.version)
    project_component = Component(
        type=ComponentType.APPLICATION,
        name=project.name,
        version=project.version,
        purl=project_purl,
        bom_ref=project_purl.to_string(),
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=wheel_sha256)],
        properties=_properties({"wheel": wheel.name}),
    )
    base_component = _base_component(base, platform)
    packages = [_package_component(entry, lock.path.name) for entry in locked.get("packages", [])]
    refs = [str(p.bom_ref) for p in packages]
    if len(set(refs)) != len(refs):
        raise SbomError(f"lock file {lock.path.name} lists a package twice with the same version; delete it to resolve again")

    bom = Bom(
        components=[project_component, base_component, *packages],
        metadata=BomMetaData(
            timestamp=datetime.fromtimestamp(mtime, tz=timezone.utc),
            component=image,
            tools=ToolRepository(
                components=[Component(type=ComponentType.APPLICATION, name="hatch-aicontainer", version=__version__)]
            ),
        ),
        serial_number=uuid.UUID(int=0),
    )
    bom.register_dependency(image, [project_component, base_component])
    bom.register_dependency(project_component, packages)
    for package in packages:
        bom.register_dependency(package)

    unsigned = _serialize(bom)
    document = json.loads(unsigned)
    document.pop("serialNumber", None)
    digest = hashlib.sha256(canonical_json(document)).hexdigest()
    bom.serial_number = uuid.uuid5(SERIAL_NAMESPACE, digest)
    return _serialize(bom)


def layer_entries(project: ProjectInfo, document: bytes) -> list[LayerEntry]:
    """The SBOM file for a layer (root-owned, world-readable)."""
    return [LayerEntry(path=image_path(project).lstrip("/"), kind="file", mode=0o644, data=document)]


def write_beside(archive: Path, document: bytes) -> Path:
    """Write the SBOM beside the archive as ``<stem>.cdx.json``; return its path."""
    return _write(archive_sbom_path(archive), document)


def side_outputs(archive: Path, documents: Sequence[tuple[Platform, bytes]]) -> list[Path]:
    """The SBOM(s) beside the archive: ``<stem>.cdx.json`` for one platform;
    ``<stem>.<os>-<arch>[-<variant>].cdx.json`` each when the archive holds several."""
    if len(documents) == 1:
        return [write_beside(archive, documents[0][1])]
    files = archive_files(archive)
    return [_write(files.platform_sbom(platform), document) for platform, document in documents]


def _write(path: Path, document: bytes) -> Path:
    """Temporary file + rename, so a reader never sees half a document."""
    write_atomically(path, document)
    return path


# --- pieces ------------------------------------------------------------------------------------


def _serialize(bom: Bom) -> bytes:
    outputter = make_outputter(bom, OutputFormat.JSON, SCHEMA_VERSION)
    return (outputter.output_as_string(indent=2) + "\n").encode()


#: The index a ``pkg:pypi`` purl means when it names none.
PYPI = "https://pypi.org/simple"


def _package_component(entry: dict[str, Any], lock_name: str) -> Component:
    name = str(entry.get("name", ""))
    version = str(entry.get("version", ""))
    if not name or not version:
        raise SbomError(f"lock file {lock_name} has a package without name or version; delete it to resolve again")
    files = [*entry.get("wheels", []), *([entry["sdist"]] if "sdist" in entry else [])]
    if "archive" in entry:
        files.append(entry["archive"])
    hashes: list[HashType] = []
    references: list[ExternalReference] = []
    for file in files:
        file_hashes = _hashes(file.get("hashes", {}))
        hashes += file_hashes
        url = file.get("url")
        if url:
            references.append(
                ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(without_credentials(url)), hashes=file_hashes)
            )
    index = entry.get("index")
    # the purl names an index other than PyPI (PyTorch's CPU index, a mirror): purl-spec's repository_url
    qualifiers = {"repository_url": without_credentials(index)} if isinstance(index, str) and index.rstrip("/") != PYPI else None
    purl = PackageURL(type="pypi", name=str(canonicalize_name(name)), version=version, qualifiers=qualifiers)
    return Component(
        type=ComponentType.LIBRARY,
        name=name,
        version=version,
        purl=purl,
        bom_ref=purl.to_string(),
        hashes=hashes,
        external_references=references,
    )


_HASH_ALGORITHMS = {
    "sha256": HashAlgorithm.SHA_256,
    "sha384": HashAlgorithm.SHA_384,
    "sha512": HashAlgorithm.SHA_512,
    "sha3-256": HashAlgorithm.SHA3_256,
    "sha3-512": HashAlgorithm.SHA3_512,
    "blake2b-256": HashAlgorithm.BLAKE2B_256,
    "md5": HashAlgorithm.MD5,
    "sha1": HashAlgorithm.SHA_1,
}


def _hashes(table: dict[str, str]) -> list[HashType]:
    return [HashType(alg=_HASH_ALGORITHMS[alg], content=str(value)) for alg, value in sorted(table.items()) if alg in _HASH_ALGORITHMS]


def _base_component(base: BaseImage, platform: Platform) -> Component:
    digest = base.index_digest or base.manifest_digest
    algorithm, _, hexdigest = digest.partition(":")
    properties = {"manifest-digest": base.manifest_digest}
    if base.index_digest:
        properties["index-digest"] = base.index_digest
    if base.spec.is_local:
        properties["transport"] = base.spec.transport
        return Component(
            type=ComponentType.CONTAINER,
            name="base-image",
            version=digest,
            bom_ref=BASE_REF,
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=hexdigest)] if algorithm == "sha256" else [],
            properties=_properties(properties),
        )
    ref = base.spec.reference
    assert ref is not None  # a registry base has its reference
    qualifiers = {"repository_url": f"{ref.registry}/{ref.repository}", "arch": platform.architecture}
    if ref.tag:
        qualifiers["tag"] = ref.tag
    purl = PackageURL(type="oci", name=ref.repository.rsplit("/", 1)[-1], version=digest, qualifiers=qualifiers)
    properties["reference"] = base.spec.text
    return Component(
        type=ComponentType.CONTAINER,
        name=f"{ref.registry}/{ref.repository}",
        version=digest,
        purl=purl,
        bom_ref=BASE_REF,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=hexdigest)] if algorithm == "sha256" else [],
        properties=_properties(properties),
    )


def _properties(values: dict[str, str]) -> list[Property]:
    return [Property(name=PROPERTY_PREFIX + key, value=value) for key, value in sorted(values.items())]




def component_count(document: bytes) -> int:
    return len(json.loads(document).get("components", []))


__all__: Iterable[str] = (
    "IMAGE_DIR",
    "SUFFIX",
    "archive_sbom_path",
    "image_path",
    "layer_entries",
    "make_sbom",
    "side_outputs",
    "write_beside",
)
