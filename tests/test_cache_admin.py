"""cache_admin: size, clean, LRU pruning, and the lock that keeps them away from running builds.

Synthetic stores only (no image build): see test_cache_concurrency.py for builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hatch_aicontainer.cache import admin as cache_admin
from hatch_aicontainer.cache.admin import CacheBusyError, clean_cache, format_size, prune_cache
from hatch_aicontainer.config.environment import BuildEnvironment, parse_size
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.cache import BlobStore, CacheFolders

DAY = 86400


def put(store: BlobStore, data: bytes, *, age_days: float | None = None) -> str:
    digest, _ = store.put_bytes(data)
    if age_days is not None:
        when = time.time() - age_days * DAY
        os.utime(store.path(digest), (when, when))
    return digest


def record(store: BlobStore, key: str, digest: str) -> Path:
    path = store.root / "layers" / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"descriptor": {"mediaType": "x", "digest": digest, "size": 1}, "diff_id": digest}))
    return path


def blob_names(root: Path) -> set[str]:
    return {p.name for p in (root / "blobs" / "sha256").iterdir()} if (root / "blobs" / "sha256").is_dir() else set()


@pytest.fixture
def store(tmp_path):
    s = BlobStore(tmp_path / "cache")
    yield s
    s.close()


# -- sizes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("123", 123),
        ("0", 0),
        ("20G", 20 * 1024**3),
        ("20GiB", 20 * 1024**3),
        ("20GB", 20 * 1000**3),
        ("1.5g", int(1.5 * 1024**3)),
        (" 500 MB ", 500 * 1000**2),
        ("64k", 64 * 1024),
        ("2T", 2 * 1024**4),
        (42, 42),
    ],
)
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "-1", "12 parsecs", "1e9", "ten"])
def test_parse_size_rejects_what_is_not_a_size(text):
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


def test_format_size():
    assert format_size(0) == "0 B"
    assert format_size(1536) == "1.5 KiB"
    assert format_size(3 * 1024**3) == "3.0 GiB"


def test_the_limit_comes_from_the_environment():
    assert BuildEnvironment.read({}).cache_max_size is None
    assert BuildEnvironment.read({"AICONTAINER_CACHE_MAX_SIZE": "10G"}).cache_max_size == 10 * 1024**3
    with pytest.raises(ConfigError, match="AICONTAINER_CACHE_MAX_SIZE = 'lots'"):
        BuildEnvironment.read({"AICONTAINER_CACHE_MAX_SIZE": "lots"})


# -- info -------------------------------------------------------------------------------------


def test_cache_info_counts_what_is_there(store):
    a = put(store, b"a" * 1000)
    put(store, b"b" * 2000)
    record(store, "k1", a)
    (store.root / "probes").mkdir()
    (store.root / "probes" / "x.json").write_text("{}")
    (store.root / "blobs" / "sha256" / ".tmp-left-behind").write_bytes(b"z" * 500)
    store.close()

    info = cache_admin.cache_info(store.root)
    assert (info.blobs, info.blob_bytes) == (2, 3000)
    assert (info.layer_records, info.probes) == (1, 1)
    assert (info.temp_files, info.temp_bytes) == (1, 500)
    identities = sum(p.stat().st_size for p in (store.root / "blobs" / "identity").iterdir())
    assert identities > 0, "each blob written has its identity recorded"
    assert info.total_bytes == 3000 + 500 + 2 + (store.root / "layers" / "k1.json").stat().st_size + identities
    assert info.oldest_use <= info.newest_use
    assert not info.in_use
    assert "2 blobs" in info.summary()


def test_cache_info_of_a_missing_cache(tmp_path):
    info = cache_admin.cache_info(tmp_path / "nothing")
    assert (info.total_bytes, info.blobs, info.in_use) == (0, 0, False)


def test_cache_info_sees_a_build_using_the_cache(store):
    put(store, b"data")
    assert cache_admin.cache_info(store.root).in_use
    store.close()
    assert not cache_admin.cache_info(store.root).in_use


# -- last use ---------------------------------------------------------------------------------


def test_using_a_blob_records_the_use_in_its_mtime(store):
    digest = put(store, b"payload", age_days=10)
    old = store.path(digest).stat().st_mtime
    for use in (store.has, store.verify, lambda d: store.open(d).close(), store.read_bytes):
        os.utime(store.path(digest), (old, old))
        use(digest)
        assert store.path(digest).stat().st_mtime > old + DAY, use


# -- prune ------------------------------------------------------------------------------------


def test_prune_removes_least_recently_used_blobs_first(store):
    put(store, b"1" * 1000, age_days=30)  # the oldest: removed first
    old = put(store, b"2" * 1000, age_days=20)
    recent = put(store, b"3" * 1000, age_days=1)
    newest = put(store, b"4" * 1000)
    record(store, "old-layer", old)
    kept_record = record(store, "recent-layer", recent)
    store.close()

    result = prune_cache(2700, store.root)  # two blobs, two layer records and four blob identities (~60 B)

    assert not result.busy
    assert blob_names(store.root) == {recent[7:], newest[7:]}
    assert sorted(p.name for p in (store.root / "layers").iterdir()) == [kept_record.name]
    assert result.removed_files == 3  # two blobs and the record of one of them
    assert result.removed_bytes >= 2000
    assert result.total_bytes == cache_admin.cache_info(store.root).total_bytes <= 2700


def test_prune_under_the_limit_removes_only_leftovers(store):
    kept = put(store, b"keep me")
    record(store, "ok", kept)
    dangling = record(store, "dangling", "sha256:" + hashlib.sha256(b"pruned long ago").hexdigest())
    unreadable = store.root / "layers" / "broken.json"
    unreadable.write_text("{not json")
    temp = store.root / "blobs" / "sha256" / ".tmp-killed-build"
    temp.write_bytes(b"half a layer")
    store.close()

    result = prune_cache("1G", store.root)

    assert blob_names(store.root) == {kept[7:]}
    assert not dangling.exists() and not unreadable.exists() and not temp.exists()
    assert (store.root / "layers" / "ok.json").exists()
    assert result.removed_files == 3


def test_prune_keeps_blobs_used_within_min_age(store):
    put(store, b"1" * 1000, age_days=3)
    recent = put(store, b"2" * 1000)
    store.close()
    prune_cache(0, store.root, min_age=3600)
    assert blob_names(store.root) == {recent[7:]}


def test_prune_to_zero_leaves_a_usable_store(store):
    digest = put(store, b"x" * 100)
    store.close()
    prune_cache(0, store.root)
    assert blob_names(store.root) == set()
    assert not store.has(digest)
    assert put(store, b"x" * 100) == digest
    assert store.verify(digest)


def test_prune_of_a_missing_cache_is_a_no_op(tmp_path):
    result = prune_cache(0, tmp_path / "none")
    assert (result.removed_files, result.total_bytes, result.busy) == (0, 0, False)
    assert not (tmp_path / "none").exists()


# -- clean ------------------------------------------------------------------------------------


def test_clean_removes_everything_but_the_lock(store):
    digest = put(store, b"x" * 100)
    record(store, "k", digest)
    (store.root / "probes").mkdir()
    (store.root / "probes" / "p.json").write_text("{}")
    (store.root / "blobs" / "sha256" / ".tmp-x").write_bytes(b"t")
    imports = CacheFolders(store.root).bytecode / "venv" / "site-packages" / "requests"
    imports.mkdir(parents=True)
    (imports / "api.cpython-311.pyc").write_bytes(b"bytecode")
    store.close()

    result = clean_cache(store.root)

    assert result.removed_files == 6  # blob, its identity, layer record, probe, temporary file, bytecode
    assert list(store.root.iterdir()) == [CacheFolders(store.root).lock]
    assert cache_admin.cache_info(store.root).total_bytes == 0
    assert put(store, b"again") and store.verify("sha256:" + hashlib.sha256(b"again").hexdigest())


# -- the lock ---------------------------------------------------------------------------------


def test_prune_and_clean_leave_a_store_in_use_alone(store):
    digest = put(store, b"in use by a build", age_days=5)

    result = prune_cache(0, store.root, wait=0.2)
    assert result.busy and result.removed_files == 0
    assert "a build is using the cache" in result.summary()
    with pytest.raises(CacheBusyError, match="in use by a running build"):
        clean_cache(store.root, wait=0.2)
    assert store.verify(digest)

    store.close()
    assert not prune_cache(0, store.root).busy
    assert blob_names(store.root) == set()


def test_prune_waits_for_a_build_to_release_the_cache(store):
    put(store, b"x" * 100, age_days=1)
    threading.Timer(0.3, store.close).start()
    started = time.monotonic()
    result = prune_cache(0, store.root, wait=10)
    assert not result.busy and result.removed_files == 1
    assert 0.2 < time.monotonic() - started < 5


def test_a_store_waits_while_the_cache_is_pruned(tmp_path):
    root = tmp_path / "cache"
    root.mkdir()
    done = threading.Event()
    store = BlobStore(root)

    def use_the_store():
        store.has("sha256:" + "0" * 64)
        done.set()

    with cache_admin.exclusive(root, 0) as free:
        assert free
        worker = threading.Thread(target=use_the_store)
        worker.start()
        assert not done.wait(0.3), "the store must wait for the exclusive lock"
    assert done.wait(5)
    worker.join()
    store.close()


def test_a_killed_build_does_not_keep_the_cache_locked(tmp_path):
    root = tmp_path / "cache"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from hatch_aicontainer.oci.cache import BlobStore\n"
            "store = BlobStore(sys.argv[1]); store.put_bytes(b'held')\n"
            "print('held', flush=True); time.sleep(120)\n",
            str(root),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert prune_cache(0, root, wait=0.1).busy
        holder.kill()
        holder.wait(10)
        assert not prune_cache(0, root, wait=5).busy
        assert blob_names(root) == set()
    finally:
        holder.kill()
        holder.wait(10)


def test_after_build_releases_the_store_and_keeps_the_limit(store, monkeypatch):
    put(store, b"1" * 1000, age_days=2)
    newest = put(store, b"2" * 1000)
    messages = []

    assert cache_admin.after_build(store, None, messages.append) is None
    assert not cache_admin.cache_info(store.root).in_use  # released

    store.has(newest)  # a new use takes the lock again
    result = cache_admin.after_build(store, 1500, messages.append)
    assert result is not None and result.removed_files == 1
    assert blob_names(store.root) == {newest[7:]}
    assert messages and "removed 1 files" in messages[0]


def test_after_build_does_not_wait_for_other_builds(store, tmp_path, monkeypatch):
    put(store, b"1" * 1000)
    other = BlobStore(store.root)
    other.hold()  # another build is running
    try:
        started = time.monotonic()
        result = cache_admin.after_build(store, 0)
        assert result is not None and result.busy
        assert time.monotonic() - started < 1
    finally:
        other.close()


def test_prune_counts_unpacked_interpreters_least_recently_used_first(tmp_path):
    """base_rootfs's unpacked interpreters (~80 MB each) are pruned like blobs, a whole folder at a time,
    and unpacks left half-done by killed builds go first."""
    root = tmp_path / "cache"
    store = BlobStore(root)
    store.close()
    folders = {}
    for age, name in ((300, "old"), (100, "recent")):
        folder = CacheFolders(root).interpreters / (name * 8)
        (folder / "root" / "usr" / "lib").mkdir(parents=True)
        (folder / "root" / "usr" / "lib" / "libpython.so").write_bytes(b"\0" * 1000)
        os.utime(folder, (time.time() - age, time.time() - age))
        folders[name] = folder
    half_done = CacheFolders(root).interpreters / ".tmp-killed"
    (half_done / "root").mkdir(parents=True)
    (half_done / "root" / "lib.so").write_bytes(b"\0" * 500)
    result = prune_cache(1500, root)
    assert not half_done.exists()
    assert not folders["old"].exists() and folders["recent"].exists()
    assert result.total_bytes <= 1500
    prune_cache(0, root)
    assert not folders["recent"].exists()
