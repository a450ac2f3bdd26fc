#!/usr/bin/env python3
"""A fresh CI runner releasing a code-only change, with the registry as the shared cache.

    sudo .venv/bin/python benchmarks/registry_cache.py [--runs 3]

On the example project (TensorFlow 2.16.1, its committed lock) and the offline Debian Python base
(tests/base_images.py), against a private docker-registry (tests/services.py), with ``hatch build``
as a pipeline runs it (the plugin from a wheel of this checkout, tests/e2e_helpers.py). A "runner"
is an empty ``AICONTAINER_CACHE_DIR``, an empty uv cache and a fresh hatch data folder. Printed:

* cold: the release from an empty runner (resolves nothing, installs TensorFlow, compresses) + push;
* floor: ``hatch build -t wheel`` on a fresh runner (hatch makes its build environment: the plugin
  and its dependencies) — what any fresh runner pays before the plugin runs;
* warm: a code-only change built and pushed on the machine that built the release (median), and
  ``hatch build -t wheel`` there (the goal: the image and its push cost at most 0.6 s more);
* fresh runner, ``archive = false`` + push: the change on a new runner (median), against the goal
  floor + 1.5 x warm;
* fresh runner with the archive: the same writing the ``.oci.tar``, against floor + warm + the time
  to read the dependency blob from the registry once (measured with one GET);

each with its ratio. Wall times on a shared machine: compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import base_images  # noqa: E402
import services  # noqa: E402
from e2e_helpers import EXAMPLE, build_plugin_wheelhouse, copy_project, hatch_env  # noqa: E402

HATCH = Path(sys.executable).parent / "hatch"


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(argv)} in {cwd}:\n{done.stderr[-3000:]}")
    return took, done.stdout + done.stderr


class Runner:
    def __init__(self, root: Path, wheelhouse: Path, base: str) -> None:
        self.root, self.wheelhouse, self.base = root, wheelhouse, base
        root.mkdir(parents=True)

    def env(self, **extra: str) -> dict[str, str]:
        return hatch_env(self.wheelhouse, self.root / "hatch", self.root / "cache", UV_CACHE_DIR=str(self.root / "uv"),
                         AICONTAINER_BASE_IMAGE=self.base, **extra)

    def build(self, project: Path, *targets: str, **extra: str) -> tuple[float, str]:
        argv = [str(HATCH), "build"]
        for target in targets or ("container",):
            argv += ["-t", target]
        return timed(argv, project, self.env(**extra))


def change(project: Path, n: int) -> None:
    init = next((project / "src").rglob("__init__.py"))
    init.write_text(init.read_text() + f"\n# change {n}\n")


def blob_read_seconds(registry: str, repository: str) -> float:
    """One GET of the release's largest layer (the dependency layer), read to the end."""
    request = urllib.request.Request(f"http://{registry}/v2/{repository}/manifests/0.1.0",  # the example's version
                                     headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    manifest = json.loads(urllib.request.urlopen(request, timeout=60).read())
    largest = max(manifest["layers"], key=lambda layer: layer["size"])
    started = time.monotonic()
    with urllib.request.urlopen(f"http://{registry}/v2/{repository}/blobs/{largest['digest']}", timeout=600) as resp:
        while resp.read(1 << 20):
            pass
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-registry-cache-", dir="/var/tmp"))
    registry = services.start_registry()
    try:
        layout = base_images.ensure_python_base_layout()
        base = base_images.push_layout(layout.path, layout.tag, registry.host, f"library/python:{layout.tag}")
        wheelhouse = build_plugin_wheelhouse(work / "plugin")
        repository = "team/example"
        push = {"AICONTAINER_PUSH_TO": f"{registry.host}/{repository}:{{version}}"}

        release = copy_project(EXAMPLE, work / "release")
        laptop = Runner(work / "laptop", wheelhouse, base)
        cold, _ = laptop.build(release, **push)
        warm, wheel = [], []
        for n in range(args.runs):
            change(release, n)
            took, _ = laptop.build(release, **push)
            warm.append(took)
            took, _ = laptop.build(release, "wheel")  # the same machine, its build environment made
            wheel.append(took)

        floors, fresh_no_archive, fresh_archive = [], [], []
        for n in range(args.runs):
            checkout = copy_project(release, work / f"ci-{n}")
            change(checkout, 100 + n)
            floor, _ = Runner(work / f"floor-{n}", wheelhouse, base).build(copy_project(checkout, work / f"wheel-{n}"), "wheel")
            floors.append(floor)
            took, out = Runner(work / f"fresh-{n}", wheelhouse, base).build(checkout, AICONTAINER_ARCHIVE="0", **push)
            assert "mounted by the push, not downloaded" in out, out[-2000:]
            fresh_no_archive.append(took)
            again = copy_project(checkout, work / f"ci-archive-{n}")
            took, out = Runner(work / f"fresh-archive-{n}", wheelhouse, base).build(again, AICONTAINER_PUSH="0",
                                                                                    AICONTAINER_CACHE_FROM=f"{registry.host}/{repository}")
            assert "from registry cache" in out, out[-2000:]
            fresh_archive.append(took)
        blob = statistics.median(blob_read_seconds(registry.host, repository) for _ in range(args.runs))
    finally:
        registry.stop()
        shutil.rmtree(work, ignore_errors=True)

    floor, warm_t, wheel_t = statistics.median(floors), statistics.median(warm), statistics.median(wheel)
    no_archive, archive = statistics.median(fresh_no_archive), statistics.median(fresh_archive)
    print(f"cold release (empty runner, build + push)        {cold:7.1f} s")
    print(f"floor (fresh runner: hatch build -t wheel)        {floor:7.1f} s")
    print(f"warm code-only rebuild + push (same machine)      {warm_t:7.1f} s")
    print(f"warm hatch build -t wheel (same machine)          {wheel_t:7.1f} s   the container build + push costs "
          f"{warm_t - wheel_t:+.1f} s more (goal: at most +0.6 s)")
    print(f"dependency blob read once from the registry       {blob:7.1f} s")
    goal = floor + 1.5 * warm_t
    print(f"fresh runner, archive = false + push              {no_archive:7.1f} s   goal floor + 1.5 x warm = {goal:.1f} s "
          f"({no_archive / goal:.2f}x of the goal; {cold / no_archive:.1f}x faster than cold)")
    goal = floor + warm_t + blob
    print(f"fresh runner, archive written (no push)           {archive:7.1f} s   goal floor + warm + blob read = {goal:.1f} s "
          f"({archive / goal:.2f}x of the goal; {cold / archive:.1f}x faster than cold)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
