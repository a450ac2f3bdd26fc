"""Hostile inputs, made by the tests with ``tarfile`` and ``json`` alone.

* :func:`plant_markers` puts files OUTSIDE every work folder (a victim file, a
  directory); :func:`snapshot` records them (names, kinds, modes, bytes) so a
  test can prove none was created, changed or removed.
* ``LAYER_CASES``: one uncompressed layer tar per way out of an unpack folder
  (``../`` and absolute names, symlinks followed by writes through them, hard
  links to files outside, device nodes and FIFOs, setuid/setgid, whiteouts
  naming paths outside). Each aims at the markers.
* :func:`hostile_base_layout`: the cached Debian Python base with one hostile
  layer on top, as an OCI layout (the base's own layers unchanged), which
  :func:`as_oci_archive` / :func:`as_docker_archive` repackage.
* ``ARCHIVE_CASES``: crafted ``.oci.tar`` files and layout directories for
  ``aicontainer push``/``inspect``/``load`` (symlinked blobs, ``../`` blob
  names, ``manifest.json`` naming files outside, hard-linked and device blobs).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"
UP = "../" * 40  # more than any work folder is deep


# -- markers outside the work folders ---------------------------------------------------------------


@dataclass(frozen=True)
class Markers:
    root: Path  #: a folder no build writes to
    victim: Path  #: an existing file hostile entries try to overwrite, link to or delete
    folder: Path  #: an existing folder hostile entries try to write into or empty

    @property
    def pwned(self) -> Path:
        return self.folder / "pwned"


def plant_markers(root: Path) -> Markers:
    root.mkdir(parents=True, exist_ok=True)
    victim = root / "victim.txt"
    victim.write_text("the build host's own file\n")
    victim.chmod(0o644)
    folder = root / "folder"
    folder.mkdir(exist_ok=True)
    (folder / "keep.txt").write_text("keep me\n")
    return Markers(root=root, victim=victim, folder=folder)


def snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry below ``root``: kind, mode, and sha256 of a file's bytes (links not followed)."""
    out: dict[str, tuple[str, int, str]] = {}
    for directory, dirs, files in os.walk(root, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(directory) / name
            st = path.lstat()
            kind = "dir" if stat.S_ISDIR(st.st_mode) else "link" if stat.S_ISLNK(st.st_mode) else "file" if stat.S_ISREG(st.st_mode) else "other"
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if kind == "file" else os.readlink(path) if kind == "link" else ""
            out[str(path.relative_to(root))] = (kind, stat.S_IMODE(st.st_mode), digest)
    return out


def special_files(*roots: Path) -> list[Path]:
    """Device nodes, FIFOs and sockets below ``roots`` (none may appear on the build host)."""
    found = []
    for root in roots:
        if not root.exists():
            continue
        for directory, dirs, files in os.walk(root, followlinks=False):
            for name in dirs + files:
                path = Path(directory) / name
                mode = path.lstat().st_mode
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                    found.append(path)
    return found


def setuid_files(*roots: Path) -> list[Path]:
    found = []
    for root in roots:
        if not root.exists():
            continue
        for directory, _dirs, files in os.walk(root, followlinks=False):
            for name in files:
                path = Path(directory) / name
                if path.lstat().st_mode & (stat.S_ISUID | stat.S_ISGID):
                    found.append(path)
    return found


# -- hostile layer tars -----------------------------------------------------------------------------


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _info(name: str, kind: bytes = tarfile.REGTYPE, *, data: bytes = b"", mode: int = 0o644, link: str = "") -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.linkname = kind, mode, 1_700_000_000, link
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        return info, data
    return info, None


def _outside(path: Path) -> str:
    return UP + str(path).lstrip("/")


PAYLOAD = b"written by a hostile layer\n"


def _dotdot(m: Markers) -> bytes:
    return _tar([_info(_outside(m.pwned), data=PAYLOAD), _info("usr/" + _outside(m.folder / "pwned2"), data=PAYLOAD)])


def _absolute(m: Markers) -> bytes:
    return _tar([_info(str(m.pwned), data=PAYLOAD), _info(str(m.victim), data=PAYLOAD)])


def _symlink_then_write(m: Markers) -> bytes:
    return _tar([
        _info("escape", tarfile.SYMTYPE, link=str(m.folder), mode=0o777),
        _info("escape/pwned", data=PAYLOAD),
        _info("usr/escape2", tarfile.SYMTYPE, link=UP + str(m.folder).lstrip("/"), mode=0o777),
        _info("usr/escape2/pwned", data=PAYLOAD),
        _info("victim-link", tarfile.SYMTYPE, link=str(m.victim), mode=0o777),
        _info("victim-link", data=PAYLOAD),  # a naive extractor writes through the link
    ])


def _hardlink_outside(m: Markers) -> bytes:
    return _tar([
        _info("stolen", tarfile.LNKTYPE, link=str(m.victim)),
        _info("stolen2", tarfile.LNKTYPE, link=_outside(m.victim)),
        _info("stolen", data=PAYLOAD),  # overwriting the link's file would change the victim
    ])


def _devices(m: Markers) -> bytes:
    mem = _info("dev/evil-mem", tarfile.CHRTYPE, mode=0o666)
    mem[0].devmajor, mem[0].devminor = 1, 1
    disk = _info("dev/evil-disk", tarfile.BLKTYPE, mode=0o666)
    disk[0].devmajor, disk[0].devminor = 8, 0
    return _tar([mem, disk, _info("tmp/evil-fifo", tarfile.FIFOTYPE, mode=0o666)])


def _setuid(m: Markers) -> bytes:
    return _tar([
        _info("usr/local/bin/evil-suid", data=b"#!/bin/sh\nid\n", mode=0o4755),
        _info("usr/local/bin/evil-sgid", data=b"#!/bin/sh\nid\n", mode=0o2755),
    ])


def _whiteouts_outside(m: Markers) -> bytes:
    return _tar([
        _info(_outside(m.root / ".wh.victim.txt")),
        _info(_outside(m.folder / ".wh..wh..opq")),
        _info(str(m.root / ".wh.victim.txt")),
    ])


LAYER_CASES: dict[str, Callable[[Markers], bytes]] = {
    "dotdot": _dotdot,
    "absolute": _absolute,
    "symlink-then-write": _symlink_then_write,
    "hardlink-outside": _hardlink_outside,
    "devices": _devices,
    "setuid": _setuid,
    "whiteouts-outside": _whiteouts_outside,
}


def every_case(m: Markers) -> bytes:
    """All layer cases in one tar (the kitchen sink), in a fixed order."""
    members: list[tuple[tarfile.TarInfo, bytes | None]] = []
    for make in LAYER_CASES.values():
        with tarfile.open(fileobj=io.BytesIO(make(m))) as tar:
            for info in tar:
                members.append((info, tar.extractfile(info).read() if info.isfile() else None))  # type: ignore[union-attr]
    return _tar(members)


# -- a hostile base image ---------------------------------------------------------------------------


def _put(layout: Path, data: bytes) -> tuple[str, int]:
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    return "sha256:" + digest, len(data)


def _read_json(layout: Path, digest: str) -> dict:
    return json.loads((layout / "blobs" / "sha256" / digest.split(":", 1)[1]).read_bytes())


def _platform_manifest(layout: Path, tag: str) -> tuple[dict, dict]:
    top = json.loads((layout / "index.json").read_text())
    (entry,) = [m for m in top["manifests"] if m.get("annotations", {}).get(REF_NAME) == tag]
    document = _read_json(layout, entry["digest"])
    if "manifests" in document:
        entry = document["manifests"][0]
        document = _read_json(layout, entry["digest"])
    return entry, document


def hostile_base_layout(base_layout: Path, base_tag: str, dest: Path, layer_tar: bytes, tag: str = "hostile") -> tuple[Path, str, list[str]]:
    """A copy of the base layout whose ``tag`` is the base plus ``layer_tar`` (gzip) on top.

    Returns (layout, tag, layer digests of the new manifest, base's first)."""
    shutil.copytree(base_layout, dest)
    _, manifest = _platform_manifest(dest, base_tag)
    config = _read_json(dest, manifest["config"]["digest"])
    blob = gzip.compress(layer_tar, mtime=0)
    layer_digest, layer_size = _put(dest, blob)
    config = {**config, "rootfs": {"type": "layers", "diff_ids": [*config["rootfs"]["diff_ids"], "sha256:" + hashlib.sha256(layer_tar).hexdigest()]}}
    config["history"] = [*config.get("history", []), {"created": "2024-01-01T00:00:00Z", "created_by": "hostile layer"}]
    config_digest, config_size = _put(dest, json.dumps(config, sort_keys=True).encode())
    layers = [*manifest["layers"], {"mediaType": MT_LAYER_GZIP, "digest": layer_digest, "size": layer_size}]
    new_manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST,
                    "config": {"mediaType": MT_CONFIG, "digest": config_digest, "size": config_size}, "layers": layers}
    manifest_digest, manifest_size = _put(dest, json.dumps(new_manifest, sort_keys=True).encode())
    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [
        {"mediaType": MT_MANIFEST, "digest": manifest_digest, "size": manifest_size,
         "platform": {"architecture": config.get("architecture", "amd64"), "os": "linux"}}]}
    index_digest, index_size = _put(dest, json.dumps(index, sort_keys=True).encode())
    top = {"schemaVersion": 2, "manifests": [
        {"mediaType": MT_INDEX, "digest": index_digest, "size": index_size, "annotations": {REF_NAME: tag}}]}
    (dest / "index.json").write_text(json.dumps(top))
    return dest, tag, [layer["digest"] for layer in layers]


def as_oci_archive(layout: Path, dest: Path) -> Path:
    with tarfile.open(dest, "w") as tar:
        for path in sorted(layout.rglob("*")):
            tar.add(path, arcname=path.relative_to(layout).as_posix(), recursive=False)
    return dest


def as_docker_archive(layout: Path, tag: str, dest: Path, repo_tag: str = "hostile/base:1") -> Path:
    """``docker save`` form: uncompressed ``<hex>/layer.tar`` files and a manifest.json."""
    _, manifest = _platform_manifest(layout, tag)
    config_bytes = (layout / "blobs" / "sha256" / manifest["config"]["digest"].split(":", 1)[1]).read_bytes()
    members: list[tuple[str, bytes]] = [(manifest["config"]["digest"].split(":", 1)[1] + ".json", config_bytes)]
    layer_names = []
    for layer in manifest["layers"]:
        data = gzip.decompress((layout / "blobs" / "sha256" / layer["digest"].split(":", 1)[1]).read_bytes())
        name = hashlib.sha256(data).hexdigest() + "/layer.tar"
        members.append((name, data))
        layer_names.append(name)
    members.append(("manifest.json", json.dumps([{"Config": members[0][0], "RepoTags": [repo_tag], "Layers": layer_names}]).encode()))
    with tarfile.open(dest, "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return dest


# -- crafted archives for push / inspect / load -----------------------------------------------------


def _tar_file(dest: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    dest.write_bytes(_tar(members))
    return dest


def _archive_members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    with tarfile.open(archive) as tar:
        return [(info, tar.extractfile(info).read() if info.isfile() else None) for info in tar]  # type: ignore[union-attr]


def _first_layer_name(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> str:
    (manifest_json,) = [data for info, data in members if info.name == "manifest.json"]
    return json.loads(manifest_json)[0]["Layers"][0]  # type: ignore[arg-type]


def _replace(members, name: str, replacement: tuple[tarfile.TarInfo, bytes | None]):
    return [replacement if info.name == name else (info, data) for info, data in members]


def symlinked_blob(archive: Path, m: Markers, dest: Path) -> Path:
    """The first layer's blob is a symlink to the victim file."""
    members = _archive_members(archive)
    name = _first_layer_name(members)
    return _tar_file(dest, _replace(members, name, _info(name, tarfile.SYMTYPE, link=str(m.victim), mode=0o777)))


def hardlinked_blob(archive: Path, m: Markers, dest: Path) -> Path:
    members = _archive_members(archive)
    name = _first_layer_name(members)
    return _tar_file(dest, _replace(members, name, _info(name, tarfile.LNKTYPE, link=_outside(m.victim))))


def device_blob(archive: Path, m: Markers, dest: Path) -> Path:
    members = _archive_members(archive)
    name = _first_layer_name(members)
    device = _info(name, tarfile.CHRTYPE, mode=0o666)
    device[0].devmajor, device[0].devminor = 1, 3
    return _tar_file(dest, _replace(members, name, device))


def manifest_json_outside(archive: Path, m: Markers, dest: Path) -> Path:
    """Docker's manifest.json names a file outside the archive (docker load reads what it names)."""
    members = _archive_members(archive)
    (data,) = [d for info, d in members if info.name == "manifest.json"]
    document = json.loads(data)  # type: ignore[arg-type]
    document[0]["Layers"][0] = _outside(m.victim)
    payload = json.dumps(document).encode()
    info = tarfile.TarInfo("manifest.json")
    info.size = len(payload)
    return _tar_file(dest, _replace(members, "manifest.json", (info, payload)))


def dotdot_members(archive: Path, m: Markers, dest: Path) -> Path:
    """Extra members with ``../`` and absolute names (a careless extractor would write them)."""
    members = _archive_members(archive) + [_info(_outside(m.pwned), data=PAYLOAD), _info(str(m.folder / "pwned3"), data=PAYLOAD)]
    return _tar_file(dest, members)


def crafted_index_digest(archive: Path, m: Markers, dest: Path) -> Path:
    """index.json names a "digest" that is a path out of the archive."""
    members = _archive_members(archive)
    (data,) = [d for info, d in members if info.name == "index.json"]
    index = json.loads(data)  # type: ignore[arg-type]
    index["manifests"][0]["digest"] = "sha256:" + _outside(m.victim)
    payload = json.dumps(index).encode()
    info = tarfile.TarInfo("index.json")
    info.size = len(payload)
    return _tar_file(dest, _replace(members, "index.json", (info, payload)))


ARCHIVE_CASES: dict[str, Callable[[Path, Markers, Path], Path]] = {
    "symlinked-blob": symlinked_blob,
    "hardlinked-blob": hardlinked_blob,
    "device-blob": device_blob,
    "manifest-json-outside": manifest_json_outside,
    "dotdot-members": dotdot_members,
    "crafted-index-digest": crafted_index_digest,
}


def symlinked_layout(archive: Path, m: Markers, dest: Path, *, whole_blobs_dir: bool = False) -> Path:
    """The archive unpacked as a layout directory whose first layer blob (or whole ``blobs/sha256``) is a symlink."""
    dest.mkdir(parents=True)
    members = _archive_members(archive)
    for info, data in members:
        if info.isfile():
            path = dest / info.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data or b"")
    name = _first_layer_name(members)
    if whole_blobs_dir:
        outside_blobs = dest.parent / (dest.name + "-blobs-elsewhere")
        shutil.move(str(dest / "blobs" / "sha256"), outside_blobs)
        os.symlink(outside_blobs, dest / "blobs" / "sha256")
    else:
        (dest / name).unlink()
        os.symlink(m.victim, dest / name)
    return dest
