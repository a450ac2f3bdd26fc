"""Environment faults and signals during a real build: one line, the right exit, nothing left.

The tiny project (tests/trust_fixtures.py: ``six`` only, lock committed) is built
on the offline Debian Python base by real ``python -m hatchling build -t container``
processes, in their own process group (as CI runs and cancels jobs).

* ``dist/``, the plugin cache and ``TMPDIR`` each on a 1 MB tmpfs (ENOSPC) and on
  a read-only bind mount (EROFS);
* SIGINT and SIGTERM sent to the process group at each phase of the build,
  timed from its progress lines;
* SIGINT and SIGTERM to ``aicontainer cache clean`` waiting for the cache;
* leftovers of a build proven dead are swept, a live build's are not (two builds
  at once, and planted names of a live and a dead process).

After each case: exactly one ``error:`` line naming the step, no traceback,
exit 1 (130 / 143 for the signals), nothing of the build left in ``dist/``,
the cache or ``TMPDIR``, and a next build into the same folders gives the
digest of a clean build (so the cache is usable and its lock released).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import base_images
import pytest
from e2e_helpers import BIN, hatch_env
from trust_fixtures import make_tiny_project

pytestmark = pytest.mark.e2e

TIMEOUT = 600


def _require_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs or a read-only bind mount needs root")


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str


@dataclass
class Folders:
    project: Path
    cache: Path
    tmp: Path

    @property
    def dist(self) -> Path:
        return self.project / "dist"


def _env(folders: Folders) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AICONTAINER_", "DOCKER_"))}
    env.update(AICONTAINER_CACHE_DIR=str(folders.cache), AICONTAINER_BYTECODE="off", TMPDIR=str(folders.tmp),
               SOURCE_DATE_EPOCH="1700000000", PYTHONUNBUFFERED="1")
    return env


def _start(folders: Folders, hatch: dict[str, str] | None = None) -> subprocess.Popen:
    """``python -m hatchling build`` (the builder in-process), or with ``hatch`` (its environment)
    ``hatch build``, which runs the builder in a child process of its own."""
    command = [str(BIN / "hatch"), "build"] if hatch else [sys.executable, "-m", "hatchling", "build"]
    return subprocess.Popen(
        [*command, "-t", "container"], cwd=folders.project, env={**_env(folders), **(hatch or {})},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def _build(folders: Folders) -> Run:
    process = _start(folders)
    output, _ = process.communicate(timeout=TIMEOUT)
    return Run(process.returncode, output)


def _digest(folders: Folders) -> str:
    (digest,) = folders.dist.glob("*.oci.tar.digest")
    return digest.read_text().strip()


def _leftovers(folders: Folders) -> list[str]:
    """Anything of a build that is not a finished output: hidden names in dist/, the build's
    temporary folders in TMPDIR, half-written entries in the cache."""
    found = [str(p) for p in folders.dist.glob(".*")] if folders.dist.is_dir() else []
    found += [str(p) for p in folders.tmp.glob("*")] if folders.tmp.is_dir() else []
    if folders.cache.is_dir():
        found += [str(p) for p in folders.cache.rglob(".tmp-*")]
        found += [str(p) for p in folders.cache.rglob(".aicontainer-probe-*")]
    return found


def _assert_one_line(run: Run, status: int, *fragments: str) -> None:
    assert "Traceback" not in run.output, run.output[-3000:]
    errors = [line for line in run.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, run.output[-3000:]
    assert run.returncode == status, run.output[-3000:]
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def _assert_clean_after(folders: Folders, clean_digest: str) -> None:
    assert _leftovers(folders) == []
    again = _build(folders)
    assert again.returncode == 0, again.output[-3000:]
    assert _digest(folders) == clean_digest
    assert _leftovers(folders) == []


@pytest.fixture(scope="module")
def base_spec() -> str:
    layout = base_images.ensure_python_base_layout()
    return f"oci:{layout.path}:{layout.tag}"


@pytest.fixture(scope="module")
def shared_cache(module_tmp) -> Path:
    return module_tmp.mktemp("faults-cache")


@pytest.fixture(scope="module")
def clean_digest(module_tmp, base_spec, shared_cache) -> str:
    """The digest of a build with nothing in the way (it also warms the shared cache)."""
    root = module_tmp.mktemp("faults-clean")
    folders = Folders(make_tiny_project(root / "project", base_spec, git=False, tool={"include": [], "kubernetes": {}}),
                      shared_cache, root / "tmp")
    folders.tmp.mkdir()
    run = _build(folders)
    assert run.returncode == 0, run.output[-3000:]
    assert _leftovers(folders) == []
    return _digest(folders)


@pytest.fixture
def folders(tmp_path, base_spec, shared_cache) -> Folders:
    project = make_tiny_project(tmp_path / "project", base_spec, git=False, tool={"include": [], "kubernetes": {}})
    (project / "dist").mkdir()
    (tmp_path / "tmp").mkdir()
    return Folders(project, shared_cache, tmp_path / "tmp")


# -- mounts ---------------------------------------------------------------------------------------


def _mounted(path: Path) -> bool:
    return any(line.split()[1] == str(path) for line in Path("/proc/self/mounts").read_text().splitlines())


def _unmount(path: Path) -> None:
    while _mounted(path):
        subprocess.run(["umount", "-l", str(path)], check=True)


@pytest.fixture
def mount() -> Iterator:
    """``mount(path, "tmpfs" | "ro")``: a 1 MB tmpfs, or ``path`` bind-mounted read-only on itself;
    undone in teardown (and before, should an earlier run have left one)."""
    _require_root()
    done: list[Path] = []

    def make(path: Path, kind: str) -> None:
        path.mkdir(parents=True, exist_ok=True)
        _unmount(path)
        if kind == "tmpfs":
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(path)], check=True)
        else:
            subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
            subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
        done.append(path)

    yield make
    for path in reversed(done):
        _unmount(path)


FAULTS = {
    # where, kind: the step the line must name, and the cause
    ("dist", "tmpfs"): ("writing the archive", "MB free"),
    ("dist", "ro"): ("output folder", "read-only file system"),
    ("cache", "tmpfs"): ("", "no space left on the device"),
    ("cache", "ro"): ("cache", "read-only file system"),
    ("tmp", "tmpfs"): ("temporary folder (TMPDIR)", "no space left on the device"),
    ("tmp", "ro"): ("temporary folder (TMPDIR)", "read-only file system"),
}


@pytest.mark.parametrize("where, kind", sorted(FAULTS))
def test_a_full_or_read_only_folder_is_one_line_and_leaves_nothing(where, kind, folders, mount, clean_digest):
    # the shared cache itself: a tmpfs hides it, a read-only mount keeps it as it is; unmounted, it is whole
    target = {"dist": folders.dist, "cache": folders.cache, "tmp": folders.tmp}[where]
    mount(target, kind)
    if (where, kind) == ("tmp", "tmpfs"):  # full: the little the build writes there must not fit
        subprocess.run(["dd", "if=/dev/zero", f"of={target}/filler", "bs=64k"], capture_output=True)
    run = _build(folders)
    step, cause = FAULTS[(where, kind)]
    _assert_one_line(run, 1, step, cause)
    needed = None
    if kind == "tmpfs" and where == "dist":
        match = re.search(rf"needs (\d+) MB in {re.escape(str(folders.dist))}/, 1 MB free", run.output)
        assert match, run.output[-2000:]
        needed = int(match.group(1))
    if (where, kind) == ("tmp", "tmpfs"):
        (target / "filler").unlink()
    _unmount(target)
    _assert_clean_after(folders, clean_digest)
    if needed is not None:  # the figure is the archive's real size (in MB, rounded up)
        (archive,) = folders.dist.glob("*.oci.tar")
        assert needed == -(-archive.stat().st_size // 1_000_000)


def test_a_cache_dir_that_is_a_file_is_one_line(folders, clean_digest):
    blocker = folders.project.parent / "not-a-folder"
    blocker.write_text("x")
    folders.cache = blocker
    run = _build(folders)
    _assert_one_line(run, 1, "cache", str(blocker), "not a directory", "AICONTAINER_CACHE_DIR")
    info = subprocess.run([sys.executable, "-m", "hatch_aicontainer.cli.main", "cache", "info", "--dir", str(blocker)],
                          capture_output=True, text=True)
    assert info.returncode == 1 and "Traceback" not in info.stderr, info.stderr
    assert info.stderr.startswith("error: ") and "not a directory" in info.stderr and len(info.stderr.splitlines()) == 1


# -- signals --------------------------------------------------------------------------------------

#: a progress line, and what runs when it has appeared
PHASES = {
    "base image": "[linux/amd64] base image",  # fetching the base, probing its Python
    "lock": "[linux/amd64] base Python",  # reading the lock
    "layers": "[linux/amd64] lock ",  # the dependency, project and include layers
    "sbom": "[linux/amd64] dependency layer",  # project layer, SBOM, config, manifest
    "archive": "writing ",  # the archive
}


def _signal_at(folders: Folders, line: str, signum: int, hatch: dict[str, str] | None = None) -> Run:
    process = _start(folders, hatch)
    assert process.stdout is not None
    seen = []
    for text in process.stdout:
        seen.append(text)
        if line in text:
            os.killpg(process.pid, signum)
            break
    rest, _ = process.communicate(timeout=TIMEOUT)
    return Run(process.returncode, "".join(seen) + rest)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_at_any_phase_removes_the_builds_files(signum, folders, clean_digest):
    """One build signalled per phase, each checked; then the next build, on the cache the build
    interrupted while writing its dependency layer (cold: uv and the layer writer ran)."""
    shared = folders.cache
    for phase, line in PHASES.items():
        folders.cache = folders.project.parent / "cold-cache" if phase == "layers" else shared
        run = _signal_at(folders, line, signum)
        _assert_one_line(run, 130 if signum == signal.SIGINT else 143, "interrupted")
        assert not list(folders.dist.glob("*.oci.tar")), f"an archive of a build interrupted at {phase}"
        assert _leftovers(folders) == [], phase
    folders.cache = folders.project.parent / "cold-cache"
    _assert_clean_after(folders, clean_digest)


@pytest.mark.parametrize("signum", [signal.SIGTERM], ids=["SIGTERM"])  # SIGINT: same path, 254 from hatch (below)
def test_a_signal_to_hatch_build_removes_the_builds_files(signum, folders, clean_digest, plugin_wheelhouse, tmp_path):
    """``hatch build`` runs the builder in a child process; CI signals the whole group."""
    hatch = {k: v for k, v in hatch_env(plugin_wheelhouse, tmp_path / "hatch", folders.cache).items()
             if k in ("UV_FIND_LINKS", "PIP_FIND_LINKS", "HATCH_DATA_DIR", "HATCH_CACHE_DIR", "PATH")}
    folders.cache = folders.project.parent / "cold-cache"  # the builder is in the dependency layer (uv) when signalled
    run = _signal_at(folders, PHASES["layers"], signum, hatch)
    assert "Traceback" not in run.output, run.output[-3000:]
    assert [line for line in run.output.splitlines() if line.startswith("error: ")] == ["error: interrupted"], run.output[-3000:]
    # hatch runs the builder through ``sh -c``; the shell, signalled with the group, dies of the
    # signal itself whatever the builder's status: hatch then exits 254 (its sys.exit(-2)) on SIGINT,
    # and dies of SIGTERM at once (a shell reports 143), while the builder cleans up and says so.
    assert run.returncode == (254 if signum == signal.SIGINT else -signal.SIGTERM), run.output[-3000:]
    assert _leftovers(folders) == []
    again = _signal_at(folders, "\0never\0", signum, hatch)  # runs to its end
    assert again.returncode == 0, again.output[-3000:]
    assert _digest(folders) == clean_digest
    assert _leftovers(folders) == []


# -- sweeping dead builds' leftovers --------------------------------------------------------------


def _token_of(pid: int) -> str:
    from hatch_aicontainer.core import faults

    start = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]
    return f"p{pid}-{start}-{faults.owner_token().rpartition('-')[2]}"


def test_a_build_sweeps_dead_builds_leftovers_and_keeps_live_ones(folders, clean_digest):
    """Named for a pid that has ended: removed. For a live pid, another machine (boot or pid
    namespace), or without the token (cannot be proven dead): kept."""
    dead = subprocess.Popen(["true"])
    dead_token = _token_of(dead.pid)
    dead.wait()
    live = subprocess.Popen(["sleep", "600"])
    live_token = _token_of(live.pid)
    kept_tokens = (live_token, dead_token.rpartition("-")[0] + "-0badf00d", "oldstyle")
    cache = folders.cache  # the shared one: what is planted there is removed again below
    planted = {
        folders.dist / ".tiny_app-0.3.0.oci.tar.tmp-{}-abc": "file",
        folders.dist / ".tiny_app-0.3.0.oci.tmp-{}-abc": "dir",
        folders.tmp / "aicontainer-build-{}-abc": "dir",
        folders.tmp / "aicontainer-wheel-{}-abc": "dir",
        cache / "blobs" / "sha256" / ".tmp-{}-abc": "file",
        cache / "interpreters" / ".tmp-{}-abc": "dir",
    }
    try:
        for pattern, kind in planted.items():
            for token in (dead_token, *kept_tokens):
                path = Path(str(pattern).format(token))
                path.parent.mkdir(parents=True, exist_ok=True)
                if kind == "dir":
                    path.mkdir()
                    (path / "big").write_bytes(b"x" * 1000)
                else:
                    path.write_bytes(b"x" * 1000)
        run = _build(folders)
        assert run.returncode == 0, run.output[-3000:]
        for pattern in planted:
            assert not Path(str(pattern).format(dead_token)).exists()
            for token in kept_tokens:
                assert Path(str(pattern).format(token)).exists(), str(pattern).format(token)
        assert _digest(folders) == clean_digest
    finally:
        live.kill()
        live.wait()
        for pattern, kind in planted.items():  # out of the shared cache (and the case's folders)
            for token in (dead_token, *kept_tokens):
                path = Path(str(pattern).format(token))
                shutil.rmtree(path, ignore_errors=True) if kind == "dir" else path.unlink(missing_ok=True)


def test_two_builds_at_once_keep_each_others_files(folders, clean_digest):
    other = Folders(folders.project, folders.cache, folders.tmp)
    first = _start(folders)
    assert first.stdout is not None
    seen = []
    for text in first.stdout:  # the second starts (and sweeps) while the first is writing its layers
        seen.append(text)
        if PHASES["layers"] in text:
            break
    second = _build(other)
    rest, _ = first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0, "".join(seen) + rest
    assert second.returncode == 0, second.output[-3000:]
    assert _digest(folders) == clean_digest
    assert _leftovers(folders) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_to_the_cli_is_one_line(signum, tmp_path):
    """``aicontainer cache clean`` waiting for a build to release the cache (a shared lock held
    here), signalled once it has the lock file open: one line, 130 / 143."""
    import fcntl

    cache = tmp_path / "cache"
    cache.mkdir()
    lock = cache / ".lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_SH)
    try:
        process = subprocess.Popen([sys.executable, "-m", "hatch_aicontainer.cli.main", "cache", "clean", "--dir", str(cache)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)

        def waiting() -> bool:
            try:
                return any(os.readlink(entry) == str(lock) for entry in Path(f"/proc/{process.pid}/fd").iterdir())
            except OSError:
                return False

        while not waiting():
            assert process.poll() is None, process.communicate()
            time.sleep(0.02)
        os.killpg(process.pid, signum)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        os.close(fd)
    assert "Traceback" not in err, err
    assert err.splitlines() == ["error: interrupted"], err
    assert process.returncode == (130 if signum == signal.SIGINT else 143)
