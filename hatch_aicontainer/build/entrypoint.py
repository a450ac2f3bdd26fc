"""The image's command when ``entrypoint`` is not set, chosen from what the wheel really holds.

In order: the project's only console script; ``python -m <package>`` for the package of the
wheel that has a ``__main__.py`` (the project's own import name first, else the only one);
otherwise the interpreter itself, with a warning to set ``entrypoint``. A default that
cannot start (``python -m`` of a package without ``__main__``) is never chosen, and the
"run:" hint printed after the build is a command that works with the chosen entrypoint.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hatch_aicontainer.config.settings import ProjectInfo
from hatch_aicontainer.core.errors import ResolveError

PYTHON = "python"  #: /opt/venv/bin/python through the image's PATH


@dataclass(frozen=True)
class Entrypoint:
    command: tuple[str, ...]
    run_args: tuple[str, ...] = ()  #: appended to ``docker run --rm TAG`` in the "run:" hint
    warning: str | None = None


def wheel_packages(wheel: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(top-level import names, those that are packages with a ``__main__.py``), each sorted."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise ResolveError(f"the project wheel {wheel.name} cannot be read ({exc})") from None
    top, runnable = set(), set()
    for name in names:
        first, _, rest = name.partition("/")
        if first.endswith((".dist-info", ".data")) or not first:
            continue
        if rest:
            top.add(first)
            if rest == "__main__.py":
                runnable.add(first)
        elif first.endswith(".py"):
            top.add(first[: -len(".py")])
    return tuple(sorted(top)), tuple(sorted(runnable))


def choose_entrypoint(configured: Sequence[str] | None, project: ProjectInfo, wheel: Path, setting: str) -> Entrypoint:
    """``configured`` as set, else the default described in the module docstring."""
    if configured is not None:
        return Entrypoint(tuple(configured))
    scripts = list(project.scripts)
    if len(scripts) == 1:
        return Entrypoint((scripts[0],))
    top, runnable = wheel_packages(wheel)
    if project.import_name in runnable or len(runnable) == 1:
        package = project.import_name if project.import_name in runnable else runnable[0]
        return Entrypoint((PYTHON, "-m", package))
    why = "the project has no console script" if not scripts else f"the project has {len(scripts)} console scripts"
    warning = (
        f"warning: {setting} is not set and {why}, nor does the wheel {wheel.name} hold a package with a "
        f"__main__.py: the image runs {PYTHON}; set {setting} to the command the image should run"
    )
    probe = ("-c", f"import {top[0]}") if top else ("-c", "pass")
    return Entrypoint((PYTHON,), run_args=probe, warning=warning)


def describe_default(project: ProjectInfo) -> str:
    """What the default will be, as far as it is known before the wheel is built (``aicontainer check``)."""
    scripts = list(project.scripts)
    if len(scripts) == 1:
        return scripts[0]
    return f"{PYTHON} -m <the wheel's package with a __main__.py, {project.import_name} first>, else {PYTHON}"


__all__: Sequence[str] = ("Entrypoint", "PYTHON", "choose_entrypoint", "describe_default", "wheel_packages")
