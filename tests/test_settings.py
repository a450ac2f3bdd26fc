"""[tool.aicontainer] → Settings (hatch_aicontainer.config.settings): defaults, overrides, and one-line errors."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hatch_aicontainer.config.naming import render_tags
from hatch_aicontainer.config.settings import (
    HATCHLING_TARGET_OPTIONS,
    Healthcheck,
    IncludeSpec,
    ProjectInfo,
    Settings,
    User,
    base_image_problem,
    load_settings,
)
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.descriptor import Platform

T = "tool.aicontainer"
TGT = "tool.hatch.build.targets.container"

PROJECT = ProjectInfo(
    name="Example_Project",
    version="1.2.0",
    requires_python=">=3.10",
    dependencies=("numpy<3",),
    scripts={"example-project": "example_project.cli:main"},
    root=Path("/work/example_project"),
)


def load(table: dict[str, Any], project: ProjectInfo = PROJECT, environ: dict[str, str] | None = None, **kwargs: Any) -> Settings:
    return load_settings(table, project, environ or {}, **kwargs)


def tf(**more: Any) -> dict[str, Any]:
    return {"tensorflow": "2.16.1", **more}


# --- valid settings: resolved values -------------------------------------------------------------


def test_defaults_derived_from_the_project():
    s = load({"tensorflow": "2.16.1"})
    assert s.python == "3.12"  # newest Python in requires-python (>=3.10) that TF 2.16 supports
    assert s.version_of("tensorflow") == "2.16.1" and s.pin("tensorflow").spec == "==2.16.1"
    assert s.accelerator == "cpu"
    assert s.platforms == (Platform("linux", "amd64"),)
    assert str(s.base_image) == "python:3.12-slim-bookworm" and not s.base_image_from_env
    assert s.base_image.transport == "docker" and str(s.base_image.reference) == "docker.io/library/python:3.12-slim-bookworm"
    assert s.entrypoint is None  # chosen from the wheel at build time (tests/test_entrypoint.py)
    assert s.cmd == ()
    assert dict(s.env) == {} and dict(s.labels) == {}
    assert s.workdir == "/app"
    assert s.user == User("10001:10001", 10001, 10001)
    assert s.ports == () and s.include == () and s.dependencies == ()
    assert (s.index_url, s.extra_index_urls, s.find_links) == (None, (), ())
    assert (s.compression, s.compression_level) == ("gzip", None)
    assert s.name == "example-project"
    assert s.tags == ("{version}",) and render_tags(s, s.project, s.targets[0]) == ("example-project:1.2.0",)
    assert s.healthcheck is None
    assert s.warnings == ()
    (target,) = s.targets
    assert target.framework("tensorflow").requirement == "tensorflow-cpu==2.16.1" and target.python == "3.12" and target.framework("tensorflow").known
    assert s.origins["python"] == "default" and s.origins["tensorflow"] == T
    assert s.key("python") == f"{T}.python"


def test_python_default_respects_requires_python():
    assert load(tf(), replace(PROJECT, requires_python=">=3.9,<3.11")).python == "3.10"
    assert load(tf(), replace(PROJECT, requires_python=None)).python == "3.12"
    assert load({"tensorflow": "2.21.0"}, replace(PROJECT, requires_python=None)).python == "3.13"
    assert load({"tensorflow": "2.15.1"}).python == "3.11"


def test_exact_python_pin_carries_into_the_base_tag():
    s = load(tf(python="3.11.9"))
    assert s.python == "3.11.9"
    assert str(s.base_image) == "python:3.11.9-slim-bookworm"
    assert s.targets[0].python == "3.11.9" and s.targets[0].python_minor == "3.11"


def test_patch_release_matches_its_line():
    s = load({"tensorflow": "2.15.1", "python": "3.11"})
    (target,) = s.targets
    assert target.framework("tensorflow").line == "2.15" and target.framework("tensorflow").requirement == "tensorflow-cpu==2.15.1"
    assert load({"tensorflow": "==2.16.2"}).version_of("tensorflow") == "2.16.2"


def test_unknown_newer_tensorflow_is_cpu_with_a_warning():
    s = load({"tensorflow": "2.22.0"}, replace(PROJECT, requires_python=None))
    assert s.python == "3.13"  # assumed from the newest known line
    (target,) = s.targets
    assert target.framework("tensorflow").known is False and target.framework("tensorflow").requirement == "tensorflow-cpu==2.22.0"
    (warning,) = s.warnings
    assert "2.22.0" in warning and "\n" not in warning


def test_environment_overrides_base_image():
    s = load(tf(**{"base-image": "python:3.12-slim"}), environ={"AICONTAINER_BASE_IMAGE": "127.0.0.1:5000/library/python:3.12-slim-bookworm"})
    assert str(s.base_image) == "127.0.0.1:5000/library/python:3.12-slim-bookworm"
    assert s.base_image_from_env
    assert s.key("base-image") == "AICONTAINER_BASE_IMAGE"
    # an empty variable does not count
    s = load(tf(), environ={"AICONTAINER_BASE_IMAGE": ""})
    assert str(s.base_image) == "python:3.12-slim-bookworm" and not s.base_image_from_env


@pytest.mark.parametrize(
    ("spec", "transport"),
    [
        ("python:3.11-slim-bookworm", "docker"),
        ("docker.io/library/python:3.11@sha256:" + "a" * 64, "docker"),
        ("127.0.0.1:5000/library/python:3.11-slim", "docker"),
        ("localhost:5000/python", "docker"),
        ("docker://python:3.11", "docker"),
        ("[::1]:5000/python:3.11", "docker"),
        ("oci:images/python:3.11", "oci"),
        ("oci-archive:/tmp/python.tar", "oci-archive"),
        ("docker-archive:python.tar:python:3.11", "docker-archive"),
    ],
)
def test_base_image_forms(spec, transport):
    s = load(tf(**{"base-image": spec}))
    assert str(s.base_image) == spec and s.base_image.transport == transport
    assert s.base_image.is_local == (transport != "docker")
    assert base_image_problem(spec) is None


@pytest.mark.parametrize("spec", ["python@sha512:" + "a" * 128, "python@md5:" + "a" * 32])
def test_the_check_takes_only_the_references_the_build_resolves(spec):
    """One grammar: the settings check used its own pattern, which let any digest algorithm through
    that the build's reference parser (sha256 only) then refused."""
    with pytest.raises(ConfigError, match="not an image reference.*sha256"):
        load(tf(**{"base-image": spec}))


def test_target_overrides():
    table = tf(env={"A": "1", "B": "2"}, labels={"team": "ml"}, include=["models/*.keras"], dependencies=["pillow"])
    overrides = {
        "accelerator": "cuda",
        "env": {"B": "3"},
        "image-include": [{"source": "weights/big.h5", "destination": "/models/big.h5"}],
        "image-dependencies": ["nvidia-ml-py"],
        # hatchling's own options: ignored by us
        "dependencies": ["hatch-aicontainer"],
        "include": ["src"],
        "exclude": ["tests"],
        "hooks": {"custom": {}},
        "versions": ["standard"],
        "directory": "dist",
        "reproducible": True,
    }
    s = load(table, target_overrides=overrides, target_name="container")
    assert s.accelerator == "cuda"
    assert dict(s.env) == {"A": "1", "B": "3", "NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}
    assert dict(s.labels) == {"team": "ml"}
    assert s.include == (IncludeSpec("weights/big.h5", "/models/big.h5"),)
    assert s.dependencies == ("nvidia-ml-py",)
    (target,) = s.targets
    assert target.framework("tensorflow").requirement == "tensorflow[and-cuda]==2.16.1" and (target.framework("tensorflow").cuda, target.framework("tensorflow").cudnn) == ("12.3", "8.9")
    assert s.key("accelerator") == f"{TGT}.accelerator"
    assert s.key("include") == f"{TGT}.image-include"
    assert s.key("python") == f"{T}.python"
    assert any("image-include" in w for w in s.warnings)  # `include` there is hatchling's


def test_target_name_in_keys():
    with pytest.raises(ConfigError) as info:
        load(tf(), target_overrides={"python": "3.13"}, target_name="container-gpu")
    assert str(info.value).startswith('tool.hatch.build.targets.container-gpu.python = "3.13": ')


def test_every_hatchling_option_is_exempt():
    overrides = {name: None for name in HATCHLING_TARGET_OPTIONS}
    assert load(tf(), target_overrides=overrides).python == "3.12"


def test_multi_platform_targets():
    s = load(tf(platforms=["linux/amd64", "linux/arm64/v8"]))
    assert [t.framework("tensorflow").requirement for t in s.targets] == ["tensorflow-cpu==2.16.1", "tensorflow==2.16.1"]
    assert s.target_for(Platform("linux", "arm64", "v8")).framework("tensorflow").distribution == "tensorflow"


def test_cuda_keeps_user_nvidia_env():
    s = load(tf(accelerator="cuda", env={"NVIDIA_VISIBLE_DEVICES": "0"}))
    assert s.env["NVIDIA_VISIBLE_DEVICES"] == "0" and s.env["NVIDIA_DRIVER_CAPABILITIES"] == "compute,utility"


def test_image_settings_resolved():
    s = load(
        tf(
            entrypoint=["example-project", "serve"],
            cmd=["--port", ""],
            env={"TF_CPP_MIN_LOG_LEVEL": "2"},
            workdir="/srv/app/",
            user="app:app",
            labels={"org.example.team": "ml"},
            ports=[8080, "9090", "53/udp", "8080/tcp"],
            include=["models/*.keras", "data/vocab.txt", "./assets/", {"source": "conf/**/*.toml", "destination": "/etc/app"}],
            dependencies=["gunicorn>=22", "pillow"],
            **{
                "index-url": "https://pypi.example.com/simple",
                "extra-index-urls": ["https://download.example.com/simple"],
                "find-links": ["wheels/"],
                "compression": "zstd",
                "compression-level": 19,
            },
            name="registry.example.com/team/example-project",
            tags=["{version}", "{version}-py{python}-tf{tensorflow}-{accelerator}", "latest"],
            healthcheck={"test": ["python", "-m", "example_project.health"], "interval": "30s", "timeout": "500ms", "start-period": "1m30s", "retries": 3},
        )
    )
    assert s.entrypoint == ("example-project", "serve") and s.cmd == ("--port", "")
    assert s.workdir == "/srv/app" and s.user == User("app:app", None, None, "app", "app")
    assert s.ports == ("8080/tcp", "9090/tcp", "53/udp")
    assert s.include == (
        IncludeSpec("models/*.keras", "/srv/app/models"),
        IncludeSpec("data/vocab.txt", "/srv/app/data/vocab.txt"),
        IncludeSpec("assets", "/srv/app/assets"),
        IncludeSpec("conf/**/*.toml", "/etc/app"),
    )
    assert s.include[3].destination_for("conf/a/b.toml") == "/etc/app/a/b.toml"
    assert s.include[2].destination_for("assets/x/y.png") == "/srv/app/assets/x/y.png"
    assert s.include[1].destination_for("data/vocab.txt") == "/srv/app/data/vocab.txt"
    assert s.dependencies == ("gunicorn>=22", "pillow")
    assert s.index_url == "https://pypi.example.com/simple"
    assert s.compression == "zstd" and s.compression_level == 19
    assert s.name == "registry.example.com/team/example-project"
    assert render_tags(s, s.project, s.targets[0]) == tuple(
        f"registry.example.com/team/example-project:{t}" for t in ("1.2.0", "1.2.0-py3.12-tf2.16.1-cpu", "latest")
    )
    assert s.healthcheck == Healthcheck(("CMD", "python", "-m", "example_project.health"), 30 * 10**9, 500 * 10**6, 90 * 10**9, 3)
    assert dict(s.healthcheck) == {
        "Test": ["CMD", "python", "-m", "example_project.health"],
        "Interval": 30 * 10**9,
        "Timeout": 500 * 10**6,
        "StartPeriod": 90 * 10**9,
        "Retries": 3,
    }


def test_tags_sanitize_local_versions():
    s = load(tf(tags=["{version}", "{name}-{platform}"], platforms=["linux/amd64", "linux/arm64"]), replace(PROJECT, version="1.0+g1234"))
    assert render_tags(s, s.project, s.targets[0]) == ("example-project:1.0-g1234", "example-project:example-project-amd64-arm64")


@pytest.mark.parametrize(
    "table",
    [
        tf(name="registry.example.com/team/app", tags=["{name}-x"]),  # the check once rendered registry.example.com-team-app-x
        tf(tags=["{version}" + "x" * 130]),  # the check once cut the tag to 128 characters
    ],
)
def test_check_rejects_the_tags_the_build_rejects(table):
    with pytest.raises(ConfigError, match=r"tags\[0\]"):
        load(table)


def test_check_and_build_render_one_tag():
    """The build once rejected the epoch's "!" that the check made "-"; both use naming.render_tag now."""
    s = load(tf(tags=["{version}-{platform}"]), project=replace(PROJECT, version="1!1.0+local"))
    assert render_tags(s, s.project, s.targets[0]) == ("example-project:1-1.0-local-amd64",)


def test_project_tensorflow_requirement_admits_the_pin():
    project = replace(PROJECT, dependencies=("tensorflow>=2.15,<2.17", "numpy"))
    assert load(tf(), project).version_of("tensorflow") == "2.16.1"
    # a requirement whose marker does not apply to the Linux target is not a constraint
    project = replace(PROJECT, dependencies=("tensorflow<2.0; sys_platform == 'darwin'", "tensorflow-cpu>=2.16; platform_machine == 'x86_64'"))
    assert load(tf(), project).version_of("tensorflow") == "2.16.1"


@pytest.mark.parametrize("distribution", ["tensorflow-cpu", "tensorflow-intel"])
def test_tensorflow_distributions_are_pinned_by_the_tensorflow_key(distribution):
    """tensorflow-intel was missing from the settings' copy of the list (compat has the one list now)."""
    with pytest.raises(ConfigError, match="TensorFlow is pinned by"):
        load(tf(dependencies=[f"{distribution}==2.16.1"]))


@pytest.mark.parametrize("distribution", ["tensorflow", "tensorflow-intel"])
def test_a_project_dependency_on_any_tensorflow_distribution_must_admit_the_pin(distribution):
    with pytest.raises(ConfigError, match="versions matching >=2.17"):
        load(tf(), project=replace(PROJECT, dependencies=(f"{distribution}>=2.17",)))


def test_ranges_are_refused_unless_the_caller_resolves_them():
    with pytest.raises(ConfigError, match="needs resolution at lock time"):
        load({"tensorflow": "~=2.16.0"})
    s = load({"tensorflow": "~=2.16.0"}, allow_ranges=True)
    assert (s.version_of("tensorflow"), s.pin("tensorflow").spec, s.targets) == (None, "~=2.16.0", ())
    assert s.python == "3.12"
    resolved = load({"tensorflow": "~=2.16.0"}, resolved={"tensorflow": "2.16.2"})
    assert resolved.version_of("tensorflow") == "2.16.2" and resolved.pin("tensorflow").spec == "~=2.16.0" and resolved.python == s.python
    assert resolved.targets[0].framework("tensorflow").requirement == "tensorflow-cpu==2.16.2"
    wide = load({"tensorflow": ">=2.15"}, replace(PROJECT, requires_python=None), allow_ranges=True)
    assert wide.python == "3.13" and wide.warnings == ()
    newer = load({"tensorflow": ">=2.15"}, replace(PROJECT, requires_python=None), resolved={"tensorflow": "2.22.0"})
    assert newer.python == "3.13" and newer.targets[0].framework("tensorflow").known is False and newer.warnings
    # only newer-than-known releases: allowed for CPU, with a warning
    future = load({"tensorflow": ">=2.22"}, replace(PROJECT, requires_python=None), allow_ranges=True)
    assert future.python == "3.13" and future.warnings


def test_settings_are_frozen():
    s = load(tf())
    with pytest.raises(AttributeError):
        s.python = "3.11"  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.env["X"] = "1"  # type: ignore[index]


# --- invalid settings: one line naming the key and the value ------------------------------------

# (id, table, extra load() kwargs, key the message starts with, value as shown (None: no value), fragment)
INVALID: list[tuple[str, dict[str, Any], dict[str, Any], str, str | None, str]] = [
    ("py313-tf216", tf(python="3.13"), {}, f"{T}.python", '"3.13"', "allowed: 3.9, 3.10, 3.11, 3.12"),
    ("py39-tf221", {"tensorflow": "2.21.0", "python": "3.9"}, {"project": replace(PROJECT, requires_python=None)}, f"{T}.python", '"3.9"', "allowed: 3.10, 3.11, 3.12, 3.13"),
    ("cuda-tf213", {"tensorflow": "2.13.0", "python": "3.11", "accelerator": "cuda"}, {}, f"{T}.accelerator", '"cuda"', "first shipped in 2.14"),
    ("cuda-arm64", tf(accelerator="cuda", platforms=["linux/arm64"]), {}, f"{T}.accelerator", '"cuda"', 'not available for platform "linux/arm64"'),
    ("cuda-unknown-tf", {"tensorflow": "2.99.0", "accelerator": "cuda"}, {}, f"{T}.accelerator", '"cuda"', "CUDA/cuDNN versions are unknown"),
    ("accelerator-gpu", tf(accelerator="gpu"), {}, f"{T}.accelerator", '"gpu"', 'allowed: "cpu", "cuda"'),
    ("accelerator-type", tf(accelerator=True), {}, f"{T}.accelerator", "true", "must be a string"),
    ("entrypoint-empty", tf(entrypoint=[]), {}, f"{T}.entrypoint", "[]", "must not be empty"),
    ("entrypoint-empty-item", tf(entrypoint=[""]), {}, f"{T}.entrypoint[0]", '""', "must not be empty"),
    ("entrypoint-string", tf(entrypoint="example-project"), {}, f"{T}.entrypoint", '"example-project"', "must be an array of strings"),
    ("entrypoint-int-item", tf(entrypoint=["app", 3]), {}, f"{T}.entrypoint[1]", "3", "must be a string"),
    ("cmd-string", tf(cmd="--port 8080"), {}, f"{T}.cmd", '"--port 8080"', "must be an array of strings"),
    ("env-int", tf(env={"WORKERS": 4}), {}, f"{T}.env.WORKERS", "4", 'values must be strings, not an integer (write "4")'),
    ("env-bool", tf(env={"DEBUG": True}), {}, f"{T}.env.DEBUG", "true", "values must be strings"),
    ("env-bad-name", tf(env={"1BAD": "x"}), {}, f'{T}.env.1BAD', '"x"', "not a valid environment variable name"),
    ("env-not-table", tf(env=["A=1"]), {}, f"{T}.env", '["A=1"]', "must be a table of strings"),
    ("labels-int", tf(labels={"build": 7}), {}, f"{T}.labels.build", "7", "values must be strings"),
    ("port-zero", tf(ports=[0]), {}, f"{T}.ports[0]", "0", "port out of range"),
    ("port-too-big", tf(ports=[8080, 70000]), {}, f"{T}.ports[1]", "70000", "allowed: port numbers 1–65535"),
    ("port-proto", tf(ports=["53/sctp"]), {}, f"{T}.ports[0]", '"53/sctp"', "not a port"),
    ("port-bool", tf(ports=[True]), {}, f"{T}.ports[0]", "true", "must be an integer or a string"),
    ("ports-not-array", tf(ports=8080), {}, f"{T}.ports", "8080", "must be an array"),
    ("user-space", tf(user="app user"), {}, f"{T}.user", '"app user"', "not a user name or uid[:gid]"),
    ("user-trailing-colon", tf(user="1000:"), {}, f"{T}.user", '"1000:"', "not a user name or uid[:gid]"),
    ("user-huge-uid", tf(user="99999999999"), {}, f"{T}.user", '"99999999999"', "out of range"),
    ("user-int", tf(user=1000), {}, f"{T}.user", "1000", "must be a string"),
    ("base-image-uppercase", tf(**{"base-image": "Python:3.11"}), {}, f"{T}.base-image", '"Python:3.11"', "repository name must be lowercase"),
    ("base-image-space", tf(**{"base-image": "python:3.11 slim"}), {}, f"{T}.base-image", '"python:3.11 slim"', "not an image reference"),
    ("base-image-url", tf(**{"base-image": "https://ghcr.io/python:3.11"}), {}, f"{T}.base-image", '"https://ghcr.io/python:3.11"', "no URL scheme"),
    ("base-image-oci-no-path", tf(**{"base-image": "oci:"}), {}, f"{T}.base-image", '"oci:"', "needs a path"),
    ("base-image-bad-digest", tf(**{"base-image": "python@sha256:abc"}), {}, f"{T}.base-image", '"python@sha256:abc"', "not an image reference"),
    ("base-image-env", tf(), {"environ": {"AICONTAINER_BASE_IMAGE": "not a ref"}}, "AICONTAINER_BASE_IMAGE (environment; overrides tool.aicontainer.base-image)", '"not a ref"', "not an image reference"),
    ("include-parent", tf(include=["../secrets.txt"]), {}, f"{T}.include[0]", '"../secrets.txt"', "must stay inside the project root"),
    ("include-hidden-parent", tf(include=["models/../../x"]), {}, f"{T}.include[0]", '"models/../../x"', "must stay inside the project root"),
    ("include-absolute", tf(include=["/etc/passwd"]), {}, f"{T}.include[0]", '"/etc/passwd"', "must be relative to the project root"),
    ("include-table-parent", tf(include=[{"source": "../x"}]), {}, f"{T}.include[0].source", '"../x"', "must stay inside the project root"),
    ("include-dest-relative", tf(include=[{"source": "m.h5", "destination": "models/m.h5"}]), {}, f"{T}.include[0].destination", '"models/m.h5"', "must be an absolute path"),
    ("include-unknown-key", tf(include=[{"source": "m.h5", "dest": "/m.h5"}]), {}, f"{T}.include[0].dest", '"/m.h5"', f"did you mean {T}.include[0].destination?"),
    ("include-no-source", tf(include=[{"destination": "/m.h5"}]), {}, f"{T}.include[0]", '{ destination = "/m.h5" }', "missing source"),
    ("include-int", tf(include=[5]), {}, f"{T}.include[0]", "5", "must be a string or a table"),
    ("include-whole-project", tf(include=["."]), {}, f"{T}.include[0]", '"."', "names the whole project"),
    ("unknown-key", tf(**{"bas-image": "python:3.11"}), {}, f"{T}.bas-image", '"python:3.11"', f"unknown key; did you mean {T}.base-image?"),
    ("unknown-snake-case", tf(base_image="python:3.11"), {}, f"{T}.base_image", '"python:3.11"', f"(keys are kebab-case); did you mean {T}.base-image?"),
    ("unknown-no-suggestion", tf(zzz=1), {}, f"{T}.zzz", "1", "unknown key; allowed: python, tensorflow"),
    ("unknown-target-key", tf(), {"target_overrides": {"acelerator": "cuda"}}, f"{TGT}.acelerator", '"cuda"', f"did you mean {TGT}.accelerator?"),
    ("target-name-in-main-table", tf(**{"image-include": ["m.h5"]}), {}, f"{T}.image-include", '["m.h5"]', f"did you mean {T}.include?"),
    ("target-python", tf(), {"target_overrides": {"python": "3.13"}}, f"{TGT}.python", '"3.13"', "does not support Python 3.13"),
    ("target-env-int", tf(env={"A": "1"}), {"target_overrides": {"env": {"B": 2}}}, f"{TGT}.env.B", "2", "values must be strings"),
    ("target-image-include", tf(), {"target_overrides": {"image-include": ["../x"]}}, f"{TGT}.image-include[0]", '"../x"', "inside the project root"),
    ("python-float", tf(python=3.11), {}, f"{T}.python", "3.11", "must be a string"),
    ("python-major-only", tf(python="3"), {}, f"{T}.python", '"3"', "not a Python version"),
    ("python-2", tf(python="2.7"), {}, f"{T}.python", '"2.7"', "not a Python version"),
    ("python-outside-requires", tf(python="3.9"), {}, f"{T}.python", '"3.9"', 'outside project.requires-python = ">=3.10"; allowed: 3.10, 3.11, 3.12'),
    ("requires-python-excludes-tf", tf(), {"project": replace(PROJECT, requires_python=">=3.13")}, f"{T}.tensorflow", '"2.16.1"', 'none of which project.requires-python = ">=3.13" admits'),
    ("tensorflow-missing", {"python": "3.11"}, {}, f"{T}", None, "no framework is pinned"),
    ("tensorflow-float", {"tensorflow": 2.16}, {}, f"{T}.tensorflow", "2.16", "must be a string"),
    ("tensorflow-older", {"tensorflow": "2.9.0"}, {}, f"{T}.tensorflow", '"2.9.0"', "known lines: 2.10 … 2.21"),
    ("tensorflow-1x", {"tensorflow": "1.15.5"}, {}, f"{T}.tensorflow", '"1.15.5"', "not a TensorFlow release this plugin knows"),
    ("tensorflow-garbage", {"tensorflow": "latest"}, {}, f"{T}.tensorflow", '"latest"', "not a version or version range"),
    ("tensorflow-not-exact", {"tensorflow": "2.16"}, {}, f"{T}.tensorflow", '"2.16"', 'allowed: "2.16.1" (a 2.16 release)'),
    ("tensorflow-not-exact-ranges", {"tensorflow": "2.17"}, {"allow_ranges": True}, f"{T}.tensorflow", '"2.17"', 'allowed: "2.17.0" or "~=2.17.0"'),
    ("tensorflow-range-no-release", {"tensorflow": "~=1.15.0"}, {"allow_ranges": True}, f"{T}.tensorflow", '"~=1.15.0"', "admits no TensorFlow release"),
    ("tensorflow-range-cuda-old", {"tensorflow": "~=2.13.0", "accelerator": "cuda"}, {"allow_ranges": True}, f"{T}.accelerator", '"cuda"', 'got tensorflow = "~=2.13.0"'),
    ("tensorflow-resolved-outside", {"tensorflow": "~=2.16.0"}, {"resolved": {"tensorflow": "2.17.0"}}, f"{T}.tensorflow", '"~=2.16.0"', "outside this range"),
    ("tensorflow-outside-project-dep", tf(), {"project": replace(PROJECT, dependencies=("tensorflow>=2.15,<2.16",))}, f"{T}.tensorflow", '"2.16.1"', "outside the project's own requirement"),
    ("platform-unsupported", tf(platforms=["linux/s390x"]), {}, f"{T}.platforms[0]", '"linux/s390x"', "allowed: linux/amd64, linux/arm64"),
    ("platform-malformed", tf(platforms=["amd64"]), {}, f"{T}.platforms[0]", '"amd64"', "not a platform"),
    ("platform-duplicate", tf(platforms=["linux/arm64", "linux/arm64/v8"]), {}, f"{T}.platforms[1]", '"linux/arm64/v8"', "listed twice"),
    ("platforms-empty", tf(platforms=[]), {}, f"{T}.platforms", "[]", "at least one platform"),
    ("platforms-string", tf(platforms="linux/amd64"), {}, f"{T}.platforms", '"linux/amd64"', "must be an array of strings"),
    ("workdir-relative", tf(workdir="app"), {}, f"{T}.workdir", '"app"', "must be an absolute path"),
    ("workdir-dotdot", tf(workdir="/app/../etc"), {}, f"{T}.workdir", '"/app/../etc"', 'must not contain ".."'),
    ("dependencies-invalid", tf(dependencies=["numpy >>> 1"]), {}, f"{T}.dependencies[0]", '"numpy >>> 1"', "not a requirement"),
    ("dependencies-tensorflow", tf(dependencies=["tensorflow==2.15.0"]), {}, f"{T}.dependencies[0]", '"tensorflow==2.15.0"', "TensorFlow is pinned by tool.aicontainer.tensorflow"),
    ("index-url-ftp", tf(**{"index-url": "ftp://mirror/simple"}), {}, f"{T}.index-url", '"ftp://mirror/simple"', "not a URL"),
    ("extra-index-urls-string", tf(**{"extra-index-urls": "https://x/simple"}), {}, f"{T}.extra-index-urls", '"https://x/simple"', "must be an array of strings"),
    ("compression-xz", tf(compression="xz"), {}, f"{T}.compression", '"xz"', "unknown compression"),
    ("compression-level-range", tf(**{"compression-level": 9}), {}, f"{T}.compression-level", "9", "allowed: an integer 0–2 for gzip"),
    ("compression-level-cpu-dependent", tf(**{"compression-level": 3}), {}, f"{T}.compression-level", "3", "other bytes on other CPUs"),
    ("compression-level-string", tf(**{"compression-level": "3"}), {}, f"{T}.compression-level", '"3"', "must be an integer"),
    ("name-uppercase", tf(name="Example Project"), {}, f"{T}.name", '"Example Project"', "not an image name"),
    ("name-with-tag", tf(name="example:1.0"), {}, f"{T}.name", '"example:1.0"', "not an image name"),
    ("tags-placeholder", tf(tags=["{revision}"]), {}, f"{T}.tags[0]", '"{revision}"', "unknown placeholder {revision}"),
    ("tags-invalid-char", tf(tags=["v1 beta"]), {}, f"{T}.tags[0]", '"v1 beta"', "not a valid tag"),
    ("tags-braces", tf(tags=["{version"]), {}, f"{T}.tags[0]", '"{version"', "unbalanced braces"),
    ("healthcheck-duration", tf(healthcheck={"test": "true", "interval": "soon"}), {}, f"{T}.healthcheck.interval", '"soon"', "not a duration"),
    ("healthcheck-no-test", tf(healthcheck={"interval": "30s"}), {}, f"{T}.healthcheck", '{ interval = "30s" }', "missing test"),
    ("healthcheck-retries", tf(healthcheck={"test": "true", "retries": -1}), {}, f"{T}.healthcheck.retries", "-1", "must be an integer 0–1000"),
    ("healthcheck-unknown", tf(healthcheck={"test": "true", "intervall": "30s"}), {}, f"{T}.healthcheck.intervall", '"30s"', f"did you mean {T}.healthcheck.interval?"),
    ("newline-in-value", tf(user="a\nb"), {}, f"{T}.user", '"a\\nb"', "not a user name"),
    # [tool.aicontainer.kubernetes] (hatch_aicontainer/config/settings/kubernetes.py)
    ("k8s-not-table", tf(kubernetes=True), {}, f"{T}.kubernetes", "true", "must be a table"),
    ("k8s-unknown-key", tf(kubernetes={"replica": 2}), {}, f"{T}.kubernetes.replica", "2", f"did you mean {T}.kubernetes.replicas?"),
    ("k8s-replicas-negative", tf(kubernetes={"replicas": -1}), {}, f"{T}.kubernetes.replicas", "-1", "out of range"),
    ("k8s-replicas-string", tf(kubernetes={"replicas": "2"}), {}, f"{T}.kubernetes.replicas", '"2"', "must be an integer, not a string"),
    ("k8s-cpu-word", tf(kubernetes={"requests": {"cpu": "half"}}), {}, f"{T}.kubernetes.requests.cpu", '"half"', "not a Kubernetes quantity"),
    ("k8s-cpu-zero", tf(kubernetes={"requests": {"cpu": 0}}), {}, f"{T}.kubernetes.requests.cpu", "0", "must be more than zero"),
    ("k8s-memory-milli", tf(kubernetes={"limits": {"memory": "512m"}}), {}, f"{T}.kubernetes.limits.memory", '"512m"', "did you mean 512Mi?"),
    ("k8s-memory-lowercase-g", tf(kubernetes={"limits": {"memory": "1g"}}), {}, f"{T}.kubernetes.limits.memory", '"1g"', "not a Kubernetes quantity"),
    ("k8s-request-over-limit", tf(kubernetes={"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}}), {}, f"{T}.kubernetes.requests.memory", '"2Gi"', "more than tool.aicontainer.kubernetes.limits.memory"),
    ("k8s-gpu-in-limits", tf(kubernetes={"limits": {"nvidia.com/gpu": 1}}), {}, f'{T}.kubernetes.limits."nvidia.com/gpu"', "1", "GPUs are set with the gpu key"),
    ("k8s-resource-typo", tf(kubernetes={"requests": {"cpus": "1"}}), {}, f"{T}.kubernetes.requests.cpus", '"1"', f"did you mean {T}.kubernetes.requests.cpu?"),
    ("k8s-gpu-negative", tf(kubernetes={"gpu": -1}), {}, f"{T}.kubernetes.gpu", "-1", 'allowed: a number of GPUs 0–1024'),
    ("k8s-gpu-bool", tf(kubernetes={"gpu": True}), {}, f"{T}.kubernetes.gpu", "true", "must be an integer, not a boolean"),
    ("k8s-name-underscore", tf(kubernetes={"name": "My_App"}), {}, f"{T}.kubernetes.name", '"My_App"', "not a DNS-1035 label"),
    ("k8s-namespace-space", tf(kubernetes={"namespace": "ML Team"}), {}, f"{T}.kubernetes.namespace", '"ML Team"', "not a DNS-1123 label"),
    ("k8s-image-with-tag", tf(kubernetes={"image": "registry.example.com/app:1.0"}), {}, f"{T}.kubernetes.image", '"registry.example.com/app:1.0"', "no tag or digest"),
    ("k8s-port-zero", tf(kubernetes={"ports": [0]}), {}, f"{T}.kubernetes.ports[0]", "0", "allowed: port numbers 1–65535"),
    ("k8s-service-without-ports", tf(kubernetes={"service-type": "NodePort"}), {}, f"{T}.kubernetes.service-type", '"NodePort"', "no Service without ports"),
    ("k8s-service-type", tf(ports=[80], kubernetes={"service-type": "Ingress"}), {}, f"{T}.kubernetes.service-type", '"Ingress"', 'allowed: "ClusterIP", "NodePort", "LoadBalancer"'),
    ("k8s-probe-two-checks", tf(kubernetes={"liveness": {"http-get": "/h", "tcp-socket": 80}}), {}, f"{T}.kubernetes.liveness", '{ http-get = "/h", tcp-socket = 80 }', "names 2 checks"),
    ("k8s-probe-no-check", tf(kubernetes={"liveness": {"period": "10s"}}), {}, f"{T}.kubernetes.liveness", '{ period = "10s" }', "names no check"),
    ("k8s-probe-no-port", tf(kubernetes={"readiness": {"http-get": "/ready"}}), {}, f"{T}.kubernetes.readiness", '{ http-get = "/ready" }', "missing port"),
    ("k8s-probe-relative-path", tf(ports=[80], kubernetes={"readiness": {"http-get": "ready"}}), {}, f"{T}.kubernetes.readiness.http-get", '"ready"', "not an HTTP path"),
    ("k8s-probe-fraction", tf(kubernetes={"liveness": {"tcp-socket": 80, "period": "1500ms"}}), {}, f"{T}.kubernetes.liveness.period", '"1500ms"', "whole seconds"),
    ("k8s-probe-camel-case", tf(kubernetes={"liveness": {"tcp-socket": 80, "periodSeconds": 5}}), {}, f"{T}.kubernetes.liveness.periodSeconds", "5", f"did you mean {T}.kubernetes.liveness.period?"),
    ("k8s-probe-exec-port", tf(kubernetes={"liveness": {"exec": ["true"], "port": 80}}), {}, f"{T}.kubernetes.liveness.port", "80", "an exec probe has no port"),
    ("k8s-probe-exec-empty", tf(kubernetes={"liveness": {"exec": []}}), {}, f"{T}.kubernetes.liveness.exec", "[]", "must not be empty"),
    ("k8s-env-int", tf(kubernetes={"env": {"N": 1}}), {}, f"{T}.kubernetes.env.N", "1", 'values must be strings, not an integer (write "1")'),
    ("k8s-target-table", tf(), {"target_overrides": {"kubernetes": {"replicas": "x"}}}, f"{TGT}.kubernetes.replicas", '"x"', "must be an integer"),
    # release outputs (push / load / oci-layout / latest) and their environment overrides
    ("push-string", tf(push="127.0.0.1:5000/app"), {}, f"{T}.push", '"127.0.0.1:5000/app"', "must be an array of strings"),
    ("push-placeholder", tf(push=["127.0.0.1:5000/{team}/app"]), {}, f"{T}.push[0]", '"127.0.0.1:5000/{team}/app"', "unknown placeholder {team}"),
    ("push-uppercase", tf(push=["127.0.0.1:5000/Team/{name}"]), {}, f"{T}.push[0]", '"127.0.0.1:5000/Team/{name}"', "repository name must be lowercase"),
    ("push-second-item", tf(push=["127.0.0.1:5000/{name}", "127.0.0.1:5000/{name}:"]), {}, f"{T}.push[1]", '"127.0.0.1:5000/{name}:"', "invalid tag"),
    ("push-digest", tf(push=["127.0.0.1:5000/app@sha256:" + "a" * 64]), {}, f"{T}.push[0]", '"127.0.0.1:5000/app@sha256:' + "a" * 64 + '"', "a push reference has no digest"),
    ("push-url", tf(push=["https://127.0.0.1:5000/app"]), {}, f"{T}.push[0]", '"https://127.0.0.1:5000/app"', "no scheme"),
    ("push-braces", tf(push=["127.0.0.1:5000/{name"]), {}, f"{T}.push[0]", '"127.0.0.1:5000/{name"', "unbalanced braces"),
    ("load-string", tf(load="yes"), {}, f"{T}.load", '"yes"', "must be a boolean, not a string"),
    ("oci-layout-int", tf(**{"oci-layout": 1}), {}, f"{T}.oci-layout", "1", "must be a boolean, not an integer"),
    ("latest-string", tf(latest="true"), {}, f"{T}.latest", '"true"', "must be a boolean"),
    ("target-push", tf(), {"target_overrides": {"push": ["x/{nope}"]}}, f"{TGT}.push[0]", '"x/{nope}"', "unknown placeholder {nope}"),
    ("target-load", tf(), {"target_overrides": {"load": "1"}}, f"{TGT}.load", '"1"', "must be a boolean"),
    ("env-push-not-bool", tf(), {"environ": {"AICONTAINER_PUSH": "maybe"}}, "AICONTAINER_PUSH (environment)", '"maybe"', "not a boolean; allowed: 1, 0, true, false"),
    ("env-load-not-bool", tf(), {"environ": {"AICONTAINER_LOAD": "2"}}, "AICONTAINER_LOAD (environment)", '"2"', "not a boolean"),
    ("env-layout-not-bool", tf(), {"environ": {"AICONTAINER_OCI_LAYOUT": "y"}}, "AICONTAINER_OCI_LAYOUT (environment)", '"y"', "not a boolean"),
    ("env-latest-not-bool", tf(), {"environ": {"AICONTAINER_LATEST": "latest"}}, "AICONTAINER_LATEST (environment)", '"latest"', "not a boolean"),
    ("archive-string", tf(archive="no"), {}, f"{T}.archive", '"no"', "must be a boolean, not a string"),
    ("archive-false-no-push", tf(archive=False), {}, f"{T}.archive", "false", "no push is configured, so the build would leave no image"),
    ("archive-false-load", tf(archive=False, load=True, push=["127.0.0.1:5000/{name}"]), {}, f"{T}.archive", "false", f"{T}.load needs the archive"),
    ("env-archive-off-layout", tf(push=["127.0.0.1:5000/{name}"]), {"environ": {"AICONTAINER_ARCHIVE": "0", "AICONTAINER_OCI_LAYOUT": "1"}}, "AICONTAINER_ARCHIVE (environment)", '"0"', "AICONTAINER_OCI_LAYOUT needs the archive"),
    ("env-archive-not-bool", tf(), {"environ": {"AICONTAINER_ARCHIVE": "none"}}, "AICONTAINER_ARCHIVE (environment)", '"none"', "not a boolean"),
    # the registry cache: where to read entries (cache-from) and whether a push writes them (cache-to)
    ("cache-to-string", tf(**{"cache-to": "no"}), {}, f"{T}.cache-to", '"no"', "must be a boolean, not a string"),
    ("env-cache-to-not-bool", tf(), {"environ": {"AICONTAINER_CACHE_TO": "never"}}, "AICONTAINER_CACHE_TO (environment)", '"never"', "not a boolean"),
    ("cache-from-string", tf(**{"cache-from": "127.0.0.1:5000/team/app"}), {}, f"{T}.cache-from", '"127.0.0.1:5000/team/app"', "must be an array of strings"),
    ("cache-from-tag", tf(**{"cache-from": ["127.0.0.1:5000/ok", "127.0.0.1:5000/team/app:1"]}), {}, f"{T}.cache-from[1]", '"127.0.0.1:5000/team/app:1"', "names a tag or digest"),
    ("env-cache-from-comma", tf(), {"environ": {"AICONTAINER_CACHE_FROM": "127.0.0.1:5000/a,"}}, "AICONTAINER_CACHE_FROM (environment)", '"127.0.0.1:5000/a,"', "an empty repository (a stray comma)"),
    ("env-cache-from-upper", tf(), {"environ": {"AICONTAINER_CACHE_FROM": "127.0.0.1:5000/Team"}}, "AICONTAINER_CACHE_FROM (environment)", '"127.0.0.1:5000/Team"', "not a registry repository"),
    ("env-push-nowhere", tf(), {"environ": {"AICONTAINER_PUSH": "1"}}, "AICONTAINER_PUSH (environment)", '"1"', "no push reference is configured"),
    ("env-push-to-invalid", tf(push=["127.0.0.1:5000/{name}"]), {"environ": {"AICONTAINER_PUSH_TO": "127.0.0.1:5000/ok:1, bad ref"}}, "AICONTAINER_PUSH_TO (environment; overrides tool.aicontainer.push)", '"bad ref"', "not an image reference once rendered"),
    ("env-push-to-placeholder", tf(), {"environ": {"AICONTAINER_PUSH_TO": "127.0.0.1:5000/{branch}"}}, "AICONTAINER_PUSH_TO (environment; overrides tool.aicontainer.push)", '"127.0.0.1:5000/{branch}"', "unknown placeholder {branch}"),
]


@pytest.mark.parametrize(("table", "kwargs", "key", "value", "fragment"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_settings(table, kwargs, key, value, fragment):
    kwargs = dict(kwargs)
    project = kwargs.pop("project", PROJECT)
    environ = kwargs.pop("environ", {})
    with pytest.raises(ConfigError) as info:
        load_settings(table, project, environ, **kwargs)
    message = str(info.value)
    assert len(message.splitlines()) == 1, message
    prefix = f"{key} = {value}: " if value is not None else f"{key}: "
    assert message.startswith(prefix), message
    assert fragment in message, message
    assert "allowed: " in message or "did you mean" in message, message


def test_invalid_table_is_large_and_distinct():
    assert len(INVALID) >= 40
    assert len({c[0] for c in INVALID}) == len(INVALID)
    assert len({(c[3], c[4], c[5]) for c in INVALID}) == len(INVALID)


# --- release outputs: settings and environment, table-driven -------------------------------------

REGISTRY_NAME = "registry.example.com/team/example-project"
# (id, table, environment, expected (push, push_enabled, load, oci_layout, latest), key("push"))
OUTPUT_CASES: list[tuple[str, dict[str, Any], dict[str, str], tuple, str]] = [
    ("defaults", tf(), {}, ((), False, False, False, False), f"{T}.push"),
    ("push-configured", tf(push=["127.0.0.1:5000/team/{name}:{version}"]), {},
     (("127.0.0.1:5000/team/{name}:{version}",), True, False, False, False), f"{T}.push"),
    ("push-switched-off", tf(push=["127.0.0.1:5000/team/{name}"]), {"AICONTAINER_PUSH": "0"},
     (("127.0.0.1:5000/team/{name}",), False, False, False, False), f"{T}.push"),
    ("push-switched-on-name-registry", tf(name=REGISTRY_NAME), {"AICONTAINER_PUSH": "true"},
     (("{name}",), True, False, False, False), f"{T}.push"),
    ("push-to-replaces", tf(push=["127.0.0.1:5000/team/{name}"]), {"AICONTAINER_PUSH_TO": "127.0.0.1:5001/a:{version}, 127.0.0.1:5001/b"},
     (("127.0.0.1:5001/a:{version}", "127.0.0.1:5001/b"), True, False, False, False), "AICONTAINER_PUSH_TO"),
    ("push-to-but-off", tf(), {"AICONTAINER_PUSH_TO": "127.0.0.1:5001/a", "AICONTAINER_PUSH": "no"},
     (("127.0.0.1:5001/a",), False, False, False, False), "AICONTAINER_PUSH_TO"),
    ("empty-env-ignored", tf(load=True), {"AICONTAINER_PUSH_TO": " ", "AICONTAINER_LOAD": "", "AICONTAINER_PUSH": ""},
     ((), False, True, False, False), f"{T}.push"),
    ("flags-from-toml", tf(load=True, latest=True, **{"oci-layout": True}), {}, ((), False, True, True, True), f"{T}.push"),
    ("env-flags-win", tf(load=True, latest=False), {"AICONTAINER_LOAD": "OFF", "AICONTAINER_LATEST": "Yes", "AICONTAINER_OCI_LAYOUT": "1"},
     ((), False, False, True, True), f"{T}.push"),
    ("placeholders", tf(push=["127.0.0.1:5000/{name}/py{python}:{tensorflow}-{accelerator}-{platform}"]), {},
     (("127.0.0.1:5000/{name}/py{python}:{tensorflow}-{accelerator}-{platform}",), True, False, False, False), f"{T}.push"),
]


@pytest.mark.parametrize(("table", "environ", "expected", "push_key"), [c[1:] for c in OUTPUT_CASES], ids=[c[0] for c in OUTPUT_CASES])
def test_release_outputs(table, environ, expected, push_key):
    outputs = load(table, environ=environ).outputs
    assert (outputs.push, outputs.push_enabled, outputs.load, outputs.oci_layout, outputs.latest) == expected
    assert load(table, environ=environ).key("push") == push_key


def test_release_outputs_per_target_and_origins():
    s = load(tf(push=["127.0.0.1:5000/{name}"]), target_overrides={"push": ["127.0.0.1:5000/gpu/{name}"], "load": True})
    assert s.outputs.push == ("127.0.0.1:5000/gpu/{name}",) and s.outputs.load
    assert s.key("push") == f"{TGT}.push"
    s = load(tf(), environ={"AICONTAINER_LOAD": "1", "AICONTAINER_PUSH": "0"})
    assert s.outputs.origins == {"load": "env:AICONTAINER_LOAD", "push-enabled": "env:AICONTAINER_PUSH"}
    assert s.key("load") == "AICONTAINER_LOAD"


@pytest.mark.parametrize(
    ("table", "environ", "archive"),
    [
        (tf(), {}, True),
        (tf(archive=False, push=["127.0.0.1:5000/{name}"]), {}, False),
        (tf(push=["127.0.0.1:5000/{name}"]), {"AICONTAINER_ARCHIVE": "off"}, False),
        (tf(archive=False), {"AICONTAINER_ARCHIVE": "1"}, True),  # the variable wins
        (tf(), {"AICONTAINER_ARCHIVE": "0", "AICONTAINER_PUSH_TO": "127.0.0.1:5000/a:1"}, False),
    ],
)
def test_archive_switch(table, environ, archive):
    assert load(table, environ=environ).outputs.archive is archive


@pytest.mark.parametrize(
    ("table", "environ", "cache_to"),
    [
        (tf(), {}, True),  # written on push unless turned off
        (tf(**{"cache-to": False}), {}, False),
        (tf(**{"cache-to": False}), {"AICONTAINER_CACHE_TO": "yes"}, True),  # the variable wins
        (tf(), {"AICONTAINER_CACHE_TO": "off"}, False),
    ],
)
def test_cache_to_switch(table, environ, cache_to):
    assert load(table, environ=environ).outputs.cache_to is cache_to


@pytest.mark.parametrize(
    ("table", "environ", "cache_from"),
    [
        (tf(), {}, None),  # unset: the push repositories
        (tf(**{"cache-from": []}), {}, ()),  # no registry cache at all
        (tf(**{"cache-from": ["127.0.0.1:5000/team/app", "127.0.0.1:5000/team/app"]}), {}, ("127.0.0.1:5000/team/app",)),
        (tf(**{"cache-from": ["docker.io/team/app"]}), {}, ("docker.io/team/app",)),
        (tf(**{"cache-from": ["127.0.0.1:5000/a"]}), {"AICONTAINER_CACHE_FROM": " 127.0.0.1:5000/b , host.example:5000/c "},
         ("127.0.0.1:5000/b", "host.example:5000/c")),  # the variable replaces the setting
    ],
)
def test_cache_from_repositories(table, environ, cache_from):
    assert load(table, environ=environ).outputs.cache_from == cache_from


def test_the_settings_package_re_exports_no_private_names():
    import hatch_aicontainer.config.settings as package

    assert [n for n in vars(package) if n.startswith("_") and not n.startswith("__")] == []
    assert all(hasattr(package, n) for n in package.__all__)


def test_one_error_format_for_settings_and_compat():
    """A mistake the settings find (compression) and one the compatibility data finds (Python 3.13 for
    TensorFlow 2.16) read alike: ``<key> = <value>: <problem>; allowed: <allowed>``, on one line."""
    from hatch_aicontainer.config.settings import values

    shape = re.compile(rf'{re.escape(T)}\.([a-z-]+) = "([^"]*)": [^;\n]+; allowed: [^\n]+')
    for table, key, value in ((tf(compression="xz"), "compression", "xz"), (tf(python="3.13"), "python", "3.13")):
        with pytest.raises(ConfigError) as info:
            load(table)
        found = shape.fullmatch(str(info.value))
        assert found is not None and found.groups() == (key, value), str(info.value)
    assert str(values.config_error("k", "v", "bad", "good")) == 'k = "v": bad; allowed: good'
