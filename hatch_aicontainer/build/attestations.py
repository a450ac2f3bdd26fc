"""The attestations of a built image, as OCI referrers in the store: provenance, SBOMs, signature.

After every platform is built and the root is known, :func:`attest_image` makes

* the SLSA provenance (``attest.provenance``) of the whole image, subject the root and every
  platform's manifest;
* one CycloneDX SBOM statement per platform (the document already in the image), subject that
  platform's manifest;
* with a signing key, the image's signature (cosign's ``sign/v1`` statement over the root);

each signed into a sigstore bundle with the key, or attached bare without one
(``attest.attachments``), each as a referrer manifest whose ``subject`` is the image. They
go into the store beside the image: the archive carries them (``oci.archive``) and every push
attaches them (``outputs.push``). Their bytes depend only on the image, the settings and the
key: the same build gives the same attestations on every host.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatch_aicontainer import __version__
from hatch_aicontainer.attest.attachments import attachment
from hatch_aicontainer.attest.provenance import (
    BASE_IMAGE,
    LOCK,
    PROJECT_WHEEL,
    SOURCE,
    WHEEL,
    Dependency,
    ProvenanceInputs,
    provenance_statement,
    subjects_for,
)
from hatch_aicontainer.attest.referrers import (
    EMPTY_CONFIG_BYTES,
    KIND_ANNOTATION,
    referrer_descriptor,
    referrer_manifest,
    referrers_index,
)
from hatch_aicontainer.attest.statements import SBOM_TYPE, SIGNATURE_TYPE, Subject, statement_bytes
from hatch_aicontainer.build.deps.lock import lock_document
from hatch_aicontainer.build.layers.dependencies import LAYER_FORMAT
from hatch_aicontainer.build.platform import PlatformImage
from hatch_aicontainer.config.messages import without_credentials
from hatch_aicontainer.config.settings import ProjectInfo, Settings
from hatch_aicontainer.config.settings.record import settings_record
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor

if TYPE_CHECKING:
    from hatch_aicontainer.signing.signer import Signer

#: the kinds of attestation (``KIND_ANNOTATION``), in the order they are attached
PROVENANCE, SBOM, SIGNATURE = "provenance", "sbom", "signature"

__all__ = ["PROVENANCE", "SBOM", "SIGNATURE", "attachment_blobs", "attest_image", "provenance_of", "store_referrers_index"]


def provenance_of(
    settings: Settings, project: ProjectInfo, images: Sequence[PlatformImage], root: Descriptor, wheel: Path, revision: str | None
) -> bytes:
    """The image's SLSA provenance statement (canonical JSON)."""
    manifests = [(str(i.platform), i.manifest.digest) for i in images]
    dependencies: list[Dependency] = []
    if revision:
        dependencies.append(Dependency(SOURCE, "source", {"gitCommit": revision}))
    for image in images:
        platform = str(image.platform)
        base = image.base
        digest = base.index_digest or base.manifest_digest
        uri = base.canonical if not base.spec.is_local else settings_record(settings)["base-image"]
        dependencies.append(Dependency(BASE_IMAGE, "base-image", _sha256_table(digest), uri=uri, platform=platform))
        dependencies.append(Dependency(LOCK, image.lock.path.name, _sha256_table(image.lock.sha256), platform=platform))
        dependencies += _lock_wheels(lock_document(image.lock), platform)
    wheel_digest = "sha256:" + hashlib.sha256(wheel.read_bytes()).hexdigest()
    dependencies.append(Dependency(PROJECT_WHEEL, wheel.name, _sha256_table(wheel_digest)))
    inputs = ProvenanceInputs(
        subjects=subjects_for(settings.name, root.digest, manifests),
        project=project.name,
        version=project.version,
        settings=settings_record(settings),
        dependencies=tuple(dependencies),
        plugin_version=__version__,
        internal={"layerFormat": LAYER_FORMAT},
    )
    return provenance_statement(inputs)


def attest_image(
    settings: Settings,
    project: ProjectInfo,
    images: Sequence[PlatformImage],
    root: Descriptor,
    wheel: Path,
    store: BlobStore,
    *,
    revision: str | None,
    signer: Signer | None,
) -> tuple[Descriptor, ...]:
    """Store the image's attestations as referrer manifests; their descriptors (as a referrers index lists them)."""
    made: list[tuple[str, Descriptor, bytes]] = [(PROVENANCE, root, provenance_of(settings, project, images, root, wheel, revision))]
    for image in images:
        if image.sbom:
            name = settings.name if len(images) == 1 else f"{settings.name}@{image.platform}"
            statement = statement_bytes([Subject(name, image.manifest.digest)], SBOM_TYPE, json.loads(image.sbom))
            made.append((SBOM, image.manifest, statement))
    if signer is not None:
        made.append((SIGNATURE, root, statement_bytes([Subject(settings.name, root.digest)], SIGNATURE_TYPE, {})))
    store.put_bytes(EMPTY_CONFIG_BYTES)
    referrers = []
    for kind, subject, statement in made:
        predicate_type = json.loads(statement)["predicateType"]
        attached = attachment(predicate_type, statement, signer)
        digest, size = store.put_bytes(attached.content)
        layer = Descriptor(attached.media_type, digest, size)
        manifest = referrer_manifest(
            Descriptor(subject.media_type, subject.digest, subject.size), attached.artifact_type, layer,
            {**attached.annotations, KIND_ANNOTATION: kind},
        )
        store.put_bytes(manifest)
        referrers.append(referrer_descriptor(manifest))
    return tuple(referrers)


def _sha256_table(digest: str) -> dict[str, str]:
    algorithm, _, value = digest.partition(":")
    return {algorithm: value}


def _lock_wheels(document: dict[str, Any], platform: str) -> list[Dependency]:
    """Every file the lock installs, by its sha256 and where it comes from (credentials dropped)."""
    out = []
    for package in document.get("packages") or []:
        for wheel in package.get("wheels") or []:
            sha256 = (wheel.get("hashes") or {}).get("sha256")
            if not sha256:
                continue
            url = wheel.get("url")
            location = url or wheel.get("path") or ""
            name = wheel.get("name") or posixpath.basename(str(location).split("?", 1)[0]) or str(package.get("name"))
            uri = without_credentials(url) if url else None
            out.append(Dependency(WHEEL, name, {"sha256": sha256}, uri=uri, platform=platform))
    return out


def store_referrers_index(store: BlobStore, referrers: Sequence[Descriptor]) -> Descriptor:
    """Store the OCI index that lists ``referrers`` (what the layout's ``index.json`` entry names)."""
    digest, size = store.put_bytes(referrers_index(referrers))
    return Descriptor(mt.OCI_INDEX, digest, size)


def attachment_blobs(store: BlobStore, referrers: Sequence[Descriptor], index: Descriptor) -> list[Descriptor]:
    """Every blob of the attestations, each once: their layers and config, their manifests, then the index."""
    out: dict[str, Descriptor] = {}
    for referrer in referrers:
        manifest = json.loads(store.read_bytes(referrer.digest))
        for entry in (*manifest["layers"], manifest["config"]):
            out.setdefault(entry["digest"], Descriptor.from_json(entry))
    for referrer in referrers:
        out.setdefault(referrer.digest, referrer)
    out.setdefault(index.digest, index)
    return list(out.values())
