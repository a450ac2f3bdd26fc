"""The archive's blobs copied in the kernel (``os.copy_file_range``) give the same bytes as read/write.

An archive written by the fast path must be byte-identical to one written by
plain copying. Each path is forced (``archive.KERNEL_COPY``), on the same file
system as the store and across file systems (a tmpfs destination, where the kernel
may refuse: EXDEV), and with the call failing part-way through an archive.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tarfile
import tempfile
from pathlib import Path

import pytest
from release_helpers import MTIME, Built, assemble_image, built_from, write_archive

from hatch_aicontainer.oci import archive
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.oci.image import ConfigChanges
from hatch_aicontainer.oci.layer import LayerEntry, write_layer


@pytest.fixture(scope="module")
def built(module_tmp) -> Built:
    """An image whose layers are incompressible and of sizes off the 512-byte grid (3 MB in all)."""
    store = BlobStore(module_tmp.mktemp("copy") / "store")
    rng = __import__("random").Random(11)
    layers = []
    for index, size in enumerate((1, 511, 513, 3 * 1024 * 1024 + 7)):
        data = rng.randbytes(size)
        layers.append(write_layer([LayerEntry(f"data/{index}.bin", "file", data=data)], store, mtime=MTIME, compression="none"))
    changes = ConfigChanges(env={}, entrypoint=None, cmd=["/bin/true"], workdir="/", user=None, exposed_ports=[], labels={})
    image = assemble_image(store, Platform("linux", "amd64"), changes, [(layer, "data") for layer in layers])
    return built_from(store, [image])


def written(built: Built, destination: Path, *, kernel: bool, monkeypatch) -> bytes:
    monkeypatch.setattr(archive, "KERNEL_COPY", kernel)
    return write_archive(built, destination).read_bytes()


def counting_copy_file_range(monkeypatch, fail_after: int | None = None) -> list[int]:
    """Count the real ``os.copy_file_range`` calls; with ``fail_after``, refuse (ENOSYS) from that call on."""
    calls: list[int] = []
    real = os.copy_file_range

    def wrapped(src: int, dst: int, count: int, *args):
        calls.append(count)
        if fail_after is not None and len(calls) > fail_after:
            raise OSError(errno.ENOSYS, "refused by the test")
        return real(src, dst, count, *args)

    monkeypatch.setattr(os, "copy_file_range", wrapped)
    return calls


def test_kernel_copy_and_plain_copy_write_the_same_bytes(built, tmp_path, monkeypatch):
    plain = written(built, tmp_path / "plain" / "a.oci.tar", kernel=False, monkeypatch=monkeypatch)
    calls = counting_copy_file_range(monkeypatch)
    fast = written(built, tmp_path / "fast" / "a.oci.tar", kernel=True, monkeypatch=monkeypatch)
    assert calls, "the fast path did not use copy_file_range"
    assert hashlib.sha256(fast).hexdigest() == hashlib.sha256(plain).hexdigest()
    assert fast == plain
    with tarfile.open(tmp_path / "fast" / "a.oci.tar") as tar:  # and the blobs are the store's
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith("blobs/sha256/"):
                assert hashlib.sha256(tar.extractfile(member).read()).hexdigest() == member.name.rsplit("/", 1)[1]


def test_a_refusal_part_way_falls_back_to_the_same_bytes(built, tmp_path, monkeypatch):
    plain = written(built, tmp_path / "plain.oci.tar", kernel=False, monkeypatch=monkeypatch)
    calls = counting_copy_file_range(monkeypatch, fail_after=2)
    assert written(built, tmp_path / "mixed.oci.tar", kernel=True, monkeypatch=monkeypatch) == plain
    assert len(calls) == 3, "after one refusal the archive stops asking the kernel"


def test_across_file_systems_the_bytes_are_the_same(built, tmp_path, monkeypatch):
    if not Path("/dev/shm").is_dir():
        pytest.skip("no tmpfs at /dev/shm")
    plain = written(built, tmp_path / "plain.oci.tar", kernel=False, monkeypatch=monkeypatch)
    with tempfile.TemporaryDirectory(dir="/dev/shm") as other:
        assert os.stat(other).st_dev != os.stat(built.store.root).st_dev
        assert written(built, Path(other) / "a.oci.tar", kernel=True, monkeypatch=monkeypatch) == plain


def test_progress_counts_every_byte_written(built, tmp_path):
    steps: list[int] = []
    destination = tmp_path / "p.oci.tar"
    archive.write_oci_archive(destination, built.store, root=built.root, images=built.images, ref_name="1.0.0",
                              repo_tags=["hello-app:1.0.0"], mtime=MTIME, progress=steps.append)
    assert sum(steps) == destination.stat().st_size
    assert all(step > 0 for step in steps)
