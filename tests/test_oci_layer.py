"""Reproducible, streamed layer tarballs (hatch_aicontainer.oci.layer)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.layer import LayerEntry, tree_entries, write_layer

MTIME = 1580601600  # 2020-02-02T00:00:00Z
REPO = Path(__file__).resolve().parents[1]


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "store")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small project tree with the awkward cases: modes, symlinks, a fifo, deep paths."""
    root = tmp_path / "tree"
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("x = 1\n")
    (root / "pkg" / "sub" / "data.bin").write_bytes(bytes(range(256)) * 40)
    tool = root / "bin" / "tool"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(0o700)  # owner-only exec -> normalised to 0755
    secret = root / "pkg" / "secret.txt"
    secret.write_text("s")
    secret.chmod(0o600)  # -> 0644
    (root / "pkg" / "sub").chmod(0o700)  # -> 0755
    os.symlink("tool", root / "bin" / "tool-link")
    os.symlink("../pkg", root / "bin" / "pkg-dir-link")  # a link to a directory: not followed
    os.mkfifo(root / "pkg" / "a-fifo")  # skipped
    long_dir = root / ("d" * 120)
    long_dir.mkdir()
    (long_dir / "ünïcode-name.txt").write_text("long and non-ASCII path")
    return root


def members(store: BlobStore, digest: str) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(store.path(digest).read_bytes()))) as archive:
        return archive.getmembers()


def test_same_tree_twice_gives_identical_layer(tree: Path, store: BlobStore) -> None:
    first = write_layer(tree_entries(tree, "opt/app"), store, mtime=MTIME)
    second = write_layer(tree_entries(tree, "opt/app"), store, mtime=MTIME)
    assert first == second
    assert first.descriptor.media_type == mediatypes.OCI_LAYER_GZIP


@pytest.mark.parametrize("change", ["content", "mode", "mtime", "symlink"])
def test_any_change_changes_the_digest(tree: Path, store: BlobStore, change: str) -> None:
    before = write_layer(tree_entries(tree, "opt/app"), store, mtime=MTIME)
    mtime = MTIME
    if change == "content":
        (tree / "pkg" / "__init__.py").write_text("x = 2\n")
    elif change == "mode":
        (tree / "pkg" / "__init__.py").chmod(0o755)
    elif change == "mtime":
        mtime = MTIME + 1
    else:
        os.unlink(tree / "bin" / "tool-link")
        os.symlink("other", tree / "bin" / "tool-link")
    after = write_layer(tree_entries(tree, "opt/app"), store, mtime=mtime)
    assert after.descriptor.digest != before.descriptor.digest
    assert after.diff_id != before.diff_id


def test_tar_members_are_normalised(tree: Path, store: BlobStore) -> None:
    os.utime(tree / "pkg" / "__init__.py", (0, 12345))  # disk mtimes must not leak
    layer = write_layer(tree_entries(tree, "opt/app", uid=1000, gid=1000), store, mtime=MTIME)
    found = members(store, layer.descriptor.digest)
    names = [m.name for m in found]
    assert names == sorted(names, key=lambda n: n.encode())
    assert len(names) == len(set(names))
    for name in names:  # every parent is an explicit directory that comes first
        parent = name.rpartition("/")[0]
        if parent:
            assert parent in names[: names.index(name)]
    by_name = {m.name: m for m in found}
    assert by_name["opt"].isdir() and by_name["opt/app"].isdir()
    assert (by_name["opt"].uid, by_name["opt"].mode) == (0, 0o755)  # added parents
    assert "opt/app/pkg/a-fifo" not in by_name
    for member in found:
        assert member.mtime == MTIME
        assert member.uname == "" and member.gname == ""
        assert set(member.pax_headers) <= {"path"}  # no atime/ctime/float mtime records
    own = [m for m in found if m.name.startswith("opt/app/")]
    assert {(m.uid, m.gid) for m in own} == {(1000, 1000)}
    assert by_name["opt/app/bin/tool"].mode == 0o755
    assert by_name["opt/app/pkg/secret.txt"].mode == 0o644
    assert by_name["opt/app/pkg/__init__.py"].mode == 0o644
    assert by_name["opt/app/pkg/sub"].isdir() and by_name["opt/app/pkg/sub"].mode == 0o755
    assert by_name["opt/app/bin/tool-link"].issym() and by_name["opt/app/bin/tool-link"].linkname == "tool"
    assert by_name["opt/app/bin/pkg-dir-link"].issym()
    assert not any(n.startswith("opt/app/bin/pkg-dir-link/") for n in names)
    long_name = f"opt/app/{'d' * 120}/ünïcode-name.txt"
    assert by_name[long_name].pax_headers == {"path": long_name}


def test_gzip_header_and_both_digests(tree: Path, store: BlobStore) -> None:
    layer = write_layer(tree_entries(tree, ""), store, mtime=MTIME)
    blob = store.path(layer.descriptor.digest).read_bytes()
    assert blob[:3] == b"\x1f\x8b\x08"
    assert blob[3] & 0x08 == 0, "FNAME flag set"
    assert blob[3] == 0
    assert blob[4:8] == b"\0\0\0\0", "gzip MTIME not zero"
    assert layer.descriptor.digest == sha256(blob)
    assert layer.descriptor.size == len(blob)
    assert layer.diff_id == sha256(gzip.decompress(blob))  # stdlib, independent of ISA-L


def test_output_does_not_depend_on_threads_or_write_pattern(tmp_path: Path, store: BlobStore) -> None:
    rng = random.Random(7)
    words = [bytes(rng.choices(b"abcdefghij", k=rng.randint(2, 9))) for _ in range(500)]
    payload = b" ".join(rng.choices(words, k=1_500_000))  # ~9 MB, several 1 MiB gzip blocks
    (tmp_path / "big.txt").write_bytes(payload)
    from_disk = [LayerEntry("big.txt", "file", source=tmp_path / "big.txt")]
    inline = [LayerEntry("big.txt", "file", data=payload)]  # one 9 MB write instead of 1 MiB chunks
    layer, *others = [
        write_layer(entries, store, mtime=MTIME, threads=threads)
        for entries in (from_disk, inline)
        for threads in (1, 2, 3)
    ]
    assert all(other == layer for other in others)
    assert layer.descriptor.size < len(payload) // 2


def test_uncompressed_layer(tree: Path, store: BlobStore) -> None:
    layer = write_layer(tree_entries(tree, "x"), store, mtime=MTIME, compression="none")
    assert layer.descriptor.media_type == mediatypes.OCI_LAYER_TAR
    assert layer.descriptor.digest == layer.diff_id == sha256(store.path(layer.diff_id).read_bytes())


def test_zstd_without_the_package_is_a_config_error(
    tree: Path, store: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "zstandard", None)  # import raises ImportError
    with pytest.raises(ConfigError, match=r'add "hatch-aicontainer\[zstd\]" to \[build-system\] requires'):
        write_layer(tree_entries(tree, ""), store, mtime=MTIME, compression="zstd")
    assert list((store.root / "blobs" / "sha256").iterdir()) == []  # no temp blob left


def test_zstd_layer(tree: Path, store: BlobStore) -> None:
    zstandard = pytest.importorskip("zstandard")  # the optional [zstd] extra
    layer, other = [write_layer(tree_entries(tree, ""), store, mtime=MTIME, compression="zstd", threads=t) for t in (1, 2)]
    assert layer == other
    assert layer.descriptor.media_type == mediatypes.OCI_LAYER_ZSTD
    with store.open(layer.descriptor.digest) as handle:
        tar = zstandard.ZstdDecompressor().stream_reader(handle).read()
    assert layer.diff_id == sha256(tar)


@pytest.mark.parametrize(
    "entries",
    [
        [LayerEntry("a", "file", data=b"1"), LayerEntry("a", "file", data=b"2")],
        [LayerEntry("a", "dir"), LayerEntry("a", "file", data=b"2")],
        [LayerEntry("a", "file", data=b"1"), LayerEntry("a/b", "file", data=b"2")],
        [LayerEntry("a", "symlink", target="x"), LayerEntry("a/b", "file", data=b"2")],
    ],
    ids=["duplicate-file", "duplicate-kind", "below-a-file", "below-a-symlink"],
)
def test_conflicting_entries_are_rejected(entries: list[LayerEntry], store: BlobStore) -> None:
    with pytest.raises(ValueError):
        write_layer(entries, store, mtime=MTIME)


@pytest.mark.parametrize("path", ["/abs", "./rel", "a/../b", "a//b", "a/", ""])
def test_bad_paths_are_rejected(path: str) -> None:
    with pytest.raises(ValueError):
        LayerEntry(path, "file", data=b"")


_MEMORY_PROBE = """
import json, resource, sys
from pathlib import Path
import isal.igzip_threaded  # imported before the baseline: we measure the write, not imports
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.layer import LayerEntry, write_layer
big, store = Path(sys.argv[1]), BlobStore(Path(sys.argv[2]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
layer = write_layer([LayerEntry("models/big.bin", "file", source=big)], store, mtime=0, threads=2)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kib": before, "after_kib": after, "size": layer.descriptor.size}))
"""


def test_large_file_is_streamed_with_bounded_memory(tmp_path: Path) -> None:
    size = 300 << 20
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:  # sparse, with 1 MiB of random bytes every 10 MiB
        for offset in range(0, size, 10 << 20):
            handle.seek(offset)
            handle.write(os.urandom(1 << 20))
        handle.truncate(size)
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(big), str(tmp_path / "store")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))},
    )
    probe = json.loads(result.stdout)
    growth_mib = (probe["after_kib"] - probe["before_kib"]) / 1024
    assert probe["size"] > 30 << 20  # the random parts were really compressed and stored
    assert growth_mib < 64, f"peak RSS grew by {growth_mib:.0f} MiB while writing a 300 MiB file"


# --- nothing of the build host in the bytes ---------------------------------------------------------


def _known_corpus() -> bytes:
    """~2.6 MB of compressible text, the same on every Python (sha256 only): three 1 MiB gzip blocks."""
    words = [hashlib.sha256(b"w%d" % i).hexdigest()[: 3 + i % 9].encode() for i in range(500)]
    lines, size, counter = [], 0, 0
    while size < 2_600_000:
        digest = hashlib.sha256(counter.to_bytes(8, "big")).digest()
        line = b" ".join(words[(digest[k] << 8 | digest[k + 1]) % 500] for k in range(0, 32, 2)) + b"\n"
        lines.append(line)
        size, counter = size + len(line), counter + 1
    return b"".join(lines)


# Recorded with isal 1.9.1 / zstandard 0.25.0 (the versions pyproject.toml pins) on an x86-64
# CPU with AVX2; the digests must be the same on every build host.
KNOWN_TAR_DIGEST = "sha256:247962f80061f70971c757e40fa61d25c517fb8b3cb72993645306701c8f876e"
KNOWN_LAYER_DIGESTS = {
    ("gzip", 0): "sha256:3c55acdf07d597f6464aa202d2746133ca99adbabf212ec54645e5c6b30b1378",
    ("gzip", 1): "sha256:4c33b621e7969c7007e7176b48b06eaf83af5ec8e7a2754c48703eac8a57e49d",
    ("gzip", 2): "sha256:34f80fb9a4c91bf28fb13049d084e9e5ea5757340b849b5b76a9dd60445ec566",
    ("zstd", 3): "sha256:d1544eece6be57102acb6b391d0daaf7803e268638f6a85dfd04aef4a724d81c",
}


@pytest.mark.parametrize(("compression", "level"), sorted(KNOWN_LAYER_DIGESTS))
def test_compressed_bytes_are_a_known_value(compression: str, level: int, store: BlobStore) -> None:
    """The compressor is part of the image digest: its output for a fixed input is pinned here.

    Fails when the installed isal/zstandard differs from the pinned one, or when
    the library takes a code path on this CPU that writes other bytes (ISA-L
    picks SSE/AVX2/AVX-512 kernels at run time): then the same project would
    get another digest on this host, and a push would upload every layer again.
    """
    if compression == "zstd":
        pytest.importorskip("zstandard")
    entries = [LayerEntry("corpus.txt", "file", data=_known_corpus())]
    layer = write_layer(entries, store, mtime=MTIME, compression=compression, level=level)  # type: ignore[arg-type]
    assert layer.diff_id == KNOWN_TAR_DIGEST  # the tar itself, before compression
    assert layer.descriptor.digest == KNOWN_LAYER_DIGESTS[(compression, level)]


def test_gzip_level_3_is_refused_as_it_depends_on_the_cpu(store: BlobStore) -> None:
    """ISA-L's level 3 wrote sha256:63182582… on an AVX2 host and sha256:c186c… on an AVX-512 host
    for the corpus above: a level whose bytes depend on the CPU cannot be offered."""
    with pytest.raises(ValueError, match="0..2"):
        write_layer([LayerEntry("corpus.txt", "file", data=b"x")], store, mtime=MTIME, compression="gzip", level=3)


_LAYER_DIGEST_SCRIPT = """
import sys
from pathlib import Path
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.layer import tree_entries, write_layer
layer = write_layer(tree_entries(Path(sys.argv[1]), "app"), BlobStore(Path(sys.argv[2])), mtime=0)
print(layer.descriptor.digest)
"""


def test_names_keep_their_bytes_under_a_non_utf8_locale(tmp_path: Path) -> None:
    """A builder whose locale is Latin-1 writes the same layer as one with a UTF-8 locale."""
    if shutil.which("localedef") is None or not Path("/usr/share/i18n/locales/en_US").is_file():
        pytest.skip("needs localedef and the 'locales' package (scripts/test installs it)")
    locales = tmp_path / "locales"
    locales.mkdir()
    subprocess.run(["localedef", "-i", "en_US", "-f", "ISO-8859-1", str(locales / "en_US.ISO-8859-1")], check=True)
    tree = tmp_path / "tree"
    (tree / "caf\u00e9").mkdir(parents=True)
    (tree / "caf\u00e9" / "\u00fcber.txt").write_bytes(b"x")
    os.symlink("caf\u00e9/\u00fcber.txt", tree / "link")

    def digest(**env: str) -> str:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONUTF8"))}
        done = subprocess.run(
            [sys.executable, "-c", _LAYER_DIGEST_SCRIPT, str(tree), str(tmp_path / f"store-{len(env)}")],
            env={**environ, **env}, capture_output=True, text=True, check=True,
        )
        return done.stdout.strip()

    utf8 = digest(LC_ALL="C.UTF-8")
    assert digest(LC_ALL="en_US.ISO-8859-1", LOCPATH=str(locales), PYTHONIOENCODING="utf-8") == utf8
    with tarfile.open(BlobStore(tmp_path / "store-1").path(utf8)) as tar:
        assert "app/caf\u00e9/\u00fcber.txt" in tar.getnames()
        assert tar.getmember("app/link").linkname == "caf\u00e9/\u00fcber.txt"
