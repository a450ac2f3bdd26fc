"""The ``aicontainer`` command line, run as a pipeline runs it (a subprocess), against real services."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import registry_helpers as rh
from cli_helpers import aicontainer, assert_one_line_error, cli_env
from release_helpers import free_port, skopeo_digest, small_archive

PASSWORD = "cli-Secret-41Zz"
PYPROJECT = """\
[build-system]
requires = ["hatchling", "hatch-aicontainer"]
build-backend = "hatchling.build"

[project]
name = "demo-app"
version = "0.3.0"
requires-python = ">=3.10"

[project.scripts]
demo-app = "demo_app:main"

[tool.aicontainer]
python = "3.11"
tensorflow = "2.16.1"
{extra}
"""


def project(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "demo"
    (root / "src" / "demo_app").mkdir(parents=True)
    (root / "src" / "demo_app" / "__init__.py").write_text("def main():\n    print('demo')\n")
    (root / "pyproject.toml").write_text(PYPROJECT.format(extra=extra))
    return root


# --- no services ---------------------------------------------------------------------------------


def test_console_script_and_usage_errors(tmp_path):
    script = Path(sys.executable).parent / "aicontainer"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, env=cli_env(tmp_path))
    assert done.returncode == 0 and done.stdout.startswith("aicontainer ")
    done = aicontainer("push", "only-an-archive.oci.tar", env=cli_env(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    done = aicontainer(env=cli_env(tmp_path))
    assert done.returncode == 2


def _matrix_rows(stdout: str) -> dict[str, str]:
    return {line.split()[0]: line for line in stdout.splitlines() if line[:1].isdigit()}


def test_matrix(tmp_path):
    done = aicontainer("matrix", "--framework", "tensorflow", env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    rows = _matrix_rows(done.stdout)
    assert "2.16" in rows and "2.10" in rows
    assert "2.16.1" in rows["2.16"] and "3.9–3.12" in rows["2.16"] and "12.3" in rows["2.16"]
    assert "tensorflow[and-cuda]" in rows["2.16"] and "tensorflow-cpu / tensorflow" in rows["2.16"]
    assert "source:" in done.stdout and "PyTorch" not in done.stdout
    data = json.loads(aicontainer("matrix", "--json", env=cli_env(tmp_path)).stdout)
    assert list(data) == ["tensorflow", "torch", "jax"]
    line = next(r for r in data["tensorflow"]["lines"] if r["tensorflow"] == "2.16")
    assert line["python"] == ["3.9", "3.10", "3.11", "3.12"] and line["cuda"] == {"12": "12.3"}
    assert line["cuda_build"] == {"linux/amd64": {"12": "tensorflow[and-cuda]"}}


def test_matrix_shows_pytorch_and_jax(tmp_path):
    """Every framework's table by default; PyTorch's CPU builds come from its CPU index where PyPI's
    wheel is the CUDA build (x86_64 always, aarch64 from 2.11), JAX's GPU builds per CUDA major."""
    done = aicontainer("matrix", env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines() if line and not line[:1].isdigit() and not line.startswith("source")] == [
        "TensorFlow", "PyTorch", "JAX"]
    torch = _matrix_rows(aicontainer("matrix", "--framework", "torch", env=cli_env(tmp_path)).stdout)
    assert "2.7.1" in torch["2.7"] and "12.6" in torch["2.7"] and "9.5" in torch["2.7"]
    assert "torch+cpu / torch" in torch["2.10"] and "torch+cpu / torch+cpu" in torch["2.11"]
    jax = json.loads(aicontainer("matrix", "--json", "--framework", "jax", env=cli_env(tmp_path)).stdout)
    assert list(jax) == ["jax"]
    newest = jax["jax"]["lines"][0]
    assert newest["python"][0] == "3.12" and newest["cuda_build"]["linux/amd64"] == {"12": "jax[cuda12]", "13": "jax[cuda13]"}
    assert newest["cpu_build"] == {"linux/amd64": "jax[cpu]", "linux/arm64": "jax[cpu]"}
    done = aicontainer("matrix", "--framework", "mxnet", env=cli_env(tmp_path))
    assert done.returncode == 2 and "invalid choice" in done.stderr and "Traceback" not in done.stderr


def test_check_prints_the_resolved_target(tmp_path):
    root = project(tmp_path, 'push = ["127.0.0.1:5000/team/{name}"]\nlatest = true\n'
                             '[tool.hatch.build.targets.container]\nlabels = { team = "ml" }\n')
    done = aicontainer("check", str(root), env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    out = {line.split("  ", 1)[0].strip(): line.split("  ", 1)[1].strip() for line in done.stdout.splitlines() if "  " in line}
    assert out["python"] == "3.11"
    assert out["tensorflow"] == "2.16.1"
    assert out["accelerator"] == "cpu"
    assert out["base image"] == "python:3.11-slim-bookworm"
    assert out["platforms"] == "linux/amd64"
    assert out["tags"] == "demo-app:0.3.0"
    assert out["archive"] == "demo_app-0.3.0-py311-tf2.16.1-cpu-amd64.oci.tar"
    assert out["push"] == "127.0.0.1:5000/team/demo-app:0.3.0, 127.0.0.1:5000/team/demo-app:latest"
    assert "tensorflow-cpu==2.16.1" in done.stdout and "aicontainer lock" in done.stdout
    data = json.loads(aicontainer("check", str(root), "--json", env=cli_env(tmp_path, AICONTAINER_PUSH="0",
                                                                            AICONTAINER_BASE_IMAGE="127.0.0.1:5000/library/python:3.11")).stdout)
    assert data["outputs"]["push"] == [] and data["base_image_from"] == "AICONTAINER_BASE_IMAGE"
    assert data["platforms"][0]["requirements"] == ["tensorflow-cpu==2.16.1"] and not data["platforms"][0]["lock_exists"]


def test_check_shows_every_framework_and_its_index(tmp_path):
    """PyTorch and JAX beside TensorFlow: each version, the builds the lock will ask for, PyTorch's
    CPU index (its credentials never shown), the archive named after all three."""
    root = project(tmp_path, 'torch = "2.10.0"\njax = "0.6.2"\n')
    secret = "idx-Secret-77Qq"
    env = cli_env(tmp_path, AICONTAINER_TORCH_INDEX_URL=f"https://ci:{secret}@mirror.example.com/whl/cpu")
    done = aicontainer("check", str(root), env=env)
    assert done.returncode == 0, done.stderr
    out = {line.split("  ", 1)[0].strip(): line.split("  ", 1)[1].strip() for line in done.stdout.splitlines() if "  " in line}
    assert (out["tensorflow"], out["torch"], out["jax"]) == ("2.16.1", "2.10.0", "0.6.2")
    assert out["archive"] == "demo_app-0.3.0-py311-tf2.16.1-torch2.10.0-jax0.6.2-cpu-amd64.oci.tar"
    assert "tensorflow-cpu==2.16.1 torch==2.10.0+cpu jax[cpu]==0.6.2 (from https://***@mirror.example.com/whl/cpu)" in done.stdout
    data = json.loads(aicontainer("check", str(root), "--json", env=env).stdout)
    assert data["platforms"][0]["indexes"] == {"torch": "https://***@mirror.example.com/whl/cpu"}
    assert secret not in done.stdout + done.stderr + json.dumps(data)


@pytest.mark.parametrize(
    ("extra", "environ", "fragments"),
    [
        ('accelerator = "tpu"\n', {}, ('tool.aicontainer.accelerator = "tpu": unknown accelerator',)),
        ('push = ["127.0.0.1:5000/Team/app"]\n', {}, ("tool.aicontainer.push[0]", "lowercase")),
        ("", {"AICONTAINER_PUSH": "sometimes"}, ('AICONTAINER_PUSH (environment) = "sometimes": not a boolean',)),
        ("", {"AICONTAINER_PUSH": "1"}, ("no push reference is configured",)),
    ],
)
def test_check_reports_bad_settings_in_one_line(tmp_path, extra, environ, fragments):
    done = aicontainer("check", str(project(tmp_path, extra)), env=cli_env(tmp_path, **environ))
    assert_one_line_error(done, *fragments)
    assert done.stdout == ""


def test_check_without_a_project(tmp_path):
    assert_one_line_error(aicontainer("check", str(tmp_path), env=cli_env(tmp_path)), "has no pyproject.toml")


@pytest.mark.network
def test_lock_writes_then_reuses_the_lock_file(tmp_path):
    root = project(tmp_path)
    done = aicontainer("lock", str(root), env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    lock = root / "pylock.aicontainer-py311-amd64-cpu.toml"
    assert lock.is_file()
    assert f"{lock} (written, " in done.stdout
    text = lock.read_text()
    assert 'name = "tensorflow-cpu"' in text and 'version = "2.16.1"' in text
    again = aicontainer("lock", str(root), env=cli_env(tmp_path))
    assert again.returncode == 0 and f"{lock} (unchanged, " in again.stdout
    assert lock.read_text() == text
    assert "present" in aicontainer("check", str(root), env=cli_env(tmp_path)).stdout


@pytest.mark.network
def test_lock_and_check_for_a_python_the_host_does_not_run(tmp_path):
    """A CI matrix over 3.11 and 3.13 (this host runs 3.11): one lock each, switching back re-resolves nothing."""
    root = project(tmp_path)
    pyproject = root / "pyproject.toml"
    host_pins = pyproject.read_text()
    foreign_pins = host_pins.replace('python = "3.11"', 'python = "3.13"').replace('tensorflow = "2.16.1"', 'tensorflow = "2.20.0"')
    written = {}
    for python, text in (("311", host_pins), ("313", foreign_pins)):
        pyproject.write_text(text)
        done = aicontainer("lock", str(root), env=cli_env(tmp_path))
        assert done.returncode == 0, done.stderr
        written[python] = root / f"pylock.aicontainer-py{python}-amd64-cpu.toml"
        assert f"{written[python]} (written, " in done.stdout
    assert 'requires-python = ">=3.13"' in written["313"].read_text()
    data = json.loads(aicontainer("check", str(root), "--json", env=cli_env(tmp_path)).stdout)
    assert data["platforms"][0]["lock_file"] == written["313"].name and data["platforms"][0]["lock_exists"]
    pyproject.write_text(host_pins)
    again = aicontainer("lock", str(root), env=cli_env(tmp_path))
    assert again.returncode == 0 and f"{written['311']} (unchanged, " in again.stdout


def test_inspect(tmp_path):
    archive, built = small_archive(tmp_path, salt="cli-inspect")
    done = aicontainer("inspect", str(archive), env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert f"digest      {built.root.digest}" in done.stdout
    assert "pinned      python 3.11, tensorflow 2.16.1, tensorflow_package tensorflow-cpu, accelerator cpu" in done.stdout
    assert "layers      2," in done.stdout and "hello-app:1.0.0" in done.stdout
    assert 'cmd ["cat", "/app/hello.txt"]' in done.stdout
    data = json.loads(aicontainer("inspect", str(archive), "--json", env=cli_env(tmp_path)).stdout)
    assert data["digest"] == built.root.digest
    (image,) = data["images"]
    assert [l["digest"] for l in image["layers"]] == [l.digest for l in built.images[0].layers]
    assert all(l["diff_id"].startswith("sha256:") for l in image["layers"])
    assert image["labels"]["io.hatch-aicontainer.tensorflow"] == "2.16.1"
    multi, multi_built = small_archive(tmp_path / "m", platforms=("linux/amd64", "linux/arm64"), salt="cli-multi")
    done = aicontainer("inspect", str(multi), env=cli_env(tmp_path))
    assert "[linux/amd64]" in done.stdout and "[linux/arm64]" in done.stdout
    assert_one_line_error(aicontainer("inspect", str(tmp_path / "absent.oci.tar"), env=cli_env(tmp_path)), "does not exist")
    (tmp_path / "junk.tar").write_text("junk")
    assert_one_line_error(aicontainer("inspect", str(tmp_path / "junk.tar"), env=cli_env(tmp_path)), "not a tar file")


# --- registry ---------------------------------------------------------------------------------------


def test_push_prints_and_records_the_same_digest(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="cli-push")
    refs = [f"{proxy.host}/team/cli:1.0.0", f"{proxy.host}/prod/cli:stable"]
    done = aicontainer("push", str(archive), *refs, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{ref}@{built.root.digest}" for ref in refs]
    for ref in refs:
        assert skopeo_digest(ref) == built.root.digest
    record = json.loads(archive.with_name(archive.name + ".json").read_text())
    assert record["digest"] == built.root.digest
    assert record["pushed"] == [f"{ref}@{built.root.digest}" for ref in refs]
    assert archive.with_name(archive.name + ".digest").read_text() == built.root.digest + "\n"
    # again, from a fresh cache: nothing is uploaded, the record keeps each push once
    proxy.reset()
    again = aicontainer("push", str(archive), refs[0], env=cli_env(tmp_path, AICONTAINER_CACHE_DIR=str(tmp_path / "c2")))
    assert again.returncode == 0, again.stderr
    assert proxy.writes() == []
    record = json.loads(archive.with_name(archive.name + ".json").read_text())
    assert record["pushed"] == [f"{ref}@{built.root.digest}" for ref in refs]


def test_push_bad_reference_sends_nothing(proxy, tmp_path):
    archive, _ = small_archive(tmp_path, salt="cli-bad-ref")
    done = aicontainer("push", str(archive), f"{proxy.host}/team/ok:1", f"{proxy.host}/Team/Bad:1", env=cli_env(tmp_path))
    assert_one_line_error(done, f"push reference '{proxy.host}/Team/Bad:1' is not an image reference", "lowercase")
    assert proxy.seen == [] and done.stdout == ""
    assert not archive.with_name(archive.name + ".json").exists()


def test_push_to_an_unreachable_registry(tmp_path):
    archive, _ = small_archive(tmp_path, salt="cli-unreachable")
    host = f"127.0.0.1:{free_port()}"
    done = aicontainer("push", str(archive), f"{host}/team/app:1", env=cli_env(tmp_path))
    assert_one_line_error(done, f"push to {host}/team/app:1 failed", f"cannot reach registry {host} (connection refused)")
    assert done.stdout == ""


@pytest.mark.e2e
def test_push_with_wrong_then_right_password(tmp_path):
    registry = rh.start_registry(tmp_path / "auth-registry", auth=("cli", PASSWORD))
    try:
        archive, built = small_archive(tmp_path, salt="cli-auth")
        ref = f"{registry.host}/team/private:1"
        wrong = cli_env(tmp_path, AICONTAINER_REGISTRY_USERNAME="cli", AICONTAINER_REGISTRY_PASSWORD="x" + PASSWORD)
        done = aicontainer("push", str(archive), ref, env=wrong)
        line = assert_one_line_error(done, f"push to {ref} failed", f"registry {registry.host} refused the credentials")
        assert PASSWORD not in line and PASSWORD not in done.stdout
        record = json.loads(archive.with_name(archive.name + ".json").read_text()) if archive.with_name(archive.name + ".json").exists() else {"pushed": []}
        assert record["pushed"] == []
        right = cli_env(tmp_path, AICONTAINER_REGISTRY_USERNAME="cli", AICONTAINER_REGISTRY_PASSWORD=PASSWORD)
        done = aicontainer("push", str(archive), ref, env=right)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"{ref}@{built.root.digest}"
        assert PASSWORD not in done.stdout + done.stderr
        for path in archive.parent.iterdir():
            assert PASSWORD.encode() not in path.read_bytes(), path
    finally:
        registry.stop()


# --- Docker engine -----------------------------------------------------------------------------------


def test_load(docker_engine, tmp_path):
    archive, built = small_archive(tmp_path, salt="cli-load", tags=("cli-load:1",))
    env = cli_env(tmp_path, DOCKER_HOST=docker_engine.host)
    done = aicontainer("load", str(archive), "--tag", "cli-load:ci", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["cli-load:1", "cli-load:ci", built.images[0].config.digest]
    record = json.loads(archive.with_name(archive.name + ".json").read_text())
    assert record["loaded"] == [{"engine": docker_engine.host, "image_id": built.images[0].config.digest,
                                 "tags": ["cli-load:1", "cli-load:ci"]}]
    docker_engine.docker("image", "inspect", "cli-load:ci")


def test_load_without_an_engine(tmp_path):
    archive, _ = small_archive(tmp_path, salt="cli-no-engine")
    host = f"unix://{tmp_path}/nothing.sock"
    done = aicontainer("load", str(archive), env=cli_env(tmp_path, DOCKER_HOST=host))
    assert_one_line_error(done, f"Docker engine at {host} is not reachable (no socket at that path)")
    assert done.stdout == ""
    assert not archive.with_name(archive.name + ".json").exists()
