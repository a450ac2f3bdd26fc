"""The structure rules of docs/ARCHITECTURE.md, checked on the source.

* the layers: import-linter's contracts in pyproject.toml (``[tool.importlinter]``);
* no module imports another module's underscore names (import-linter cannot see names);
* no import cycles, imports inside functions counted (an import hidden in a function
  still runs the other module) and ``if TYPE_CHECKING:`` imports left out;
* a package module is at most ``MAX_LINES`` long unless its docstring starts with
  ``Long because:``;
* only the entry points (``cli/``, ``plugin/``) read the process environment
  (``os.environ``, ``os.getenv``); the modules below them are given it;
* docs/ARCHITECTURE.md's map names every module by its path in the package, and
  only modules that exist.

Module names are compared whole (dotted names, or paths relative to the package),
never by prefix or substring, so two modules of one name are two modules.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "hatch_aicontainer"
MAX_LINES = 400


def _ours(name: str) -> bool:
    """Whether the dotted name is this package or one of its modules."""
    return name == PACKAGE or name.startswith(PACKAGE + ".")


def _module(path: Path) -> tuple[str, bool]:
    """``hatch_aicontainer/config/settings/__init__.py`` -> ("hatch_aicontainer.config.settings", True)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _imported(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The module a ``from … import`` reads, made absolute."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING`` (not ``not TYPE_CHECKING``, nor any other test)."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING" and ast.unparse(test.value) == "typing"
    )


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The ids of the nodes inside ``if TYPE_CHECKING:`` blocks (their ``else:`` runs, so it counts)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            inside.update(id(child) for statement in node.body for child in ast.walk(statement))
    return inside


#: vendored third-party projects (benchmarks/corpus.py builds them): not our code
VENDORED = ROOT / "benchmarks" / "corpus"


def _sources(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted(p for p in (ROOT / folder).rglob("*.py") if not p.is_relative_to(VENDORED))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _calls_setattr(node: ast.Call) -> bool:
    """``setattr(…)`` or ``<anything>.setattr(…)`` (monkeypatch.setattr)."""
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "setattr") or (isinstance(func, ast.Attribute) and func.attr == "setattr")


def test_no_module_imports_another_modules_underscore_names():
    bad = []
    for path in _sources(PACKAGE, "tests", "benchmarks"):
        relative = path.relative_to(ROOT).as_posix()
        module, is_package = _module(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours: set[str] = set()  # local names bound to one of our modules
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _imported(module, is_package, node)
                if not _ours(target):
                    continue
                for alias in node.names:
                    if _private(alias.name):
                        bad.append(f"{relative}:{node.lineno}: from {target} import {alias.name}")
                    else:
                        ours.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                ours.update((alias.asname or alias.name.split(".")[0]) for alias in node.names if _ours(alias.name))
        for node in ast.walk(tree):  # module._name, and monkeypatch.setattr(module, "_name", …)
            if isinstance(node, ast.Attribute) and _private(node.attr) and ast.unparse(node.value).split(".")[0] in ours:
                bad.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
            if (isinstance(node, ast.Call) and _calls_setattr(node) and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                    and _private(node.args[1].value) and ast.unparse(node.args[0]).split(".")[0] in ours):
                bad.append(f"{relative}:{node.lineno}: setattr of {ast.unparse(node.args[0])}.{node.args[1].value}")
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(PACKAGE + ".")
                    and " " not in node.value and any(_private(part) for part in node.value.split("."))):
                bad.append(f"{relative}:{node.lineno}: {node.value!r}")  # monkeypatch.setattr("pkg.mod._name", …)
    assert bad == [], "\n".join(bad)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports (at any depth in the file; parents of an
    imported module included: importing ``a.b.c`` runs ``a/b/__init__``)."""
    modules = {_module(path)[0]: path for path in _sources(PACKAGE)}
    graph: dict[str, set[str]] = {name: set() for name in modules}

    def add(importer: str, imported: str) -> None:
        while imported not in modules and "." in imported:
            imported = imported.rsplit(".", 1)[0]
        parts = imported.split(".")
        for depth in range(2, len(parts) + 1):
            name = ".".join(parts[:depth])
            if name in modules and name != importer and not importer.startswith(name + "."):
                graph[importer].add(name)

    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _ours(alias.name):
                        add(module, alias.name)
            elif isinstance(node, ast.ImportFrom):
                target = _imported(module, is_package, node)
                if _ours(target):
                    for alias in node.names:
                        add(module, f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_no_import_cycles():
    cycles = [sorted(c) for c in _cycles(_import_graph())]
    assert cycles == []


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [{"a", "b", "c"}]
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import x\ndef f():\n    from . import y\n"
        "if not TYPE_CHECKING:\n    from . import z\n"
    )
    skipped = _type_checking_nodes(tree)
    kept = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and id(n) not in skipped and n.level]
    assert [n.names[0].name for n in kept] == ["y", "z"]


def test_module_names_are_compared_whole():
    """A name that only starts like ours is not ours; the map's entries are whole paths, read from its table."""
    assert _ours("hatch_aicontainer") and _ours("hatch_aicontainer.core.errors")
    assert not _ours("hatch_aicontainer_extra.core")
    text = "| deps | `build/deps/lockfile.py`, `cli/__main__.py` | job |\nOutside the table: `core/errors.py`.\n"
    assert _map_names(text) == {"build/deps/lockfile.py", "cli/__main__.py"}
    assert "deps/lockfile.py" not in _map_names(text) and "build/deps/lock.py" not in _map_names(text)


ENTRY_POINTS = ("cli", "plugin")
_ENVIRONMENT_READERS = frozenset({"environ", "getenv", "environb", "getenvb", "putenv", "unsetenv"})


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read or change the process environment: ``os.environ``, ``os.getenv(…)``, and
    those names imported from ``os``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _ENVIRONMENT_READERS and ast.unparse(node.value) == "os":
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            lines += [node.lineno for alias in node.names if alias.name in _ENVIRONMENT_READERS]
    return sorted(lines)


def test_only_the_entry_points_read_the_environment():
    readers = []
    for path in _sources(PACKAGE):
        relative = path.relative_to(ROOT / PACKAGE)
        if relative.parts[0] in ENTRY_POINTS:
            continue
        readers += [f"{relative.as_posix()}:{line}" for line in _environment_reads(ast.parse(path.read_text(encoding="utf-8")))]
    assert readers == []


def test_the_environment_check_sees_each_way_of_reading_it():
    code = "import os\nfrom os import getenv\na = os.environ['X']\nb = os.getenv('Y')\nc = os.path.join('a')\n"
    assert _environment_reads(ast.parse(code)) == [2, 3, 4]


def test_modules_are_short_or_say_why():
    long = []
    for path in _sources(PACKAGE):
        relative = path.relative_to(ROOT / PACKAGE).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and not docstring.startswith("Long because:"):
            long.append(f"{relative}: {lines} lines")
    assert long == []


def _lint_imports() -> str | None:
    beside = Path(sys.executable).with_name("lint-imports")
    return str(beside) if beside.exists() else shutil.which("lint-imports")


def test_import_contracts_hold():
    command = _lint_imports()
    assert command is not None, "lint-imports not found: install the [test] extra (import-linter)"
    done = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]


def _map_names(text: str) -> set[str]:
    """The ``*.py`` paths the map's table rows name, each whole (between backticks)."""
    return {name for line in text.splitlines() if line.startswith("|")
            for name in re.findall(r"`([^`\s]+\.py)`", line)}


def test_the_architecture_map_names_every_module():
    """docs/ARCHITECTURE.md matches the tree: every module of ours is named by its path in the package
    (``build/deps/lock.py``), so two modules of one name are two entries; and it names no module that
    is not there."""
    named = _map_names((ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    modules = {path.relative_to(ROOT / PACKAGE).as_posix() for path in _sources(PACKAGE) if path.name != "__init__.py"}
    assert sorted(modules - named) == [], "modules the map does not name"
    assert sorted(named - modules) == [], "the map names modules that are not there"
