"""Long because: unpacking the interpreter (staged during the one replay of the layers, elf.py for its
loader and machine code) and starting it on this host share one cache record, written by the first and
read by the second.

The base image's own Python, run on the build host from its unpacked layers: no daemon, no root.

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
the CI runner) and never asks ``tarfile`` to extract. It rides on the one
replay of the layers (``filesystem.read_layers``, the same pass that finds the
Python when the probe is not cached): while the layers stream past,
:class:`Unpack` keeps the bytes of every regular file that may be needed (real
path under the library directories or ``etc``, or named ``python*``) in a
staging folder, by source (layer, member). Once the tree is whole, only
what the interpreter needs (``filesystem.needed``) is written into a fresh
directory: directories first (no symlink exists on disk yet), then the staged
files, linked into place without ever replacing a name (mode without
setuid/setgid/sticky, no owner), hard links between those files, and last the
symlinks, each rewritten to a relative link straight to its fully resolved
target inside the root (its ``..`` count is bounded by its own real depth),
dropped when that target was not written. A needed file the staging did not
keep (a hard link's or symlink's target elsewhere, or staging past
``MAX_WRITTEN_BYTES`` of live files) is read from its layer once more.

The unpacked tree is cached in ``<cache>/interpreters/<key>`` by the base's
layer digests and the interpreter path, built under a temporary name and
renamed when whole; a base whose needed files exceed ``MAX_WRITTEN_BYTES``
is cached as such (``too-large.json``), so no build reads its layers again
to find that out.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import IO, TYPE_CHECKING

from hatch_aicontainer.build.base.elf import CannotRun, emulator, program_interpreter
from hatch_aicontainer.build.base.filesystem import (
    NEEDED,
    SKIP_LINK,
    Counts,
    Node,
    Tree,
    layer_tar,
    needed,
    read_layers,
)
from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.core.errors import BaseImageError
from hatch_aicontainer.core.faults import owner_token
from hatch_aicontainer.oci.cache import TEMP_PREFIX, BlobStore

if TYPE_CHECKING:
    from hatch_aicontainer.build.base.python import PythonInfo

UNPACK_FORMAT = 2
MAX_WRITTEN_BYTES = 4 << 30  # the library directories of a Debian base: about 80 MB; also the staging's bound
_DEFAULT_LIBRARY_DIRS = ("lib", "usr/lib", "lib64", "usr/lib64", "usr/local/lib")
# ELF e_machine -> qemu-user's name for it
_RECORD = "interpreter.json"
_TOO_LARGE = "too-large.json"  # not interpreter.json: a reader of that file finds no interpreter and looks again
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_DIR = Node("dir", 0, 0)


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


def open_interpreter(base: BaseImage, python: PythonInfo, store: BlobStore) -> BaseInterpreter:
    """The base image's interpreter, unpacked (or taken from the cache) and ready to run.

    Not cached: one replay of the layers (the probe may have done it already,
    see ``probe_python``'s ``unpack_interpreter``). Raises ``CannotRun`` when
    this host cannot run it (another architecture without qemu-user, too much
    to unpack), ``BaseImageError`` for a layer that must be refused.
    """
    identity = _identity(base, python.executable)
    final = _folder(store, identity)
    if _read_record(final) is None and _read_record(final, _TOO_LARGE) is None:
        tree = Tree()
        with Unpack(base, store, tree) as unpack:
            counts = Counts()
            read_layers(base, store, tree, counts, unpack.capture)
            unpack.finish(counts, python.executable)
    _touch(final)
    record = _read_record(final)
    if record is None:
        too_large = _read_record(final, _TOO_LARGE)
        if too_large is None:  # pragma: no cover - just written
            raise BaseImageError(f'base-image "{base.spec}": the unpacked interpreter in {final} is unreadable')
        raise CannotRun(
            f'the library directories of base-image "{base.spec}" hold {int(too_large["bytes"]) >> 20} MiB, '
            f"more than the {MAX_WRITTEN_BYTES >> 20} MiB unpacked to run its Python"
        )
    command = emulator(final / "root" / record["python"], base.spec)
    return BaseInterpreter(
        root=final / "root",
        python=str(final / "root" / record["python"]),
        loader=str(final / "root" / record["loader"]) if record["loader"] else None,
        library_path=tuple(str(final / "root" / d) for d in record["library_path"]),
        home=str(final / "root" / record["home"]),
        emulator=command,
        skipped=tuple((str(reason), int(count)) for reason, count in record["skipped"]),
        identity=identity,
    )


def _identity(base: BaseImage, executable: str) -> str:
    document = {
        "format": UNPACK_FORMAT,
        "layers": [layer.descriptor.digest for layer in base.layers],
        "python": executable,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _folder(store: BlobStore, identity: str) -> Path:
    key = hashlib.sha256(f"{UNPACK_FORMAT}\n{identity}".encode()).hexdigest()  # an older format: another folder
    return store.folders.interpreters / key


def _touch(folder: Path) -> None:
    """Mark a cached interpreter as used now (the cache prunes least recently used first)."""
    try:
        os.utime(folder)
    except OSError:
        pass  # a read-only cache still works; it only prunes less well


def _read_record(final: Path, name: str = _RECORD) -> dict | None:
    """``interpreter.json`` (or ``too-large.json``: the bytes it would need) of a finished unpack."""
    try:
        record = json.loads((final / name).read_text())
        return record if record.get("format") == UNPACK_FORMAT else None
    except (OSError, ValueError, AttributeError):
        return None


# -- unpacking, during the one replay -----------------------------------------------------


class Unpack:
    """The interpreter's files, kept while the layers are replayed onto ``tree``, then written to the cache.

    Use as a context manager (its staging folder goes at the end): pass
    :meth:`capture` to ``read_layers``, then call :meth:`finish`.
    """

    def __init__(self, base: BaseImage, store: BlobStore, tree: Tree) -> None:
        self._base, self._store, self._tree = base, store, tree
        self._folder = store.folders.interpreters
        self._scratch: Path | None = None
        self._sizes: dict[tuple[int, int], int] = {}  # staged sources and their sizes
        self._total = 0
        self._full = False

    def __enter__(self) -> Unpack:
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            self._scratch = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{owner_token()}-", dir=self._folder))
            (self._scratch / "staged").mkdir()
        except OSError as exc:
            raise _CacheWriteError(f"cannot unpack the base image's interpreter into {self._folder} ({exc.strerror})") from None
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._scratch is not None and self._scratch.exists():
            shutil.rmtree(self._scratch, ignore_errors=True)

    def wants(self, real: str) -> bool:
        """May the file at real path ``real`` be needed to run the interpreter?

        Under the library directories, or named ``python*`` (the interpreter),
        or in ``etc`` (where Debian's libraries and stdlib link their settings).
        """
        return not self._full and (posixpath.basename(real).startswith("python") or any(
            real == top or real.startswith(top + "/") for top in (*NEEDED, "etc")))

    def capture(self, source: tuple[int, int], real: str, member: tarfile.TarInfo,
                open_member: Callable[[], IO[bytes] | None]) -> None:
        """``read_layers``' capture: stage the file's bytes when they may be needed."""
        if self.wants(real):
            self.put(source, member, open_member())

    def put(self, source: tuple[int, int], member: tarfile.TarInfo, data: IO[bytes] | None) -> None:
        """Stage one member's bytes. Reading errors are the layer's; writing errors the cache's."""
        if self._total + member.size > MAX_WRITTEN_BYTES:
            self._keep_only({node.source for node in self._tree.nodes.values() if node.kind == "file"})
            if self._total + member.size > MAX_WRITTEN_BYTES:
                self._full = True  # what is still needed is read again in finish()
                return
        mode = (member.mode & 0o755) | 0o600
        try:
            descriptor = os.open(self._staged(source), _FLAGS, mode)
        except OSError as exc:
            raise self._write_error(exc) from None
        try:
            while data is not None and (chunk := data.read(1 << 20)):
                try:
                    while chunk:
                        chunk = chunk[os.write(descriptor, chunk):]
                except OSError as exc:
                    raise self._write_error(exc) from None
        finally:
            os.close(descriptor)
        self._sizes[source] = member.size
        self._total += member.size

    def _keep_only(self, live: set[tuple[int, int] | None]) -> None:
        """Drop the staged bytes of sources not in ``live`` (replaced, whited out or not needed)."""
        for dead in [source for source in self._sizes if source not in live]:
            self._total -= self._sizes.pop(dead)
            try:
                self._staged(dead).unlink()
            except OSError as exc:
                raise self._write_error(exc) from None

    def finish(self, counts: Counts, executable: str) -> None:
        """Write what the interpreter at ``executable`` needs into ``<cache>/interpreters/<key>``."""
        base, tree, scratch = self._base, self._tree, self._scratch
        assert scratch is not None, "finish() inside the with block"
        identity = _identity(base, executable)
        final = _folder(self._store, identity)
        if _read_record(final) is not None or _read_record(final, _TOO_LARGE) is not None:
            return  # another build (or this one's probe) unpacked it
        python_real = tree.resolve(executable, follow_last=True)
        if python_real is None or tree.nodes.get(python_real, _DIR).kind != "file":
            raise BaseImageError(f'base-image "{base.spec}": {executable} is not a file in its layers')
        dirs, files, links = needed(tree, python_real)
        size = sum(tree.nodes[path].size for path in files)
        if size > MAX_WRITTEN_BYTES:  # a large CUDA base, say: not hostile, just not worth unpacking
            self._commit(final, _TOO_LARGE, {"format": UNPACK_FORMAT, "identity": identity, "bytes": size})
            return
        root = scratch / "root"
        try:
            root.mkdir()
            for directory in sorted(dirs):
                (root / directory).mkdir(mode=0o755)
        except OSError as exc:
            raise self._write_error(exc) from None
        by_source: dict[tuple[int, int], list[str]] = {}
        for path in sorted(files):
            source = tree.nodes[path].source
            if source is not None:  # always set for a file
                by_source.setdefault(source, []).append(path)
        self._read_missing(set(by_source))
        for source, paths in by_source.items():
            try:
                for path in paths:
                    os.link(self._staged(source) if path == paths[0] else root / paths[0], root / path, follow_symlinks=False)
            except OSError as exc:
                raise self._write_error(exc) from None
        for path in sorted(links):
            target = tree.resolve(path, follow_last=True)
            if target is None or not (target in files or target in dirs):
                counts.skip(SKIP_LINK)
                continue
            try:
                os.symlink(posixpath.relpath("/" + target, "/" + posixpath.dirname(path)), root / path)
            except OSError as exc:
                raise self._write_error(exc) from None
        named = program_interpreter(root / python_real)
        loader = None if named is None else tree.resolve(named, follow_last=True)
        if loader is not None and loader not in files:
            raise BaseImageError(f'base-image "{base.spec}": the dynamic loader of {executable} is not in its layers')
        self._commit(final, _RECORD, {
            "format": UNPACK_FORMAT,
            "identity": identity,
            "python": python_real,
            "loader": loader,
            "library_path": _library_dirs(tree, root, dirs),
            "home": tree.resolve(posixpath.dirname(posixpath.dirname(executable)), follow_last=True) or "",
            "skipped": counts.record(),
        })

    def _read_missing(self, sources: set[tuple[int, int]]) -> None:
        """Stage the needed files the replay did not keep: a second read of the layers holding them only."""
        missing = sources - set(self._sizes)
        if not missing:
            return
        self._keep_only(set(sources))  # within MAX_WRITTEN_BYTES now: what is needed is no more
        self._full = False
        for number in sorted({layer for layer, _ in missing}):
            with layer_tar(self._base, self._store, self._base.layers[number].descriptor.digest) as (tar, _):
                for index, member in enumerate(tar):
                    if (number, index) in missing:
                        self.put((number, index), member, tar.extractfile(member))

    def _commit(self, final: Path, name: str, record: dict) -> None:
        """The scratch folder, without its staging, becomes ``final``: renamed when whole."""
        assert self._scratch is not None
        shutil.rmtree(self._scratch / "staged", ignore_errors=True)
        (self._scratch / name).write_text(json.dumps(record, sort_keys=True))
        try:
            self._scratch.rename(final)
        except OSError:
            if _read_record(final) is None and _read_record(final, _TOO_LARGE) is None:  # not a finished twin from a concurrent build
                raise

    def _staged(self, source: tuple[int, int]) -> Path:
        assert self._scratch is not None
        return self._scratch / "staged" / f"{source[0]}-{source[1]}"

    def _write_error(self, exc: OSError) -> _CacheWriteError:
        return _CacheWriteError(f"cannot unpack the base image's interpreter into {self._scratch} ({exc.strerror})")


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
