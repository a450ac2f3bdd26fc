"""TensorFlow release lines: the compatibility data and the lookups in it.

The data lives in ``data/tensorflow.toml`` inside the package (so the wheel carries
it) and is read once with ``importlib.resources``. :func:`release_for` finds the
release line of a version, matching on major.minor, so patch releases (``2.15.1``)
use their line's row. The checks on the data are :mod:`hatch_aicontainer.config.compat`'s.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from packaging.version import InvalidVersion, Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_PYTHON_RE = re.compile(r"^3\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$")


@dataclass(frozen=True)
class TensorFlowRelease:
    """One TensorFlow release line (``major.minor``) from the data file."""

    line: str  #: "2.16"
    pythons: tuple[str, ...]  #: Python minor versions supported, oldest first ("3.9", ...)
    cuda: str | None  #: CUDA version of the tested GPU build ("12.3")
    cudnn: str | None  #: cuDNN version of the tested GPU build ("8.9")
    and_cuda: bool  #: whether ``tensorflow[and-cuda]`` exists for this line
    cpu_package: Mapping[str, str]  #: platform ("linux/amd64") -> CPU distribution name
    cuda_platforms: tuple[str, ...] = ()  #: platforms with ``and-cuda`` wheels
    manylinux: str | None = None  #: platform tag of the x86_64 wheels ("manylinux_2_17")
    tested: str | None = None  #: the version in the tested-configurations table ("2.16.1")
    #: library ("cublas") -> the soname TensorFlow dlopens ("libcublas.so.12"), for and-cuda lines
    cuda_libraries: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    cuda_libraries_source: str | None = None  #: where ``cuda_libraries`` was read
    cuda_pythons: tuple[str, ...] = ()  #: Pythons the and-cuda extra has wheels for, when fewer than ``pythons``

    def supports_cuda_python(self, python: str) -> bool:
        """Whether ``tensorflow[and-cuda]`` of this line installs for ``python``."""
        return self.and_cuda and python_minor(python) in (self.cuda_pythons or self.pythons)

    @property
    def version(self) -> tuple[int, int]:
        major, minor = self.line.split(".")
        return int(major), int(minor)

    def supports_python(self, python: str) -> bool:
        """Whether ``python`` ("3.11" or "3.11.9") is one of this line's Pythons."""
        return python_minor(python) in self.pythons

    @property
    def python_range(self) -> str:
        """The supported Pythons as a range ("3.9–3.12")."""
        if not self.pythons:
            return "unknown"
        return self.pythons[0] if len(self.pythons) == 1 else f"{self.pythons[0]}–{self.pythons[-1]}"


@dataclass(frozen=True)
class DataInfo:
    """Where the compatibility data came from (for ``aicontainer matrix``)."""

    source: str
    source_date: str
    recorded: str
    newest_on_pypi: str | None
    notes: tuple[str, ...]


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


@lru_cache(maxsize=1)
def _load() -> tuple[DataInfo, tuple[TensorFlowRelease, ...]]:
    text = resources.files("hatch_aicontainer.config").joinpath("data", "tensorflow.toml").read_text(encoding="utf-8")
    return _parse_data(tomllib.loads(text))


def _parse_data(data: Mapping[str, Any]) -> tuple[DataInfo, tuple[TensorFlowRelease, ...]]:
    meta = data["meta"]
    info = DataInfo(
        source=" ".join(str(meta["source"]).split()),
        source_date=str(meta["source-date"]),
        recorded=str(meta["recorded"]),
        newest_on_pypi=meta.get("newest-on-pypi"),
        notes=tuple(meta.get("notes", ())),
    )
    releases = []
    for line, row in data["lines"].items():
        releases.append(
            TensorFlowRelease(
                line=line,
                pythons=tuple(sorted(row["python"], key=lambda p: tuple(map(int, p.split("."))))),
                cuda=row.get("cuda"),
                cudnn=row.get("cudnn"),
                and_cuda=bool(row.get("and-cuda", False)),
                cpu_package=MappingProxyType(dict(row["cpu-package"])),
                cuda_platforms=tuple(row.get("cuda-platforms", ())),
                manylinux=row.get("manylinux"),
                tested=row.get("tested"),
                cuda_libraries=MappingProxyType(dict(row.get("cuda-libraries", {}))),
                cuda_libraries_source=row.get("cuda-libraries-source"),
                cuda_pythons=tuple(row.get("cuda-python", ())),
            )
        )
    releases.sort(key=lambda r: r.version, reverse=True)
    return info, tuple(releases)


def data_info() -> DataInfo:
    """The data file's source, dates and notes."""
    return _load()[0]


def supported_table() -> list[TensorFlowRelease]:
    """Every known release line, newest first (the ``aicontainer matrix`` table)."""
    return list(_load()[1])


def newest_release() -> TensorFlowRelease:
    return _load()[1][0]


def oldest_release() -> TensorFlowRelease:
    return _load()[1][-1]


def known_lines_text() -> str:
    """``"2.10 … 2.21"``."""
    return f"{oldest_release().line} … {newest_release().line}"


def first_and_cuda_release() -> TensorFlowRelease | None:
    with_cuda = [r for r in _load()[1] if r.and_cuda]
    return with_cuda[-1] if with_cuda else None


def line_of(version: Version) -> tuple[int, int]:
    release = version.release + (0,)
    return release[0], release[1]


def release_for(tensorflow: str) -> TensorFlowRelease | None:
    """The release line of ``tensorflow`` ("2.15.1" -> the 2.15 row), or None if
    the version is malformed or its line is not in the data."""
    try:
        version = Version(tensorflow)
    except (InvalidVersion, TypeError):
        return None
    wanted = line_of(version)
    for release in _load()[1]:
        if release.version == wanted:
            return release
    return None


__all__ = [
    "DataInfo",
    "TensorFlowRelease",
    "data_info",
    "first_and_cuda_release",
    "known_lines_text",
    "line_of",
    "newest_release",
    "oldest_release",
    "parse_python",
    "python_minor",
    "release_for",
    "supported_table",
]
