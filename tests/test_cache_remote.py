"""The registry cache's pure parts: entries (bytes that depend on the layer only), keys, and the diff_id
computed while a layer's compressed bytes stream in."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from hatch_aicontainer.cache.remote import (
    ENTRY_ARTIFACT,
    KEYID_ANNOTATION,
    RECORD_MEDIA_TYPE,
    SIGNATURE_ANNOTATION,
    content_key,
    entry_documents,
    entry_tag,
)
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.diff_id import StreamingDiffId, diff_id_of
from hatch_aicontainer.oci.layer import LayerEntry, write_layer
from hatch_aicontainer.signing.dsse import pae
from hatch_aicontainer.signing.keys import SigningKey
from hatch_aicontainer.signing.signer import KeySigner


def _layer(store: BlobStore, compression: str, size: int = 3 << 20):
    data = random.Random(7).randbytes(size // 2) + b"\0" * (size // 2)  # half noise, half compressible
    entries = [LayerEntry("opt", "dir", 0o755), LayerEntry("opt/data.bin", "file", data=data),
               LayerEntry("opt/small.txt", "file", data=b"small\n")]
    return write_layer(entries, store, mtime=1_700_000_000, compression=compression, threads=4)


@pytest.mark.parametrize("compression", ["gzip", "zstd", "none"])
@pytest.mark.parametrize("chunk", [1, 4093, 1 << 20])
def test_the_streamed_diff_id_is_the_layers(tmp_path, compression, chunk):
    store = BlobStore(tmp_path / "store")
    layer = _layer(store, compression)
    blob = store.read_bytes(layer.descriptor.digest)
    streaming = StreamingDiffId(layer.descriptor.media_type)
    step = chunk if chunk > 1 else 1 + len(blob) // 997  # arbitrary cuts, never aligned to the format's blocks
    for start in range(0, len(blob), step):
        streaming.update(blob[start:start + step])
    assert streaming.result(len(blob)) == layer.diff_id == diff_id_of(store, layer.descriptor.digest)


def test_a_damaged_or_retried_stream_is_told_apart(tmp_path):
    store = BlobStore(tmp_path / "store")
    layer = _layer(store, "gzip")
    blob = store.read_bytes(layer.descriptor.digest)
    damaged = StreamingDiffId(layer.descriptor.media_type)
    middle = len(blob) // 2
    damaged.update(blob[:middle] + bytes([blob[middle] ^ 0xFF]) + blob[middle + 1:])
    assert damaged.result(len(blob)) not in (None, layer.diff_id)
    retried = StreamingDiffId(layer.descriptor.media_type)
    retried.update(blob[:1000])  # a first attempt that broke off
    retried.update(blob)
    assert retried.result(len(blob)) is None  # cannot tell: the caller reads the stored blob instead


def test_an_entry_depends_on_the_layer_only(tmp_path):
    store = BlobStore(tmp_path / "store")
    layer = _layer(store, "gzip", 1 << 16)
    key = "ab" * 32
    entry = entry_documents(key, layer, {"installed": []})
    assert entry == entry_documents(key, layer, {"installed": []})
    document = json.loads(entry.manifest)
    assert document["artifactType"] == ENTRY_ARTIFACT and document["layers"] == [layer.descriptor.to_json()]
    assert document["config"]["digest"] == "sha256:" + hashlib.sha256(entry.record).hexdigest()
    assert json.loads(entry.record)["layer"]["diffId"] == layer.diff_id
    assert len(entry_tag(key)) <= 128
    assert not [name for name in document["annotations"] if "signature" in name]
    assert content_key({"format": "1"}, layer.diff_id) != content_key({"format": "2"}, layer.diff_id)
    assert os.fsencode(str(tmp_path)) not in entry.record + entry.manifest


def test_a_signed_entry_signs_its_record_and_nothing_else(tmp_path):
    """The signature (in the entry's annotations) verifies over the DSSE encoding of the record's bytes with
    the signer's public key, is the same on every signing, and does not verify over another record."""
    store = BlobStore(tmp_path / "store")
    layer = _layer(store, "gzip", 1 << 16)
    key = SigningKey(ec.generate_private_key(ec.SECP256R1()))
    entry = entry_documents("cd" * 32, layer, {"installed": [["six", "1.16.0"]]}, KeySigner(key))
    assert entry == entry_documents("cd" * 32, layer, {"installed": [["six", "1.16.0"]]}, KeySigner(key))  # deterministic
    annotations = json.loads(entry.manifest)["annotations"]
    signature = base64.b64decode(annotations[SIGNATURE_ANNOTATION])
    assert annotations[KEYID_ANNOTATION] == key.keyid
    assert key.public.verify(signature, pae(RECORD_MEDIA_TYPE, entry.record))
    other = entry_documents("cd" * 32, layer, {"installed": [["six", "1.17.0"]]})  # a record someone else wrote
    assert not key.public.verify(signature, pae(RECORD_MEDIA_TYPE, other.record))
    assert not key.public.verify(signature, pae("application/vnd.in-toto+json", entry.record))  # bound to the record type
    # the unsigned entry of the same layer is the same record: only the manifest carries the signature
    assert other.record != entry.record and entry_documents("cd" * 32, layer, {"installed": [["six", "1.16.0"]]}).record == entry.record


def test_a_stream_given_up_half_way_ends_its_threads(tmp_path):
    """A download that fails part-way leaves the checker with half a stream: leaving its ``with`` block
    ends its threads (none is left waiting for chunks that will never come)."""
    store = BlobStore(tmp_path / "store")
    layer = _layer(store, "gzip")
    blob = store.read_bytes(layer.descriptor.digest)
    before = threading.active_count()
    with StreamingDiffId(layer.descriptor.media_type) as streaming:
        for start in range(0, len(blob) // 2, 4096):
            streaming.update(blob[start:start + 4096])
        assert threading.active_count() > before
    assert threading.active_count() == before
