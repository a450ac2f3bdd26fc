"""The options that shape the image: platforms, base image, entrypoint and command,
environment, labels, working directory, user, ports, included files, extra
dependencies and their indexes, layer compression and the healthcheck.

One function per option, ``parse_x(sources, …)``; each returns the option's value
(its default when unset) or raises the option's one-line ConfigError.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hatch_aicontainer.config.frameworks import FRAMEWORK_NAMES, FRAMEWORKS, SUPPORTED_PLATFORMS, platform_key
from hatch_aicontainer.config.messages import without_credentials
from hatch_aicontainer.config.settings.keys import (
    COMPRESSIONS,
    DEFAULT_BASE_IMAGE,
    DEFAULT_PLATFORMS,
    DEFAULT_USER,
    DEFAULT_WORKDIR,
    HEALTHCHECK_KEYS,
    INCLUDE_KEYS,
    NVIDIA_ENV,
    TABLE,
)
from hatch_aicontainer.config.settings.model import Healthcheck, IncludeSpec, User
from hatch_aicontainer.config.settings.sources import Sources, parse_string_table
from hatch_aicontainer.config.settings.values import (
    absolute_path,
    array_items,
    config_error,
    parse_duration,
    string_list,
    string_value,
    type_name,
)
from hatch_aicontainer.config.settings.values import parse_ports as parse_port_list
from hatch_aicontainer.config.variables import BASE_IMAGE_ENV, TORCH_INDEX_URL_ENV
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.oci.layer import GZIP_LEVELS
from hatch_aicontainer.registry.reference import BaseImageSpec


def parse_platforms(sources: Sources) -> tuple[Platform, ...]:
    got = sources.get("platforms")
    if got is None:
        return tuple(Platform.parse(p) for p in DEFAULT_PLATFORMS)
    allowed = ", ".join(f'"{p}"' for p in SUPPORTED_PLATFORMS)
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
        name = platform_key(platform)
        if name in seen:
            raise config_error(key, item, "listed twice", allowed)
        seen.add(name)
        out.append(platform)
    return tuple(out)


def parse_base_image(sources: Sources, python: str) -> tuple[BaseImageSpec, bool]:
    """The base image and whether the environment (``AICONTAINER_BASE_IMAGE``) set it."""
    allowed = (
        '[registry[:port]/]repository[:tag][@digest] such as "python:3.11-slim-bookworm", '
        'or "oci:<dir>[:<ref>]", "oci-archive:<file>[:<ref>]", "docker-archive:<file>[:<ref>]"'
    )
    env_value = sources.environ.get(BASE_IMAGE_ENV)
    if env_value:
        try:
            return BaseImageSpec.parse(env_value), True
        except ValueError as exc:
            key = f"{BASE_IMAGE_ENV} (environment; overrides {sources.key_of('base-image')})"
            raise config_error(key, env_value, str(exc), allowed) from None
    got = sources.get("base-image")
    if got is None:
        return BaseImageSpec.parse(DEFAULT_BASE_IMAGE.format(python=python)), False
    text = string_value(got[0], got[1], allowed)
    try:
        return BaseImageSpec.parse(text), False
    except ValueError as exc:
        raise config_error(got[1], got[0], str(exc), allowed) from None


def parse_entrypoint(sources: Sources) -> tuple[str, ...] | None:
    """None when unset: the build chooses from the wheel (``entrypoint.choose_entrypoint``)."""
    allowed = 'a non-empty array of non-empty strings such as entrypoint = ["example-project"]'
    got = sources.get("entrypoint")
    if got is None:
        return None
    items = string_list(got[0], got[1], allowed)
    if not items:
        raise config_error(got[1], got[0], "must not be empty", allowed)
    return items


def parse_cmd(sources: Sources) -> tuple[str, ...]:
    if (got := sources.get("cmd")) is None:
        return ()
    return string_list(got[0], got[1], 'an array of strings such as cmd = ["--port", "8080"]', empty_items=True)


def parse_env(sources: Sources, accelerator: str) -> dict[str, str]:
    """``env``, plus the NVIDIA runtime's variables for ``accelerator = "cuda"`` unless set."""
    env: dict[str, str] = {}
    if (got := sources.get("env")) is not None:
        env = parse_string_table("env", got[0], got[1])
    if accelerator == "cuda":
        for name, value in NVIDIA_ENV.items():
            env.setdefault(name, value)
    return env


def parse_labels(sources: Sources) -> dict[str, str]:
    if (got := sources.get("labels")) is None:
        return {}
    return parse_string_table("labels", got[0], got[1])


def parse_workdir(sources: Sources) -> str:
    if (got := sources.get("workdir")) is None:
        return DEFAULT_WORKDIR
    return absolute_path(got[0], got[1], 'an absolute path such as "/app"')


def parse_user(sources: Sources) -> User:
    allowed = 'a user name or uid, optionally with :group or :gid, e.g. "10001:10001" or "app"'
    got = sources.get("user")
    if got is None:
        return User.parse(DEFAULT_USER)
    text = string_value(got[0], got[1], allowed)
    try:
        return User.parse(text)
    except ValueError as exc:
        raise config_error(got[1], got[0], str(exc), allowed) from None


def parse_ports(sources: Sources) -> tuple[str, ...]:
    got = sources.get("ports")
    return () if got is None else parse_port_list(got[0], got[1])


def parse_include(sources: Sources, workdir: str) -> tuple[IncludeSpec, ...]:
    """Paths/globs (or ``{source, destination}`` tables); default destination: under ``workdir``."""
    allowed = 'an array of project-relative paths/globs, or tables { source = "models/m.keras", destination = "/models/m.keras" }'
    got = sources.get("include")
    if got is None:
        return ()
    out: list[IncludeSpec] = []
    for key, item in array_items(got[0], got[1], allowed):
        destination: str | None = None
        if isinstance(item, Mapping):
            for sub in item:
                if sub not in INCLUDE_KEYS:
                    raise sources.unknown(key, sub, item[sub], INCLUDE_KEYS)
            if "source" not in item:
                raise config_error(key, item, "missing source", allowed)
            source = include_source(item["source"], f"{key}.source", allowed)
            if "destination" in item:
                destination = absolute_path(item["destination"], f"{key}.destination", 'an absolute path in the image such as "/app/models"')
        elif isinstance(item, str):
            source = include_source(item, key, allowed)
        else:
            raise config_error(key, item, f"must be a string or a table, not {type_name(item)}", allowed)
        spec = IncludeSpec(source, "/")
        if destination is None:
            base = spec.base
            destination = posixpath.join(workdir, base) if base else workdir
        out.append(IncludeSpec(source, destination))
    return tuple(out)


def include_source(value: Any, key: str, allowed: str) -> str:
    """A project-relative path or glob, normalized; never outside the project or the whole of it."""
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


def parse_dependencies(sources: Sources) -> tuple[str, ...]:
    """Image-only requirements; no framework is one of them (its own setting pins it)."""
    allowed = 'an array of requirements such as ["gunicorn>=22"]'
    got = sources.get("dependencies")
    if got is None:
        return ()
    items = string_list(got[0], got[1], allowed)
    for i, item in enumerate(items):
        key = f"{got[1]}[{i}]"
        try:
            req = Requirement(item)
        except InvalidRequirement:
            raise config_error(key, item, "not a requirement (PEP 508)", allowed) from None
        for fw in FRAMEWORKS:
            if canonicalize_name(req.name) in fw.distributions:
                raise config_error(
                    key, item, f"{fw.title} is pinned by {TABLE}.{fw.name}, not here",
                    f"requirements other than {', '.join(FRAMEWORK_NAMES)}",
                )
    return items


def parse_url(value: Any, key: str) -> str:
    allowed = "an http(s):// or file:// URL"
    text = string_value(value, key, allowed)
    if not re.match(r"^(https?://[^\s/]+|file://)\S*$", text):
        raise config_error(key, without_credentials(str(value)), "not a URL", allowed)
    return text


def parse_framework_indexes(sources: Sources) -> dict[str, str]:
    """``torch-index-url`` (``AICONTAINER_TORCH_INDEX_URL`` replaces it): the index of PyTorch's CPU
    builds, for a mirror of it; messages never show the URL's credentials."""
    env_value = sources.environ.get(TORCH_INDEX_URL_ENV)
    if env_value:
        return {"torch": parse_url(env_value, f"{TORCH_INDEX_URL_ENV} (environment; overrides {sources.key_of('torch-index-url')})")}
    got = sources.get("torch-index-url")
    return {} if got is None else {"torch": parse_url(got[0], got[1])}


def parse_index_url(sources: Sources) -> str | None:
    got = sources.get("index-url")
    return None if got is None else parse_url(got[0], got[1])


def parse_extra_index_urls(sources: Sources) -> tuple[str, ...]:
    if (got := sources.get("extra-index-urls")) is None:
        return ()
    urls = string_list(got[0], got[1], "an array of http(s):// or file:// URLs")
    return tuple(parse_url(u, f"{got[1]}[{i}]") for i, u in enumerate(urls))


def parse_find_links(sources: Sources) -> tuple[str, ...]:
    if (got := sources.get("find-links")) is None:
        return ()
    return string_list(got[0], got[1], "an array of URLs or directories (relative to the project root)")


def parse_compression(sources: Sources) -> tuple[str, int | None]:
    """``compression`` and ``compression-level`` (checked against the compression's range)."""
    compression = "gzip"
    allowed = ", ".join(f'"{c}"' for c in COMPRESSIONS)
    if (got := sources.get("compression")) is not None:
        compression = string_value(got[0], got[1], allowed)
        if compression not in COMPRESSIONS:
            raise config_error(got[1], got[0], "unknown compression", allowed)
    level = None
    if (got := sources.get("compression-level")) is not None:
        bounds = COMPRESSIONS[compression]
        if bounds is None:
            raise config_error(got[1], got[0], f'no level applies to compression = "{compression}"', "leave compression-level unset")
        low, high = bounds
        allowed_level = f"an integer {low}–{high} for {compression}"
        if isinstance(got[0], bool) or not isinstance(got[0], int):
            raise config_error(got[1], got[0], f"must be an integer, not {type_name(got[0])}", allowed_level)
        if compression == "gzip" and got[0] == GZIP_LEVELS[1] + 1:
            problem = "ISA-L's level 3 writes other bytes on other CPUs, so the image digest would depend on the build host"
            raise config_error(got[1], got[0], problem, allowed_level)
        if not low <= got[0] <= high:
            raise config_error(got[1], got[0], f"out of range for compression = \"{compression}\"", allowed_level)
        level = got[0]
    return compression, level


def parse_healthcheck(sources: Sources) -> Healthcheck | None:
    allowed = (
        'a table such as { test = ["python", "-m", "app.health"], interval = "30s", timeout = "5s", '
        'start-period = "10s", retries = 3 }'
    )
    got = sources.get("healthcheck")
    if got is None:
        return None
    value, key = got[0], got[1]
    if not isinstance(value, Mapping):
        raise config_error(key, value, f"must be a table, not {type_name(value)}", allowed)
    for sub in value:
        if sub not in HEALTHCHECK_KEYS:
            raise sources.unknown(key, sub, value[sub], HEALTHCHECK_KEYS)
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
