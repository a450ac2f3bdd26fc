"""Installing wheels for the image's interpreter into plain directories (uv ``--target``).

The trees produced here become layers: the locked dependencies, then the
project's own wheel. uv marks ``--target`` installs with our interpreter's
shebang, the local wheel's path (``direct_url.json``) and a cache timestamp
(``uv_cache.json``); they are rewritten or dropped by ``venv.py`` / here so
the layer depends only on the wheels.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from hatch_aicontainer.build.deps.lock import Lock, LockInputs, installable_copy
from hatch_aicontainer.build.deps.uv import Uv, target_args
from hatch_aicontainer.core.errors import ResolveError
from hatch_aicontainer.core.faults import owner_token, temporary_directory


def install_lock(lock: Lock, inputs: LockInputs, target: Path, uv: Uv, *, progress: Callable[[str], None] | None = None) -> None:
    """Install exactly the locked packages (no resolution) into ``target``, for the image's Python.

    From ``lock.installable_copy`` (uv would check the lock's requires-python
    against the host's interpreter, not the image's). Offline first: the lock names exact files, so uv's cache is enough when it
    holds them. (Online, uv revalidates every wheel and, behind some proxies,
    downloads and unpacks TensorFlow again on each build.) Online on a miss.
    ``progress`` gets uv's summary lines (downloads, "Installed 40 packages in 9.1s").
    """
    with temporary_directory(f"aicontainer-install-{owner_token()}-") as scratch:
        args = [
            "pip",
            "install",
            "--no-config",
            *(() if progress is not None else ("--quiet",)),
            "--no-deps",
            "--only-binary",
            ":all:",
            "--target",
            str(target),
            *target_args(inputs.python_version, inputs.platform),
            *inputs.all_indexes().args(),  # the lock's URLs hold no credentials: uv takes them from these
            "-r",
            str(installable_copy(lock, inputs.python_version, Path(scratch))),
        ]
        step = f"installing the locked packages from {lock.path.name}"
        try:
            uv.run([*args, "--offline"], step=step, progress=progress)
        except ResolveError:
            shutil.rmtree(target, ignore_errors=True)
            uv.run(args, step=step, progress=progress)
    _drop_uv_lockfile(target)
    _drop_install_records(target)


def install_wheel(wheel: Path, inputs: LockInputs, target: Path, uv: Uv) -> None:
    """Install one local wheel (the project's) without its dependencies."""
    uv.run(
        [
            "pip",
            "install",
            "--no-config",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            *target_args(inputs.python_version, inputs.platform),
            str(wheel),
        ],
        step=f"installing the project wheel {wheel.name}",
    )
    _drop_uv_lockfile(target)
    _drop_install_records(target)


# Written by uv for a wheel installed from a local file: its path on the build host (PEP 610:
# the project's wheel in a temporary folder, a lock's ``path`` or find-links wheel) and uv's own
# cache timestamp. Neither is reproducible; the image has no use for a host path.
_LOCAL_INSTALL_FILES = ("direct_url.json", "uv_cache.json")


def _drop_install_records(target: Path) -> None:
    for dist_info in target.glob("*.dist-info"):
        dropped = [name for name in _LOCAL_INSTALL_FILES if (dist_info / name).is_file() and _host_specific(dist_info / name)]
        for name in dropped:
            (dist_info / name).unlink()
        record = dist_info / "RECORD"
        if dropped and record.is_file():
            kept = [line for line in record.read_text(encoding="utf-8").splitlines() if line.split(",")[0].rsplit("/", 1)[-1] not in dropped]
            record.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")


def _drop_uv_lockfile(target: Path) -> None:
    (target / ".lock").unlink(missing_ok=True)


def _host_specific(path: Path) -> bool:
    """uv's cache record always; a PEP 610 record when it names a local file (a remote URL is kept)."""
    if path.name != "direct_url.json":
        return True
    try:
        url = json.loads(path.read_text(encoding="utf-8")).get("url", "")
    except (OSError, ValueError, AttributeError):
        return True
    return not isinstance(url, str) or not url.startswith(("http://", "https://"))
