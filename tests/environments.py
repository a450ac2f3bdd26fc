"""The process environment as an entry point reads it, for tests that call the layers below the
entry points (which take the environment as a value and never read ``os.environ``)."""

from __future__ import annotations

import os

from hatch_aicontainer.build.deps.uv import Uv
from hatch_aicontainer.config.environment import BuildEnvironment
from hatch_aicontainer.registry.access import RegistryAccess


def read_environment(**variables: str) -> BuildEnvironment:
    """``os.environ`` as it is now (``monkeypatch.setenv`` included), with ``variables`` on top."""
    return BuildEnvironment.read({**os.environ, **variables})


def without_plugin_settings(**variables: str) -> dict[str, str]:
    """``os.environ`` without the machine's ``AICONTAINER_*`` settings (a test states the ones it
    means), with ``variables`` on top: the network settings (proxy, CA bundle) and HOME still reach
    uv, as they do from an entry point."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("AICONTAINER_")}, **variables}


def registry_access(**variables: str) -> RegistryAccess:
    return read_environment(**variables).registry


def uv_runner(**variables: str) -> Uv:
    return Uv.of(read_environment(**variables))
