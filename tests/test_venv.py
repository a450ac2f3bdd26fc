"""The /opt/venv assembly: skeleton, script relocation, RECORD fixes."""

from __future__ import annotations

import base64
import hashlib

from hatch_aicontainer.build.base.python import PythonInfo
from hatch_aicontainer.build.deps.venv import installed_tree_entries, skeleton_entries, venv_environment

DEBIAN = PythonInfo(version="3.11.2", minor="3.11", executable="/usr/bin/python3.11")


def _by_path(entries):
    return {entry.path: entry for entry in entries}


def test_skeleton_points_at_the_probed_interpreter():
    entries = _by_path(skeleton_entries(DEBIAN))
    cfg = entries["opt/venv/pyvenv.cfg"].data.decode()
    assert "home = /usr/bin\n" in cfg and "version = 3.11.2\n" in cfg
    assert "include-system-site-packages = false" in cfg
    assert entries["opt/venv/bin/python"].target == "/usr/bin/python3.11"
    assert entries["opt/venv/bin/python3.11"].target == "python"
    assert entries["opt/venv/lib/python3.11/site-packages"].kind == "dir"


def test_environment_prepends_the_venv():
    env = venv_environment({"PATH": "/usr/bin:/bin"})
    assert env == {"PATH": "/opt/venv/bin:/usr/bin:/bin", "VIRTUAL_ENV": "/opt/venv"}
    assert venv_environment({})["PATH"].startswith("/opt/venv/bin:/usr/local/sbin")


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def test_scripts_move_to_venv_bin_with_venv_shebang(tmp_path):
    tree = tmp_path / "site"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "__init__.py").write_text("")
    (tree / "bin").mkdir()
    short = b"#!/build/env/bin/python\nimport pkg\n"
    long_form = b"#!/bin/sh\n'''exec' '/very/long/build/env/bin/python' \"$0\" \"$@\"\n' '''\nimport pkg\n"
    (tree / "bin" / "short").write_bytes(short)
    (tree / "bin" / "long").write_bytes(long_form)
    (tree / "bin" / "short").chmod(0o755)
    dist_info = tree / "pkg-1.dist-info"
    dist_info.mkdir()
    (dist_info / "RECORD").write_text(
        f"pkg/__init__.py,,0\nbin/short,{_record_hash(short)},{len(short)}\nbin/long,{_record_hash(long_form)},{len(long_form)}\n"
    )

    entries = _by_path(installed_tree_entries(tree, "3.11"))

    short_entry = entries["opt/venv/bin/short"]
    assert short_entry.mode == 0o755
    new_short = (short_entry.source.read_bytes() if short_entry.source else short_entry.data)
    assert new_short == b"#!/opt/venv/bin/python\nimport pkg\n"
    long_entry = entries["opt/venv/bin/long"]
    new_long = long_entry.source.read_bytes() if long_entry.source else long_entry.data
    assert new_long == b"#!/opt/venv/bin/python\nimport pkg\n"
    assert "opt/venv/lib/python3.11/site-packages/pkg/__init__.py" in entries
    assert not any(path.startswith("opt/venv/lib/python3.11/site-packages/bin") for path in entries)

    record = (dist_info / "RECORD").read_text().splitlines()
    assert f"../../../bin/short,{_record_hash(new_short)},{len(new_short)}" in record
    assert f"../../../bin/long,{_record_hash(new_long)},{len(new_long)}" in record
