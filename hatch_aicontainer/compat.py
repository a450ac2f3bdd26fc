"""TensorFlow ↔ Python ↔ CUDA/cuDNN compatibility: the data and the checks on it.

Pure: values in, values out. The data lives in ``data/tensorflow.toml`` inside
the package (so the wheel carries it) and is read with ``importlib.resources``.

* :func:`release_for` finds the release line of a version, matching on
  major.minor, so patch releases (``2.15.1``) use their line's row.
* :func:`check_target` turns one ``python × tensorflow × accelerator × platform``
  combination into a :class:`Target` or raises a one-line
  :class:`~hatch_aicontainer.errors.ConfigError` naming the key, the value and
  what is allowed.
* A TensorFlow version NEWER than the data is allowed for CPU images
  (``Target.known = False``; warn with :func:`unknown_release_warning`): whether
  wheels exist for the Python and platform is found out at lock time against
  the package index. Older or malformed versions are errors, and so is CUDA
  with an unknown version (its CUDA/cuDNN facts are unknown).
* Whether an exact version exists inside a known line (``2.16.9``) can only be
  answered by the package index: the lock step does that, not this module.

Error messages take the display names of the settings through ``keys`` (e.g.
``{"python": "tool.aicontainer.python"}``) so that the caller decides how a key
is spelled; without it the bare names are used.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from packaging.version import InvalidVersion, Version

from .errors import ConfigError
from .oci.descriptor import Platform

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "ACCELERATORS",
    "SUPPORTED_PLATFORMS",
    "TENSORFLOW_DISTRIBUTIONS",
    "DataInfo",
    "Target",
    "TensorFlowRelease",
    "check_python",
    "check_target",
    "check_tensorflow",
    "config_error",
    "data_info",
    "format_value",
    "known_lines_text",
    "newest_release",
    "parse_python",
    "platform_key",
    "release_for",
    "supported_table",
    "unknown_release_warning",
]

ACCELERATORS = ("cpu", "cuda")
#: Distributions that provide the ``tensorflow`` module (the one list). A project's own
#: requirement on any of them is replaced by the target's exact pin in the lock (or both
#: would be installed), must admit the pin, and may not appear in ``dependencies``.
TENSORFLOW_DISTRIBUTIONS = frozenset({"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel"})
#: Platforms TensorFlow publishes Linux wheels for (``os/architecture``).
SUPPORTED_PLATFORMS = ("linux/amd64", "linux/arm64")
#: Variants accepted per platform (``None``: no variant written).
_VARIANTS = {"linux/amd64": (None,), "linux/arm64": (None, "v8")}

_PYTHON_RE = re.compile(r"^3\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$")
_LINE_BREAKS = str.maketrans({"\x85": "\\x85", "\u2028": "\\u2028", "\u2029": "\\u2029"})


# ---------------------------------------------------------------------------
# value types


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
        return self.and_cuda and _python_minor(python) in (self.cuda_pythons or self.pythons)

    @property
    def version(self) -> tuple[int, int]:
        major, minor = self.line.split(".")
        return int(major), int(minor)

    def supports_python(self, python: str) -> bool:
        """Whether ``python`` ("3.11" or "3.11.9") is one of this line's Pythons."""
        return _python_minor(python) in self.pythons

    @property
    def python_range(self) -> str:
        """The supported Pythons as a range ("3.9–3.12")."""
        if not self.pythons:
            return "unknown"
        return self.pythons[0] if len(self.pythons) == 1 else f"{self.pythons[0]}–{self.pythons[-1]}"


@dataclass(frozen=True)
class Target:
    """A checked ``python × tensorflow × accelerator × platform`` combination."""

    python: str  #: as pinned: "3.11" or "3.11.9"
    tensorflow: str  #: exact version "2.16.1"
    accelerator: str  #: "cpu" | "cuda"
    platform: Platform
    tf_requirement: str  #: "tensorflow-cpu==2.16.1", "tensorflow[and-cuda]==2.16.1", "tensorflow==2.16.1"
    tf_distribution: str  #: "tensorflow-cpu" | "tensorflow"
    cuda: str | None  #: CUDA version for "cuda" images, else None
    cudnn: str | None  #: cuDNN version for "cuda" images, else None
    known: bool  #: False: the TensorFlow line is newer than the data (CPU only, warn)
    line: str | None = None  #: the release line ("2.16"), None when unknown
    manylinux: str | None = None  #: the manylinux tag the x86_64 wheels need, None when unknown

    @property
    def python_minor(self) -> str:
        """"3.11" for both "3.11" and "3.11.9"."""
        return _python_minor(self.python)

    @property
    def python_tag(self) -> str:
        """The wheel/file-name tag of the Python ("py311")."""
        return "py" + self.python_minor.replace(".", "")


@dataclass(frozen=True)
class DataInfo:
    """Where the compatibility data came from (for ``aicontainer matrix``)."""

    source: str
    source_date: str
    recorded: str
    newest_on_pypi: str | None
    notes: tuple[str, ...]


# ---------------------------------------------------------------------------
# formatting helpers shared with settings/values.py


def format_value(value: Any, limit: int = 120) -> str:
    """A one-line, TOML-like rendering of a setting's value for error messages."""
    text = _format(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).translate(_LINE_BREAKS)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Platform):
        return _format(str(value))
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{format_key(str(k))} = {_format(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_format(v) for v in value) + "]"
    if value is None:
        return "(unset)"
    return _format(str(value))


def format_key(key: str) -> str:
    """A TOML key: bare when it can be, quoted otherwise."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    return _format(key)


def one_line(message: str) -> str:
    """Make sure a message is one line whatever the user's values contain."""
    return " ".join(message.splitlines())


def config_error(key: str, value: Any, problem: str, allowed: str | None = None) -> ConfigError:
    """The one-line settings error: ``<key> = <value>: <problem>; allowed: <allowed>``."""
    message = f"{key} = {format_value(value)}: {problem}"
    if allowed:
        message += f"; allowed: {allowed}"
    return ConfigError(one_line(message))


# ---------------------------------------------------------------------------
# the data


@lru_cache(maxsize=1)
def _load() -> tuple[DataInfo, tuple[TensorFlowRelease, ...]]:
    text = resources.files("hatch_aicontainer").joinpath("data", "tensorflow.toml").read_text(encoding="utf-8")
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


def _oldest_release() -> TensorFlowRelease:
    return _load()[1][-1]


def known_lines_text() -> str:
    """``"2.10 … 2.21"``."""
    return f"{_oldest_release().line} … {newest_release().line}"


def _first_and_cuda() -> TensorFlowRelease | None:
    with_cuda = [r for r in _load()[1] if r.and_cuda]
    return with_cuda[-1] if with_cuda else None


def _line_of(version: Version) -> tuple[int, int]:
    release = version.release + (0,)
    return release[0], release[1]


def release_for(tensorflow: str) -> TensorFlowRelease | None:
    """The release line of ``tensorflow`` ("2.15.1" -> the 2.15 row), or None if
    the version is malformed or its line is not in the data."""
    try:
        version = Version(tensorflow)
    except (InvalidVersion, TypeError):
        return None
    wanted = _line_of(version)
    for release in _load()[1]:
        if release.version == wanted:
            return release
    return None


# ---------------------------------------------------------------------------
# checks


def _keys(keys: Mapping[str, str] | None) -> dict[str, str]:
    out = {"python": "python", "tensorflow": "tensorflow", "accelerator": "accelerator", "platform": "platforms"}
    out.update(keys or {})
    return out


def _short(key: str) -> str:
    """``tool.aicontainer.python`` -> ``python`` for secondary mentions in a message."""
    return key.rsplit(".", 1)[-1].split("[", 1)[0]


def parse_python(python: str) -> tuple[int, int, int | None]:
    """``"3.11"`` -> ``(3, 11, None)``, ``"3.11.9"`` -> ``(3, 11, 9)``; ValueError otherwise."""
    match = _PYTHON_RE.match(python) if isinstance(python, str) else None
    if not match:
        raise ValueError(f"not a Python version: {python!r}")
    return 3, int(match.group(1)), int(match.group(2)) if match.group(2) is not None else None


def _python_minor(python: str) -> str:
    _, minor, _ = parse_python(python)
    return f"3.{minor}"


def check_python(python: Any, *, key: str = "python") -> str:
    """Check the syntax of a Python pin ("3.N" or "3.N.M"); return it."""
    if not isinstance(python, str):
        raise config_error(key, python, "must be a string", '"3.N" or "3.N.M", e.g. "3.11" or "3.11.9"')
    try:
        parse_python(python)
    except ValueError:
        raise config_error(key, python, "not a Python version", '"3.N" or "3.N.M", e.g. "3.11" or "3.11.9"') from None
    return python


def platform_key(platform: Platform) -> str:
    """``linux/arm64/v8`` -> ``linux/arm64`` (the data's platform names)."""
    return f"{platform.os}/{platform.architecture}"


def _check_platform(platform: Platform, key: str) -> str:
    name = platform_key(platform)
    if name not in SUPPORTED_PLATFORMS or platform.variant not in _VARIANTS[name]:
        raise config_error(
            key,
            str(platform),
            "TensorFlow publishes no Linux wheels for this platform",
            ", ".join(SUPPORTED_PLATFORMS) + " (linux/arm64/v8 is linux/arm64)",
        )
    return name


def check_tensorflow(tensorflow: Any, *, key: str = "tensorflow") -> TensorFlowRelease | None:
    """Check an exact TensorFlow version against the data.

    Returns its release line, or None for a version NEWER than every known line
    (allowed for CPU images). Raises ConfigError for a malformed version, a
    version that is not exact (fewer than three parts) or one older than the data.
    """
    allowed = f'an exact version such as "{newest_release().tested or newest_release().line + ".0"}"'
    if not isinstance(tensorflow, str):
        raise config_error(key, tensorflow, "must be a string", allowed)
    try:
        version = Version(tensorflow)
    except InvalidVersion:
        raise config_error(key, tensorflow, "not a version", allowed) from None
    if len(version.release) < 3 or version.local is not None:
        raise config_error(key, tensorflow, "not an exact TensorFlow version (major.minor.patch)", allowed)
    release = release_for(tensorflow)
    if release is not None:
        return release
    if _line_of(version) > newest_release().version:
        return None
    raise config_error(
        key,
        tensorflow,
        f"not a TensorFlow release this plugin knows (known lines: {known_lines_text()})",
        f"TensorFlow {_oldest_release().line} or newer",
    )


def check_target(
    python: str,
    tensorflow: str,
    accelerator: str,
    platform: Platform,
    *,
    keys: Mapping[str, str] | None = None,
) -> Target:
    """Check one combination against the data and describe what to install.

    ``keys`` maps ``python``, ``tensorflow``, ``accelerator`` and ``platform`` to
    the names the messages use for them. Raises ConfigError (one line).
    """
    k = _keys(keys)
    check_python(python, key=k["python"])
    release = check_tensorflow(tensorflow, key=k["tensorflow"])
    if accelerator not in ACCELERATORS:
        raise config_error(k["accelerator"], accelerator, "unknown accelerator", ", ".join(f'"{a}"' for a in ACCELERATORS))
    if not isinstance(platform, Platform):
        raise config_error(k["platform"], platform, "must be a platform such as \"linux/amd64\"", ", ".join(SUPPORTED_PLATFORMS))
    pkey = _check_platform(platform, k["platform"])
    tf_short = f"{_short(k['tensorflow'])} = {format_value(tensorflow)}"
    first_cuda = _first_and_cuda()
    cuda_lines = f"tensorflow {first_cuda.line} … {newest_release().line}" if first_cuda else "none"

    if release is None:  # newer than the data: CPU only, Python unchecked (the lock step finds wheels or not)
        if accelerator == "cuda":
            raise config_error(
                k["accelerator"],
                accelerator,
                f"{tf_short} is newer than this plugin's compatibility data (known lines: {known_lines_text()}), "
                "so its CUDA/cuDNN versions are unknown",
                f'{_short(k["accelerator"])} = "cpu", or {cuda_lines}',
            )
        return _cpu_target(python, tensorflow, platform, newest_release().cpu_package[pkey], None)

    if not release.supports_python(python):
        raise config_error(
            k["python"],
            python,
            f"TensorFlow {release.line} ({tf_short}) does not support Python {_python_minor(python)}",
            ", ".join(release.pythons),
        )

    if accelerator == "cuda":
        if not release.and_cuda:
            raise config_error(
                k["accelerator"],
                accelerator,
                f"needs tensorflow >= {first_cuda.line if first_cuda else '?'} "
                f"(tensorflow[and-cuda] first shipped in {first_cuda.line if first_cuda else '?'}); got {tf_short}",
                f'{_short(k["accelerator"])} = "cpu", or {cuda_lines}',
            )
        if pkey not in release.cuda_platforms:
            where = ", ".join(release.cuda_platforms)
            raise config_error(
                k["accelerator"],
                accelerator,
                f'not available for platform "{platform}" (CUDA wheels exist only for {where})',
                f'{_short(k["platform"])} = {format_value(list(release.cuda_platforms))}, '
                f'or {_short(k["accelerator"])} = "cpu"',
            )
        if not release.supports_cuda_python(python):
            raise config_error(
                k["python"],
                python,
                f"tensorflow[and-cuda] {release.line} ({tf_short}) has no wheels for Python {_python_minor(python)}",
                f'{", ".join(release.cuda_pythons)}, or {_short(k["accelerator"])} = "cpu"',
            )
        return Target(
            python=python,
            tensorflow=tensorflow,
            accelerator="cuda",
            platform=platform,
            tf_requirement=f"tensorflow[and-cuda]=={tensorflow}",
            tf_distribution="tensorflow",
            cuda=release.cuda,
            cudnn=release.cudnn,
            known=True,
            line=release.line,
            manylinux=release.manylinux,
        )

    dist = release.cpu_package.get(pkey)
    if dist is None:  # the data lacks this platform for the line
        raise config_error(
            k["platform"],
            str(platform),
            f"TensorFlow {release.line} has no CPU wheel for this platform",
            ", ".join(sorted(release.cpu_package)),
        )
    return _cpu_target(python, tensorflow, platform, dist, release)


def _cpu_target(
    python: str, tensorflow: str, platform: Platform, dist: str, release: TensorFlowRelease | None
) -> Target:
    """A CPU target; ``release`` None means a line newer than the data (``known=False``)."""
    return Target(
        python=python,
        tensorflow=tensorflow,
        accelerator="cpu",
        platform=platform,
        tf_requirement=f"{dist}=={tensorflow}",
        tf_distribution=dist,
        cuda=None,
        cudnn=None,
        known=release is not None,
        line=release.line if release else None,
        manylinux=release.manylinux if release else None,
    )


def unknown_release_warning(tensorflow: str, python: str, platforms: Sequence[Platform] = ()) -> str:
    """The warning for a TensorFlow version newer than the data (one line)."""
    where = ", ".join(str(p) for p in platforms) or "the target platform"
    return one_line(
        f"TensorFlow {tensorflow} is newer than this plugin's compatibility data "
        f"(known lines: {known_lines_text()}, recorded {data_info().recorded}): its Python and CUDA facts are unknown; "
        f"building a CPU image, and the lock step checks that wheels exist for Python {python} on {where}"
    )
