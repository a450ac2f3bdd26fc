"""Where each setting comes from: ``[tool.aicontainer]``, the target table
(``[tool.hatch.build.targets.<target>]``, which wins) and the environment.

:class:`Sources` merges the two tables key by key, remembers the display key and origin
of every value, and collects the warnings; the per-option parsers read from it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from hatch_aicontainer.config.messages import format_key
from hatch_aicontainer.config.settings.keys import HATCHLING_TARGET_OPTIONS, KEYS, TABLE, TARGET_KEY_NAMES
from hatch_aicontainer.config.settings.model import ProjectInfo
from hatch_aicontainer.config.settings.syntax import ENV_NAME_RE
from hatch_aicontainer.config.settings.values import config_error, string_table, suggest, type_name
from hatch_aicontainer.core.errors import ConfigError


class Sources:
    """The merged settings table: ``get(key)`` -> ``(value, display key, origin)``."""

    def __init__(
        self,
        table: Mapping[str, Any],
        project: ProjectInfo,
        environ: Mapping[str, str],
        target_overrides: Mapping[str, Any] | None,
        target_name: str,
    ) -> None:
        self.table = table
        self.project = project
        self.environ = environ
        self.overrides = target_overrides or {}
        self.target_name = target_name
        self.target_prefix = f"tool.hatch.build.targets.{format_key(target_name)}"
        self.warnings: list[str] = []
        # key -> (raw value, display key, origin)
        self.raw: dict[str, tuple[Any, str, str]] = {}

    def collect(self) -> None:
        """Read both tables (unknown keys are errors); the target table's values win."""
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
                parse_string_table(ours, base_value, base_key)
                parse_string_table(ours, value, f"{self.target_prefix}.{key}")
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
        """The display key of ``key`` (where it was set, else ``tool.aicontainer.<key>``)."""
        got = self.raw.get(key)
        return got[1] if got else f"{TABLE}.{key}"

    def platform_key(self, index: int) -> str:
        """The display key of the ``index``-th platform (for messages about one target)."""
        got = self.get("platforms")
        return f"{got[1]}[{index}]" if got else f"{TABLE}.platforms"

    def origins(self) -> dict[str, str]:
        """key -> the table it came from (``tool.aicontainer`` or the target table)."""
        return {k: origin for k, (_, _, origin) in self.raw.items()}


def parse_string_table(name: str, value: Any, key: str) -> dict[str, str]:
    """``env`` or ``labels``: a table of strings with valid names."""
    if name == "env":
        allowed = 'a table of strings such as env = { TF_CPP_MIN_LOG_LEVEL = "2" }'
        return string_table(value, key, allowed, ENV_NAME_RE, "environment variable")
    allowed = 'a table of strings such as labels = { "org.example.team" = "ml" }'
    return string_table(value, key, allowed, re.compile(r"^\S+$"), "label")
