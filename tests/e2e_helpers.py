"""Running hatch as a user would: a fresh plugin wheel, a copy of a project, ``hatch build``."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "example_project"
BIN = Path(sys.executable).parent


def build_plugin_wheelhouse(destination: Path) -> Path:
    """Build hatch-aicontainer's wheel from a fresh copy of this checkout.

    A fresh copy (not the live tree) so what is tested is what is committed
    plus the working changes, without build leftovers; the wheelhouse is given
    to hatch's build environment through UV_FIND_LINKS / PIP_FIND_LINKS.
    """
    source = destination / "source"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", "dist", "__pycache__", "*.egg-info", ".pytest_cache", "example_project"),
    )
    built = destination / "built"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(built)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    # Named by the wheel's bytes: uv (hatch's installer) caches find-links wheels by location
    # and file name, so a fixed path would serve an earlier run's plugin of the same version.
    (wheel,) = built.glob("*.whl")
    wheelhouse = destination / ("wheelhouse-" + hashlib.sha256(wheel.read_bytes()).hexdigest()[:16])
    built.rename(wheelhouse)
    return wheelhouse


@dataclass(frozen=True)
class HatchRun:
    returncode: int
    stdout: str
    stderr: str
    project: Path

    @property
    def archives(self) -> list[Path]:
        return sorted((self.project / "dist").glob("*.oci.tar"))

    @property
    def dist_entries(self) -> list[str]:
        dist = self.project / "dist"
        return sorted(p.name for p in dist.iterdir()) if dist.is_dir() else []


def copy_project(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("dist", "__pycache__"))
    return destination


def hatch_env(wheelhouse: Path, hatch_data: Path, cache: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "UV_FIND_LINKS": str(wheelhouse),
            "PIP_FIND_LINKS": " ".join(filter(None, [str(wheelhouse), os.environ.get("PIP_FIND_LINKS", "")])),
            "HATCH_DATA_DIR": str(hatch_data),
            "HATCH_CACHE_DIR": str(hatch_data / "cache"),
            "AICONTAINER_CACHE_DIR": str(cache),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    env.update(extra)
    return env


def unpacked_by_uv(uv_cache: Path, prefixes: tuple[str, ...]) -> list[str]:
    """The ``*.dist-info`` names in a uv cache that start with one of ``prefixes``: which of a lock's
    distributions uv fetched or unpacked on a runner (the cache also holds hatch's build environment, the
    plugin among it: name the lock's packages)."""
    found = (p.name for p in uv_cache.rglob("*.dist-info")) if uv_cache.exists() else ()
    return sorted(name for name in found if name.startswith(prefixes))


def hatch_build(project: Path, env: dict[str, str], *targets: str) -> HatchRun:
    args = [str(BIN / "hatch"), "build"]
    for target in targets or ("container",):
        args += ["-t", target]
    done = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, timeout=1200)
    return HatchRun(done.returncode, done.stdout, done.stderr, project)


# Index, manifests and configs are far below this; a layer this small is extracted too, harmlessly.
_METADATA_BLOB_MAX = 1 << 20


def skopeo_inspect(archive: Path, *, raw: bool = False, config: bool = False) -> dict:
    """skopeo's view of the archive, read as an OCI layout holding the archive's metadata only.

    ``oci-archive:`` would first copy every layer to a temporary folder (several GB for a GPU
    image, twice that on disk while a build runs beside it); ``inspect`` opens no layer.
    """
    args = ["skopeo", "inspect"]
    if raw:
        args.append("--raw")
    if config:
        args.append("--config")
    with tempfile.TemporaryDirectory(prefix="skopeo-inspect-") as layout:
        with tarfile.open(archive) as tar:
            wanted = [m for m in tar if m.isfile() and (not m.name.startswith("blobs/") or m.size <= _METADATA_BLOB_MAX)]
            tar.extractall(layout, wanted, filter="data")
        done = subprocess.run([*args, f"oci:{layout}"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def umoci_unpack(archive: Path, workdir: Path, ref: str) -> Path:
    """Extract the archive as an OCI layout and unpack it with umoci (which verifies every digest)."""
    layout = workdir / "layout"
    with tarfile.open(archive) as tar:
        tar.extractall(layout, filter="data")
    bundle = workdir / "bundle"
    subprocess.run(["umoci", "unpack", "--rootless", "--image", f"{layout}:{ref}", str(bundle)], check=True, capture_output=True)
    return bundle / "rootfs"
