"""Writing a file so that readers see the old one or the whole new one, never half."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .faults import owner_token, signals_deferred


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644, prefix: str | None = None) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it onto ``path``.

    The temporary file is removed on any failure (OSError propagates). ``prefix``
    names the temporary file (default ``.<name>.``), so a cache can recognise
    and sweep leftovers of killed writers.
    """
    tmp = None
    try:
        with signals_deferred():
            fd, tmp = tempfile.mkstemp(prefix=f"{prefix or f'.{path.name}.'}{owner_token()}-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
