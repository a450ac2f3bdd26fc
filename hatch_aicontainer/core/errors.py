"""User-facing errors.

Every error the user can cause (bad settings, unreachable base image, failed
resolution) is an ``AIContainerError`` whose ``str()`` is ONE line naming the
setting or input, the offending value and what is allowed. The builder and the
CLI print that line and exit non-zero without a traceback; anything else that
escapes is a bug in this plugin.
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """``text`` as one line: its lines, stripped, joined by one space (spaces inside a line are kept,
    so a value quoted in a message is shown as it is)."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class AIContainerError(Exception):
    """Base class: an error the user can act on, reported as one line."""


class ConfigError(AIContainerError):
    """A setting in ``[tool.aicontainer]`` (or the environment) is invalid."""


class BaseImageError(AIContainerError):
    """The base image cannot be fetched, parsed, or lacks a usable Python."""


class ResolveError(AIContainerError):
    """Dependency resolution or installation for the target failed."""


class RegistryError(AIContainerError):
    """A registry operation (auth, pull, push) failed."""


class OutputError(AIContainerError):
    """Writing or loading an output (archive, Docker engine) failed."""


def missing_extra(setting: str, module: str, extra: str) -> ConfigError:
    """``setting`` needs the optional ``module``: the one wording, wherever it is found missing
    (preflight, before any work; the layer writer, should a build get that far)."""
    return ConfigError(
        f"{setting} needs the '{module}' package, which is not installed where the build runs; "
        f'add "hatch-aicontainer[{extra}]" to [build-system] requires in pyproject.toml '
        f"(hatch builds in its own environment from that list)"
    )
