"""What the build releases the image as: its name, tag templates and the release
outputs (``push``, ``load``, ``oci-layout``, ``latest``, ``archive``) with their
environment overrides.

Templates are checked by rendering them with sample values through
:mod:`hatch_aicontainer.config.naming`, the same functions the build renders them with.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from packaging.utils import canonicalize_name

from hatch_aicontainer.config.messages import format_value
from hatch_aicontainer.config.naming import TagError, placeholders, render_reference, render_tag
from hatch_aicontainer.config.settings.keys import (
    DEFAULT_TAGS,
    FALSE_WORDS,
    OUTPUT_FLAGS,
    SIGN_KEYS,
    TABLE,
    TAG_FIELDS,
    TRUE_WORDS,
)
from hatch_aicontainer.config.settings.model import OutputSettings, SigningSettings
from hatch_aicontainer.config.settings.sources import Sources
from hatch_aicontainer.config.settings.values import (
    config_error,
    reference_problem,
    string_list,
    string_value,
    type_name,
)
from hatch_aicontainer.config.variables import CACHE_FROM_ENV, PUSH_ENV, PUSH_TO_ENV, SIGNING_KEY_ENV
from hatch_aicontainer.registry.reference import ImageReference, name_problem


def parse_name(sources: Sources) -> str:
    """The image name; default: the normalized project name."""
    allowed = 'a lowercase image name such as "example-project" or "registry.example.com/team/example-project"'
    got = sources.get("name")
    if got is None:
        name = canonicalize_name(sources.project.name)
        if name_problem(name) is not None:
            raise config_error(f"{TABLE}.name", name, "the project name is not a valid image name; set name", allowed)
        return name
    text = string_value(got[0], got[1], allowed)
    if name_problem(text) is not None:
        raise config_error(got[1], got[0], "not an image name (no tag or digest; lowercase)", allowed)
    return text


def _placeholders(template: str, key: str, allowed: str, what: str, sample: Mapping[str, str]) -> None:
    """Every ``{field}`` of ``template`` is one of the placeholders ``sample`` fills in (no format
    spec or conversion): :data:`TAG_FIELDS`, of the frameworks only those the image pins."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise config_error(key, template, f"not a {what} template (unbalanced braces)", allowed) from None
    for _, field_name, spec, conversion in parsed:
        if field_name is not None and (field_name not in sample or spec or conversion):
            why = "pinned by no setting" if field_name in TAG_FIELDS else "unknown"
            raise config_error(key, template, f"{why} placeholder {{{field_name}}}", allowed)


def parse_tags(sources: Sources, sample: Mapping[str, str]) -> tuple[str, ...]:
    """Tag templates, each rendered with ``sample`` by :func:`~hatch_aicontainer.config.naming.render_tag`."""
    fields = placeholders(sample)
    allowed = f"an array of tag templates of letters, digits, _ . - and {fields}"
    got = sources.get("tags")
    if got is None:
        return DEFAULT_TAGS
    items = string_list(got[0], got[1], allowed)
    for i, item in enumerate(items):
        key = f"{got[1]}[{i}]"
        _placeholders(item, key, allowed, "tag", sample)
        try:
            render_tag(item, sample)
        except TagError:
            raise config_error(key, item, "not a valid tag (letters, digits, _ . -; not starting with . or -; at most 128)", allowed) from None
    return tuple(dict.fromkeys(items))


def parse_outputs(sources: Sources, name: str, sample: Mapping[str, str]) -> OutputSettings:
    """``push``/``load``/``oci-layout``/``latest``/``archive`` and their environment overrides."""
    push, origins = _parse_push(sources, sample)
    flags, env_values = _output_flags(sources, origins)
    push_enabled = bool(push) if flags["push"] is None else bool(flags["push"])
    if push_enabled and not push:
        first, slash, _ = name.partition("/")
        if slash and ("." in first or ":" in first or first == "localhost"):
            push = ("{name}",)  # the image name carries its registry: push every tag there
        else:
            raise config_error(
                f"{PUSH_ENV} (environment)",
                env_values.get("push", "1"),
                f"no push reference is configured and {sources.key_of('name')} = {format_value(name)} names no registry",
                f"set {sources.key_of('push')} or {PUSH_TO_ENV}, or a name with a registry such as \"registry.example.com/team/app\"",
            )
    archive = flags["archive"] is not False
    if not archive and (not push_enabled or flags["load"] or flags["oci-layout"]):
        needs = "load" if flags["load"] else "oci-layout" if flags["oci-layout"] else None

        def named(flag: str) -> str:
            variable = origins.get(flag, "").removeprefix("env:")
            return variable if variable else sources.key_of(flag)

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
        cache_from=_parse_cache_from(sources),
        cache_to=flags["cache-to"] is not False,
        origins=MappingProxyType(origins),
    )


def _parse_cache_from(sources: Sources) -> tuple[str, ...] | None:
    """``cache-from`` (``AICONTAINER_CACHE_FROM`` replaces it): registry repositories, no tag; None: unset."""
    allowed = 'an array of registry repositories such as ["registry.example.com/team/app"] (no tag: the cache entries have their own)'
    raw = sources.environ.get(CACHE_FROM_ENV, "")
    if raw.strip():
        key = f"{CACHE_FROM_ENV} (environment)"
        items = [item.strip() for item in raw.split(",")]
        if not all(items):
            raise config_error(key, raw, "an empty repository (a stray comma)", "comma-separated host/repository")
        return tuple(dict.fromkeys(_cache_repository(item, key, allowed) for item in items))
    got = sources.get("cache-from")
    if got is None:
        return None
    items = list(string_list(got[0], got[1], allowed))
    return tuple(dict.fromkeys(_cache_repository(item, f"{got[1]}[{i}]", allowed) for i, item in enumerate(items)))


def _cache_repository(text: str, key: str, allowed: str) -> str:
    try:
        reference = ImageReference.parse(text, default_tag=None)
    except ValueError as exc:
        raise config_error(key, text, f"not a registry repository ({exc})", allowed) from None
    if reference.tag or reference.digest:
        raise config_error(key, text, "names a tag or digest; cache-from names repositories", allowed)
    return f"{reference.registry}/{reference.repository}"


def _parse_push(sources: Sources, sample: Mapping[str, str]) -> tuple[tuple[str, ...], dict[str, str]]:
    """The push reference templates (``AICONTAINER_PUSH_TO`` replaces ``push``) and their origin."""
    fields = placeholders(sample)
    allowed = f'an array of image references such as ["127.0.0.1:5000/team/{{name}}:{{version}}"] (placeholders {fields})'
    origins: dict[str, str] = {}
    push: tuple[str, ...] = ()
    push_to = sources.environ.get(PUSH_TO_ENV, "")
    if push_to.strip() or "," in push_to:  # blank is unset (CI templates); " , " is a mistake, not "no push"
        key = f"{PUSH_TO_ENV} (environment; overrides {sources.key_of('push')})"
        items = [item.strip() for item in push_to.split(",")]
        if not all(items):
            raise config_error(key, push_to, "an empty reference (a stray comma)", "comma-separated image references")
        push = tuple(push_reference(item, key, sample, allowed) for item in items)
        origins["push"] = f"env:{PUSH_TO_ENV}"
    elif (got := sources.get("push")) is not None:
        items = list(string_list(got[0], got[1], allowed))
        push = tuple(push_reference(item, f"{got[1]}[{i}]", sample, allowed) for i, item in enumerate(items))
    return push, origins


def _output_flags(sources: Sources, origins: dict[str, str]) -> tuple[dict[str, bool | None], dict[str, str]]:
    """Each output flag (None: unset) and the raw environment values that set some; the
    environment's origins go into ``origins``."""
    flags: dict[str, bool | None] = {}
    env_values: dict[str, str] = {}
    for key, variable in OUTPUT_FLAGS:
        value: bool | None = None
        if key != "push" and (got := sources.get(key)) is not None:
            if not isinstance(got[0], bool):
                raise config_error(got[1], got[0], f"must be a boolean, not {type_name(got[0])}", "true or false")
            value = got[0]
        raw = sources.environ.get(variable, "")
        if raw.strip():
            word = raw.strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise config_error(f"{variable} (environment)", raw, "not a boolean", "1, 0, true, false, yes, no, on, off")
            value = word in TRUE_WORDS
            env_values[key] = raw
            origins["push-enabled" if key == "push" else key] = f"env:{variable}"
        flags[key] = value
    return flags, env_values


def push_reference(template: Any, key: str, sample: Mapping[str, str], allowed: str) -> str:
    """A push reference template, checked by rendering it with sample values."""
    text = string_value(template, key, allowed)
    _placeholders(text, key, allowed, "reference", sample)
    rendered = render_reference(text, sample)
    if "@" in rendered:
        raise config_error(key, template, "a push reference has no digest (the image's digest is known only after the build)", allowed)
    problem = reference_problem(rendered)
    if problem:
        raise config_error(key, template, f"not an image reference once rendered ({rendered!r}: {problem})", allowed)
    return text


def parse_signing(sources: Sources) -> SigningSettings | None:
    """``[tool.aicontainer.sign] key`` (a path, relative to the project) or ``AICONTAINER_SIGNING_KEY``.

    Only where the key is: whether it opens (type, passphrase) is checked before the build
    starts (``plugin.preflight``), by the function that loads it for signing.
    """
    allowed = 'a table such as sign = { key = "cosign.key" } (the passphrase comes from AICONTAINER_SIGNING_PASSWORD)'
    from_env = sources.environ.get(SIGNING_KEY_ENV, "")
    if from_env.strip().lower() in FALSE_WORDS:  # off: no signing, whatever sign.key says
        return None
    if from_env.strip():
        path, setting = from_env.strip(), SIGNING_KEY_ENV
    elif (got := sources.get("sign")) is not None:
        value, key = got[0], got[1]
        if not isinstance(value, Mapping):
            raise config_error(key, value, f"must be a table, not {type_name(value)}", allowed)
        for name in value:
            if name not in SIGN_KEYS:
                raise sources.unknown(key, name, value[name], SIGN_KEYS)
        if "key" not in value:
            raise config_error(key, value, "names no key", allowed)
        setting = f"{key}.key"
        path = string_value(value["key"], setting, allowed)
    else:
        return None
    return SigningSettings(key=Path(sources.project.root, path).absolute(), setting=setting)
