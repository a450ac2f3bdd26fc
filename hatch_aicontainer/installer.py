"""Installing wheels for the image's interpreter into plain directories (uv ``--target``).

The trees produced here become layers: the locked dependencies, then the
project's own wheel. uv marks ``--target`` installs with our interpreter's
shebang and the local wheel's path (``direct_url.json``); both are rewritten
or dropped by ``venv.py`` / here so the layer depends only on the wheels.
"""

from __future__ import annotations

from pathlib import Path

from .lock import Lock, LockInputs
from .uv import run_uv, target_args


def install_lock(lock: Lock, inputs: LockInputs, target: Path) -> None:
    """Install exactly the locked packages (no resolution) into ``target``."""
    run_uv(
        [
            "pip",
            "install",
            "--no-config",
            "--quiet",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--target",
            str(target),
            *target_args(inputs.python_version, inputs.platform),
            *inputs.indexes.args(),
            "-r",
            str(lock.path),
        ],
        step=f"installing the locked packages from {lock.path.name}",
    )
    _drop_uv_lockfile(target)


def install_wheel(wheel: Path, inputs: LockInputs, target: Path) -> None:
    """Install one local wheel (the project's) without its dependencies."""
    run_uv(
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
    for direct_url in target.glob("*.dist-info/direct_url.json"):
        # Names the temporary path the wheel was built in: not reproducible.
        direct_url.unlink()
        record = direct_url.parent / "RECORD"
        if record.is_file():
            kept = [line for line in record.read_text().splitlines() if not line.split(",")[0].endswith("direct_url.json")]
            record.write_text("".join(f"{line}\n" for line in kept))


def _drop_uv_lockfile(target: Path) -> None:
    (target / ".lock").unlink(missing_ok=True)
