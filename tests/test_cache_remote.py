"""The registry cache's pure parts: entries (bytes that depend on the layer only), keys, and the diff_id
computed while a layer's compressed bytes stream in."""

from __future__ import annotations

import json
import os
import random
import threading

import pytest

from hatch_aicontainer.cache.remote import ENTRY_ARTIFACT, content_key, entry_documents, entry_tag
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.diff_id import StreamingDiffId, diff_id_of
from hatch_aicontainer.oci.layer import LayerEntry, write_layer


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
    record, manifest = entry_documents(key, layer, {"installed": []})
    assert (record, manifest) == entry_documents(key, layer, {"installed": []})
    document = json.loads(manifest)
    assert document["artifactType"] == ENTRY_ARTIFACT and document["layers"] == [layer.descriptor.to_json()]
    assert json.loads(record)["layer"]["diffId"] == layer.diff_id
    assert len(entry_tag(key)) <= 128
    assert content_key({"format": "1"}, layer.diff_id) != content_key({"format": "2"}, layer.diff_id)
    assert os.fsencode(str(tmp_path)) not in record + manifest


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
