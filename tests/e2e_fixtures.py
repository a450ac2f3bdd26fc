"""Session fixtures for tests that run hatch as a user would (import them into the test module)."""

from __future__ import annotations

import pytest
from e2e_helpers import build_plugin_wheelhouse


@pytest.fixture(scope="session")
def plugin_wheelhouse(tmp_path_factory):
    """This checkout's plugin as a wheel, for hatch's isolated build environment."""
    return build_plugin_wheelhouse(tmp_path_factory.mktemp("plugin"))
