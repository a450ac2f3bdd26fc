#!/usr/bin/env python3
"""Figures for a foreign Python against the host's own, and whose interpreter compiles the bytecode.

    sudo .venv/bin/python benchmarks/foreign_python.py [--bytecode-only]   (root: the bases come from debootstrap)

1. Cold builds (empty plugin cache; uv's package cache warmed by an untimed
   build first) of one tiny project pinning TensorFlow 2.20.0, once for the
   host's Python (3.11 on bookworm's base) and once for a foreign one (3.13 on
   trixie's), alternating, ``hatch build -t container`` as a user runs it.
2. The bytecode step alone on the same installed 3.11 dependency tree: the base
   image's interpreter (run from its layers) against the host's CPython 3.11.

Prints seconds and ratios; times on a shared 2-core machine move by 10-20 %.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import base_images  # noqa: E402
from e2e_helpers import build_plugin_wheelhouse, hatch_build, hatch_env  # noqa: E402

TENSORFLOW = "2.20.0"
PYTHONS = {"3.11": "bookworm", "3.13": "trixie"}


def project(root: Path, python: str, base: str) -> Path:
    import tomli_w

    root.mkdir(parents=True)
    document = {
        "build-system": {"requires": ["hatchling", "hatch-aicontainer"], "build-backend": "hatchling.build"},
        "project": {"name": "bench-app", "version": "1.0", "requires-python": ">=3.9", "dependencies": []},
        "tool": {
            "hatch": {"build": {"targets": {"wheel": {"packages": ["src/bench_app"]}}}},
            "aicontainer": {"python": python, "tensorflow": TENSORFLOW, "base-image": base},
        },
    }
    (root / "pyproject.toml").write_text(tomli_w.dumps(document))
    (root / "src" / "bench_app").mkdir(parents=True)
    (root / "src" / "bench_app" / "__init__.py").write_text("VALUE = 1\n")
    return root


def build(work: Path, wheelhouse: Path, python: str, base: str, name: str) -> float:
    root = work / name
    env = hatch_env(wheelhouse, root / "hatch", root / "cache")
    start = time.perf_counter()
    run = hatch_build(project(root / "project", python, base), env)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"build {name} failed:\n{(run.stdout + run.stderr)[-3000:]}")
    shutil.rmtree(root, ignore_errors=True)
    return seconds


def bytecode_step(work: Path, base_spec: str) -> tuple[float, float, int]:
    from hatch_aicontainer.build.base.python import probe_python
    from hatch_aicontainer.build.base.resolve import resolve_base_image
    from hatch_aicontainer.registry.reference import BaseImageSpec
    from hatch_aicontainer.build.deps.installer import install_lock
    from hatch_aicontainer.build.deps.lock import LockInputs, ensure_lock
    from hatch_aicontainer.build.deps.uv import Uv
    from hatch_aicontainer.build.layers import bytecode
    from hatch_aicontainer.config.environment import BuildEnvironment
    from hatch_aicontainer.oci.cache import BlobStore
    from hatch_aicontainer.oci.descriptor import Platform

    amd64 = Platform("linux", "amd64")
    work.mkdir(parents=True, exist_ok=True)
    inputs = LockInputs((f"tensorflow-cpu=={TENSORFLOW}",), "3.11", amd64)
    environment = BuildEnvironment.read(os.environ)
    uv = Uv.of(environment)
    lock = ensure_lock(inputs, work / "pylock.bench.toml", uv)
    tree = work / "tree"
    install_lock(lock, inputs, tree, uv)
    site = "/opt/venv/lib/python3.11/site-packages"
    with BlobStore(work / "store") as store:
        base = resolve_base_image(BaseImageSpec.parse(base_spec), amd64, store, access=environment.registry)
        image, _ = bytecode.image_compiler(base, probe_python(base, store), store, "auto")
    host = bytecode.probe_compiler([sys.executable], {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")})
    assert image is not None and host.cache_tag == image.cache_tag
    times: dict[str, float] = {}
    compiled = 0
    for name, compiler in (("image", image), ("host", host), ("image", image), ("host", host)):
        for pycache in list(tree.rglob("__pycache__")):
            shutil.rmtree(pycache)
        start = time.perf_counter()
        compiled, _ = bytecode.compile_tree(tree, site, compiler)
        times[name] = min(times.get(name, float("inf")), time.perf_counter() - start)
    return times["image"], times["host"], compiled


def main() -> int:
    if os.geteuid() != 0:
        raise SystemExit("run as root (debootstrap makes the Debian bases)")
    bases = {python: base_images.ensure_python_base_layout(suite).spec for python, suite in PYTHONS.items()}
    with tempfile.TemporaryDirectory(prefix="bench-foreign-") as scratch:
        work = Path(scratch)
        if "--bytecode-only" in sys.argv:
            image_s, host_s, files = bytecode_step(work / "bytecode", bases["3.11"])
            print(f"bytecode step ({files} files): base image's Python {image_s:.1f} s, host's {host_s:.1f} s, "
                  f"ratio {image_s / host_s:.2f}")
            return 0
        wheelhouse = build_plugin_wheelhouse(work / "plugin")
        for python, base in bases.items():
            print(f"warm-up build for Python {python} (fills uv's package cache)", flush=True)
            build(work, wheelhouse, python, base, f"warm-{python}")
        cold: dict[str, list[float]] = {python: [] for python in bases}
        for round_number in range(2):
            for python, base in bases.items():
                seconds = build(work, wheelhouse, python, base, f"cold-{python}-{round_number}")
                cold[python].append(seconds)
                print(f"cold build, Python {python}: {seconds:.1f} s", flush=True)
        host, foreign = (statistics.median(cold[p]) for p in bases)
        print(f"cold build median: host 3.11 {host:.1f} s, foreign 3.13 {foreign:.1f} s, ratio {foreign / host:.2f}")
        image_s, host_s, files = bytecode_step(work / "bytecode", bases["3.11"])
        print(f"bytecode step ({files} files of tensorflow-cpu {TENSORFLOW} for 3.11): base image's Python {image_s:.1f} s, "
              f"host's Python {host_s:.1f} s, ratio {image_s / host_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
