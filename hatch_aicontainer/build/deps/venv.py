"""The image's virtual environment at /opt/venv, assembled without running Python.

A venv is a ``pyvenv.cfg`` plus ``bin/python`` links to the base image's
interpreter; Python finds the cfg beside the executable it was started as and
uses ``lib/python3.X/site-packages``. Building it by hand lets us install for
a foreign interpreter (uv ``--target``) and keep the base image untouched.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
from pathlib import Path

from hatch_aicontainer.build.base.python import PythonInfo
from hatch_aicontainer.oci.layer import LayerEntry, tree_entries

VENV = "/opt/venv"
VENV_PYTHON = f"{VENV}/bin/python"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _rel(path: str) -> str:
    return path.lstrip("/")


def site_packages(python_minor: str) -> str:
    return f"{VENV}/lib/python{python_minor}/site-packages"


def venv_environment(base_env: dict[str, str]) -> dict[str, str]:
    """The variables that activate the venv, given the base image's Env."""
    return {"PATH": f"{VENV}/bin:{base_env.get('PATH') or DEFAULT_PATH}", "VIRTUAL_ENV": VENV}


def skeleton_entries(python: PythonInfo) -> list[LayerEntry]:
    """pyvenv.cfg, the interpreter links and the empty site-packages."""
    home = python.executable.rsplit("/", 1)[0]
    cfg = (
        f"home = {home}\n"
        "include-system-site-packages = false\n"
        f"version = {python.version}\n"
        "executable = " + python.executable + "\n"
    ).encode()
    bin_dir = _rel(f"{VENV}/bin")
    return [
        LayerEntry(path=_rel(f"{VENV}/pyvenv.cfg"), kind="file", mode=0o644, data=cfg),
        LayerEntry(path=f"{bin_dir}/python", kind="symlink", target=python.executable),
        LayerEntry(path=f"{bin_dir}/python3", kind="symlink", target="python"),
        LayerEntry(path=f"{bin_dir}/python{python.minor}", kind="symlink", target="python"),
        LayerEntry(path=_rel(site_packages(python.minor)), kind="dir", mode=0o755),
    ]


def installed_tree_entries(tree: Path, python_minor: str) -> list[LayerEntry]:
    """Layer entries for a uv ``--target`` tree placed into the venv.

    Packages go to site-packages; ``bin/`` (console scripts) goes to the venv's
    ``bin`` with its shebang pointing at the venv's python, and the RECORD
    files are corrected to match.
    """
    scripts = tree / "bin"
    moved = tree.parent / f"{tree.name}.bin"
    entries: list[LayerEntry] = []
    if scripts.is_dir():
        renamed = {path.name: _rewrite_shebang(path) for path in sorted(scripts.iterdir()) if path.is_file()}
        _fix_records(tree, python_minor, renamed)
        shutil.move(str(scripts), moved)
        entries += tree_entries(moved, _rel(f"{VENV}/bin"))
    entries += tree_entries(tree, _rel(site_packages(python_minor)))
    # tree_entries adds the prefix's parent directories; the skeleton has them too.
    return [entry for entry in entries if entry.kind != "dir" or not _is_venv_parent(entry.path, python_minor)]


def _is_venv_parent(path: str, python_minor: str) -> bool:
    parents = {_rel(VENV), "opt", _rel(f"{VENV}/bin"), _rel(f"{VENV}/lib"), _rel(f"{VENV}/lib/python{python_minor}")}
    return path in parents or path == _rel(site_packages(python_minor))


def _rewrite_shebang(path: Path) -> bytes | None:
    """Point a script installed by uv at the venv's python; return new bytes if changed."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines[0].startswith(b"#!/bin/sh") and len(lines) > 2 and lines[1].startswith(b"'''exec'"):
        # uv's form for interpreter paths too long for a shebang line.
        new = b"\n".join([b"#!" + VENV_PYTHON.encode(), *lines[3:]])
    elif lines[0].startswith(b"#!") and b"python" in lines[0]:
        new = b"\n".join([b"#!" + VENV_PYTHON.encode(), *lines[1:]])
    else:
        return None
    path.write_bytes(new)
    return new


def _fix_records(tree: Path, python_minor: str, rewritten: dict[str, bytes | None]) -> None:
    """RECORD lists scripts as ``bin/NAME``; in a venv they sit at ``../../../bin/NAME``."""
    for record in tree.glob("*.dist-info/RECORD"):
        lines = record.read_text(encoding="utf-8").splitlines()
        changed = False
        for index, line in enumerate(lines):
            name, _, rest = line.partition(",")
            if not name.startswith("bin/"):
                continue
            script = name[len("bin/") :]
            new_name = f"../../../bin/{script}"
            new_bytes = rewritten.get(script)
            if new_bytes is not None:
                digest = base64.urlsafe_b64encode(hashlib.sha256(new_bytes).digest()).rstrip(b"=").decode()
                rest = f"sha256={digest},{len(new_bytes)}"
            lines[index] = f"{new_name},{rest}"
            changed = True
        if changed:
            record.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
