"""The image's dependency lock: a PEP 751 ``pylock.*.toml`` beside pyproject.toml.

One lock per target (Python minor × platform × accelerator: a CI matrix over
two Pythons keeps one lock each and never re-resolves when it switches back),
resolved by uv for the image's Python and platform, binary wheels only. The lock records a fingerprint of
what it was resolved from (requirements, Python, platform, indexes) in its
``[tool.hatch-aicontainer]`` table; while the fingerprint matches, the lock is
reused as it is, so two builds a month apart install the same files. When the
inputs change the lock is resolved again.

An image lock holds one TensorFlow distribution, at the pin, and one build of each CUDA
library (:mod:`hatch_aicontainer.build.deps.tensorflow_rule`); the lock records which distribution and
why, and a reused lock is checked again (a hand-edited lock that breaks the rule is refused).
PyTorch and JAX are asked for at their pins (``torch==2.10.0+cpu``, ``jax[cuda12]==0.12.0``) and
held there by constraints whoever else asks for them; a framework's own index (PyTorch's CPU
index) is searched besides the user's and named in the lock's ``[tool.hatch-aicontainer]`` table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomli_w
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from hatch_aicontainer.build.deps.framework_rule import FrameworkRequest, framework_problem, name_indexes
from hatch_aicontainer.build.deps.tensorflow_rule import (
    Requirers,
    TensorFlowChoice,
    initial_choice,
    lock_problem,
    other_requirements,
    parse_requirers,
    pin_constraints,
    switched_choice,
)
from hatch_aicontainer.build.deps.uv import Indexes, Uv, target_args
from hatch_aicontainer.config.compat import Target
from hatch_aicontainer.config.frameworks import framework
from hatch_aicontainer.config.frameworks.tensorflow import TENSORFLOW_DISTRIBUTIONS
from hatch_aicontainer.config.messages import without_credentials
from hatch_aicontainer.config.pythons import python_tag
from hatch_aicontainer.config.settings import ProjectInfo, Settings
from hatch_aicontainer.core.atomic import write_atomically
from hatch_aicontainer.core.errors import ResolveError
from hatch_aicontainer.core.faults import owner_token, temporary_directory
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.oci.image import canonical_json

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

TOOL_KEY = "hatch-aicontainer"
#: Part of every fingerprint: bump it when the way a lock is resolved changes, so locks
#: resolved by the old rules are resolved again (2: one TensorFlow distribution, held at the pin).
RESOLUTION = "2"


@dataclass(frozen=True)
class TensorFlowRequest:
    """The image's TensorFlow as its target asks for it: the pin, the distribution the target
    installs unless something asks for the name ``tensorflow`` (``tensorflow_rule``), its extra."""

    version: str
    distribution: str  #: "tensorflow-cpu" (CPU, amd64) or "tensorflow"
    extra: str | None = None  #: "and-cuda" for CUDA images

    def requirement(self, distribution: str) -> str:
        extra = f"[{self.extra}]" if self.extra else ""
        return f"{distribution}{extra}=={self.version}"

    def to_json(self) -> list[str | None]:
        return [self.version, self.distribution, self.extra]


@dataclass(frozen=True)
class LockInputs:
    """Everything that decides the resolution; its fingerprint keys the lock."""

    requirements: tuple[str, ...]  #: the project's and ``dependencies``' requirements, as written
    python_version: str
    platform: Platform
    indexes: Indexes = Indexes()
    tensorflow: TensorFlowRequest | None = None  #: None: ``requirements`` resolved as they are
    frameworks: tuple[FrameworkRequest, ...] = ()  #: PyTorch, JAX

    def all_indexes(self) -> Indexes:
        """The user's indexes, then the frameworks' own (searched besides them)."""
        own = tuple(f.index for f in self.frameworks if f.index and f.index not in self.indexes.extra_index_urls)
        return replace(self.indexes, extra_index_urls=(*self.indexes.extra_index_urls, *dict.fromkeys(own)))

    def fingerprint(self) -> str:
        document = {
            "resolution": RESOLUTION,
            "requirements": sorted(self.requirements),
            "python": self.python_version,
            "platform": str(self.platform),
            "index-url": self.indexes.index_url,
            "extra-index-urls": list(self.indexes.extra_index_urls),
            "find-links": list(self.indexes.find_links),
            "tensorflow": self.tensorflow.to_json() if self.tensorflow else None,
        }
        if self.frameworks:  # absent for TensorFlow alone: its locks stay valid
            document["frameworks"] = [f.to_json() for f in self.frameworks]
        return "sha256:" + hashlib.sha256(canonical_json(document)).hexdigest()


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str


@dataclass(frozen=True)
class Lock:
    path: Path
    sha256: str
    packages: tuple[LockedPackage, ...]
    reused: bool
    tensorflow: TensorFlowChoice | None = None  #: the TensorFlow distribution the lock installs, and why

    def version_of(self, name: str) -> str | None:
        wanted = canonicalize_name(name)
        for package in self.packages:
            if canonicalize_name(package.name) == wanted:
                return package.version
        return None

    def framework_version(self, name: str, distribution: str) -> str | None:
        """The locked version of framework ``name`` whose target installs ``distribution`` (TensorFlow:
        the distribution the lock chose, ``tensorflow`` when the graph asked for it)."""
        if name == "tensorflow" and self.tensorflow is not None:
            distribution = self.tensorflow.distribution
        return self.version_of(distribution)


def lock_inputs(settings: Settings, project: ProjectInfo, target: Target) -> LockInputs:
    """The inputs of a target's lock: the one place they are assembled (build, ``aicontainer lock``)."""
    for text in (*project.dependencies, *settings.dependencies):
        try:
            Requirement(text)
        except InvalidRequirement as exc:
            raise ResolveError(f"dependency {text!r} is not a valid requirement ({exc})") from exc
    tensorflow = None
    others = []
    for pinned in target.frameworks:
        if pinned.framework == "tensorflow":
            tensorflow = TensorFlowRequest(pinned.version, pinned.distribution, pinned.extra)
        else:
            others.append(FrameworkRequest(
                pinned.framework, pinned.requirement, framework(pinned.framework).held(pinned),
                pinned.distribution, pinned.pinned, pinned.index,
            ))
    return LockInputs(
        requirements=tuple(dict.fromkeys((*project.dependencies, *settings.dependencies))),
        python_version=settings.python,
        platform=target.platform,
        indexes=Indexes(settings.index_url, settings.extra_index_urls, settings.find_links),
        tensorflow=tensorflow,
        frameworks=tuple(others),
    )


def lock_path(project_root: Path, platform: Platform, accelerator: str, python_version: str) -> Path:
    """``pylock.aicontainer-py<XY>-<arch>-<accelerator>.toml`` beside pyproject.toml.

    Keyed on the Python minor (PEP 751 names hold no dots: ``py313``), so each
    Python of a matrix has its own lock; a patch pin change re-resolves that
    one file (its fingerprint holds the exact pin).
    """
    return project_root / f"pylock.aicontainer-{python_tag(python_version)}-{platform.file_tag}-{accelerator}.toml"


def lock_document(lock: Lock) -> dict[str, Any]:
    """The lock file's TOML, checked to be the bytes the build resolved or reused (what the SBOM and the
    provenance list); ResolveError (one line) when it changed since, or does not parse."""
    data = lock.path.read_bytes()
    if "sha256:" + hashlib.sha256(data).hexdigest() != lock.sha256:
        raise ResolveError(f"lock file {lock.path.name} changed during the build; build again")
    try:
        return tomllib.loads(data.decode())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ResolveError(f"lock file {lock.path.name} is not valid TOML ({exc}); delete it to resolve again") from None


def read_lock(path: Path, *, reused: bool) -> Lock:
    data = path.read_bytes()
    try:
        document = tomllib.loads(data.decode())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ResolveError(f"lock file {path.name} is not valid TOML ({exc}); delete it to resolve again") from exc
    packages = tuple(
        LockedPackage(str(entry.get("name", "")), str(entry.get("version", "")))
        for entry in document.get("packages", [])
    )
    recorded = document.get("tool", {}).get(TOOL_KEY, {}).get("tensorflow")
    return Lock(
        path=path, sha256="sha256:" + hashlib.sha256(data).hexdigest(), packages=packages, reused=reused,
        tensorflow=TensorFlowChoice.from_json(recorded) if isinstance(recorded, dict) else None,
    )


def lock_fingerprint(path: Path) -> str | None:
    """The fingerprint a lock file was resolved from, or None when unknown/unreadable."""
    try:
        document = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    value = document.get("tool", {}).get(TOOL_KEY, {}).get("inputs")
    return value if isinstance(value, str) else None


def installable_copy(lock: Lock, python_version: str, directory: Path) -> Path:
    """A copy of ``lock`` that ``uv pip install -r`` accepts for a Python other than the host's.

    uv (0.8 to 0.13) checks a pylock's ``requires-python`` against the
    interpreter it finds on the host, not against ``--python-version``, so an
    image Python newer than the host's is refused. The copy checks
    ``requires-python`` here, against the image's Python, and leaves it out;
    everything else stays: the exact files and their hashes (uv still verifies
    every wheel), each wheel's own Requires-Python and tags, which uv checks
    against ``--python-version``/``--python-platform``. Relative ``path``
    entries are made absolute, as the copy lives elsewhere.
    """
    document = tomllib.loads(lock.path.read_text())
    required = document.pop("requires-python", None)
    if required is not None:
        try:
            allowed = SpecifierSet(str(required)).contains(python_version, prereleases=True)
        except InvalidSpecifier:
            allowed = False
        if not allowed:
            raise ResolveError(
                f"lock file {lock.path.name} requires Python {required}, not {python_version}; delete it to resolve again"
            )
    base = lock.path.parent
    for package in document.get("packages", []):
        for entry in [*package.get("wheels", []), *(package.get(key) for key in ("sdist", "archive", "directory"))]:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                entry["path"] = str((base / entry["path"]).resolve())
    directory.mkdir(parents=True, exist_ok=True)
    copy = directory / "pylock.toml"
    copy.write_text(tomli_w.dumps(document))
    return copy


def ensure_lock(inputs: LockInputs, path: Path, uv: Uv) -> Lock:
    """Reuse ``path`` when it was resolved from ``inputs``; else resolve and write it.

    With a TensorFlow request, the lock is checked either way (``tensorflow_rule``): one
    TensorFlow distribution, at the pin; one build of each CUDA library.
    """
    if path.is_file() and lock_fingerprint(path) == inputs.fingerprint():
        lock = read_lock(path, reused=True)
        problem_text = framework_problem(lock.packages, inputs.frameworks)
        if problem_text is not None:
            raise ResolveError(f"lock file {path.name}: {problem_text}; delete it to resolve again")
        if inputs.tensorflow is not None:
            choice = lock.tensorflow or TensorFlowChoice(inputs.tensorflow.distribution)
            problem = lock_problem(lock.packages, inputs.tensorflow, choice)
            if problem is not None:
                raise ResolveError(f"lock file {path.name}: {problem.describe()}; delete it to resolve again")
            lock = replace(lock, tensorflow=choice)
        return lock
    with temporary_directory(f"aicontainer-lock-{owner_token()}-") as scratch:
        document, choice = _resolve(inputs, Path(scratch), uv)
    name_indexes(document.get("packages", []), inputs.frameworks)
    table: dict[str, object] = {
        "inputs": inputs.fingerprint(),
        "python": inputs.python_version,
        "platform": str(inputs.platform),
        "requirements": sorted(inputs.requirements),
    }
    if choice is not None:
        table["tensorflow"] = choice.to_json()
    if any(f.index for f in inputs.frameworks):
        table["indexes"] = {f.framework: without_credentials(f.index) for f in inputs.frameworks if f.index}
    document.setdefault("tool", {})[TOOL_KEY] = table
    write_atomically(path, tomli_w.dumps(document).encode())
    return read_lock(path, reused=False)


def _resolve(inputs: LockInputs, scratch: Path, uv: Uv) -> tuple[dict, TensorFlowChoice | None]:
    """The PEP 751 document, and the TensorFlow distribution it installs (``tensorflow_rule``)."""
    request = inputs.tensorflow
    asked = tuple(f.requirement for f in inputs.frameworks)
    held = tuple(c for f in inputs.frameworks for c in f.held)
    if request is None:
        document = _compile(inputs, (*inputs.requirements, *asked), held, scratch, uv)
        _check_frameworks(document, inputs)
        return document, None
    others = other_requirements(inputs.requirements)
    choice = initial_choice(request, inputs.requirements, inputs.python_version, inputs.platform)
    for _ in range(2):  # at most one switch, to ``tensorflow``
        requirements = (*others, request.requirement(choice.distribution), *asked)
        document = _compile(inputs, requirements, (*pin_constraints(request), *held), scratch, uv)
        _check_frameworks(document, inputs)
        packages = _packages(document)
        problem = lock_problem(packages, request, choice)
        if problem is None:
            return document, choice
        requirers = _requirers(inputs, requirements, (*pin_constraints(request), *held), scratch, uv)
        switched = switched_choice(problem, choice, requirers)
        if switched is None:
            raise ResolveError(f"resolving for python {inputs.python_version} on {inputs.platform}: {problem.describe(requirers)}")
        choice = switched
    raise AssertionError("the TensorFlow distribution switched twice")  # pragma: no cover - switched_choice switches once


def _compile(
    inputs: LockInputs, requirements: Sequence[str], constraints: Sequence[str], scratch: Path, uv: Uv, *, annotated: bool = False
) -> Any:
    """``uv pip compile`` for the target: the pylock document, or (``annotated``) uv's text output."""
    requirements_in = scratch / "requirements.in"
    requirements_in.write_text("".join(f"{line}\n" for line in requirements))
    constraint_args: list[str] = []
    if constraints:
        constraints_txt = scratch / "constraints.txt"
        constraints_txt.write_text("".join(f"{line}\n" for line in constraints))
        constraint_args = ["--constraint", str(constraints_txt)]
    output = scratch / ("requirements.txt" if annotated else "pylock.toml")
    output.unlink(missing_ok=True)
    form = ["--annotation-style", "line"] if annotated else ["--format", "pylock.toml"]
    uv.run(
        [
            "pip", "compile", "--no-config", "--quiet", "--only-binary", ":all:", *form, "--no-header",
            "-o", str(output), *target_args(inputs.python_version, inputs.platform), *inputs.all_indexes().args(),
            *constraint_args, str(requirements_in),
        ],
        step=f"resolving dependencies for python {inputs.python_version} on {inputs.platform}",
        cwd=scratch,
    )
    return output.read_text() if annotated else tomllib.loads(output.read_text())


def _check_frameworks(document: dict, inputs: LockInputs) -> None:
    problem = framework_problem(_packages(document), inputs.frameworks)
    if problem is not None:  # the constraints make this impossible unless uv changes its rules
        raise ResolveError(f"resolving for python {inputs.python_version} on {inputs.platform}: the resolution {problem}")


def _packages(document: dict) -> tuple[LockedPackage, ...]:
    return tuple(LockedPackage(str(p.get("name", "")), str(p.get("version", ""))) for p in document.get("packages", []))


def _requirers(inputs: LockInputs, requirements: Sequence[str], constraints: Sequence[str], scratch: Path, uv: Uv) -> Requirers:
    """Who asked for each package: the same resolution, annotated (asked only when a lock breaks a rule)."""
    return parse_requirers(_compile(inputs, requirements, constraints, scratch, uv, annotated=True))


def resolve_lock(inputs: LockInputs, path: Path, uv: Uv, *, pin_keys: Mapping[str, str]) -> Lock:
    """``ensure_lock``, with resolution errors about a pinned framework told against its setting
    (``pin_keys``: framework -> the setting's display name; the build's lock step, and ``aicontainer lock``'s)."""
    try:
        return ensure_lock(inputs, path, uv)
    except ResolveError as exc:
        for request in inputs.frameworks:
            if any(f"{no} {asked}" in str(exc) for no in ("no version of", "no versions of")
                   for asked in (request.held[0], request.requirement)):
                version = request.pinned.split("+")[0]
                where = f" ({without_credentials(request.index)} or the user's indexes)" if request.index else ""
                raise ResolveError(
                    f'{pin_keys.get(request.framework, request.framework)} = "{version}": {request.distribution} '
                    f"{request.pinned} has no wheel for Python {inputs.python_version} on {inputs.platform} "
                    f"on the package index{where}"
                ) from None
        if inputs.tensorflow is None:
            raise
        pin_key = pin_keys.get("tensorflow", "tensorflow")
        pin = inputs.tensorflow.version
        for name in sorted(TENSORFLOW_DISTRIBUTIONS):
            pinned = f"{name}=={pin}"
            if f"no version of {pinned}" in str(exc) or f"no versions of {pinned}" in str(exc):
                raise ResolveError(
                    f'{pin_key} = "{pin}": {name} {pin} has no wheel for Python {inputs.python_version} '
                    f"on {inputs.platform} on the package index"
                ) from None
        if f"tensorflow=={pin}" in str(exc) and "depends on" in str(exc):
            # a package that wants another TensorFlow than the pin: say why the resolver could not move it
            raise ResolveError(
                f'{exc} (every TensorFlow requirement is held at {pin_key} = "{pin}": '
                "pin a release of that package made for it, or change the pin)"
            ) from None
        raise
