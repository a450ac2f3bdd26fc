"""TensorFlow ↔ Python ↔ CUDA/cuDNN compatibility: the data and the checks on it.

Pure: values in, values out. The data (``data/tensorflow.toml``) and the lookups
in it are :mod:`hatch_aicontainer.config.tf_releases`; its public names are re-exported
here (``release_for``, ``supported_table``, ``newest_release``, ...).

* :func:`release_for` finds the release line of a version, matching on
  major.minor, so patch releases (``2.15.1``) use their line's row.
* :func:`check_target` turns one ``python × tensorflow × accelerator × platform``
  combination into a :class:`Target` or raises a one-line
  :class:`~hatch_aicontainer.core.errors.ConfigError` naming the key, the value and
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

from hatch_aicontainer.config.tf_releases import (
    DataInfo,
    TensorFlowRelease,
    data_info,
    first_and_cuda_release,
    known_lines_text,
    line_of,
    newest_release,
    oldest_release,
    parse_python,
    python_minor,
    python_tag,
    release_for,
    supported_table,
)
from hatch_aicontainer.core.errors import ConfigError, one_line
from hatch_aicontainer.oci.descriptor import Platform

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
    "python_tag",
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

_LINE_BREAKS = str.maketrans({"\x85": "\\x85", "\u2028": "\\u2028", "\u2029": "\\u2029"})


# ---------------------------------------------------------------------------
# value types


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
        return python_minor(self.python)

    @property
    def python_tag(self) -> str:
        """The wheel/file-name tag of the Python ("py311")."""
        return python_tag(self.python)


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


def config_error(key: str, value: Any, problem: str, allowed: str | None = None) -> ConfigError:
    """The one-line settings error: ``<key> = <value>: <problem>; allowed: <allowed>``."""
    message = f"{key} = {format_value(value)}: {problem}"
    if allowed:
        message += f"; allowed: {allowed}"
    return ConfigError(one_line(message))


# ---------------------------------------------------------------------------
# checks


def _keys(keys: Mapping[str, str] | None) -> dict[str, str]:
    out = {"python": "python", "tensorflow": "tensorflow", "accelerator": "accelerator", "platform": "platforms"}
    out.update(keys or {})
    return out


def _short(key: str) -> str:
    """``tool.aicontainer.python`` -> ``python`` for secondary mentions in a message."""
    return key.rsplit(".", 1)[-1].split("[", 1)[0]


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
    if line_of(version) > newest_release().version:
        return None
    raise config_error(
        key,
        tensorflow,
        f"not a TensorFlow release this plugin knows (known lines: {known_lines_text()})",
        f"TensorFlow {oldest_release().line} or newer",
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
    first_cuda = first_and_cuda_release()
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
        return _target(python, tensorflow, platform, None, accelerator="cpu", distribution=newest_release().cpu_package[pkey])

    if not release.supports_python(python):
        raise config_error(
            k["python"],
            python,
            f"TensorFlow {release.line} ({tf_short}) does not support Python {python_minor(python)}",
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
                f"tensorflow[and-cuda] {release.line} ({tf_short}) has no wheels for Python {python_minor(python)}",
                f'{", ".join(release.cuda_pythons)}, or {_short(k["accelerator"])} = "cpu"',
            )
        return _target(python, tensorflow, platform, release, accelerator="cuda", distribution="tensorflow", extra="[and-cuda]")

    dist = release.cpu_package.get(pkey)
    if dist is None:  # the data lacks this platform for the line
        raise config_error(
            k["platform"],
            str(platform),
            f"TensorFlow {release.line} has no CPU wheel for this platform",
            ", ".join(sorted(release.cpu_package)),
        )
    return _target(python, tensorflow, platform, release, accelerator="cpu", distribution=dist)


def _target(
    python: str,
    tensorflow: str,
    platform: Platform,
    release: TensorFlowRelease | None,
    *,
    accelerator: str,
    distribution: str,
    extra: str = "",
) -> Target:
    """The checked target; ``release`` None means a line newer than the data (``known=False``)."""
    gpu = release if accelerator == "cuda" else None  # a CPU build names no CUDA/cuDNN
    return Target(
        python=python,
        tensorflow=tensorflow,
        accelerator=accelerator,
        platform=platform,
        tf_requirement=f"{distribution}{extra}=={tensorflow}",
        tf_distribution=distribution,
        cuda=gpu.cuda if gpu else None,
        cudnn=gpu.cudnn if gpu else None,
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
