"""The framework pins (``tensorflow``, ``torch``, ``jax``), the accelerator and the Python version,
and whether they work together on every platform (the facts are
:mod:`hatch_aicontainer.config.frameworks`' and :mod:`hatch_aicontainer.config.compat`'s).

At least one framework is pinned: each an exact version, or (when the caller resolves it at
lock time) a range. The Python default is derived from the settings themselves, not from a
resolution, so it is the same before and after the lock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hatch_aicontainer.config import compat
from hatch_aicontainer.config.compat import Target
from hatch_aicontainer.config.frameworks import ACCELERATORS, FRAMEWORK_NAMES, FRAMEWORKS, Framework, ReleaseLine
from hatch_aicontainer.config.messages import format_value
from hatch_aicontainer.config.pythons import python_order
from hatch_aicontainer.config.settings.keys import TABLE
from hatch_aicontainer.config.settings.model import Pin, ProjectInfo
from hatch_aicontainer.config.settings.probes import (
    marker_env,
    newer_probes,
    probe_versions,
    python_in,
    python_versions_in,
)
from hatch_aicontainer.config.settings.sources import Sources
from hatch_aicontainer.config.settings.values import config_error, string_value
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.descriptor import Platform


@dataclass(frozen=True)
class FrameworkPin:
    """One framework setting: its specifier, the exact version (None for an unresolved range),
    its display key, and the known lines it can mean."""

    framework: Framework
    spec: SpecifierSet
    exact: str | None
    key: str
    candidates: tuple[ReleaseLine, ...]  #: newest first
    admits_newer: bool  #: whether it admits releases newer than the table

    @property
    def text(self) -> str:
        return self.exact if self.exact is not None else str(self.spec)

    def as_pin(self) -> Pin:
        return Pin(self.framework.name, str(self.spec), self.exact)


def pins_allowed(allow_ranges: bool) -> str:
    examples = ", ".join(f'{fw.name} = "{fw.example()}"' for fw in FRAMEWORKS)
    ranges = ", or ranges such as \"~=2.21.0\"" if allow_ranges else ""
    return f"one or more of {', '.join(FRAMEWORK_NAMES)}: exact versions such as {examples}{ranges}"


def parse_framework_pins(sources: Sources, *, allow_ranges: bool, resolved: Mapping[str, str]) -> tuple[FrameworkPin, ...]:
    """Every framework setting, in ``FRAMEWORKS`` order; at least one is required."""
    pins = []
    for fw in FRAMEWORKS:
        got = sources.get(fw.name)
        if got is None:
            continue
        spec, exact = parse_version_setting(fw, got[0], got[1], allow_ranges=allow_ranges)
        pins.append(framework_pin(fw, spec, exact, got[1], resolved.get(fw.name)))
    if not pins:
        raise ConfigError(f"{TABLE}: no framework is pinned; allowed: {pins_allowed(allow_ranges)}")
    return tuple(pins)


def framework_pin(fw: Framework, spec: SpecifierSet, exact: str | None, key: str, resolved: str | None) -> FrameworkPin:
    """The setting with the lines it can mean and, for a range, the lock's ``resolved`` version."""
    # the lines the setting can mean: from the setting itself, not from a resolution, so
    # that python's default is the same before and after the lock
    candidates, admits_newer = candidate_releases(fw, spec, exact, key)
    if exact is None and resolved is not None:
        fw.check_version(resolved, key=f"{key} (resolved)")
        if not spec.contains(resolved, prereleases=True):
            raise config_error(key, str(spec), f"the resolved version {resolved} is outside this range", f"a version matching {spec}")
        exact = resolved
    elif exact is not None and resolved not in (None, exact):
        problem = f"the lock resolved {fw.name} {resolved}, not the pinned version"
        raise config_error(key, exact, problem, f"the pinned version {exact}")
    return FrameworkPin(fw, spec, exact, key, tuple(candidates), admits_newer)


def version_allowed(fw: Framework, allow_ranges: bool) -> str:
    ranges = f' or a range such as "~={fw.table.newest.line}.0"' if allow_ranges else ""
    return f'an exact version such as "{fw.example()}"{ranges} (known lines: {fw.table.known_lines_text})'


def parse_version_setting(fw: Framework, value: Any, key: str, *, allow_ranges: bool) -> tuple[SpecifierSet, str | None]:
    """The specifier and, for an exact pin, the version."""
    allowed = version_allowed(fw, allow_ranges)
    text = string_value(value, key, allowed).strip()
    exact_text = text[2:].strip() if text.startswith("==") and "," not in text and not text.startswith("===") else text
    if re.match(r"^[0-9]", exact_text):
        try:
            version = Version(exact_text)
        except InvalidVersion:
            raise config_error(key, value, "not a version", allowed) from None
        if "*" in exact_text:
            raise config_error(key, value, "not a version", allowed)
        if len(version.release) < 3:
            raise config_error(
                key,
                value,
                "not an exact version (major.minor.patch)",
                exact_hint(fw, exact_text, allow_ranges) if len(version.release) == 2 else allowed,
            )
        fw.check_version(exact_text, key=key)
        return SpecifierSet(f"=={exact_text}"), exact_text
    try:
        spec = SpecifierSet(text)
    except InvalidSpecifier:
        raise config_error(key, value, "not a version or version range", allowed) from None
    if not str(spec):
        raise config_error(key, value, "not a version or version range", allowed)
    if not allow_ranges:
        raise config_error(
            key,
            value,
            "a version range needs resolution at lock time, which this build does not do yet",
            f'an exact version such as "{fw.example()}"',
        )
    return spec, None


def exact_hint(fw: Framework, line: str, allow_ranges: bool) -> str:
    """What to write instead of a bare ``major.minor``."""
    release = fw.table.release_for(line + ".0")
    exact = release.tested if release and release.tested else f"{line}.0"
    return f'"{exact}"' + (f' or "~={line}.0"' if allow_ranges else "") + f" (a {line} release)"


def candidate_releases(fw: Framework, spec: SpecifierSet, exact: str | None, key: str) -> tuple[list[ReleaseLine], bool]:
    """The known lines the pin/range can mean, newest first, and whether it admits newer ones."""
    if exact is not None:
        release = fw.table.release_for(exact)
        return ([release], False) if release else ([], True)
    lines = [r for r in fw.table.lines if any(spec.contains(v, prereleases=False) for v in probe_versions(r))]
    admits_newer = any(spec.contains(v) for v in newer_probes(fw))
    if not lines and not admits_newer:
        raise config_error(
            key,
            str(spec),
            f"admits no {fw.title} release this plugin knows (known lines: {fw.table.known_lines_text})",
            f'a range such as "~={fw.table.newest.line}.0"',
        )
    return lines, admits_newer


def parse_accelerator(sources: Sources) -> str:
    accelerator = "cpu"
    allowed = ", ".join(f'"{a}"' for a in ACCELERATORS)
    if (got := sources.get("accelerator")) is not None:
        accelerator = string_value(got[0], got[1], allowed)
        if accelerator not in ACCELERATORS:
            raise config_error(got[1], got[0], "unknown accelerator", allowed)
    return accelerator


def requires_python(project: ProjectInfo) -> SpecifierSet | None:
    """The project's ``requires-python``, parsed."""
    text = project.requires_python
    if not text:
        return None
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise config_error("project.requires-python", text, "not a version specifier", '">=3.10"') from None


def supported_pythons(pin: FrameworkPin) -> list[str]:
    """The Pythons some line the pin can mean supports (newer than the table: the newest line's)."""
    pool = list(pin.candidates) or [pin.framework.table.newest]
    return sorted({p for r in pool for p in r.pythons}, key=python_order)


def describe_pin(pin: FrameworkPin) -> str:
    pool = list(pin.candidates) or [pin.framework.table.newest]
    lines = pool[0].line if len(pool) == 1 else f"{pool[-1].line} … {pool[0].line}"
    return f"{pin.framework.title} {lines}"


def resolve_python(sources: Sources, pins: tuple[FrameworkPin, ...], requires: SpecifierSet | None, origins: dict[str, str]) -> str:
    """``python``, else the newest Python inside requires-python that every pinned framework supports."""
    project = sources.project
    supported = sorted(set.intersection(*(set(supported_pythons(p)) for p in pins)), key=python_order)
    inside = python_versions_in(requires, supported)
    if (got := sources.get("python")) is not None:
        python = compat.check_python(got[0], key=got[1])
        if requires is not None and not python_in(requires, python):
            allowed = ", ".join(inside) if inside else f"a Python matching {requires}"
            raise config_error(got[1], python, f'outside project.requires-python = {format_value(str(project.requires_python))}', allowed)
        return python
    if inside:
        origins["python"] = "default"
        return inside[-1]
    if not supported:  # the frameworks share no Python
        first, second = pins[0], pins[1]
        raise config_error(
            second.key,
            second.text,
            f"{describe_pin(second)} supports Python {', '.join(supported_pythons(second))}, "
            f"{describe_pin(first)} ({first.framework.name} = {format_value(first.text)}) supports "
            f"{', '.join(supported_pythons(first))}: no Python both support",
            f"releases of {first.framework.title} and {second.framework.title} that support one Python",
        )
    pin = pins[0]
    lines_ok = [r.line for r in pin.framework.table.lines if requires is None or python_versions_in(requires, r.pythons)]
    allowed = (
        f"set {TABLE}.python, or a {pin.framework.title} line supporting a Python inside requires-python "
        f"({', '.join(sorted(lines_ok, key=lambda s: tuple(map(int, s.split('.')))))})"
        if lines_ok
        else f"set {TABLE}.python"
    )
    raise config_error(
        pin.key,
        pin.text,
        f"{' and '.join(describe_pin(p) for p in pins)} support{'s' if len(pins) == 1 else ''} Python "
        f"{', '.join(supported)}, none of which project.requires-python = {format_value(str(project.requires_python))} admits",
        allowed,
    )


def check_targets(
    sources: Sources,
    pins: tuple[FrameworkPin, ...],
    python: str,
    accelerator: str,
    platforms: tuple[Platform, ...],
    indexes: Mapping[str, str],
) -> tuple[Target, ...]:
    """The combination on every platform: the targets once every pin is exact, else () once
    each range is known to admit a release that works; and the project's own requirements."""
    keys = {"python": sources.key_of("python"), "accelerator": sources.key_of("accelerator"), **{p.framework.name: p.key for p in pins}}
    targets: list[Target] = []
    if all(p.exact is not None for p in pins):
        exact = {p.framework.name: str(p.exact) for p in pins}
        for i, platform in enumerate(platforms):
            platform_keys = {**keys, "platform": sources.platform_key(i)}
            targets.append(compat.check_target(python, exact, accelerator, platform, keys=platform_keys, indexes=indexes))
        for pin in pins:
            if not targets[0].framework(pin.framework.name).known:
                sources.warnings.append(compat.unknown_release_warning(pin.framework.name, str(pin.exact), python, platforms))
    else:
        for pin in pins:
            if pin.exact is None:
                check_range(sources, pin, python, accelerator, platforms, keys)
    for pin in pins:
        check_project_requirement(sources.project, pin, python, platforms)
    return tuple(targets)


def check_range(
    sources: Sources,
    pin: FrameworkPin,
    python: str,
    accelerator: str,
    platforms: tuple[Platform, ...],
    keys: dict[str, str],
) -> None:
    """A range must admit a release that works for every platform (exact check after the lock)."""
    fw, spec, key = pin.framework, pin.spec, pin.key
    name = fw.name
    first_error: ConfigError | None = None
    for release in pin.candidates:
        try:
            for i, platform in enumerate(platforms):
                platform_keys = {**keys, "platform": sources.platform_key(i)}
                compat.check_target(python, {name: f"{release.line}.0"}, accelerator, platform, keys=platform_keys)
        except ConfigError as exc:
            first_error = first_error or exc
            continue
        return
    shown = f"{name} = {format_value(str(spec))}"
    if pin.admits_newer and accelerator == "cpu":
        sources.warnings.append(
            f"{key} = {format_value(str(spec))} admits {fw.title} releases newer than this plugin's compatibility data "
            f"(known lines: {fw.table.known_lines_text}); if the lock picks one, its Python and CUDA facts are unknown"
        )
        return
    if first_error is not None:
        message = str(first_error).replace(f'{name} = "{pin.candidates[0].line}.0"', shown)
        raise ConfigError(message)
    probe = newer_probes(fw)[0]
    try:
        compat.check_target(python, {name: probe}, accelerator, platforms[0], keys={**keys, "platform": sources.platform_key(0)})
    except ConfigError as exc:
        raise ConfigError(str(exc).replace(f'{name} = "{probe}"', shown)) from None


def check_project_requirement(project: ProjectInfo, pin: FrameworkPin, python: str, platforms: tuple[Platform, ...]) -> None:
    """The pin must satisfy the project's own dependency on the framework, if it declares one; the
    project may not be named like one of the framework's distributions (its wheel would replace it)."""
    fw, spec, exact, key = pin.framework, pin.spec, pin.exact, pin.key
    if canonicalize_name(project.name) in fw.distributions:
        raise config_error(
            "project.name", project.name,
            f"the name of a {fw.title} distribution, pinned by {key}: the project's own wheel would take its place in the image",
            "a project name that no pinned framework's distribution has",
        )
    for text in project.dependencies:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue  # hatchling reports the project's own metadata errors
        if canonicalize_name(req.name) not in fw.distributions:
            continue
        if req.marker is not None:
            try:
                applies = any(req.marker.evaluate(marker_env(python, pl)) for pl in platforms)
            except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
                applies = True
            if not applies:
                continue
        if not req.specifier:
            continue
        allowed = f"versions matching {req.specifier}"
        if exact is not None:
            if not req.specifier.contains(exact, prereleases=True):
                problem = f"outside the project's own requirement {format_value(text)} (project.dependencies)"
                raise config_error(key, exact, problem, allowed)
            continue
        probes = [v for r in fw.table.lines for v in probe_versions(r)] + newer_probes(fw)
        if not any(spec.contains(v) and req.specifier.contains(v) for v in probes):
            problem = f"admits no version of the project's own requirement {format_value(text)} (project.dependencies)"
            raise config_error(key, str(spec), problem, allowed)


def sample_versions(pins: tuple[FrameworkPin, ...]) -> dict[str, str]:
    """A version per pinned framework to check templates with: the pin, or (a range) its newest
    known line's release."""
    return {p.framework.name: p.exact or p.framework.example() for p in pins}


__all__ = [
    "FrameworkPin",
    "check_targets",
    "parse_accelerator",
    "parse_framework_pins",
    "requires_python",
    "resolve_python",
    "sample_versions",
]
