#!/usr/bin/env python3
"""Bytes a build reads from the base image's layers to find its Python and unpack its interpreter.

    sudo .venv/bin/python benchmarks/base_reads.py [--suite bookworm]   (root: the base comes from debootstrap)

The offline Debian base of tests/base_images.py is resolved into a fresh cache,
then the base steps of one platform's build run as ``build/image.py`` runs them
(the probe, then ``bytecode.image_compiler``): cold (empty cache), warm (the
same cache again), and cold with ``AICONTAINER_BYTECODE=off``. For each it
prints how many times each layer blob was opened, the compressed bytes read
from the store and the decompressed bytes read from the tar streams.

Counting: a ``BlobStore`` whose ``open`` returns a counting reader, and
``layer_reader.decompressed`` wrapped so its stream counts too (the readers
call it through the module). It imports the checkout it sits in, and runs on
older ones too: for the figures before a change, copy it into an export of
the older commit and run it there, e.g.

    git archive d1bc9b0 | tar -x -C /tmp/old && cp benchmarks/base_reads.py /tmp/old/benchmarks/
    sudo .venv/bin/python /tmp/old/benchmarks/base_reads.py

At d1bc9b0 a cold build read the bookworm base's one layer 3 times (the probe,
the interpreter's model, its file bytes): 139,971,303 bytes compressed,
370,156,032 decompressed; with one replay, once: 46,657,101 and 123,385,344.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import base_images  # noqa: E402

from hatch_aicontainer.oci import layer_reader  # noqa: E402
from hatch_aicontainer.oci.cache import BlobStore  # noqa: E402


class Counting:
    """A reader that adds what it returns to ``tally[key]``."""

    def __init__(self, inner: IO[bytes], tally: dict[str, int], key: str) -> None:
        self._inner, self._tally, self._key = inner, tally, key

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self._tally[self._key] = self._tally.get(self._key, 0) + len(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        data = self._inner.read1(size)  # type: ignore[attr-defined]
        self._tally[self._key] = self._tally.get(self._key, 0) + len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        count = self._inner.readinto(buffer)  # type: ignore[attr-defined]
        self._tally[self._key] = self._tally.get(self._key, 0) + (count or 0)
        return count

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> Counting:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._inner.close()


class CountingStore(BlobStore):
    """Counts every ``open`` of a blob and the bytes read through it (compressed, as stored)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.opens: dict[str, int] = {}
        self.compressed: dict[str, int] = {}

    def open(self, digest: str) -> Any:
        self.opens[digest] = self.opens.get(digest, 0) + 1
        return Counting(super().open(digest), self.compressed, digest)


DECOMPRESSED: dict[str, int] = {}
_decompressed = layer_reader.decompressed


def _counted_decompressed(raw: IO[bytes], spec: str, digest: str) -> IO[bytes]:
    return Counting(_decompressed(raw, spec, digest), DECOMPRESSED, digest)  # type: ignore[return-value]


layer_reader.decompressed = _counted_decompressed  # type: ignore[assignment]


def base_steps(base: Any, store: BlobStore, mode: str) -> str:
    """The probe and the bytecode compiler, as one platform's build asks for them."""
    from hatch_aicontainer.build.base.python import probe_python
    from hatch_aicontainer.build.layers import bytecode

    environ = {"AICONTAINER_BYTECODE": mode}
    if "unpack_interpreter" in inspect.signature(probe_python).parameters:
        python = probe_python(base, store, unpack_interpreter=mode != "off")
    else:  # the code before one replay per build
        python = probe_python(base, store)
    if "wanted" in inspect.signature(bytecode.image_compiler).parameters:
        _, note = bytecode.image_compiler(base, python, store, mode)
    else:  # the code that read the mode from the environment itself
        _, note = bytecode.image_compiler(base, python, store, environ)
    return note


def measure(store: CountingStore, base: Any, mode: str) -> dict[str, Any]:
    store.opens.clear()
    store.compressed.clear()
    DECOMPRESSED.clear()
    note = base_steps(base, store, mode)
    layers = [layer.descriptor.digest for layer in base.layers]
    return {
        "opens_per_layer": [store.opens.get(d, 0) for d in layers],
        "compressed_bytes": sum(store.compressed.get(d, 0) for d in layers),
        "decompressed_bytes": sum(DECOMPRESSED.get(d, 0) for d in layers),
        "bytecode": note,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="bookworm")
    parser.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    args = parser.parse_args()
    from hatch_aicontainer.build.base.resolve import resolve_base_image
    from hatch_aicontainer.oci.descriptor import Platform
    from hatch_aicontainer.registry.reference import BaseImageSpec

    access: dict[str, Any] = {}
    if "access" in inspect.signature(resolve_base_image).parameters:
        from hatch_aicontainer.registry.access import RegistryAccess

        access["access"] = RegistryAccess()  # an oci: layout reaches no registry
    layout = base_images.ensure_python_base_layout(args.suite)
    spec = f"oci:{layout.path}:{layout.tag}"
    results: dict[str, Any] = {"base": spec}
    with tempfile.TemporaryDirectory(prefix="aicontainer-base-reads-") as work:
        for name, mode, cache in (("cold", "auto", "a"), ("warm", "auto", "a"), ("cold, bytecode off", "off", "b")):
            with CountingStore(Path(work) / cache) as store:
                base = resolve_base_image(BaseImageSpec.parse(spec), Platform("linux", "amd64"), store, **access)
                sizes = [layer.descriptor.size for layer in base.layers]
                results["layer_sizes"] = sizes
                results[name] = measure(store, base, mode)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"base {spec}: {len(results['layer_sizes'])} layer(s), {sum(results['layer_sizes']):,} bytes compressed")
    for name in ("cold", "warm", "cold, bytecode off"):
        r = results[name]
        print(f"{name:>20}: opens per layer {r['opens_per_layer']}, read {r['compressed_bytes']:,} bytes compressed, "
              f"{r['decompressed_bytes']:,} decompressed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
