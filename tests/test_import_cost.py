"""What hatchling's loading of the plugin costs: ``import hatch_aicontainer.plugin.hooks`` (the entry point)
loads hatchling's interfaces and our core, nothing a build step needs only when it runs.

hatchling imports the entry point for every build of a project that lists the plugin, often where
no bytecode exists (hatch's build environment, ``PYTHONDONTWRITEBYTECODE=1``), so each module it
loads is compiled from source. The time itself is measured in benchmarks/import_cost.py; this test
fails when the registry client, the SBOM library, the Docker SDK or the signing libraries are
imported again at load time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: loaded only by the step that needs them: push/pull, the SBOM, docker load, signing, compression, the manifest
HEAVY = ("requests", "urllib3", "cyclonedx", "docker", "cryptography", "nacl", "isal", "zstandard", "yaml", "packaging")


def _loaded_by(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("module", ["hatch_aicontainer.plugin.hooks", "hatch_aicontainer.plugin.builder",
                                    "hatch_aicontainer.plugin.build_hook"])
def test_loading_the_plugin_imports_no_step(module):
    loaded = _loaded_by(module)
    assert sorted(name for name in HEAVY if name in loaded) == []
    ours = sorted(m for m in loaded if m.split(".")[0] == "hatch_aicontainer")
    assert [m for m in ours if not m.startswith(("hatch_aicontainer.core", "hatch_aicontainer.plugin"))] == ["hatch_aicontainer"]
    assert "hatch_aicontainer.plugin.run" not in ours and "hatch_aicontainer.plugin.configure" not in ours


def test_the_control_a_build_step_does_import_them():
    """The check can fail: the module that runs a build loads the registry client and the SBOM library."""
    loaded = _loaded_by("hatch_aicontainer.plugin.run")
    assert {"requests", "cyclonedx"} <= loaded


def test_a_build_loads_the_signing_libraries_only_to_sign():
    assert not {"cryptography", "nacl"} & _loaded_by("hatch_aicontainer.plugin.run")
    assert "cryptography" in _loaded_by("hatch_aicontainer.plugin.run, hatch_aicontainer.signing.keys")
