"""Read what PyPI says about a release: its files (Simple API) and its wheels' METADATA.

Used by tests/test_framework_data.py to check the framework data tables
(hatch_aicontainer/config/data/{torch,jax}.toml) against the packages' own metadata.

* ``files(project)``: the file entries of the Simple API's JSON form (PEP 691);
* ``wheel_metadata(entry)``: a wheel's METADATA as an ``email.message.Message``: the
  PEP 658/714 ``<url>.metadata`` file, or, where the index has none, the
  ``*.dist-info/METADATA`` member read with HTTP range requests (the zip's
  central directory and that one member: never the whole wheel);
* ``requires_dist_for(metadata, python, machine)``: the Requires-Dist that apply
  on Linux for one CPython minor and one machine (markers evaluated).

Everything fetched is kept for the life of the process (one test run).
"""

from __future__ import annotations

import email.parser
import functools
import io
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import Message
from typing import Any

import requests
from packaging.requirements import Requirement
from packaging.tags import Tag
from packaging.utils import BuildTag, InvalidWheelFilename, NormalizedName, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

INDEX = "https://pypi.org/simple"
TIMEOUT = 60
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
_TAIL = 64 * 1024  # bytes read from the end of a wheel to find its dist-info members

# Legacy manylinux aliases (PEP 600) -> the glibc they stand for.
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}

_local = threading.local()


def _session() -> requests.Session:
    """One HTTP session per thread (requests.Session is not thread-safe)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


@dataclass(frozen=True)
class Wheel:
    """A wheel file of the index: its Simple API entry and its parsed file name."""

    entry: dict[str, Any]
    name: NormalizedName
    version: Version
    build: BuildTag
    tags: frozenset[Tag]

    @property
    def filename(self) -> str:
        return str(self.entry["filename"])


@functools.cache
def files(project: str) -> list[dict[str, Any]]:
    """The file entries of ``project`` on the Simple API (JSON form, PEP 691)."""
    url = f"{INDEX}/{canonicalize_name(project)}/"
    response = _session().get(url, headers={"Accept": SIMPLE_JSON}, timeout=TIMEOUT)
    response.raise_for_status()
    return list(response.json()["files"])


def wheels(project: str, version: Version | str | None = None) -> list[Wheel]:
    """The project's wheels that are not yanked (all versions, or one: ``==`` on Version)."""
    wanted = Version(str(version)) if version is not None else None
    found = []
    for entry in files(project):
        if entry.get("yanked") or not entry["filename"].endswith(".whl"):
            continue
        try:
            name, parsed, build, tags = parse_wheel_filename(entry["filename"])
        except (InvalidWheelFilename, InvalidVersion):
            continue
        if wanted is None or parsed == wanted:
            found.append(Wheel(entry, name, parsed, build, tags))
    return found


def final_versions(project: str) -> list[Version]:
    """Versions with at least one non-yanked file, no pre/dev releases, newest first."""
    versions: set[Version] = set()
    for entry in files(project):
        if entry.get("yanked"):
            continue
        version = _file_version(entry["filename"])
        if version is not None and not version.is_prerelease and not version.is_devrelease:
            versions.add(version)
    return sorted(versions, reverse=True)


def _file_version(filename: str) -> Version | None:
    """The version in a wheel's or sdist's file name (None if it has none we can read)."""
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        stem = filename.removesuffix(".tar.gz").removesuffix(".zip")
        return Version(stem.rsplit("-", 1)[1])
    except (InvalidWheelFilename, InvalidVersion, IndexError):
        return None


def manylinux_glibc(platform: str) -> tuple[str, tuple[int, int]] | None:
    """``("x86_64", (2, 28))`` for ``manylinux_2_28_x86_64`` (aliases too); None if not manylinux."""
    for alias, glibc in _LEGACY_MANYLINUX.items():
        if platform.startswith(alias + "_"):
            return platform[len(alias) + 1 :], glibc
    if platform.startswith("manylinux_"):
        major, minor, arch = platform[len("manylinux_") :].split("_", 2)
        return arch, (int(major), int(minor))
    return None


def manylinux_wheels(project: str, version: Version | str, machine: str) -> list[Wheel]:
    """The version's manylinux wheels for one machine (``x86_64`` or ``aarch64``)."""
    return [
        wheel
        for wheel in wheels(project, version)
        if any((m := manylinux_glibc(tag.platform)) and m[0] == machine for tag in wheel.tags)
    ]


def wheel_glibc(wheel: Wheel, machine: str) -> tuple[int, int]:
    """The highest glibc among the wheel's manylinux tags for ``machine``."""
    return max(m[1] for tag in wheel.tags if (m := manylinux_glibc(tag.platform)) and m[0] == machine)


def cpython_minor(wheel: Wheel) -> str | None:
    """``"3.12"`` for a ``cp312-cp312`` wheel (or ``cp312-abi3``); None for others (free-threaded ``cp313t`` included)."""
    minors = {
        f"{tag.interpreter[2]}.{tag.interpreter[3:]}"
        for tag in wheel.tags
        if tag.interpreter.startswith("cp") and tag.interpreter[2:].isdigit() and not tag.abi.endswith("t")
    }
    return minors.pop() if len(minors) == 1 else None


def pick_wheel(candidates: Iterable[Wheel], python: str) -> Wheel:
    """The wheel an installer takes for a CPython minor among ``candidates``: highest build tag."""
    matching = [wheel for wheel in candidates if cpython_minor(wheel) == python]
    if not matching:
        raise LookupError(f"no CPython {python} wheel among {sorted(w.filename for w in candidates)}")
    return max(matching, key=lambda wheel: wheel.build)


@functools.cache
def _metadata_text(url: str, filename: str, declared: bool) -> str:
    """The METADATA text of the wheel at ``url``: its PEP 658 file, else read from the zip."""
    response = _session().get(url + ".metadata", timeout=TIMEOUT)
    if response.status_code == 200:
        return response.content.decode("utf-8")
    if declared:
        response.raise_for_status()
    return _zip_member(url, filename, _is_metadata)


def _is_metadata(name: str) -> bool:
    """Whether a zip member is the wheel's ``<name>-<version>.dist-info/METADATA``."""
    return name.count("/") == 1 and name.endswith(".dist-info/METADATA")


def _get_range(url: str, spec: str) -> requests.Response:
    """GET ``Range: bytes=<spec>``; fails unless the server answers 206."""
    response = _session().get(url, headers={"Range": f"bytes={spec}"}, timeout=TIMEOUT)
    response.raise_for_status()
    if response.status_code != 206:
        raise OSError(f"{url}: the server ignored the Range header ({response.status_code})")
    return response


def _zip_member(url: str, filename: str, wanted: Callable[[str], bool]) -> str:
    """One member of a remote zip, read with two or three range requests.

    The last 64 KiB hold the end records and, in a wheel, the tail of the central
    directory, where the ``.dist-info`` members (written last) are listed; their
    local header and data are then fetched alone. Some wheels (repacked ones, e.g.
    torch 2.6.0) put the ``.dist-info`` first instead: then the first 64 KiB are
    walked, local header by local header. Failing both, the whole central directory
    is read through ``zipfile``.
    """
    tail_response = _get_range(url, f"-{_TAIL}")
    tail = tail_response.content
    size = int(tail_response.headers["Content-Range"].rsplit("/", 1)[1])
    tail_start = size - len(tail)
    eocd = tail.rfind(b"PK\x05\x06")
    if eocd < 0:
        raise OSError(f"{filename}: no end of central directory record in the last {_TAIL} bytes")
    cd_size, cd_offset = struct.unpack_from("<LL", tail, eocd + 12)
    if cd_offset != 0xFFFFFFFF and cd_offset + cd_size <= size:
        # Central directory entries in the part of it the tail holds.
        region = max(cd_offset, tail_start) - tail_start
        position = tail.find(b"PK\x01\x02", region)
        while 0 <= position < eocd:
            fields = struct.unpack_from("<4s6H3L5H2L", tail, position)
            method, crc, compressed, name_length = fields[4], fields[7], fields[8], fields[10]
            name = tail[position + 46 : position + 46 + name_length].decode("utf-8", "replace")
            if wanted(name) and 0xFFFFFFFF not in (compressed, fields[16]) and method in (0, 8):
                return _local_member(url, fields[16], compressed, method, crc).decode("utf-8")
            position = tail.find(b"PK\x01\x02", position + 4)
    head = _head_member(url, wanted)
    if head is not None:
        return head.decode("utf-8")
    with zipfile.ZipFile(_RangeFile(url, size)) as archive:
        names = [name for name in archive.namelist() if wanted(name)]
        if len(names) != 1:
            raise LookupError(f"{filename}: expected one matching member, found {names}")
        return archive.read(names[0]).decode("utf-8")


def _head_member(url: str, wanted: Callable[[str], bool]) -> bytes | None:
    """The first matching member among the local headers in the first 64 KiB, or None."""
    head = _get_range(url, f"0-{_TAIL - 1}").content
    position = 0
    while position + 30 <= len(head) and head[position : position + 4] == b"PK\x03\x04":
        fields = struct.unpack_from("<4s5H3L2H", head, position)
        flags, method, crc, compressed, name_length, extra_length = fields[2], fields[3], *fields[6:8], *fields[9:11]
        if flags & 0x08 or compressed == 0xFFFFFFFF:
            return None  # sizes in a data descriptor or zip64 extra: walk no further
        name = head[position + 30 : position + 30 + name_length].decode("utf-8", "replace")
        if wanted(name) and method in (0, 8):
            return _local_member(url, position, compressed, method, crc)
        position += 30 + name_length + extra_length + compressed
    return None


def _local_member(url: str, offset: int, compressed: int, method: int, crc: int) -> bytes:
    """The data of the zip member whose local header is at ``offset`` (checked against its CRC-32)."""
    guess = 30 + 1024 + compressed  # local header, name and extra field (read from the header), data
    chunk = _get_range(url, f"{offset}-{offset + guess - 1}").content
    if chunk[:4] != b"PK\x03\x04":
        raise OSError(f"{url}: no local file header at offset {offset}")
    name_length, extra_length = struct.unpack_from("<HH", chunk, 26)
    start = 30 + name_length + extra_length
    if start + compressed > len(chunk):
        chunk += _get_range(url, f"{offset + len(chunk)}-{offset + start + compressed - 1}").content
    data = chunk[start : start + compressed]
    if method == 8:
        data = zlib.decompress(data, -15)
    if zlib.crc32(data) != crc:
        raise OSError(f"{url}: CRC-32 mismatch in the member at offset {offset}")
    return data


def wheel_metadata(entry: dict[str, Any] | Wheel) -> Message:
    """A wheel's METADATA (core metadata), parsed with ``email.parser``."""
    if isinstance(entry, Wheel):
        entry = entry.entry
    declared = bool(entry.get("core-metadata") or entry.get("data-dist-info-metadata"))
    text = _metadata_text(entry["url"], entry["filename"], declared)
    return email.parser.Parser().parsestr(text)


def linux_environment(python: str, machine: str, extra: str = "") -> dict[str, str]:
    """The marker environment of CPython ``python`` on Linux ``machine``."""
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "os_name": "posix",
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{python}.0",
        "python_version": python,
        "sys_platform": "linux",
        "extra": extra,
    }


def requires_dist(metadata: Message) -> list[Requirement]:
    """All Requires-Dist of a METADATA, parsed."""
    return [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]


def requires_dist_for(metadata: Message, python: str, machine: str, extra: str = "") -> list[Requirement]:
    """The Requires-Dist that apply to CPython ``python`` on Linux ``machine`` (with ``extra`` asked for)."""
    environment = linux_environment(python, machine, extra)
    return [
        requirement
        for requirement in requires_dist(metadata)
        if requirement.marker is None or requirement.marker.evaluate(environment)
    ]


def extra_requires(metadata: Message, extra: str, python: str, machine: str) -> list[Requirement]:
    """What asking for ``extra`` adds: Requires-Dist that apply with it and not without it."""
    base = {str(requirement) for requirement in requires_dist_for(metadata, python, machine)}
    return [r for r in requires_dist_for(metadata, python, machine, extra) if str(r) not in base]


class _RangeFile(io.RawIOBase):
    """A read-only, seekable view of a remote file, read with HTTP range requests.

    The fallback of ``_zip_member`` (``zipfile`` reads the whole central directory):
    the last 64 KiB are fetched at once; other reads fetch exactly the bytes asked for.
    """

    def __init__(self, url: str, size: int) -> None:
        super().__init__()
        self._url = url
        self._size = size
        self._pos = 0
        self._tail_start = max(0, size - _TAIL)
        self._tail = self._fetch(self._tail_start, size)

    def _fetch(self, start: int, end: int) -> bytes:
        if start >= end:
            return b""
        return _get_range(self._url, f"{start}-{end - 1}").content

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        start = self._pos
        if start >= end:
            return b""
        if start >= self._tail_start:
            data = self._tail[start - self._tail_start : end - self._tail_start]
        elif end > self._tail_start:
            data = self._fetch(start, self._tail_start) + self._tail[: end - self._tail_start]
        else:
            data = self._fetch(start, end)
        self._pos = end
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
