"""Loading archives into a real Docker engine (hatch_aicontainer.outputs.load), and the one-line failures."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from release_helpers import free_port, runnable_image, small_archive, write_archive

from hatch_aicontainer.core.errors import OutputError
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.outputs.load import DEFAULT_HOST, engine_host, load_archive


def clean_env(**extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def runnable_archive(module_tmp, python_base_layout) -> Path:
    directory = module_tmp.mktemp("runnable")
    built = runnable_image(BlobStore(directory / "store"), python_base_layout.path, python_base_layout.tag,
                           greeting="hello from docker load")
    return write_archive(built, directory / "dist" / "hello_app-1.0.0.oci.tar", tags=("hello-app:1.0.0",))


def test_load_tags_and_runs(docker_engine, runnable_archive):
    messages: list[str] = []
    loaded = load_archive(
        runnable_archive,
        tags=["hello-app:1.0.0", "hello-app", "127.0.0.1:5000/team/hello-app:ci"],
        environ=docker_engine.env,
        log=messages.append,
    )
    assert loaded.engine == docker_engine.host
    assert loaded.tags == ("hello-app:1.0.0", "hello-app:latest", "127.0.0.1:5000/team/hello-app:ci")
    config_digest = json.loads(docker_engine.docker("image", "inspect", "hello-app:1.0.0").stdout)[0]["Id"]
    assert loaded.image_id == config_digest
    for tag in loaded.tags:
        assert json.loads(docker_engine.docker("image", "inspect", tag).stdout)[0]["Id"] == loaded.image_id
    run = docker_engine.docker("run", "--rm", "--network", "none", "hello-app:latest", timeout=600)
    assert run.stdout.strip() == "hello from docker load (3, 11)"
    assert any(docker_engine.host in m and "hello-app:1.0.0" in m for m in messages)


def test_load_twice_is_fine(docker_engine, runnable_archive):
    first = load_archive(runnable_archive, environ=docker_engine.env)
    second = load_archive(runnable_archive, environ=docker_engine.env)
    assert first.image_id == second.image_id
    assert second.tags == ("hello-app:1.0.0",)  # the archive's own name (manifest.json RepoTags)


def test_load_multi_platform_archive_loads_its_first_image(docker_engine, tmp_path):
    archive, built = small_archive(tmp_path, platforms=("linux/amd64", "linux/arm64"), salt="engine-multi",
                                   tags=("multi-app:2.0",))
    loaded = load_archive(archive, environ=docker_engine.env)
    assert loaded.tags == ("multi-app:2.0",)
    assert loaded.image_id == built.images[0].config.digest
    inspected = json.loads(docker_engine.docker("image", "inspect", "multi-app:2.0").stdout)[0]
    assert inspected["Architecture"] == "amd64"


@pytest.mark.parametrize("kind", ["missing-socket", "closed-port"])
def test_no_engine_is_one_line_naming_it(tmp_path, kind):
    archive, _ = small_archive(tmp_path, salt="no-engine")
    host = f"unix://{tmp_path}/nothing-here.sock" if kind == "missing-socket" else f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(OutputError) as caught:
        load_archive(archive, environ=clean_env(DOCKER_HOST=host))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"Docker engine at {host} is not reachable (")
    reason = message[len(f"Docker engine at {host} is not reachable (") : -1]
    assert reason in ({"no socket at that path", "connection refused"} if kind == "missing-socket" else {"connection refused"})


def test_engine_host_follows_docker_host():
    assert engine_host({"DOCKER_HOST": "tcp://10.0.0.1:2375"}) == "tcp://10.0.0.1:2375"
    assert engine_host(clean_env(DOCKER_CONFIG="/nonexistent")) == DEFAULT_HOST


def test_a_file_that_is_not_an_image_is_refused_before_the_engine(docker_engine, tmp_path):
    bogus = tmp_path / "bogus.oci.tar"
    bogus.write_bytes(b"this is not a tar archive at all\n" * 100)
    with pytest.raises(OutputError) as caught:
        load_archive(bogus, environ=docker_engine.env)
    message = str(caught.value)
    assert "\n" not in message
    assert message == f"{bogus} is not an image archive (not a tar file)"


def test_a_layer_the_engine_rejects_is_one_line(docker_engine, tmp_path):
    """Our checks pass (documents intact), the engine refuses a layer whose bytes do not match its digest."""
    archive, _ = small_archive(tmp_path, salt="corrupt-layer")
    with tarfile.open(archive) as tar:
        members = [(info, tar.extractfile(info).read() if info.isfile() else None) for info in tar]
    layer = json.loads(next(data for info, data in members if info.name == "manifest.json"))[0]["Layers"][0]
    corrupt = tmp_path / "corrupt.oci.tar"
    with tarfile.open(corrupt, "w") as out:
        for info, data in members:
            if info.name == layer:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            out.addfile(info, io.BytesIO(data) if data is not None else None)
    with pytest.raises(OutputError) as caught:
        load_archive(corrupt, environ=docker_engine.env)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"load of corrupt.oci.tar into Docker engine at {docker_engine.host} failed (")


def test_missing_archive_and_bad_tag(docker_engine, tmp_path, runnable_archive):
    with pytest.raises(OutputError, match="no such file"):
        load_archive(tmp_path / "absent.oci.tar", environ=docker_engine.env)
    with pytest.raises(OutputError, match="not an image name"):
        load_archive(runnable_archive, tags=["Hello App"], environ=docker_engine.env)
