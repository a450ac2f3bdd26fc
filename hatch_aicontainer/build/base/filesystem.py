"""A model of a base image's root file system, replayed from its layers' tar members.

Every layer's entries are replayed onto an in-memory tree keyed by
normalised path, with chroot semantics. A name with ``..`` leading out of
the root is fatal; leading ``/`` is dropped. Parents are resolved through
the model's symlinks, clamped at the root as in a chroot, and the last
component is never followed: an entry replaces a symlink, it never writes
through one. Whiteouts (``.wh.NAME``, ``.wh..wh..opq``) only remove model
entries of lower layers under their own (resolved) directory. Hard links
must name a regular file already in the model and just share its bytes.
Device nodes, FIFOs and sockets are skipped and counted.

:func:`read_layers` is the one reader of a base's layers: each blob is opened
and decompressed once per replay (limits: decompressed bytes per layer,
entries per image, name length, symlink hops), and a ``capture`` callback
sees every regular file while its bytes stream past, for the callers that
need bytes (dpkg's status for the Python probe, the interpreter's files).
Nothing is written here.
"""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.core.errors import BaseImageError
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.layer_reader import open_layer_tar

MAX_ENTRIES = 1_000_000  # all layers together
MAX_LAYER_BYTES = 16 << 30  # decompressed tar stream per layer
MAX_NAME = 4096
MAX_HOPS = 40
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
# Real paths the interpreter may need: libraries (and the stdlib beneath them), ld.so.conf.
NEEDED = (
    "lib", "lib32", "lib64", "libx32", "usr/lib", "usr/lib32", "usr/lib64", "usr/libx32",
    "usr/local/lib", "usr/local/lib64", "etc/ld.so.conf", "etc/ld.so.conf.d",
)

__all__ = [
    "MAX_ENTRIES",
    "MAX_HOPS",
    "MAX_LAYER_BYTES",
    "MAX_NAME",
    "NEEDED",
    "SKIP_HARD_LINK",
    "SKIP_LINK",
    "SKIP_SETID",
    "SKIP_SPECIAL",
    "SKIP_UNDER_NON_DIRECTORY",
    "Capture",
    "Counts",
    "Node",
    "Tree",
    "entry_path",
    "layer_tar",
    "needed",
    "read_layers",
    "replay",
]


@dataclass
class Node:
    """One entry of the model: a directory, a regular file or a symlink, and the layer that put it there."""

    kind: str  # "dir", "file", "link"
    mode: int
    layer: int
    target: str = ""  # a symlink's target as written
    source: tuple[int, int] | None = None  # (layer, member number) holding a file's bytes
    size: int = 0


@dataclass
class Tree:
    """The root file system the layers make, by normalised real path (no bytes: where they are)."""

    nodes: dict[str, Node] = field(default_factory=lambda: {"": Node("dir", 0o755, -1)})
    children: dict[str, set[str]] = field(default_factory=lambda: {"": set()})

    def resolve(self, path: str, *, follow_last: bool, create_layer: int | None = None) -> str | None:
        """The real path (no symlink in it) of ``path`` in this tree, as a chroot would see it.

        ``..`` stops at the root; absolute symlink targets start from the root.
        With ``create_layer``, missing directories (the last component too)
        are created in that layer; without, a missing last component is
        returned as it stands and a missing parent gives None. Loops and a file
        used as a directory give None.
        """
        pending = [part for part in reversed(path.split("/")) if part not in ("", ".")]
        current = ""
        hops = 0
        while pending:
            part = pending.pop()
            if part == "..":
                current = posixpath.dirname(current)
                continue
            candidate = f"{current}/{part}" if current else part
            node = self.nodes.get(candidate)
            if node is None:
                if create_layer is None:
                    return candidate if not pending else None
                self.put(candidate, Node("dir", 0o755, create_layer))
                current = candidate
                continue
            if node.kind == "link" and (pending or follow_last):
                hops += 1
                if hops > MAX_HOPS:
                    return None
                if node.target.startswith("/"):
                    current = ""
                pending.extend(part for part in reversed(node.target.split("/")) if part not in ("", "."))
                continue
            if pending and node.kind != "dir":
                return None
            current = candidate
        return current

    def put(self, path: str, node: Node) -> None:
        old = self.nodes.get(path)
        if old is not None and not (old.kind == "dir" and node.kind == "dir"):
            self.remove(path)
        self.nodes[path] = node
        self.children.setdefault(posixpath.dirname(path), set()).add(posixpath.basename(path))
        if node.kind == "dir":
            self.children.setdefault(path, set())

    def remove(self, path: str, *, below: int | None = None) -> None:
        """Remove ``path`` and everything under it (only entries of layers < ``below`` when given).

        Iterative: a hostile layer may nest directories thousands deep.
        """
        if not path or path not in self.nodes:
            return
        pending = [path]
        while pending:
            current = pending.pop()
            node = self.nodes.get(current)
            if node is None:
                continue
            children = [f"{current}/{name}" for name in self.children.get(current, ())]
            if below is not None and node.layer >= below:
                pending += children  # kept: only what lower layers put inside may go
                continue
            doomed = [current]
            while doomed:  # the whole subtree goes
                gone = doomed.pop()
                doomed += [f"{gone}/{name}" for name in self.children.pop(gone, ())]
                self.nodes.pop(gone, None)
            self.children.get(posixpath.dirname(current), set()).discard(posixpath.basename(current))


def entry_path(name: str, where: str) -> str:
    """A member name as a relative path in the root; fatal when it leads out of it."""
    if len(name) > MAX_NAME or "\0" in name:
        raise BaseImageError(f"{where} entry {name[:80]!r}: name too long or not a path; refusing the layer")
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise BaseImageError(f"{where} entry {name[:200]!r} leads outside the root file system; refusing the layer")
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


SKIP_UNDER_NON_DIRECTORY = "entries under a file or a symlink loop"
SKIP_HARD_LINK = "hard links to no unpacked file"
SKIP_SPECIAL = "device nodes, FIFOs or sockets"
SKIP_SETID = "setuid/setgid/sticky bits dropped"
SKIP_LINK = "symlinks dangling or leading to what is not unpacked"


@dataclass
class Counts:
    """Entries replayed, and those left out by reason (for the record and the build's note)."""

    entries: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def record(self) -> list[list[str | int]]:
        return [[reason, count] for reason, count in sorted(self.skipped.items())]


#: called for each regular file entry: (its source, its real path now, the member, a reader of its bytes)
Capture = Callable[[tuple[int, int], str, tarfile.TarInfo, Callable[[], "IO[bytes] | None"]], None]


def read_layers(base: BaseImage, store: BlobStore, tree: Tree, counts: Counts, capture: Capture | None = None) -> None:
    """Replay every layer of ``base`` onto ``tree``: each blob opened and read once."""
    for number, layer in enumerate(base.layers):
        with layer_tar(base, store, layer.descriptor.digest) as (tar, where):
            replay(tree, number, iter(tar), where, counts, None if capture is None else _bound(capture, tar))


def _bound(capture: Capture, tar: tarfile.TarFile) -> Callable[[tuple[int, int], str, tarfile.TarInfo], None]:
    def bound(source: tuple[int, int], real: str, member: tarfile.TarInfo) -> None:
        capture(source, real, member, lambda: tar.extractfile(member))

    return bound


@contextmanager
def layer_tar(base: BaseImage, store: BlobStore, digest: str) -> Iterator[tuple[tarfile.TarFile, str]]:
    """A base layer from the store as a tar stream; a broken one is one line naming it.

    Only reading errors are reported so: a ``BaseImageError`` raised by the
    body (a refused entry, or a cache write that failed) passes through.
    """
    where = f'base-image "{base.spec}": layer {digest[:19]}'
    if not store.has(digest):
        raise BaseImageError(f"{where} is not in the cache")
    try:
        with store.open(digest) as raw, open_layer_tar(raw, base.spec, digest, limit=MAX_LAYER_BYTES) as tar:
            yield tar, where
    except BaseImageError:
        raise
    except Exception as exc:  # tarfile, gzip/isal, zstd and read errors alike
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise BaseImageError(f"{where} is not a readable tar ({reason})") from None


def replay(
    tree: Tree, layer_number: int, members: Iterator, where: str, counts: Counts,
    capture: Callable[[tuple[int, int], str, tarfile.TarInfo], None] | None = None,
) -> None:
    """Apply one layer's members (in order) to ``tree``; ``capture`` sees each regular file as it is put."""
    for index, member in enumerate(members):
        counts.entries += 1
        if counts.entries > MAX_ENTRIES:
            raise BaseImageError(f"{where} makes the image hold more than {MAX_ENTRIES} entries; refusing it")
        path = entry_path(member.name, where)
        if not path:
            continue
        parent_name, name = posixpath.split(path)
        if name.startswith(_WHITEOUT):
            parent = tree.resolve(parent_name, follow_last=True)
            if parent is None:
                continue
            if name == _OPAQUE:
                if tree.nodes.get(parent, Node("file", 0, 0)).kind == "dir":
                    for child in list(tree.children.get(parent, ())):
                        tree.remove(f"{parent}/{child}" if parent else child, below=layer_number)
            else:
                hidden = name[len(_WHITEOUT) :]
                if hidden not in ("", ".", ".."):
                    tree.remove(f"{parent}/{hidden}" if parent else hidden, below=layer_number)
            continue
        parent = tree.resolve(parent_name, follow_last=True, create_layer=layer_number)
        if parent is None:
            counts.skip(SKIP_UNDER_NON_DIRECTORY)
            continue
        real = f"{parent}/{name}" if parent else name
        _mark_present(tree, parent, layer_number)
        mode = member.mode & 0o777  # no setuid/setgid/sticky
        if member.mode & 0o7000 and (member.isreg() or member.isdir()):
            counts.skip(SKIP_SETID)
        if member.isdir():
            tree.put(real, Node("dir", mode, layer_number))
        elif member.isreg():
            tree.put(real, Node("file", mode, layer_number, source=(layer_number, index), size=member.size))
            if capture is not None:
                capture((layer_number, index), real, member)
        elif member.issym():
            tree.put(real, Node("link", 0o777, layer_number, target=member.linkname))
        elif member.islnk():
            target_path = entry_path(member.linkname, where)
            target_parent, target_name = posixpath.split(target_path)
            resolved_parent = tree.resolve(target_parent, follow_last=True)
            target = None if resolved_parent is None else tree.nodes.get(
                f"{resolved_parent}/{target_name}" if resolved_parent else target_name
            )
            if target is None or target.kind != "file":
                counts.skip(SKIP_HARD_LINK)  # a hard link must name a regular file already unpacked
                continue
            # one inode: the linked file's mode, not the link entry's
            tree.put(real, Node("file", target.mode, layer_number, source=target.source, size=target.size))
        else:
            counts.skip(SKIP_SPECIAL)  # never created


def _mark_present(tree: Tree, directory: str, layer_number: int) -> None:
    """The directories holding an entry are part of its layer too (an opaque marker keeps them)."""
    while directory:
        node = tree.nodes[directory]
        if node.layer >= layer_number:
            return
        node.layer = layer_number
        directory = posixpath.dirname(directory)


def needed(tree: Tree, python_real: str) -> tuple[set[str], set[str], set[str]]:
    """(directories, files, symlinks) the interpreter may use, by real path."""
    files: set[str] = set()
    links: set[str] = set()
    dirs: set[str] = set()

    def want(path: str) -> None:
        node = tree.nodes.get(path)
        if node is None or path in files or path in links:
            return
        if node.kind == "file":
            files.add(path)
        elif node.kind == "dir":
            dirs.add(path)
        else:
            links.add(path)
            target = tree.resolve(path, follow_last=True)
            if target is not None and tree.nodes.get(target, Node("dir", 0, 0)).kind == "file":
                want(target)

    for path in list(tree.nodes):
        if any(path == top or path.startswith(top + "/") for top in NEEDED):
            want(path)
    want(python_real)
    for path in list(files | links | dirs):
        while path:
            path = posixpath.dirname(path)
            dirs.add(path)
    dirs.discard("")
    return dirs, files, links
