"""Re-using cached blobs without re-hashing them, and ``aicontainer cache verify``.

A build checks a cached blob by its file identity (size, inode, mtime, ctime recorded
when it was written or last hashed) and hashes it only when that changed. These
tests change a cached layer on disk the three ways a file can change (truncated,
rewritten in place at the same size with its mtime put back, replaced by another
file) and check the next build never puts it in an archive. Bit rot below the file
system keeps the identity: it is simulated by recording the identity of a changed
file, and only ``cache verify`` (a full hash) finds it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import cache_build_driver
import pytest

from hatch_aicontainer.cache.admin import verify_cache
from hatch_aicontainer.oci.cache import BlobStore, CacheFolders

DRIVER = Path(cache_build_driver.__file__)
TIMEOUT = 180


@pytest.fixture(scope="module")
def warm(probe, module_tmp) -> tuple[Path, dict]:
    """A cache after one build, and that build's result (copied per test)."""
    work = module_tmp.mktemp("warm")
    return work / "cache", build(probe, work / "cache", work / "out")


def build(probe, cache: Path, out: Path) -> dict:
    import json

    project, base = probe
    proc = subprocess.run(
        [sys.executable, str(DRIVER), str(project), str(cache), str(out), "--base", base],
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert proc.returncode == 0, f"build failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def copy_cache(source: Path, destination: Path) -> Path:
    subprocess.run(["cp", "-a", str(source), str(destination)], check=True)
    return destination


def archive_blobs_intact(out: Path) -> None:
    """Every blob in every archive of ``out`` hashes to its name (read with tarfile, not our reader)."""
    archives = sorted(out.glob("*.oci.tar"))
    assert archives
    for archive in archives:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.startswith("blobs/sha256/"):
                    data = tar.extractfile(member).read()
                    assert hashlib.sha256(data).hexdigest() == member.name.rsplit("/", 1)[1], member.name


def truncate(blob: Path) -> None:
    with open(blob, "r+b") as handle:
        handle.truncate(blob.stat().st_size // 2)


def rewrite_in_place(blob: Path) -> None:
    """Same size, same inode, the mtime put back: only the ctime tells."""
    st = blob.stat()
    with open(blob, "r+b") as handle:
        handle.seek(st.st_size // 2)
        byte = handle.read(1)
        handle.seek(st.st_size // 2)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(blob, ns=(st.st_atime_ns, st.st_mtime_ns))


def replace(blob: Path) -> None:
    """Another file of the same size and mtime renamed over it (a new inode)."""
    st = blob.stat()
    data = bytearray(blob.read_bytes())
    data[-1] ^= 0xFF
    other = blob.with_name("replacement")
    other.write_bytes(bytes(data))
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, blob)


@pytest.mark.parametrize("change", [truncate, rewrite_in_place, replace], ids=lambda f: f.__name__)
def test_a_cached_layer_changed_on_disk_is_made_again_not_archived(probe, warm, tmp_path, change):
    cache = copy_cache(warm[0], tmp_path / "cache")
    blob = cache / "blobs" / "sha256" / warm[1]["dependency_layer"].partition(":")[2]
    change(blob)

    again = build(probe, cache, tmp_path / "out")
    assert not again["dependency_cached"], f"a cached layer changed on disk ({change.__name__}) was reused"
    assert again["digest"] == warm[1]["digest"]
    archive_blobs_intact(tmp_path / "out")
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name  # made again


def test_an_unchanged_cached_layer_is_reused_without_reading_it(probe, warm, tmp_path):
    """The record matches: the build reuses the layer. Were it hashed, the forged bytes
    (bit rot: identity kept) would be caught here; that they are not proves no full read."""
    cache = copy_cache(warm[0], tmp_path / "cache")
    digest = warm[1]["dependency_layer"]
    blob = cache / "blobs" / "sha256" / digest.partition(":")[2]
    rot(cache, digest)

    store = BlobStore(cache)
    try:
        assert store.verify(digest), "the identity matches: no hash, the blob is taken as intact"
        assert not store.verify(digest, full=True)
    finally:
        store.close()
    assert not blob.exists(), "a full check removes a corrupt blob"


def rot(cache: Path, digest: str) -> None:
    """Change a blob's bytes and record the changed file's identity: what bit rot leaves."""
    blob = cache / "blobs" / "sha256" / digest.partition(":")[2]
    rewrite_in_place(blob)
    st = blob.stat()
    record = CacheFolders(cache).identities / blob.name
    assert record.is_file(), "the build records the identity of the blobs it writes"
    record.write_text(f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}\n")


def test_cache_verify_finds_bit_rot_and_removes_it(probe, warm, tmp_path):
    cache = copy_cache(warm[0], tmp_path / "cache")
    digest = warm[1]["dependency_layer"]
    rot(cache, digest)

    proc = subprocess.run(
        [sys.executable, "-m", "hatch_aicontainer.cli.main", "cache", "verify", "--dir", str(cache)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert [line for line in lines if "corrupt" in line and digest in line], proc.stdout
    assert len(lines) == 2 and "1 corrupt, removed" in lines[-1], proc.stdout
    assert "Traceback" not in proc.stderr
    assert not (cache / "blobs" / "sha256" / digest.partition(":")[2]).exists()

    again = build(probe, cache, tmp_path / "out")
    assert not again["dependency_cached"] and again["digest"] == warm[1]["digest"]
    archive_blobs_intact(tmp_path / "out")
    assert verify_cache(cache).bad == ()


def test_cache_verify_of_an_intact_cache_exits_0(warm, tmp_path):
    cache = copy_cache(warm[0], tmp_path / "cache")
    blobs = sorted(p.name for p in (cache / "blobs" / "sha256").iterdir() if not p.name.startswith("."))
    lines: list[str] = []
    result = verify_cache(cache, report=lines.append)
    assert (result.checked, result.bad, lines) == (len(blobs), (), [])
