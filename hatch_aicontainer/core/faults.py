"""Environment faults and signals, each turned into one line and an exit status.

The one home for three decisions:

* an ``OSError`` (ENOSPC, EACCES, EROFS, EDQUOT, ENOTDIR, EIO, ...) becomes
  ``<step>: <path>: <cause>`` (``fault_line``; ``step`` converts inside a
  block, ``EnvironmentFault`` carries it as an ``AIContainerError``);
* SIGTERM is raised as ``Terminated`` like SIGINT is raised as
  ``KeyboardInterrupt`` (``signals_raise``), so every ``with``/``finally``
  removes its temporary files; further signals are ignored while that cleanup
  runs. Exit status 130 / 143 (``exit_status``);
* temporary names carry the build's ``owner_token`` (pid, process start time,
  kernel boot and pid namespace), so a later build can PROVE a leftover's
  writer dead (``token_is_dead``) and ``sweep`` it; a live build's files are
  never touched.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import FrameType

from hatch_aicontainer.core.errors import AIContainerError

EXIT_ERROR = 1
EXIT_SIGINT = 130
EXIT_SIGTERM = 143
INTERRUPTED = "interrupted"
PROBE_PREFIX = ".aicontainer-probe-"  #: ``check_writable``'s file, named for the sweep too

#: errno -> the cause as a user reads it (strerror otherwise)
_CAUSES = {
    errno.ENOSPC: "no space left on the device",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOTDIR: "not a directory",
    errno.EIO: "input/output error",
}


class EnvironmentFault(AIContainerError):
    """The file system (or the machine) refused: full, read-only, not permitted, I/O error."""


class Terminated(BaseException):
    """SIGTERM arrived (how CI cancels a job): unwinds like KeyboardInterrupt."""


def cause(exc: OSError) -> str:
    return _CAUSES.get(exc.errno or -1) or " ".join(str(exc.strerror or exc).split())


def fault_line(step: str, exc: OSError, path: Path | str | None = None) -> str:
    """``<step>: <path>: <cause>``; the error's own file name wins over ``path``."""
    where = exc.filename if exc.filename is not None else path
    return f"{step}: {where}: {cause(exc)}" if where is not None else f"{step}: {cause(exc)}"


@contextmanager
def step(name: str, path: Path | str | None = None) -> Iterator[None]:
    """Inside the block, an ``OSError`` becomes ``EnvironmentFault(fault_line(name, ...))``."""
    try:
        yield
    except OSError as exc:
        raise EnvironmentFault(fault_line(name, exc, path)) from None


@contextmanager
def located(path: Path | str) -> Iterator[None]:
    """An ``OSError`` without a file name (a ``write`` on a full disk) gets ``path`` as its name."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


def check_writable(folder: Path, what: str) -> None:
    """Before work starts: a file (a page of data) can be written in ``folder`` (read-only mounts,
    permissions, a full disk), else one line."""
    name = None
    try:
        fd, name = tempfile.mkstemp(prefix=f"{PROBE_PREFIX}{owner_token()}-", dir=folder)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise EnvironmentFault(f"{what}: {folder}: {cause(exc)}") from None
    finally:
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


def check_temp_folder(environ: Mapping[str, str]) -> Path:
    """``TMPDIR`` must be usable as it is: Python would silently fall back to another folder, uv would not."""
    folder = Path(environ.get("TMPDIR") or tempfile.gettempdir())
    if not folder.is_dir():
        reason = "not a directory" if folder.exists() else "no such directory"
        raise EnvironmentFault(f"temporary folder (TMPDIR): {folder}: {reason}")
    check_writable(folder, "temporary folder (TMPDIR)")
    used = Path(tempfile.gettempdir())
    if used.resolve() != folder.resolve():
        raise EnvironmentFault(f"temporary folder (TMPDIR): {folder}: not usable (Python chose {used} instead)")
    return folder


def _interruption(exc: BaseException) -> BaseException | None:
    """The signal behind ``exc``: itself, or one that was unwinding when ``exc`` was raised (a
    cleanup failing because of the interruption, e.g. a descriptor closed twice) is still that signal."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (KeyboardInterrupt, Terminated)):
            return current
        seen.add(id(current))
        current = current.__context__
    return None


def exit_status(exc: BaseException) -> int:
    """130 for SIGINT (KeyboardInterrupt), 143 for SIGTERM, 1 otherwise."""
    signal_exc = _interruption(exc)
    if isinstance(signal_exc, KeyboardInterrupt):
        return EXIT_SIGINT
    if isinstance(signal_exc, Terminated):
        return EXIT_SIGTERM
    return EXIT_ERROR


def error_line(exc: BaseException, step_name: str = "build") -> str | None:
    """The one line for what ended a command, or None for a bug (let it show its traceback)."""
    if _interruption(exc) is not None:
        return INTERRUPTED
    if isinstance(exc, AIContainerError):
        return " ".join(str(exc).split())
    if isinstance(exc, OSError):
        return fault_line(step_name, exc)
    return None


_deferring = 0  # > 0 while a temporary name is being made: a signal then waits for its end
_pending: list[int] = []


def _exception_for(signum: int) -> BaseException:
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated()


def _raise_for(signum: int, _frame: FrameType | None) -> None:
    # the first signal unwinds; later ones must not interrupt the cleanup it starts
    for other in (signal.SIGINT, signal.SIGTERM):
        signal.signal(other, signal.SIG_IGN)
    if _deferring:
        _pending.append(signum)
        return
    raise _exception_for(signum)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """A signal arriving inside the block is raised at its end: a temporary file or folder is then
    either not made or already known to the code that removes it (no name lost in between)."""
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
    if not _deferring and _pending:
        raise _exception_for(_pending.pop())


def temporary_directory(prefix: str) -> tempfile.TemporaryDirectory:
    """``tempfile.TemporaryDirectory`` made whole before a signal can interrupt (its finalizer then
    removes it however the build ends)."""
    with signals_deferred():
        return tempfile.TemporaryDirectory(prefix=prefix)


@contextmanager
def signals_raise() -> Iterator[None]:
    """SIGINT and SIGTERM raise in the main thread for the block (elsewhere: no change)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _raise_for) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _pending.clear()


@contextmanager
def reported(abort: Callable[[str, int], object], step_name: str = "build") -> Iterator[None]:
    """Signals raise inside the block; what ends it (a fault, an interrupt, a user error) is handed
    to ``abort(line, status)`` as ``error: <line>``. Anything else (a bug) keeps its traceback."""
    with signals_raise():
        try:
            yield
        except BaseException as exc:
            line = error_line(exc, step_name)
            if line is None:
                raise
            abort(f"error: {line}", exit_status(exc))
            raise


# -- proving a leftover's writer dead -----------------------------------------------------------

_TOKEN = re.compile(r"(?:^|[.-])p(\d+)-(\d+)-([0-9a-f]{8})(?:[.-]|$)")


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (clock ticks since boot), None if no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]


@lru_cache(maxsize=1)
def _machine() -> str:
    """This kernel boot and pid namespace: pids mean the same thing only within it."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return "unknown"
    return hashlib.sha256(f"{boot} {namespace}".encode()).hexdigest()[:8]


def owner_token() -> str:
    """``p<pid>-<start>-<machine>``: put (between dots or dashes) in every temporary name a build makes."""
    return f"p{os.getpid()}-{_start_time(os.getpid()) or 0}-{_machine()}"


def token_is_dead(name: str) -> bool:
    """True only when ``name``'s owner token proves its writer gone (same machine, pid ended or reused)."""
    match = _TOKEN.search(name)
    if match is None or _machine() == "unknown" or match.group(3) != _machine():
        return False
    pid, start = int(match.group(1)), match.group(2)
    return _start_time(pid) != start


def sweep(directory: Path, prefixes: tuple[str, ...]) -> int:
    """Remove entries of ``directory`` named ``<prefix>...<token>...`` whose writer is proven dead."""
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(prefixes) or not token_is_dead(entry.name):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue
        removed += 1
    return removed


__all__ = [
    "EXIT_ERROR",
    "EXIT_SIGINT",
    "EXIT_SIGTERM",
    "EnvironmentFault",
    "Terminated",
    "cause",
    "check_temp_folder",
    "check_writable",
    "error_line",
    "exit_status",
    "fault_line",
    "located",
    "owner_token",
    "reported",
    "signals_raise",
    "signals_deferred",
    "step",
    "sweep",
    "temporary_directory",
    "token_is_dead",
]
