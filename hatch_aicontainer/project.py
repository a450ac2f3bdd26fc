"""Facts about the project being built, read from hatchling's metadata."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from .settings import ProjectInfo

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
    """``[tool.aicontainer]`` of pyproject.toml (empty when absent; load_settings checks its type)."""
    return metadata.config.get("tool", {}).get("aicontainer", {})


def source_url(metadata: Any) -> str | None:
    urls = {key.lower(): value for key, value in (metadata.core.urls or {}).items()}
    return next((urls[key] for key in _SOURCE_URL_KEYS if key in urls), None)


def git_revision(root: Path) -> str | None:
    """The checked-out commit when the project lies in a git work tree (at any depth), else None."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    revision = done.stdout.strip()
    return revision if done.returncode == 0 and len(revision) in (40, 64) else None
