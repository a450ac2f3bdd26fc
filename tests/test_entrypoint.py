"""The default entrypoint is chosen from what the wheel holds, and the "run:" hint works with it."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from hatch_aicontainer.build.entrypoint import PYTHON, choose_entrypoint, describe_default, wheel_packages
from hatch_aicontainer.config.settings import ProjectInfo
from hatch_aicontainer.core.errors import ResolveError

PROJECT = ProjectInfo(name="Example-Project", version="1.0", scripts={})
KEY = "tool.aicontainer.entrypoint"


def _wheel(tmp_path: Path, *names: str) -> Path:
    wheel = tmp_path / "example_project-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in (*names, "example_project-1.0.dist-info/METADATA", "example_project-1.0.dist-info/RECORD"):
            archive.writestr(name, "")
    return wheel


def test_the_only_console_script_wins(tmp_path):
    project = replace(PROJECT, scripts={"serve": "example_project.cli:main"})
    chosen = choose_entrypoint(None, project, _wheel(tmp_path, "example_project/__init__.py"), KEY)
    assert chosen.command == ("serve",) and chosen.warning is None and chosen.run_args == ()


def test_python_m_only_for_a_package_with_a_main(tmp_path):
    wheel = _wheel(tmp_path, "example_project/__init__.py", "example_project/__main__.py")
    chosen = choose_entrypoint(None, PROJECT, wheel, KEY)
    assert chosen.command == (PYTHON, "-m", "example_project") and chosen.warning is None


def test_the_only_runnable_package_even_under_another_name(tmp_path):
    wheel = _wheel(tmp_path, "exproj/__init__.py", "exproj/__main__.py", "helpers/__init__.py")
    assert choose_entrypoint(None, PROJECT, wheel, KEY).command == (PYTHON, "-m", "exproj")


@pytest.mark.parametrize("scripts", [{}, {"a": "m:a", "b": "m:b"}])
def test_a_library_without_main_runs_the_interpreter_with_a_warning(tmp_path, scripts):
    wheel = _wheel(tmp_path, "example_project/__init__.py", "example_project/models.py")
    chosen = choose_entrypoint(None, replace(PROJECT, scripts=scripts), wheel, KEY)
    assert chosen.command == (PYTHON,)
    assert chosen.run_args == ("-c", "import example_project")  # the hint imports the package: it works
    assert chosen.warning is not None and "\n" not in chosen.warning
    assert KEY in chosen.warning and wheel.name in chosen.warning


def test_two_runnable_packages_without_the_project_name_is_ambiguous(tmp_path):
    wheel = _wheel(tmp_path, "a/__main__.py", "b/__main__.py")
    chosen = choose_entrypoint(None, PROJECT, wheel, KEY)
    assert chosen.command == (PYTHON,) and chosen.warning is not None


def test_a_configured_entrypoint_is_used_as_set(tmp_path):
    chosen = choose_entrypoint(("gunicorn", "app:wsgi"), PROJECT, _wheel(tmp_path), KEY)
    assert chosen.command == ("gunicorn", "app:wsgi") and chosen.warning is None


def test_wheel_packages_reads_top_level_names(tmp_path):
    wheel = _wheel(tmp_path, "pkg/__init__.py", "pkg/__main__.py", "pkg/sub/__main__.py", "single.py", "x-1.0.data/scripts/s")
    assert wheel_packages(wheel) == (("pkg", "single"), ("pkg",))


def test_an_unreadable_wheel_is_one_line(tmp_path):
    bad = tmp_path / "bad.whl"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ResolveError, match="bad.whl cannot be read"):
        wheel_packages(bad)


def test_check_describes_the_default_before_the_wheel_exists():
    assert describe_default(replace(PROJECT, scripts={"serve": "m:f"})) == "serve"
    assert "example_project" in describe_default(PROJECT)
