"""`aicontainer cache info|prune|clean` as a subprocess on a real cache directory."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from hatch_aicontainer.oci.cache import BlobStore


def _aicontainer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hatch_aicontainer.cli.main", *args], capture_output=True, text=True)


def test_info_prune_clean(tmp_path):
    store = BlobStore(tmp_path / "cache")
    digests = []
    blob_dir = store.root / "blobs" / "sha256"
    for age, size in ((300, 4000), (200, 3000), (100, 2000)):
        digest, _ = store.put_bytes(os.urandom(size))
        past = time.time() - age
        os.utime(store.path(digest), (past, past))
        digests.append(digest)
    store.close()  # this "build" is done with the cache: the shared lock is released

    info = _aicontainer("cache", "info", "--dir", str(store.root))
    assert info.returncode == 0 and "3 blobs" in info.stdout

    prune = _aicontainer("cache", "prune", "--dir", str(store.root), "--max-size", "6000")
    assert prune.returncode == 0, prune.stderr
    # least recently used first: the oldest (4000 bytes) goes, the two newer stay
    assert [(blob_dir / d[7:]).is_file() for d in digests] == [False, True, True]

    bad = _aicontainer("cache", "prune", "--dir", str(store.root), "--max-size", "lots")
    assert bad.returncode != 0 and bad.stderr.count("\n") == 1 and "lots" in bad.stderr and "Traceback" not in bad.stderr

    clean = _aicontainer("cache", "clean", "--dir", str(store.root))
    assert clean.returncode == 0, clean.stderr
    assert not any((blob_dir / d[7:]).is_file() for d in digests)


def test_prune_refuses_while_a_build_holds_the_cache(tmp_path):
    store = BlobStore(tmp_path / "cache")
    digest, _ = store.put_bytes(b"in use")
    store.hold()
    try:
        busy = _aicontainer("cache", "prune", "--dir", str(store.root), "--max-size", "0")
        assert busy.returncode != 0 and "using the cache" in busy.stdout
        assert (store.root / "blobs" / "sha256" / digest[7:]).is_file()
    finally:
        store.close()
