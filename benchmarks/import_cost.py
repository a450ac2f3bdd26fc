#!/usr/bin/env python3
"""What loading the plugin costs hatchling: ``import hatch_aicontainer.plugin.hooks`` in fresh interpreters.

    .venv/bin/python benchmarks/import_cost.py [--runs 15] [--compare /path/to/another/checkout]

hatchling imports the plugin's entry point for every build of a project that lists it, and a
build environment made by hatch usually holds no bytecode (uv installs without compiling, and
``PYTHONDONTWRITEBYTECODE=1`` is common in CI images), so every module the import loads is
compiled from source. For each checkout (this one, and ``--compare``'s) and each way (with the
bytecode files that exist; without any: ``PYTHONDONTWRITEBYTECODE=1`` and an empty
``-X pycache_prefix``, so nothing precompiled is found), it times in fresh processes:

* baseline: hatchling's own modules a build loads anyway (the plugin manager, the builder and
  build-hook interfaces, the wheel builder);
* plugin: the same, then ``import hatch_aicontainer.plugin.hooks``;

and prints the medians, the plugin's own cost (plugin - baseline) and its ratio to the baseline.
The numbers are wall times on a shared machine: compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
BASELINE = (
    "import hatchling.plugin.manager, hatchling.builders.plugin.interface, "
    "hatchling.builders.hooks.plugin.interface, hatchling.builders.wheel"
)
TIMED = "import time; t = time.perf_counter(); {body}; print(time.perf_counter() - t)"


def _one(body: str, checkout: Path, bytecode: bool) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    argv = [sys.executable]
    with tempfile.TemporaryDirectory(prefix="import-cost-") as empty:
        if not bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            argv += ["-X", f"pycache_prefix={empty}"]
        # cwd: an empty folder, or "-c" would import the package from the current folder whatever PYTHONPATH says
        done = subprocess.run([*argv, "-c", TIMED.format(body=body)], env=env, cwd=empty, capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def _median(body: str, checkout: Path, bytecode: bool, runs: int) -> float:
    return statistics.median(_one(body, checkout, bytecode) for _ in range(runs))


def measure(checkout: Path, runs: int) -> dict[str, tuple[float, float]]:
    """way -> (baseline, plugin) medians in seconds."""
    out = {}
    for way, bytecode in (("with bytecode", True), ("without bytecode", False)):
        baseline = _median(BASELINE, checkout, bytecode, runs)
        plugin = _median(BASELINE + "; import hatch_aicontainer.plugin.hooks", checkout, bytecode, runs)
        out[way] = (baseline, plugin)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare", type=Path, default=None, help="another checkout (e.g. git worktree of an older commit)")
    args = parser.parse_args()
    checkouts = [("this checkout", HERE)] + ([("compared", args.compare.resolve())] if args.compare else [])
    print(f"{'checkout':<14} {'way':<17} {'hatchling':>10} {'+ plugin':>10} {'plugin':>10} {'plugin/hatchling':>17}")
    results = {}
    for name, checkout in checkouts:
        for way, (baseline, plugin) in measure(checkout, args.runs).items():
            own = plugin - baseline
            results[(name, way)] = own
            print(f"{name:<14} {way:<17} {baseline:>9.3f}s {plugin:>9.3f}s {own:>9.3f}s {own / baseline:>16.2f}x")
    if args.compare:
        for way in ("with bytecode", "without bytecode"):
            before, after = results[("compared", way)], results[("this checkout", way)]
            print(f"plugin's own cost {way}: {after:.3f}s here vs {before:.3f}s compared ({before / max(after, 1e-6):.1f}x less)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
