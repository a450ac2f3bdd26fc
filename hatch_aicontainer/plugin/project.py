"""Facts about the project being built, read from hatchling's metadata."""

from __future__ import annotations

import difflib
import re
from contextlib import suppress
from pathlib import Path
from typing import Any

from hatch_aicontainer.config.settings import ProjectInfo
from hatch_aicontainer.core.errors import ConfigError

_SOURCE_URL_KEYS = ("source", "repository", "source code", "code", "homepage")


def project_info(metadata: Any, root: str | Path) -> ProjectInfo:
    """ProjectInfo from a hatchling ``ProjectMetadata``."""
    core = metadata.core
    return ProjectInfo(
        name=core.name,
        version=metadata.version,
        requires_python=core.requires_python or None,
        dependencies=tuple(core.dependencies),
        scripts=dict(core.scripts),
        root=Path(root),
        source_url=source_url(metadata),
    )


def tool_table(metadata: Any) -> Any:
    """``[tool.aicontainer]`` of pyproject.toml (empty when absent; load_settings checks its type).

    When it is absent but a misspelt ``[tool.aicontainr]`` is there, say so: otherwise
    the first message would be about a missing ``tensorflow``, which the table does set.
    """
    tools = metadata.config.get("tool", {})
    if not isinstance(tools, dict) or "aicontainer" in tools:
        return tools.get("aicontainer", {}) if isinstance(tools, dict) else {}
    close = difflib.get_close_matches("aicontainer", [str(name) for name in tools], n=1, cutoff=0.75)
    if close:
        raise ConfigError(f"[tool.{close[0]}] in pyproject.toml is not read by hatch-aicontainer; did you mean [tool.aicontainer]?")
    return {}


def source_url(metadata: Any) -> str | None:
    urls = {key.lower(): value for key, value in (metadata.core.urls or {}).items()}
    return next((urls[key] for key in _SOURCE_URL_KEYS if key in urls), None)


def git_revision(root: Path) -> str | None:
    """The checked-out commit when the project lies in a git work tree (at any depth), else None.

    Read from the repository's own files, not by running git: the revision is
    part of the image (a label), so it must not depend on whether the build
    host has git installed (CI images and slim bases often do not) or trusts
    the checkout's owner (``safe.directory``: a CI pod running under another
    uid than the checkout's). Handles ``.git`` files (worktrees, submodules),
    symbolic and packed refs; a reftable repository gives None everywhere.
    """
    git_dir = _git_dir(Path(root).absolute())
    if git_dir is None:
        return None
    common = git_dir
    with suppress(OSError):
        common = (git_dir / (git_dir / "commondir").read_text().strip()).resolve()
    value = _read(git_dir / "HEAD")
    for _ in range(5):  # symbolic refs pointing at symbolic refs, a few levels at most
        if value is None or not value.startswith("ref:"):
            break
        ref = value[len("ref:") :].strip()
        value = _read(git_dir / ref) or _read(common / ref) or _packed_ref(common, ref)
    return value if value is not None and _HEX.fullmatch(value) else None


_HEX = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _git_dir(start: Path) -> Path | None:
    """The ``.git`` directory of the work tree holding ``start`` (a ``.git`` file names it)."""
    for directory in (start, *start.parents):
        dot_git = directory / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            text = _read(dot_git) or ""
            if text.startswith("gitdir:"):
                return (directory / text[len("gitdir:") :].strip()).resolve()
            return None
    return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _packed_ref(common: Path, ref: str) -> str | None:
    for line in (_read(common / "packed-refs") or "").splitlines():
        value, _, name = line.partition(" ")
        if name == ref:
            return value
    return None
