"""build/base/interpreter.py: the base image's own Python, run on the build host from its layers (real Debian bases).

* /usr: Debian trixie's Python 3.13 (debootstrap), a Python the host does not
  have, run as-is and as a non-root user with a store of its own.
* /usr/local: the bookworm base plus a second layer laid out like Docker Hub's
  python:*-slim (interpreter in /usr/local/bin, stdlib in /usr/local/lib,
  /usr/bin/python3.11 and /usr/lib/python3.11 whited out, and one library the
  interpreter links, libexpat, moved to /usr/local/lib). What it proves: the
  probe's /usr/local pick, PYTHONHOME from that prefix, whiteouts across layers
  and the loader finding libraries through the image's ld.so.conf. What it
  does not: the binary is Debian's (prefix /usr compiled in, libpython linked
  statically), not python.org's shared-libpython build.
* hostile entries in a layer above a real base: nothing lands outside the
  cache, no device node, no setuid bit; an escaping name is one fatal line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
import site
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import base_images
import pytest
from environments import registry_access

from hatch_aicontainer.build.base.filesystem import SKIP_HARD_LINK, SKIP_SETID, SKIP_SPECIAL
from hatch_aicontainer.build.base.interpreter import open_interpreter
from hatch_aicontainer.build.base.python import probe_python
from hatch_aicontainer.build.base.resolve import BaseImage, resolve_base_image
from hatch_aicontainer.build.layers import bytecode
from hatch_aicontainer.core.errors import BaseImageError, ConfigError
from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Layer, Platform
from hatch_aicontainer.registry.reference import BaseImageSpec

AMD64 = Platform("linux", "amd64")
SHOW = (
    "import os, sys; maps = open('/proc/self/maps').read().split(); "
    "print(sys.version.split()[0], sys.implementation.cache_tag, sys.prefix, os.__file__); "
    "print(*sorted({p for p in maps if '/libc.so' in p or '/libexpat.so' in p}))"
)


def _root_only() -> None:
    if os.geteuid() != 0:
        pytest.skip("debootstrap needs root (run scripts/test as root, as CI does)")


def _run(interpreter, code: str) -> list[str]:
    done = subprocess.run(
        [*interpreter.argv(), "-S", "-c", code], env=interpreter.environment(), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


@pytest.fixture(scope="module")
def trixie() -> base_images.BaseLayout:
    _root_only()
    return base_images.ensure_python_base_layout("trixie")


@pytest.fixture(scope="module")
def bookworm() -> base_images.BaseLayout:
    _root_only()
    return base_images.ensure_python_base_layout("bookworm")


def test_debian_python_in_usr_runs_from_its_layers(trixie, tmp_path):
    store = BlobStore(tmp_path / "cache")
    base = resolve_base_image(BaseImageSpec.parse(trixie.spec), AMD64, store, access=registry_access())
    python = probe_python(base, store)
    assert python.executable == "/usr/bin/python3.13"
    interpreter = open_interpreter(base, python, store)
    root = str(interpreter.root)
    version_line, libraries = _run(interpreter, SHOW)
    version, tag, prefix, os_file = version_line.split()
    assert version == python.version and tag == "cpython-313"
    assert prefix == root + "/usr" and os_file == root + "/usr/lib/python3.13/os.py"
    assert libraries.split() and all(path.startswith(root + "/") for path in libraries.split())  # the image's glibc

    again = open_interpreter(base, python, store)  # from the cache, same identity
    assert again == interpreter

    compiler, line = bytecode.image_compiler(base, python, store, "auto")
    assert compiler is not None and compiler.version == python.version and compiler.cache_tag == "cpython-313"
    # the dependency layer's cache key: the base's layers and interpreter, nothing of this host
    key = json.dumps(compiler.key())
    assert base.layers[0].descriptor.digest in key and "/usr/bin/python3.13" in key
    assert str(tmp_path) not in key and sys.version.split()[0] not in key
    expected = f"bytecode by the base image's Python {python.version} (/usr/bin/python3.13)"
    if interpreter.skipped:  # Debian's own setuid binaries and sticky /tmp lose those bits on the host copy
        expected += f"; base layer entries contained: {interpreter.skipped_note()}"
    assert line == expected


@pytest.fixture
def nobody_dir():
    """A directory the unprivileged user owns (pytest's own tmp_path is private to root)."""
    work = Path(tempfile.mkdtemp(prefix="aicontainer-nobody-"))
    os.chmod(work, 0o755)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_it_unpacks_and_runs_as_a_non_root_user(trixie, nobody_dir):
    work = nobody_dir
    shutil.copytree(trixie.path, work / "layout")
    subprocess.run(["chown", "-R", "65534:65534", str(work)], check=True)
    code = (
        "import sys; from pathlib import Path\n"
        "from hatch_aicontainer.build.base.resolve import resolve_base_image\n"
        "from hatch_aicontainer.registry.reference import BaseImageSpec\n"
        "from hatch_aicontainer.build.layers.bytecode import image_compiler\n"
        "from hatch_aicontainer.oci.cache import BlobStore\n"
        "from hatch_aicontainer.oci.descriptor import Platform\n"
        "from hatch_aicontainer.build.base.python import probe_python\n"
        "from hatch_aicontainer.registry.access import RegistryAccess\n"
        "store = BlobStore(Path(sys.argv[1]) / 'cache')\n"
        f"base = resolve_base_image(BaseImageSpec.parse('oci:' + sys.argv[1] + '/layout:{trixie.tag}'), Platform('linux', 'amd64'), store, access=RegistryAccess())\n"
        "compiler, line = image_compiler(base, probe_python(base, store), store, 'on')\n"
        "print(compiler.version, compiler.cache_tag)\n"
    )
    paths = [str(Path(__file__).resolve().parents[1]), *site.getsitepackages()]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": os.pathsep.join(paths), "HOME": str(work)}
    as_nobody = dict(user=65534, group=65534, extra_groups=[], env=env, capture_output=True, text=True, check=False)
    # this test's interpreter may sit where nobody can run it (/root/.pyenv): any CPython of its minor will do
    minor = "python%d.%d" % sys.version_info[:2]
    for python in (sys.executable, shutil.which(minor, path="/usr/local/bin:/usr/bin"), shutil.which(minor)):
        try:
            if python and subprocess.run([python, "-c", "import isal, hatch_aicontainer"], **as_nobody).returncode == 0:
                break
        except PermissionError:
            continue
    else:
        pytest.skip(f"no {minor} that an unprivileged user may run")
    done = subprocess.run([python, "-c", code, str(work)], **as_nobody)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[1] == "cpython-313"


def _tar_layer(store: BlobStore, build) -> Layer:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        build(tar)
    data = raw.getvalue()
    diff_id = "sha256:" + hashlib.sha256(data).hexdigest()
    digest, size = store.put_bytes(data)
    return Layer(descriptor=Descriptor(mediatypes.OCI_LAYER_TAR, digest, size), diff_id=diff_id)


def _with_layer(base: BaseImage, layer: Layer) -> BaseImage:
    marker = hashlib.sha256((base.manifest_digest + layer.descriptor.digest).encode()).hexdigest()
    return dataclasses.replace(base, layers=(*base.layers, layer), manifest_digest="sha256:" + marker)


def _member(name: str, kind: bytes = tarfile.REGTYPE, *, mode: int = 0o644, data: bytes = b"", link: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname, info.size = kind, mode, link, len(data)
    return info, io.BytesIO(data) if data else None


def test_python_in_usr_local_like_the_docker_hub_images(bookworm, tmp_path):
    rootfs = base_images.ensure_debian_rootfs("bookworm")
    store = BlobStore(tmp_path / "cache")
    base = resolve_base_image(BaseImageSpec.parse(bookworm.spec), AMD64, store, access=registry_access())
    multiarch = rootfs / "usr/lib/x86_64-linux-gnu"
    expat_real = (multiarch / "libexpat.so.1").resolve().name

    def build(tar: tarfile.TarFile) -> None:
        tar.add(rootfs / "usr/bin/python3.11", "usr/local/bin/python3.11")
        tar.addfile(*_member("usr/local/bin/python3", tarfile.SYMTYPE, link="python3.11"))
        tar.add(rootfs / "usr/lib/python3.11", "usr/local/lib/python3.11", filter=lambda i: None if "__pycache__" in i.name else i)
        tar.add(multiarch / expat_real, "usr/local/lib/libexpat.so.1")
        for hidden in ("usr/bin/.wh.python3.11", "usr/bin/.wh.python3", "usr/lib/.wh.python3.11",
                       f"usr/lib/x86_64-linux-gnu/.wh.{expat_real}", "usr/lib/x86_64-linux-gnu/.wh.libexpat.so.1"):
            tar.addfile(*_member(hidden))

    slim = _with_layer(base, _tar_layer(store, build))
    python = probe_python(slim, store)
    assert python.executable == "/usr/local/bin/python3.11"
    interpreter = open_interpreter(slim, python, store)
    root = str(interpreter.root)
    assert not (interpreter.root / "usr/lib/python3.11").exists()
    version_line, libraries = _run(interpreter, SHOW + "; import pyexpat")
    version, tag, prefix, os_file = version_line.split()
    assert version.startswith("3.11.") and tag == "cpython-311"
    assert prefix == root + "/usr/local" and os_file == root + "/usr/local/lib/python3.11/os.py"
    expat = [path for path in libraries.split() if "libexpat" in path]
    assert expat == [root + "/usr/local/lib/libexpat.so.1"]  # found through the image's ld.so.conf


def test_hostile_entries_stay_inside_and_lose_their_privileges(bookworm, tmp_path):
    store = BlobStore(tmp_path / "cache")
    base = resolve_base_image(BaseImageSpec.parse(bookworm.spec), AMD64, store, access=registry_access())
    outside = tmp_path / "outside"
    outside.mkdir()

    def build(tar: tarfile.TarFile) -> None:
        tar.addfile(*_member("usr/lib/escape", tarfile.SYMTYPE, link=str(outside)))
        tar.addfile(*_member("usr/lib/escape/through-link", data=b"x"))  # written in the root, never through the link
        tar.addfile(*_member("usr/lib/up", tarfile.SYMTYPE, link="../../../../../../.." + str(outside)))
        tar.addfile(*_member("usr/lib/up/through-dotdot", data=b"x"))
        tar.addfile(*_member("usr/lib/suid-tool", mode=0o6755, data=b"#!/bin/sh\n"))
        tar.addfile(*_member("usr/lib/null", tarfile.CHRTYPE, mode=0o666))
        tar.addfile(*_member("usr/lib/fifo", tarfile.FIFOTYPE))
        tar.addfile(*_member("usr/lib/hard-to-nothing", tarfile.LNKTYPE, link="etc/does-not-exist"))
        tar.addfile(*_member("usr/lib/hard-to-suid", tarfile.LNKTYPE, link="usr/lib/suid-tool"))
        tar.addfile(*_member("/usr/lib/absolute-name", data=b"y"))

    hostile = _with_layer(base, _tar_layer(store, build))
    python = probe_python(hostile, store)
    interpreter = open_interpreter(hostile, python, store)
    assert list(outside.iterdir()) == []
    root = interpreter.root
    assert (root / "usr/lib/suid-tool").stat().st_mode & 0o7777 == 0o755
    assert os.path.samefile(root / "usr/lib/hard-to-suid", root / "usr/lib/suid-tool")
    assert (root / "usr/lib/absolute-name").read_bytes() == b"y"
    for name in ("null", "fifo", "hard-to-nothing"):
        assert not os.path.lexists(root / "usr/lib" / name)
    plain = dict(open_interpreter(base, probe_python(base, store), store).skipped)
    skipped = dict(interpreter.skipped)
    added = {reason: skipped.get(reason, 0) - plain.get(reason, 0) for reason in (SKIP_SPECIAL, SKIP_HARD_LINK, SKIP_SETID)}
    assert added == {SKIP_SPECIAL: 2, SKIP_HARD_LINK: 1, SKIP_SETID: 1}  # null + fifo; hard-to-nothing; suid-tool
    assert f"{skipped[SKIP_SPECIAL]} {SKIP_SPECIAL}" in interpreter.skipped_note()
    for path in root.rglob("*"):  # every symlink resolves inside the root
        if path.is_symlink() and path.exists():
            assert path.resolve().is_relative_to(root.resolve()), path
    assert _run(interpreter, "print(1)") == ["1"]


def test_an_entry_leading_out_of_the_root_is_one_fatal_line(bookworm, tmp_path):
    store = BlobStore(tmp_path / "cache")
    base = resolve_base_image(BaseImageSpec.parse(bookworm.spec), AMD64, store, access=registry_access())
    layer = _tar_layer(store, lambda tar: tar.addfile(*_member("usr/../../escaped", data=b"x")))
    bad = _with_layer(base, layer)
    with pytest.raises(BaseImageError) as info:
        open_interpreter(bad, probe_python(bad, store), store)
    message = str(info.value)
    assert "\n" not in message
    assert bookworm.spec in message and layer.descriptor.digest[:19] in message and "usr/../../escaped" in message
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "cache" / "escaped").exists()


@pytest.mark.skipif(bool(shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")), reason="qemu-user present")
def test_another_architecture_without_qemu_builds_without_bytecode_and_says_so(bookworm, tmp_path):
    """An ELF header for aarch64 stands in for an arm64 base's interpreter (no qemu here to run a real one)."""
    if Path("/proc/sys/fs/binfmt_misc/qemu-aarch64").exists():
        pytest.skip("binfmt_misc runs aarch64 here")
    store = BlobStore(tmp_path / "cache")
    base = resolve_base_image(BaseImageSpec.parse(bookworm.spec), AMD64, store, access=registry_access())
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    header[18:20] = (183).to_bytes(2, "little")  # EM_AARCH64

    def build(tar: tarfile.TarFile) -> None:
        tar.addfile(*_member("usr/local/bin/python3.11", mode=0o755, data=bytes(header)))

    foreign = _with_layer(base, _tar_layer(store, build))
    python = probe_python(foreign, store)
    compiler, line = bytecode.image_compiler(foreign, python, store, "auto")
    assert compiler is None
    assert line.startswith("no bytecode: ") and "aarch64" in line and "qemu-aarch64" in line and "\n" not in line
    with pytest.raises(ConfigError, match="AICONTAINER_BYTECODE = on: .*aarch64"):
        bytecode.image_compiler(foreign, python, store, "on")
