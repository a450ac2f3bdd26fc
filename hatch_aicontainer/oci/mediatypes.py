"""Media types of the OCI image spec, and the Docker ones we accept from base images."""

from __future__ import annotations

OCI_LAYOUT_VERSION = "1.0.0"

#: The tag of an image in an OCI layout's ``index.json`` (the annotation on its entry).
ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"
#: On the image's ``index.json`` entry: the digest of an OCI index (a blob of the layout) listing the
#: image's referrers (attestations) — a layout has no referrers API, and more entries in index.json
#: would make ``skopeo oci-archive:FILE`` and others ask which image is meant.
ANNOTATION_REFERRERS = "io.hatch-aicontainer.referrers"
#: The full image name containerd writes (and ``ctr import`` reads) on an index entry.
ANNOTATION_CONTAINERD_NAME = "io.containerd.image.name"

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"

#: OCI 1.1: the config of an artifact manifest that has none (``{}``), and its digest
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
OCI_EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#: an in-toto Statement (unsigned), a DSSE envelope, and a sigstore bundle (v0.3) holding a DSSE envelope
IN_TOTO = "application/vnd.in-toto+json"
DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json"
SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json"

DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar"

INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})

# Our manifests are pure OCI (skopeo rejects mixed media types), so layers that
# came from a Docker-typed base image are re-labelled; the bytes and digests
# stay the same.
_LAYER_TO_OCI = {
    DOCKER_LAYER_GZIP: OCI_LAYER_GZIP,
    DOCKER_LAYER_TAR: OCI_LAYER_TAR,
    OCI_LAYER_GZIP: OCI_LAYER_GZIP,
    OCI_LAYER_TAR: OCI_LAYER_TAR,
    OCI_LAYER_ZSTD: OCI_LAYER_ZSTD,
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": OCI_LAYER_GZIP,
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": OCI_LAYER_GZIP,
}


def layer_to_oci(media_type: str) -> str:
    """The OCI media type for a layer of ``media_type``; KeyError if not a layer type."""
    return _LAYER_TO_OCI[media_type]
