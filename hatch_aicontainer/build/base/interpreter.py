"""The base image's own Python, run on the build host from its unpacked layers: no daemon, no root.

Why: bytecode is only the image's own when the image's interpreter writes it
(a CPython of the same minor on the host differs in patch release, and the
host may have none). So the interpreter (with the libraries it loads) is
unpacked from the base layers into the cache and run as

    <root>/<PT_INTERP> --inhibit-cache --library-path <root>/<lib dirs> <root>/<python> ...

with ``PYTHONHOME=<root>/<prefix>`` and an environment of our own (never the
host's ``LD_PRELOAD``/``LD_LIBRARY_PATH``/``PYTHON*``). The loader is the one
the image's ``python3.N`` names in its ELF header, so the image's glibc and
libraries are used, not the host's; ``--inhibit-cache`` keeps the host's
``/etc/ld.so.cache`` out. On another architecture the same command runs under
qemu-user: ``qemu-<arch>-static``/``qemu-<arch>`` on PATH, or a binfmt_misc
registration. Otherwise ``open_interpreter`` says why it cannot, in one line.

Unpacking treats the layers as hostile input (a registry is not trusted with
the CI runner). It is done in two passes and never asks ``tarfile`` to extract:

1. a model (``rootfs_tree``): every layer's entries are replayed onto an
   in-memory tree with chroot semantics, never writing through a symlink;
   names leading out of the root are fatal, device nodes and the like are
   skipped and counted.
2. writing: only what the interpreter needs (the library directories, the
   interpreter, ``ld.so.conf``) into a fresh directory. Directories first (no
   symlink exists on disk yet), then file bytes with
   ``O_CREAT|O_EXCL|O_NOFOLLOW`` (mode without setuid/setgid/sticky, no
   owner), hard links between those files, and last the symlinks, each
   rewritten to a relative link straight to its fully resolved target inside
   the root (its ``..`` count is bounded by its own real depth), dropped when
   that target was not written.

Limits against decompression bombs: entries per image, decompressed bytes per
layer, bytes written, name length and symlink hops. A fatal problem is one
line naming the image, the layer digest and the entry.

The unpacked tree is cached in ``<cache>/interpreters/<key>`` by the base's
layer digests and the interpreter path, built under a temporary name and
renamed when whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import struct
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from hatch_aicontainer.build.base.filesystem import MAX_NAME, SKIP_LINK, Counts, Node, Tree, needed, replay
from hatch_aicontainer.build.base.python import PythonInfo
from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.core.errors import BaseImageError
from hatch_aicontainer.core.faults import owner_token
from hatch_aicontainer.oci.cache import INTERPRETERS, TEMP_PREFIX, BlobStore
from hatch_aicontainer.oci.layer_reader import open_layer_tar

UNPACK_FORMAT = 2
MAX_LAYER_BYTES = 16 << 30  # decompressed tar stream per layer
MAX_WRITTEN_BYTES = 4 << 30  # the library directories of a Debian base: about 80 MB
_DEFAULT_LIBRARY_DIRS = ("lib", "usr/lib", "lib64", "usr/lib64", "usr/local/lib")
# ELF e_machine -> qemu-user's name for it
_QEMU_NAMES = {3: "i386", 8: "mips", 20: "ppc", 21: "ppc64", 22: "s390x", 40: "arm", 62: "x86_64", 183: "aarch64", 243: "riscv64"}
_RECORD = "interpreter.json"


@dataclass(frozen=True)
class BaseInterpreter:
    """How to start the base image's Python on this host (paths are host paths)."""

    root: Path  # the unpacked (partial) root file system
    python: str  # the interpreter file
    loader: str | None  # its dynamic loader (None: statically linked)
    library_path: tuple[str, ...]
    home: str  # PYTHONHOME: the image's prefix (/usr, /usr/local) inside root
    emulator: tuple[str, ...] = ()  # ("qemu-aarch64-static",) on another architecture
    skipped: tuple[tuple[str, int], ...] = ()  # (reason, count) of layer entries left out or defused

    def skipped_note(self) -> str:
        """``"2 device nodes, FIFOs or sockets, 1 setuid/setgid bit dropped"``, or ``""``."""
        return ", ".join(f"{count} {reason}" for reason, count in self.skipped)
    identity: str = ""  # layer digests + interpreter path: what the bytes depend on

    def argv(self) -> list[str]:
        """The command prefix that starts the interpreter (append Python's own arguments)."""
        if self.loader is None:
            return [*self.emulator, self.python]
        # glibc's loader would also read the HOST's /etc/ld.so.cache; musl's has no cache (nor the option)
        cache = [] if os.path.basename(self.loader).startswith("ld-musl") else ["--inhibit-cache"]
        return [*self.emulator, self.loader, *cache, "--library-path", ":".join(self.library_path), self.python]

    def environment(self) -> dict[str, str]:
        """The whole environment to run it with: nothing from the host's."""
        return {"PYTHONHOME": self.home, "LC_ALL": "C", "PYTHONUTF8": "1", "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}


class _CacheWriteError(BaseImageError):
    """Writing the unpacked interpreter into the cache failed (disk full, permissions)."""


class CannotRun(Exception):
    """The base image's interpreter cannot run on this host; ``str()`` says why, in one line."""


def open_interpreter(base: BaseImage, python: PythonInfo, store: BlobStore) -> BaseInterpreter:
    """The base image's interpreter, unpacked (or taken from the cache) and ready to run.

    Raises ``CannotRun`` when this host cannot run it (another architecture
    without qemu-user), ``BaseImageError`` for a layer that must be refused.
    """
    identity = _identity(base, python)
    key = hashlib.sha256(f"{UNPACK_FORMAT}\n{identity}".encode()).hexdigest()  # an older format: another folder
    final = store.root / INTERPRETERS / key
    record = _read_record(final)
    if record is not None:
        _touch(final)
    if record is None:
        _unpack(base, python, store, final, identity)
        record = _read_record(final)
        if record is None:  # pragma: no cover - just written
            raise BaseImageError(f'base-image "{base.spec}": the unpacked interpreter in {final} is unreadable')
    emulator = _emulator(final / "root" / record["python"], base.spec)
    return BaseInterpreter(
        root=final / "root",
        python=str(final / "root" / record["python"]),
        loader=str(final / "root" / record["loader"]) if record["loader"] else None,
        library_path=tuple(str(final / "root" / d) for d in record["library_path"]),
        home=str(final / "root" / record["home"]),
        emulator=emulator,
        skipped=tuple((str(reason), int(count)) for reason, count in record["skipped"]),
        identity=identity,
    )


def _identity(base: BaseImage, python: PythonInfo) -> str:
    document = {
        "format": UNPACK_FORMAT,
        "layers": [layer.descriptor.digest for layer in base.layers],
        "python": python.executable,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _touch(folder: Path) -> None:
    """Mark a cached interpreter as used now (the cache prunes least recently used first)."""
    try:
        os.utime(folder)
    except OSError:
        pass  # a read-only cache still works; it only prunes less well


def _read_record(final: Path) -> dict | None:
    try:
        record = json.loads((final / _RECORD).read_text())
        return record if record.get("format") == UNPACK_FORMAT else None
    except (OSError, ValueError, AttributeError):
        return None


# -- the model -------------------------------------------------------------------------


def _unpack(base: BaseImage, python: PythonInfo, store: BlobStore, final: Path, identity: str) -> None:
    tree = Tree()
    counts = Counts()
    for number, layer in enumerate(base.layers):
        with _layer_tar(base, store, layer.descriptor.digest) as (tar, where):
            replay(tree, number, iter(tar), where, counts)

    python_real = tree.resolve(python.executable, follow_last=True)
    if python_real is None or tree.nodes.get(python_real, Node("dir", 0, 0)).kind != "file":
        raise BaseImageError(f'base-image "{base.spec}": {python.executable} is not a file in its layers')
    dirs, files, links = needed(tree, python_real)
    size = sum(tree.nodes[path].size for path in files)
    if size > MAX_WRITTEN_BYTES:  # a large CUDA base, say: not hostile, just not worth unpacking
        raise CannotRun(
            f'the library directories of base-image "{base.spec}" hold {size >> 20} MiB, '
            f"more than the {MAX_WRITTEN_BYTES >> 20} MiB unpacked to run its Python"
        )
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{owner_token()}-", dir=final.parent))
    except OSError as exc:
        raise _CacheWriteError(f"cannot unpack the base image's interpreter into {final.parent} ({exc.strerror})") from None
    try:
        root = scratch / "root"
        try:
            root.mkdir()
            for directory in sorted(dirs):
                (root / directory).mkdir(mode=0o755)
        except OSError as exc:
            raise _CacheWriteError(f"cannot unpack the base image's interpreter into {root} ({exc.strerror})") from None
        _write_files(base, store, tree, files, root)
        for path in sorted(links):
            target = tree.resolve(path, follow_last=True)
            if target is None or not (target in files or target in dirs):
                counts.skip(SKIP_LINK)
                continue
            relative = posixpath.relpath("/" + target, "/" + posixpath.dirname(path))
            try:
                os.symlink(relative, root / path)
            except OSError as exc:
                raise _CacheWriteError(f"cannot unpack the base image's interpreter into {root} ({exc.strerror})") from None
        loader = _loader_of(root / python_real, tree)
        if loader is not None and loader not in files:
            raise BaseImageError(f'base-image "{base.spec}": the dynamic loader of {python.executable} is not in its layers')
        record = {
            "format": UNPACK_FORMAT,
            "identity": identity,
            "python": python_real,
            "loader": loader,
            "library_path": _library_dirs(tree, root, dirs),
            "home": tree.resolve(posixpath.dirname(posixpath.dirname(python.executable)), follow_last=True) or "",
            "skipped": counts.record(),
        }
        (scratch / _RECORD).write_text(json.dumps(record, sort_keys=True))
        try:
            scratch.rename(final)
        except OSError:
            if _read_record(final) is None:  # not a finished twin from a concurrent build
                raise
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _layer_tar(base: BaseImage, store: BlobStore, digest: str) -> Iterator[tuple[tarfile.TarFile, str]]:
    """A base layer from the store as a tar stream; a broken one is one line naming it.

    Only reading errors are reported so (the body writes to disk through
    ``_writing``, whose errors are about the cache, not the layer).
    """
    where = f'base-image "{base.spec}": layer {digest[:19]}'
    if not store.has(digest):
        raise BaseImageError(f"{where} is not in the cache")
    try:
        with store.open(digest) as raw, open_layer_tar(raw, base.spec, digest, limit=MAX_LAYER_BYTES) as tar:
            yield tar, where
    except (BaseImageError, _CacheWriteError):
        raise
    except Exception as exc:  # tarfile, gzip/isal, zstd and read errors alike
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise BaseImageError(f"{where} is not a readable tar ({reason})") from None


def _write_files(base: BaseImage, store: BlobStore, tree: Tree, files: set[str], root: Path) -> None:
    """Write the chosen files' bytes (a second pass over the layers holding them); hard links share them."""
    wanted: dict[tuple[int, int], list[str]] = {}
    for path in sorted(files):
        source = tree.nodes[path].source
        if source is not None:
            wanted.setdefault(source, []).append(path)
    layers_needed = {source[0] for source in wanted}
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for number, layer in enumerate(base.layers):
        if number not in layers_needed:
            continue
        with _layer_tar(base, store, layer.descriptor.digest) as (tar, where):
            for index, member in enumerate(tar):
                paths = wanted.get((number, index))
                if not paths:
                    continue
                first = root / paths[0]
                mode = (tree.nodes[paths[0]].mode & 0o755) | 0o600
                handle = tar.extractfile(member)
                try:
                    descriptor = os.open(first, flags, mode)
                    with os.fdopen(descriptor, "wb") as out:
                        if handle is not None:
                            shutil.copyfileobj(handle, out, 1 << 20)
                    for other in paths[1:]:
                        os.link(first, root / other, follow_symlinks=False)
                except OSError as exc:
                    raise _CacheWriteError(f"cannot unpack the base image's interpreter into {root} ({exc.strerror})") from None


def _library_dirs(tree: Tree, root: Path, dirs: set[str]) -> list[str]:
    """Where the image's loader would look: ld.so.conf (with includes), multiarch dirs, the defaults."""
    wanted: list[str] = []
    for line in _ld_so_conf(tree, root, "etc/ld.so.conf", depth=0):
        wanted.append(line.strip("/"))
    for top in ("lib", "usr/lib"):
        real = tree.resolve(top, follow_last=True)
        if real is not None:
            wanted += [f"{real}/{name}" for name in sorted(tree.children.get(real, ())) if "-linux-gnu" in name]
    wanted += list(_DEFAULT_LIBRARY_DIRS)
    out: list[str] = []
    for path in wanted:
        real = tree.resolve(path, follow_last=True)
        if real is not None and real in dirs and real not in out:
            out.append(real)
    return out


def _ld_so_conf(tree: Tree, root: Path, path: str, depth: int) -> list[str]:
    real = tree.resolve(path, follow_last=True)
    if depth > 4 or real is None or tree.nodes.get(real, Node("dir", 0, 0)).kind != "file":
        return []
    try:
        text = (root / real).read_text(errors="replace")
    except OSError:
        return []
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("include"):
            pattern = line[len("include") :].strip()
            folder, _, glob = pattern.rpartition("/")
            folder_real = tree.resolve(folder, follow_last=True)
            if folder_real is None:
                continue
            for name in sorted(tree.children.get(folder_real, ())):
                if fnmatchcase(name, glob):
                    out += _ld_so_conf(tree, root, f"{folder_real}/{name}", depth + 1)
        elif line.startswith("/"):
            out.append(line)
    return out


# -- ELF --------------------------------------------------------------------------------


def _elf_header(path: Path) -> tuple[bytes, str, int] | None:
    """(first 64 bytes, struct byte order, e_machine) of an ELF file, else None."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return None
    if len(head) < 52 or head[:4] != b"\x7fELF" or (head[4] == 2 and len(head) < 64):
        return None
    order = "<" if head[5] == 1 else ">"
    return head, order, struct.unpack_from(order + "H", head, 18)[0]


def _loader_of(python_file: Path, tree: Tree) -> str | None:
    """The real path (in the model) of the program interpreter named by PT_INTERP, or None (static)."""
    header = _elf_header(python_file)
    if header is None:
        return None
    head, order, _ = header
    wide = head[4] == 2
    if wide:
        phoff, phentsize, phnum = struct.unpack_from(order + "Q", head, 32)[0], *struct.unpack_from(order + "HH", head, 54)
    else:
        phoff, phentsize, phnum = struct.unpack_from(order + "I", head, 28)[0], *struct.unpack_from(order + "HH", head, 42)
    with open(python_file, "rb") as handle:
        for number in range(min(phnum, 256)):
            handle.seek(phoff + number * phentsize)
            entry = handle.read(phentsize)
            if len(entry) < (56 if wide else 32) or struct.unpack_from(order + "I", entry, 0)[0] != 3:  # PT_INTERP
                continue
            if wide:
                offset, size = struct.unpack_from(order + "Q", entry, 8)[0], struct.unpack_from(order + "Q", entry, 32)[0]
            else:
                offset, size = struct.unpack_from(order + "I", entry, 4)[0], struct.unpack_from(order + "I", entry, 16)[0]
            handle.seek(offset)
            name = handle.read(min(size, MAX_NAME)).split(b"\0", 1)[0].decode("utf-8", "replace")
            return tree.resolve(name, follow_last=True)
    return None


def _emulator(python_file: Path, spec: str) -> tuple[str, ...]:
    """() when this host runs the image's machine code (natively or by binfmt_misc), else qemu-user's command."""
    image = _elf_header(python_file)
    if image is None:
        raise CannotRun(f'the Python of base-image "{spec}" is not an ELF executable')
    host = _elf_header(Path("/proc/self/exe"))
    if host is not None and (image[0][4:6], image[2]) == (host[0][4:6], host[2]):
        return ()
    name = _QEMU_NAMES.get(image[2], f"machine-{image[2]}")
    if name == "ppc64" and image[1] == "<":
        name = "ppc64le"
    for candidate in (f"qemu-{name}-static", f"qemu-{name}"):
        found = shutil.which(candidate)
        if found:
            return (found,)
    try:
        registered = (Path("/proc/sys/fs/binfmt_misc") / f"qemu-{name}").read_text().splitlines()[:1] == ["enabled"]
    except OSError:
        registered = False
    if registered:
        return ()
    raise CannotRun(
        f'the Python of base-image "{spec}" is {name} machine code and this host has neither qemu-{name}(-static) '
        "on PATH nor a binfmt_misc registration for it"
    )
