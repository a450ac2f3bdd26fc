"""What an installed tree holds, read from its distributions' own metadata.

``read_distributions`` reads every ``*.dist-info`` of a tree that uv installed
(``--target``): name, version, ``Requires-Dist``, ``Provides-Extra`` from ``METADATA``
and the top-level names it installed from ``RECORD``. The dependency layer keeps this
record with its cache entry (``to_json``), as a layer taken from the cache has no tree.

Everything the image reports about its frameworks (labels, results, SBOM, summary) is
read from here by :func:`installed_facts`, never restated from the settings: when what
was installed is not what was pinned, the build fails instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from hatch_aicontainer.build.deps.tensorflow_rule import same_version
from hatch_aicontainer.config.frameworks import FRAMEWORKS, FrameworkTarget
from hatch_aicontainer.core.errors import ResolveError

#: The CUDA runtime and cuDNN wheels (any CUDA major: ``nvidia-cudnn-cu12``, ``nvidia-cudnn``).
CUDA_RUNTIME = "nvidia-cuda-runtime"
CUDNN = "nvidia-cudnn"


@dataclass(frozen=True)
class Distribution:
    """One installed distribution, as its metadata states it."""

    name: str
    version: str
    requires: tuple[str, ...] = ()  #: Requires-Dist, as written
    extras: tuple[str, ...] = ()  #: Provides-Extra
    top_level: tuple[str, ...] = ()  #: the top-level names it installed (``tensorflow``, ``bin``), sorted

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "requires": list(self.requires),
                "extras": list(self.extras), "top_level": list(self.top_level)}

    @classmethod
    def from_json(cls, data: Any) -> Distribution:
        """The inverse of ``to_json``; ValueError for anything else (a damaged record)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("name"), str) or not isinstance(data.get("version"), str):
            raise ValueError("not an installed distribution")
        lists = [data.get(key, []) for key in ("requires", "extras", "top_level")]
        if not all(isinstance(items, list) and all(isinstance(i, str) for i in items) for items in lists):
            raise ValueError("not an installed distribution")
        return cls(data["name"], data["version"], *(tuple(items) for items in lists))


def read_distributions(tree: Path) -> tuple[Distribution, ...]:
    """Every distribution installed in ``tree`` (a ``--target`` tree: ``*.dist-info`` at its top), by name."""
    found = [_read_dist_info(path) for path in sorted(tree.glob("*.dist-info")) if path.is_dir()]
    return tuple(sorted(found, key=lambda d: d.key))


def _read_dist_info(path: Path) -> Distribution:
    try:
        headers = HeaderParser().parsestr((path / "METADATA").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ResolveError(f"installed {path.name} has no readable METADATA ({exc})") from None
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        raise ResolveError(f"installed {path.name}: its METADATA names no Name or Version")
    return Distribution(
        name=name.strip(),
        version=version.strip(),
        requires=tuple(" ".join(r.split()) for r in headers.get_all("Requires-Dist") or ()),
        extras=tuple(canonicalize_name(e.strip()) for e in headers.get_all("Provides-Extra") or ()),
        top_level=_top_level(path),
    )


def _top_level(dist_info: Path) -> tuple[str, ...]:
    """The first path component of every file RECORD lists, except the metadata folders."""
    try:
        rows = list(csv.reader(io.StringIO((dist_info / "RECORD").read_text(encoding="utf-8"))))
    except (OSError, UnicodeDecodeError):
        return ()
    names = set()
    for row in rows:
        if not row or not row[0]:
            continue
        first = row[0].replace("\\", "/").split("/", 1)[0]
        if first.endswith((".dist-info", ".data")) or first in ("", ".", ".."):
            continue
        names.add(first[: -len(".py")] if first.endswith(".py") else first)
    return tuple(sorted(names))


@dataclass(frozen=True)
class InstalledFramework:
    """One framework as installed: the distribution that carries its module, and its version."""

    framework: str  #: "torch"
    distribution: str  #: "torch", "tensorflow-cpu"
    version: str  #: "2.10.0+cpu", as the distribution's metadata states it


@dataclass(frozen=True)
class InstalledFacts:
    """What the image's frameworks are, as installed."""

    python: str  #: the interpreter's version, as probed in the base image ("3.11.2")
    #: every framework the tree holds (pinned or brought in by a dependency), in ``FRAMEWORKS`` order
    frameworks: tuple[InstalledFramework, ...]
    cuda: str | None = None  #: the installed CUDA runtime wheel's version (GPU images)
    cudnn: str | None = None  #: the installed cuDNN wheel's version (GPU images)

    def framework(self, name: str) -> InstalledFramework | None:
        return next((f for f in self.frameworks if f.framework == name), None)


def installed_facts(
    distributions: Sequence[Distribution],
    *,
    python: str,
    pins: Sequence[FrameworkTarget],
    accelerator: str,
    keys: Mapping[str, str],
) -> InstalledFacts:
    """The facts of an installed tree; ResolveError (one line) when it does not hold each pinned
    framework once, at its pin, or a CUDA image holds no CUDA runtime. ``keys`` names the pins'
    settings in messages (framework -> ``tool.aicontainer.torch``)."""
    pinned = {p.framework: p for p in pins}
    found = []
    for candidate in FRAMEWORKS:
        owners = [d for d in distributions if candidate.module in d.top_level]
        named = [d for d in distributions if d.key in candidate.distributions]
        if len(owners) > 1:
            shown = " and ".join(f"{d.name} {d.version}" for d in owners)
            raise ResolveError(
                f"{shown} are both installed into the one {candidate.module} package; "
                f"an image holds one {candidate.title} distribution"
            )
        pin = pinned.get(candidate.name)
        if pin is None:
            found += [InstalledFramework(candidate.name, d.name, d.version) for d in named[:1]]
            continue
        setting = keys.get(candidate.name, candidate.name)
        if len(named) != 1:
            shown = " and ".join(f"{d.name} {d.version}" for d in named) or f"no {candidate.title} distribution"
            raise ResolveError(f"{setting} = {pin.version}: the image holds {shown}; it must hold exactly one, at the pin")
        (installed,) = named
        if not same_version(installed.version, pin.pinned):
            raise ResolveError(
                f"{setting} = {pin.version}: the image holds {installed.name} {installed.version}, not the pinned version"
            )
        found.append(InstalledFramework(candidate.name, installed.name, installed.version))
    cuda = _version_of(distributions, CUDA_RUNTIME)
    cudnn = _version_of(distributions, CUDNN)
    if accelerator == "cuda" and cuda is None:
        raise ResolveError(f"accelerator = cuda, but the image holds no CUDA runtime ({CUDA_RUNTIME} wheel)")
    return InstalledFacts(
        python=python,
        frameworks=tuple(found),
        cuda=cuda if accelerator == "cuda" else None,
        cudnn=cudnn if accelerator == "cuda" else None,
    )


def _version_of(distributions: Iterable[Distribution], library: str) -> str | None:
    """The version of the (one) wheel of ``library`` for any CUDA major (``-cu12`` or unsuffixed)."""
    for distribution in distributions:
        if distribution.key == library or (distribution.key.startswith(library + "-cu") and distribution.key[len(library) + 3 :].isdigit()):
            return distribution.version
    return None


def check_matches_lock(distributions: Sequence[Distribution], locked: Mapping[str, str], lock_name: str) -> None:
    """The dependency tree holds exactly the locked packages (``locked``: canonical name -> version)."""
    installed = {d.key: d.version for d in distributions}
    if installed == locked:
        return
    missing = sorted(set(locked) - set(installed))
    extra = sorted(set(installed) - set(locked))
    changed = sorted(n for n in set(installed) & set(locked) if not same_version(installed[n], locked[n]))
    if not (missing or extra or changed):
        return
    parts = [f"missing {', '.join(missing)}" if missing else "", f"not locked {', '.join(extra)}" if extra else "",
             ", ".join(f"{n} {installed[n]} (locked {locked[n]})" for n in changed)]
    raise ResolveError(f"the installed packages differ from {lock_name}: {'; '.join(p for p in parts if p)}")


__all__: Sequence[str] = (
    "CUDA_RUNTIME", "CUDNN", "Distribution", "InstalledFacts", "InstalledFramework", "check_matches_lock",
    "installed_facts", "read_distributions",
)
