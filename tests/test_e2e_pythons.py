"""End to end: images for Pythons other than the build host's, with the image's own bytecode.

As a user on this host (Python 3.11): ``hatch build -t container`` for
TensorFlow 2.16.1 on Debian bullseye's Python 3.9 and TensorFlow 2.20.0 on
Debian trixie's Python 3.13, both bases made offline with debootstrap and
pulled from the loopback registry. Each image is loaded into the real engine
and run on a read-only file system (a tmpfs on /tmp only): it prints the pinned Python and
TensorFlow, and every module ``import tensorflow`` loaded from /opt/venv has
a pyc for the image's own cache tag and magic number, in the image (none can
be written at start-up). A build that used the host's Python would fail to
install the 3.13 lock and would leave the 3.9 image without bytecode (there is
no 3.9 on the host).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import base_images
import pytest
import tomli_w
from e2e_helpers import hatch_build, hatch_env

pytestmark = pytest.mark.e2e

CASES = {
    "py39": ("bullseye", "3.9", "2.16.1"),
    "py313": ("trixie", "3.13", "2.20.0"),
}

# Run in the container: versions, and which modules loaded from /opt/venv lack a
# usable pyc (missing, or written for another interpreter: other magic number).
PROBE = r"""
import importlib.util, json, platform, sys
import tensorflow as tf
checked, bad = 0, []
for name, module in sorted(sys.modules.items()):
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None) or ""
    if not (origin.startswith("/opt/venv/") and origin.endswith(".py")):
        continue
    checked += 1
    try:
        with open(importlib.util.cache_from_source(origin), "rb") as handle:
            ok = handle.read(4) == importlib.util.MAGIC_NUMBER
    except OSError:
        ok = False
    if not ok:
        bad.append(name)
print(json.dumps({"python": platform.python_version(), "tensorflow": tf.__version__,
                  "dont_write_bytecode": sys.flags.dont_write_bytecode, "checked": checked, "bad": bad[:20]}))
"""


def _project(root: Path, python: str, tensorflow: str, base: str) -> Path:
    root.mkdir(parents=True)
    pyproject = {
        "build-system": {"requires": ["hatchling", "hatch-aicontainer"], "build-backend": "hatchling.build"},
        "project": {"name": "pyver-app", "version": "1.0", "requires-python": ">=3.9", "dependencies": []},
        "tool": {
            "hatch": {"build": {"targets": {"wheel": {"packages": ["src/pyver_app"]}}}},
            "aicontainer": {"python": python, "tensorflow": tensorflow, "base-image": base},
        },
    }
    (root / "pyproject.toml").write_text(tomli_w.dumps(pyproject))
    (root / "src" / "pyver_app").mkdir(parents=True)
    (root / "src" / "pyver_app" / "__init__.py").write_text("VALUE = 1\n")
    return root


@pytest.fixture(scope="module")
def plugin_cache(module_tmp) -> Path:
    """One plugin cache for both builds (base interpreters are cached in it, by layer digests)."""
    return module_tmp.mktemp("pythons-cache")


@pytest.fixture(scope="module", params=sorted(CASES))
def built(request, module_tmp, plugin_wheelhouse, registry, plugin_cache):
    if os.geteuid() != 0:
        pytest.skip("debootstrap needs root (run scripts/test as root, as CI does)")
    suite, python, tensorflow = CASES[request.param]
    layout = base_images.ensure_python_base_layout(suite)
    assert layout.tag.startswith(python + "-")
    ref = base_images.push_layout(layout.path, layout.tag, registry.host, f"library/python:{layout.tag}")
    root = module_tmp.mktemp(f"pythons-{request.param}")
    project = _project(root / "project", python, tensorflow, ref)
    run = hatch_build(project, hatch_env(plugin_wheelhouse, root / "hatch", plugin_cache))
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    return request.param, run


def test_built_from_a_foreign_python_with_the_images_own_bytecode(built, docker_engine):
    case, run = built
    _, python, tensorflow = CASES[case]
    output = run.stdout + run.stderr
    assert f"bytecode by the base image's Python {python}." in output
    (archive,) = run.archives
    assert archive.name == f"pyver_app-1.0-py{python.replace('.', '')}-tf{tensorflow}-cpu-amd64.oci.tar"
    locks = sorted(p.name for p in run.project.glob("pylock.*.toml"))
    assert locks == [f"pylock.aicontainer-py{python.replace('.', '')}-amd64-cpu.toml"]

    load = docker_engine.docker("load", "-i", str(archive), timeout=900)
    image = load.stdout.strip().rsplit(" ", 1)[-1]
    done = docker_engine.docker(
        "run", "--rm", "--network", "none", "--read-only", "--tmpfs", "/tmp", "-e", "PYTHONDONTWRITEBYTECODE=1",
        "--entrypoint", "/opt/venv/bin/python", image, "-c", PROBE, timeout=900,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["python"].rsplit(".", 1)[0] == python
    assert report["tensorflow"] == tensorflow
    assert report["dont_write_bytecode"] == 1
    assert report["checked"] > 500, report  # import tensorflow loads ~1,800 modules
    assert report["bad"] == [], report
    docker_engine.docker("rmi", image, check=False)
