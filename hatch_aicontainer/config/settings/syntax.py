"""Regular expressions for the syntax of users, ports, durations and environment names.

Image names, references and tags have one grammar, registry.reference's (``ImageReference``,
``name_problem``, ``TAG_RE``), for the settings and the build alike."""

from __future__ import annotations

import re

ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_USER_PART = r"(?:[0-9]+|[A-Za-z_][A-Za-z0-9_.-]{0,31})"
USER_RE = re.compile(rf"^({_USER_PART})(?::({_USER_PART}))?$")
PORT_RE = re.compile(r"^([0-9]{1,5})(?:/(tcp|udp))?$")
DURATION_RE = re.compile(r"^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+$")
DURATION_PART_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)")
DURATION_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
GLOB_CHARS = frozenset("*?[")
MAX_ID = 2**32 - 2
