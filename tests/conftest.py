"""Fixtures shared by the test modules, and the markers that say what a test needs.

Markers (``[tool.pytest.ini_options]`` in pyproject.toml):

* ``e2e``: needs what a developer's machine may lack: root, a Docker engine, a
  registry, debootstrap, runc, skopeo or umoci (and often the network too);
* ``network``: needs nothing of that, but reaches PyPI or another host on the
  internet (uv resolutions, downloads).

``scripts/test --fast`` runs the rest (``-m "not e2e and not network"``): no
root, no Docker, no network. A test is marked ``e2e`` here, at collection, when
it uses a fixture of ``SERVICE_FIXTURES`` (directly or through another fixture),
so a new test cannot forget it; ``network`` is written on the test. While an
unmarked test runs, starting one of ``SERVICE_PROGRAMS`` or connecting to a host
other than this one fails it, naming the marker it lacks (seen in this process
only: what a subprocess does is not watched).

Fixtures on real services (see tests/services.py, tests/base_images.py). Every
session fixture is lazy: a service starts only when a test asks for it, once per
run, and is stopped (its directory removed) at the end of the run.

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
* ``plugin_wheelhouse`` -> a folder holding this checkout's plugin as a wheel,
  for hatch's isolated build environment (e2e_helpers.hatch_env).
* ``oci_tools``: skopeo and umoci, the independent tools that write and read the
  images the tests compare with ours (scripts/test installs them as root); a
  fixture making images with them asks for it (so its tests are ``e2e``).
* ``tiny_build`` -> trust_fixtures.TinyBuild: trust_fixtures' tiny project built
  once per session with the library pipeline on ``python_base_layout``.

Per test:

* ``no_ambient_settings``: no ``AICONTAINER_*`` variable of the machine running the
  tests, and an empty ``DOCKER_CONFIG`` (no registry credentials of its own).

Module-scoped:

* ``open_registry`` -> registry_helpers.LocalRegistry: a registry of the test
  module's own (its access log on), so what one module pushes is not in
  another's; ``proxy`` -> release_helpers.RegistryProxy: a recording,
  fault-injecting proxy in front of it, one per test.
* ``probe`` -> (project directory, base spec): cache_build_driver's tiny
  project on ``python_base_layout``, for the cache tests.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import base_images
import cache_build_driver
import pytest
import registry_helpers
import services
from e2e_helpers import build_plugin_wheelhouse
from release_helpers import RegistryProxy
from trust_fixtures import TinyBuild, make_tiny_build

BASE_REPOSITORY = "library/python"

#: The fixtures that start a real service or need root: a test using one (directly or through
#: another fixture) is marked ``e2e``.
SERVICE_FIXTURES = frozenset({
    "docker_engine",
    "registry",
    "auth_registry",
    "open_registry",
    "python_base_layout",
    "plugin_wheelhouse",
    "oci_tools",
})

#: Module fixtures that make images with umoci or debootstrap, in the modules whose test bodies
#: carry no marker of their own: (test file, fixture).
SERVICE_MODULE_FIXTURES = frozenset({
    ("test_python_probe.py", "make"),  # registry_helpers.build_image: umoci
    ("test_base_interpreter.py", "trixie"),  # base_images: debootstrap, as root
    ("test_base_interpreter.py", "bookworm"),
})

#: Programs that need root, a Docker engine or a registry, or are installed only by scripts/test
#: as root: a test that starts one is end-to-end.
SERVICE_PROGRAMS = frozenset({
    "docker", "dockerd", "containerd", "docker-registry", "htpasswd", "skopeo", "umoci", "runc",
    "debootstrap", "chroot", "mount", "umount", "unshare", "runuser",
})

#: The files that take minutes, longest first. scripts/test runs the suite on two
#: workers a file at a time (pytest-xdist, ``--dist loadfile``), and a worker takes
#: the next file when it is free: starting with the longest keeps one worker from
#: starting a ten-minute file while the other has nothing left to do.
LONGEST_FILES = (
    "test_gpu_images.py",
    "test_gpu_torch.py",
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


#: Files whose builds each hold 15-25 GB of disk at their peak (GPU images: uv's unpacked CUDA wheels,
#: the layer, the archive, the unpacked image, a registry's copy). One worker runs them one after the
#: other, so the suite needs the larger of the two peaks free, not their sum.
ONE_WORKER_FILES = frozenset({"test_gpu_images.py", "test_gpu_torch.py"})


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``--dist loadfile`` as pytest-xdist does it, except that the files of ``ONE_WORKER_FILES`` are one unit."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class DiskHeavyFilesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return "GPU images" if Path(scope).name in ONE_WORKER_FILES else scope

    return DiskHeavyFilesTogether(config, log)


def _fixtures_used(item: pytest.Item) -> set[str]:
    """The fixtures the test uses, at any depth; not the names its ``parametrize`` gives values directly."""
    used = set(getattr(item, "fixturenames", ()))
    for mark in item.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs["argnames"]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        indirect = mark.kwargs.get("indirect", False)
        used -= {n for n in names if not (indirect is True or (isinstance(indirect, (list, tuple)) and n in indirect))}
    return used


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``e2e`` what uses a service fixture; then the longest files first (a stable sort)."""
    for item in items:
        used = _fixtures_used(item)
        if used & SERVICE_FIXTURES or {(item.path.name, name) for name in used} & SERVICE_MODULE_FIXTURES:
            item.add_marker(pytest.mark.e2e)
    rank = {name: index for index, name in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


# --- what an unmarked test may not do ----------------------------------------------------------------

#: While a test runs: the markers it carries, and what it did that they do not allow.
_watch: dict[str, object] = {"markers": None, "seen": []}


def _local(host: object) -> bool:
    """Whether a connection to ``host`` stays on this machine (a Unix socket's path, loopback, none)."""
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str) or host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _program(executable: object, argv: object) -> str:
    """The name of the program a ``subprocess.Popen`` starts."""
    program = executable or (argv if isinstance(argv, (str, bytes)) else next(iter(argv or ()), ""))
    words = os.fsdecode(program).split() if program else []
    return os.path.basename(words[0]) if words else ""


def _audit(event: str, args: tuple) -> None:
    markers = _watch["markers"]
    if markers is None or "e2e" in markers:
        return
    try:
        if event == "subprocess.Popen":
            name = _program(args[0], args[1])
            if name in SERVICE_PROGRAMS:
                _watch["seen"].append(f"runs {name} (mark it e2e)")
        elif event in ("socket.connect", "socket.getaddrinfo") and "network" not in markers:
            address = args[1] if event == "socket.connect" else args
            if isinstance(address, tuple) and not _local(address[0]):
                _watch["seen"].append(f"reaches {address[0]} (mark it network)")
    except Exception as exc:  # noqa: BLE001 - never break the call being watched
        _watch["seen"].append(f"could not be watched ({exc!r})")


sys.addaudithook(_audit)


@contextlib.contextmanager
def _watching(item: pytest.Item) -> Iterator[None]:
    _watch["markers"] = {mark.name for mark in item.iter_markers()}
    _watch["seen"] = []
    try:
        yield
    finally:
        seen = sorted(set(_watch["seen"]))
        _watch["markers"] = None
    if seen:
        pytest.fail(f"{item.nodeid} is not marked for what it did: {'; '.join(seen)}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    with _watching(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    with _watching(item):
        return (yield)


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """A passing test's tmp_path is removed as soon as its fixtures are done with it.

    The end-to-end tests leave GB-sized images there; pytest's retention policy would
    only remove them at the end of the session, and the disk fills up before.
    """
    try:
        return (yield)
    finally:
        tmp_path = getattr(item, "funcargs", {}).get("tmp_path")
        if tmp_path is not None and not item.stash.get(_FAILED, False):
            shutil.rmtree(tmp_path, ignore_errors=True)


class ModuleFolders:
    """Folders for one test module's builds, removed when its tests are done: builds are GB-sized,
    and pytest would keep them until the session ends."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._made: list[Path] = []

    def mktemp(self, name: str) -> Path:
        path = self._factory.mktemp(name)
        self._made.append(path)
        return path

    def remove(self) -> None:
        for path in self._made:
            shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleFolders]:
    folders = ModuleFolders(tmp_path_factory)
    yield folders
    folders.remove()


@pytest.fixture
def no_ambient_settings(tmp_path, monkeypatch) -> None:
    for name in [name for name in os.environ if name.startswith("AICONTAINER_")]:
        monkeypatch.delenv(name)
    config = tmp_path / "docker-config"
    config.mkdir(exist_ok=True)
    monkeypatch.setenv("DOCKER_CONFIG", str(config))


# --- service fixtures ----------------------------------------------------------------------------------


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


@pytest.fixture(scope="session")
def plugin_wheelhouse(tmp_path_factory) -> Path:
    return build_plugin_wheelhouse(tmp_path_factory.mktemp("plugin"))


@pytest.fixture(scope="session")
def oci_tools() -> None:
    registry_helpers.require("skopeo", "umoci")


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory, python_base_layout) -> TinyBuild:
    return make_tiny_build(tmp_path_factory.mktemp("tiny-library"), python_base_layout.spec)


@pytest.fixture(scope="module")
def open_registry(request, tmp_path_factory):
    reg = registry_helpers.start_registry(tmp_path_factory.mktemp(f"{request.module.__name__}-registry"))
    try:
        yield reg
    finally:
        reg.stop()


@pytest.fixture
def proxy(open_registry):
    with RegistryProxy(open_registry.host) as recording:
        yield recording


@pytest.fixture(scope="module")
def probe(tmp_path_factory, python_base_layout) -> tuple[Path, str]:
    project = tmp_path_factory.mktemp("cache-probe") / "project"
    cache_build_driver.make_project(project, python_base_layout.spec)
    return project, python_base_layout.spec
