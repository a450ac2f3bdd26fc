"""Python versions as the settings write them: ``"3.11"`` (a minor) or ``"3.11.9"`` (exact)."""

from __future__ import annotations

import re

_PYTHON_RE = re.compile(r"^3\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$")


def parse_python(python: str) -> tuple[int, int, int | None]:
    """``"3.11"`` -> ``(3, 11, None)``, ``"3.11.9"`` -> ``(3, 11, 9)``; ValueError otherwise."""
    match = _PYTHON_RE.match(python) if isinstance(python, str) else None
    if not match:
        raise ValueError(f"not a Python version: {python!r}")
    return 3, int(match.group(1)), int(match.group(2)) if match.group(2) is not None else None


def python_minor(python: str) -> str:
    """``"3.11"`` of ``"3.11"`` and ``"3.11.9"``."""
    _, minor, _ = parse_python(python)
    return f"3.{minor}"


def python_tag(python: str) -> str:
    """The Python as wheel and file names carry it: ``py311`` of ``"3.11"`` and ``"3.11.9"``."""
    _, minor, _ = parse_python(python)
    return f"py3{minor}"


def python_order(python: str) -> tuple[int, int]:
    """A sort key: ``"3.9"`` before ``"3.10"``."""
    _, minor, _ = parse_python(python)
    return 3, minor


def python_range(pythons: tuple[str, ...]) -> str:
    """Minor versions, oldest first, as a range: ``"3.9–3.12"``."""
    if not pythons:
        return "unknown"
    return pythons[0] if len(pythons) == 1 else f"{pythons[0]}–{pythons[-1]}"


__all__ = ["parse_python", "python_minor", "python_order", "python_range", "python_tag"]
