"""One TensorFlow per image, at the pin: the rule every image lock follows (pure).

Several distributions install the same ``tensorflow`` package: ``tensorflow-cpu`` (the
CPU build for Linux x86_64), ``tensorflow`` (with ``[and-cuda]`` the CUDA build),
``tensorflow-intel``, ``tensorflow-gpu``. Two of them in one image write into one folder,
and whichever lands last wins, at whatever version the resolver picked for it (``tf-keras``
asks for ``tensorflow>=2.18,<2.19``, and 2.18.1 is newer than a 2.18.0 pin). So:

* every TensorFlow name is held at the pin by a constraint (:func:`pin_constraints`): no
  requirement can move it, and one that cannot be met fails the resolution, naming it. (An
  override would also hold it, but it would hide the requirement from the resolver, which
  would then pick a ``tf-keras`` made for another TensorFlow; the install check would
  refuse that image instead of the resolver choosing the matching release.)
* the image installs the target's own distribution (``tensorflow-cpu`` for a CPU image on
  amd64) unless something asks for the name ``tensorflow``: the project itself
  (:func:`initial_choice`) or any package of the resolution (:func:`switched_choice`).
  Then ``tensorflow`` is what is installed, so the requirement is met by name, as
  ``pip check`` and run-time requirement checks see it; the choice says why in one line.
* a lock holding two TensorFlow distributions, or one at another version, is refused
  (:func:`lock_problem`), naming the packages that asked for them;
* the same for the CUDA libraries of GPU images: one build of each (``nvidia-cublas-cu11``
  beside ``nvidia-cublas-cu12`` would be two copies of cuBLAS for one loader).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hatch_aicontainer.config.frameworks.tensorflow import TENSORFLOW_DISTRIBUTIONS
from hatch_aicontainer.config.settings.probes import marker_env
from hatch_aicontainer.oci.descriptor import Platform

if TYPE_CHECKING:
    from hatch_aicontainer.build.deps.lock import LockedPackage, TensorFlowRequest

#: The distribution that every TensorFlow requirement by that name is met by.
PLAIN = "tensorflow"
#: Who asked for each package (canonical name -> names of the requirers; :data:`TOP_LEVEL` for the
#: project and ``dependencies``), from uv's annotated resolution.
Requirers = Mapping[str, tuple[str, ...]]
TOP_LEVEL = "the project"
#: ``nvidia-cublas-cu12`` -> ``nvidia-cublas``: the library, whatever CUDA major the wheel is for.
_CUDA_SUFFIX = re.compile(r"-cu\d+$")


@dataclass(frozen=True)
class TensorFlowChoice:
    """The TensorFlow distribution a lock installs, and (when it is not the target's own) why."""

    distribution: str
    reason: str | None = None

    def to_json(self) -> dict[str, str]:
        return {"distribution": self.distribution, **({"reason": self.reason} if self.reason else {})}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TensorFlowChoice:
        reason = data.get("reason")
        return cls(str(data.get("distribution", "")), str(reason) if reason else None)


@dataclass(frozen=True)
class LockProblem:
    """What breaks the rule: ``kind`` is "two-tensorflow", "version" or "missing" (the chosen TensorFlow),
    or "cuda-builds" (two builds of one CUDA library); ``packages`` the ``(name, version)`` involved."""

    kind: str
    packages: tuple[tuple[str, str], ...]
    pin: str
    chosen: str

    def describe(self, requirers: Requirers | None = None) -> str:
        """One line; with ``requirers``, it names the packages that asked for each."""
        def who(name: str) -> str:
            if requirers is None:
                return ""
            asked = [r for r in requirers.get(canonicalize_name(name), ()) if canonicalize_name(r) != canonicalize_name(name)]
            return f" (required by {', '.join(asked)})" if asked else ""

        shown = " and ".join(f"{name} {version}{who(name)}" for name, version in self.packages)
        if self.kind == "two-tensorflow":
            return (f"{shown} would both be installed, into the one tensorflow package; an image holds one TensorFlow "
                    f"distribution, at the pin {self.pin}")
        if self.kind == "version":
            return f"{shown} is not the pinned TensorFlow {self.pin}"
        if self.kind == "missing":
            instead = f" ({shown} instead)" if self.packages else ""
            return f"no {self.chosen} {self.pin} in the resolution{instead}"
        return f"{shown} are two builds of one CUDA library; an image holds one build of each"


def pin_constraints(request: TensorFlowRequest) -> tuple[str, ...]:
    """Every TensorFlow name held at the pin, whoever asks for it."""
    return tuple(f"{name}=={request.version}" for name in sorted(TENSORFLOW_DISTRIBUTIONS))


def is_tensorflow(requirement: str) -> bool:
    try:
        return canonicalize_name(Requirement(requirement).name) in TENSORFLOW_DISTRIBUTIONS
    except InvalidRequirement:
        return False


def other_requirements(requirements: Iterable[str]) -> tuple[str, ...]:
    """The requirements without TensorFlow's (the pinned request stands for them)."""
    return tuple(r for r in requirements if not is_tensorflow(r))


def initial_choice(
    request: TensorFlowRequest, requirements: Iterable[str], python_version: str, platform: Platform
) -> TensorFlowChoice:
    """The target's distribution, or ``tensorflow`` when the project itself requires that name
    (a requirement whose marker applies to the image's Python and platform)."""
    if canonicalize_name(request.distribution) == PLAIN:
        return TensorFlowChoice(request.distribution)
    environment = marker_env(python_version, platform)
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != PLAIN:
            continue
        try:
            applies = requirement.marker is None or requirement.marker.evaluate(environment)
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
            applies = True
        if applies:
            return TensorFlowChoice(PLAIN, f"{TOP_LEVEL} requires {text}")
    return TensorFlowChoice(request.distribution)


def lock_problem(packages: Iterable[LockedPackage], request: TensorFlowRequest, choice: TensorFlowChoice) -> LockProblem | None:
    """The first way ``packages`` break the rule, or None."""
    versions = {canonicalize_name(p.name): (p.name, p.version) for p in packages}
    chosen = canonicalize_name(choice.distribution)
    found = sorted(versions[name] for name in versions if name in TENSORFLOW_DISTRIBUTIONS)
    if len(found) > 1:
        return LockProblem("two-tensorflow", tuple(found), request.version, choice.distribution)
    if not found or canonicalize_name(found[0][0]) != chosen:
        return LockProblem("missing", tuple(found), request.version, choice.distribution)
    name, version = found[0]
    if not same_version(version, request.version):
        return LockProblem("version", ((name, version),), request.version, choice.distribution)
    for builds in cuda_library_builds(versions.values()).values():
        if len(builds) > 1:
            return LockProblem("cuda-builds", tuple(builds), request.version, choice.distribution)
    return None


def cuda_library_builds(packages: Iterable[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """``nvidia-*`` packages grouped by library (``nvidia-cublas-cu11`` and ``nvidia-cublas-cu12`` together)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, version in sorted(packages):
        canonical = canonicalize_name(name)
        if canonical.startswith("nvidia-"):
            groups.setdefault(_CUDA_SUFFIX.sub("", canonical), []).append((name, version))
    return groups


def switched_choice(problem: LockProblem, choice: TensorFlowChoice, requirers: Requirers) -> TensorFlowChoice | None:
    """``tensorflow`` instead of the target's distribution when the only other TensorFlow in the
    resolution is ``tensorflow`` itself, asked for by a package; None when the rule cannot be met."""
    if problem.kind != "two-tensorflow" or canonicalize_name(choice.distribution) == PLAIN:
        return None
    others = {canonicalize_name(name) for name, _ in problem.packages} - {canonicalize_name(choice.distribution)}
    if others != {PLAIN}:
        return None
    asked = [r for r in requirers.get(PLAIN, ()) if r != TOP_LEVEL]
    if not asked:
        return None
    return TensorFlowChoice(PLAIN, f"{', '.join(asked)} require{'s' if len(asked) == 1 else ''} {PLAIN}")


def parse_requirers(annotated: str) -> dict[str, tuple[str, ...]]:
    """uv's ``pip compile --annotation-style line`` output -> who asked for each package.

    ``tensorflow==2.16.1   # via tf-keras, -c constraints.txt``: constraints are left out,
    ``-r requirements.in`` becomes :data:`TOP_LEVEL`.
    """
    out: dict[str, tuple[str, ...]] = {}
    for line in annotated.splitlines():
        requirement, _, comment = line.partition("#")
        name = requirement.split("==", 1)[0].strip()
        if not name or "==" not in requirement or not comment.strip().startswith("via"):
            continue
        asked: list[str] = []
        for item in comment.strip()[len("via"):].split(","):
            item = item.strip()
            if item.startswith("-c"):
                continue
            asked.append(TOP_LEVEL if item.startswith("-r") else item)
        out[canonicalize_name(name)] = tuple(dict.fromkeys(a for a in asked if a))
    return out


def same_version(left: str, right: str) -> bool:
    """PEP 440 equality (``2.16.1`` is ``2.16.1.0``); text equality for what is no version."""
    try:
        return Version(left) == Version(right)
    except InvalidVersion:
        return left == right


__all__: Sequence[str] = (
    "LockProblem", "PLAIN", "Requirers", "TOP_LEVEL", "TensorFlowChoice", "cuda_library_builds", "initial_choice",
    "is_tensorflow", "lock_problem", "other_requirements", "parse_requirers", "pin_constraints", "same_version", "switched_choice",
)
