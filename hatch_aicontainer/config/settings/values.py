"""Small typed parsing/validation helpers: the public validation kit of the settings modules.

Every problem is a one-line :class:`~hatch_aicontainer.core.errors.ConfigError` made by
:func:`~hatch_aicontainer.config.compat.config_error` (re-exported here): ``<key> = <value>: <what is wrong>; allowed: <what is allowed>``.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Any

from hatch_aicontainer.config.messages import config_error, format_key, format_value  # noqa: F401  (config_error: part of the kit)
from hatch_aicontainer.config.settings.syntax import DURATION_NS, DURATION_PART_RE, DURATION_RE, PORT_RE
from hatch_aicontainer.registry.reference import BaseImageSpec


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def suggest(key: str, candidates: Sequence[str]) -> str | None:
    for probe in (key, key.replace("_", "-").lower()):
        if probe in candidates and probe != key:
            return probe
    probe = key.replace("_", "-").lower()
    close = difflib.get_close_matches(probe, candidates, n=1, cutoff=0.6)
    if close:
        return close[0]
    prefixed = [c for c in candidates if len(probe) >= 3 and c.startswith(probe)]
    return prefixed[0] if len(prefixed) == 1 else None


def string_value(value: Any, key: str, allowed: str, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise config_error(key, value, f"must be a string, not {type_name(value)}", allowed)
    if not empty and not value.strip():
        raise config_error(key, value, "must not be empty", allowed)
    if "\x00" in value:
        raise config_error(key, value, "must not contain NUL characters", allowed)
    return value


def string_list(value: Any, key: str, allowed: str, *, empty_items: bool = False) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise config_error(key, value, f"must be an array of strings, not {type_name(value)}", allowed)
    return tuple(string_value(item, f"{key}[{i}]", allowed, empty=empty_items) for i, item in enumerate(value))


def string_table(value: Any, key: str, allowed: str, name_re: re.Pattern[str] | None, what: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise config_error(key, value, f"must be a table of strings, not {type_name(value)}", allowed)
    out: dict[str, str] = {}
    for name, item in value.items():
        sub = f"{key}.{format_key(str(name))}"
        if not isinstance(name, str) or not name or (name_re is not None and not name_re.match(name)):
            raise config_error(sub, item, f"{format_value(name)} is not a valid {what} name", allowed)
        if not isinstance(item, str):
            hint = ""
            if isinstance(item, (bool, int, float)):
                hint = f' (write "{str(item).lower() if isinstance(item, bool) else item}")'
            raise config_error(sub, item, f"{what} values must be strings, not {type_name(item)}{hint}", allowed)
        if "\x00" in item:
            raise config_error(sub, item, "must not contain NUL characters", allowed)
        out[name] = item
    return out


def absolute_path(value: Any, key: str, allowed: str) -> str:
    text = string_value(value, key, allowed)
    if not text.startswith("/"):
        raise config_error(key, value, "must be an absolute path in the image", allowed)
    if ".." in text.split("/"):
        raise config_error(key, value, 'must not contain ".." components', allowed)
    normalized = posixpath.normpath(text)
    return "/" + normalized.lstrip("/")


def array_items(value: Any, key: str, allowed: str) -> list[tuple[str, Any]]:
    """An array's items with their display keys (``key[0]``, ``key[1]``, …)."""
    if not isinstance(value, (list, tuple)):
        raise config_error(key, value, f"must be an array, not {type_name(value)}", allowed)
    return [(f"{key}[{i}]", item) for i, item in enumerate(value)]


def parse_ports(value: Any, key: str) -> tuple[str, ...]:
    """An array of ports (``8080``, ``"8080"``, ``"53/udp"``) -> normalized ``"8080/tcp"``, duplicates dropped."""
    allowed = 'port numbers 1–65535 as 8080, "8080", "8080/tcp" or "53/udp"'
    out: list[str] = []
    for sub, item in array_items(value, key, allowed):
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise config_error(sub, item, f"must be an integer or a string, not {type_name(item)}", allowed)
        if isinstance(item, int):
            number, proto = item, "tcp"
        else:
            match = PORT_RE.match(item)
            if not match:
                raise config_error(sub, item, "not a port", allowed)
            number, proto = int(match.group(1)), match.group(2) or "tcp"
        if not 1 <= number <= 65535:
            raise config_error(sub, item, "port out of range", allowed)
        out.append(f"{number}/{proto}")
    return tuple(dict.fromkeys(out))


def base_image_problem(text: str) -> str | None:
    """A syntax check of a base image spec (:class:`BaseImageSpec`): None when fine, else what is
    wrong. The deep check (what it points to) is the builder's."""
    try:
        BaseImageSpec.parse(text)
    except ValueError as exc:
        return str(exc)
    return None


def parse_duration(value: Any, key: str) -> int:
    allowed = 'a duration such as "30s", "1m30s", "500ms"'
    text = string_value(value, key, allowed)
    if not DURATION_RE.match(text):
        raise config_error(key, value, "not a duration", allowed)
    total = 0.0
    for number, unit in DURATION_PART_RE.findall(text):
        total += float(number) * DURATION_NS[unit]
    if total < 1_000_000:
        raise config_error(key, value, "must be at least 1ms", allowed)
    return int(total)


def reference_problem(text: str) -> str | None:
    from hatch_aicontainer.registry.reference import ImageReference

    try:
        ImageReference.parse(text)
    except ValueError as exc:
        return str(exc)
    return None

