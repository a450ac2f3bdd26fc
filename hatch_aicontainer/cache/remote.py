"""The registry as a shared layer cache: one small entry per layer key, found by its tag.

A layer we build is reproducible from its inputs, so its cache key (the local cache's:
``build/layers/dependencies.py``) names the same bytes on every host. On push, each such
layer gets an *entry* in the pushed repository: an OCI artifact manifest under the tag
``aicontainer-cache-<key>`` whose config is the layer's record (what a layer taken from a
cache can no longer show, having no installed tree: its diff_id, the installed
distributions, the NVIDIA library folders) and whose one layer is the layer blob itself
(so the registry keeps it, and a push elsewhere on that registry can mount it).

A later build with an empty local cache (a fresh CI runner) looks the key up in the
``cache-from`` repositories: one GET of the tag, one GET of the record. Found, the layer
is taken from there: streamed once into the local cache (its digest checked while it
streams, then its diff_id against the record), or, when nothing is written locally
(``archive = false`` + push on the same registry), not downloaded at all. Anything else,
a missing entry, a registry that is down, refuses, answers 5xx, or serves an entry or
blob that does not match, is one line, and the build goes on locally: a cache never fails
a build, and never makes a different image (the layer's digest and diff_id are checked).

Trust: entries are read only from the repositories the user names (or pushes to). Unsigned,
whoever can write to them can serve a layer record of their own making (its installed-package
facts go into labels, results and the SBOM); the layer's bytes and diff_id are checked.
Signed: a build with a signing key (``sign.key``) signs each entry's record (ECDSA over the
record's DSSE pre-authentication encoding, in the entry manifest's annotations) and takes only
entries signed by that key; a signed record is the key holder's own statement of the layer's
diff_id and contents, so a signed entry's blob is checked by its digest alone (its diff_id is
not recomputed: inflating a 2 GB layer is seconds of CPU), as a layer of the local cache is.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatch_aicontainer.core.errors import AIContainerError, one_line
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Layer, short_digest
from hatch_aicontainer.oci.diff_id import StreamingDiffId, diff_id_of
from hatch_aicontainer.oci.image import canonical_json
from hatch_aicontainer.registry.access import RegistryAccess
from hatch_aicontainer.registry.client import RegistryClient
from hatch_aicontainer.registry.errors import RegistryAuthError, RegistryNotFound, RegistryUnreachable
from hatch_aicontainer.registry.reference import ImageReference

if TYPE_CHECKING:
    from hatch_aicontainer.signing.keys import PublicKey
    from hatch_aicontainer.signing.signer import Signer

ENTRY_ARTIFACT = "application/vnd.hatch-aicontainer.cache.v1"
RECORD_MEDIA_TYPE = "application/vnd.hatch-aicontainer.cache.record.v1+json"
TAG_PREFIX = "aicontainer-cache-"
KEY_ANNOTATION = "io.hatch-aicontainer.cache.key"
#: base64 DER ECDSA signature over the DSSE PAE of (RECORD_MEDIA_TYPE, the record's bytes)
SIGNATURE_ANNOTATION = "io.hatch-aicontainer.cache.signature"
KEYID_ANNOTATION = "io.hatch-aicontainer.cache.keyid"  #: a hint: the signing key's id (hex sha256 of its SPKI)
#: bump when the record's shape changes: older entries are then ignored
RECORD_FORMAT = 1

__all__ = [
    "ENTRY_ARTIFACT",
    "Entry",
    "EntryDocuments",
    "RegistryCache",
    "RemoteLayers",
    "Taken",
    "content_key",
    "entry_documents",
    "entry_tag",
    "split_repository",
]

Say = Callable[[str], None]


def entry_tag(key: str) -> str:
    """The tag of a key's entry (a key is 64 hex digits: the tag stays far below 128 characters)."""
    return TAG_PREFIX + key


def split_repository(text: str) -> tuple[str, str]:
    """``host/repo/path`` (as ``cache-from`` normalises it) -> (the API host, ``repo/path``)."""
    reference = ImageReference.parse(text, default_tag=None)
    return reference.api_host, reference.repository


@dataclass(frozen=True)
class Entry:
    """A layer found in a registry cache."""

    key: str
    where: str  #: ``host/repository``
    layer: Layer
    extras: Mapping[str, Any] = field(default_factory=dict)  #: kind-specific facts (installed distributions, CUDA folders)
    signed: bool = False  #: its record is signed by the build's own key (``RegistryCache.trusted``)


@dataclass(frozen=True)
class EntryDocuments:
    """What ``cache-to`` writes for one key: the record blob and the manifest tagged ``entry_tag(key)``."""

    key: str
    record: bytes
    manifest: bytes


def entry_documents(key: str, layer: Layer, extras: Mapping[str, Any], signer: Signer | None = None) -> EntryDocuments:
    """A key's entry, canonical JSON, its record signed by ``signer`` if given: the same layer (and key)
    gives the same bytes everywhere (the signatures are deterministic)."""
    record = canonical_json(
        {"format": RECORD_FORMAT, "key": key, "layer": {**layer.descriptor.to_json(), "diffId": layer.diff_id}, "extras": dict(extras)}
    )
    config = Descriptor(RECORD_MEDIA_TYPE, "sha256:" + hashlib.sha256(record).hexdigest(), len(record))
    annotations = {KEY_ANNOTATION: key}
    if signer is not None:
        from hatch_aicontainer.signing.dsse import signature

        annotations[SIGNATURE_ANNOTATION] = signature(signer, RECORD_MEDIA_TYPE, record)
        annotations[KEYID_ANNOTATION] = signer.keyid
    manifest = canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "artifactType": ENTRY_ARTIFACT,
            "config": config.to_json(),
            "layers": [layer.descriptor.to_json()],
            "annotations": annotations,
        }
    )
    return EntryDocuments(key, record, manifest)


def _signed_by(manifest: Mapping[str, Any], record: bytes, trusted: PublicKey) -> bool:
    """Whether the entry's annotations hold a signature of ``record`` that ``trusted`` verifies."""
    from hatch_aicontainer.signing.dsse import signature_verifies

    annotations = manifest.get("annotations")
    return isinstance(annotations, dict) and signature_verifies(trusted, annotations.get(SIGNATURE_ANNOTATION), RECORD_MEDIA_TYPE, record)


class _NotAnEntry(AIContainerError):
    pass


class RegistryCache:
    """The ``cache-from`` repositories of one build, asked in order; every failure is one line through ``say``.
    With ``trusted`` (the build's signing key), only entries signed by that key are taken."""

    def __init__(self, repositories: Sequence[str], access: RegistryAccess, say: Say, trusted: PublicKey | None = None) -> None:
        self.repositories = tuple(repositories)
        self.access = access
        self.say = say
        self.trusted = trusted
        self._clients: dict[str, RegistryClient] = {}
        self._dead: set[str] = set()  # hosts found down in this build: not asked again
        self._scratch = tempfile.TemporaryDirectory(prefix="aicontainer-cache-records-")
        self._records = BlobStore(Path(self._scratch.name))  # the entries' records, checked against their digests

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        self._scratch.cleanup()

    def _client(self, host: str) -> RegistryClient:
        client = self._clients.get(host)
        if client is None:  # one try: a cache that does not answer at once is not worth waiting for
            client = self._clients[host] = RegistryClient(host, access=self.access, retries=1)
        return client

    def lookup(self, key: str, what: str) -> Entry | None:
        """The first entry of ``key`` in the repositories; None (and one line per repository that failed) otherwise."""
        for where in self.repositories:
            host, repository = split_repository(where)
            if host in self._dead:
                continue
            try:
                return self._read_entry(self._client(host), where, repository, key)
            except RegistryNotFound:
                self.say(f"{what}: not in the registry cache {where} (key {key[:12]})")
            except RegistryUnreachable as exc:
                self._dead.add(host)
                self.say(f"{what}: registry cache {where} unreachable ({one_line(str(exc))}); building locally")
            except RegistryAuthError as exc:
                self.say(f"{what}: registry cache {where} refused ({one_line(str(exc))}); building locally")
            except AIContainerError as exc:
                self.say(f"{what}: registry cache {where}: {one_line(str(exc))}; building locally")
        return None

    def _read_entry(self, client: RegistryClient, where: str, repository: str, key: str) -> Entry:
        data, media_type, _digest = client.get_manifest(repository, entry_tag(key))
        try:
            manifest = json.loads(data)
            if media_type != mt.OCI_MANIFEST or manifest.get("artifactType") != ENTRY_ARTIFACT:
                raise _NotAnEntry(f"{entry_tag(key)[:30]}… is not a cache entry of ours")
            config = Descriptor.from_json(manifest["config"])
            (layer_json,) = manifest["layers"]
            descriptor = Descriptor.from_json(layer_json)
        except (ValueError, KeyError, TypeError) as exc:
            raise _NotAnEntry(f"the entry of key {key[:12]} is malformed ({exc})") from None
        record_bytes = self._small_blob(client, repository, config)
        try:
            record = json.loads(record_bytes)
        except ValueError as exc:
            raise _NotAnEntry(f"the record of key {key[:12]} is not JSON ({exc})") from None
        if not isinstance(record, dict):
            raise _NotAnEntry(f"the record of key {key[:12]} is not a JSON object")
        recorded = record.get("layer") or {}
        if record.get("format") != RECORD_FORMAT or record.get("key") != key:
            raise _NotAnEntry(f"the entry of key {key[:12]} is for another key or format")
        if recorded.get("digest") != descriptor.digest or not isinstance(recorded.get("diffId"), str):
            raise _NotAnEntry(f"the entry of key {key[:12]} names another layer than its record")
        if self.trusted is not None and not _signed_by(manifest, record_bytes, self.trusted):
            raise _NotAnEntry(f"the entry of key {key[:12]} is not signed by the build's key {self.trusted.keyid[:12]}")
        layer = Layer(descriptor=descriptor, diff_id=recorded["diffId"])
        return Entry(key, where, layer, dict(record.get("extras") or {}), signed=self.trusted is not None)

    def _small_blob(self, client: RegistryClient, repository: str, descriptor: Descriptor) -> bytes:
        if descriptor.size > 16 << 20:
            raise _NotAnEntry(f"the record {short_digest(descriptor.digest)} is too large ({descriptor.size} bytes)")
        return client.fetch_blob(repository, descriptor.digest, self._records).read_bytes()

    def has_blob(self, entry: Entry) -> bool:
        """Whether the entry's layer blob is still in its repository (a HEAD)."""
        host, repository = split_repository(entry.where)
        try:
            return self._client(host).head_blob(repository, entry.layer.descriptor.digest) is not None
        except AIContainerError as exc:
            self.say(f"registry cache {entry.where}: {one_line(str(exc))}")
            return False

    def fetch(self, entry: Entry, store: BlobStore, what: str) -> Layer | None:
        """Stream the entry's layer into ``store``, its digest and (unless its record is signed) its diff_id
        (the uncompressed bytes) checked while it streams; None (one line) when either fails."""
        host, repository = split_repository(entry.where)
        digest = entry.layer.descriptor.digest
        with nullcontext() if entry.signed else StreamingDiffId(entry.layer.descriptor.media_type) as streaming:
            try:
                self._client(host).fetch_blob(repository, digest, store, observe=None if streaming is None else streaming.update)
            except AIContainerError as exc:
                self.say(f"{what}: registry cache {entry.where}: {one_line(str(exc))}; building locally")
                return None
            # a signed record vouches for its diff_id: the digest, checked by the download, is enough
            found = entry.layer.diff_id if streaming is None else streaming.result(entry.layer.descriptor.size)
        if found is None:  # a retried download, or no incremental decompressor: read the stored blob once
            found = diff_id_of(store, digest)
        if found != entry.layer.diff_id:
            self.say(
                f"{what}: registry cache {entry.where}: layer {short_digest(digest)} does not uncompress to the "
                f"recorded diff_id {short_digest(entry.layer.diff_id)}; building locally"
            )
            return None
        return entry.layer


@dataclass(frozen=True)
class Taken:
    """A layer taken from a registry cache: in the local store (``remote`` None), or left where it is."""

    layer: Layer
    remote: str | None  #: ``host/repo`` holding the blob when it was not downloaded (the push mounts it)


@dataclass(frozen=True)
class RemoteLayers:
    """Where a build may take layers from when its own cache misses (``cache-from``)."""

    cache: RegistryCache
    #: registry hosts every push goes to, when nothing else needs the blob locally (``archive = false``):
    #: a layer found there is mounted by the push, never downloaded
    push_only_hosts: frozenset[str] = frozenset()

    def take(self, entry: Entry, store: BlobStore, what: str) -> Taken | None:
        """The entry's layer: not downloaded when every push goes to its registry (and the blob is there),
        else streamed into ``store`` and checked; None (one line said why) when it cannot be used."""
        signed = "signed; " if entry.signed else ""
        if entry.where.partition("/")[0] in self.push_only_hosts and self.cache.has_blob(entry):
            self.cache.say(f"{what}: from registry cache {entry.where} (key {entry.key[:12]}; {signed}mounted by the push, not downloaded)")
            return Taken(entry.layer, entry.where)
        layer = self.cache.fetch(entry, store, what)
        if layer is None:
            return None
        self.cache.say(f"{what}: from registry cache {entry.where} (key {entry.key[:12]}; {signed}{layer.descriptor.size} bytes downloaded)")
        return Taken(layer, None)


def content_key(identity: Mapping[str, Any], diff_id: str) -> str:
    """The registry cache key of a layer known by its content (an include layer): what decides its
    compressed bytes (``identity``: layer format, plugin version, compression options) and its diff_id."""
    return hashlib.sha256(json.dumps({"identity": dict(identity), "diff_id": diff_id}, sort_keys=True).encode()).hexdigest()
