"""Session fixtures for tests on REAL services (see tests/services.py, tests/base_images.py).

Every fixture here is session-scoped and lazy: a service starts only when a
test asks for it, once per run, and is stopped (its directory removed) at the
end of the run.

* ``docker_engine`` -> services.DockerEngine: a private dockerd (overlay2 where
  the kernel allows, else vfs: ``.driver`` says which; no bridge, no iptables)
  with ``.host`` ("unix:///tmp/aicontainer-test-…/docker.sock"),
  ``.env`` (os.environ copy with DOCKER_HOST and a private DOCKER_CONFIG),
  ``.docker(*args)`` to run the CLI against it, ``.data_root``.
  Containers need ``--network none`` (the engine has no bridge).
* ``registry`` -> services.Registry: open registry, ``.host`` ("127.0.0.1:PORT"),
  ``.url``, ``.username``/``.password``/``.auth``/``.creds`` all None.
* ``auth_registry`` -> services.Registry with htpasswd (bcrypt) auth:
  ``.username``, ``.password``, ``.auth`` (tuple), ``.creds`` ("user:pass").
* ``python_base_layout`` -> base_images.BaseLayout(path, tag): a private copy of
  the offline Python 3.11 base as an OCI layout whose tag points at an OCI
  image index (one linux/amd64 manifest); ``.spec`` is "oci:PATH:TAG".
* ``base_image_ref`` -> "127.0.0.1:PORT/library/python:3.11-slim-bookworm",
  that base pushed (as an index) into ``registry``.

One module-scoped fixture, for the cache tests (test_cache_verify, test_cache_concurrency):

* ``probe`` -> (project directory, base spec): cache_build_driver's tiny
  project on ``python_base_layout``, made once per test module.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import base_images  # noqa: E402
import cache_build_driver  # noqa: E402
import services  # noqa: E402

BASE_REPOSITORY = "library/python"

#: The files that take minutes, longest first. scripts/test runs the suite on two
#: workers a file at a time (pytest-xdist, ``--dist loadfile``), and a worker takes
#: the next file when it is free: starting with the longest keeps one worker from
#: starting a ten-minute file while the other has nothing left to do.
LONGEST_FILES = (
    "test_gpu_images.py",
    "test_e2e_pythons.py",
    "test_e2e_crosshost.py",
    "test_e2e_example.py",
    "test_engine.py",
    "test_hostile_bases.py",
    "test_hostile_archives.py",
    "test_faults.py",
    "test_cli_mistakes.py",
    "test_cache_concurrency.py",
    "test_e2e_multiplatform.py",
    "test_build_hook.py",
    "test_include_cache.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (a stable sort: each file keeps its own order)."""
    rank = {name: index for index, name in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def _require_root(what: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"{what} needs root (run scripts/test as root, as CI does)")


@pytest.fixture(scope="session")
def docker_engine():
    _require_root("a private Docker engine")
    engine = services.start_docker_engine()
    try:
        yield engine
    finally:
        engine.stop()


@pytest.fixture(scope="session")
def registry():
    reg = services.start_registry()
    try:
        yield reg
    finally:
        reg.stop()


@pytest.fixture(scope="session")
def auth_registry():
    reg = services.start_registry(auth=True)
    try:
        yield reg
    finally:
        reg.stop()


@pytest.fixture(scope="session")
def python_base_layout(tmp_path_factory) -> base_images.BaseLayout:
    _require_root("debootstrap")
    return base_images.make_python_base_layout(tmp_path_factory.mktemp("base") / "python-base")


@pytest.fixture(scope="session")
def base_image_ref(python_base_layout, registry) -> str:
    return base_images.push_layout(
        python_base_layout.path, python_base_layout.tag, registry.host,
        f"{BASE_REPOSITORY}:{python_base_layout.tag}",
    )


@pytest.fixture(scope="module")
def probe(tmp_path_factory, python_base_layout) -> tuple[Path, str]:
    """(project directory, base spec) of cache_build_driver's tiny project, made once per test module using it."""
    project = tmp_path_factory.mktemp("cache-probe") / "project"
    cache_build_driver.make_project(project, python_base_layout.spec)
    return project, python_base_layout.spec
