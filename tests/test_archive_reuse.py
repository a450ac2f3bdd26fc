"""A rebuild keeps the previous archive's unchanged prefix in place, and the bytes are a full write's.

A rebuild writes the archive without a full copy, and an archive written that way
must be byte-identical to one written by plain copying. Every case compares the archive
a rebuild leaves in place with one written afresh (``archive.REUSE_PREFIX = False``)
from the same image to another path; whether the prefix was kept is told by the
file's inode (a kept archive is the same file, renamed away and back) and by which
store blobs were opened (a kept layer is not read).
"""

from __future__ import annotations

import os
import random
import tarfile
from pathlib import Path

import pytest
from release_helpers import MTIME, Built, assemble_image, built_from

from hatch_aicontainer.oci import archive
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.oci.image import ConfigChanges
from hatch_aicontainer.oci.layer import Layer, LayerEntry, write_layer

CHANGES = ConfigChanges(env={}, entrypoint=None, cmd=["/bin/true"], workdir="/", user=None, exposed_ports=[], labels={})
TAGS = ["hello-app:1.0.0"]


def layer(store: BlobStore, name: str, size: int, seed: int) -> Layer:
    data = random.Random(seed).randbytes(size)
    return write_layer([LayerEntry(f"data/{name}.bin", "file", data=data)], store, mtime=MTIME, compression="none")


@pytest.fixture(scope="module")
def store(module_tmp) -> BlobStore:
    return BlobStore(module_tmp.mktemp("reuse") / "store")


@pytest.fixture(scope="module")
def layers(store):
    """A big stable layer (the model), a small one, and two versions of the top (the code)."""
    return {
        "model": layer(store, "model", 2 * 1024 * 1024 + 3, 1),
        "deps": layer(store, "deps", 70_001, 2),
        "code-1": layer(store, "code", 1_000, 3),
        "code-2": layer(store, "code", 1_200, 4),
        "model-2": layer(store, "model", 2 * 1024 * 1024 + 3, 5),
    }


def image(store: BlobStore, *parts: Layer, platforms: tuple[str, ...] = ("linux/amd64",)) -> Built:
    return built_from(store, [assemble_image(store, Platform.parse(p), CHANGES, [(d, "data") for d in parts])
                              for p in platforms])


def write(built: Built, destination: Path, *, mtime: int = MTIME) -> Path:
    archive.write_oci_archive(destination, built.store, root=built.root, images=built.images,
                              ref_name="1.0.0", repo_tags=TAGS, mtime=mtime)
    return destination


def hx(built_layer: Layer) -> str:
    """The layer's blob name in the store and the archive."""
    return built_layer.descriptor.digest[7:]


def full_write(built: Built, destination: Path, monkeypatch, *, mtime: int = MTIME) -> bytes:
    with monkeypatch.context() as patch:
        patch.setattr(archive, "REUSE_PREFIX", False)
        return write(built, destination, mtime=mtime).read_bytes()


def opened_blobs(monkeypatch, store: BlobStore) -> set[str]:
    """The store blobs opened from now on (by the archive's writer: ``open`` of ``store.path``)."""
    seen: set[str] = set()
    blobs = str(store.path("sha256:" + "0" * 64).parent)
    real_open = open

    def counting(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file).startswith(blobs):
            seen.add(os.path.basename(os.fspath(file)))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting)
    return seen


def test_a_code_only_rebuild_keeps_the_prefix_and_writes_the_bytes_of_a_full_write(store, layers, tmp_path, monkeypatch):
    first = image(store, layers["deps"], layers["model"], layers["code-1"])
    second = image(store, layers["deps"], layers["model"], layers["code-2"])
    destination = write(first, tmp_path / "dist" / "app.oci.tar")
    inode = destination.stat().st_ino
    opened = opened_blobs(monkeypatch, store)
    write(second, destination)
    assert destination.stat().st_ino == inode, "the prefix was not kept: the archive was written afresh"
    assert hx(layers["model"]) not in opened and hx(layers["deps"]) not in opened
    assert hx(layers["code-2"]) in opened
    assert destination.read_bytes() == full_write(second, tmp_path / "fresh" / "app.oci.tar", monkeypatch)
    assert os.listdir(destination.parent) == ["app.oci.tar"]


def test_a_model_change_rewrites_from_the_model_on(store, layers, tmp_path, monkeypatch):
    first = image(store, layers["deps"], layers["model"], layers["code-1"])
    second = image(store, layers["deps"], layers["model-2"], layers["code-1"])
    destination = write(first, tmp_path / "app.oci.tar")
    opened = opened_blobs(monkeypatch, store)
    write(second, destination)
    assert hx(layers["deps"]) not in opened
    assert {hx(layers["model-2"]), hx(layers["code-1"])} <= opened
    assert destination.read_bytes() == full_write(second, tmp_path / "fresh.oci.tar", monkeypatch)


def test_an_unchanged_rebuild_reads_no_layer_and_gives_the_same_bytes(store, layers, tmp_path, monkeypatch):
    built = image(store, layers["deps"], layers["model"], layers["code-1"])
    destination = write(built, tmp_path / "app.oci.tar")
    before = destination.read_bytes()
    opened = opened_blobs(monkeypatch, store)
    write(built, destination)
    assert not opened
    assert destination.read_bytes() == before


def change_in_place(path: Path, offset: int) -> None:
    """Rewrite one byte inside the kept prefix, size kept and mtime put back: only the ctime tells."""
    st = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize("how", ["rewritten in place", "truncated", "replaced", "hard-linked", "other mtime", "no record"])
def test_an_archive_that_may_have_changed_is_written_in_full(how, store, layers, tmp_path, monkeypatch):
    first = image(store, layers["deps"], layers["model"], layers["code-1"])
    second = image(store, layers["deps"], layers["model"], layers["code-2"])
    destination = write(first, tmp_path / "dist" / "app.oci.tar")
    mtime = MTIME
    link = tmp_path / "copy.oci.tar"
    if how == "rewritten in place":
        change_in_place(destination, 5000)  # inside the deps layer's data
    elif how == "truncated":
        os.truncate(destination, destination.stat().st_size - 10240)
    elif how == "replaced":
        replacement = tmp_path / "dist" / "other"
        replacement.write_bytes(destination.read_bytes())
        os.replace(replacement, destination)
    elif how == "hard-linked":
        os.link(destination, link)
    elif how == "other mtime":
        mtime = MTIME + 1
    else:
        archive.record_path(store.root, destination).unlink()
    inode = destination.stat().st_ino
    opened = opened_blobs(monkeypatch, store)
    write(second, destination, mtime=mtime)
    assert hx(layers["model"]) in opened, f"{how}: the prefix was kept"
    assert destination.stat().st_ino != inode
    assert destination.read_bytes() == full_write(second, tmp_path / "fresh.oci.tar", monkeypatch, mtime=mtime)
    if how == "hard-linked":  # the other name still has the first image, whole
        assert link.read_bytes() == full_write(first, tmp_path / "first.oci.tar", monkeypatch)


def test_an_interrupted_rebuild_leaves_nothing_and_the_next_is_whole(store, layers, tmp_path, monkeypatch):
    first = image(store, layers["deps"], layers["model"], layers["code-1"])
    second = image(store, layers["deps"], layers["model"], layers["code-2"])
    destination = write(first, tmp_path / "dist" / "app.oci.tar")

    def interrupted(*_args):  # Ctrl-C while the tail's first blob is being copied
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(archive, "KERNEL_COPY", True)
        patch.setattr(os, "copy_file_range", interrupted)
        with pytest.raises(KeyboardInterrupt):
            write(second, destination)
    assert os.listdir(destination.parent) == [], "a kept archive cut short was left behind"
    write(second, destination)
    assert destination.read_bytes() == full_write(second, tmp_path / "fresh.oci.tar", monkeypatch)


def test_the_order_puts_every_platform_top_layer_last(store, layers, tmp_path, monkeypatch):
    first = image(store, layers["deps"], layers["model"], layers["code-1"], platforms=("linux/amd64", "linux/arm64"))
    destination = write(first, tmp_path / "multi.oci.tar")
    with tarfile.open(destination) as tar:
        names = tar.getnames()
    blobs = [name.rsplit("/", 1)[1] for name in names if name.startswith("blobs/sha256/")]
    assert blobs[:3] == [hx(layers["deps"]), hx(layers["model"]), hx(layers["code-1"])]
    assert names[-2:] == ["index.json", "manifest.json"]
    # a code change for both platforms keeps everything below the code
    second = image(store, layers["deps"], layers["model"], layers["code-2"], platforms=("linux/amd64", "linux/arm64"))
    opened = opened_blobs(monkeypatch, store)
    write(second, destination)
    assert hx(layers["model"]) not in opened
    assert destination.read_bytes() == full_write(second, tmp_path / "fresh.oci.tar", monkeypatch)
