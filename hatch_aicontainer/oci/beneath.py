"""Open a file of a directory we did not write, without ever leaving that directory.

An OCI layout directory (``oci:PATH``, ``aicontainer push DIR``) is someone
else's input: ``blobs/sha256/<hex>`` may be a symbolic link to a file of the
build host, or ``blobs`` itself a link to another folder. Checking a resolved
path first and opening it afterwards leaves a window in which the tree can
change, so instead every component is opened relative to the descriptor of
its parent with ``O_NOFOLLOW`` (the kernel refuses a symlink with ``ELOOP``),
directories with ``O_DIRECTORY``, and the final file is checked with
``fstat`` on the open descriptor to be a regular file. ``O_NONBLOCK`` keeps a
FIFO planted under a blob's name from blocking the open; it is cleared before
the file is read.

What this relies on: POSIX ``openat`` semantics (``os.open(..., dir_fd=)``),
``O_NOFOLLOW`` and ``O_DIRECTORY``, which Linux and macOS have.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = ["UnsafePath", "lstat_beneath", "open_beneath"]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class UnsafePath(OSError):
    """A path below the root is a symlink, not a regular file, or would leave the root."""


def _parts(relpath: str) -> list[str]:
    parts = relpath.split("/")
    if relpath.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise UnsafePath(errno.EINVAL, f"{relpath}: not a plain relative path")
    return parts


def _open_parent(root: Path, parts: list[str]) -> int:
    """A descriptor of the directory holding ``parts[-1]``, reached without following links."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for index, part in enumerate(parts[:-1]):
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafePath(
                        exc.errno, f"{'/'.join(parts[: index + 1])} is a symbolic link or not a directory"
                    ) from None
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def lstat_beneath(root: Path, relpath: str) -> os.stat_result | None:
    """``lstat`` of ``relpath`` below ``root`` (None if absent), reached without following links."""
    parts = _parts(relpath)
    try:
        parent = _open_parent(root, parts)
    except FileNotFoundError:
        return None
    try:
        return os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return None
    finally:
        os.close(parent)


def open_beneath(root: Path, relpath: str) -> BinaryIO:
    """Open regular file ``relpath`` below ``root`` for reading; refuse links and special files."""
    parts = _parts(relpath)
    parent = _open_parent(root, parts)
    try:
        try:
            fd = os.open(parts[-1], _FILE_FLAGS, dir_fd=parent)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UnsafePath(exc.errno, f"{relpath} is a symbolic link") from None
            raise
    finally:
        os.close(parent)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnsafePath(errno.EINVAL, f"{relpath} is not a regular file")
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    # The builtin open (C, no Python frame in which a signal could unwind) takes the
    # descriptor over; closing it above after a file object owned it would close it twice.
    return open(fd, "rb")  # noqa: SIM115 - the caller closes it
