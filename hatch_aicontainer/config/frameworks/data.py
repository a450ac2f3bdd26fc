"""A framework's release lines, read from its table in the package (``config/data/<name>.toml``).

One table per framework (TensorFlow, PyTorch, JAX), each with a ``[meta]`` table (where the
facts came from and when) and one ``[lines."<major>.<minor>"]`` table per release line, newest
first. A version is matched to its line on major.minor, so patch releases (``2.15.1``) use their
line's row. The fields every framework has are typed here (:class:`ReleaseLine`); a framework's
own fields (TensorFlow's ``cpu-package``, PyTorch's ``cpu-index-platforms``, JAX's
``cuda-extras``) stay in :attr:`ReleaseLine.facts` for its module to read.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from packaging.version import InvalidVersion, Version

from hatch_aicontainer.config.pythons import python_minor, python_order, python_range

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class DataInfo:
    """Where a framework's table came from (for ``aicontainer matrix``)."""

    source: str
    source_date: str
    recorded: str
    newest_on_pypi: str | None
    notes: tuple[str, ...]
    defaults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  #: other ``[meta]`` keys


@dataclass(frozen=True)
class ReleaseLine:
    """One release line (``major.minor``) of a framework."""

    line: str  #: "2.16"
    pythons: tuple[str, ...]  #: Python minor versions with wheels, oldest first ("3.9", ...)
    tested: str | None = None  #: the release the facts were read from ("2.16.1")
    manylinux: str | None = None  #: the platform tag of its x86_64 wheels
    #: CUDA major -> the CUDA version of that GPU build ("12" -> "12.3"); empty: no GPU build
    cuda: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    cudnn: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  #: CUDA major -> cuDNN
    cuda_platforms: tuple[str, ...] = ()  #: platforms ("linux/amd64") its GPU build has wheels for
    cuda_pythons: tuple[str, ...] = ()  #: Pythons its GPU build has wheels for, when fewer than ``pythons``
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  #: the row as written

    @property
    def version(self) -> tuple[int, int]:
        major, minor = self.line.split(".")
        return int(major), int(minor)

    @property
    def cuda_majors(self) -> tuple[str, ...]:
        """The CUDA majors its GPU build exists for, oldest first."""
        return tuple(sorted(self.cuda, key=int))

    def supports_python(self, python: str) -> bool:
        """Whether ``python`` ("3.11" or "3.11.9") is one of this line's Pythons."""
        return python_minor(python) in self.pythons

    def supports_cuda_python(self, python: str) -> bool:
        return python_minor(python) in (self.cuda_pythons or self.pythons)

    @property
    def python_range(self) -> str:
        """The supported Pythons as a range ("3.9–3.12")."""
        return python_range(self.pythons)


@dataclass(frozen=True)
class ReleaseTable:
    """A framework's table: its source and its lines, newest first."""

    info: DataInfo
    lines: tuple[ReleaseLine, ...]

    @property
    def newest(self) -> ReleaseLine:
        return self.lines[0]

    @property
    def oldest(self) -> ReleaseLine:
        return self.lines[-1]

    @property
    def known_lines_text(self) -> str:
        """``"2.10 … 2.21"``."""
        return f"{self.oldest.line} … {self.newest.line}"

    def release_for(self, version: str) -> ReleaseLine | None:
        """The line of ``version`` ("2.15.1" -> the 2.15 row), or None if the version is malformed
        or its line is not in the table."""
        try:
            wanted = line_of(Version(version))
        except (InvalidVersion, TypeError):
            return None
        return next((line for line in self.lines if line.version == wanted), None)


def line_of(version: Version) -> tuple[int, int]:
    release = version.release + (0,)
    return release[0], release[1]


def _by_major(value: Any) -> Mapping[str, str]:
    """``"12.3"`` (one GPU build) or ``{"12" = "12.1", "13" = "13.0"}`` -> major -> version."""
    if value is None:
        return MappingProxyType({})
    if isinstance(value, str):
        return MappingProxyType({value.split(".")[0]: value})
    return MappingProxyType({str(k): str(v) for k, v in dict(value).items()})


def parse_table(data: Mapping[str, Any]) -> ReleaseTable:
    meta = dict(data["meta"])
    info = DataInfo(
        source=" ".join(str(meta.pop("source")).split()),
        source_date=str(meta.pop("source-date")),
        recorded=str(meta.pop("recorded")),
        newest_on_pypi=meta.pop("newest-on-pypi", None),
        notes=tuple(meta.pop("notes", ())),
        defaults=MappingProxyType(meta),
    )
    lines = []
    for line, row in data["lines"].items():
        cuda = _by_major(row.get("cuda"))
        cudnn = _by_major(row.get("cudnn"))
        if isinstance(row.get("cudnn"), str) and len(cuda) == 1:  # one GPU build: its cuDNN
            cudnn = MappingProxyType({next(iter(cuda)): str(row["cudnn"])})
        lines.append(
            ReleaseLine(
                line=line,
                pythons=tuple(sorted(row["python"], key=python_order)),
                tested=row.get("tested"),
                manylinux=row.get("manylinux"),
                cuda=cuda,
                cudnn=cudnn,
                cuda_platforms=tuple(row.get("cuda-platforms", ())),
                cuda_pythons=tuple(sorted(row.get("cuda-python", ()), key=python_order)),
                facts=MappingProxyType(dict(row)),
            )
        )
    lines.sort(key=lambda r: r.version, reverse=True)
    return ReleaseTable(info, tuple(lines))


@lru_cache(maxsize=None)
def release_table(name: str) -> ReleaseTable:
    """The table of framework ``name`` (``tensorflow``, ``torch``, ``jax``), read once."""
    text = resources.files("hatch_aicontainer.config").joinpath("data", f"{name}.toml").read_text(encoding="utf-8")
    return parse_table(tomllib.loads(text))


__all__ = ["DataInfo", "ReleaseLine", "ReleaseTable", "line_of", "parse_table", "release_table"]
