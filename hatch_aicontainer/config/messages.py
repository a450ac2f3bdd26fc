"""The one-line settings error and how values are shown in it.

``<key> = <value>: <what is wrong>; allowed: <what is allowed>``, the value rendered as TOML
would write it (:func:`format_value`), on one line whatever the value holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from hatch_aicontainer.core.errors import ConfigError, one_line
from hatch_aicontainer.oci.descriptor import Platform

_LINE_BREAKS = str.maketrans({"\x85": "\\x85", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def format_value(value: Any, limit: int = 120) -> str:
    """A one-line, TOML-like rendering of a setting's value for error messages."""
    text = _format(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).translate(_LINE_BREAKS)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Platform):
        return _format(str(value))
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{format_key(str(k))} = {_format(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_format(v) for v in value) + "]"
    if value is None:
        return "(unset)"
    return _format(str(value))


def format_key(key: str) -> str:
    """A TOML key: bare when it can be, quoted otherwise."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    return _format(key)


def config_error(key: str, value: Any, problem: str, allowed: str | None = None) -> ConfigError:
    """The one-line settings error: ``<key> = <value>: <problem>; allowed: <allowed>``."""
    message = f"{key} = {format_value(value)}: {problem}"
    if allowed:
        message += f"; allowed: {allowed}"
    return ConfigError(one_line(message))


_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


def without_credentials(text: str) -> str:
    """``https://user:token@host/…`` -> ``https://***@host/…``: a URL as messages, the lock's record
    and the SBOM may show it."""
    return _USERINFO.sub("***@", text)


def short_key(key: str) -> str:
    """``tool.aicontainer.python`` -> ``python``, for a second mention of a setting in a message."""
    return key.rsplit(".", 1)[-1].split("[", 1)[0]


__all__ = ["config_error", "format_key", "format_value", "short_key", "without_credentials"]
