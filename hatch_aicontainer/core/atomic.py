"""Writing a file so that readers see the old one or the whole new one, never half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hatch_aicontainer.core.faults import owner_token, signals_deferred


@contextmanager
def temporary_file(directory: Path, prefix: str, suffix: str = "") -> Iterator[tuple[int, str]]:
    """A new file ``<prefix><owner token>-<random><suffix>`` in ``directory``: its descriptor
    (the block closes it) and its name (the block renames it into place).

    The owner token lets a later build sweep it should this one be killed
    (``faults.sweep``); the name is known before any signal is let through, and the
    file is removed if the block raises (it may already be gone).
    """
    name = None
    try:
        with signals_deferred():
            fd, name = tempfile.mkstemp(prefix=f"{prefix}{owner_token()}-", suffix=suffix, dir=directory)
        yield fd, name
    except BaseException:
        if name is not None:
            Path(name).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644, prefix: str | None = None) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it onto ``path``.

    The temporary file is removed on any failure (OSError propagates). ``prefix``
    names the temporary file (default ``.<name>.``), so a cache can recognise
    and sweep leftovers of killed writers.
    """
    with temporary_file(path.parent, prefix or f".{path.name}.", ".tmp") as (fd, tmp):
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
