"""A tiny project (no TensorFlow) built into a real image, for the trust tests (SBOM, secrets, k8s, summary).

* :func:`make_tiny_project` writes a project whose dependency lock is
  already there (``six`` only, with the fingerprint the pipeline computes), so
  the build resolves nothing and installs one small wheel instead of
  TensorFlow. Secrets are planted around the files ``include`` names.
* :func:`make_tiny_build` builds it with the library pipeline (``build_image``)
  on a base image; the ``tiny_build`` fixture (tests/conftest.py) does it once
  per session on the offline Debian Python base, for every module to share.
* :func:`archive_layers` / :func:`layer_files` / :func:`rootfs_files`: every file
  of every layer of an archive, read with ``tarfile`` (not our reader), and of
  ``umoci unpack``'s root filesystem.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tomli_w
import tomllib
from environments import without_plugin_settings
from stand_ins import lock_package, lock_tool_table, metadata_wheel, stand_in_wheel

from hatch_aicontainer.build.deps.lock import lock_inputs, lock_path
from hatch_aicontainer.build.image import BuiltImage, build_image
from hatch_aicontainer.config.settings import ProjectInfo, Settings, load_settings
from hatch_aicontainer.oci.cache import BlobStore

MTIME = 1_700_000_000
NAME = "tiny-app"
VERSION = "0.3.0"
MARK = uuid.uuid4().hex  # in every planted secret's bytes; must appear in no layer
NAMED_MARK = "named-" + MARK[::-1]  # in files include names exactly; must be in the image

SIX_LOCK = {
    "lock-version": "1.0",
    "created-by": "uv",
    "requires-python": ">=3.11",
    "packages": [
        {
            "name": "six",
            "version": "1.17.0",
            "wheels": [
                {
                    "url": "https://files.pythonhosted.org/packages/b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e/six-1.17.0-py2.py3-none-any.whl",
                    "size": 11050,
                    "hashes": {"sha256": "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"},
                }
            ],
        }
    ],
}

#: project-relative path -> is it a secret (True) that must stay out; symlinks are listed in SYMLINKS
SECRET_FILES = (
    ".env",
    ".netrc",
    "models/.env",
    "models/.env.local",
    "models/.netrc",
    "models/.pypirc",
    "models/.npmrc",
    "models/credentials.json",
    "models/id_rsa",
    "models/id_rsa.pub",
    "models/id_ed25519",
    "models/server.key",
    "models/server.pem",
    "models/client.p12",
    "models/.docker/config.json",
    "models/.git/config",
    "models/.git/HEAD",
    "models/.ssh/authorized_keys",
    "models/sub/.aws/credentials",
    "configs/.env.production",
    "configs/key.pem",
    "configs/.pypirc",
    "weights/.env",
)
#: VCS-ignored (not secret by name): must stay out too
IGNORED_FILES = ("models/cache/blob.bin", "models/scratch.tmp", "configs/notes.tmp")
#: the image must hold these (destination -> project path)
EXPECTED = {
    "app/models/model.keras": "models/model.keras",
    "app/models/sub/layer.json": "models/sub/layer.json",
    "app/configs/app.json": "configs/app.json",
    "etc/tiny/ca.pem": "deploy/ca.pem",  # a secret-looking name, named exactly: shipped
    "app/weights/w.bin": "weights/w.bin",  # git ignores weights/, include names it: shipped
}
#: glob matches that are symlinks to secrets: left out (their target's bytes would leak)
SYMLINKS = {"configs/innocent.json": "../.env"}
GITIGNORE = "models/cache/\n*.tmp\nweights/\ndist/\n"
INCLUDE = [
    "models",
    "configs/*",
    {"source": "deploy/ca.pem", "destination": "/etc/tiny/ca.pem"},
    "weights",
]
HEALTHCHECK = {"test": ["python", "-c", "import tiny_app"], "interval": "30s", "timeout": "5s", "start-period": "2s", "retries": 3}
KUBERNETES = {
    "replicas": 2,
    "requests": {"cpu": "250m", "memory": "256Mi"},
    "limits": {"cpu": 1, "memory": "1Gi"},
    "ports": [8080],
    "env": {"LOG_LEVEL": "info"},
    "readiness": {"tcp-socket": 8080, "period": "5s"},
}


def make_tiny_project(root: Path, base_spec: str, *, git: bool = True, tool: dict | None = None) -> Path:
    """The tiny project at ``root`` with its lock, planted secrets and (optionally) a git work tree."""
    root.mkdir(parents=True)
    table = {
        "python": "3.11",
        "tensorflow": "2.16.1",
        "base-image": base_spec,
        "include": INCLUDE,
        "healthcheck": HEALTHCHECK,
        "kubernetes": KUBERNETES,
        "ports": [8080],
        **(tool or {}),
    }
    pyproject = {
        "build-system": {"requires": ["hatchling", "hatch-aicontainer"], "build-backend": "hatchling.build"},
        "project": {
            "name": NAME,
            "version": VERSION,
            "requires-python": ">=3.10",
            "dependencies": ["six"],
            "scripts": {"tiny-app": "tiny_app:main"},
        },
        "tool": {"hatch": {"build": {"targets": {"wheel": {"packages": ["src/tiny_app"]}}}}, "aicontainer": table},
    }
    (root / "pyproject.toml").write_text(tomli_w.dumps(pyproject))
    package = root / "src" / "tiny_app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('def main():\n    import six\n    print("tiny", six.__version__)\n')
    (root / ".gitignore").write_text(GITIGNORE)
    for path in SECRET_FILES + IGNORED_FILES:
        _write(root / path, f"planted {path} {MARK}\n")
    for destination, path in EXPECTED.items():
        _write(root / path, f"{path} {NAMED_MARK}\n")
    for link, target in SYMLINKS.items():
        os.symlink(target, root / link)
    write_tiny_lock(root, table)
    if git:
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        subprocess.run(["git", "init", "-q", "."], cwd=root, check=True, env=env)
        subprocess.run(["git", "add", ".gitignore", "pyproject.toml", "src"], cwd=root, check=True, env=env)
        subprocess.run(["git", *ident, "commit", "-q", "-m", "tiny"], cwd=root, check=True, env=env)
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def tiny_project_info(root: Path) -> ProjectInfo:
    return ProjectInfo(
        name=NAME,
        version=VERSION,
        requires_python=">=3.10",
        dependencies=("six",),
        scripts={"tiny-app": "tiny_app:main"},
        root=root,
    )


def tiny_settings(root: Path, table: dict) -> Settings:
    return load_settings(table, tiny_project_info(root), without_plugin_settings())


def write_tiny_lock(root: Path, table: dict) -> None:
    """The lock the pipeline would reuse: SIX_LOCK and the stand-in TensorFlow (stand_ins.py; with the
    CUDA runtime's and cuDNN's for a CUDA target), with the fingerprint of the pipeline's inputs."""
    settings = tiny_settings(root, table)
    project = tiny_project_info(root)
    platform = settings.platforms[0]
    target = settings.target_for(platform)
    inputs = lock_inputs(settings, project, target)
    stand_ins = [lock_package(stand_in_wheel(root / "stand-in", target.framework("tensorflow").distribution), root, target.framework("tensorflow").distribution)]
    if settings.accelerator == "cuda":  # the CUDA runtime and cuDNN wheels a CUDA image must hold (their versions only)
        for name, version in (("nvidia-cuda-runtime-cu12", "12.3.101"), ("nvidia-cudnn-cu12", "8.9.7.29")):
            stand_ins.append(lock_package(metadata_wheel(root / "stand-in", name, version), root, name, version))
    document = {**SIX_LOCK, "packages": [*SIX_LOCK["packages"], *stand_ins],
                "tool": lock_tool_table(inputs.fingerprint(), target.framework("tensorflow").distribution)}
    lock_path(root, platform, settings.accelerator, settings.python).write_text(tomli_w.dumps(document))


def build_wheel(project: Path, out: Path) -> Path:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(MTIME)}
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=project, check=True, capture_output=True, env=env,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


@dataclass(frozen=True)
class TinyBuild:
    project: Path
    settings: Settings
    wheel: Path
    result: BuiltImage
    store: BlobStore
    log: tuple[str, ...]

    @property
    def archive(self) -> Path:
        return self.result.archive


def make_tiny_build(top: Path, base_spec: str) -> TinyBuild:
    """The tiny project, in ``top``, built with the library pipeline on ``base_spec``."""
    project = make_tiny_project(top / "tiny-app", base_spec)
    toml = tomllib.loads((project / "pyproject.toml").read_text())
    settings = tiny_settings(project, toml["tool"]["aicontainer"])
    wheel = build_wheel(project, top / "wheel")
    store = BlobStore(top / "cache")
    log: list[str] = []
    result = build_image(settings, tiny_project_info(project), wheel, top / "dist", store, mtime=MTIME, revision=None, log=log.append)
    return TinyBuild(project, settings, wheel, result, store, tuple(log))


# --- reading archives with independent tools ------------------------------------------------------


def archive_layers(archive: Path) -> list[tuple[str, bytes]]:
    """(digest, uncompressed tar bytes) of every layer of the archive's single image (tarfile + json only)."""
    with tarfile.open(archive) as outer:
        def blob(digest: str) -> bytes:
            member = outer.extractfile("blobs/" + digest.replace(":", "/"))
            assert member is not None
            return member.read()

        index = json.loads(outer.extractfile("index.json").read())  # type: ignore[union-attr]
        descriptor = index["manifests"][0]
        document = json.loads(blob(descriptor["digest"]))
        if "manifests" in document:
            document = json.loads(blob(document["manifests"][0]["digest"]))
        out = []
        for layer in document["layers"]:
            data = blob(layer["digest"])
            if layer["mediaType"].endswith("+gzip"):
                data = gzip.decompress(data)
            elif layer["mediaType"].endswith("+zstd"):
                import zstandard

                data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
            out.append((layer["digest"], data))
        return out


def layer_files(layer: bytes) -> Iterator[tuple[tarfile.TarInfo, bytes | None]]:
    """Every member of a layer tar with its bytes (None for non-files)."""
    with tarfile.open(fileobj=io.BytesIO(layer)) as tar:
        for member in tar:
            data = tar.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            yield member, data


def rootfs_files(rootfs: Path) -> Iterator[tuple[str, Path]]:
    """(relative path, path) of every entry of an unpacked root filesystem; symlinks are not followed."""
    for directory, dirs, files in os.walk(rootfs, followlinks=False):
        for name in dirs + files:
            path = Path(directory) / name
            yield path.relative_to(rootfs).as_posix(), path


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_ROOTFS: dict[Path, Path] = {}


def umoci_rootfs(archive: Path, ref: str = VERSION) -> Path:
    """``umoci unpack`` of the archive (once per archive and session: the tests only read it)."""
    from e2e_helpers import umoci_unpack

    if archive not in _ROOTFS:
        # Beside the archive (session-lived), not in the calling test's tmp_path:
        # pytest removes a passed test's tmp_path (tmp_path_retention_policy).
        unpacked = archive.parent / f"umoci-{archive.name}"
        unpacked.mkdir()
        _ROOTFS[archive] = umoci_unpack(archive, unpacked, ref)
    return _ROOTFS[archive]
