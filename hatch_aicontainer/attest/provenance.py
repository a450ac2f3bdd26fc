"""SLSA provenance v1 (https://slsa.dev/spec/v1.0/provenance) of an image, and reading it back.

The predicate says how to make the image again: ``buildDefinition.externalParameters`` holds the
effective settings and the target, ``internalParameters`` the plugin's version and layer format,
``resolvedDependencies`` every input by digest (the source revision, each platform's base image
and lock file, every wheel of the lock, the project's own wheel). ``runDetails`` names the
builder and its version, and nothing of the run: no time, host, user or path, so the same
inputs give the same statement on every host (the image's own reproducibility, extended to its
provenance). ``aicontainer verify --rebuild`` reads it back with :func:`read_recipe`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hatch_aicontainer.attest.statements import PROVENANCE_TYPE, Statement, StatementError, Subject, statement_bytes

#: what kind of build the statement describes: this plugin's container build, version 1 of its parameters
BUILD_TYPE = "https://hatch-aicontainer.dev/provenance/container/v1"
BUILDER_ID = "https://pypi.org/project/hatch-aicontainer/"
#: ``annotations.kind`` of each resolved dependency
SOURCE, BASE_IMAGE, LOCK, WHEEL, PROJECT_WHEEL = "source", "base-image", "lock", "wheel", "project-wheel"

__all__ = [
    "BASE_IMAGE",
    "BUILDER_ID",
    "BUILD_TYPE",
    "LOCK",
    "PROJECT_WHEEL",
    "SOURCE",
    "WHEEL",
    "Dependency",
    "ProvenanceInputs",
    "Recipe",
    "provenance_statement",
    "read_recipe",
    "subjects_for",
]


@dataclass(frozen=True)
class Dependency:
    """One ``resolvedDependencies`` entry (an in-toto ResourceDescriptor)."""

    kind: str  #: SOURCE, BASE_IMAGE, LOCK, WHEEL or PROJECT_WHEEL
    name: str
    digest: Mapping[str, str]  #: ``{"sha256": hex}``, or ``{"gitCommit": sha}`` for the source
    uri: str | None = None
    platform: str | None = None  #: the image platform it was resolved for, where it depends on one

    def to_json(self) -> dict[str, Any]:
        annotations: dict[str, Any] = {"kind": self.kind}
        if self.platform:
            annotations["platform"] = self.platform
        out: dict[str, Any] = {"name": self.name, "digest": dict(self.digest), "annotations": annotations}
        if self.uri:
            out["uri"] = self.uri
        return out


@dataclass(frozen=True)
class ProvenanceInputs:
    subjects: tuple[Subject, ...]  #: the root (index or manifest) first, then each platform's manifest
    project: str
    version: str
    settings: Mapping[str, Any]  #: ``config.settings.record.settings_record``
    dependencies: tuple[Dependency, ...]
    plugin_version: str
    internal: Mapping[str, Any] = field(default_factory=dict)  #: format versions that change the bytes


def provenance_statement(inputs: ProvenanceInputs) -> bytes:
    """The in-toto Statement v1 with the SLSA provenance v1 predicate, canonical JSON."""
    predicate = {
        "buildDefinition": {
            "buildType": BUILD_TYPE,
            "externalParameters": {
                "project": {"name": inputs.project, "version": inputs.version},
                "settings": dict(inputs.settings),
            },
            "internalParameters": {"plugin": {"name": "hatch-aicontainer", "version": inputs.plugin_version}, **inputs.internal},
            "resolvedDependencies": [d.to_json() for d in inputs.dependencies],
        },
        "runDetails": {
            "builder": {"id": BUILDER_ID, "version": {"hatch-aicontainer": inputs.plugin_version}},
            "metadata": {},
        },
    }
    return statement_bytes(inputs.subjects, PROVENANCE_TYPE, predicate)


@dataclass(frozen=True)
class Recipe:
    """What a provenance says an image was made from (for rebuilding it)."""

    image: str  #: the root digest (the first subject)
    manifests: Mapping[str, str]  #: platform -> its manifest digest
    project: str
    version: str
    settings: Mapping[str, Any]
    plugin_version: str
    revision: str | None
    base_images: Mapping[str, tuple[str, str]]  #: platform -> (uri as resolved, digest)
    locks: Mapping[str, tuple[str, str]]  #: platform -> (lock file name, sha256:…)
    project_wheel: tuple[str, str] | None  #: (file name, sha256:…)


def read_recipe(statement: Statement) -> Recipe:
    """The recipe of a provenance statement of ours; StatementError (one line) for anything else."""
    if statement.predicate_type != PROVENANCE_TYPE:
        raise StatementError(f"not a SLSA provenance v1 statement (predicateType {statement.predicate_type})")
    definition = _table(statement.predicate, "buildDefinition")
    if definition.get("buildType") != BUILD_TYPE:
        raise StatementError(f"provenance of another kind of build (buildType {definition.get('buildType')!r}; ours: {BUILD_TYPE})")
    external = _table(definition, "externalParameters")
    project = _table(external, "project")
    internal = _table(definition, "internalParameters")
    revision = None
    base_images: dict[str, tuple[str, str]] = {}
    locks: dict[str, tuple[str, str]] = {}
    wheel = None
    for entry in definition.get("resolvedDependencies") or []:
        annotations = entry.get("annotations") or {}
        kind, platform = annotations.get("kind"), str(annotations.get("platform") or "")
        digest = entry.get("digest") or {}
        if kind == SOURCE:
            revision = digest.get("gitCommit")
        elif kind == BASE_IMAGE:
            base_images[platform] = (str(entry.get("uri") or entry.get("name")), "sha256:" + str(digest.get("sha256")))
        elif kind == LOCK:
            locks[platform] = (str(entry.get("name")), "sha256:" + str(digest.get("sha256")))
        elif kind == PROJECT_WHEEL:
            wheel = (str(entry.get("name")), "sha256:" + str(digest.get("sha256")))
    settings = _table(external, "settings")
    manifests = {s.name.rpartition("@")[2]: s.digest for s in statement.subjects[1:] if "@" in s.name}
    if not manifests:  # one platform: the root is its manifest
        platforms = settings.get("platforms") or [""]
        manifests = {str(platforms[0]): statement.subjects[0].digest}
    return Recipe(
        image=statement.subjects[0].digest,
        manifests=manifests,
        project=str(project.get("name")),
        version=str(project.get("version")),
        settings=settings,
        plugin_version=str(_table(internal, "plugin").get("version")),
        revision=revision,
        base_images=base_images,
        locks=locks,
        project_wheel=wheel,
    )


def _table(document: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = document.get(key)
    if not isinstance(value, Mapping):
        raise StatementError(f"the provenance has no {key}")
    return value


def subjects_for(name: str, root: str, manifests: Sequence[tuple[str, str]]) -> tuple[Subject, ...]:
    """The image's subjects: the root named ``name``, then each platform's manifest as ``name@platform``
    (a single-platform image's root is its manifest: one subject)."""
    subjects = [Subject(name, root)]
    if len(manifests) > 1:
        subjects += [Subject(f"{name}@{platform}", digest) for platform, digest in manifests]
    return tuple(subjects)

