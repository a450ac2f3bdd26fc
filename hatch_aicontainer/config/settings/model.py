"""The frozen value types: :class:`ProjectInfo`, :class:`IncludeSpec`,
:class:`Healthcheck`, :class:`OutputSettings` and :class:`Settings`."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatch_aicontainer.config.compat import Target
from hatch_aicontainer.config.settings.keys import TABLE, TARGET_KEY_NAMES
from hatch_aicontainer.config.settings.kubernetes import KubernetesSettings
from hatch_aicontainer.config.settings.syntax import GLOB_CHARS, MAX_ID, USER_RE
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.registry.reference import BaseImageSpec

if TYPE_CHECKING:
    from hatch_aicontainer.config.environment import BuildEnvironment


@dataclass(frozen=True)
class ProjectInfo:
    """What the settings need to know about the project (from its metadata)."""

    name: str
    version: str
    requires_python: str | None = None
    dependencies: tuple[str, ...] = ()
    scripts: Mapping[str, str] = field(default_factory=dict)  #: [project.scripts]: name -> "module:func"
    root: Path = Path(".")
    source_url: str | None = None  #: [project.urls] Source/Repository/Homepage, for the OCI source label

    @property
    def import_name(self) -> str:
        """The module name the project is expected to use ("example-project" -> "example_project")."""
        return re.sub(r"[-.]+", "_", self.name).lower()


@dataclass(frozen=True)
class Pin:
    """A framework setting: ``tensorflow = "2.16.1"`` is ``Pin("tensorflow", "==2.16.1", "2.16.1")``."""

    framework: str  #: "tensorflow", "torch", "jax"
    spec: str  #: the PEP 440 specifier as written, "==2.16.1" for an exact pin
    version: str | None  #: the exact version; None while a range awaits the lock step


@dataclass(frozen=True)
class User:
    """The ``user`` setting as written (``10001:10001``, ``app``, ``10001:app``) and the numbers it
    states; a name is resolved against the base image's accounts at build time (build/base/accounts.py)."""

    text: str
    uid: int | None  #: None: a user name
    gid: int | None  #: None: a group name, or no group
    user_name: str | None = None
    group_name: str | None = None

    @classmethod
    def parse(cls, text: str) -> User:
        """ValueError when ``text`` is not ``user[:group]`` with names or ids in range."""
        match = USER_RE.match(text)
        if not match:
            raise ValueError("not a user name or uid[:gid]")
        user, group = match.groups()
        for part in (user, group):
            if part is not None and part.isdigit() and int(part) > MAX_ID:
                raise ValueError(f"id {part} is out of range (0–{MAX_ID})")
        return cls(
            text,
            int(user) if user.isdigit() else None,
            int(group) if group is not None and group.isdigit() else None,
            None if user.isdigit() else user,
            group if group is not None and not group.isdigit() else None,
        )

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class IncludeSpec:
    """Extra files for the image's last layer.

    ``source`` is a project-relative POSIX path or glob (normalized; never
    absolute, never ``..``). ``destination`` is an absolute path in the image:

    * plain path: the file lands at ``destination``; a directory's files land
      under ``destination`` with their paths relative to the directory;
    * glob: ``destination`` is a directory and each match keeps its path
      relative to the glob's leading non-glob directories (:attr:`base`), so
      ``models/**/*.keras`` → ``/app/models/<sub>/<file>.keras`` by default.
    """

    source: str
    destination: str

    @property
    def is_glob(self) -> bool:
        return any(c in GLOB_CHARS for c in self.source)

    @property
    def base(self) -> str:
        """The leading directories without glob characters ("" for ``*.h5``); the source itself if not a glob."""
        if not self.is_glob:
            return self.source
        parts = []
        for part in self.source.split("/"):
            if any(c in GLOB_CHARS for c in part):
                break
            parts.append(part)
        return "/".join(parts)

    def destination_for(self, relpath: str) -> str:
        """Where the project file ``relpath`` (a match of this spec) goes in the image."""
        base = self.base
        if relpath == base:
            return self.destination
        rest = relpath[len(base) + 1 :] if base and relpath.startswith(base + "/") else relpath
        return posixpath.join(self.destination, rest)


@dataclass(frozen=True)
class Healthcheck(Mapping):
    """A Docker HEALTHCHECK (image config ``Healthcheck``; durations in nanoseconds).

    Also a read-only mapping in Docker's JSON form (``Test``, ``Interval``,
    ``Timeout``, ``StartPeriod``, ``Retries``), so ``dict(healthcheck)`` is the
    config object.
    """

    test: tuple[str, ...]  #: ("CMD", arg, ...) for a list, ("CMD-SHELL", command) for a string
    interval: int | None = None
    timeout: int | None = None
    start_period: int | None = None
    retries: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Test": list(self.test)}
        for name, value in (
            ("Interval", self.interval),
            ("Timeout", self.timeout),
            ("StartPeriod", self.start_period),
            ("Retries", self.retries),
        ):
            if value is not None:
                out[name] = value
        return out

    def __getitem__(self, key: str) -> Any:
        return self.to_json()[key]

    def __iter__(self):
        return iter(self.to_json())

    def __len__(self) -> int:
        return len(self.to_json())


@dataclass(frozen=True)
class OutputSettings:
    """What happens after the build besides the ``.oci.tar`` (see docs/settings.md, "Release outputs")."""

    push: tuple[str, ...] = ()  #: reference templates; one without a tag means every configured tag
    push_enabled: bool = False  #: push after the build (default: whenever ``push`` names references)
    load: bool = False  #: load into the Docker engine (DOCKER_HOST)
    oci_layout: bool = False  #: also write an OCI layout directory beside the archive
    latest: bool = False  #: also tag ``latest`` (loaded image, pushed repositories)
    archive: bool = True  #: write the ``.oci.tar`` (False: push straight from the cache)
    #: registry repositories (``host/repo``) to take layers from on a local cache miss; None: the push repositories
    cache_from: tuple[str, ...] | None = None
    cache_to: bool = True  #: write the layers' cache entries on push
    origins: Mapping[str, str] = field(default_factory=dict)  #: key -> where it came from (TOML key or env var)


@dataclass(frozen=True)
class SigningSettings:
    """``[tool.aicontainer.sign]`` / ``AICONTAINER_SIGNING_KEY``: the key that signs the image and its
    attestations. The passphrase is read from the environment when the key is loaded, never kept here."""

    key: Path  #: absolute (a relative ``sign.key`` is relative to the project)
    setting: str  #: where it was set, for messages: ``tool.aicontainer.sign.key`` or ``AICONTAINER_SIGNING_KEY``


@dataclass(frozen=True)
class Settings:
    """The validated settings of one build target. See docs/settings.md."""

    python: str  #: "3.11" or "3.11.9"; default: newest Python requires-python and every pinned framework support
    pins: tuple[Pin, ...]  #: the pinned frameworks, in ``FRAMEWORKS`` order (at least one)
    accelerator: str  #: "cpu" (default) | "cuda"
    platforms: tuple[Platform, ...]  #: default (linux/amd64,)
    base_image: BaseImageSpec  #: default "python:{python}-slim-bookworm"
    base_image_from_env: bool  #: True when AICONTAINER_BASE_IMAGE set it
    entrypoint: tuple[str, ...] | None  #: None (unset): chosen from the wheel at build time (entrypoint.py)
    cmd: tuple[str, ...]  #: default ()
    env: Mapping[str, str]  #: user env (+ NVIDIA_* defaults for cuda)
    workdir: str  #: default "/app"
    user: User  #: default "10001:10001"
    labels: Mapping[str, str]  #: default {}
    ports: tuple[str, ...]  #: normalized "8080/tcp"; default ()
    include: tuple[IncludeSpec, ...]  #: default ()
    dependencies: tuple[str, ...]  #: extra image-only requirements; default ()
    index_url: str | None  #: default None (uv's default, PyPI)
    extra_index_urls: tuple[str, ...]  #: default ()
    find_links: tuple[str, ...]  #: default ()
    #: framework -> the index of its builds (``torch-index-url``); may hold credentials
    framework_indexes: Mapping[str, str] = field(repr=False)
    compression: str  #: "gzip" (default) | "zstd"
    compression_level: int | None  #: None: the layer writer's default
    name: str  #: image name; default: the normalized project name
    tags: tuple[str, ...]  #: tag templates; default ("{version}",)
    healthcheck: Healthcheck | None  #: default None
    targets: tuple[Target, ...]  #: one per platform once every pin is exact, else ()
    project: ProjectInfo = field(repr=False)  #: the project these settings are for
    environment: BuildEnvironment = field(repr=False)  #: the process environment, read once (config.environment)
    warnings: tuple[str, ...] = ()  #: one-line warnings for the user (a framework newer than its table, ...)
    kubernetes: KubernetesSettings | None = None  #: [tool.aicontainer.kubernetes]; None: no manifest
    outputs: OutputSettings = field(default_factory=OutputSettings)  #: push / load / oci-layout / latest
    signing: SigningSettings | None = None  #: None: the attestations are attached unsigned
    origins: Mapping[str, str] = field(default_factory=dict)  #: key -> where its value came from
    target_name: str = "container"

    def key(self, name: str) -> str:
        """The display name of setting ``name`` for messages, e.g. ``key("python")`` ->
        ``"tool.aicontainer.python"``, ``key("base-image")`` -> ``"AICONTAINER_BASE_IMAGE"`` when
        the environment set it, ``"tool.hatch.build.targets.container.accelerator"`` when the target did."""
        origin = self.origins.get(name, "default")
        if origin.startswith("env:"):
            return origin[4:]
        prefix = TABLE if origin == "default" else origin
        if prefix != TABLE:
            name = TARGET_KEY_NAMES.get(name, name)
        return f"{prefix}.{name}"

    def pin(self, framework: str) -> Pin | None:
        return next((p for p in self.pins if p.framework == framework), None)

    def pin_keys(self) -> dict[str, str]:
        """framework -> the display name of its setting (:meth:`key`), for every pinned framework."""
        return {pin.framework: self.key(pin.framework) for pin in self.pins}

    def version_of(self, framework: str) -> str | None:
        """The exact version of ``framework``; None when it is not pinned or awaits the lock step."""
        pin = self.pin(framework)
        return pin.version if pin else None

    @property
    def resolved(self) -> bool:
        """Whether every pin is an exact version (so ``targets`` are known)."""
        return all(p.version is not None for p in self.pins)

    def target_for(self, platform: Platform) -> Target:
        for target in self.targets:
            if target.platform == platform:
                return target
        raise KeyError(str(platform))
