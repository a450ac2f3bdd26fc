"""Mistakes are caught before any work, in one line, and ``check`` says what the build does.

* A table of CLI, settings and environment mistakes, each run through the real
  ``aicontainer`` command and (where it is about the build) a real
  ``python -m hatchling build -t container`` process: exit 1 or 2, one
  ``error:`` line naming the setting and what is allowed, no traceback,
  nothing in ``dist/`` and nothing in the plugin's cache (no layer written, so
  nothing was pushed either).
* Every ``AICONTAINER_*`` name the package reads is in the one registry
  (``config.variables.ENVIRONMENT``) and in docs/settings.md; an unknown one is a
  warning with "did you mean".
* ``check`` vs ``build``: for each registered target and each variable, what
  ``aicontainer check --json`` reports is what the target's builder was
  configured with; one real build per target shows the same archive name,
  accelerator (the image's label), lock file and push references.

The project is the tiny one of trust_fixtures (its locks hold only ``six``, so
no TensorFlow is downloaded). Its base image is a layout that is not there, as
only the real builds read it; they use the offline Debian Python base.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import tomli_w
import tomllib
from e2e_helpers import BIN, REPO, skopeo_inspect
from trust_fixtures import make_tiny_project, write_tiny_lock

from hatch_aicontainer.config.variables import ENVIRONMENT
from hatch_aicontainer.plugin.hooks import builders_by_target

TOOL = {"include": [], "kubernetes": {}}
#: ``check`` and a build that stops before any work never read the base image: a layout that is not there
UNREAD_BASE = "oci:/nonexistent/python-base:3.11-slim-bookworm"


@pytest.fixture(scope="module")
def tiny(module_tmp) -> Path:
    """The tiny project with a CPU and a CUDA lock (both only ``six``)."""
    root = make_tiny_project(module_tmp.mktemp("mistakes") / "project", UNREAD_BASE, git=False, tool=TOOL)
    table = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["aicontainer"]
    write_tiny_lock(root, {**table, "accelerator": "cuda"})
    return root


@pytest.fixture
def project(tiny, tmp_path) -> Path:
    return Path(shutil.copytree(tiny, tmp_path / "project", symlinks=True))


@pytest.fixture(scope="module")
def no_zstandard(module_tmp) -> Path:
    """A PYTHONPATH entry whose sitecustomize makes ``import zstandard`` fail, as without the extra."""
    folder = module_tmp.mktemp("no-zstandard")
    (folder / "sitecustomize.py").write_text("import sys\nsys.modules['zstandard'] = None\n")
    return folder


def edit(project: Path, change: Callable[[dict], None]) -> None:
    path = project / "pyproject.toml"
    document = tomllib.loads(path.read_text())
    change(document)
    path.write_text(tomli_w.dumps(document))


def clean_env(project: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AICONTAINER_", "DOCKER_"))}
    env.update(AICONTAINER_CACHE_DIR=str(project.parent / "cache"), SOURCE_DATE_EPOCH="1700000000")
    env.update(extra)
    return env


def aicontainer(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "aicontainer"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def check(monkeypatch, capsys):
    """``aicontainer check`` in this process (the command's own main, as the console script calls it),
    with exactly the given AICONTAINER_* variables: cheap enough for a long table."""
    from hatch_aicontainer.cli.main import main

    def run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
        for name in [n for n in os.environ if n.startswith(("AICONTAINER_", "DOCKER_"))]:
            monkeypatch.delenv(name)
        for name, value in env.items():
            if name.startswith("AICONTAINER_"):
                monkeypatch.setenv(name, value)
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            status = main(["check", *args])
        except SystemExit as exc:  # argparse
            status = int(exc.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["aicontainer", "check", *args], status, out, err)

    return run


def hatchling_build(project: Path, env: dict[str, str], target: str = "container") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", target], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)


def tool(**values) -> Callable[[dict], None]:
    return lambda doc: doc["tool"]["aicontainer"].update(values)


def target_table(name: str, **values) -> Callable[[dict], None]:
    return lambda doc: doc["tool"]["hatch"]["build"]["targets"].setdefault(name, {}).update(values)


def rename_table(doc: dict) -> None:
    doc["tool"]["aicontainr"] = doc["tool"].pop("aicontainer")


# id: (arguments after "check", environment, pyproject edit, exit status, words the one line must hold)
CHECK_CASES: dict[str, tuple[list[str], dict[str, str], Callable[[dict], None] | None, int, list[str]]] = {
    "target-typo": (["--target", "containr"], {}, None, 2, ["containr", "did you mean container?", "container-gpu"]),
    "cache-max-size": ([], {"AICONTAINER_CACHE_MAX_SIZE": "20X"}, None, 1, ["AICONTAINER_CACHE_MAX_SIZE", "20X", "20G"]),
    "bytecode": ([], {"AICONTAINER_BYTECODE": "sometimes"}, None, 1, ["AICONTAINER_BYTECODE", "sometimes", "auto, on, off"]),
    "push-to-blank": ([], {"AICONTAINER_PUSH_TO": " , "}, None, 1, ["AICONTAINER_PUSH_TO", '" , "', "empty reference"]),
    "push-to-stray-comma": ([], {"AICONTAINER_PUSH_TO": "127.0.0.1:5000/a,"}, None, 1, ["AICONTAINER_PUSH_TO", "empty reference"]),
    "push-flag": ([], {"AICONTAINER_PUSH": "maybe"}, None, 1, ["AICONTAINER_PUSH", "maybe", "true"]),
    "load-flag": ([], {"AICONTAINER_LOAD": "2"}, None, 1, ["AICONTAINER_LOAD", "not a boolean"]),
    "push-nowhere": ([], {"AICONTAINER_PUSH": "1"}, None, 1, ["AICONTAINER_PUSH", "no push reference"]),
    "cache-dir-file": ([], {"AICONTAINER_CACHE_DIR": "/etc/hostname"}, None, 1, ["AICONTAINER_CACHE_DIR", "not a directory"]),
    "insecure-url": ([], {"AICONTAINER_INSECURE_REGISTRIES": "http://registry.local/"}, None, 1,
                     ["AICONTAINER_INSECURE_REGISTRIES", "host[:port]"]),
    "uv-missing": ([], {"AICONTAINER_UV": "/nonexistent/uv"}, None, 1, ["AICONTAINER_UV", "/nonexistent/uv"]),
    "base-image-env": ([], {"AICONTAINER_BASE_IMAGE": "Not A Reference"}, None, 1, ["AICONTAINER_BASE_IMAGE", "Not A Reference"]),
    "include-missing": ([], {}, tool(include=["models/missing.keras"]), 1, ["include", "models/missing.keras", "matches no file"]),
    "table-typo": ([], {}, rename_table, 1, ["[tool.aicontainr]", "did you mean [tool.aicontainer]?"]),
    "target-incldue": ([], {}, target_table("container", incldue=["models"]), 1,
                       ["targets.container.incldue", "did you mean tool.hatch.build.targets.container.image-include?"]),
    "gpu-target-incldue": (["--target", "container-gpu"], {}, target_table("container-gpu", incldue=["models"]), 1,
                           ["targets.container-gpu.incldue", "image-include"]),
    "key-typo": ([], {}, tool(tensorflw="2.16.1"), 1, ["tensorflw", "did you mean tool.aicontainer.tensorflow?"]),
    "compression": ([], {}, tool(compression="brotli"), 1, ["compression", "brotli"]),
    "no-pyproject": (["nowhere"], {}, None, 1, ["has no pyproject.toml"]),
}


def assert_one_error_line(done: subprocess.CompletedProcess, status: int, words: list[str]) -> str:
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    assert done.returncode == status, (done.returncode, done.stderr[-3000:])
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-3000:]
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.mark.parametrize("case", sorted(CHECK_CASES))
def test_check_reports_each_mistake_in_one_line(case, project, check):
    args, environ, change, status, words = CHECK_CASES[case]
    if change is not None:
        edit(project, change)
    done = check(*args, cwd=project, env=clean_env(project, **environ))
    assert_one_error_line(done, status, words)
    assert done.stdout == ""
    assert not (project / "dist").exists()


@pytest.mark.e2e
def test_zstd_without_the_extra_names_build_system_requires(project, no_zstandard):
    edit(project, tool(compression="zstd"))
    env = clean_env(project, PYTHONPATH=str(no_zstandard))
    line = assert_one_error_line(aicontainer("check", cwd=project, env=env), 1, ["compression", "zstd", "zstandard"])
    assert 'add "hatch-aicontainer[zstd]" to [build-system] requires' in line
    assert "pip install" not in line
    # the build says the same, before it writes anything
    built = hatchling_build(project, env)
    assert [ln for ln in built.stderr.splitlines() if ln.startswith("error: ")] == [line]
    assert_nothing_written(project, built)


@pytest.mark.parametrize(
    "args, words",
    [
        (["check", "--target", "containr"], ["containr", "did you mean container?", "container-gpu"]),
        (["lock", ".", "--target", "containr"], ["containr", "container-gpu"]),
        (["bogus"], ["invalid choice", "bogus"]),
        (["check", "--nope"], ["unrecognized arguments", "--nope"]),
        (["push"], ["the following arguments are required"]),
    ],
    ids=["check-target", "lock-target", "command", "option", "push-without-args"],
)
def test_usage_mistakes_exit_2_in_one_line(args, words, project):
    done = aicontainer(*args, cwd=project, env=clean_env(project))
    assert_one_error_line(done, 2, words)


@pytest.mark.parametrize(
    "args, words",
    [
        (["inspect", "nowhere.oci.tar"], ["nowhere.oci.tar"]),
        (["cache", "prune"], ["--max-size"]),
        (["cache", "prune", "--max-size", "20X"], ["--max-size", "20X"]),
    ],
    ids=["inspect-missing", "prune-without-size", "prune-bad-size"],
)
def test_other_command_mistakes_exit_1_in_one_line(args, words, project):
    done = aicontainer(*args, cwd=project, env=clean_env(project))
    assert_one_error_line(done, 1, words)


# -- the build stops before any work -------------------------------------------------------------

BUILD_CASES = ["cache-max-size", "bytecode", "push-to-blank", "include-missing", "target-incldue"]


def assert_nothing_written(project: Path, done: subprocess.CompletedProcess) -> None:
    dist = project / "dist"
    assert not dist.exists() or list(dist.iterdir()) == [], sorted(dist.iterdir())
    blobs = project.parent / "cache" / "blobs"
    assert not blobs.exists() or not any(blobs.rglob("*")), "a blob was written before the mistake was reported"
    assert "resolving" not in done.stdout + done.stderr  # not even the lock step ran


@pytest.mark.e2e
@pytest.mark.parametrize("case", BUILD_CASES)
def test_build_stops_before_any_work_with_checks_line(case, project, check):
    """The same mistake stops ``hatchling build`` before anything is written, with check's line."""
    args, environ, change, status, words = CHECK_CASES[case]
    if change is not None:
        edit(project, change)
    env = clean_env(project, **environ)
    checked = assert_one_error_line(check(*args, cwd=project, env=env), status, words)
    built = hatchling_build(project, env)
    assert "Traceback" not in built.stdout + built.stderr, built.stderr[-3000:]
    assert built.returncode == 1
    assert [line for line in built.stderr.splitlines() if line.startswith("error: ")] == [checked]
    assert_nothing_written(project, built)


@pytest.mark.e2e
def test_hatchling_rejects_an_unknown_target_in_one_line(project):
    built = hatchling_build(project, clean_env(project), target="containr")
    assert built.returncode != 0 and "Traceback" not in built.stderr
    assert [line for line in built.stderr.splitlines() if line.strip()] == ["Unknown build targets: containr"]
    assert_nothing_written(project, built)


# -- the registry of variables ---------------------------------------------------------------------


def test_every_variable_the_package_reads_is_registered_and_documented():
    read = set()  # every name the code spells as a string (docstrings only mention them)
    for path in (REPO / "hatch_aicontainer").rglob("*.py"):
        read |= set(re.findall(r"""["'](AICONTAINER_[A-Z0-9_]+)["']""", path.read_text()))
    assert len(read) >= 10
    assert read - set(ENVIRONMENT) == set(), "read by the code but not in config.variables.ENVIRONMENT"
    docs = (REPO / "docs" / "settings.md").read_text()
    assert [name for name in ENVIRONMENT if f"`{name}" not in docs] == []


@pytest.mark.parametrize(
    "name, meant",
    [("AICONTAINER_PUSHTO", "AICONTAINER_PUSH_TO"), ("AICONTAINER_CACHE_MAXSIZE", "AICONTAINER_CACHE_MAX_SIZE"),
     ("AICONTAINER_BASEIMAGE", "AICONTAINER_BASE_IMAGE"), ("AICONTAINER_BYTECOD", "AICONTAINER_BYTECODE")],
)
def test_an_unknown_variable_is_a_warning_with_did_you_mean(name, meant, project, check):
    done = check("--json", cwd=project, env=clean_env(project, **{name: "127.0.0.1:5000/x"}))
    assert done.returncode == 0, done.stderr
    assert f"{name} is not a hatch-aicontainer variable (ignored); did you mean {meant}?" in done.stderr
    report = json.loads(done.stdout)
    assert report["outputs"]["push"] == []  # ignored, as the warning says
    assert any(name in warning for warning in report["warnings"])


# -- check vs build ----------------------------------------------------------------------------------


def test_targets_come_from_the_registered_builders(project, check):
    """The targets ``check --target`` knows are the builders hatchling finds through the plugin's entry
    point (what ``hatch build -t`` runs), and its usage error names each of them."""
    from hatchling.plugin.manager import PluginManager

    found = PluginManager().builder.collect()
    registered = {name for name, builder in found.items() if builder.__module__.startswith("hatch_aicontainer.")}
    assert registered and set(builders_by_target()) == registered
    assert_one_error_line(check("--target", "nope", cwd=project, env=clean_env(project)), 2, sorted(registered))


VARIABLES = {
    "none": {},
    "base-image": {"AICONTAINER_BASE_IMAGE": "127.0.0.1:5999/mirror/python:3.11-slim-bookworm"},
    "push-to": {"AICONTAINER_PUSH_TO": "127.0.0.1:5999/team/{name}:{version}-{accelerator}, 127.0.0.1:5999/other/app"},
    "push-off": {"AICONTAINER_PUSH_TO": "127.0.0.1:5999/team/app", "AICONTAINER_PUSH": "0"},
    "load": {"AICONTAINER_LOAD": "yes"},
    "oci-layout": {"AICONTAINER_OCI_LAYOUT": "1"},
    "latest": {"AICONTAINER_LATEST": "true", "AICONTAINER_PUSH_TO": "127.0.0.1:5999/team/app"},
}


def builder_view(project: Path, target: str, environ: dict[str, str], monkeypatch) -> dict:
    """What ``hatch build -t TARGET`` is configured with: the settings object its builder makes."""
    from hatchling.metadata.core import ProjectMetadata
    from hatchling.plugin.manager import PluginManager

    from hatch_aicontainer.build.deps.lock import lock_path
    from hatch_aicontainer.config.naming import archive_name, render_tags
    from hatch_aicontainer.outputs import load_tags, push_references
    from hatch_aicontainer.plugin.project import project_info

    for name in [n for n in os.environ if n.startswith("AICONTAINER_")]:
        monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    plugins = PluginManager()
    metadata = ProjectMetadata(str(project), plugins)
    builder = builders_by_target()[target](str(project), plugin_manager=plugins, metadata=metadata)
    settings = builder.config.image_settings
    info = project_info(metadata, project)
    tags = list(render_tags(settings, info, settings.targets[0]))
    return {
        "accelerator": settings.accelerator,
        "base_image": str(settings.base_image),
        "base_image_from": settings.key("base-image"),
        "lock_file": lock_path(project, settings.platforms[0], settings.accelerator, settings.python).name,
        "requirements": [pinned.requirement for pinned in settings.targets[0].frameworks],
        "archive": archive_name(settings, info, settings.targets),
        "push": push_references(settings, tags) if settings.outputs.push_enabled else [],
        "load": load_tags(settings, tags) if settings.outputs.load else [],
        "oci_layout": settings.outputs.oci_layout,
        "latest": settings.outputs.latest,
    }


def check_view(report: dict) -> dict:
    first = report["platforms"][0]
    return {
        "accelerator": report["accelerator"],
        "base_image": report["base_image"],
        "base_image_from": report["base_image_from"],
        "lock_file": first["lock_file"],
        "requirements": first["requirements"],
        "archive": report["archive"],
        "push": report["outputs"]["push"],
        "load": report["outputs"]["load"],
        "oci_layout": report["outputs"]["oci_layout"],
        "latest": report["outputs"]["latest"],
    }


@pytest.mark.parametrize("variables", sorted(VARIABLES))
@pytest.mark.parametrize("target", sorted(builders_by_target()))
def test_check_reports_what_the_targets_builder_uses(target, variables, tiny, monkeypatch, check):
    environ = VARIABLES[variables]
    done = check("--json", "--target", target, cwd=tiny, env=clean_env(tiny, **environ))
    assert done.returncode == 0, done.stderr
    reported = check_view(json.loads(done.stdout))
    assert reported == builder_view(tiny, target, environ, monkeypatch)
    assert reported["accelerator"] == ("cuda" if target == "container-gpu" else "cpu")


@pytest.mark.e2e
@pytest.mark.parametrize("target", sorted(builders_by_target()))
def test_check_agrees_with_a_real_build(target, project, registry, python_base_layout, tmp_path_factory):
    """One real build per target: archive name, accelerator label, lock file and pushed references."""
    edit(project, tool(**{"base-image": python_base_layout.spec}))
    env = clean_env(project, AICONTAINER_PUSH_TO=f"{registry.host}/agree/{{name}}:{{version}}-{{accelerator}}",
                    AICONTAINER_CACHE_DIR=str(tmp_path_factory.getbasetemp() / "mistakes-shared-cache"))
    checked = aicontainer("check", "--json", "--target", target, cwd=project, env=env)
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    locked = aicontainer("lock", "--target", target, cwd=project, env=env)  # the lock a user prepares for it
    assert locked.returncode == 0, locked.stderr
    assert Path(locked.stdout.split(" (")[0]).name == report["platforms"][0]["lock_file"]
    built = hatchling_build(project, env, target=target)
    assert built.returncode == 0, built.stderr[-3000:]
    output = built.stdout + built.stderr
    (archive,) = (project / "dist").glob("*.oci.tar")
    assert archive.name == report["archive"]
    lock_file = report["platforms"][0]["lock_file"]
    assert re.search(rf"\({re.escape(lock_file)}\)", output), output[-3000:]  # the lock the build reports using
    labels = skopeo_inspect(archive, config=True)["config"]["Labels"]
    assert labels["io.hatch-aicontainer.accelerator"] == report["accelerator"]
    record = json.loads(archive.with_name(archive.name + ".json").read_text())
    assert [ref.split("@")[0] for ref in record["pushed"]] == report["outputs"]["push"]


@pytest.mark.e2e
def test_a_base_image_failure_names_the_variable_that_set_it(project):
    """AICONTAINER_BASE_IMAGE (a CI mirror) is named, not only pyproject.toml's base-image."""
    built = hatchling_build(project, clean_env(project, AICONTAINER_BASE_IMAGE="oci:/nonexistent/layout:3.11"))
    assert built.returncode == 1 and "Traceback" not in built.stderr, built.stderr[-3000:]
    (line,) = [line for line in built.stderr.splitlines() if line.startswith("error: ")]
    assert '"oci:/nonexistent/layout:3.11"' in line and line.endswith("from the environment variable AICONTAINER_BASE_IMAGE)")
    assert not (project / "dist").exists() or list((project / "dist").iterdir()) == [], line
