"""The process environment as the build holds it: read once, and never shown."""

from __future__ import annotations

from pathlib import Path

from hatch_aicontainer.build.deps.uv import Uv
from hatch_aicontainer.config.environment import BuildEnvironment
from hatch_aicontainer.config.settings import ProjectInfo, load_settings

SECRET = "hunter2-not-for-logs"
ENVIRON = {
    "AICONTAINER_REGISTRY_USERNAME": "ci",
    "AICONTAINER_REGISTRY_PASSWORD": SECRET,
    "UV_INDEX_URL": f"https://ci:{SECRET}@mirror.example/simple",
    "HOME": "/home/ci",
}


def test_its_values_are_read_once():
    environment = BuildEnvironment.read({**ENVIRON, "AICONTAINER_BYTECODE": "off", "AICONTAINER_CACHE_MAX_SIZE": "1G"})
    assert (environment.bytecode, environment.cache_max_size) == ("off", 1024**3)
    assert environment.cache_dir == Path("/home/ci/.cache/hatch-aicontainer") and not environment.cache_dir_from_env
    assert environment.registry.environ["AICONTAINER_REGISTRY_PASSWORD"] == SECRET  # credentials reach the registry


def test_no_representation_shows_what_it_holds(tmp_path):
    environment = BuildEnvironment.read(ENVIRON)
    project = ProjectInfo(name="svc", version="1.0", requires_python=">=3.10", root=tmp_path)
    settings = load_settings({"tensorflow": "2.16.1", "python": "3.11"}, project, ENVIRON)
    for shown in (repr(environment), repr(environment.registry), repr(Uv.of(environment)), repr(settings), str(settings)):
        assert SECRET not in shown
