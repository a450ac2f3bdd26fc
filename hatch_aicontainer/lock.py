"""The image's dependency lock: a PEP 751 ``pylock.*.toml`` beside pyproject.toml.

One lock per target (Python minor × platform × accelerator: a CI matrix over
two Pythons keeps one lock each and never re-resolves when it switches back),
resolved by uv for the image's Python and platform, binary wheels only. The lock records a fingerprint of
what it was resolved from (requirements, Python, platform, indexes) in its
``[tool.hatch-aicontainer]`` table; while the fingerprint matches, the lock is
reused as it is, so two builds a month apart install the same files. When the
inputs change the lock is resolved again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tomli_w
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from .atomic import write_atomically
from .compat import TENSORFLOW_DISTRIBUTIONS
from .errors import ResolveError
from .faults import owner_token, temporary_directory
from .oci.descriptor import Platform
from .uv import Indexes, run_uv, target_args

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

TOOL_KEY = "hatch-aicontainer"

@dataclass(frozen=True)
class LockInputs:
    """Everything that decides the resolution; its fingerprint keys the lock."""

    requirements: tuple[str, ...]
    python_version: str
    platform: Platform
    indexes: Indexes = Indexes()

    def fingerprint(self) -> str:
        document = {
            "requirements": sorted(self.requirements),
            "python": self.python_version,
            "platform": str(self.platform),
            "index-url": self.indexes.index_url,
            "extra-index-urls": list(self.indexes.extra_index_urls),
            "find-links": list(self.indexes.find_links),
        }
        data = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        return "sha256:" + hashlib.sha256(data).hexdigest()


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

    def version_of(self, name: str) -> str | None:
        wanted = canonicalize_name(name)
        for package in self.packages:
            if canonicalize_name(package.name) == wanted:
                return package.version
        return None


def image_requirements(
    project_dependencies: Iterable[str], extra_dependencies: Iterable[str], tensorflow_requirement: str
) -> tuple[str, ...]:
    """The requirements the image is resolved from, TensorFlow pinned exactly.

    The project's own TensorFlow requirement is dropped in favour of the pin
    (the settings already checked that the pin satisfies it).
    """
    out = {tensorflow_requirement}
    for text in (*project_dependencies, *extra_dependencies):
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise ResolveError(f"dependency {text!r} is not a valid requirement ({exc})") from exc
        if canonicalize_name(requirement.name) in TENSORFLOW_DISTRIBUTIONS:
            continue
        out.add(str(requirement))
    return tuple(sorted(out))


def lock_path(project_root: Path, platform: Platform, accelerator: str, python_version: str) -> Path:
    """``pylock.aicontainer-py<XY>-<arch>-<accelerator>.toml`` beside pyproject.toml.

    Keyed on the Python minor (PEP 751 names hold no dots: ``py313``), so each
    Python of a matrix has its own lock; a patch pin change re-resolves that
    one file (its fingerprint holds the exact pin).
    """
    arch = "-".join(p for p in (platform.architecture, platform.variant) if p)
    major, minor = python_version.split(".")[:2]
    return project_root / f"pylock.aicontainer-py{major}{minor}-{arch}-{accelerator}.toml"


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
    return Lock(path=path, sha256="sha256:" + hashlib.sha256(data).hexdigest(), packages=packages, reused=reused)


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


def ensure_lock(inputs: LockInputs, path: Path) -> Lock:
    """Reuse ``path`` when it was resolved from ``inputs``; else resolve and write it."""
    if path.is_file() and lock_fingerprint(path) == inputs.fingerprint():
        return read_lock(path, reused=True)
    with temporary_directory(f"aicontainer-lock-{owner_token()}-") as scratch:
        requirements_in = Path(scratch) / "requirements.in"
        requirements_in.write_text("".join(f"{line}\n" for line in inputs.requirements))
        output = Path(scratch) / "pylock.toml"
        run_uv(
            [
                "pip",
                "compile",
                "--no-config",
                "--quiet",
                "--only-binary",
                ":all:",
                "--format",
                "pylock.toml",
                "--no-header",
                "-o",
                str(output),
                *target_args(inputs.python_version, inputs.platform),
                *inputs.indexes.args(),
                str(requirements_in),
            ],
            step=f"resolving dependencies for python {inputs.python_version} on {inputs.platform}",
            cwd=Path(scratch),
        )
        document = tomllib.loads(output.read_text())
    document.setdefault("tool", {})[TOOL_KEY] = {
        "inputs": inputs.fingerprint(),
        "python": inputs.python_version,
        "platform": str(inputs.platform),
        "requirements": sorted(inputs.requirements),
    }
    write_atomically(path, tomli_w.dumps(document).encode())
    return read_lock(path, reused=False)
