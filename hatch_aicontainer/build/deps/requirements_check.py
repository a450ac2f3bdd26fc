"""Is the installed environment consistent? ``pip check``, done for the image's Python and platform.

``pip check`` runs where pip runs; an image built for Python 3.12 on arm64 from a 3.11
amd64 host must be checked against the image's interpreter instead. :func:`find_conflicts`
takes the installed distributions (``installed.Distribution``, read from their metadata)
and a PEP 508 marker environment of the image, and finds every requirement that is not
met: a distribution missing, or installed at a version outside the requirement.

What is checked: every installed distribution's own requirements (what ``pip check``
checks), the top-level requirements (the project's wheel, ``dependencies``, the pinned
framework), and the extras they ask for, followed through the graph: the project asking
for ``tensorflow-probability[tf]`` makes ``tf-keras`` required, which ``pip check`` would
not see. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion

from hatch_aicontainer.build.deps.installed import Distribution
from hatch_aicontainer.core.errors import ResolveError


@dataclass(frozen=True)
class Conflict:
    """``requirer`` asks for ``requirement``; ``installed`` is what is there (None: nothing)."""

    requirer: str  #: "tf-keras 2.16.0", or a top-level name such as "tool.aicontainer.dependencies"
    requirement: str
    installed: str | None  #: "tensorflow-cpu 2.16.1"

    def describe(self) -> str:
        there = f"{self.installed} is installed" if self.installed else "which is not installed"
        return f"{self.requirer} requires {self.requirement}, {there}"


@dataclass(frozen=True)
class Root:
    """A top-level requirement: who states it (for messages) and the requirement."""

    requirer: str
    requirement: str


def find_conflicts(
    distributions: Sequence[Distribution], roots: Iterable[Root], environment: Mapping[str, str]
) -> list[Conflict]:
    """Every unmet requirement, in a stable order (requirers sorted, then requirements as written)."""
    installed = {d.key: d for d in distributions}
    conflicts: list[Conflict] = []
    seen_conflicts: set[tuple[str, str]] = set()
    activated: set[tuple[str, str]] = set()
    pending: list[tuple[str, str]] = [(d.key, "") for d in distributions]

    def check(requirer: str, text: str, extra: str) -> None:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            return  # an installed wheel's malformed metadata: not ours to judge (pip check skips it too)
        if not _applies(requirement, environment, extra):
            return
        name = canonicalize_name(requirement.name)
        present = installed.get(name)
        if present is None or not _contains(requirement, present.version):
            if (requirer, text) not in seen_conflicts:
                seen_conflicts.add((requirer, text))
                conflicts.append(Conflict(requirer, text, f"{present.name} {present.version}" if present else None))
            return
        pending.extend((name, canonicalize_name(e)) for e in requirement.extras)

    for root in roots:
        check(root.requirer, root.requirement, "")
    while pending:
        key, extra = pending.pop()
        if (key, extra) in activated or key not in installed:
            continue
        activated.add((key, extra))
        distribution = installed[key]
        if extra and extra not in distribution.extras:
            continue  # an extra the distribution does not offer asks for nothing (pip and uv warn, install nothing)
        for text in distribution.requires:
            check(f"{distribution.name} {distribution.version}", text, extra)
    return sorted(conflicts, key=lambda c: (c.requirer, c.requirement))


def check_requirements(
    distributions: Sequence[Distribution], roots: Iterable[Root], environment: Mapping[str, str], where: str
) -> None:
    """ResolveError (one line naming both packages) when :func:`find_conflicts` finds any."""
    conflicts = find_conflicts(distributions, roots, environment)
    if conflicts:
        more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
        raise ResolveError(f"the installed packages conflict {where}: {conflicts[0].describe()}{more}")


def _applies(requirement: Requirement, environment: Mapping[str, str], extra: str) -> bool:
    if requirement.marker is None:
        return not extra  # an extra's activation checks only the requirements that name it
    try:
        if extra:
            return requirement.marker.evaluate({**environment, "extra": extra}) and not requirement.marker.evaluate(
                {**environment, "extra": ""}
            )
        return requirement.marker.evaluate({**environment, "extra": ""})
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return False


def _contains(requirement: Requirement, version: str) -> bool:
    try:
        return requirement.specifier.contains(version, prereleases=True)
    except InvalidVersion:
        return False


__all__: Sequence[str] = ("Conflict", "Root", "check_requirements", "find_conflicts")
