"""Smoke tests: the service fixtures really work (real dockerd, real registry, real base image)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import services

pytestmark = pytest.mark.e2e

MT_INDEX = "application/vnd.oci.image.index.v1+json"


def run(*argv, env=None, check=True, timeout=600):
    r = subprocess.run([str(a) for a in argv], env=env, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{argv} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def test_engine_answers_docker_version(docker_engine):
    assert docker_engine.host == f"unix://{docker_engine.dir}/docker.sock"
    assert docker_engine.env["DOCKER_HOST"] == docker_engine.host
    r = run("docker", "version", "--format", "{{.Server.Version}}", env=docker_engine.env)
    assert r.stdout.strip()
    info = json.loads(run("docker", "info", "--format", "{{json .}}", env=docker_engine.env).stdout)
    assert info["Driver"] == docker_engine.driver
    assert docker_engine.driver in services.STORAGE_DRIVERS
    assert info["DockerRootDir"] == str(docker_engine.data_root)


def test_python_base_layout_is_an_index(python_base_layout):
    layout, tag = python_base_layout
    assert tag == "3.11-slim-bookworm"
    top = json.loads((layout / "index.json").read_text())
    (entry,) = top["manifests"]
    assert entry["mediaType"] == MT_INDEX
    assert entry["annotations"]["org.opencontainers.image.ref.name"] == tag
    index = json.loads((layout / "blobs" / entry["digest"].replace(":", "/")).read_text())
    (manifest,) = index["manifests"]
    assert manifest["platform"] == {"architecture": "amd64", "os": "linux"}
    # skopeo (independent of our code) resolves the index to the linux/amd64 image
    rt = run("skopeo", "--insecure-policy", "inspect", "--config", f"oci:{layout}:{tag}").stdout
    config = json.loads(rt)
    assert config["config"]["Cmd"] == ["python3"]
    assert any(e.startswith("PATH=") for e in config["config"]["Env"])


def test_engine_loads_and_runs_base(docker_engine, python_base_layout, tmp_path):
    layout, tag = python_base_layout
    archive = tmp_path / "base.tar"
    run("skopeo", "--insecure-policy", "copy", f"oci:{layout}:{tag}",
        f"docker-archive:{archive}:python:3.11")
    out = docker_engine.docker("load", "-i", str(archive)).stdout
    assert "python:3.11" in out
    r = docker_engine.docker("run", "--rm", "--network", "none", "python:3.11",
                             "python3", "-c", "import sys, ssl; print(sys.version)")
    assert r.stdout.startswith("3.11."), r.stdout


def test_registry_serves_base_as_oci_index(base_image_ref, registry):
    assert base_image_ref == f"{registry.host}/library/python:3.11-slim-bookworm"
    assert registry.get_status() == 200
    raw = run("skopeo", "inspect", "--tls-verify=false", "--raw", f"docker://{base_image_ref}").stdout
    index = json.loads(raw)
    assert index["mediaType"] == MT_INDEX
    assert [m["platform"]["architecture"] for m in index["manifests"]] == ["amd64"]


def test_engine_pulls_base_from_registry(docker_engine, base_image_ref):
    docker_engine.docker("pull", base_image_ref)
    r = docker_engine.docker("run", "--rm", "--network", "none", base_image_ref,
                             "python3", "-c", "import platform; print(platform.python_version())")
    assert r.stdout.startswith("3.11.")


def test_auth_registry_rejects_wrong_password(auth_registry, python_base_layout):
    import base_images

    assert auth_registry.username and auth_registry.password
    assert auth_registry.get_status() == 401
    assert auth_registry.get_status(auth=(auth_registry.username, "wrong")) == 401
    assert auth_registry.get_status(auth=auth_registry.auth) == 200
    with pytest.raises(RuntimeError):
        base_images.push_layout(python_base_layout.path, python_base_layout.tag, auth_registry.host,
                                "library/python:x", creds=f"{auth_registry.username}:wrong")
    ref = base_images.push_layout(python_base_layout.path, python_base_layout.tag,
                                  auth_registry.host, "library/python:x", creds=auth_registry.creds)
    r = run("skopeo", "inspect", "--tls-verify=false", "--raw", "--creds", auth_registry.creds,
            f"docker://{ref}")
    assert json.loads(r.stdout)["mediaType"] == MT_INDEX


def test_second_engine_beside_the_first(docker_engine):
    """Two engines at once (as beside someone else's dockerd); stopping one leaves the other."""
    with services.start_docker_engine() as other:
        assert other.host != docker_engine.host
        assert other.ping() and docker_engine.ping()
        other_dir = other.dir
    assert not other_dir.exists()
    assert not services.processes_mentioning(other_dir)
    assert not services.mounts_under(other_dir)
    assert docker_engine.ping()


def test_stale_directory_of_dead_run_is_cleaned():
    """A service directory whose owner died (with a process still running in it) is cleaned."""
    stale = Path(services.tempfile.mkdtemp(prefix=services.TEMP_PREFIX))
    # the leftover process first, the marker second: any sweeper (ours, or another test run's
    # on this machine) that sees the marker also finds the process
    leftover = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)", str(stale / "x")], start_new_session=True)
    # Popen returns once the exec is under way, and the kernel shows the new command line a moment
    # later (empty until then, which a busy machine stretches): a sweep in that moment finds no process
    deadline = time.monotonic() + 30
    while leftover.pid not in services.processes_mentioning(stale) and time.monotonic() < deadline:
        time.sleep(0.01)
    services.write_marker(stale, kind="test", path=str(stale), owner_pid=os.getpid(),
                          owner_start="-1")  # our pid, but another start time: a dead owner
    try:
        with services.start_registry() as reg:  # starting any service sweeps stale directories
            assert reg.get_status() == 200
        assert not stale.exists()
        deadline = time.monotonic() + 30
        while leftover.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert leftover.returncode == -signal.SIGKILL
    finally:
        if leftover.poll() is None:
            os.kill(leftover.pid, signal.SIGKILL)
            leftover.wait()


def _overlay_mounts_in(base: Path) -> bool:
    """Can the kernel mount an overlay whose layers live in *base*'s file system? (independent probe)"""
    probe = Path(tempfile.mkdtemp(prefix="ovl-probe-", dir=base))
    try:
        for sub in ("lower", "upper", "work", "merged"):
            (probe / sub).mkdir()
        (probe / "lower" / "f").write_text("lower")
        r = subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                            f"lowerdir={probe}/lower,upperdir={probe}/upper,workdir={probe}/work",
                            str(probe / "merged")], capture_output=True)
        if r.returncode != 0:
            return False
        try:
            (probe / "merged" / "g").write_text("upper")
            return (probe / "merged" / "f").read_text() == "lower" and (probe / "upper" / "g").exists()
        finally:
            subprocess.run(["umount", str(probe / "merged")], check=True)
    finally:
        services.remove_tree(probe)


def _info_driver(engine) -> str:
    return json.loads(run("docker", "info", "--format", "{{json .}}", env=engine.env).stdout)["Driver"]


def test_engine_uses_overlay2_where_the_kernel_can(docker_engine):
    """Not vfs (a full copy of every layer) where overlay works on the data root's file system."""
    if os.environ.get(services.STORAGE_DRIVER_ENV):
        pytest.skip(f"{services.STORAGE_DRIVER_ENV} forces the driver")
    expected = "overlay2" if _overlay_mounts_in(docker_engine.dir.parent) else "vfs"
    assert _info_driver(docker_engine) == expected


def test_forced_storage_driver(monkeypatch):
    monkeypatch.setenv(services.STORAGE_DRIVER_ENV, "btrfs")
    with pytest.raises(services.ServiceError, match=r"AICONTAINER_TEST_STORAGE_DRIVER='btrfs'.*overlay2, vfs"):
        services.start_docker_engine()
    monkeypatch.setenv(services.STORAGE_DRIVER_ENV, "vfs")
    with services.start_docker_engine() as engine:
        assert engine.driver == "vfs"
        assert _info_driver(engine) == "vfs"


@pytest.fixture
def overlay_tmpdir(monkeypatch):
    """tempfile's directory on an overlayfs (as /tmp is in some CI containers)."""
    top = Path(tempfile.mkdtemp(prefix="aict-ovl-"))  # short: unix socket paths are limited
    for sub in ("l", "u", "w", "m"):
        (top / sub).mkdir()
    run("mount", "-t", "overlay", "overlay", "-o", f"lowerdir={top}/l,upperdir={top}/u,workdir={top}/w",
        top / "m")
    monkeypatch.setattr(tempfile, "tempdir", str(top / "m"))
    try:
        yield top / "m"
    finally:
        monkeypatch.undo()
        services.remove_tree(top)


def test_engine_falls_back_to_vfs_on_overlayfs(overlay_tmpdir, monkeypatch):
    """dockerd refuses overlay2 on an overlayfs data root: the engine says so and runs vfs."""
    monkeypatch.delenv(services.STORAGE_DRIVER_ENV, raising=False)
    with services.start_docker_engine() as engine:
        assert engine.dir.parent == overlay_tmpdir
        assert _info_driver(engine) == "vfs"
        assert "overlay2" in engine.logs()  # it was tried first
    # forced, it is not downgraded
    monkeypatch.setenv(services.STORAGE_DRIVER_ENV, "overlay2")
    with pytest.raises(services.ServiceError, match="overlay2"):
        services.start_docker_engine()
    assert not list(overlay_tmpdir.glob(services.TEMP_PREFIX + "*"))


def test_stale_engine_with_overlay_mounts_is_cleaned(python_base_layout, tmp_path):
    """An engine killed with a container running leaves mounts (overlay2: data/overlay2/*/merged)
    and processes; the next service start unmounts, kills and removes all of it."""
    engine = services.start_docker_engine()
    try:
        layout, tag = python_base_layout
        archive = tmp_path / "base.tar"
        run("skopeo", "--insecure-policy", "copy", f"oci:{layout}:{tag}", f"docker-archive:{archive}:python:3.11")
        engine.docker("load", "-i", str(archive))
        engine.docker("run", "-d", "--network", "none", "python:3.11", "sleep", "600")
        mounts = services.mounts_under(engine.dir)
        if engine.driver == "overlay2":
            assert any(m.startswith(f"{engine.data_root}/overlay2/") and m.endswith("/merged") for m in mounts)
        # the run is killed: its engine dies at once, its owner counts as dead
        os.killpg(engine.dockerd.pid, signal.SIGKILL)
        os.killpg(engine.containerd.pid, signal.SIGKILL)
        engine.dockerd.wait()
        engine.containerd.wait()
        assert services.mounts_under(engine.dir) == mounts
        services.write_marker(engine.dir, owner_start="-1")
        with services.start_registry() as reg:  # starting any service sweeps stale directories
            assert reg.get_status() == 200
        assert not engine.dir.exists()
        stale = [line for line in Path("/proc/self/mountinfo").read_text().splitlines()
                 if f"{services.TEMP_PREFIX}stale-" in line or str(engine.dir) in line]
        assert not stale
        assert not services.processes_mentioning(engine.dir)
        assert not [d for top in services.cgroup_dirs(engine.cgroup) for d in top.rglob("cgroup.procs")
                    if d.read_text().split()]
    finally:
        engine.stop()
