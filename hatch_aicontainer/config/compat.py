"""Frameworks ↔ Python ↔ platform ↔ CUDA: whether the pins of one image work together.

Pure: values in, values out. The tables and each framework's own rules are
:mod:`hatch_aicontainer.config.frameworks`'.

* :func:`check_target` turns one ``python × {framework: version} × accelerator × platform``
  combination into a :class:`Target` or raises a one-line
  :class:`~hatch_aicontainer.core.errors.ConfigError` naming the key, the value and
  what is allowed.
* A version NEWER than a framework's table is allowed for CPU images
  (``FrameworkTarget.known = False``; warn with :func:`unknown_release_warning`): whether
  wheels exist for the Python and platform is found out at lock time against the package
  index. Older or malformed versions are errors, and so is CUDA with an unknown version
  (its CUDA/cuDNN facts are unknown).
* CUDA images: every framework's GPU build must exist for the platform and Python, and
  all must use one CUDA major (one copy of each NVIDIA library for one loader); two
  frameworks that need different majors are an error before any work.
* Whether an exact version exists inside a known line (``2.16.9``) can only be
  answered by the package index: the lock step does that, not this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hatch_aicontainer.config.frameworks import (
    ACCELERATORS,
    FRAMEWORKS,
    SUPPORTED_PLATFORMS,
    FrameworkTarget,
    framework,
    platform_key,
)
from hatch_aicontainer.config.frameworks.data import ReleaseLine
from hatch_aicontainer.config.messages import config_error, format_value, short_key
from hatch_aicontainer.config.pythons import parse_python, python_minor, python_tag
from hatch_aicontainer.core.errors import one_line
from hatch_aicontainer.oci.descriptor import Platform

#: Variants accepted per platform (``None``: no variant written).
_VARIANTS = {"linux/amd64": (None,), "linux/arm64": (None, "v8")}
PYTHON_ALLOWED = '"3.N" or "3.N.M", e.g. "3.11" or "3.11.9"'


@dataclass(frozen=True)
class Target:
    """A checked ``python × frameworks × accelerator × platform`` combination."""

    python: str  #: as pinned: "3.11" or "3.11.9"
    accelerator: str  #: "cpu" | "cuda"
    platform: Platform
    frameworks: tuple[FrameworkTarget, ...]  #: in the order of ``FRAMEWORKS``
    cuda_major: str | None = None  #: the one CUDA major of a "cuda" image's frameworks

    @property
    def python_minor(self) -> str:
        """"3.11" for both "3.11" and "3.11.9"."""
        return python_minor(self.python)

    @property
    def python_tag(self) -> str:
        """The wheel/file-name tag of the Python ("py311")."""
        return python_tag(self.python)

    def framework(self, name: str) -> FrameworkTarget | None:
        return next((f for f in self.frameworks if f.framework == name), None)


def check_python(python: Any, *, key: str = "python") -> str:
    """Check the syntax of a Python pin ("3.N" or "3.N.M"); return it."""
    if not isinstance(python, str):
        raise config_error(key, python, "must be a string", PYTHON_ALLOWED)
    try:
        parse_python(python)
    except ValueError:
        raise config_error(key, python, "not a Python version", PYTHON_ALLOWED) from None
    return python


def check_platform(platform: Any, key: str) -> str:
    """``platform`` as the tables name it, or ConfigError for one no framework has wheels for."""
    if not isinstance(platform, Platform):
        raise config_error(key, platform, 'must be a platform such as "linux/amd64"', ", ".join(SUPPORTED_PLATFORMS))
    name = platform_key(platform)
    if name not in SUPPORTED_PLATFORMS or platform.variant not in _VARIANTS[name]:
        raise config_error(
            key, str(platform), "the frameworks publish no Linux wheels for this platform",
            ", ".join(SUPPORTED_PLATFORMS) + " (linux/arm64/v8 is linux/arm64)",
        )
    return name


def check_accelerator(accelerator: Any, key: str) -> str:
    if accelerator not in ACCELERATORS:
        raise config_error(key, accelerator, "unknown accelerator", ", ".join(f'"{a}"' for a in ACCELERATORS))
    return str(accelerator)


def check_target(
    python: str,
    pins: Mapping[str, str],
    accelerator: str,
    platform: Platform,
    *,
    keys: Mapping[str, str] | None = None,
    indexes: Mapping[str, str] | None = None,
) -> Target:
    """Check one combination against the tables and describe what to install.

    ``pins``: framework name -> exact version (at least one). ``keys`` maps ``python``,
    ``accelerator``, ``platform`` and each framework's name to the names messages use for
    them; ``indexes`` maps a framework to the index that replaces its table's (``torch``:
    the CPU builds' index). Raises ConfigError (one line).
    """
    keys = dict(keys or {})
    check_python(python, key=keys.get("python", "python"))
    pinned = [f for f in FRAMEWORKS if f.name in pins]
    if len(pinned) != len(pins):
        unknown = sorted(set(pins) - {f.name for f in FRAMEWORKS})
        raise KeyError(f"not a framework: {', '.join(unknown)}")
    releases: dict[str, ReleaseLine | None] = {}
    for fw in pinned:
        releases[fw.name] = fw.check_version(pins[fw.name], key=fw.key(keys))
    check_accelerator(accelerator, keys.get("accelerator", "accelerator"))
    check_platform(platform, keys.get("platform", "platforms"))
    for fw in pinned:
        release = releases[fw.name]
        if release is not None:
            fw.check_python(release, pins[fw.name], python, keys)
    cuda_major = None
    if accelerator == "cuda":
        majors = {fw.name: fw.cuda_majors(releases[fw.name], pins[fw.name], python, platform, keys) for fw in pinned}
        cuda_major = common_cuda_major(majors, pins, keys)
    targets = tuple(
        fw.target(releases[fw.name], pins[fw.name], platform, cuda_major, index=(indexes or {}).get(fw.name), keys=keys)
        for fw in pinned
    )
    if cuda_major is not None:
        check_one_cudnn(targets, pins, keys)
    return Target(python=python, accelerator=accelerator, platform=platform, frameworks=targets, cuda_major=cuda_major)


def common_cuda_major(majors: Mapping[str, tuple[str, ...]], pins: Mapping[str, str], keys: Mapping[str, str]) -> str:
    """The newest CUDA major every framework's GPU build exists for; ConfigError naming two that
    disagree."""
    common = set.intersection(*(set(m) for m in majors.values()))
    if common:
        return max(common, key=int)

    def says(name: str) -> str:
        return f"{short_key(keys.get(name, name))} = {format_value(pins[name])} is built for CUDA {' or '.join(majors[name])}"

    names = list(majors)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if not set(majors[a]) & set(majors[b])]
    first, second = pairs[0] if pairs else (names[0], names[-1])  # no pair apart: the three together are
    involved = [first, second] if pairs else names
    raise config_error(
        keys.get(second, second),
        pins[second],
        f"{', '.join(says(n) for n in reversed(involved))}; one image holds one CUDA major",
        f"releases of {' and '.join(framework(n).title for n in involved)} built for the same CUDA major",
    )


def check_one_cudnn(targets: Sequence[FrameworkTarget], pins: Mapping[str, str], keys: Mapping[str, str]) -> None:
    """The frameworks of a CUDA image can share one cuDNN: the ones that pin it (TensorFlow,
    PyTorch) pin the same major.minor, and the ones that ask for a lower bound (JAX) ask for
    no more than that; else ConfigError naming two that cannot (the lock could not resolve them)."""
    exact = [t for t in targets if t.cudnn and not framework(t.framework).cuda_lower_bounds]
    bounds = [t for t in targets if t.cudnn and framework(t.framework).cuda_lower_bounds]

    def says(t: FrameworkTarget, how: str) -> str:
        return f"{short_key(keys.get(t.framework, t.framework))} = {format_value(pins[t.framework])} {how} cuDNN {t.cudnn}"

    clash = next(((a, b, "pins") for i, a in enumerate(exact) for b in exact[i + 1 :] if a.cudnn != b.cudnn), None)
    if clash is None:
        clash = next(((a, b, "needs at least") for a in exact for b in bounds if _older(a.cudnn, b.cudnn)), None)
    if clash is None:
        return
    first, second, how = clash
    raise config_error(
        keys.get(second.framework, second.framework),
        pins[second.framework],
        f"{says(second, how)}, {says(first, 'pins')}; one image holds one cuDNN",
        f"releases of {framework(first.framework).title} and {framework(second.framework).title} built for the same cuDNN",
    )


def _older(version: str | None, than: str | None) -> bool:
    parts = [tuple(int(p) for p in (v or "0").split(".")) for v in (version, than)]
    return parts[0] < parts[1]


def unknown_release_warning(name: str, version: str, python: str, platforms: Sequence[Platform] = ()) -> str:
    """The warning for a version newer than a framework's table (one line)."""
    fw = framework(name)
    where = ", ".join(str(p) for p in platforms) or "the target platform"
    return one_line(
        f"{fw.title} {version} is newer than this plugin's compatibility data "
        f"(known lines: {fw.table.known_lines_text}, recorded {fw.table.info.recorded}): its Python and CUDA facts are unknown; "
        f"building a CPU image, and the lock step checks that wheels exist for Python {python} on {where}"
    )


__all__ = [
    "PYTHON_ALLOWED",
    "Target",
    "check_accelerator",
    "check_platform",
    "check_python",
    "check_target",
    "check_one_cudnn",
    "common_cuda_major",
    "unknown_release_warning",
]
