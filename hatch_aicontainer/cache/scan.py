"""Reading the build cache's folder: its blobs, temporary files and unpacked interpreters, and
removing single entries. No locking here: admin.py takes the lock before it deletes anything.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hatch_aicontainer.oci.cache import TEMP_PREFIX, CacheFolders

#: a blob's file name: its sha256 in hex
HEX = re.compile(r"^[0-9a-f]{64}$")

__all__ = ["HEX", "Blob", "interpreters", "records", "remove_tree", "scan", "unlink", "walk"]


@dataclass
class Blob:
    path: Path
    size: int
    mtime: float
    identity: int = 0  # the size of the blob's identity record


def scan(root: Path) -> tuple[list[Blob], list[Blob], int]:
    """(blobs, temporary files anywhere, total bytes under root)."""
    blobs: list[Blob] = []
    temps: list[Blob] = []
    total = 0
    for path, st in walk(root):
        total += st.st_size
        item = Blob(path, st.st_size, st.st_mtime)
        if path.name.startswith(TEMP_PREFIX):
            temps.append(item)
        elif path.parent == CacheFolders(root).blobs and HEX.match(path.name):
            blobs.append(item)
    for blob in blobs:  # a blob's identity record is part of it: pruned with it
        try:
            blob.identity = (CacheFolders(root).identities / blob.path.name).stat().st_size
        except FileNotFoundError:
            pass
    return blobs, temps, total


def walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every file below ``root`` (links not followed) with its stat, the cache's lock file left out."""
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif Path(entry.path) != CacheFolders(root).lock:
                yield Path(entry.path), st


def interpreters(root: Path) -> tuple[list[Blob], list[Blob]]:
    """Unpacked base interpreters (one unit each: folder, bytes, last use = the folder's mtime,
    which the interpreter's user touches on every use), and the unfinished unpacks of killed builds."""
    folder = CacheFolders(root).interpreters
    done: list[Blob] = []
    unfinished: list[Blob] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return done, unfinished
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        size = sum(st.st_size for _, st in walk(Path(entry.path)))
        item = Blob(Path(entry.path), size, entry.stat(follow_symlinks=False).st_mtime)
        (unfinished if entry.name.startswith(TEMP_PREFIX) else done).append(item)
    return done, unfinished


def remove_tree(path: Path) -> int:
    """Remove a folder; return the bytes freed."""
    size = sum(st.st_size for _, st in walk(path))
    shutil.rmtree(path, ignore_errors=True)
    return size


def records(root: Path) -> list[tuple[Path, str | None]]:
    """Layer records and the blob digest each one names (None if unreadable)."""
    out = []
    for path in sorted(CacheFolders(root).layer_records.glob("*.json")):
        try:
            digest = json.loads(path.read_text())["descriptor"]["digest"]
        except (OSError, ValueError, KeyError, TypeError):
            digest = None
        out.append((path, digest if isinstance(digest, str) else None))
    return out


def unlink(path: Path) -> int | None:
    """Remove one file; return the bytes freed (None if it was already gone)."""
    try:
        size = path.stat().st_size
        path.unlink()
        return size
    except FileNotFoundError:
        return None
