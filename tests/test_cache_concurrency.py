"""Builds that share one cache: at the same time, killed half-way, pruned or cleaned meanwhile.

Each build is a separate process (tests/cache_build_driver.py) running the
real pipeline on a tiny project (dependency: idna) with the offline Python
base layout, so a build takes about a second.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cache_build_driver
import pytest

from hatch_aicontainer.cache import admin as cache_admin
from hatch_aicontainer.cache.admin import CacheBusyError

DRIVER = Path(cache_build_driver.__file__)
TIMEOUT = 180


@pytest.fixture(scope="module")
def reference(probe, module_tmp) -> dict:
    """The result of one build alone in its own cache."""
    work = module_tmp.mktemp("reference")
    return run_build(probe, work / "cache", work / "out")


def _argv(probe, cache: Path, out: Path, *extra: str) -> list[str]:
    project, base = probe
    return [sys.executable, str(DRIVER), str(project), str(cache), str(out), "--base", base, *extra]


def start_build(probe, cache: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(_argv(probe, cache, out, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> dict:
    stdout, stderr = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, f"build failed ({proc.returncode}):\n{stderr[-3000:]}"
    return json.loads(stdout.strip().splitlines()[-1])


def run_build(probe, cache: Path, out: Path) -> dict:
    return finish(start_build(probe, cache, out))


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the build ended ({proc.returncode}) before {path.name}:\n{proc.stderr.read()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {path.name} within {timeout}s")
        time.sleep(0.02)


def temp_files(cache: Path) -> list[Path]:
    return sorted(cache.rglob(".tmp-*"))


def assert_cache_consistent(cache: Path) -> None:
    """Every blob hashes to its name; every layer record names a blob that is there."""
    blobs = cache / "blobs" / "sha256"
    for blob in blobs.iterdir():
        if blob.name.startswith(".tmp-"):
            continue
        sha = hashlib.sha256()
        with open(blob, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                sha.update(chunk)
        assert sha.hexdigest() == blob.name, f"corrupt blob {blob.name}"
    for record in (cache / "layers").glob("*.json"):
        digest = json.loads(record.read_text())["descriptor"]["digest"]
        assert (blobs / digest.partition(":")[2]).is_file(), f"{record.name} names a missing blob"


def test_the_probe_project_builds_fast_from_its_small_lock(reference):
    assert reference["lock_reused"], "the idna-only lock was not reused: the tests now install TensorFlow"
    assert not reference["dependency_cached"]


def test_two_builds_at_once_on_an_empty_cache(probe, reference, tmp_path):
    cache, go = tmp_path / "cache", tmp_path / "go"
    builds = [start_build(probe, cache, tmp_path / f"out{i}", "--start-after", str(go)) for i in range(2)]
    time.sleep(0.5)  # both processes have imported everything and wait at the barrier
    go.touch()
    results = [finish(build) for build in builds]

    assert {r["digest"] for r in results} == {reference["digest"]}
    assert {r["dependency_layer"] for r in results} == {reference["dependency_layer"]}
    assert_cache_consistent(cache)
    assert temp_files(cache) == []
    assert len(list((cache / "layers").glob("*.json"))) == 1
    archives = [Path(r["archive"]).read_bytes() for r in results]
    assert archives[0] == archives[1]


def test_three_builds_at_once_on_a_warm_cache_reuse_the_layer(probe, reference, tmp_path):
    cache, go = tmp_path / "cache", tmp_path / "go"
    run_build(probe, cache, tmp_path / "first")
    builds = [start_build(probe, cache, tmp_path / f"out{i}", "--start-after", str(go)) for i in range(3)]
    time.sleep(0.5)
    go.touch()
    results = [finish(build) for build in builds]
    assert all(r["dependency_cached"] for r in results)
    assert {r["digest"] for r in results} == {reference["digest"]}
    assert_cache_consistent(cache)


def test_a_build_killed_while_writing_the_dependency_layer_leaves_the_cache_usable(probe, reference, tmp_path):
    cache, marker = tmp_path / "cache", tmp_path / "writing"
    victim = start_build(probe, cache, tmp_path / "killed", "--hang", str(marker))
    try:
        wait_for(marker, victim)
        partial = [p for p in temp_files(cache) if p.parent.name == "sha256" and p.stat().st_size > 0]
        assert partial, "the dependency layer should be half-written in a temporary file"
        assert not list((cache / "layers").glob("*.json")), "no record before the blob is whole"
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL

    # the half-written blob is ignored: the next build makes the layer again, identically
    after = run_build(probe, cache, tmp_path / "after")
    assert not after["dependency_cached"]
    assert after["digest"] == reference["digest"]
    assert_cache_consistent(cache)
    assert cache_admin.cache_info(cache).temp_files >= 1

    # the killed build's lock died with it: pruning runs and removes its leftovers
    result = cache_admin.prune_cache("100G", cache)
    assert not result.busy and result.removed_files >= 1
    assert temp_files(cache) == []
    again = run_build(probe, cache, tmp_path / "again")
    assert again["dependency_cached"] and again["digest"] == reference["digest"]


def test_a_corrupt_cached_layer_is_rebuilt_not_used(probe, reference, tmp_path):
    cache = tmp_path / "cache"
    first = run_build(probe, cache, tmp_path / "first")
    blob = cache / "blobs" / "sha256" / first["dependency_layer"].partition(":")[2]
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte flipped
    blob.write_bytes(bytes(data))

    second = run_build(probe, cache, tmp_path / "second")
    assert not second["dependency_cached"], "a corrupt cached layer must not be reused"
    assert second["digest"] == reference["digest"]
    assert_cache_consistent(cache)

    for record in (cache / "layers").glob("*.json"):
        record.write_text(record.read_text()[:10])  # a torn record
    third = run_build(probe, cache, tmp_path / "third")
    assert not third["dependency_cached"] and third["digest"] == reference["digest"]


def test_prune_and_clean_wait_for_a_running_build(probe, reference, tmp_path):
    cache, marker = tmp_path / "cache", tmp_path / "writing"
    run_build(probe, cache, tmp_path / "earlier")  # something to prune
    running = start_build(probe, cache, tmp_path / "running", "--hang", str(marker), "--hang-for", "2")
    try:
        wait_for(marker, running)
        before = cache_admin.cache_info(cache)
        assert before.in_use
        result = cache_admin.prune_cache(0, cache, wait=0.2)
        assert result.busy and result.removed_files == 0
        with pytest.raises(CacheBusyError):
            cache_admin.clean_cache(cache, wait=0.2)
        assert cache_admin.cache_info(cache).blobs == before.blobs
    finally:
        built = finish(running)
    assert built["digest"] == reference["digest"]
    assert_cache_consistent(cache)

    # once it has finished, both work
    assert cache_admin.prune_cache(0, cache, wait=5).removed_files > 0
    assert cache_admin.cache_info(cache).blobs == 0
    cache_admin.clean_cache(cache, wait=5)
    assert run_build(probe, cache, tmp_path / "after")["digest"] == reference["digest"]


def test_pruning_and_cleaning_in_a_loop_never_break_builds(probe, reference, tmp_path):
    cache = tmp_path / "cache"
    stop = threading.Event()
    rounds = {"pruned": 0, "cleaned": 0, "busy": 0}

    def admin():
        while not stop.is_set():
            if cache_admin.prune_cache(0, cache, wait=0).busy:
                rounds["busy"] += 1
            else:
                rounds["pruned"] += 1
            try:
                cache_admin.clean_cache(cache, wait=0)
                rounds["cleaned"] += 1
            except CacheBusyError:
                rounds["busy"] += 1
            time.sleep(0.005)

    worker = threading.Thread(target=admin)
    worker.start()
    try:
        for i in range(4):
            builds = [start_build(probe, cache, tmp_path / f"out{i}-{j}") for j in range(2)]
            assert {finish(build)["digest"] for build in builds} == {reference["digest"]}
    finally:
        stop.set()
        worker.join(30)
    assert rounds["busy"] > 0, "the loop never met a running build"
    assert rounds["pruned"] + rounds["cleaned"] > 0, "the loop never ran between builds"


def test_the_cache_size_limit_is_kept_after_builds(probe, reference, tmp_path, monkeypatch):
    from hatch_aicontainer.oci.cache import BlobStore

    cache = tmp_path / "cache"
    run_build(probe, cache, tmp_path / "first")
    full = cache_admin.cache_info(cache).total_bytes
    result = cache_admin.after_build(BlobStore(cache), full // 2)
    assert result is not None and not result.busy and result.removed_files > 0
    assert cache_admin.cache_info(cache).total_bytes <= full // 2
    assert run_build(probe, cache, tmp_path / "after")["digest"] == reference["digest"]
    assert_cache_consistent(cache)
