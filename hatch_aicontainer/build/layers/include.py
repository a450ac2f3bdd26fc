"""The image's ``include`` files as layers: large entries alone, cached by their files' fingerprint.

Each ``include`` entry whose files add up to ``LARGE_ENTRY_BYTES`` or more (a
model file or folder) gets a layer of its own; the smaller entries share one.
So an unchanged model is neither re-read nor recompressed (see
``include_record``), and changing one model rebuilds only its own layer.

Order (docs/settings.md, "Include layers"): the large entries' layers go
below the project layer, in the order the ``include`` list names them (list
what changes least first); the small files' layer stays above the project
layer, where the single include layer always was. Docker and containerd reuse
an unpacked layer only when every layer below it is the same, so a code
change then leaves the models' layers alone on the machines that pull the
image. The order depends on the settings and the files' sizes only, never on
the host.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hatch_aicontainer.build.layers.include_record import (
    IncludeRecord,
    fingerprint,
    load_record,
    record_key,
    save_record,
)
from hatch_aicontainer.build.layers.secrets_filter import IncludeFilter
from hatch_aicontainer.cache.remote import RemoteLayers, Taken, content_key
from hatch_aicontainer.config.settings import IncludeSpec
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Layer
from hatch_aicontainer.oci.layer import LayerEntry, file_mode, write_layer, write_tar

#: an ``include`` entry this large (all its files) gets a layer of its own: recompressing it takes
#: a noticeable fraction of a second (ISA-L gzip: about 0.1 s per 64 MiB), the shared layer's
#: smaller files cost less to rewrite than an extra layer costs every pull
LARGE_ENTRY_BYTES = 64 << 20

Writer = Callable[[list[LayerEntry], str], Layer]
Log = Callable[[str], None]


@dataclass(frozen=True)
class IncludeGroup:
    """The entries of one layer: one large ``include`` entry (``source``), or all small ones (``source=None``)."""

    source: str | None
    entries: tuple[LayerEntry, ...]
    size: int


@dataclass(frozen=True)
class IncludeLayers:
    """The layers, and where they go: ``stable`` below the project layer, ``small`` above it."""

    stable: tuple[tuple[Layer, str], ...]
    small: tuple[tuple[Layer, str], ...]
    #: (registry cache key, layer) of each layer (``cache.remote.content_key``: host-independent)
    keys: tuple[tuple[str, Layer], ...] = ()
    #: digest -> ``host/repo`` of layers taken from a registry cache and not downloaded
    remote: Mapping[str, str] = field(default_factory=dict)


def include_entries(specs: Sequence[IncludeSpec], root: Path, log: Log = lambda _message: None) -> list[LayerEntry]:
    """Layer entries for ``include`` (placement rules: ``IncludeSpec.destination_for``;
    secrets and VCS-ignored files left out: ``secrets_filter``)."""
    return [entry for _, entries in _entries_by_spec(specs, root, log) for entry in entries]


def include_groups(
    specs: Sequence[IncludeSpec], root: Path, log: Log = lambda _message: None, *, large: int = LARGE_ENTRY_BYTES
) -> list[IncludeGroup]:
    """The large entries in ``include`` order, then the small ones together (if any)."""
    groups: list[IncludeGroup] = []
    small: list[LayerEntry] = []
    small_size = 0
    seen: dict[str, str] = {}
    for spec, entries in _entries_by_spec(specs, root, log):
        for entry in entries:
            if entry.kind != "dir" and seen.setdefault(entry.path, spec.source) != spec.source:
                raise ConfigError(
                    f"tool.aicontainer.include: {spec.source!r} and {seen[entry.path]!r} both place a file at "
                    f"/{entry.path}; allowed: one source per path in the image"
                )
        size = sum(entry.source.stat().st_size for entry in entries if entry.source is not None)
        if size >= large:
            groups.append(IncludeGroup(source=spec.source, entries=tuple(entries), size=size))
        else:
            small += entries
            small_size += size
    if small:
        groups.append(IncludeGroup(source=None, entries=tuple(_unique_dirs(small)), size=small_size))
    return groups


def include_layers(
    specs: Sequence[IncludeSpec],
    root: Path,
    store: BlobStore,
    layer_options: Mapping[str, object],
    *,
    workdir: LayerEntry,
    identity: Mapping[str, object],
    log: Log = lambda _message: None,
    prefix: str = "",
    write: Writer | None = None,
    remote: RemoteLayers | None = None,
) -> IncludeLayers:
    """Every include layer, from the cache when its files' fingerprint (or content) is unchanged.

    ``workdir`` is added to each layer (an implicit parent directory would hand
    it back to root); ``identity`` is what else decides the bytes (layer format,
    plugin version). ``write(entries, what)`` writes a layer that is not cached
    (the platform build's, which shows its progress); by default plain ``write_layer``.
    On a local miss, ``remote`` (the registry cache) is asked for the layer of the same
    content (its diff_id) and identity before it is compressed here.
    """
    if write is None:
        write = lambda entries, _what: write_layer(entries, store, **layer_options)  # type: ignore[arg-type]  # noqa: E731
    stable: list[tuple[Layer, str]] = []
    small: list[tuple[Layer, str]] = []
    keys: list[tuple[str, Layer]] = []
    remote_blobs: dict[str, str] = {}
    for group in include_groups(specs, root, log):
        entries = [entry for entry in group.entries if entry.path != workdir.path] + [workdir]
        key_identity = {**identity, "options": dict(layer_options), "group": group.source}
        name = "include files" if group.source is None else f"include {group.source}"

        def from_registry(diff_id: str, what: str = f"{prefix}{name}", identity: Mapping[str, object] = key_identity) -> Taken | None:
            if remote is None:
                return None
            entry = remote.cache.lookup(content_key(identity, diff_id), what)
            if entry is None:
                return None
            if entry.layer.diff_id != diff_id:
                remote.cache.say(f"{what}: registry cache {entry.where}: the entry's layer has another diff_id; building locally")
                return None
            return remote.take(entry, store, what)

        layer, how, where = _cached_or_written(
            entries, store, layer_options, key_identity, record_key(key_identity, root), lambda entries: write(entries, name),
            from_registry if remote is not None else None,
        )
        log(f"{prefix}{name} {layer.descriptor.digest[:19]} ({how})")
        (small if group.source is None else stable).append((layer, name))
        keys.append((content_key(key_identity, layer.diff_id), layer))
        if where is not None:
            remote_blobs[layer.descriptor.digest] = where
    return IncludeLayers(stable=tuple(stable), small=tuple(small), keys=tuple(keys), remote=remote_blobs)


class _Sha256Sink:
    def __init__(self) -> None:
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.sha.update(data)


def _cached_or_written(
    entries: list[LayerEntry],
    store: BlobStore,
    layer_options: Mapping[str, object],
    identity: Mapping[str, object],
    key: str,
    write: Callable[[list[LayerEntry]], Layer],
    from_registry: Callable[[str], Taken | None] | None = None,
) -> tuple[Layer, str, str | None]:
    """The recorded layer when the fingerprint matches (settled), or the content hash does; else the
    registry cache's layer of that content; else a new one. (layer, how, ``host/repo`` when not downloaded)."""
    printed, settled = fingerprint(entries, identity)
    record = load_record(store, key)
    diff_id = None
    if record is not None and store.verify(record.layer.descriptor.digest):
        if record.fingerprint == printed and record.settled:
            return record.layer, "cached", None
        diff_id = _diff_id(entries, layer_options)
        if diff_id == record.layer.diff_id:
            save_record(store, key, IncludeRecord(fingerprint=printed, settled=settled, layer=record.layer))
            return record.layer, "cached, content confirmed", None
    if from_registry is not None:
        taken = from_registry(diff_id or _diff_id(entries, layer_options))
        if taken is not None:
            if taken.remote is None:
                save_record(store, key, IncludeRecord(fingerprint=printed, settled=settled, layer=taken.layer))
            return taken.layer, "from registry cache", taken.remote
    layer = write(entries)
    save_record(store, key, IncludeRecord(fingerprint=printed, settled=settled, layer=layer))
    return layer, "built", None


def _diff_id(entries: list[LayerEntry], layer_options: Mapping[str, object]) -> str:
    """The sha256 of the layer's uncompressed tar: every file read once, nothing compressed or written."""
    sink = _Sha256Sink()
    write_tar(entries, sink, mtime=int(layer_options["mtime"]))  # type: ignore[call-overload]
    return "sha256:" + sink.sha.hexdigest()


def _unique_dirs(entries: list[LayerEntry]) -> list[LayerEntry]:
    """Entries of several ``include`` entries in one layer: a directory named twice is kept once."""
    out: dict[str, LayerEntry] = {}
    for entry in entries:
        if entry.kind != "dir" or entry.path not in out:
            out[entry.path] = entry
    return list(out.values())


def _entries_by_spec(specs: Sequence[IncludeSpec], root: Path, log: Log) -> list[tuple[IncludeSpec, list[LayerEntry]]]:
    out: list[tuple[IncludeSpec, list[LayerEntry]]] = []
    files = IncludeFilter(root)
    for spec in specs:
        entries: list[LayerEntry] = []
        if spec.is_glob:
            matches = [match for match in sorted(root.glob(spec.source)) if match.is_file()]
        else:
            matches = [root / spec.source] if (root / spec.source).exists() else []
        placed = [(match, spec.destination_for(match.relative_to(root).as_posix())) for match in matches]
        if not placed:
            raise ConfigError(f"tool.aicontainer.include: {spec.source!r} matches no file in the project")
        placed = files.keep(spec, placed)
        for source, destination in placed:
            if not source.resolve().is_relative_to(root.resolve()):
                raise ConfigError(f"tool.aicontainer.include: {spec.source!r} leads outside the project ({source})")
            if source.is_dir():
                entries += files.tree(spec, source, destination.strip("/"))
            elif not source.is_file():
                raise ConfigError(
                    f"tool.aicontainer.include: {spec.source!r} matches {source.relative_to(root)}, which is neither "
                    "a file nor a directory (a FIFO, socket or device); allowed: files and directories"
                )
            else:
                mode = file_mode(source.stat().st_mode)
                entries.append(LayerEntry(path=destination.strip("/"), kind="file", mode=mode, source=source))
        out.append((spec, entries))
    if (note := files.note()) is not None:
        log(note)
    return out
