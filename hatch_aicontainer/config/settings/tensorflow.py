"""The TensorFlow pin, the accelerator and the Python version, and whether they work
together on every platform (the facts are :mod:`hatch_aicontainer.config.compat`'s).

``tensorflow`` is required: an exact version, or (when the caller resolves it at lock
time) a range. The Python default is derived from the setting itself, not from a
resolution, so it is the same before and after the lock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hatch_aicontainer.config import compat
from hatch_aicontainer.config.compat import TENSORFLOW_DISTRIBUTIONS, Target, TensorFlowRelease, format_value
from hatch_aicontainer.config.settings.keys import TABLE
from hatch_aicontainer.config.settings.model import ProjectInfo
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
class TensorFlowPin:
    """The ``tensorflow`` setting: its specifier, the exact version (None for an
    unresolved range), its display key, and the known lines it can mean."""

    spec: SpecifierSet
    exact: str | None
    key: str
    candidates: tuple[TensorFlowRelease, ...]  #: newest first
    admits_newer: bool  #: whether it admits releases newer than the compatibility data


def parse_tensorflow_setting(sources: Sources, *, allow_ranges: bool) -> tuple[SpecifierSet, str | None, str]:
    """``tensorflow`` (required): its specifier, the exact version (None for a range), its display key."""
    tf_raw = sources.get("tensorflow")
    if tf_raw is None:
        raise ConfigError(f"{TABLE}.tensorflow: required but not set; allowed: {tensorflow_allowed(allow_ranges)}")
    spec, exact = parse_tensorflow(tf_raw[0], tf_raw[1], allow_ranges=allow_ranges)
    return spec, exact, tf_raw[1]


def tensorflow_pin(spec: SpecifierSet, exact: str | None, key: str, resolved: str | None) -> TensorFlowPin:
    """The setting with the lines it can mean and, for a range, the lock's ``resolved`` version."""
    # the TensorFlow lines the setting can mean: from the setting itself, not from a
    # resolution, so that python's default is the same before and after the lock
    candidates, admits_newer = candidate_releases(spec, exact, key)
    if exact is None and resolved is not None:
        compat.check_tensorflow(resolved, key=f"{key} (resolved)")
        if not spec.contains(resolved, prereleases=True):
            raise config_error(key, str(spec), f"the resolved version {resolved} is outside this range", f"a version matching {spec}")
        exact = resolved
    elif exact is not None and resolved not in (None, exact):
        problem = f"the lock resolved tensorflow {resolved}, not the pinned version"
        raise config_error(key, exact, problem, f"the pinned version {exact}")
    return TensorFlowPin(spec, exact, key, tuple(candidates), admits_newer)


def tensorflow_allowed(allow_ranges: bool) -> str:
    newest = compat.newest_release()
    ranges = f' or a range such as "~={newest.line}.0"' if allow_ranges else ""
    return f'an exact version such as "{newest.tested}"{ranges} (known lines: {compat.known_lines_text()})'


def parse_tensorflow(value: Any, key: str, *, allow_ranges: bool) -> tuple[SpecifierSet, str | None]:
    """The specifier and, for an exact pin, the version."""
    newest = compat.newest_release()
    allowed = tensorflow_allowed(allow_ranges)
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
                exact_hint(exact_text, allow_ranges) if len(version.release) == 2 else allowed,
            )
        compat.check_tensorflow(exact_text, key=key)
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
            f'an exact version such as "{newest.tested}"',
        )
    return spec, None


def exact_hint(line: str, allow_ranges: bool) -> str:
    """What to write instead of a bare ``major.minor``."""
    release = compat.release_for(line + ".0")
    exact = release.tested if release and release.tested else f"{line}.0"
    return f'"{exact}"' + (f' or "~={line}.0"' if allow_ranges else "") + f" (a {line} release)"


def candidate_releases(spec: SpecifierSet, exact: str | None, key: str) -> tuple[list[TensorFlowRelease], bool]:
    """The known lines the pin/range can mean, newest first, and whether it admits newer ones."""
    if exact is not None:
        release = compat.release_for(exact)
        return ([release], False) if release else ([], True)
    lines = [r for r in compat.supported_table() if any(spec.contains(v, prereleases=False) for v in probe_versions(r))]
    admits_newer = any(spec.contains(v) for v in newer_probes())
    if not lines and not admits_newer:
        raise config_error(
            key,
            str(spec),
            f"admits no TensorFlow release this plugin knows (known lines: {compat.known_lines_text()})",
            f'a range such as "~={compat.newest_release().line}.0"',
        )
    return lines, admits_newer


def parse_accelerator(sources: Sources) -> str:
    accelerator = "cpu"
    if (got := sources.get("accelerator")) is not None:
        accelerator = string_value(got[0], got[1], '"cpu", "cuda"')
        if accelerator not in compat.ACCELERATORS:
            raise config_error(got[1], got[0], "unknown accelerator", '"cpu", "cuda"')
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


def resolve_python(sources: Sources, pin: TensorFlowPin, requires: SpecifierSet | None, origins: dict[str, str]) -> str:
    """``python``, else the newest Python inside requires-python that the TensorFlow lines support."""
    project = sources.project
    pool = list(pin.candidates) or [compat.newest_release()]  # newer than the data: assume the newest known line's Pythons
    supported = sorted({p for r in pool for p in r.pythons}, key=lambda v: compat.parse_python(v))
    inside = python_versions_in(requires, supported)
    tf_text = pin.exact if pin.exact is not None else str(pin.spec)
    lines_text = f"TensorFlow {pool[0].line}" if len(pool) == 1 else f"TensorFlow {pool[-1].line} … {pool[0].line}"
    if (got := sources.get("python")) is not None:
        python = compat.check_python(got[0], key=got[1])
        if requires is not None and not python_in(requires, python):
            allowed = ", ".join(inside) if inside else f"a Python matching {requires}"
            raise config_error(got[1], python, f'outside project.requires-python = {format_value(str(project.requires_python))}', allowed)
        return python
    if not inside:
        lines_ok = [r.line for r in compat.supported_table() if requires is None or python_versions_in(requires, r.pythons)]
        allowed = (
            f"set {TABLE}.python, or a TensorFlow line supporting a Python inside requires-python "
            f"({', '.join(sorted(lines_ok, key=lambda s: tuple(map(int, s.split('.')))))})"
            if lines_ok
            else f"set {TABLE}.python"
        )
        raise config_error(
            pin.key,
            tf_text,
            f"{lines_text} supports Python {', '.join(supported)}, none of which "
            f"project.requires-python = {format_value(str(project.requires_python))} admits",
            allowed,
        )
    origins["python"] = "default"
    return inside[-1]


def check_targets(
    sources: Sources, pin: TensorFlowPin, python: str, accelerator: str, platforms: tuple[Platform, ...]
) -> tuple[Target, ...]:
    """The combination on every platform: the targets of an exact pin, else () once the
    range is known to admit a release that works; and the project's own requirement."""
    keys = {
        "python": sources.key_of("python"),
        "tensorflow": pin.key,
        "accelerator": sources.key_of("accelerator"),
    }
    targets: list[Target] = []
    if pin.exact is not None:
        for i, platform in enumerate(platforms):
            platform_keys = {**keys, "platform": sources.platform_key(i)}
            targets.append(compat.check_target(python, pin.exact, accelerator, platform, keys=platform_keys))
        if not targets[0].known:
            sources.warnings.append(compat.unknown_release_warning(pin.exact, python, platforms))
    else:
        check_range(sources, pin, python, accelerator, platforms, keys)
    check_project_tensorflow(sources.project, pin, python, platforms)
    return tuple(targets)


def check_range(
    sources: Sources,
    pin: TensorFlowPin,
    python: str,
    accelerator: str,
    platforms: tuple[Platform, ...],
    keys: dict[str, str],
) -> None:
    """A range must admit a release that works for every platform (exact check after the lock)."""
    spec, key, candidates = pin.spec, pin.key, pin.candidates
    first_error: ConfigError | None = None
    for release in candidates:
        try:
            for i, platform in enumerate(platforms):
                platform_keys = {**keys, "platform": sources.platform_key(i)}
                compat.check_target(python, f"{release.line}.0", accelerator, platform, keys=platform_keys)
        except ConfigError as exc:
            first_error = first_error or exc
            continue
        return
    if pin.admits_newer and accelerator == "cpu":
        sources.warnings.append(
            f"{key} = {format_value(str(spec))} admits TensorFlow releases newer than this plugin's compatibility data "
            f"(known lines: {compat.known_lines_text()}); if the lock picks one, its Python and CUDA facts are unknown"
        )
        return
    if first_error is not None:
        message = str(first_error).replace(f'tensorflow = "{candidates[0].line}.0"', f"tensorflow = {format_value(str(spec))}")
        raise ConfigError(message)
    probe = newer_probes()[0]
    try:
        compat.check_target(python, probe, accelerator, platforms[0], keys={**keys, "platform": sources.platform_key(0)})
    except ConfigError as exc:
        raise ConfigError(str(exc).replace(f'tensorflow = "{probe}"', f"tensorflow = {format_value(str(spec))}")) from None


def check_project_tensorflow(project: ProjectInfo, pin: TensorFlowPin, python: str, platforms: tuple[Platform, ...]) -> None:
    """The pin must satisfy the project's own dependency on tensorflow, if it declares one."""
    spec, exact, key = pin.spec, pin.exact, pin.key
    for text in project.dependencies:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue  # hatchling reports the project's own metadata errors
        if canonicalize_name(req.name) not in TENSORFLOW_DISTRIBUTIONS:
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
        probes = [v for r in compat.supported_table() for v in probe_versions(r)] + newer_probes()
        if not any(spec.contains(v) and req.specifier.contains(v) for v in probes):
            problem = f"admits no version of the project's own requirement {format_value(text)} (project.dependencies)"
            raise config_error(key, str(spec), problem, allowed)
