"""The :class:`_Loader` that reads ``[tool.aicontainer]``, the target table
(``[tool.hatch.build.targets.<target>]``) and the environment into :class:`Settings`,
and :func:`load_settings`, its entry point."""

from __future__ import annotations

import posixpath
import re
import string
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .. import compat
from ..compat import TENSORFLOW_DISTRIBUTIONS, Target, TensorFlowRelease, format_key, format_value
from ..errors import ConfigError
from ..naming import TagError, render_reference, render_tag, template_values
from ..oci.descriptor import Platform
from .keys import (
    BASE_IMAGE_ENV,
    COMPRESSIONS,
    DEFAULT_BASE_IMAGE,
    DEFAULT_PLATFORMS,
    DEFAULT_TAGS,
    DEFAULT_USER,
    DEFAULT_WORKDIR,
    HATCHLING_TARGET_OPTIONS,
    NVIDIA_ENV,
    PUSH_ENV,
    PUSH_TO_ENV,
    TABLE,
    TAG_FIELDS,
    TARGET_KEY_NAMES,
    FALSE_WORDS,
    HEALTHCHECK_KEYS,
    INCLUDE_KEYS,
    KEYS,
    OUTPUT_FLAGS,
    TRUE_WORDS,
)
from .kubernetes import parse_kubernetes
from .model import (
    Healthcheck,
    IncludeSpec,
    OutputSettings,
    ProjectInfo,
    Settings,
)
from .probes import (
    marker_env,
    newer_probes,
    probe_versions,
    python_in,
    python_versions_in,
)
from .syntax import (
    ENV_NAME_RE,
    MAX_ID,
    NAME_RE,
    USER_RE,
)
from .values import (
    absolute_path,
    config_error,
    parse_duration,
    parse_ports,
    reference_problem,
    string_value,
    string_list,
    string_table,
    suggest,
    type_name,
    base_image_problem,
)


def load_settings(
    table: Mapping[str, Any],
    project: ProjectInfo,
    environ: Mapping[str, str],
    *,
    target_overrides: Mapping[str, Any] | None = None,
    target_name: str = "container",
    resolved_tensorflow: str | None = None,
    allow_ranges: bool = False,
) -> Settings:
    """Validate ``[tool.aicontainer]`` (+ the target table and environment) into :class:`Settings`.

    ``resolved_tensorflow``: the exact version the lock step chose for a
    ``tensorflow`` range (ignored when ``tensorflow`` is already exact, except
    that it must then be equal). ``allow_ranges``: whether the caller can resolve
    a ``tensorflow`` range at lock time; when False (the default) a range is a
    ConfigError asking for an exact version, so no caller meets an unresolved
    ``Settings.tensorflow = None`` it does not expect. Raises ConfigError (one line).
    """
    loader = _Loader(table, project, environ, target_overrides, target_name, resolved_tensorflow)
    loader.allow_ranges = allow_ranges or resolved_tensorflow is not None
    return loader.load()


class _Loader:
    def __init__(
        self,
        table: Mapping[str, Any],
        project: ProjectInfo,
        environ: Mapping[str, str],
        target_overrides: Mapping[str, Any] | None,
        target_name: str,
        resolved_tensorflow: str | None,
    ) -> None:
        self.table = table
        self.project = project
        self.environ = environ
        self.overrides = target_overrides or {}
        self.target_name = target_name
        self.target_prefix = f"tool.hatch.build.targets.{format_key(target_name)}"
        self.resolved_tensorflow = resolved_tensorflow
        self.allow_ranges = False
        self.warnings: list[str] = []
        # key -> (raw value, display key, origin)
        self.raw: dict[str, tuple[Any, str, str]] = {}

    # -- collecting ------------------------------------------------------------------------------

    def collect(self) -> None:
        if not isinstance(self.table, Mapping):
            raise config_error(
                TABLE, self.table, f"must be a table, not {type_name(self.table)}", "a table with keys such as tensorflow, python"
            )
        for key, value in self.table.items():
            if key not in KEYS:
                if key in TARGET_KEY_NAMES.values():
                    ours = next(k for k, v in TARGET_KEY_NAMES.items() if v == key)
                    raise config_error(
                        f"{TABLE}.{format_key(str(key))}",
                        value,
                        f"unknown key; did you mean {TABLE}.{ours}? ({key} is its name in a [tool.hatch.build.targets.*] table)",
                    )
                raise self.unknown(TABLE, key, value, KEYS)
            self.raw[key] = (value, f"{TABLE}.{key}", TABLE)

        if not isinstance(self.overrides, Mapping):
            raise config_error(self.target_prefix, self.overrides, f"must be a table, not {type_name(self.overrides)}")
        target_names = {TARGET_KEY_NAMES.get(k, k): k for k in KEYS}
        for key, value in self.overrides.items():
            if key in HATCHLING_TARGET_OPTIONS:
                if key == "include":
                    self.warnings.append(
                        f"{self.target_prefix}.include is hatchling's file selection and puts no files in the image; "
                        f"image files go in {self.target_prefix}.image-include"
                    )
                continue
            if key not in target_names:
                # ours first: "incldue" means image-include (hatchling's include puts nothing in the image)
                raise self.unknown(self.target_prefix, key, value, sorted(target_names), also=sorted(HATCHLING_TARGET_OPTIONS))
            ours = target_names[key]
            if ours in ("env", "labels") and ours in self.raw and isinstance(value, Mapping):
                base_value, base_key, _ = self.raw[ours]
                # validate both sides under their own names, then merge key by key
                self.parse_string_table(ours, base_value, base_key)
                self.parse_string_table(ours, value, f"{self.target_prefix}.{key}")
                merged = {**base_value, **value}
                self.raw[ours] = (merged, f"{self.target_prefix}.{key}", self.target_prefix)
                continue
            self.raw[ours] = (value, f"{self.target_prefix}.{key}", self.target_prefix)

    def unknown(self, prefix: str, key: Any, value: Any, candidates: Sequence[str], also: Sequence[str] = ()) -> ConfigError:
        """``also``: further valid keys, suggested only when none of ``candidates`` is close."""
        display = f"{prefix}.{format_key(str(key))}"
        suggestion = None
        if isinstance(key, str):
            suggestion = suggest(key, candidates) or suggest(key, also)
            if suggestion in TARGET_KEY_NAMES and also:  # hatchling's include/dependencies: ours are image-*
                suggestion = TARGET_KEY_NAMES[suggestion]
        if also:
            candidates = sorted({*candidates, *also})
        if suggestion:
            hint = " (keys are kebab-case)" if "_" in str(key) and suggestion == str(key).replace("_", "-").lower() else ""
            return config_error(display, value, f"unknown key{hint}; did you mean {prefix}.{suggestion}?")
        return config_error(display, value, "unknown key", ", ".join(candidates))

    def get(self, key: str) -> tuple[Any, str, str] | None:
        return self.raw.get(key)

    def key_of(self, key: str) -> str:
        got = self.raw.get(key)
        return got[1] if got else f"{TABLE}.{key}"

    # -- per key ---------------------------------------------------------------------------------

    def parse_string_table(self, name: str, value: Any, key: str) -> dict[str, str]:
        if name == "env":
            allowed = 'a table of strings such as env = { TF_CPP_MIN_LOG_LEVEL = "2" }'
            return string_table(value, key, allowed, ENV_NAME_RE, "environment variable")
        allowed = 'a table of strings such as labels = { "org.example.team" = "ml" }'
        return string_table(value, key, allowed, re.compile(r"^\S+$"), "label")

    def load(self) -> Settings:
        self.collect()
        origins: dict[str, str] = {k: origin for k, (_, _, origin) in self.raw.items()}
        p = self.project

        # tensorflow (required) ------------------------------------------------------------------
        tf_raw = self.get("tensorflow")
        if tf_raw is None:
            raise ConfigError(f"{TABLE}.tensorflow: required but not set; allowed: {self.tensorflow_allowed()}")
        tf_spec, tf_exact = self.parse_tensorflow(*tf_raw[:2])
        tf_key = tf_raw[1]
        # the TensorFlow lines the setting can mean: from the setting itself, not from a
        # resolution, so that python's default is the same before and after the lock
        requires = self.requires_python()
        candidates, admits_newer = self.candidate_releases(tf_spec, tf_exact, tf_key)
        if tf_exact is None and self.resolved_tensorflow is not None:
            resolved = self.resolved_tensorflow
            compat.check_tensorflow(resolved, key=f"{tf_key} (resolved)")
            if not tf_spec.contains(resolved, prereleases=True):
                raise config_error(tf_key, str(tf_spec), f"the resolved version {resolved} is outside this range", f"a version matching {tf_spec}")
            tf_exact = resolved
        elif tf_exact is not None and self.resolved_tensorflow not in (None, tf_exact):
            problem = f"the lock resolved tensorflow {self.resolved_tensorflow}, not the pinned version"
            raise config_error(tf_key, tf_exact, problem, f"the pinned version {tf_exact}")

        # accelerator, platforms -----------------------------------------------------------------
        accelerator = "cpu"
        if (got := self.get("accelerator")) is not None:
            accelerator = string_value(got[0], got[1], '"cpu", "cuda"')
            if accelerator not in compat.ACCELERATORS:
                raise config_error(got[1], got[0], "unknown accelerator", '"cpu", "cuda"')
        platforms = self.parse_platforms()

        # python -----------------------------------------------------------------------------------
        python = self.resolve_python(candidates, requires, tf_spec, tf_exact, tf_key, origins)

        # the combination -------------------------------------------------------------------------
        keys = {
            "python": self.key_of("python"),
            "tensorflow": tf_key,
            "accelerator": self.key_of("accelerator"),
        }
        targets: list[Target] = []
        if tf_exact is not None:
            for i, platform in enumerate(platforms):
                platform_keys = {**keys, "platform": self.platform_key(i)}
                targets.append(compat.check_target(python, tf_exact, accelerator, platform, keys=platform_keys))
            if not targets[0].known:
                self.warnings.append(compat.unknown_release_warning(tf_exact, python, platforms))
        else:
            self.check_range(tf_spec, tf_key, candidates, admits_newer, python, accelerator, platforms, keys)
        self.check_project_tensorflow(tf_spec, tf_exact, tf_key, python, platforms)

        # image settings ---------------------------------------------------------------------------
        base_image, from_env = self.parse_base_image(python, origins)
        entrypoint = self.parse_entrypoint()
        cmd = ()
        if (got := self.get("cmd")) is not None:
            cmd = string_list(got[0], got[1], 'an array of strings such as cmd = ["--port", "8080"]', empty_items=True)
        env: dict[str, str] = {}
        if (got := self.get("env")) is not None:
            env = self.parse_string_table("env", got[0], got[1])
        if accelerator == "cuda":
            for name, value in NVIDIA_ENV.items():
                env.setdefault(name, value)
        labels: dict[str, str] = {}
        if (got := self.get("labels")) is not None:
            labels = self.parse_string_table("labels", got[0], got[1])
        workdir = DEFAULT_WORKDIR
        if (got := self.get("workdir")) is not None:
            workdir = absolute_path(got[0], got[1], 'an absolute path such as "/app"')
        user = self.parse_user()
        ports = self.parse_ports()
        include = self.parse_include(workdir)
        dependencies = self.parse_dependencies()
        index_url = None
        if (got := self.get("index-url")) is not None:
            index_url = self.parse_url(got[0], got[1])
        extra_index_urls: tuple[str, ...] = ()
        if (got := self.get("extra-index-urls")) is not None:
            urls = string_list(got[0], got[1], "an array of http(s):// or file:// URLs")
            extra_index_urls = tuple(self.parse_url(u, f"{got[1]}[{i}]") for i, u in enumerate(urls))
        find_links: tuple[str, ...] = ()
        if (got := self.get("find-links")) is not None:
            find_links = string_list(got[0], got[1], "an array of URLs or directories (relative to the project root)")
        compression, compression_level = self.parse_compression()
        name = self.parse_name()
        sample = template_values(name, p.version, python, tf_exact or str(compat.newest_release().tested), accelerator, platforms)
        tags = self.parse_tags(sample)
        healthcheck = self.parse_healthcheck()
        kubernetes = None
        if (got := self.get("kubernetes")) is not None:
            kubernetes, notes = parse_kubernetes(got[0], got[1], image_ports=ports, accelerator=accelerator)
            self.warnings += notes
        outputs = self.parse_outputs(name, sample)
        origins.update((k, v) for k, v in outputs.origins.items() if k in KEYS)

        for key in ("python", "base-image"):
            origins.setdefault(key, "default")
        if from_env:
            origins["base-image"] = f"env:{BASE_IMAGE_ENV}"
        for key in KEYS:
            origins.setdefault(key, "default")

        return Settings(
            python=python,
            tensorflow=tf_exact,
            tensorflow_spec=str(tf_spec),
            accelerator=accelerator,
            platforms=platforms,
            base_image=base_image,
            base_image_from_env=from_env,
            entrypoint=entrypoint,
            cmd=cmd,
            env=MappingProxyType(env),
            workdir=workdir,
            user=user,
            labels=MappingProxyType(labels),
            ports=ports,
            include=include,
            dependencies=dependencies,
            index_url=index_url,
            extra_index_urls=extra_index_urls,
            find_links=find_links,
            compression=compression,
            compression_level=compression_level,
            name=name,
            tags=tags,
            healthcheck=healthcheck,
            kubernetes=kubernetes,
            outputs=outputs,
            targets=tuple(targets),
            warnings=tuple(dict.fromkeys(self.warnings)),
            origins=MappingProxyType(origins),
            target_name=self.target_name,
            project=p,
        )

    # -- tensorflow / python ----------------------------------------------------------------------

    def tensorflow_allowed(self) -> str:
        newest = compat.newest_release()
        ranges = f' or a range such as "~={newest.line}.0"' if self.allow_ranges else ""
        return f'an exact version such as "{newest.tested}"{ranges} (known lines: {compat.known_lines_text()})'

    def parse_tensorflow(self, value: Any, key: str) -> tuple[SpecifierSet, str | None]:
        newest = compat.newest_release()
        allowed = self.tensorflow_allowed()
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
                    self.exact_hint(exact_text) if len(version.release) == 2 else allowed,
                )
            compat.check_tensorflow(exact_text, key=key)
            return SpecifierSet(f"=={exact_text}"), exact_text
        try:
            spec = SpecifierSet(text)
        except InvalidSpecifier:
            raise config_error(key, value, "not a version or version range", allowed) from None
        if not str(spec):
            raise config_error(key, value, "not a version or version range", allowed)
        if not self.allow_ranges:
            raise config_error(
                key,
                value,
                "a version range needs resolution at lock time, which this build does not do yet",
                f'an exact version such as "{newest.tested}"',
            )
        return spec, None

    def exact_hint(self, line: str) -> str:
        """What to write instead of a bare ``major.minor``."""
        release = compat.release_for(line + ".0")
        exact = release.tested if release and release.tested else f"{line}.0"
        return f'"{exact}"' + (f' or "~={line}.0"' if self.allow_ranges else "") + f" (a {line} release)"

    def candidate_releases(
        self, spec: SpecifierSet, exact: str | None, key: str
    ) -> tuple[list[TensorFlowRelease], bool]:
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

    def requires_python(self) -> SpecifierSet | None:
        text = self.project.requires_python
        if not text:
            return None
        try:
            return SpecifierSet(text)
        except InvalidSpecifier:
            raise config_error("project.requires-python", text, "not a version specifier", '">=3.10"') from None

    def resolve_python(
        self,
        candidates: list[TensorFlowRelease],
        requires: SpecifierSet | None,
        spec: SpecifierSet,
        exact: str | None,
        tf_key: str,
        origins: dict[str, str],
    ) -> str:
        pool = candidates or [compat.newest_release()]  # newer than the data: assume the newest known line's Pythons
        supported = sorted({p for r in pool for p in r.pythons}, key=lambda v: compat.parse_python(v))
        inside = python_versions_in(requires, supported)
        tf_text = exact if exact is not None else str(spec)
        lines_text = f"TensorFlow {pool[0].line}" if len(pool) == 1 else f"TensorFlow {pool[-1].line} … {pool[0].line}"
        if (got := self.get("python")) is not None:
            python = compat.check_python(got[0], key=got[1])
            if requires is not None and not python_in(requires, python):
                allowed = ", ".join(inside) if inside else f"a Python matching {requires}"
                raise config_error(got[1], python, f'outside project.requires-python = {format_value(str(self.project.requires_python))}', allowed)
            return python
        if not inside:
            lines_ok = [
                r.line for r in compat.supported_table() if requires is None or python_versions_in(requires, r.pythons)
            ]
            allowed = (
                f"set {TABLE}.python, or a TensorFlow line supporting a Python inside requires-python "
                f"({', '.join(sorted(lines_ok, key=lambda s: tuple(map(int, s.split('.')))))})"
                if lines_ok
                else f"set {TABLE}.python"
            )
            raise config_error(
                tf_key,
                tf_text,
                f"{lines_text} supports Python {', '.join(supported)}, none of which "
                f"project.requires-python = {format_value(str(self.project.requires_python))} admits",
                allowed,
            )
        origins["python"] = "default"
        return inside[-1]

    def check_range(
        self,
        spec: SpecifierSet,
        key: str,
        candidates: list[TensorFlowRelease],
        admits_newer: bool,
        python: str,
        accelerator: str,
        platforms: tuple[Platform, ...],
        keys: dict[str, str],
    ) -> None:
        """A range must admit a release that works for every platform (exact check after the lock)."""
        first_error: ConfigError | None = None
        for release in candidates:
            try:
                for i, platform in enumerate(platforms):
                    platform_keys = {**keys, "platform": self.platform_key(i)}
                    compat.check_target(python, f"{release.line}.0", accelerator, platform, keys=platform_keys)
            except ConfigError as exc:
                first_error = first_error or exc
                continue
            return
        if admits_newer and accelerator == "cpu":
            self.warnings.append(
                f"{key} = {format_value(str(spec))} admits TensorFlow releases newer than this plugin's compatibility data "
                f"(known lines: {compat.known_lines_text()}); if the lock picks one, its Python and CUDA facts are unknown"
            )
            return
        if first_error is not None:
            message = str(first_error).replace(f'tensorflow = "{candidates[0].line}.0"', f"tensorflow = {format_value(str(spec))}")
            raise ConfigError(message)
        probe = newer_probes()[0]
        try:
            compat.check_target(python, probe, accelerator, platforms[0], keys={**keys, "platform": self.platform_key(0)})
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(f'tensorflow = "{probe}"', f"tensorflow = {format_value(str(spec))}")) from None

    def check_project_tensorflow(
        self, spec: SpecifierSet, exact: str | None, key: str, python: str, platforms: tuple[Platform, ...]
    ) -> None:
        """The pin must satisfy the project's own dependency on tensorflow, if it declares one."""
        for text in self.project.dependencies:
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

    # -- the other keys ----------------------------------------------------------------------------

    def platform_key(self, index: int) -> str:
        got = self.get("platforms")
        return f"{got[1]}[{index}]" if got else f"{TABLE}.platforms"

    def parse_platforms(self) -> tuple[Platform, ...]:
        got = self.get("platforms")
        if got is None:
            return tuple(Platform.parse(p) for p in DEFAULT_PLATFORMS)
        allowed = ", ".join(f'"{p}"' for p in compat.SUPPORTED_PLATFORMS)
        items = string_list(got[0], got[1], f"an array of {allowed}")
        if not items:
            raise config_error(got[1], got[0], "must name at least one platform", allowed)
        out: list[Platform] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            key = f"{got[1]}[{i}]"
            try:
                platform = Platform.parse(item)
            except ValueError:
                raise config_error(key, item, "not a platform (os/architecture[/variant])", allowed) from None
            name = compat.platform_key(platform)
            if name in seen:
                raise config_error(key, item, "listed twice", allowed)
            seen.add(name)
            out.append(platform)
        return tuple(out)

    def parse_base_image(self, python: str, origins: dict[str, str]) -> tuple[str, bool]:
        allowed = (
            '[registry[:port]/]repository[:tag][@digest] such as "python:3.11-slim-bookworm", '
            'or "oci:<dir>[:<ref>]", "oci-archive:<file>[:<ref>]", "docker-archive:<file>[:<ref>]"'
        )
        env_value = self.environ.get(BASE_IMAGE_ENV)
        if env_value:
            problem = base_image_problem(env_value)
            if problem:
                raise config_error(f"{BASE_IMAGE_ENV} (environment; overrides {self.key_of('base-image')})", env_value, problem, allowed)
            return env_value, True
        got = self.get("base-image")
        if got is None:
            return DEFAULT_BASE_IMAGE.format(python=python), False
        text = string_value(got[0], got[1], allowed)
        problem = base_image_problem(text)
        if problem:
            raise config_error(got[1], got[0], problem, allowed)
        return text, False

    def parse_entrypoint(self) -> tuple[str, ...]:
        allowed = 'a non-empty array of non-empty strings such as entrypoint = ["example-project"]'
        got = self.get("entrypoint")
        if got is None:
            scripts = list(self.project.scripts)
            if len(scripts) == 1:
                return (scripts[0],)
            return ("python", "-m", self.project.import_name)
        items = string_list(got[0], got[1], allowed)
        if not items:
            raise config_error(got[1], got[0], "must not be empty", allowed)
        return items

    def parse_user(self) -> str:
        allowed = 'a user name or uid, optionally with :group or :gid, e.g. "10001:10001" or "app"'
        got = self.get("user")
        if got is None:
            return DEFAULT_USER
        text = string_value(got[0], got[1], allowed)
        match = USER_RE.match(text)
        if not match:
            raise config_error(got[1], got[0], "not a user name or uid[:gid]", allowed)
        for part in match.groups():
            if part is not None and part.isdigit() and int(part) > MAX_ID:
                raise config_error(got[1], got[0], f"id {part} is out of range (0–{MAX_ID})", allowed)
        return text

    def parse_ports(self) -> tuple[str, ...]:
        got = self.get("ports")
        return () if got is None else parse_ports(got[0], got[1])

    def parse_include(self, workdir: str) -> tuple[IncludeSpec, ...]:
        allowed = 'an array of project-relative paths/globs, or tables { source = "models/m.keras", destination = "/models/m.keras" }'
        got = self.get("include")
        if got is None:
            return ()
        if not isinstance(got[0], (list, tuple)):
            raise config_error(got[1], got[0], f"must be an array, not {type_name(got[0])}", allowed)
        out: list[IncludeSpec] = []
        for i, item in enumerate(got[0]):
            key = f"{got[1]}[{i}]"
            destination: str | None = None
            if isinstance(item, Mapping):
                for sub in item:
                    if sub not in INCLUDE_KEYS:
                        raise self.unknown(key, sub, item[sub], INCLUDE_KEYS)
                if "source" not in item:
                    raise config_error(key, item, "missing source", allowed)
                source = self.include_source(item["source"], f"{key}.source", allowed)
                if "destination" in item:
                    destination = absolute_path(item["destination"], f"{key}.destination", 'an absolute path in the image such as "/app/models"')
            elif isinstance(item, str):
                source = self.include_source(item, key, allowed)
            else:
                raise config_error(key, item, f"must be a string or a table, not {type_name(item)}", allowed)
            spec = IncludeSpec(source, "/")
            if destination is None:
                base = spec.base
                destination = posixpath.join(workdir, base) if base else workdir
            out.append(IncludeSpec(source, destination))
        return tuple(out)

    @staticmethod
    def include_source(value: Any, key: str, allowed: str) -> str:
        text = string_value(value, key, allowed)
        if text.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", text):
            raise config_error(key, value, "must be relative to the project root (absolute paths leave the project)", allowed)
        parts = re.split(r"[\\/]+", text)
        if ".." in parts:
            raise config_error(key, value, 'must stay inside the project root (no ".." components)', allowed)
        kept = [p for p in parts if p not in ("", ".")]
        normalized = str(PurePosixPath(*kept)) if kept else "."
        if normalized == ".":
            raise config_error(key, value, "names the whole project; the project is installed from its wheel", allowed)
        return normalized

    def parse_dependencies(self) -> tuple[str, ...]:
        allowed = 'an array of requirements such as ["gunicorn>=22"]'
        got = self.get("dependencies")
        if got is None:
            return ()
        items = string_list(got[0], got[1], allowed)
        for i, item in enumerate(items):
            key = f"{got[1]}[{i}]"
            try:
                req = Requirement(item)
            except InvalidRequirement:
                raise config_error(key, item, "not a requirement (PEP 508)", allowed) from None
            if canonicalize_name(req.name) in TENSORFLOW_DISTRIBUTIONS:
                raise config_error(key, item, f"TensorFlow is pinned by {TABLE}.tensorflow, not here", "requirements other than tensorflow")
        return items

    @staticmethod
    def parse_url(value: Any, key: str) -> str:
        allowed = "an http(s):// or file:// URL"
        text = string_value(value, key, allowed)
        if not re.match(r"^(https?://[^\s/]+|file://)\S*$", text):
            raise config_error(key, value, "not a URL", allowed)
        return text

    def parse_compression(self) -> tuple[str, int | None]:
        compression = "gzip"
        allowed = ", ".join(f'"{c}"' for c in COMPRESSIONS)
        if (got := self.get("compression")) is not None:
            compression = string_value(got[0], got[1], allowed)
            if compression not in COMPRESSIONS:
                raise config_error(got[1], got[0], "unknown compression", allowed)
        level = None
        if (got := self.get("compression-level")) is not None:
            bounds = COMPRESSIONS[compression]
            if bounds is None:
                raise config_error(got[1], got[0], f'no level applies to compression = "{compression}"', "leave compression-level unset")
            low, high = bounds
            allowed_level = f"an integer {low}–{high} for {compression}"
            if isinstance(got[0], bool) or not isinstance(got[0], int):
                raise config_error(got[1], got[0], f"must be an integer, not {type_name(got[0])}", allowed_level)
            if not low <= got[0] <= high:
                raise config_error(got[1], got[0], f"out of range for compression = \"{compression}\"", allowed_level)
            level = got[0]
        return compression, level

    def parse_name(self) -> str:
        allowed = 'a lowercase image name such as "example-project" or "registry.example.com/team/example-project"'
        got = self.get("name")
        if got is None:
            name = canonicalize_name(self.project.name)
            if not NAME_RE.match(name):
                raise config_error(f"{TABLE}.name", name, "the project name is not a valid image name; set name", allowed)
            return name
        text = string_value(got[0], got[1], allowed)
        if not NAME_RE.match(text) or len(text) > 255:
            raise config_error(got[1], got[0], "not an image name (no tag or digest; lowercase)", allowed)
        return text

    def parse_tags(self, sample: Mapping[str, str]) -> tuple[str, ...]:
        fields = ", ".join("{" + f + "}" for f in TAG_FIELDS)
        allowed = f"an array of tag templates of letters, digits, _ . - and {fields}"
        got = self.get("tags")
        if got is None:
            return DEFAULT_TAGS
        items = string_list(got[0], got[1], allowed)
        for i, item in enumerate(items):
            key = f"{got[1]}[{i}]"
            try:
                parsed = list(string.Formatter().parse(item))
            except ValueError:
                raise config_error(key, item, "not a tag template (unbalanced braces)", allowed) from None
            for _, field_name, spec, conversion in parsed:
                if field_name is None:
                    continue
                if field_name not in TAG_FIELDS or spec or conversion:
                    raise config_error(key, item, f"unknown placeholder {{{field_name}}}", allowed)
            try:
                render_tag(item, sample)
            except TagError:
                raise config_error(key, item, "not a valid tag (letters, digits, _ . -; not starting with . or -; at most 128)", allowed) from None
        return tuple(dict.fromkeys(items))

    def parse_healthcheck(self) -> Healthcheck | None:
        allowed = (
            'a table such as { test = ["python", "-m", "app.health"], interval = "30s", timeout = "5s", '
            'start-period = "10s", retries = 3 }'
        )
        got = self.get("healthcheck")
        if got is None:
            return None
        value, key = got[0], got[1]
        if not isinstance(value, Mapping):
            raise config_error(key, value, f"must be a table, not {type_name(value)}", allowed)
        for sub in value:
            if sub not in HEALTHCHECK_KEYS:
                raise self.unknown(key, sub, value[sub], HEALTHCHECK_KEYS)
        if "test" not in value:
            raise config_error(key, value, "missing test", allowed)
        test_value = value["test"]
        if isinstance(test_value, str):
            test = ("CMD-SHELL", string_value(test_value, f"{key}.test", allowed))
        else:
            items = string_list(test_value, f"{key}.test", "a command as an array of strings or a shell string")
            if not items or not items[0].strip():
                raise config_error(f"{key}.test", test_value, "must not be empty", "a command as an array of strings or a shell string")
            test = ("CMD", *items)
        durations = {}
        for sub in ("interval", "timeout", "start-period"):
            if sub in value:
                durations[sub] = parse_duration(value[sub], f"{key}.{sub}")
        retries = None
        if "retries" in value:
            r = value["retries"]
            if isinstance(r, bool) or not isinstance(r, int) or not 0 <= r <= 1000:
                raise config_error(f"{key}.retries", r, "must be an integer 0–1000", "an integer such as 3")
            retries = r
        return Healthcheck(
            test=test,
            interval=durations.get("interval"),
            timeout=durations.get("timeout"),
            start_period=durations.get("start-period"),
            retries=retries,
        )

    # -- release outputs ---------------------------------------------------------------------------

    def parse_outputs(self, name: str, sample: Mapping[str, str]) -> OutputSettings:
        """``push``/``load``/``oci-layout``/``latest`` and their environment overrides."""
        fields = ", ".join("{" + f + "}" for f in TAG_FIELDS)
        allowed = f'an array of image references such as ["127.0.0.1:5000/team/{{name}}:{{version}}"] (placeholders {fields})'
        origins: dict[str, str] = {}
        push: tuple[str, ...] = ()
        push_to = self.environ.get(PUSH_TO_ENV, "")
        if push_to.strip() or "," in push_to:  # blank is unset (CI templates); " , " is a mistake, not "no push"
            key = f"{PUSH_TO_ENV} (environment; overrides {self.key_of('push')})"
            items = [item.strip() for item in push_to.split(",")]
            if not all(items):
                raise config_error(key, push_to, "an empty reference (a stray comma)", "comma-separated image references")
            push = tuple(self.push_reference(item, key, sample, allowed) for item in items)
            origins["push"] = f"env:{PUSH_TO_ENV}"
        elif (got := self.get("push")) is not None:
            items = list(string_list(got[0], got[1], allowed))
            push = tuple(self.push_reference(item, f"{got[1]}[{i}]", sample, allowed) for i, item in enumerate(items))
        flags: dict[str, bool | None] = {}
        env_values: dict[str, str] = {}
        for key, variable in OUTPUT_FLAGS:
            value: bool | None = None
            if key != "push" and (got := self.get(key)) is not None:
                if not isinstance(got[0], bool):
                    raise config_error(got[1], got[0], f"must be a boolean, not {type_name(got[0])}", "true or false")
                value = got[0]
            raw = self.environ.get(variable, "")
            if raw.strip():
                word = raw.strip().lower()
                if word not in TRUE_WORDS | FALSE_WORDS:
                    raise config_error(f"{variable} (environment)", raw, "not a boolean", "1, 0, true, false, yes, no, on, off")
                value = word in TRUE_WORDS
                env_values[key] = raw
                origins["push-enabled" if key == "push" else key] = f"env:{variable}"
            flags[key] = value
        push_enabled = bool(push) if flags["push"] is None else bool(flags["push"])
        if push_enabled and not push:
            first, slash, _ = name.partition("/")
            if slash and ("." in first or ":" in first or first == "localhost"):
                push = ("{name}",)  # the image name carries its registry: push every tag there
            else:
                raise config_error(
                    f"{PUSH_ENV} (environment)",
                    env_values.get("push", "1"),
                    f"no push reference is configured and {self.key_of('name')} = {format_value(name)} names no registry",
                    f"set {self.key_of('push')} or {PUSH_TO_ENV}, or a name with a registry such as \"registry.example.com/team/app\"",
                )
        archive = flags["archive"] is not False
        if not archive and (not push_enabled or flags["load"] or flags["oci-layout"]):
            needs = "load" if flags["load"] else "oci-layout" if flags["oci-layout"] else None

            def named(flag: str) -> str:
                variable = origins.get(flag, "").removeprefix("env:")
                return variable if variable else self.key_of(flag)

            key = named("archive") + (" (environment)" if "archive" in env_values else "")
            raise config_error(
                key,
                env_values.get("archive", False),
                f"{named(needs)} needs the archive" if needs else "no push is configured, so the build would leave no image",
                "true, or false together with push (and without load and oci-layout)",
            )
        return OutputSettings(
            archive=archive,
            push=push,
            push_enabled=push_enabled,
            load=bool(flags["load"]),
            oci_layout=bool(flags["oci-layout"]),
            latest=bool(flags["latest"]),
            origins=MappingProxyType(origins),
        )

    @staticmethod
    def push_reference(template: str, key: str, sample: Mapping[str, str], allowed: str) -> str:
        """A push reference template, checked by rendering it with sample values."""
        text = string_value(template, key, allowed)
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError:
            raise config_error(key, template, "not a reference template (unbalanced braces)", allowed) from None
        for _, field_name, spec, conversion in parsed:
            if field_name is not None and (field_name not in TAG_FIELDS or spec or conversion):
                raise config_error(key, template, f"unknown placeholder {{{field_name}}}", allowed)
        rendered = render_reference(text, sample)
        if "@" in rendered:
            raise config_error(key, template, "a push reference has no digest (the image's digest is known only after the build)", allowed)
        problem = reference_problem(rendered)
        if problem:
            raise config_error(key, template, f"not an image reference once rendered ({rendered!r}: {problem})", allowed)
        return text
