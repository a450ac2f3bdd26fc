"""``include`` cannot reach outside the project: links out of it are refused, never followed.

The pure part (``include_layers.include_entries``) on real files; one real build
shows that what is refused ends the build with one line and no archive.
"""

from __future__ import annotations

import os
from pathlib import Path

import hostile
import pytest
from trust_fixtures import tiny_settings

from hatch_aicontainer.build.layers.include import include_entries
from hatch_aicontainer.core.errors import ConfigError


def _project(tmp_path: Path) -> tuple[Path, hostile.Markers]:
    markers = hostile.plant_markers(tmp_path / "outside")
    project = tmp_path / "project"
    (project / "models" / "v1").mkdir(parents=True)
    (project / "models" / "v1" / "weights.bin").write_bytes(b"\0" * 64)
    (project / "configs").mkdir()
    (project / "configs" / "app.json").write_text("{}")
    return project, markers


def _entries(project: Path, include: list) -> list:
    settings = tiny_settings(project, {"tensorflow": "2.16.1", "python": "3.11", "include": include})
    return include_entries(settings.include, project)


def _one_line(info: pytest.ExceptionInfo) -> str:
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("how", ["absolute", "relative", "dangling-outside"])
def test_a_symlink_inside_an_included_directory_leading_out_is_refused(tmp_path, how):
    project, markers = _project(tmp_path)
    target = {
        "absolute": str(markers.victim),
        "relative": os.path.relpath(markers.victim, project / "models" / "v1"),
        "dangling-outside": str(markers.root / "no-such-file"),
    }[how]
    os.symlink(target, project / "models" / "v1" / "latest.bin")
    with pytest.raises(ConfigError) as info:
        _entries(project, ["models"])
    message = _one_line(info)
    assert message.startswith("tool.aicontainer.include: 'models' holds models/v1/latest.bin, a symlink leading outside")
    assert target in message


def test_a_symlink_inside_the_project_is_kept_as_a_link_and_not_followed(tmp_path):
    project, _ = _project(tmp_path)
    os.symlink("v1/weights.bin", project / "models" / "latest.bin")
    os.symlink("../configs", project / "models" / "configs")
    entries = {entry.path: entry for entry in _entries(project, ["models"])}
    assert entries["app/models/latest.bin"].kind == "symlink"
    assert entries["app/models/latest.bin"].target == "v1/weights.bin"
    assert entries["app/models/configs"].kind == "symlink"
    assert "app/models/configs/app.json" not in entries  # the linked directory is not walked


@pytest.mark.parametrize("include", [["models"], ["models/weights.bin"], ["data/elsewhere/*.bin"]])
def test_an_entry_reaching_outside_through_a_link_is_refused(tmp_path, include):
    project, markers = _project(tmp_path)
    (markers.folder / "weights.bin").write_bytes(b"host bytes")
    (project / "models" / "v1" / "weights.bin").unlink()
    (project / "models" / "v1").rmdir()
    (project / "models").rmdir()
    os.symlink(markers.folder, project / "models")  # the named directory itself leads out
    (project / "data").mkdir()
    os.symlink(markers.folder, project / "data" / "elsewhere")  # a glob walks through this one
    with pytest.raises(ConfigError) as info:
        _entries(project, include)
    assert "leads outside the project" in _one_line(info)


def test_a_fifo_is_refused_before_anything_reads_it(tmp_path):
    project, _ = _project(tmp_path)
    os.mkfifo(project / "pipe")
    with pytest.raises(ConfigError) as info:
        _entries(project, ["pipe"])
    assert "neither a file nor a directory" in _one_line(info)
