"""Where a released image is read from for verifying: an archive (or layout) or a registry.

Both answer the same questions: the image's root and platform manifests, the referrers of a
digest (and where they were found), and any blob by digest, checked against it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from hatch_aicontainer.attest.referrers import referrer_subject
from hatch_aicontainer.core.errors import AIContainerError
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, short_digest
from hatch_aicontainer.oci.reader import OCIImage, open_image
from hatch_aicontainer.registry.access import RegistryAccess
from hatch_aicontainer.registry.client import RegistryClient
from hatch_aicontainer.registry.reference import ImageReference
from hatch_aicontainer.registry.referrers import find_referrers

__all__ = ["ArchiveSource", "ImageSource", "RegistrySource", "open_source"]


class ImageSource(Protocol):
    name: str  #: how messages name it
    root: Descriptor

    def manifests(self) -> list[tuple[str, Descriptor]]:
        """(platform, manifest) of every platform; the root itself for a single-platform image."""
        ...

    def referrers(self, digest: str) -> tuple[list[Descriptor], str]:
        """The referrers of ``digest``, and where they were found."""
        ...

    def read(self, digest: str) -> bytes:
        """A document or small blob, checked against its digest."""
        ...

    def manifest(self, digest: str) -> Mapping[str, Any]:
        """A manifest or index, parsed."""
        ...

    def close(self) -> None: ...


class ArchiveSource:
    """An ``.oci.tar`` or OCI layout: its attestations are the ones its ``index.json`` entry names."""

    def __init__(self, path: Path) -> None:
        self.image: OCIImage = open_image(path)
        self.name = str(path)
        self.root = self.image.root

    def manifests(self) -> list[tuple[str, Descriptor]]:
        return [(str(i.platform), i.descriptor) for i in self.image.images]

    def referrers(self, digest: str) -> tuple[list[Descriptor], str]:
        found = [r for r in self.image.referrers if referrer_subject(self.read(r.digest)) == digest]
        return found, "the archive"

    def read(self, digest: str) -> bytes:
        return self.image.read_blob(digest)

    def manifest(self, digest: str) -> Mapping[str, Any]:
        return json.loads(self.read(digest))

    def close(self) -> None:
        self.image.close()


class RegistrySource:
    """``host/repository[:tag|@digest]``: the referrers API, else the fallback tag."""

    def __init__(self, reference: ImageReference, access: RegistryAccess) -> None:
        self.reference = reference
        self.name = str(reference)
        self.client = RegistryClient(reference.api_host, access=access)
        self._scratch = tempfile.TemporaryDirectory(prefix="aicontainer-verify-")
        self._store = BlobStore(Path(self._scratch.name))
        try:
            data, media_type, digest = self.client.get_manifest(reference.repository, reference.digest or reference.tag or "latest")
        except BaseException:
            self.close()
            raise
        self.root = Descriptor(media_type, digest, len(data))
        self._documents = {digest: data}

    def manifests(self) -> list[tuple[str, Descriptor]]:
        if self.root.media_type not in mt.INDEX_TYPES:
            config = json.loads(self.read(self.manifest(self.root.digest)["config"]["digest"]))
            return [("/".join(p for p in (config.get("os"), config.get("architecture"), config.get("variant")) if p), self.root)]
        out = []
        for entry in self.manifest(self.root.digest).get("manifests") or []:
            descriptor = Descriptor.from_json(entry)
            out.append((str(descriptor.platform) if descriptor.platform else "", descriptor))
        return out

    def referrers(self, digest: str) -> tuple[list[Descriptor], str]:
        return find_referrers(self.client, self.reference.repository, digest)

    def read(self, digest: str) -> bytes:
        if digest in self._documents:
            return self._documents[digest]
        try:
            data = self.client.get_manifest(self.reference.repository, digest)[0]
        except AIContainerError:  # not a manifest: a blob
            data = self.client.fetch_blob(self.reference.repository, digest, self._store).read_bytes()
        self._documents[digest] = data
        return data

    def manifest(self, digest: str) -> Mapping[str, Any]:
        document = json.loads(self.read(digest))
        if not isinstance(document, dict):
            raise AIContainerError(f"{self.name}: {short_digest(digest)} is not a manifest")
        return document

    def close(self) -> None:
        self.client.close()
        self._scratch.cleanup()


def open_source(text: str, access: RegistryAccess) -> ImageSource:
    """An existing file or folder is an archive or layout; anything else a registry reference."""
    path = Path(text)
    if path.exists():
        return ArchiveSource(path)
    try:
        reference = ImageReference.parse(text)
    except ValueError as exc:
        raise AIContainerError(f"{text!r} is neither an image archive (no such file) nor an image reference ({exc})") from None
    return RegistrySource(reference, access)
