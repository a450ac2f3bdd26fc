"""Include layers cached by their files' fingerprint; large entries in layers of their own.

Real files and a real ``BlobStore`` throughout; one real build of the tiny
project shows a code-only rebuild reusing the include layers without opening
an included file. Opens are counted with an audit hook (``open`` is raised by
``builtins.open`` and ``os.open`` alike), not by wrapping our own code.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
import tomllib
from trust_fixtures import (
    MTIME,
    archive_layers,
    build_wheel,
    layer_files,
    make_tiny_project,
    tiny_project_info,
    tiny_settings,
)

from hatch_aicontainer.build.image import build_image
from hatch_aicontainer.build.layers.include import LARGE_ENTRY_BYTES, include_entries, include_layers
from hatch_aicontainer.build.layers.include_record import SETTLE_NS, fingerprint
from hatch_aicontainer.config.settings import IncludeSpec
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.layer import LayerEntry

_WATCHED: list[str] = []  # folders whose files' opens are counted (empty: the hook does nothing)
_OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if any(path.startswith(folder + os.sep) for folder in _WATCHED):
            _OPENED.append(path)


sys.addaudithook(_audit)  # hooks cannot be removed: it is idle while nothing is watched


def _opened_during(folders: list[Path], action):
    _WATCHED[:] = [str(folder) for folder in folders]
    _OPENED.clear()
    try:
        result = action()
    finally:
        _WATCHED.clear()
    # The secrets filter looks for .gitignore files in every walked folder; none of them is included here.
    return result, [path for path in _OPENED if os.path.basename(path) != ".gitignore"]


def _settle(root: Path) -> None:
    """Wait until every file below ``root`` is older than the settle window (a condition, not a timing)."""
    newest = max(max(st.st_mtime_ns, st.st_ctime_ns) for st in (p.stat() for p in root.rglob("*") if p.is_file()))
    while time.time_ns() - newest < SETTLE_NS:
        time.sleep(0.1)


def _model(path: Path, size: int = LARGE_ENTRY_BYTES, byte: bytes = b"") -> None:
    """A large file without writing its size to disk: sparse, with a few real bytes at the start."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(byte or b"weights v1")
        handle.truncate(size)


WORKDIR = LayerEntry("app", "dir", 0o755)
OPTIONS = dict(mtime=MTIME, compression="gzip", level=None)


def _layers(root: Path, store: BlobStore, specs: list[IncludeSpec], log: list[str] | None = None) -> dict[str, str]:
    """{layer comment: digest} of ``include_layers``, in order."""
    built = include_layers(
        specs, root, store, OPTIONS, workdir=WORKDIR, identity={"format": "test"}, log=(log if log is not None else []).append
    )
    return {name: layer.descriptor.digest for layer, name in (*built.stable, *built.small)}


def _small_project(tmp_path: Path) -> tuple[Path, list[IncludeSpec]]:
    root = tmp_path / "project"
    _model(root / "models" / "a" / "weights.bin")
    _model(root / "models" / "b" / "weights.bin")
    (root / "configs").mkdir()
    (root / "configs" / "app.json").write_text('{"threads": 2}')
    (root / "configs" / "run.sh").write_text("#!/bin/sh\nexec tiny-app\n")
    specs = [IncludeSpec("models/a", "/app/models/a"), IncludeSpec("models/b", "/app/models/b"), IncludeSpec("configs/*", "/app/configs")]
    return root, specs


def test_a_code_only_rebuild_reuses_the_include_layers_without_opening_an_included_file(python_base_layout, tmp_path):
    include = ["models", "configs/app.json"]
    project = make_tiny_project(tmp_path / "tiny-app", python_base_layout.spec, git=False, tool={"include": include})
    _model(project / "models" / "big" / "weights.bin")
    settings = tiny_settings(project, tomllib.loads((project / "pyproject.toml").read_text())["tool"]["aicontainer"])
    store = BlobStore(tmp_path / "cache")
    _settle(project)

    def build(name: str, log: list[str]):
        wheel = build_wheel(project, tmp_path / f"wheel-{name}")
        return build_image(settings, tiny_project_info(project), wheel, tmp_path / f"dist-{name}", store, mtime=MTIME, log=log.append)

    first = build("first", [])
    (project / "src" / "tiny_app" / "__init__.py").write_text('def main():\n    print("tiny, changed")\n')
    log: list[str] = []
    second, opened = _opened_during([project / "models", project / "configs"], lambda: build("second", log))
    included = {str(entry.source) for entry in include_entries(settings.include, project) if entry.source is not None}
    assert len(included) > 3 and set(opened) & included == set()
    assert "[linux/amd64] include models sha256:" in "\n".join(log) and "(cached)" in "\n".join(log)

    base = len(first.images[0].base.layers)
    before, after = first.images[0].layers[base:], second.images[0].layers[base:]
    assert len(before) == len(after) == 5  # dependencies, models, project, small include files, SBOM
    assert before[0] == after[0] and before[1] == after[1] and before[3] == after[3]
    assert before[2] != after[2]  # the project layer
    # The order, read from the archive with tarfile alone: the model below the project, the small file above it.
    layers = archive_layers(second.archive)[base:]
    names = [{member.name for member, _ in layer_files(data)} for _, data in layers]
    assert "app/models/big/weights.bin" in names[1] and "app/configs/app.json" not in names[1]
    assert any(name.endswith("site-packages/tiny_app/__init__.py") for name in names[2])
    assert "app/configs/app.json" in names[3] and "app/models/big/weights.bin" not in names[3]


@pytest.mark.parametrize("change", ["model content", "model mode", "small file content", "small file mode"])
def test_a_change_to_one_included_file_gives_a_new_digest_for_its_layer_only(tmp_path, change):
    root, specs = _small_project(tmp_path)
    store = BlobStore(tmp_path / "cache")
    first = _layers(root, store, specs)
    assert list(first) == ["include models/a", "include models/b", "include files"]
    if change == "model content":
        _model(root / "models" / "b" / "weights.bin", byte=b"weights v2")
    elif change == "model mode":
        os.chmod(root / "models" / "b" / "weights.bin", 0o755)
    elif change == "small file content":
        (root / "configs" / "app.json").write_text('{"threads": 4}')
    else:
        os.chmod(root / "configs" / "run.sh", 0o755)
    second = _layers(root, store, specs)
    changed = [name for name in first if first[name] != second[name]]
    assert changed == (["include models/b"] if change.startswith("model") else ["include files"])


def test_unchanged_files_are_not_opened_and_a_mode_change_that_keeps_the_bytes_is_confirmed(tmp_path):
    root, specs = _small_project(tmp_path)
    store = BlobStore(tmp_path / "cache")
    first = _layers(root, store, specs)
    _settle(root)
    _layers(root, store, specs)  # records fingerprints taken once the files settled
    again, opened = _opened_during([root], lambda: _layers(root, store, specs))
    assert (again, opened) == (first, [])
    os.chmod(root / "models" / "a" / "weights.bin", 0o600)  # still 0644 in the image: the same bytes
    log: list[str] = []
    confirmed, opened = _opened_during([root], lambda: _layers(root, store, specs, log))
    assert confirmed == first
    assert opened == [str(root / "models" / "a" / "weights.bin")]  # hashed, not recompressed; b not touched
    assert any(line.startswith("include models/a ") and line.endswith("(cached, content confirmed)") for line in log)


def test_a_same_size_change_with_its_mtime_restored_is_caught(tmp_path):
    root, specs = _small_project(tmp_path)
    store = BlobStore(tmp_path / "cache")
    weights = root / "models" / "a" / "weights.bin"
    _settle(root)
    first = _layers(root, store, specs)
    before = weights.stat()
    with open(weights, "r+b") as handle:
        handle.write(b"weights v9")  # the same size
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = weights.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    second = _layers(root, store, specs)
    assert second["include models/a"] != first["include models/a"]
    assert second["include models/b"] == first["include models/b"]


def test_a_fingerprint_taken_within_the_timestamp_granularity_is_not_trusted_alone(tmp_path):
    """A write in the same clock tick as the fingerprint leaves mtime and ctime as they were:
    such a fingerprint is "not settled", and the next build hashes the content."""
    root, specs = _small_project(tmp_path)
    store = BlobStore(tmp_path / "cache")
    weights = root / "models" / "a" / "weights.bin"
    st = weights.stat()
    entries = [LayerEntry("app/w.bin", "file", source=weights)]
    tick = max(st.st_mtime_ns, st.st_ctime_ns)
    assert fingerprint(entries, {}, now_ns=tick)[1] is False
    assert fingerprint(entries, {}, now_ns=tick + SETTLE_NS - 1)[1] is False
    assert fingerprint(entries, {}, now_ns=tick + SETTLE_NS)[1] is True
    assert fingerprint(entries, {}, now_ns=tick)[0] == fingerprint(entries, {}, now_ns=tick + SETTLE_NS)[0]
    # Built at once (the files were just written): the next build reads them again, though stat is unchanged.
    first = _layers(root, store, specs)
    log: list[str] = []
    again, opened = _opened_during([root / "models" / "a"], lambda: _layers(root, store, specs, log))
    assert again == first
    assert str(weights) in opened
    assert any(line.startswith("include models/a ") and line.endswith("(cached, content confirmed)") for line in log)


def test_two_entries_placing_a_file_at_the_same_path_is_one_line(tmp_path):
    root, _ = _small_project(tmp_path)
    specs = [IncludeSpec("configs/app.json", "/etc/app.json"), IncludeSpec("configs/run.sh", "/etc/app.json")]
    with pytest.raises(ConfigError) as info:
        _layers(root, BlobStore(tmp_path / "cache"), specs)
    assert str(info.value) == (
        "tool.aicontainer.include: 'configs/run.sh' and 'configs/app.json' both place a file at /etc/app.json; "
        "allowed: one source per path in the image"
    )
