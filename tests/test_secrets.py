"""Nothing secret in an image: planted secrets and VCS-ignored files are absent from every layer.

The tiny project (tests/trust_fixtures.py) plants ``.env`` files, credentials,
SSH/TLS keys, a ``.docker/config.json``, a ``.git`` directory, VCS-ignored
files and a symlink to a secret around what ``include`` names (a directory, a
glob, an exact file, an ignored directory). The image is read by independent
means: every layer tar with ``tarfile``, and the root filesystem ``umoci
unpack`` makes; every file's bytes are searched for the planted marker.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from trust_fixtures import (
    EXPECTED,
    IGNORED_FILES,
    INCLUDE,
    MARK,
    NAMED_MARK,
    SECRET_FILES,
    SYMLINKS,
    archive_layers,
    build_wheel,
    layer_files,
    make_tiny_project,
    rootfs_files,
    tiny_settings,
    umoci_rootfs,
)

from hatch_aicontainer.build.layers.include import include_entries
from hatch_aicontainer.build.layers.secrets_filter import secret_reason, wheel_secrets
from hatch_aicontainer.core.errors import ConfigError

UNUSED_BASE = "oci:unused-layout:tag"  # settings only: nothing is pulled
PLANTED_NAMES = {Path(p).name for p in SECRET_FILES + IGNORED_FILES} | {Path(p).name for p in SYMLINKS} | {
    ".git", ".docker", ".ssh", ".aws", "cache"
}


def _our_paths(build) -> set[str]:
    """Paths of the layers this plugin wrote (after the base image's)."""
    layers = archive_layers(build.archive)
    base_count = len(build.result.images[0].base.layers)
    return {member.name.rstrip("/") for _, tar in layers[base_count:] for member, _ in layer_files(tar)}


def test_no_layer_holds_a_planted_secret(tiny_build):
    layers = archive_layers(tiny_build.archive)
    assert len(layers) >= 5  # base, dependencies, project, include files, SBOM
    found_named = False
    for digest, tar in layers:
        for member, data in layer_files(tar):
            assert MARK.encode() not in member.name.encode(), (digest, member.name)
            if data is not None:
                assert MARK.encode() not in data, f"planted secret bytes in {member.name} of layer {digest}"
                found_named = found_named or NAMED_MARK.encode() in data
    assert found_named, "the explicitly named files are missing: the test would prove nothing"


def test_our_layers_carry_no_planted_name_and_every_wanted_file(tiny_build):
    paths = _our_paths(tiny_build)
    leaked = sorted(p for p in paths if p.rsplit("/", 1)[-1] in PLANTED_NAMES)
    assert leaked == []
    assert set(EXPECTED) <= paths
    # the include layer holds exactly the wanted files below the include destinations
    included = {p for p in paths if p.startswith(("app/models/", "app/configs/", "app/weights/", "etc/tiny/"))}
    files = {p for p in included if "." in p.rsplit("/", 1)[-1]}
    assert files == set(EXPECTED)


def test_umoci_rootfs_has_no_secret_anywhere(tiny_build):
    rootfs = umoci_rootfs(tiny_build.archive)
    named = {}
    for rel, path in rootfs_files(rootfs):
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        assert MARK.encode() not in data, rel
        if NAMED_MARK.encode() in data:
            named[rel] = data
    assert set(named) == set(EXPECTED)
    for rel in ("app", "opt/venv", "etc/tiny"):
        for sub, path in rootfs_files(rootfs / rel):
            assert path.name not in PLANTED_NAMES, f"/{rel}/{sub}"


def test_the_build_says_what_it_left_out(tiny_build):
    notes = [line for line in tiny_build.log if line.startswith("include: left out")]
    assert len(notes) == 1
    assert "secret-looking: models/.docker, " in notes[0] and "ignored by git: " in notes[0] and "models/cache" in notes[0]


def test_without_git_the_gitignore_is_used(tmp_path):
    project = make_tiny_project(tmp_path / "plain", UNUSED_BASE, git=False)
    settings = tiny_settings(project, {"tensorflow": "2.16.1", "python": "3.11", "include": INCLUDE})
    notes: list[str] = []
    entries = include_entries(settings.include, project, notes.append)
    files = {e.path for e in entries if e.kind == "file"}
    assert files == set(EXPECTED)
    assert "ignored by .gitignore: " in notes[0] and "models/cache" in notes[0]
    symlinks = [e for e in entries if e.kind == "symlink"]
    assert symlinks == []


def test_hidden_files_and_symlinks_matched_by_a_glob_are_refused(tmp_path):
    project = make_tiny_project(tmp_path / "p", UNUSED_BASE)
    (project / "configs" / "app.json").unlink()  # only refused matches remain
    (project / "configs" / "ok.txt").write_text("fine")
    settings = tiny_settings(project, {"tensorflow": "2.16.1", "python": "3.11", "include": ["configs/*.json", "configs/*"]})
    with pytest.raises(ConfigError) as info:
        include_entries(settings.include, project)
    message = str(info.value)
    assert len(message.splitlines()) == 1
    assert "'configs/*.json'" in message and "configs/innocent.json" in message and "symlink to .env" in message
    assert "name such a file exactly" in message


def test_named_exactly_is_shipped(tmp_path):
    project = make_tiny_project(tmp_path / "p", UNUSED_BASE)
    include = [".env", {"source": "models/.docker/config.json", "destination": "/root/.docker/config.json"}]
    settings = tiny_settings(project, {"tensorflow": "2.16.1", "python": "3.11", "include": include})
    files = {e.path: e.source for e in include_entries(settings.include, project)}
    assert set(files) == {"app/.env", "root/.docker/config.json"}


@pytest.mark.parametrize(
    ("path", "is_dir", "secret"),
    [
        (".env", False, True),
        (".env.production", False, True),
        ("sub/.ENV", False, True),
        (".netrc", False, True),
        (".pypirc", False, True),
        (".npmrc", False, True),
        (".docker/config.json", False, True),
        (".git", True, True),
        (".git", False, True),  # a worktree's .git file
        ("a/.git/objects/x", False, True),
        ("credentials.json", False, True),
        (".aws/credentials", False, True),
        ("id_rsa", False, True),
        ("id_rsa.pub", False, True),
        ("id_ed25519", False, True),
        ("tls/server.key", False, True),
        ("ca.pem", False, True),
        ("cert.p12", False, True),
        (".ssh", True, True),
        ("model.keras", False, False),
        ("environment.yml", False, False),
        ("keys/vocab.txt", False, False),
        ("gitignore.txt", False, False),
        ("data/.envelope", False, False),
    ],
)
def test_secret_names(path, is_dir, secret):
    assert (secret_reason(path, is_dir=is_dir) is not None) is secret


def test_hatchling_wheel_keeps_secret_names_so_we_warn(tmp_path):
    """hatchling's own selection leaves out VCS-ignored files but not secrets by name."""
    project = make_tiny_project(tmp_path / "p", UNUSED_BASE, git=False)
    (project / "src" / "tiny_app" / ".env").write_text("TOKEN=1\n")
    (project / "src" / "tiny_app" / "server.pem").write_text("-----BEGIN-----\n")
    (project / "src" / "tiny_app" / "scratch.tmp").write_text("ignored by .gitignore\n")
    wheel = build_wheel(project, tmp_path / "wheel")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tiny_app/.env" in names and "tiny_app/server.pem" in names  # hatchling shipped them
    assert "tiny_app/scratch.tmp" not in names  # hatchling honours .gitignore
    assert sorted(wheel_secrets(wheel)) == ["tiny_app/.env", "tiny_app/server.pem"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_global_git_excludes_do_not_change_the_image(tmp_path):
    """The user's own excludes file must not decide what ships (the image would depend on the machine)."""
    project = make_tiny_project(tmp_path / "p", UNUSED_BASE)
    excludes = tmp_path / "global-excludes"
    excludes.write_text("*.keras\n")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(f"[core]\n\texcludesFile = {excludes}\n")
    done = subprocess.run(["git", "check-ignore", "models/model.keras"], cwd=project, env={"HOME": str(home), "PATH": "/usr/bin:/bin"}, capture_output=True)
    assert done.returncode == 0  # git itself would ignore it with that config
    import os

    old = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        settings = tiny_settings(project, {"tensorflow": "2.16.1", "python": "3.11", "include": ["models"]})
        files = {e.path for e in include_entries(settings.include, project) if e.kind == "file"}
    finally:
        if old is None:
            del os.environ["HOME"]
        else:
            os.environ["HOME"] = old
    assert "app/models/model.keras" in files


_INCLUDE_MODES_SCRIPT = """
import json, sys
from pathlib import Path
from hatch_aicontainer.build.layers.include import include_entries
from hatch_aicontainer.config.settings.model import IncludeSpec
entries = include_entries([IncludeSpec("bin/run.sh", "/app/run.sh")], Path(sys.argv[1]))
print(json.dumps({e.path: oct(e.mode) for e in entries}))
"""


def test_include_file_modes_do_not_depend_on_the_builders_uid(tmp_path):
    """A CI pod builds as another uid than the checkout's owner: ``os.access`` would say "not executable"."""
    if os.geteuid() != 0:
        pytest.skip("needs root to build as another uid")
    project = Path(tempfile.mkdtemp(prefix="include-modes-"))  # tmp_path is not readable by another uid
    try:
        project.chmod(0o755)
        (project / "bin").mkdir()
        script = project / "bin" / "run.sh"
        script.write_text("#!/bin/sh\n")
        script.chmod(0o744)  # executable for its owner (root) only

        def modes(*prefix: str) -> dict[str, str]:
            done = subprocess.run([*prefix, sys.executable, "-c", _INCLUDE_MODES_SCRIPT, str(project)],
                                  capture_output=True, text=True, check=True, cwd="/")
            return json.loads(done.stdout)

        assert modes() == {"app/run.sh": "0o755"}
        assert modes("setpriv", "--reuid", "1000", "--regid", "1000", "--clear-groups") == {"app/run.sh": "0o755"}
    finally:
        shutil.rmtree(project)


def test_nested_gitignore_files_count_with_and_without_git(tmp_path):
    """A CI pod without git must ship what a laptop with git ships: what the build host has installed must not change the bytes."""
    project = make_tiny_project(tmp_path / "p", UNUSED_BASE)
    (project / "models" / ".gitignore").write_text("*.tmp\n!keep.tmp\nscratch/\n")
    (project / "models" / "b.tmp").write_text("scratch\n")
    (project / "models" / "keep.tmp").write_text("kept\n")
    (project / "models" / "scratch").mkdir()
    (project / "models" / "scratch" / "x.bin").write_text("x\n")
    settings = tiny_settings(project, {"tensorflow": "2.16.1", "python": "3.11", "include": ["models"]})

    def shipped(path: str) -> set[str]:
        old = os.environ["PATH"]
        os.environ["PATH"] = path
        try:
            return {e.path for e in include_entries(settings.include, project) if e.kind == "file"}
        finally:
            os.environ["PATH"] = old

    with_git = shipped(os.environ["PATH"])
    without_git = shipped(str(tmp_path / "no-bin-here"))
    assert "app/models/b.tmp" not in with_git and "app/models/scratch/x.bin" not in with_git
    assert "app/models/keep.tmp" in with_git
    assert without_git == with_git
