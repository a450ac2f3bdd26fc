"""A stand-in TensorFlow wheel for the tests whose images need no real TensorFlow.

Every image lock holds exactly one TensorFlow distribution at the pin (tensorflow_rule.py),
and the build reads the installed version from its metadata. The trust, cache and release
tests build dozens of images whose subject is not TensorFlow: their locks list this tiny
wheel (``tensorflow-cpu`` 2.16.1, a ``tensorflow`` package holding only ``__version__``)
by path, so the build follows every rule at the cost of one small file.

The wheel's bytes are fixed (sorted entries, 1980 timestamps), so images built from it
have the same digest on every host.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

DISTRIBUTION = "tensorflow-cpu"
VERSION = "2.16.1"


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def stand_in_wheel(directory: Path, distribution: str = DISTRIBUTION, version: str = VERSION) -> Path:
    """Write ``<distribution>-<version>-py3-none-any.whl`` (a ``tensorflow`` package) into ``directory``."""
    source = f'"""A stand-in for TensorFlow in tests."""\n__version__ = "{version}"\n'
    return metadata_wheel(directory, distribution, version, files={"tensorflow/__init__.py": source})


def metadata_wheel(
    directory: Path, distribution: str, version: str, *, requires: tuple[str, ...] = (), files: dict[str, str] | None = None
) -> Path:
    """A pure-Python wheel of ``distribution`` with ``Requires-Dist: requires`` and ``files`` (path -> text)."""
    stem = distribution.replace("-", "_")
    info = f"{stem}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)
    contents = {path: text.encode() for path, text in (files or {}).items()}
    contents[f"{info}/METADATA"] = metadata.encode()
    contents[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: hatch-aicontainer tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in contents.items()) + f"{info}/RECORD,,\n"
    contents[f"{info}/RECORD"] = record.encode()
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / f"{stem}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in contents.items():
            entry = zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return wheel


def lock_package(wheel: Path, lock_directory: Path, distribution: str = DISTRIBUTION, version: str = VERSION) -> dict:
    """The PEP 751 ``[[packages]]`` entry of ``wheel``, by path relative to the lock's folder."""
    return {
        "name": distribution,
        "version": version,
        "wheels": [{
            "path": wheel.relative_to(lock_directory).as_posix(),
            "size": wheel.stat().st_size,
            "hashes": {"sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()},
        }],
    }


def lock_tool_table(fingerprint: str, distribution: str = DISTRIBUTION) -> dict:
    """``[tool.hatch-aicontainer]`` of a lock made by hand: the inputs it stands for and its TensorFlow."""
    return {"hatch-aicontainer": {"inputs": fingerprint, "tensorflow": {"distribution": distribution}}}
