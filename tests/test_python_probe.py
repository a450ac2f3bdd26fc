"""probe_python on umoci-built images: /usr/bin vs /usr/local/bin, whiteouts, symlinks, compressions, cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import registry_helpers as rh
from environments import registry_access
from registry_helpers import OPAQUE, WHITEOUT, Symlink

from hatch_aicontainer.build.base.python import PythonInfo, dpkg_version, probe_python, upstream_version
from hatch_aicontainer.build.base.resolve import resolve_base_image
from hatch_aicontainer.core.errors import BaseImageError
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.registry.reference import BaseImageSpec

AMD64 = Platform("linux", "amd64")


def dpkg_status(*packages: tuple[str, str], state: str = "install ok installed") -> bytes:
    stanzas = [
        f"Package: {name}\nStatus: {state}\nPriority: optional\nVersion: {version}\nDescription: x\n more text\n"
        for name, version in packages
    ]
    return ("\n".join(stanzas) + "\n").encode()


DEBIAN = {
    "usr/bin/python3.11": b"",
    "usr/bin/python3": Symlink("python3.11"),
    "var/lib/dpkg/status": dpkg_status(("libc6", "2.36-9"), ("python3.11", "3.11.2-6+deb12u6"), ("python3", "3.11.2-1+b1")),
}
SLIM = {
    "usr/local/bin/python3.12": b"",
    "usr/local/bin/python3": Symlink("python3.12"),
    "usr/local/bin/python": Symlink("python3"),
}


@pytest.fixture
def make(tmp_path):
    """Build an image with umoci, resolve it from its OCI layout, probe it."""
    layout = tmp_path / "layout"
    store = BlobStore(tmp_path / "store")
    counter = iter(range(1000))

    def build(layers, env=(), **kw):
        tag = f"t{next(counter)}"
        rh.build_image(layout, tag, layers, env=env, **kw)
        return resolve_base_image(BaseImageSpec.parse(f"oci:{layout}:{tag}"), AMD64, store, access=registry_access())

    def probe(layers, env=()):
        return probe_python(build(layers, env), store)

    probe.build = build
    probe.store = store
    probe.layout = layout
    return probe


def test_debian_python_in_usr_bin(make):
    assert make([DEBIAN]) == PythonInfo("3.11.2", "3.11", "/usr/bin/python3.11")


def test_slim_python_wins_over_debian_python(make):
    info = make([DEBIAN, SLIM], env=["PYTHON_VERSION=3.12.7"])
    assert info == PythonInfo("3.12.7", "3.12", "/usr/local/bin/python3.12")


def test_python_version_that_does_not_match_the_interpreter_is_ignored(make):
    info = make([DEBIAN], env=["PYTHON_VERSION=3.12.7"])
    assert info == PythonInfo("3.11.2", "3.11", "/usr/bin/python3.11")


def test_highest_minor_in_a_directory(make):
    layers = [{"usr/bin/python3.9": b"", "usr/bin/python3.13": b"", "usr/bin/python3.11": b"", "usr/bin/python3.13-config": b""}]
    assert make(layers) == PythonInfo("3.13", "3.13", "/usr/bin/python3.13")


def test_whiteout_removes_the_slim_python(make):
    layers = [DEBIAN, SLIM, {"usr/local/bin/python3.12": WHITEOUT}]
    assert make(layers, env=["PYTHON_VERSION=3.12.7"]) == PythonInfo("3.11.2", "3.11", "/usr/bin/python3.11")


def test_whiteout_of_a_parent_directory(make):
    assert make([DEBIAN, SLIM, {"usr/local": WHITEOUT}]).executable == "/usr/bin/python3.11"


def test_opaque_directory_hides_lower_contents(make):
    layers = [SLIM, DEBIAN, {"usr/bin": OPAQUE}]
    assert make(layers, env=["PYTHON_VERSION=3.12.1"]).executable == "/usr/local/bin/python3.12"
    # the opaque directory hid the Debian python, and the layer after it adds a new one
    layers = [DEBIAN, {"usr/bin": OPAQUE}, {"usr/bin/python3.13": b""}]
    assert make(layers) == PythonInfo("3.13", "3.13", "/usr/bin/python3.13")


def test_whiteout_then_readded_in_a_later_layer(make):
    layers = [DEBIAN, {"usr/bin/python3.11": WHITEOUT}, {"usr/bin/python3.11": b"again"}]
    assert make(layers).executable == "/usr/bin/python3.11"


def test_dpkg_status_whiteout(make):
    layers = [DEBIAN, {"var/lib/dpkg/status": WHITEOUT}]
    assert make(layers) == PythonInfo("3.11", "3.11", "/usr/bin/python3.11")


def test_symlinked_interpreter_resolves_to_the_real_file(make):
    layers = [DEBIAN, {"usr/local/bin/python3.11": Symlink("/usr/bin/python3.11")}]
    assert make(layers).executable == "/usr/bin/python3.11"
    # a link out of the tracked directories is kept as it is
    layers = [{"opt/py/bin/python3.12": b"", "usr/local/bin/python3.12": Symlink("../../../opt/py/bin/python3.12")}]
    assert make(layers).executable == "/usr/local/bin/python3.12"


def test_dangling_symlink_is_not_an_interpreter(make):
    layers = [DEBIAN, {"usr/local/bin/python3.12": Symlink("python3.12-gone")}]
    assert make(layers).executable == "/usr/bin/python3.11"


def test_no_python(make):
    image = make.build([{"etc/os-release": b"ID=x\n", "usr/bin/python2.7": b"", "usr/bin/python3": Symlink("python3.11")}])
    with pytest.raises(BaseImageError) as info:
        probe_python(image, make.store)
    assert str(info.value) == (
        f'base-image "{image.spec}" has no Python interpreter '
        "(looked for /usr/local/bin/python3.N and /usr/bin/python3.N)"
    )


def test_everything_whited_out_is_no_python(make):
    image = make.build([DEBIAN, {"usr/bin/python3.11": WHITEOUT}])
    with pytest.raises(BaseImageError, match="has no Python interpreter"):
        probe_python(image, make.store)


def test_probe_is_cached_by_manifest_digest(make):
    image = make.build([DEBIAN])
    first = probe_python(image, make.store)
    cache_file = make.store.root / "probes" / (image.manifest_digest.split(":")[1] + ".json")
    assert json.loads(cache_file.read_text())["executable"] == "/usr/bin/python3.11"
    # the layers are not read again: remove them from the store
    for layer in image.layers:
        make.store.path(layer.descriptor.digest).unlink()
    assert probe_python(image, make.store) == first
    # a broken cache entry means a rescan (which now finds the layers missing)
    cache_file.write_text("{broken")
    with pytest.raises(BaseImageError, match="not in the cache"):
        probe_python(image, make.store)


def test_zstd_and_plain_tar_layers(make, tmp_path):
    image = make.build([DEBIAN, SLIM], env=["PYTHON_VERSION=3.12.3"])
    zstd_layout = tmp_path / "zstd"
    rh.skopeo_copy(f"oci:{make.layout}:t0", f"oci:{zstd_layout}:z", "--dest-compress-format", "zstd")
    store = BlobStore(tmp_path / "zstd-store")
    zimage = resolve_base_image(BaseImageSpec.parse(f"oci:{zstd_layout}:z"), AMD64, store, access=registry_access())
    assert {layer.descriptor.media_type for layer in zimage.layers} == {mt.OCI_LAYER_ZSTD}
    assert probe_python(zimage, store) == PythonInfo("3.12.3", "3.12", "/usr/local/bin/python3.12")

    archive = tmp_path / "saved.tar"
    rh.skopeo_copy(f"oci:{make.layout}:t0", f"docker-archive:{archive}:x/y:z")
    store = BlobStore(tmp_path / "tar-store")
    timage = resolve_base_image(BaseImageSpec.parse(f"docker-archive:{archive}"), AMD64, store, access=registry_access())
    assert {layer.descriptor.media_type for layer in timage.layers} == {mt.OCI_LAYER_TAR}
    assert probe_python(timage, store) == probe_python(image, make.store)


@pytest.mark.parametrize(
    ("version", "upstream"),
    [("3.11.2-6+deb12u6", "3.11.2"), ("1:3.12.0~rc1-1", "3.12.0"), ("3.13.5-2", "3.13.5"), ("3.9", "3.9"), ("x", None)],
)
def test_upstream_version(version, upstream):
    assert upstream_version(version) == upstream


def test_dpkg_status_parsing():
    status = dpkg_status(("python3.11-minimal", "3.11.4-1"), ("python3.11", "3.11.2-6")).decode()
    assert dpkg_version(status, "3.11") == "3.11.2"  # the python3.11 package first
    assert dpkg_version(dpkg_status(("python3.11-minimal", "3.11.4-1")).decode(), "3.11") == "3.11.4"
    removed = dpkg_status(("python3.11", "3.11.2-6"), state="deinstall ok config-files").decode()
    assert dpkg_version(removed, "3.11") is None
    assert dpkg_version(status, "3.12") is None


@pytest.mark.e2e
def test_real_debian_base_image(python_base_layout, tmp_path):
    """The debootstrap-made bookworm base (tests/base_images.py): Debian's own Python 3.11."""
    store = BlobStore(tmp_path / "store")
    image = resolve_base_image(BaseImageSpec.parse(python_base_layout.spec), AMD64, store, access=registry_access())
    info = probe_python(image, store)
    assert info.minor == "3.11"
    assert info.executable == "/usr/bin/python3.11"
    assert info.version.startswith("3.11.") and info.version != "3.11"


# -- hand-made layers: cases umoci cannot write ----------------------------------------------


def _tar(entries, *, trailer: bool = True) -> bytes:
    """entries: (name, "file"|"dir"|"symlink"|"hardlink", data or link target)."""
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, value in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(value)
                tar.addfile(info, io.BytesIO(value))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}[kind]
            if kind != "dir":
                info.linkname = value
            tar.addfile(info)
        if not trailer:
            end = buffer.tell()
    data = buffer.getvalue()
    if not trailer:  # cut the last file's padding and the end-of-archive blocks, as umoci 0.4.7 does
        last_size = len(entries[-1][2])
        data = data[: end - (-last_size % 512)]
    return data


def _image(store: BlobStore, layers: list[bytes], compress=None):
    """``compress``: None or "gzip" for every layer, or a list with one of those per layer."""
    import gzip

    from hatch_aicontainer.build.base.resolve import BaseImage
    from hatch_aicontainer.oci.descriptor import Descriptor, Layer

    built = []
    for raw, kind in zip(layers, compress if isinstance(compress, list) else [compress] * len(layers)):
        blob = gzip.compress(raw, mtime=0) if kind == "gzip" else raw
        digest, size = store.put_bytes(blob)
        diff_id, _ = store.put_bytes(raw)
        media_type = mt.OCI_LAYER_GZIP if kind == "gzip" else mt.OCI_LAYER_TAR
        built.append(Layer(Descriptor(media_type, digest, size), diff_id))
    manifest_digest, _ = store.put_bytes(json.dumps([layer.descriptor.digest for layer in built]).encode())
    return BaseImage(BaseImageSpec.parse("oci:hand-made"), "hand-made", manifest_digest, None, {"config": {}}, tuple(built))


def test_layer_without_tar_trailer(tmp_path):
    store = BlobStore(tmp_path / "store")
    raw = _tar([("usr/bin/python3.11", "file", b""), ("var/lib/dpkg/status", "file", DEBIAN["var/lib/dpkg/status"])],
               trailer=False)
    assert len(raw) % 512 != 0
    image = _image(store, [raw], compress="gzip")
    assert probe_python(image, store) == PythonInfo("3.11.2", "3.11", "/usr/bin/python3.11")


def test_file_replacing_a_directory_and_hardlinks(tmp_path):
    store = BlobStore(tmp_path / "store")
    lower = _tar([("usr/local/bin/python3.12", "file", b"py"), ("./usr/bin/python3.10", "file", b"")])
    # a regular file where the directory usr/local/bin was hides everything under it
    upper = _tar([("usr/local/bin", "file", b"not a directory anymore")])
    assert probe_python(_image(store, [lower, upper]), store).executable == "/usr/bin/python3.10"
    # a hard link counts as a regular file
    linked = _tar([("opt/python", "file", b"x"), ("usr/bin/python3.14", "hardlink", "opt/python")])
    store2 = BlobStore(tmp_path / "store2")
    assert probe_python(_image(store2, [linked], compress="gzip"), store2) == PythonInfo("3.14", "3.14", "/usr/bin/python3.14")


def test_absolute_symlink_chain_and_loop(tmp_path):
    store = BlobStore(tmp_path / "store")
    chain = _tar([
        ("usr/bin/python3.12", "file", b""),
        ("usr/local/bin/python3.12", "symlink", "/usr/local/bin/python3.12-shim"),
        ("usr/local/bin/python3.12-shim", "symlink", "../../bin/python3.12"),
        ("usr/local/bin/python3.13", "symlink", "python3.13"),  # a loop: not an interpreter
    ])
    info = probe_python(_image(store, [chain]), store)
    assert info == PythonInfo("3.12", "3.12", "/usr/bin/python3.12")


def test_unreadable_layer(tmp_path):
    store = BlobStore(tmp_path / "store")
    image = _image(store, [b"\x1f\x8b" + b"not really gzip" * 10])
    with pytest.raises(BaseImageError, match="is not a readable tar"):
        probe_python(image, store)


@pytest.mark.parametrize("blob", [b"\x1f\x8b\x08\x00" + b"junk" * 10, b"\x28\xb5\x2f\xfd" + b"junk" * 10, b"plain junk" * 100])
def test_unreadable_layers_of_each_compression(tmp_path, blob):
    store = BlobStore(tmp_path / "store")
    with pytest.raises(BaseImageError, match="is not a readable tar"):
        probe_python(_image(store, [blob]), store)


# -- one hardened tree: the replay's rules are the probe's ---------------------------------------


def test_a_name_leading_out_of_the_root_is_refused_not_clamped(tmp_path):
    """The probe once clamped ``..`` at the root; the tree it now reads refuses the layer, in one line."""
    store = BlobStore(tmp_path / "store")
    name = "../usr/bin/python3.11"
    image = _image(store, [_tar([(name, "file", b""), ("var/lib/dpkg/status", "file", DEBIAN["var/lib/dpkg/status"])])])
    with pytest.raises(BaseImageError) as info:
        probe_python(image, store)
    digest = image.layers[0].descriptor.digest
    assert str(info.value) == (
        f"base-image \"oci:hand-made\": layer {digest[:19]} entry '{name}' leads outside the root file system; refusing the layer"
    )
    assert not (store.root / "probes").exists()  # nothing cached for a refused base


def test_symlink_chains_follow_the_trees_limit_of_40_hops(tmp_path):
    """Links are followed as the tree follows them (40 hops, not 16); one more is a loop."""

    def chain(hops: int) -> bytes:
        links = [(f"usr/local/bin/python3.12{'-' * i}", "symlink", f"python3.12{'-' * (i + 1)}") for i in range(hops)]
        return _tar([*links, (f"usr/local/bin/python3.12{'-' * hops}", "file", b""), ("usr/bin/python3.9", "file", b"")])

    store = BlobStore(tmp_path / "store")
    assert probe_python(_image(store, [chain(20)]), store) == PythonInfo("3.12", "3.12", f"/usr/local/bin/python3.12{'-' * 20}")
    store = BlobStore(tmp_path / "store41")
    assert probe_python(_image(store, [chain(41)]), store).executable == "/usr/bin/python3.9"


# -- each base layer read once per build -------------------------------------------------------------


class CountingStore(BlobStore):
    """Counts each blob's opens and the bytes read through them."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.opens: dict[str, int] = {}
        self.bytes: dict[str, int] = {}

    def open(self, digest: str):
        self.opens[digest] = self.opens.get(digest, 0) + 1
        handle = super().open(digest)
        read = handle.read

        def counted(size: int = -1) -> bytes:
            data = read(size)
            self.bytes[digest] = self.bytes.get(digest, 0) + len(data)
            return data

        handle.read = counted  # type: ignore[method-assign]
        return handle

    def reads(self, image) -> list[int]:
        """Opens of each of ``image``'s layers since the last call."""
        counts = [self.opens.get(layer.descriptor.digest, 0) for layer in image.layers]
        self.opens.clear()
        self.bytes.clear()
        return counts


def _base_steps(image, store: BlobStore, mode: str) -> tuple[PythonInfo, str]:
    """The base image's part of one platform's build, called as build/image.py calls it."""
    from hatch_aicontainer.build.layers import bytecode

    python = probe_python(image, store, unpack_interpreter=mode != "off")
    return python, bytecode.image_compiler(image, python, store, mode)[1]


def _three_layers(store: BlobStore):
    """Three layers (gzip and plain) spreading the interpreter, its libraries and ld.so.conf, with a whiteout and a hard link."""
    lower = _tar([("usr/lib/libc.so.6", "file", b"libc"), ("usr/lib/old.so", "file", b"old"), ("etc/ld.so.conf", "file", b"/usr/lib\n")])
    middle = _tar([("usr/bin/python3.11", "file", b"not ELF"), ("usr/lib/.wh.old.so", "file", b""),
                   ("var/lib/dpkg/status", "file", DEBIAN["var/lib/dpkg/status"])])
    upper = _tar([("usr/lib/libc.so.6", "file", b"libc, again"), ("usr/lib/libc-link.so", "hardlink", "usr/lib/libc.so.6")])
    return _image(store, [lower, middle, upper], compress=["gzip", None, "gzip"])


def test_a_cold_build_reads_each_base_layer_once_and_a_warm_build_none(tmp_path):
    store = CountingStore(tmp_path / "store")
    image = _three_layers(store)
    python, note = _base_steps(image, store, "auto")
    assert python == PythonInfo("3.11.2", "3.11", "/usr/bin/python3.11")
    assert "not an ELF executable" in note  # unpacked, then found not to run here
    assert store.reads(image) == [1, 1, 1]
    (unpacked,) = (store.root / "interpreters").iterdir()
    root = unpacked / "root"
    assert (root / "usr/lib/libc.so.6").read_bytes() == b"libc, again"  # the upper layer's bytes
    assert os.path.samefile(root / "usr/lib/libc.so.6", root / "usr/lib/libc-link.so")
    assert not (root / "usr/lib/old.so").exists() and (root / "etc/ld.so.conf").exists()
    assert [p.name for p in (store.root / "interpreters").iterdir()] == [unpacked.name]  # no staging left behind

    assert _base_steps(image, store, "auto") == (python, note)
    assert store.reads(image) == [0, 0, 0]


def test_bytecode_off_reads_each_layer_once_and_unpacks_nothing(tmp_path):
    store = CountingStore(tmp_path / "store")
    image = _three_layers(store)
    _base_steps(image, store, "off")
    assert store.reads(image) == [1, 1, 1]
    assert not (store.root / "interpreters").exists() or not any((store.root / "interpreters").iterdir())
    _base_steps(image, store, "auto")  # the probe is cached: the interpreter's own replay, once
    assert store.reads(image) == [1, 1, 1]
    _base_steps(image, store, "auto")
    assert store.reads(image) == [0, 0, 0]


def test_a_needed_file_outside_the_staged_folders_is_read_again_from_its_layer_only(tmp_path):
    """A library linked from /usr/lib to /opt: the one case a second read of (only) that layer fetches."""
    store = CountingStore(tmp_path / "store")
    layers = [
        _tar([("opt/vendor/libx.so", "file", b"x"), ("usr/bin/python3.11", "file", b"")]),
        _tar([("usr/lib/libx.so", "symlink", "/opt/vendor/libx.so")]),
    ]
    image = _image(store, layers)
    _base_steps(image, store, "auto")
    assert store.reads(image) == [2, 1]
    (unpacked,) = (store.root / "interpreters").iterdir()
    assert (unpacked / "root/usr/lib/libx.so").read_bytes() == b"x"


def test_a_base_too_large_to_unpack_is_not_read_again_to_learn_it(tmp_path, monkeypatch):
    from hatch_aicontainer.build.base import interpreter

    monkeypatch.setattr(interpreter, "MAX_WRITTEN_BYTES", 8)
    store = CountingStore(tmp_path / "store")
    image = _three_layers(store)
    _, note = _base_steps(image, store, "auto")
    assert note == (
        'no bytecode: the library directories of base-image "oci:hand-made" hold 0 MiB, more than the 0 MiB unpacked '
        "to run its Python; containers compile what they import at start-up"
    )
    assert store.reads(image) == [1, 1, 1]
    assert _base_steps(image, store, "auto")[1] == note
    assert store.reads(image) == [0, 0, 0]


@pytest.mark.e2e
def test_a_cold_build_reads_the_real_base_once(python_base_layout, tmp_path):
    """The debootstrap-made base: one read of its layer, and its interpreter runs (bytecode); warm: none."""
    store = CountingStore(tmp_path / "store")
    image = resolve_base_image(BaseImageSpec.parse(python_base_layout.spec), AMD64, store, access=registry_access())
    store.reads(image)
    python, note = _base_steps(image, store, "on")
    assert note.startswith(f"bytecode by the base image's Python {python.version} (/usr/bin/python3.11)")
    assert store.reads(image) == [1]
    assert _base_steps(image, store, "on") == (python, note)
    assert store.reads(image) == [0]
