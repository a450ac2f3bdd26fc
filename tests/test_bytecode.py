"""bytecode: host-side precompilation that the image's interpreter accepts, byte for byte reproducible."""

from __future__ import annotations

import importlib.util
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hatch_aicontainer.build.layers import bytecode
from hatch_aicontainer.config.environment import BuildEnvironment
from hatch_aicontainer.config.variables import BYTECODE_ENV
from hatch_aicontainer.core.errors import ConfigError

MINOR = f"{sys.version_info.major}.{sys.version_info.minor}"
PREFIX = f"/opt/venv/lib/python{MINOR}/site-packages"


def host_compiler() -> bytecode.Compiler:
    """This test's own interpreter as a compiler (the tree logic does not care whose it is)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    return bytecode.probe_compiler([sys.executable], env, identity="host")


def make_tree(root: Path) -> Path:
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("VALUE = frozenset({'a', 'b', 'c', 'd'})\n")
    (root / "pkg" / "sub" / "mod.py").write_text("def f(x):\n    return {x: [i for i in range(3)]}\n")
    (root / "pkg" / "template.py").write_text("def broken(:\n")  # not Python: skipped, as pip does
    (root / "bin").mkdir()
    (root / "bin" / "tool.py").write_text("print('a console script')\n")
    return root


def pycs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.pyc"))}


@pytest.mark.parametrize(("value", "mode"), [(None, "auto"), ("auto", "auto"), ("ON", "on"), ("1", "on"), ("off", "off"), ("0", "off")])
def test_mode(value, mode):
    assert BuildEnvironment.read({} if value is None else {BYTECODE_ENV: value}).bytecode == mode


def test_mode_rejects_other_values():
    with pytest.raises(ConfigError, match="AICONTAINER_BYTECODE"):
        BuildEnvironment.read({BYTECODE_ENV: "sometimes"})


def test_probe_compiler_describes_the_interpreter():
    compiler = host_compiler()
    assert compiler.version == "%d.%d.%d" % sys.version_info[:3]
    assert compiler.cache_tag == sys.implementation.cache_tag
    assert compiler.key() == ["host", compiler.version, compiler.cache_tag]


def test_probe_compiler_refuses_what_is_not_cpython(tmp_path):
    with pytest.raises(ConfigError, match="did not start"):
        bytecode.probe_compiler([str(tmp_path / "nonexistent")], {})
    with pytest.raises(ConfigError, match="does not run as CPython"):
        bytecode.probe_compiler(["/bin/false"], {})


def test_compile_tree_writes_unchecked_hash_pycs_with_image_paths(tmp_path):
    tree = make_tree(tmp_path / "tree")
    compiler = host_compiler()
    assert bytecode.compile_tree(tree, PREFIX, compiler) == (2, 3)

    assert sorted(pycs(tree)) == [
        f"pkg/__pycache__/__init__.{compiler.cache_tag}.pyc",
        f"pkg/sub/__pycache__/mod.{compiler.cache_tag}.pyc",
    ]
    assert not (tree / "bin" / "__pycache__").exists()
    data = (tree / "pkg" / "sub" / "__pycache__" / f"mod.{compiler.cache_tag}.pyc").read_bytes()
    assert data[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(data[4:8], "little") == 0b01  # hash-based, source not checked
    source = (tree / "pkg" / "sub" / "mod.py").read_bytes()
    assert data[8:16] == importlib.util.source_hash(source)
    code = marshal.loads(data[16:])
    assert code.co_filename == f"{PREFIX}/pkg/sub/mod.py"


def test_compile_tree_is_reproducible(tmp_path, monkeypatch):
    compiler = host_compiler()
    first = make_tree(tmp_path / "one")
    bytecode.compile_tree(first, PREFIX, compiler, workers=1)
    second = tmp_path / "elsewhere" / "two"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("PYTHONHASHSEED", "12345")  # ignored: the compiler runs with 0
    bytecode.compile_tree(second, PREFIX, compiler, workers=2)
    assert pycs(first) == pycs(second)


def test_compile_tree_in_parallel_matches_serial(tmp_path):
    compiler = host_compiler()
    tree = tmp_path / "many"
    for i in range(250):  # more than bytecode.CHUNK_FILES: several chunks
        (tree / f"p{i % 7}").mkdir(parents=True, exist_ok=True)
        (tree / f"p{i % 7}" / f"m{i}.py").write_text(f"X = {{'k{i}': {i}, 's': frozenset('abc{i}')}}\n")
    serial = tmp_path / "serial"
    shutil.copytree(tree, serial)
    assert bytecode.compile_tree(tree, PREFIX, compiler, workers=2) == (250, 250)
    assert bytecode.compile_tree(serial, PREFIX, compiler, workers=1) == (250, 250)
    assert pycs(tree) == pycs(serial)


def test_chunks_depend_only_on_the_files(tmp_path):
    tree = tmp_path / "t"
    tree.mkdir()
    for i in range(400):
        (tree / f"m{i:03}.py").write_text("x = 1\n" * (i % 13))
    files = bytecode.source_files(tree)
    parts = bytecode.chunks(tree, files)
    assert len(parts) == 3 and sorted(sum(parts, [])) == files
    assert parts == bytecode.chunks(tree, list(reversed(files)))


def test_the_pycs_are_used_instead_of_the_source(tmp_path):
    """The interpreter loads an unchecked-hash pyc even when the source changed afterwards."""
    tree = make_tree(tmp_path / "tree")
    bytecode.compile_tree(tree, PREFIX, host_compiler())
    (tree / "pkg" / "sub" / "mod.py").write_text("def f(x):\n    return 'source, not bytecode'\n")
    code = "import sys; sys.path.insert(0, sys.argv[1]); from pkg.sub import mod; print(mod.f(1))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run([sys.executable, "-c", code, str(tree)], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "{1: [0, 1, 2]}"
