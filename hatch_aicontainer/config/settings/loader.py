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

from hatch_aicontainer.config import compat
from hatch_aicontainer.config.environment import BuildEnvironment
from hatch_aicontainer.config.naming import template_values
from hatch_aicontainer.config.settings.image import (
    parse_base_image,
    parse_cmd,
    parse_compression,
    parse_dependencies,
    parse_entrypoint,
    parse_env,
    parse_extra_index_urls,
    parse_find_links,
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
from hatch_aicontainer.config.settings.release import parse_name, parse_outputs, parse_tags
from hatch_aicontainer.config.settings.sources import Sources
from hatch_aicontainer.config.settings.tensorflow import (
    check_targets,
    parse_accelerator,
    parse_tensorflow_setting,
    requires_python,
    resolve_python,
    tensorflow_pin,
)
from hatch_aicontainer.config.variables import BASE_IMAGE_ENV


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
    sources = Sources(table, project, environ, target_overrides, target_name)
    sources.collect()
    origins = sources.origins()
    allow_ranges = allow_ranges or resolved_tensorflow is not None

    # tensorflow (required), accelerator, platforms, python, and that they work together
    spec, exact, tf_key = parse_tensorflow_setting(sources, allow_ranges=allow_ranges)
    requires = requires_python(project)
    pin = tensorflow_pin(spec, exact, tf_key, resolved_tensorflow)
    accelerator = parse_accelerator(sources)
    platforms = parse_platforms(sources)
    python = resolve_python(sources, pin, requires, origins)
    targets = check_targets(sources, pin, python, accelerator, platforms)

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
    tested = pin.exact or str(compat.newest_release().tested)
    sample = template_values(name, project.version, python, tested, accelerator, platforms)
    tags = parse_tags(sources, sample)
    healthcheck = parse_healthcheck(sources)
    kubernetes = None
    if (got := sources.get("kubernetes")) is not None:
        kubernetes, notes = parse_kubernetes(got[0], got[1], image_ports=ports, accelerator=accelerator)
        sources.warnings += notes
    outputs = parse_outputs(sources, name, sample)
    origins.update((k, v) for k, v in outputs.origins.items() if k in KEYS)

    for key in ("python", "base-image"):
        origins.setdefault(key, "default")
    if from_env:
        origins["base-image"] = f"env:{BASE_IMAGE_ENV}"
    for key in KEYS:
        origins.setdefault(key, "default")

    environment = BuildEnvironment.read(environ)  # after the table: its mistakes are reported first
    return Settings(
        python=python,
        tensorflow=pin.exact,
        tensorflow_spec=str(pin.spec),
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
        targets=targets,
        warnings=tuple(dict.fromkeys((*sources.warnings, *environment.warnings))),
        origins=MappingProxyType(origins),
        target_name=target_name,
        project=project,
        environment=environment,
    )
