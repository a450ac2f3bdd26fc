"""Python and framework versions to probe specifiers with, and PEP 508 marker environments."""

from __future__ import annotations

from collections.abc import Sequence

from packaging.specifiers import SpecifierSet

from hatch_aicontainer.config.frameworks import Framework, ReleaseLine
from hatch_aicontainer.config.pythons import parse_python
from hatch_aicontainer.oci.descriptor import Platform


def python_versions_in(spec: SpecifierSet | None, pythons: Sequence[str]) -> list[str]:
    """The ``pythons`` (minor versions) some patch release of which ``spec`` admits."""
    if spec is None:
        return list(pythons)
    return [p for p in pythons if python_in(spec, p)]


def python_in(spec: SpecifierSet, python: str) -> bool:
    _, minor, patch = parse_python(python)
    patches = [patch] if patch is not None else range(0, 40)
    return any(spec.contains(f"3.{minor}.{p}", prereleases=True) for p in patches)


def probe_versions(line: ReleaseLine) -> list[str]:
    major, minor = line.version
    return [f"{major}.{minor}.{p}" for p in range(0, 12)]


def newer_probes(framework: Framework) -> list[str]:
    major, minor = framework.table.newest.version
    return [f"{major}.{m}.{p}" for m in range(minor + 1, minor + 12) for p in (0, 1)] + [f"{major + 1}.0.0"]


def marker_env(python: str, platform: Platform) -> dict[str, str]:
    _, minor, patch = parse_python(python)
    return {
        "python_version": f"3.{minor}",
        "python_full_version": f"3.{minor}.{patch if patch is not None else 0}",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": platform.machine,
        "extra": "",
    }
