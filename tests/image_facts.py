"""What an unpacked image holds, found without this plugin's code: its installed distributions
(read by the host's ``importlib.metadata``), ``pip check`` run by the image's own interpreter,
and the image's Python version, asked of that interpreter (runc, tests/runc_bundle.py).
"""

from __future__ import annotations

import ensurepip
import importlib.metadata
import json
import shutil
import subprocess
import sys
from pathlib import Path

from runc_bundle import run_in_bundle, run_text

TENSORFLOW_NAMES = {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel"}


def site_packages(rootfs: Path) -> Path:
    (site,) = (rootfs / "opt" / "venv" / "lib").glob("python3.*/site-packages")
    return site


def installed(rootfs: Path) -> dict[str, str]:
    """Canonical name -> version of every distribution in the image's /opt/venv."""
    from packaging.utils import canonicalize_name

    found = importlib.metadata.distributions(path=[str(site_packages(rootfs))])
    return {canonicalize_name(d.metadata["Name"]): d.version for d in found}


def tensorflows(rootfs: Path) -> dict[str, str]:
    return {name: version for name, version in installed(rootfs).items() if name in TENSORFLOW_NAMES}


def _pip_wheel(scratch: Path) -> Path:
    """pip's wheel, to run with the image's interpreter (``python pip.whl/pip``): the host's bundled
    one where there is one, else downloaded."""
    bundled = sorted((Path(ensurepip.__file__).parent / "_bundled").glob("pip-*.whl"))
    if bundled:
        return bundled[-1]
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(scratch), "pip"], check=True)
    return next(scratch.glob("pip-*.whl"))


def pip_check(bundle: Path, scratch: Path) -> subprocess.CompletedProcess:
    """``pip check`` by the image's Python, as the image's user, over the image's /opt/venv."""
    shutil.copy(_pip_wheel(scratch), bundle / "rootfs" / "tmp" / "pip.whl")
    # sysconfig._PIP_USE_SYSCONFIG: pip on Python < 3.10 reads install locations through distutils,
    # which Debian ships apart (python3-distutils); pip check needs none of them
    code = ("import runpy, sys, sysconfig; sysconfig._PIP_USE_SYSCONFIG = True; sys.path.insert(0, '/tmp/pip.whl'); "
            "sys.argv = ['pip', 'check']; runpy.run_module('pip', run_name='__main__', alter_sys=True)")
    return run_text(bundle, ["/usr/bin/env", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_CACHE_DIR=1",
                             "/opt/venv/bin/python", "-c", code], scratch)


def python_and_tensorflow(bundle: Path, scratch: Path) -> dict:
    """The image's Python version and what ``import tensorflow`` reports, from inside the image."""
    code = ("import json, platform, tensorflow as tf; "
            "print(json.dumps({'python': platform.python_version(), 'tensorflow': tf.__version__, 'file': tf.__file__}))")
    return run_in_bundle(bundle, ["/usr/bin/env", "TF_CPP_MIN_LOG_LEVEL=2", "/opt/venv/bin/python", "-c", code], scratch)


__all__ = ["installed", "pip_check", "python_and_tensorflow", "site_packages", "tensorflows"]


def archive_provenance(archive: Path) -> dict:
    """The image's provenance statement, read from the archive with tarfile and json only: the referrers
    index its index.json entry names, the provenance referrer, its bundle's DSSE payload (or the bare statement)."""
    import base64
    import tarfile

    with tarfile.open(archive) as tar:
        def blob(digest: str) -> bytes:
            return tar.extractfile("blobs/" + digest.replace(":", "/")).read()  # type: ignore[union-attr]

        (entry,) = json.loads(tar.extractfile("index.json").read())["manifests"]  # type: ignore[union-attr]
        index = json.loads(blob(entry["annotations"]["io.hatch-aicontainer.referrers"]))
        referrer = next(m for m in index["manifests"] if m["annotations"]["io.hatch-aicontainer.attestation"] == "provenance")
        manifest = json.loads(blob(referrer["digest"]))
        content = json.loads(blob(manifest["layers"][0]["digest"]))
    if "dsseEnvelope" in content:
        return json.loads(base64.b64decode(content["dsseEnvelope"]["payload"]))
    return content
