"""Where glibc's dynamic loader finds a soname that a library dlopens, in an unpacked image.

A test helper that answers, without running anything from the image, the
question "does ``dlopen("libcublas.so.12")`` called from
``libtensorflow_framework.so.2`` find a file in this image?", searching in
glibc's order (``elf/dl-load.c``, ``_dl_map_object``) for a name without a
slash:

1. the caller's DT_RPATH, only when it has no DT_RUNPATH;
2. ``LD_LIBRARY_PATH`` (from the image config's Env);
3. the caller's DT_RUNPATH, ``$ORIGIN`` expanded to the caller's folder;
4. ``/etc/ld.so.cache`` (the cache the image holds, not ``ld.so.conf``:
   the loader reads only the cache);
5. the system search path (Debian's, as its ``ld.so --help`` prints it).

Left out, deliberately: the glibc-hwcaps and legacy hwcap subfolders of each
folder (they decide which of two copies is taken, not whether one is found)
and secure-execution mode (no setuid here). Paths are resolved inside the
root filesystem: an absolute symlink target means the image's path.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

#: ``ld.so --help`` of Debian's glibc on x86_64 ("system search path")
SYSTEM_DIRS = ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib")
#: ld.so.cache entry flags of an x86_64 libc6 library (FLAG_ELF_LIBC6 | FLAG_X8664_LIB64)
_X86_64_FLAGS = 0x0303
_NEW_MAGIC = b"glibc-ld.so.cache1.1"
_OLD_MAGIC = b"ld.so-1.7.0"


@dataclass(frozen=True)
class Found:
    soname: str
    path: str | None  #: the image path the loader opens, None when not found
    via: str | None  #: "LD_LIBRARY_PATH", "RUNPATH", "RPATH", "ld.so.cache" or "system"


def in_rootfs(rootfs: Path, path: str, _hops: int = 0) -> Path | None:
    """The host path of image path ``path``, symlinks followed inside ``rootfs``; None if it does not exist."""
    parts = PurePosixPath(path).parts[1:]
    current = PurePosixPath("/")
    for index, part in enumerate(parts):
        candidate = current / part
        host = rootfs / str(candidate).lstrip("/")
        if host.is_symlink():
            if _hops > 40:
                return None
            target = os.readlink(host)
            joined = PurePosixPath(target) if target.startswith("/") else current / target
            rest = PurePosixPath(*parts[index + 1 :]) if index + 1 < len(parts) else None
            full = str(joined / rest) if rest else str(joined)
            return in_rootfs(rootfs, os.path.normpath(full), _hops + 1)
        if not host.exists():
            return None
        current = candidate
    return rootfs / str(current).lstrip("/")


def dynamic_paths(library: Path) -> tuple[list[str], list[str]]:
    """(DT_RUNPATH entries, DT_RPATH entries) of an ELF file, read with pyelftools."""
    runpath: list[str] = []
    rpath: list[str] = []
    with open(library, "rb") as handle:
        for section in ELFFile(handle).iter_sections():
            if not isinstance(section, DynamicSection):
                continue
            for tag in section.iter_tags():
                if tag.entry.d_tag == "DT_RUNPATH":
                    runpath += tag.runpath.split(":")
                elif tag.entry.d_tag == "DT_RPATH":
                    rpath += tag.rpath.split(":")
    return runpath, rpath


def expand_origin(entries: list[str], origin: str) -> list[str]:
    out = []
    for entry in entries:
        for token in ("${ORIGIN}", "$ORIGIN"):
            entry = entry.replace(token, origin)
        out.append(os.path.normpath(entry) if entry else ".")
    return out


def ld_cache(rootfs: Path) -> dict[str, str]:
    """soname -> path from the image's /etc/ld.so.cache (x86_64 entries; the first one wins, as in glibc)."""
    host = in_rootfs(rootfs, "/etc/ld.so.cache")
    if host is None:
        return {}
    data = host.read_bytes()
    start = 0
    if data.startswith(_OLD_MAGIC):  # glibc < 2.32 writes the old format first, then the new one
        (count,) = struct.unpack_from("<I", data, len(_OLD_MAGIC) + 1)
        start = len(_OLD_MAGIC) + 1 + 4 + count * 12
        start = data.index(_NEW_MAGIC, start)
    if not data.startswith(_NEW_MAGIC, start):
        raise ValueError(f"{host}: not an ld.so cache")
    count, _strings = struct.unpack_from("<II", data, start + len(_NEW_MAGIC))
    out: dict[str, str] = {}
    for index in range(count):
        flags, key, value, _os, _hwcap = struct.unpack_from("<iIIIQ", data, start + 48 + index * 24)
        if flags != _X86_64_FLAGS:
            continue
        out.setdefault(_cstring(data, start + key), _cstring(data, start + value))
    return out


def _cstring(data: bytes, offset: int) -> str:
    return data[offset : data.index(b"\0", offset)].decode()


def _split_library_path(value: str | None) -> list[str]:
    if not value:
        return []
    return [part or "." for part in value.replace(";", ":").split(":")]


def find(rootfs: Path, soname: str, caller: str, env: dict[str, str]) -> Found:
    """Where ``dlopen(soname)`` called from the library at image path ``caller`` finds the file."""
    host_caller = in_rootfs(rootfs, caller)
    if host_caller is None:
        raise FileNotFoundError(caller)
    origin = str(PurePosixPath(caller).parent)
    runpath, rpath = dynamic_paths(host_caller)
    order: list[tuple[str, list[str]]] = []
    if rpath and not runpath:
        order.append(("RPATH", expand_origin(rpath, origin)))
    order.append(("LD_LIBRARY_PATH", _split_library_path(env.get("LD_LIBRARY_PATH"))))
    order.append(("RUNPATH", expand_origin(runpath, origin)))
    for via, folders in order:
        for folder in folders:
            path = str(PurePosixPath(folder) / soname)
            if folder.startswith("/") and in_rootfs(rootfs, path) is not None:
                return Found(soname, path, via)
    cached = ld_cache(rootfs).get(soname)
    if cached is not None and in_rootfs(rootfs, cached) is not None:
        return Found(soname, cached, "ld.so.cache")
    for folder in SYSTEM_DIRS:
        path = f"{folder}/{soname}"
        if in_rootfs(rootfs, path) is not None:
            return Found(soname, path, "system")
    return Found(soname, None, None)


def config_env(config: dict) -> dict[str, str]:
    """The image config's Env as a dict."""
    env = {}
    for item in (config.get("config") or {}).get("Env") or []:
        name, _, value = item.partition("=")
        env[name] = value
    return env
