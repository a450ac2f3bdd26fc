"""Archive names, tags and labels derived from settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from fresh_imports import modules_loaded_by

from hatch_aicontainer.build.layers import sbom
from hatch_aicontainer.config import naming
from hatch_aicontainer.config.naming import archive_name, render_tags
from hatch_aicontainer.config.settings import ProjectInfo, load_settings
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.descriptor import Platform

PROJECT = ProjectInfo(name="Example.Project", version="1.2.0+local.1", requires_python=">=3.10", root=Path("."))


def _settings(**table):
    return load_settings({"python": "3.11", "tensorflow": "2.16.1", **table}, PROJECT, {})


def test_archive_name_states_python_tensorflow_accelerator_and_arch():
    settings = _settings()
    assert archive_name(settings, PROJECT, settings.targets) == "example_project-1.2.0+local.1-py311-tf2.16.1-cpu-amd64.oci.tar"


def test_archive_name_for_several_platforms():
    settings = _settings(platforms=["linux/amd64", "linux/arm64"])
    assert archive_name(settings, PROJECT, settings.targets).endswith("-cpu-amd64-arm64.oci.tar")


def test_default_tag_is_the_version_made_docker_safe():
    settings = _settings()
    assert render_tags(settings, PROJECT, settings.targets[0]) == ("example-project:1.2.0-local.1",)


def test_tag_templates_render_every_placeholder():
    settings = _settings(name="team/svc", tags=["{version}-py{python}-tf{tensorflow}-{accelerator}-{platform}", "latest"])
    assert render_tags(settings, PROJECT, settings.targets[0]) == (
        "team/svc:1.2.0-local.1-py3.11-tf2.16.1-cpu-amd64",
        "team/svc:latest",
    )


def test_a_tag_that_renders_invalid_is_a_one_line_error_before_any_work():
    with pytest.raises(ConfigError) as info:
        _settings(tags=["{version}/{python}"])
    assert "\n" not in str(info.value) and "tool.aicontainer.tags[0]" in str(info.value)


def test_git_revision_found_from_a_subdirectory(tmp_path):
    import subprocess

    from hatch_aicontainer.plugin.project import git_revision

    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / "sub" / "f").write_text("x")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "x"], check=True)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert git_revision(repo / "sub") == head
    assert git_revision(tmp_path / "elsewhere") is None


def _commit_repo(repo) -> str:
    import subprocess

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"]
    repo.mkdir(parents=True, exist_ok=True)
    (repo / "f").write_text("x")
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "x"], check=True)
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()


def test_git_revision_does_not_need_git_on_the_build_host(tmp_path, monkeypatch):
    """Slim CI images have no git: the revision label (part of the digest) must not vanish there."""
    from hatch_aicontainer.plugin.project import git_revision

    head = _commit_repo(tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    assert git_revision(tmp_path / "repo") == head


def test_git_revision_of_a_checkout_owned_by_another_user(tmp_path):
    """A CI pod runs under another uid than the checkout's owner; git refuses such a repository."""
    import os
    import subprocess

    from hatch_aicontainer.plugin.project import git_revision

    if os.geteuid() != 0:
        pytest.skip("needs root to hand the checkout to another user")
    head = _commit_repo(tmp_path / "repo")
    subprocess.run(["chown", "-R", "1000:1000", str(tmp_path / "repo")], check=True)
    assert git_revision(tmp_path / "repo") == head


def test_git_revision_from_packed_refs_worktrees_and_a_detached_head(tmp_path):
    import subprocess

    from hatch_aicontainer.plugin.project import git_revision

    repo = tmp_path / "repo"
    head = _commit_repo(repo)
    subprocess.run(["git", "-C", str(repo), "pack-refs", "--all"], check=True)
    assert not (repo / ".git/refs/heads/main").exists()
    assert git_revision(repo) == head
    subprocess.run(["git", "-C", str(repo), "worktree", "add", "-q", "-b", "other", str(tmp_path / "wt")], check=True)
    assert (tmp_path / "wt" / ".git").is_file()
    assert git_revision(tmp_path / "wt") == head
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "--detach"], check=True)
    assert git_revision(repo) == head


def test_sibling_names_have_one_home(tmp_path):
    a = tmp_path / "x-1.0-py312-tf2.16.1-cpu-amd64.oci.tar"
    f = naming.archive_files(a)
    assert (f.results.name, f.digest.name, f.layout.name, f.sbom.name) == (
        a.name + ".json",
        a.name + ".digest",
        "x-1.0-py312-tf2.16.1-cpu-amd64.oci",
        "x-1.0-py312-tf2.16.1-cpu-amd64.cdx.json",
    )
    assert f.platform_sbom(Platform("linux", "arm64", "v8")).name == "x-1.0-py312-tf2.16.1-cpu-amd64.linux-arm64-v8.cdx.json"
    assert sbom.archive_sbom_path(a) == f.sbom
    assert [p.name for p in sbom.side_outputs(a, [(Platform("linux", "amd64"), b"a"), (Platform("linux", "arm64", "v8"), b"b")])] == [
        "x-1.0-py312-tf2.16.1-cpu-amd64.linux-amd64.cdx.json",
        "x-1.0-py312-tf2.16.1-cpu-amd64.linux-arm64-v8.cdx.json",
    ]


def test_every_sibling_matches_one_of_the_globs(tmp_path):
    a = tmp_path / "my_app-1.0-py312-tf2.16.1-cpu-amd64.oci.tar"
    f = naming.archive_files(a)
    siblings = [a, f.results, f.digest, f.layout, f.sbom, f.platform_sbom(Platform("linux", "amd64"))]
    for path in siblings:
        path.write_bytes(b"x")
    (tmp_path / "my_app-1.0-py312-tf2.16.1-cpu-amd64-arm64.oci.tar.json").write_bytes(b"other archive")
    found = {p for pattern in f.all_sibling_globs() for p in tmp_path.glob(pattern)}
    assert found == set(siblings)


def test_archive_prefix_is_the_archive_names_start():
    project = ProjectInfo(name="my.App", version="1.0")
    settings = load_settings({"python": "3.11", "tensorflow": "2.16.1"}, project, {})
    assert naming.dist_name("my.App") == "my_app"
    assert archive_name(settings, project, settings.targets).startswith(naming.archive_prefix(project.name))


def test_render_tag_keeps_the_name_and_cuts_nothing():
    values = naming.template_values("registry.example.com/team/app", "1!1.0+local", "3.12", "2.16.1", "cpu", [Platform("linux", "amd64")])
    assert naming.render_tag("{version}-{platform}", values) == "1-1.0-local-amd64"
    with pytest.raises(naming.TagError):
        naming.render_tag("{name}-x", values)
    with pytest.raises(naming.TagError):
        naming.render_tag("{version}" + "x" * 130, values)
    assert naming.render_reference("{name}:{version}", values) == "registry.example.com/team/app:1-1.0-local"


def test_naming_imports_no_settings_at_run_time():
    """The settings loader imports naming: naming may name the settings, lock and base image types
    (for annotations) but loads none of their modules."""
    loaded = modules_loaded_by("hatch_aicontainer.config.naming")
    assert "hatch_aicontainer.config.naming" in loaded
    kept_out = ("config.settings", "config.compat", "build")
    assert [m for m in loaded if any(m == f"hatch_aicontainer.{k}" or m.startswith(f"hatch_aicontainer.{k}.") for k in kept_out)] == []
