""":func:`load_settings`: ``[tool.aicontainer]``, the target table
(``[tool.hatch.build.targets.<target>]``) and the environment into :class:`Settings`.

The options are parsed by one function each, grouped by concern: where values come
from (:mod:`.sources`), TensorFlow and Python (:mod:`.tensorflow`), the image
(:mod:`.image`), the release (:mod:`.release`) and the Kubernetes manifest
(:mod:`.kubernetes`). The order of the calls below is the order problems are
reported in.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hatch_aicontainer.config.environment import BuildEnvironment
from hatch_aicontainer.config.naming import template_values
from hatch_aicontainer.config.settings.frameworks import (
    check_targets,
    parse_accelerator,
    parse_framework_pins,
    requires_python,
    resolve_python,
    sample_versions,
)
from hatch_aicontainer.config.settings.image import (
    parse_base_image,
    parse_cmd,
    parse_compression,
    parse_dependencies,
    parse_entrypoint,
    parse_env,
    parse_extra_index_urls,
    parse_find_links,
    parse_framework_indexes,
    parse_healthcheck,
    parse_include,
    parse_index_url,
    parse_labels,
    parse_platforms,
    parse_ports,
    parse_user,
    parse_workdir,
)
from hatch_aicontainer.config.settings.keys import KEYS
from hatch_aicontainer.config.settings.kubernetes import parse_kubernetes
from hatch_aicontainer.config.settings.model import ProjectInfo, Settings
from hatch_aicontainer.config.settings.release import parse_name, parse_outputs, parse_signing, parse_tags
from hatch_aicontainer.config.settings.sources import Sources
from hatch_aicontainer.config.variables import BASE_IMAGE_ENV


def load_settings(
    table: Mapping[str, Any],
    project: ProjectInfo,
    environ: Mapping[str, str],
    *,
    target_overrides: Mapping[str, Any] | None = None,
    target_name: str = "container",
    resolved: Mapping[str, str] | None = None,
    allow_ranges: bool = False,
) -> Settings:
    """Validate ``[tool.aicontainer]`` (+ the target table and environment) into :class:`Settings`.

    ``resolved``: framework -> the exact version the lock step chose for its range
    (ignored for a framework already pinned exactly, except that it must then be equal).
    ``allow_ranges``: whether the caller can resolve a range at lock time; when False
    (the default) a range is a ConfigError asking for an exact version, so no caller meets
    an unresolved pin it does not expect. Raises ConfigError (one line).
    """
    sources = Sources(table, project, environ, target_overrides, target_name)
    sources.collect()
    origins = sources.origins()
    resolved = dict(resolved or {})
    allow_ranges = allow_ranges or bool(resolved)

    # the frameworks (at least one), accelerator, platforms, python, and that they work together
    pins = parse_framework_pins(sources, allow_ranges=allow_ranges, resolved=resolved)
    requires = requires_python(project)
    accelerator = parse_accelerator(sources)
    platforms = parse_platforms(sources)
    python = resolve_python(sources, pins, requires, origins)
    framework_indexes = parse_framework_indexes(sources)
    targets = check_targets(sources, pins, python, accelerator, platforms, framework_indexes)

    # the image
    base_image, from_env = parse_base_image(sources, python)
    entrypoint = parse_entrypoint(sources)
    cmd = parse_cmd(sources)
    env = parse_env(sources, accelerator)
    labels = parse_labels(sources)
    workdir = parse_workdir(sources)
    user = parse_user(sources)
    ports = parse_ports(sources)
    include = parse_include(sources, workdir)
    dependencies = parse_dependencies(sources)
    index_url = parse_index_url(sources)
    extra_index_urls = parse_extra_index_urls(sources)
    find_links = parse_find_links(sources)
    compression, compression_level = parse_compression(sources)

    # the release
    name = parse_name(sources)
    sample = template_values(name, project.version, python, sample_versions(pins), accelerator, platforms)
    tags = parse_tags(sources, sample)
    healthcheck = parse_healthcheck(sources)
    kubernetes = None
    if (got := sources.get("kubernetes")) is not None:
        kubernetes, notes = parse_kubernetes(got[0], got[1], image_ports=ports, accelerator=accelerator)
        sources.warnings += notes
    outputs = parse_outputs(sources, name, sample)
    origins.update((k, v) for k, v in outputs.origins.items() if k in KEYS)
    signing = parse_signing(sources)

    for key in ("python", "base-image"):
        origins.setdefault(key, "default")
    if from_env:
        origins["base-image"] = f"env:{BASE_IMAGE_ENV}"
    for key in KEYS:
        origins.setdefault(key, "default")

    environment = BuildEnvironment.read(environ)  # after the table: its mistakes are reported first
    return Settings(
        python=python,
        pins=tuple(p.as_pin() for p in pins),
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
        framework_indexes=MappingProxyType(framework_indexes),
        compression=compression,
        compression_level=compression_level,
        name=name,
        tags=tags,
        healthcheck=healthcheck,
        kubernetes=kubernetes,
        outputs=outputs,
        signing=signing,
        targets=targets,
        warnings=tuple(dict.fromkeys((*sources.warnings, *environment.warnings))),
        origins=MappingProxyType(origins),
        target_name=target_name,
        project=project,
        environment=environment,
    )
