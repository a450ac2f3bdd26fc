"""Crafted archives and layouts for ``aicontainer push``/``inspect``/``load`` stay contained.

Each case is made from a valid archive (release_helpers.small_archive) by
tests/hostile.py. Every command run on it as a real process ends with exit 0
or exactly one ``error:`` line (never a traceback); the marker files outside
the work folders are untouched; no device node appears; and where the crafted
part would make us read or send a file that is not the archive's own (a link,
a device, a path out of it), the command refuses it and names the entry.
"""

from __future__ import annotations

from pathlib import Path

import hostile
import pytest
from cli_helpers import aicontainer, assert_one_line_error, cli_env
from release_helpers import small_archive

# (case, what every command must say): None = harmless, the command may succeed.
REFUSED = {
    "symlinked-blob": "a symbolic link",
    "hardlinked-blob": "a hard link",
    "device-blob": "device",
    "manifest-json-outside": "manifest.json names",
    "crafted-index-digest": "not a valid descriptor",
    "dotdot-members": None,
}
assert set(REFUSED) == set(hostile.ARCHIVE_CASES)


@pytest.fixture(scope="module")
def valid_archive(tmp_path_factory) -> Path:
    archive, _ = small_archive(tmp_path_factory.mktemp("valid"), salt="hostile-archives")
    return archive


def _env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "work").mkdir(exist_ok=True)
    return cli_env(tmp_path / "work")


def _check_contained(markers: hostile.Markers, before: dict, *roots: Path) -> None:
    assert hostile.snapshot(markers.root) == before, "a marker outside the work folders changed"
    assert not markers.pwned.exists()
    assert hostile.special_files(markers.root, *roots) == []


def _assert_outcome(done, case: str) -> None:
    """Refused in one line naming what was wrong, or (a harmless case) done."""
    expected = REFUSED[case]
    if expected is None:
        assert done.returncode == 0, done.stderr
    else:
        assert_one_line_error(done, expected)


def _run(command: str, target: Path, env: dict, registry_host: str | None, case: str) -> object:
    if command == "inspect":
        return aicontainer("inspect", str(target), env=env)
    if command == "push":
        return aicontainer("push", str(target), f"{registry_host}/hostile/{case}:1", env=env)
    return aicontainer("load", str(target), env=env)


@pytest.mark.parametrize("case", sorted(hostile.ARCHIVE_CASES))
@pytest.mark.parametrize("command", ["inspect", "push"])
def test_crafted_archive(case, command, valid_archive, registry, tmp_path):
    markers = hostile.plant_markers(tmp_path / "outside")
    before = hostile.snapshot(markers.root)
    crafted = hostile.ARCHIVE_CASES[case](valid_archive, markers, tmp_path / f"{case}.oci.tar")
    env = _env(tmp_path)
    done = _run(command, crafted, env, registry.host, case)
    _assert_outcome(done, case)
    _check_contained(markers, before, tmp_path / "work")


@pytest.mark.e2e
@pytest.mark.parametrize("case", sorted(hostile.ARCHIVE_CASES))
def test_crafted_archive_is_not_loaded(case, valid_archive, docker_engine, tmp_path):
    markers = hostile.plant_markers(tmp_path / "outside")
    before = hostile.snapshot(markers.root)
    crafted = hostile.ARCHIVE_CASES[case](valid_archive, markers, tmp_path / f"{case}.oci.tar")
    env = {**_env(tmp_path), **docker_engine.env}
    done = _run("load", crafted, env, None, case)
    _assert_outcome(done, case)
    _check_contained(markers, before, tmp_path / "work")


@pytest.mark.parametrize("whole_blobs_dir", [False, True], ids=["blob-symlink", "blobs-dir-symlink"])
@pytest.mark.parametrize("command", ["inspect", "push"])
def test_layout_directory_with_symlinks_is_refused(whole_blobs_dir, command, valid_archive, registry, tmp_path):
    markers = hostile.plant_markers(tmp_path / "outside")
    before = hostile.snapshot(markers.root)
    layout = hostile.symlinked_layout(valid_archive, markers, tmp_path / "layout", whole_blobs_dir=whole_blobs_dir)
    done = _run(command, layout, _env(tmp_path), registry.host, "layout")
    assert_one_line_error(done, "blobs/sha256")
    assert "symbolic link" in done.stderr
    _check_contained(markers, before, tmp_path / "work")


def test_the_valid_archive_passes_every_command(valid_archive, registry, tmp_path):
    """The control: the archive the cases are made from is accepted (the checks are not just refusing everything)."""
    env = _env(tmp_path)
    for command in ("inspect", "push"):
        done = _run(command, valid_archive, env, registry.host, "control")
        assert done.returncode == 0, done.stderr
