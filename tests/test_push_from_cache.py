"""``archive = false`` (``AICONTAINER_ARCHIVE=0``): build and push straight from the cache, no
``.oci.tar``; and the progress a CI log shows for a large layer (none with ``-q``).

The tiny project (trust_fixtures: six only, no TensorFlow) on the offline Debian Python base,
with a 200 MB file included (a layer large enough to show progress). Built with
``hatchling build -t container`` in a subprocess, so stderr is no TTY, as in CI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from release_helpers import skopeo_inspect
from trust_fixtures import VERSION, build_wheel, make_tiny_project, tiny_project_info

from hatch_aicontainer.build.image import build_image
from hatch_aicontainer.config.settings import load_settings
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.outputs import apply
from hatch_aicontainer.outputs.push.publish import PushError

pytestmark = pytest.mark.e2e

BIG = 200 * 1000 * 1000
TOOL = {"include": ["big"], "kubernetes": {}}
PROGRESS_LINE = re.compile(r"^\[linux/amd64\] include big: [\d.]+ MB of [\d.]+ MB \(\d+%\), [\d.]+ [kMG]?B/s", re.M)


@pytest.fixture(scope="module")
def project(module_tmp, python_base_layout) -> Path:
    root = make_tiny_project(module_tmp.mktemp("from-cache") / "tiny-app", python_base_layout.spec, git=False, tool=TOOL)
    (root / "big").mkdir()
    with open(root / "big" / "weights.bin", "wb") as handle:  # zeros: cheap to write and to compress
        handle.truncate(BIG)
    return root


@pytest.fixture(scope="module")
def cache(module_tmp) -> Path:
    return module_tmp.mktemp("from-cache-cache")


def _hatch(project: Path, dist: Path, cache: Path, **env: str) -> subprocess.CompletedProcess:
    scratch = dist.parent / (dist.name + "-tmp")
    scratch.mkdir(parents=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AICONTAINER_", "DOCKER_", "HATCH_"))}
    environ.update(AICONTAINER_CACHE_DIR=str(cache), AICONTAINER_BYTECODE="off", TMPDIR=str(scratch),
                   SOURCE_DATE_EPOCH="1700000000", DOCKER_CONFIG=str(scratch), **env)
    run = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "container", "-d", str(dist)], cwd=project,
                         env=environ, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def test_push_from_the_cache_has_the_archive_digest_and_writes_no_archive(project, cache, registry, tmp_path):
    archived = _hatch(project, tmp_path / "dist-archive", cache)
    (archive,) = (tmp_path / "dist-archive").glob("*.oci.tar")
    recorded = (archive.parent / (archive.name + ".digest")).read_text().strip()
    output = archived.stdout + archived.stderr
    # progress for the large layer, as plain lines (no TTY), then its last line
    assert len(PROGRESS_LINE.findall(output)) >= 3, output
    assert re.search(r"include big: .*\(100%\).*done in \d+", output), output
    assert re.search(r"^\[linux/amd64\] uv: Installed 2 packages in ", output, re.M), output  # uv's own summary

    reference = f"{registry.host}/from-cache/direct:{VERSION}"
    _hatch(project, tmp_path / "dist-direct", cache, AICONTAINER_ARCHIVE="0", AICONTAINER_PUSH_TO=reference)
    dist = tmp_path / "dist-direct"
    assert not list(dist.glob("*.tar")) and not list(dist.glob(".*tmp*")), sorted(p.name for p in dist.iterdir())
    assert (dist / (archive.name + ".digest")).read_text().strip() == recorded
    record = json.loads((dist / (archive.name + ".json")).read_text())
    assert record["digest"] == recorded and record["archive"] is None
    assert record["pushed"] == [f"{reference}@{recorded}"]
    assert skopeo_inspect(reference)["Digest"] == recorded  # an independent reader agrees
    raw = skopeo_inspect(reference, raw=True)
    with open(archive.parent / (archive.name + ".json")) as handle:
        archived_record = json.load(handle)
    assert [layer["digest"] for layer in raw["layers"]] == [layer["digest"] for layer in archived_record["platforms"][0]["layers"]]

    quiet = _hatch(project, tmp_path / "dist-quiet", cache, AICONTAINER_ARCHIVE="0", HATCH_QUIET="1",
                   AICONTAINER_PUSH_TO=f"{registry.host}/from-cache/quiet:{VERSION}")
    assert not PROGRESS_LINE.search(quiet.stdout + quiet.stderr) and "push: " not in quiet.stderr, quiet.stderr


def test_archive_false_without_a_push_is_refused_in_one_line(project, cache, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AICONTAINER_", "DOCKER_", "HATCH_"))}
    environ.update(AICONTAINER_CACHE_DIR=str(cache), AICONTAINER_ARCHIVE="off", TMPDIR=str(scratch))
    run = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "container", "-d", str(tmp_path / "dist")],
                         cwd=project, env=environ, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "AICONTAINER_ARCHIVE (environment) = " in run.stderr and "no push is configured" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


def test_a_blob_truncated_in_the_cache_stops_the_push_before_the_manifest(project, registry, tmp_path):
    reference = f"{registry.host}/from-cache/damaged:{VERSION}"
    table = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["aicontainer"]
    table = {**table, "include": []}  # the large file is not needed here
    environ = {"AICONTAINER_ARCHIVE": "0", "AICONTAINER_PUSH_TO": reference}
    settings = load_settings(table, tiny_project_info(project), environ)
    store = BlobStore(tmp_path / "cache")
    (tmp_path / "dist").mkdir()  # as make_image does
    result = build_image(settings, tiny_project_info(project), build_wheel(project, tmp_path / "wheel"),
                         tmp_path / "dist", store, mtime=1_700_000_000)
    assert not result.archived
    app_layer = result.images[0].layers[-2]  # [..., dependencies, app, SBOM]
    path = store.path(app_layer.digest)
    with open(path, "r+b") as handle:  # damaged on disk after it was written
        handle.truncate(app_layer.size // 2)
    with pytest.raises(PushError) as raised:
        apply(result, settings, store)
    message = str(raised.value)
    assert "\n" not in message and app_layer.digest[:19] in message and "corrupt" in message, message
    done = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--retry-times", "0", f"docker://{reference}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0  # no manifest was put
    assert not list((tmp_path / "dist").glob("*.tar"))


def _hatch_on_a_terminal(project: Path, dist: Path, cache: Path, **env: str) -> str:
    """The build with stderr on a pseudo-terminal (as a developer runs it); what the terminal got."""
    import pty
    import threading

    scratch = dist.parent / (dist.name + "-tmp")
    scratch.mkdir(parents=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AICONTAINER_", "DOCKER_", "HATCH_"))}
    environ.update(AICONTAINER_CACHE_DIR=str(cache), AICONTAINER_BYTECODE="off", TMPDIR=str(scratch),
                   SOURCE_DATE_EPOCH="1700000000", **env)
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        run = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "container", "-d", str(dist)], cwd=project,
                             env=environ, stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL, timeout=600)
    finally:
        os.close(slave)
        reader.join(timeout=30)
        os.close(master)
    text = b"".join(chunks).decode(errors="replace")
    assert run.returncode == 0, text
    return text


#: The terminal line is redrawn every progress.REDRAW (0.25 s): the include layer must take several
#: of those on any host. 200 MB of zeros took under 0.25 s on an AVX-512 host; 2 GB (sparse, so cheap
#: to make, and a few MB compressed) takes seconds (sha256 of every byte).
TTY_BIG = 2_000 * 1000 * 1000


def test_on_a_terminal_one_line_is_redrawn_and_quiet_shows_none(python_base_layout, tmp_path):
    project = make_tiny_project(tmp_path / "tiny-app", python_base_layout.spec, git=False, tool=TOOL)
    (project / "big").mkdir()
    with open(project / "big" / "weights.bin", "wb") as handle:
        handle.truncate(TTY_BIG)
    # caches of their own: from a cache holding the include layer, nothing would be written to show
    shown = _hatch_on_a_terminal(project, tmp_path / "dist-tty", tmp_path / "cache-tty")
    redrawn = [part for part in shown.split("\r\x1b[K") if part.startswith("[linux/amd64] include big: ")]
    assert len(redrawn) >= 2, shown  # drawn over itself, not one line per update
    assert re.search(r"include big: .*\(100%\).*done in \d+", shown), shown
    quiet = _hatch_on_a_terminal(project, tmp_path / "dist-tty-quiet", tmp_path / "cache-quiet", HATCH_QUIET="1")
    assert "include big:" not in quiet and "\x1b[K" not in quiet, quiet


def test_aicontainer_push_shows_its_progress_on_stderr(python_base_layout, registry, tmp_path):
    """`aicontainer push` of an archive with an incompressible 80 MB layer: progress lines (no TTY) on
    stderr, only the pushed reference on stdout."""
    root = make_tiny_project(tmp_path / "tiny-app", python_base_layout.spec, git=False, tool=TOOL)
    (root / "big").mkdir()
    (root / "big" / "weights.bin").write_bytes(os.urandom(80 * 1000 * 1000))
    _hatch(root, tmp_path / "dist", tmp_path / "cache")
    (archive,) = (tmp_path / "dist").glob("*.oci.tar")
    reference = f"{registry.host}/from-cache/cli-progress:{VERSION}"
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AICONTAINER_", "DOCKER_"))}
    environ.update(AICONTAINER_CACHE_DIR=str(tmp_path / "cache"), DOCKER_CONFIG=str(tmp_path))
    done = subprocess.run([str(Path(sys.executable).parent / "aicontainer"), "push", str(archive), reference],
                          env=environ, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    digest = (archive.parent / (archive.name + ".digest")).read_text().strip()
    assert done.stdout.splitlines() == [f"{reference}@{digest}"]
    assert re.search(rf"^push to {re.escape(registry.host)}/from-cache/cli-progress: [\d.]+ MB of [\d.]+ MB \(\d+%\)",
                     done.stderr, re.M), done.stderr
    assert re.search(r"push to .*done in \d+", done.stderr), done.stderr
    # the last line counts what the push moved: all of it, nothing left
    last = [line for line in done.stderr.splitlines() if line.startswith("push to ")][-1]
    assert "(100%)" in last and "left" not in last, last

    # again, to another repository of the registry: the blobs are mounted (read to check them, not sent);
    # the last line counts those reads, none of the bytes it did not have to move
    again = subprocess.run([str(Path(sys.executable).parent / "aicontainer"), "push", str(archive),
                            f"{registry.host}/from-cache/cli-progress-again:{VERSION}"],
                           env=environ, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert again.returncode == 0, again.stderr
    assert re.search(r"\(0 blobs uploaded, [1-9]\d* mounted", again.stderr), again.stderr
    last = [line for line in again.stderr.splitlines() if line.startswith("push to ")][-1:]
    assert all("(100%)" in line and "left" not in line for line in last), again.stderr

    # a code-only change pushed by the build: the 80 MB layer is already there and is neither sent nor
    # counted; the few kB that are sent make no progress line that waits for 80 MB
    init = root / "src" / "tiny_app" / "__init__.py"
    init.write_text(init.read_text() + "# a code-only change\n")
    change = _hatch(root, tmp_path / "dist-change", tmp_path / "cache", AICONTAINER_PUSH_TO=reference)
    output = change.stdout + change.stderr
    assert re.search(r"\(\d+ blobs uploaded, 0 mounted, [1-9]\d* already there\)", output), output
    assert not [line for line in output.splitlines() if line.startswith("push to ") and "left" in line], output

