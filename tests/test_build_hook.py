"""The ``aicontainer`` wheel build hook (hatch_aicontainer.plugin.build_hook).

In-process tests drive hatchling's own Wheel/Sdist builders with the plugin
found through its entry point, recording what the hook hands to
``make_image``; one end-to-end test runs ``hatch build -t wheel`` on the
example project as a user would, pushes to a real registry, and checks the
result against ``hatch build -t container``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from e2e_helpers import EXAMPLE, copy_project, hatch_build, hatch_env
from fresh_imports import modules_loaded_by
from hatchling.bridge.app import Application
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder
from hatchling.plugin.manager import PluginManager

from hatch_aicontainer.plugin.build_hook import image_hook_suppressed

PYPROJECT = """\
[build-system]
requires = ["hatchling", "hatch-aicontainer"]
build-backend = "hatchling.build"

[project]
name = "hook-demo"
version = "0.2.0"
requires-python = ">=3.10"

[tool.hatch.build.targets.wheel]
packages = ["src/hook_demo"]
dev-mode-dirs = ["src"]  # editable wheels without the `editables` package

{hooks}

{aicontainer}
"""
SETTINGS = '[tool.aicontainer]\npython = "3.11"\ntensorflow = "2.16.1"\n'
WHEEL_HOOK = "[tool.hatch.build.targets.wheel.hooks.aicontainer]"
GLOBAL_HOOK = "[tool.hatch.build.hooks.aicontainer]"


class RecordingApp(Application):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def display_info(self, message: str = "", **kwargs) -> None:
        self.messages.append(message)

    display_warning = display_info

    def abort(self, message: str = "", code: int = 1, **kwargs) -> None:
        self.messages.append(message)
        raise SystemExit(code)


@pytest.fixture
def calls(monkeypatch):
    """make_image replaced by a recorder (the image build itself is tested elsewhere)."""
    recorded: list[dict] = []

    def fake_make_image(metadata, root, settings, wheel, directory, app):
        recorded.append({"root": root, "settings": settings, "wheel": Path(wheel), "directory": Path(directory),
                         "wheel_exists": Path(wheel).is_file()})

    monkeypatch.setattr("hatch_aicontainer.plugin.run.make_image", fake_make_image)
    return recorded


def make_project(tmp_path: Path, *, hooks: str = WHEEL_HOOK, aicontainer: str = SETTINGS) -> Path:
    root = tmp_path / "hook-demo"
    (root / "src" / "hook_demo").mkdir(parents=True)
    (root / "src" / "hook_demo" / "__init__.py").write_text("VALUE = 1\n")
    (root / "pyproject.toml").write_text(PYPROJECT.format(hooks=hooks, aicontainer=aicontainer))
    return root


def build(builder_class, root: Path, directory: Path, app: RecordingApp, versions=("standard",)) -> list[Path]:
    builder = builder_class(str(root), plugin_manager=PluginManager(), app=app)
    return [Path(p) for p in builder.build(directory=str(directory), versions=list(versions))]


def test_registered_through_the_entry_point(tmp_path, calls):
    """hatchling finds the hook by the name a project's hooks table gives (``aicontainer``), through the
    plugin's entry point, and a wheel build runs it."""
    hook = PluginManager().build_hook.get("aicontainer")
    assert hook is not None and hook.PLUGIN_NAME == "aicontainer"
    build(WheelBuilder, make_project(tmp_path), tmp_path / "dist", RecordingApp())
    assert len(calls) == 1


def test_wheel_hook_builds_the_image_from_that_wheel(tmp_path, calls):
    root = make_project(tmp_path, aicontainer=SETTINGS + '[tool.hatch.build.targets.container]\nlabels = { team = "ml" }\n')
    app = RecordingApp()
    (wheel,) = build(WheelBuilder, root, tmp_path / "dist", app)
    (call,) = calls
    assert call["wheel"] == wheel and call["wheel_exists"]
    assert call["directory"] == tmp_path / "dist"
    settings = call["settings"]
    assert settings.target_name == "container"
    assert dict(settings.labels) == {"team": "ml"}  # the container target's table applies
    assert settings.version_of("tensorflow") == "2.16.1" and settings.python == "3.11"
    assert any(wheel.name in m for m in app.messages)


def test_hook_option_names_another_target(tmp_path, calls):
    extra = '[tool.hatch.build.targets.container-gpu]\naccelerator = "cuda"\n'
    root = make_project(tmp_path, hooks=f'{WHEEL_HOOK}\ntarget = "container-gpu"', aicontainer=SETTINGS + extra)
    build(WheelBuilder, root, tmp_path / "dist", RecordingApp())
    (call,) = calls
    assert call["settings"].target_name == "container-gpu" and call["settings"].accelerator == "cuda"


def test_hook_target_container_gpu_is_the_cuda_variant_as_hatch_build_t_container_gpu(tmp_path, calls):
    # the builder's implied accelerator is no longer the builder's alone: configure.target_settings
    root = make_project(tmp_path, hooks=f'{WHEEL_HOOK}\ntarget = "container-gpu"')
    build(WheelBuilder, root, tmp_path / "dist", RecordingApp())
    (call,) = calls
    assert call["settings"].accelerator == "cuda"
    assert call["settings"].targets[0].framework("tensorflow").requirement == "tensorflow[and-cuda]==2.16.1"


def test_the_hook_does_not_load_the_builder():
    """The builder asks the hook whether it runs (``image_hook_suppressed``): the hook itself loads no builder."""
    loaded = modules_loaded_by("hatch_aicontainer.plugin.build_hook")
    assert "hatch_aicontainer.plugin.build_hook" in loaded and "hatch_aicontainer.plugin.builder" not in loaded


def test_global_hook_runs_for_the_wheel_only(tmp_path, calls):
    # invalid image settings: an sdist build must not even read them
    root = make_project(tmp_path, hooks=GLOBAL_HOOK, aicontainer='[tool.aicontainer]\npython = "3.11"\n')
    (sdist,) = build(SdistBuilder, root, tmp_path / "dist", RecordingApp())
    assert sdist.name == "hook_demo-0.2.0.tar.gz" and calls == []
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [sdist.name]
    root.joinpath("pyproject.toml").write_text(PYPROJECT.format(hooks=GLOBAL_HOOK, aicontainer=SETTINGS))
    (wheel,) = build(WheelBuilder, root, tmp_path / "dist", RecordingApp())
    assert [c["wheel"] for c in calls] == [wheel]


def test_editable_wheels_and_the_container_builders_own_wheel_are_skipped(tmp_path, calls):
    root = make_project(tmp_path)
    build(WheelBuilder, root, tmp_path / "dist", RecordingApp(), versions=("editable",))
    with image_hook_suppressed():
        build(WheelBuilder, root, tmp_path / "dist2", RecordingApp())
    assert calls == []
    build(WheelBuilder, root, tmp_path / "dist3", RecordingApp())
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("hooks", "aicontainer", "fragment"),
    [
        (WHEEL_HOOK, '[tool.aicontainer]\npython = "3.11"\n', "error: tool.aicontainer: no framework is pinned"),
        (WHEEL_HOOK, SETTINGS + 'accelerator = "tpu"\n', 'error: tool.aicontainer.accelerator = "tpu": unknown accelerator'),
        (f"{WHEEL_HOOK}\ntargett = 'x'", SETTINGS, "error: tool.hatch.build.targets.wheel.hooks.aicontainer.targett: unknown option"),
        (WHEEL_HOOK, SETTINGS + 'push = ["127.0.0.1:5000/{nope}"]\n', "error: tool.aicontainer.push[0]"),
    ],
)
def test_bad_settings_abort_with_one_line(tmp_path, calls, hooks, aicontainer, fragment):
    root = make_project(tmp_path, hooks=hooks, aicontainer=aicontainer)
    app = RecordingApp()
    with pytest.raises(SystemExit) as caught:
        build(WheelBuilder, root, tmp_path / "dist", app)
    assert caught.value.code == 1
    assert calls == []
    (message,) = [m for m in app.messages if m.startswith("error:")]
    assert "\n" not in message and message.startswith(fragment), message


# --- end to end: `hatch build -t wheel` on the example project --------------------------------------


def image_differences(first: Path, second: Path) -> str:
    """What differs between two archives' first images (config labels, layers), for a failure message."""
    from hatch_aicontainer.oci.reader import open_image

    with open_image(first) as a, open_image(second) as b:
        ia, ib = a.images[0], b.images[0]
        labels = {k: (ia.labels.get(k), ib.labels.get(k)) for k in set(ia.labels) | set(ib.labels)
                  if ia.labels.get(k) != ib.labels.get(k)}
        layers = [(x.digest[:19], y.digest[:19]) for x, y in zip(ia.layers, ib.layers) if x.digest != y.digest]
        config = {k: (ia.config.get(k), ib.config.get(k)) for k in ("config", "history", "created")
                  if ia.config.get(k) != ib.config.get(k)}
    return f"labels {labels}; layers {layers}; config {list(config)}"


def file_in_image(archive: Path, member: str, copied: Path) -> bytes:
    """``member`` as the image's filesystem holds it (from the topmost layer that has it), read by
    independent tools: skopeo copies the archive to a folder, checking every digest, and GNU tar
    extracts the one member from each layer, top first. (umoci unpacks the whole filesystem of this
    image in test_e2e_example.py; here one file is all that is asked.)"""
    subprocess.run(["skopeo", "copy", "--quiet", f"oci-archive:{archive}", f"dir:{copied}"], check=True)
    manifest = json.loads((copied / "manifest.json").read_text())
    for layer in reversed(manifest["layers"]):
        blob = copied / layer["digest"].split(":", 1)[1]
        found = subprocess.run(["tar", "-x", "-O", "-f", str(blob), member], capture_output=True)
        if found.returncode == 0:
            return found.stdout
    raise AssertionError(f"{member} is in no layer of {archive}")


def skopeo_digest(ref: str) -> str:
    done = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--no-tags", f"docker://{ref}"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)["Digest"]


@pytest.mark.e2e
def test_hatch_build_emits_the_image_beside_the_wheel(tmp_path, plugin_wheelhouse, base_image_ref, registry):
    project = copy_project(EXAMPLE, tmp_path / "example_project")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        '[tool.hatch.build.targets.wheel]\npackages = ["src/example_project"]\n',
        '[tool.hatch.build.targets.wheel]\npackages = ["src/example_project"]\n\n'
        '[tool.hatch.build.targets.wheel.hooks.aicontainer]\n',
    ))
    assert "hooks.aicontainer" in pyproject.read_text()
    env = hatch_env(
        plugin_wheelhouse, tmp_path / "hatch", tmp_path / "cache",
        AICONTAINER_BASE_IMAGE=base_image_ref,
        AICONTAINER_PUSH_TO=f"{registry.host}/hooks/{{name}}:{{version}}",
        PYTHONDONTWRITEBYTECODE="1",  # as in many CI images: the plugin keeps its imports' bytecode in its cache
    )
    for name in ("AICONTAINER_REGISTRY_USERNAME", "AICONTAINER_REGISTRY_PASSWORD", "AICONTAINER_PUSH", "AICONTAINER_LOAD"):
        env.pop(name, None)

    sdist_only = hatch_build(project, env, "sdist")
    assert sdist_only.returncode == 0, sdist_only.stderr[-3000:]
    assert sdist_only.dist_entries == ["example_project-0.1.0.tar.gz"]

    run = hatch_build(project, env, "wheel")
    assert run.returncode == 0, run.stderr[-3000:]
    archive = "example_project-0.1.0-py311-tf2.16.1-cpu-amd64.oci.tar"
    wheel = "example_project-0.1.0-py3-none-any.whl"
    assert {wheel, archive, archive + ".json", archive + ".digest"} <= set(run.dist_entries)  # (other outputs, e.g. an SBOM, may be there too)
    assert not [name for name in run.dist_entries if name.startswith(".")]  # nothing half-written
    dist = project / "dist"
    record = json.loads((dist / (archive + ".json")).read_text())
    digest = (dist / (archive + ".digest")).read_text().strip()
    ref = f"{registry.host}/hooks/example-project:0.1.0"
    assert record["digest"] == digest
    assert record["pushed"] == [f"{ref}@{digest}"]
    assert skopeo_digest(ref) == digest
    assert record["pinned"]["tensorflow"] == "2.16.1" and record["pinned"]["python"].startswith("3.11.")
    assert record["platforms"][0]["lock_file"] == "pylock.aicontainer-py311-amd64-cpu.toml"
    # the image holds the project installed from that very wheel
    with zipfile.ZipFile(dist / wheel) as zf:
        wheel_metadata = zf.read("example_project-0.1.0.dist-info/METADATA")
    installed = file_in_image(dist / archive, "opt/venv/lib/python3.11/site-packages/example_project-0.1.0.dist-info/METADATA",
                              tmp_path / "copied")
    assert installed == wheel_metadata

    # the same settings as the container target: the same image, digest for digest
    for entry in dist.iterdir():
        if entry.name.endswith((".json", ".digest")):
            entry.unlink()
    os.link(dist / archive, tmp_path / "from-hook.oci.tar")
    env_no_push = {k: v for k, v in env.items() if k != "AICONTAINER_PUSH_TO"}
    container = hatch_build(project, env_no_push, "container")
    assert container.returncode == 0, container.stderr[-3000:]
    assert (dist / (archive + ".digest")).read_text().strip() == digest, image_differences(
        tmp_path / "from-hook.oci.tar", dist / archive)
    assert json.loads((dist / (archive + ".json")).read_text())["pushed"] == []
    # the builds' imports (the hook's and the builder's) left their bytecode in the plugin's cache, none
    # in hatch's build environment
    cached = {p.name.split(".")[0] for p in (tmp_path / "cache" / "bytecode").rglob("hatch_aicontainer/plugin/*.pyc")}
    assert {"run", "configure"} <= cached, cached
    assert not list((tmp_path / "hatch").rglob("hatch_aicontainer/**/__pycache__"))
    shutil.rmtree(tmp_path / "copied", ignore_errors=True)
    os.sync()
