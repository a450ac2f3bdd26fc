"""The ``aicontainer`` command run as a pipeline runs it (a subprocess), and what its errors must look like."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AICONTAINER_", "DOCKER_"))}
    (tmp_path / "docker-config").mkdir(exist_ok=True)
    env["DOCKER_CONFIG"] = str(tmp_path / "docker-config")
    env["AICONTAINER_CACHE_DIR"] = str(tmp_path / "cache")
    env.update(extra)
    return env


def aicontainer(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hatch_aicontainer.cli.main", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def assert_one_line_error(done: subprocess.CompletedProcess, *fragments: str, code: int = 1) -> str:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], done.stderr  # progress lines may come before it
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]
