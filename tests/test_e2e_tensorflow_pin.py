"""The pin holds on projects built from public packages as a user builds them: one TensorFlow in
the image, at the pin, every requirement met in the image, labels that report what is installed.

Each project pins TensorFlow 2.16.1 while something it depends on asks for the name
``tensorflow`` with a newer patch release available (2.16.2): ``tf-keras`` (the usual way to keep
Keras 2 code on TensorFlow >= 2.16), ``tensorflow-probability[tf]`` (which asks for tf-keras
through its extra) and ``tensorflow-text`` (``tensorflow<2.17,>=2.16.1``). The fourth is a library
with neither console script nor ``__main__``. ``hatch build -t container`` builds each with PyPI's
wheels on the offline Debian base (Python 3.11); then, from the unpacked image and never from
the plugin's records:

* one TensorFlow distribution, at the pin, in the lock and in the image's /opt/venv (read by
  the host's importlib.metadata);
* ``import tensorflow`` in the image (runc, the image's user) reports the pin;
* ``pip check`` run by the image's own Python finds no broken requirement;
* the labels (skopeo) say the TensorFlow and Python that the image holds.

The GPU variant (tf-keras on tensorflow[and-cuda] 2.16.1) is tests/test_gpu_images.py's 2.16.1 line.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import image_facts
import pytest
from e2e_helpers import HatchRun, hatch_build, hatch_env, skopeo_inspect
from runc_bundle import make_bundle

pytestmark = pytest.mark.e2e

PIN = "2.16.1"
LABEL = "io.hatch-aicontainer."
#: name -> (dependencies, console scripts, package files)
PROJECTS = {
    "keras-app": (["tf-keras"], {"keras-app": "keras_app:main"}, {"__init__.py": "def main():\n    import tf_keras\n    print(tf_keras.__version__)\n"}),
    "tfp-app": (["tensorflow-probability[tf]==0.24.0"], {"tfp-app": "tfp_app:main"}, {"__init__.py": "def main():\n    pass\n"}),
    "text-app": (["tensorflow-text==2.16.1"], {"text-app": "text_app:main"}, {"__init__.py": "def main():\n    pass\n"}),
    "tf-lib": (["tf-keras"], {}, {"__init__.py": '"""A library: no console script, no __main__."""\n', "layers.py": "X = 1\n"}),
}


@dataclass(frozen=True)
class Built:
    name: str
    run: HatchRun
    archive: Path
    bundle: Path
    scratch: Path

    @property
    def output(self) -> str:
        return self.run.stdout + self.run.stderr


def _write_project(root: Path, name: str, base_spec: str) -> Path:
    dependencies, scripts, files = PROJECTS[name]
    package = root / name.replace("-", "_")
    package.mkdir(parents=True)
    for file, text in files.items():
        (package / file).write_text(text)
    scripts_table = "".join(f'"{k}" = "{v}"\n' for k, v in scripts.items())
    (root / "pyproject.toml").write_text(
        f"""[build-system]
requires = ["hatchling", "hatch-aicontainer"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "1.0.0"
requires-python = ">=3.10"
dependencies = {json.dumps(dependencies)}

[project.scripts]
{scripts_table}
[tool.hatch.build.targets.wheel]
packages = ["{package.name}"]

[tool.aicontainer]
python = "3.11"
tensorflow = "{PIN}"
base-image = "{base_spec}"
compression = "none"  # unpacked at once below: gzip would only cost time both ways
"""
    )
    return root


@pytest.fixture(scope="module")
def hatch_data(module_tmp):
    """hatch's build environment with the plugin, shared by the module's builds."""
    return module_tmp.mktemp("pin-hatch")


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def built(request, module_tmp, plugin_wheelhouse, hatch_data, python_base_layout):
    if os.geteuid() != 0:
        pytest.skip("runc needs root (run scripts/test as root, as CI does)")
    name = request.param
    root = module_tmp.mktemp(f"pin-{name}")
    try:
        project = _write_project(root / name, name, python_base_layout.spec)
        # bytecode is not what is looked at here, and compiling TensorFlow's tree costs a minute per image
        env = hatch_env(plugin_wheelhouse, hatch_data, root / "cache", AICONTAINER_BYTECODE="off")
        run = hatch_build(project, env)
        assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
        [archive] = run.archives
        bundle = make_bundle(archive, skopeo_inspect(archive, config=True), root / "bundle")
        yield Built(name, run, archive, bundle, root / "scratch")
    finally:
        shutil.rmtree(root, ignore_errors=True)  # about 2 GB per image


def test_one_tensorflow_at_the_pin_in_the_lock_and_in_the_image(built):
    (lock_file,) = built.run.project.glob("pylock.aicontainer-*.toml")
    lock_text = lock_file.read_text()
    locked = {name for name in image_facts.TENSORFLOW_NAMES if f'name = "{name}"\n' in lock_text}
    assert locked == {"tensorflow"}, lock_text[-2000:]
    assert image_facts.tensorflows(built.bundle / "rootfs") == {"tensorflow": PIN}


def test_import_tensorflow_in_the_image_reports_the_pin(built):
    inside = image_facts.python_and_tensorflow(built.bundle, built.scratch)
    assert inside["tensorflow"] == PIN
    assert inside["file"].startswith("/opt/venv/lib/python3.11/site-packages/tensorflow/")


def test_pip_check_in_the_image_finds_no_broken_requirement(built):
    done = image_facts.pip_check(built.bundle, built.scratch)
    assert done.returncode == 0 and "No broken requirements found" in done.stdout, done.stdout + done.stderr


def test_labels_report_what_the_image_holds(built):
    labels = skopeo_inspect(built.archive)["Labels"]
    held = image_facts.tensorflows(built.bundle / "rootfs")
    inside = image_facts.python_and_tensorflow(built.bundle, built.scratch)
    assert {labels[LABEL + "tensorflow.package"]: labels[LABEL + "tensorflow"]} == held
    assert labels[LABEL + "python"] == inside["python"]
    record = json.loads(built.archive.with_name(built.archive.name + ".json").read_text())
    assert record["pinned"]["tensorflow"] == PIN and record["pinned"]["tensorflow_package"] == "tensorflow"
    # the summary says which distribution and why it is not tensorflow-cpu
    assert f"tensorflow {PIN}, " in built.output and "tensorflow, not tensorflow-cpu: " in built.output


@pytest.mark.parametrize("built", ["tf-lib"], indirect=True)
def test_a_library_runs_the_interpreter_and_the_run_hint_works(built, docker_engine, request):
    """No console script, no __main__: the image's command is the interpreter (with a warning), and the
    build's own "run:" hint, run as printed on a real Docker engine, succeeds."""
    config = skopeo_inspect(built.archive, config=True)["config"]
    assert config["Entrypoint"] == ["python"]
    assert "warning: tool.aicontainer.entrypoint is not set" in built.output
    (hint,) = [line for line in built.output.splitlines() if line.startswith("run: ")]
    load, _, run = hint[len("run: "):].partition(" && ")
    assert shlex.split(load)[:3] == ["docker", "load", "-i"]
    assert (built.run.project / shlex.split(load)[3]).resolve() == built.archive.resolve()
    docker_engine.docker("load", "-i", str(built.archive), timeout=900)
    argv = shlex.split(run)
    request.addfinalizer(lambda: docker_engine.docker("rmi", "-f", argv[-3], check=False))
    assert argv[:3] == ["docker", "run", "--rm"] and argv[-2:] == ["-c", "import tf_lib"]
    started = docker_engine.docker("run", "--network", "none", *argv[2:], check=False, timeout=900)
    assert started.returncode == 0, started.stderr[-3000:]
