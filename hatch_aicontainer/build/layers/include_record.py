"""The cache record of one include layer: a cheap fingerprint of its files, checked before any is read.

A rebuild must not re-read and recompress gigabytes of model weights that did
not change. The fingerprint is what ``stat`` says of every included file
(size, mtime_ns, ctime_ns, inode, device, mode) plus each entry's place and
metadata in the image and what decides the layer's bytes (layer format,
compression options, mtime; the owner is in the entries). When it matches
the record, the recorded layer is used and no included file is opened. When
it differs, the layer's content hash (its ``diff_id``: the sha256 of the
uncompressed tar) is computed and compared before anything is recompressed.

Timestamps have a granularity (jiffies on ext4/xfs/tmpfs, 1-2 s on NFS, FAT,
HFS+): a file rewritten at the same size within the same tick after its
fingerprint was taken keeps its mtime and ctime. A fingerprint taken less than
``SETTLE_NS`` after any file's mtime or ctime is therefore "not settled": the
next build confirms it by the content hash, whatever the fingerprint says.
ctime is in the fingerprint too, so restoring an mtime (``touch -d``,
``os.utime``) after a change is seen.

Records live in ``<cache>/layers/include-<key>.json`` beside the dependency
layer records (pruned and swept with them by ``cache.admin``). They hold
image paths and stat numbers only, no host path: the record key hashes the
project's folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hatch_aicontainer.core.atomic import write_atomically
from hatch_aicontainer.oci.cache import TEMP_PREFIX, BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Layer
from hatch_aicontainer.oci.layer import LayerEntry

#: a fingerprint taken this soon after a file's mtime/ctime is confirmed by the content next time
SETTLE_NS = 2_000_000_000


@dataclass(frozen=True)
class IncludeRecord:
    """The layer written for a fingerprint, and whether that fingerprint may be trusted alone."""

    fingerprint: str
    settled: bool
    layer: Layer

    def to_json(self) -> dict:
        return {
            "descriptor": self.layer.descriptor.to_json(),
            "diff_id": self.layer.diff_id,
            "fingerprint": self.fingerprint,
            "settled": self.settled,
        }


def record_key(identity: Mapping[str, object], project_root: Path) -> str:
    """The record's name: what decides the layer, and which project it is (hashed, never stored)."""
    document = {**identity, "project": hashlib.sha256(os.fsencode(Path(project_root).resolve())).hexdigest()}
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def fingerprint(entries: Sequence[LayerEntry], identity: Mapping[str, object], *, now_ns: int | None = None) -> tuple[str, bool]:
    """(fingerprint, settled) of ``entries`` from ``stat`` alone; no file is opened.

    Take it BEFORE the files are read for the layer: a change racing the read
    then shows as a newer mtime/ctime on the next build.
    """
    now = time.time_ns() if now_ns is None else now_ns
    sha = hashlib.sha256(json.dumps(identity, sort_keys=True).encode())
    settled = True
    for entry in sorted(entries, key=lambda e: e.path.encode("utf-8", "surrogateescape")):
        row: list[object] = [entry.path, entry.kind, entry.mode, entry.uid, entry.gid, entry.target]
        if entry.data is not None:
            row.append(hashlib.sha256(entry.data).hexdigest())
        if entry.source is not None:
            st = os.stat(entry.source)  # followed, as the layer writer's open() follows it
            row += [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev, st.st_mode]
            if now - max(st.st_mtime_ns, st.st_ctime_ns) < SETTLE_NS:
                settled = False
        sha.update(json.dumps(row).encode() + b"\n")
    return sha.hexdigest(), settled


def _path(store: BlobStore, key: str) -> Path:
    return store.folders.layer_records / f"include-{key}.json"


def load_record(store: BlobStore, key: str) -> IncludeRecord | None:
    """The record under ``key``; None when missing or unreadable (a miss, never an error)."""
    try:
        document = json.loads(_path(store, key).read_text())
        layer = Layer(descriptor=Descriptor.from_json(document["descriptor"]), diff_id=document["diff_id"])
        return IncludeRecord(fingerprint=str(document["fingerprint"]), settled=document["settled"] is True, layer=layer)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_record(store: BlobStore, key: str, record: IncludeRecord) -> None:
    """Write the record atomically (a killed build leaves the old one or a swept temporary)."""
    path = _path(store, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(record.to_json(), sort_keys=True).encode(), prefix=TEMP_PREFIX)
