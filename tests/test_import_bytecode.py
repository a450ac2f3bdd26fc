"""While an image build runs, its imports keep their bytecode in the plugin's cache when Python writes none.

Each case runs a fresh interpreter (``sys.dont_write_bytecode`` and ``sys.pycache_prefix`` are
process-wide) that imports a module of a source folder inside ``imports_with_bytecode``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from importlib._bootstrap_external import _code_to_timestamp_pyc
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, os, sys
from hatch_aicontainer.plugin.import_bytecode import imports_with_bytecode
sys.path.insert(0, sys.argv[1])
with imports_with_bytecode(os.environ):
    inside = [sys.dont_write_bytecode, sys.pycache_prefix]
    import probe_module
print(json.dumps({"inside": inside, "after": [sys.dont_write_bytecode, sys.pycache_prefix],
                  "value": probe_module.VALUE}))
"""


def _run(sources: Path, cache: Path, *, python_flags: tuple[str, ...] = (), **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    environ.update(PYTHONPATH=str(ROOT), AICONTAINER_CACHE_DIR=str(cache), **env)
    done = subprocess.run([sys.executable, *python_flags, "-c", PROBE, str(sources)], env=environ,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.fixture
def sources(tmp_path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "probe_module.py").write_text("VALUE = 'compiled from the source'\n")
    return folder


def _cached(cache: Path, source: Path) -> Path:
    """Where ``sys.pycache_prefix`` puts a source's bytecode (importlib's own rule)."""
    tag = sys.implementation.cache_tag
    return cache / "bytecode" / str(source.parent).lstrip("/") / f"{source.stem}.{tag}.pyc"


def test_without_bytecode_writing_the_imports_keep_theirs_in_the_cache(sources, tmp_path):
    cache = tmp_path / "cache"
    first = _run(sources, cache, PYTHONDONTWRITEBYTECODE="1")
    assert first["inside"] == [False, str(cache / "bytecode")]
    assert first["after"] == [True, None]  # the process is as it was after the block
    cached = _cached(cache, sources / "probe_module.py")
    assert cached.is_file()
    assert not (sources / "__pycache__").exists()  # nothing beside the sources

    # the next build reads it: bytecode of other code, stamped with the source's size and mtime, is what runs
    stat = (sources / "probe_module.py").stat()
    cached.write_bytes(_code_to_timestamp_pyc(compile("VALUE = 'read from the cache'", "probe_module.py", "exec"),
                                              int(stat.st_mtime), stat.st_size))
    assert _run(sources, cache, PYTHONDONTWRITEBYTECODE="1")["value"] == "read from the cache"

    # a changed source is compiled again (the stamp no longer matches)
    (sources / "probe_module.py").write_text("VALUE = 'the source changed'\n")
    os.utime(sources / "probe_module.py", (stat.st_mtime + 10, stat.st_mtime + 10))
    assert _run(sources, cache, PYTHONDONTWRITEBYTECODE="1")["value"] == "the source changed"


def test_a_python_that_writes_bytecode_keeps_its_own(sources, tmp_path):
    cache = tmp_path / "cache"
    result = _run(sources, cache)
    assert result["inside"] == [False, None]
    assert not (cache / "bytecode").exists()
    assert Path(importlib.util.cache_from_source(str(sources / "probe_module.py"))).is_file()


def test_a_pycache_prefix_the_user_chose_is_left_alone(sources, tmp_path):
    cache, chosen = tmp_path / "cache", tmp_path / "chosen"
    result = _run(sources, cache, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=str(chosen))
    assert result["inside"] == [True, str(chosen)] and result["after"] == [True, str(chosen)]
    assert not (cache / "bytecode").exists()


def test_a_cache_folder_that_is_a_file_leaves_imports_as_they_are(sources, tmp_path):
    """The build's settings report that cache folder in one line; the imports before it change nothing."""
    not_a_folder = tmp_path / "cache-file"
    not_a_folder.write_text("")
    result = _run(sources, not_a_folder, PYTHONDONTWRITEBYTECODE="1")
    assert result["inside"] == [True, None] and result["value"] == "compiled from the source"
