"""The dependency layer: ``/opt/venv`` with the locked packages, cached by what determines it.

Its key is the lock's hash, the base image's interpreter (version, path), the platform, the
layer options and the bytecode compiler's key: the same key gives the same bytes, so a
code-only rebuild takes the layer from the cache. The cache record (``<cache>/layers/<key>.json``)
keeps what a layer taken from the cache can no longer show, having no installed tree: the
NVIDIA library folders (deps/cuda.py) and the installed distributions' metadata (installed.py).

On a local miss, the key is looked up in the registry cache (``cache.remote``: the
``cache-from`` repositories), where a push of an earlier build left the layer and its record;
only when that misses too are the packages installed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hatch_aicontainer import __version__
from hatch_aicontainer.build.base.python import PythonInfo
from hatch_aicontainer.build.deps.cuda import CudaPaths, find_cuda_paths
from hatch_aicontainer.build.deps.installed import Distribution, read_distributions
from hatch_aicontainer.build.deps.installer import install_lock
from hatch_aicontainer.build.deps.lock import Lock, LockInputs
from hatch_aicontainer.build.deps.uv import Uv
from hatch_aicontainer.build.deps.venv import installed_tree_entries, site_packages, skeleton_entries
from hatch_aicontainer.build.layers import bytecode
from hatch_aicontainer.cache.remote import RemoteLayers
from hatch_aicontainer.core.atomic import write_atomically
from hatch_aicontainer.core.progress import Progress, Task
from hatch_aicontainer.oci.cache import TEMP_PREFIX, BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Layer, Platform
from hatch_aicontainer.oci.layer import LayerEntry, tar_size_estimate, write_layer

# Bump when the layout of what we write changes, to invalidate cached layers.
LAYER_FORMAT = "1"


@dataclass(frozen=True)
class DependencyLayer:
    layer: Layer
    cached: bool  #: taken from the cache (the local one, or a registry's)
    cuda: CudaPaths  #: the NVIDIA library folders in it
    installed: tuple[Distribution, ...]  #: what it installed, from the distributions' metadata
    key: str = ""  #: its cache key (what a registry cache entry is found by)
    remote: str | None = None  #: ``host/repo`` holding the blob when it is not in the local store (not downloaded)

    def extras(self) -> dict:
        """What its cache records keep besides the layer (the local record, a registry entry's)."""
        return {"cuda": self.cuda.to_json(), "installed": [d.to_json() for d in self.installed]}


def dependency_layer(
    lock: Lock,
    inputs: LockInputs,
    uv: Uv,
    python: PythonInfo,
    compiler: bytecode.Compiler | None,
    store: BlobStore,
    scratch: Path,
    platform: Platform,
    layer_options: dict,
    progress: Progress,
    remote: RemoteLayers | None = None,
    say: Callable[[str], None] = lambda _line: None,
) -> DependencyLayer:
    """The venv skeleton plus the locked packages, cached by what determines it (the
    compiler's key: the base image's interpreter, when it wrote bytecode), with the
    NVIDIA library folders found in it (see deps/cuda.py) and what it installed
    (its distributions' metadata: installed.py)."""
    key_document = {
        "format": LAYER_FORMAT,
        "plugin": __version__,
        "lock": lock.sha256,
        "python": [python.version, python.minor, python.executable],
        "platform": str(platform),
        "options": layer_options,
        "bytecode": compiler.key() if compiler is not None else None,
    }
    key = hashlib.sha256(json.dumps(key_document, sort_keys=True).encode()).hexdigest()
    cached = _cached_layer(store, key)
    if cached is not None:
        return cached
    if remote is not None:
        found = _from_registry(remote, key, store, f"[{platform}] dependencies", say)
        if found is not None:
            return found
    tree = scratch / "dependencies"
    install_lock(lock, inputs, tree, uv, progress=progress.lines(f"[{platform}] uv: "))
    installed = read_distributions(tree)
    cuda = find_cuda_paths(tree, site_packages(python.minor))
    if compiler is not None:
        bytecode.compile_tree(tree, site_packages(python.minor), compiler)
    entries = skeleton_entries(python) + installed_tree_entries(tree, python.minor)
    layer = write_layer_shown(entries, store, layer_options, progress.task(f"[{platform}] dependency layer"))
    built = DependencyLayer(layer, False, cuda, installed, key=key)
    _remember_layer(store, key, built)
    return built


def _from_registry(remote: RemoteLayers, key: str, store: BlobStore, what: str, say: Callable[[str], None]) -> DependencyLayer | None:
    """The layer of ``key`` from the registry cache: not downloaded when the push mounts it, else streamed
    into the store and checked; None (with one line saying why) when it cannot be used."""
    entry = remote.cache.lookup(key, what)
    if entry is None:
        return None
    try:
        cuda = CudaPaths.from_json(entry.extras["cuda"])
        installed = tuple(Distribution.from_json(item) for item in entry.extras["installed"])
    except (ValueError, KeyError, TypeError) as exc:
        say(f"{what}: registry cache {entry.where}: the entry's record is damaged ({exc}); building locally")
        return None
    taken = remote.take(entry, store, what)
    if taken is None:
        return None
    found = DependencyLayer(entry.layer, True, cuda, installed, key=key, remote=taken.remote)
    if taken.remote is None:
        _remember_layer(store, key, found)
    return found


def _layer_index_path(store: BlobStore, key: str) -> Path:
    return store.folders.layer_records / f"{key}.json"


def _cached_layer(store: BlobStore, key: str) -> DependencyLayer | None:
    """A record without ``cuda`` or ``installed`` (written before they were kept) counts as a miss."""
    path = _layer_index_path(store, key)
    try:
        record = json.loads(path.read_text())
        layer = Layer(descriptor=Descriptor.from_json(record["descriptor"]), diff_id=record["diff_id"])
        cuda = CudaPaths.from_json(record["cuda"])
        installed = tuple(Distribution.from_json(item) for item in record["installed"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return DependencyLayer(layer, True, cuda, installed, key=key) if store.verify(layer.descriptor.digest) else None


def _remember_layer(store: BlobStore, key: str, built: DependencyLayer) -> None:
    path = _layer_index_path(store, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"descriptor": built.layer.descriptor.to_json(), "diff_id": built.layer.diff_id, **built.extras()}
    write_atomically(path, json.dumps(record).encode(), prefix=TEMP_PREFIX)


def write_layer_shown(entries: list[LayerEntry], store: BlobStore, layer_options: dict, task: Task | None) -> Layer:
    """``write_layer`` with its progress shown by ``task`` (against the tar's estimated size)."""
    if task is None:
        return write_layer(entries, store, **layer_options)
    with task.begin(tar_size_estimate(entries)):
        return write_layer(entries, store, **layer_options, progress=task)
