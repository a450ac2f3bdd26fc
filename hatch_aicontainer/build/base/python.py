"""Find the base image's Python without running it: read its layers.

Each layer tar is streamed once (gzip, zstd or plain, told apart by magic
bytes) and replayed onto a tiny model of the final filesystem that tracks only
``usr/local/bin/python*``, ``usr/bin/python*`` and dpkg's status, honouring
whiteouts (``.wh.NAME`` removes NAME from lower layers, ``.wh..wh..opq`` hides
a directory's lower contents) and files that replace directories.

``/usr/local/bin/python3.N`` (python:*-slim images) wins over
``/usr/bin/python3.N`` (Debian's package); within one directory the highest
minor wins. The exact version comes from the config's ``PYTHON_VERSION`` or
from dpkg's ``python3.N`` package version.

The result is cached by manifest digest in ``<store.root>/probes/<hex>.json``.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import IO, Any

from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.core.atomic import write_atomically
from hatch_aicontainer.core.errors import BaseImageError
from hatch_aicontainer.oci.cache import TEMP_PREFIX, BlobStore, split_digest
from hatch_aicontainer.oci.layer_reader import open_layer_tar

PROBE_FORMAT = 1
_BIN_DIRS = ("usr/local/bin", "usr/bin")
_TRACKED_RE = re.compile(r"^(?:usr/local/bin|usr/bin)/python[^/]*$|^var/lib/dpkg/status$|^var/lib/dpkg/status\.d/[^/]*python[^/]*$")
_INTERPRETER_RE = re.compile(r"^python3\.(\d+)$")
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
_MAX_LINK_HOPS = 16


@dataclass(frozen=True)
class PythonInfo:
    version: str  # "3.11.2" when known exactly, else "3.11"
    minor: str  # "3.11"
    executable: str  # "/usr/bin/python3.11", "/usr/local/bin/python3.11"


@dataclass
class _Entry:
    kind: str  # "file", "link", "other"
    target: str = ""  # symlink target (as written), or hardlink target path
    content: bytes | None = None  # for dpkg status files only


def probe_python(base: BaseImage, store: BlobStore) -> PythonInfo:
    """The interpreter of ``base`` (cached by manifest digest)."""
    cached = _read_cache(store, base.manifest_digest)
    if cached is not None:
        return cached
    files = _final_files(base, store)
    info = _decide(base, files)
    _write_cache(store, base.manifest_digest, info)
    return info


# -- the filesystem model ------------------------------------------------------


def _final_files(base: BaseImage, store: BlobStore) -> dict[str, _Entry]:
    tracked: dict[str, _Entry] = {}
    for layer in base.layers:
        digest = layer.descriptor.digest
        if not store.has(digest):
            raise BaseImageError(f'base-image "{base.spec}": layer {digest[:19]} is not in the cache')
        with store.open(digest) as raw:
            try:
                _apply_layer(tracked, _layer_entries(raw, base.spec, digest))
            except BaseImageError:
                raise
            except Exception as exc:  # tarfile, gzip/isal, zstd and OS errors alike
                reason = " ".join(str(exc).split())[:120] or type(exc).__name__
                raise BaseImageError(
                    f'base-image "{base.spec}": layer {digest[:19]} is not a readable tar ({reason})'
                ) from None
    return tracked


def _apply_layer(tracked: dict[str, _Entry], entries: Iterator[tuple[str, _Entry | None]]) -> None:
    """Replay one layer onto ``tracked`` (the state after the lower layers).

    Whiteouts and opaque markers hide lower-layer paths only; a non-directory
    entry replaces a lower directory (and everything under it), a directory
    entry replaces a lower file of that name.
    """
    ancestors = {posixpath.dirname(p) for p in tracked}
    for path in list(ancestors):
        while path:
            path = posixpath.dirname(path)
            ancestors.add(path)
    hidden: list[tuple[str, bool]] = []  # (path, including the path itself)
    added: dict[str, _Entry] = {}
    for path, entry in entries:
        parent, name = posixpath.split(path)
        if name == _OPAQUE:
            hidden.append((parent, False))
        elif name.startswith(_WHITEOUT):
            hidden.append((posixpath.join(parent, name[len(_WHITEOUT) :]), True))
        elif entry is None:
            if path in tracked:
                hidden.append((path, True))
        else:
            if path in ancestors:
                hidden.append((path, False))
            if _TRACKED_RE.match(path):
                added[path] = entry
    for prefix, self_too in hidden:
        inside = prefix + "/" if prefix else ""
        for key in [k for k in tracked if k.startswith(inside) or (self_too and k == prefix)]:
            del tracked[key]
    tracked.update(added)


def _layer_entries(raw: IO[bytes], spec: str, digest: str) -> Iterator[tuple[str, _Entry | None]]:
    """(normalised path, entry) for each member; entry None for directories."""
    with open_layer_tar(raw, spec, digest) as tar:
        for member in tar:
            path = _normalise(member.name)
            if not path:
                continue
            if member.isdir():
                yield path, None
            elif member.issym():
                yield path, _Entry("link", member.linkname)
            elif member.islnk():
                yield path, _Entry("file", _normalise(member.linkname))
            elif member.isreg():
                content = None
                if _TRACKED_RE.match(path) and path.startswith("var/lib/dpkg/"):
                    handle = tar.extractfile(member)
                    content = handle.read() if handle is not None else b""
                yield path, _Entry("file", "", content)
            else:
                yield path, _Entry("other")


def _normalise(name: str) -> str:
    name = name.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return posixpath.normpath("/" + name).lstrip("/") if name.strip("/.") else ""


# -- deciding ----------------------------------------------------------------------


def _decide(base: BaseImage, files: Mapping[str, _Entry]) -> PythonInfo:
    for directory in _BIN_DIRS:
        found: list[tuple[int, str]] = []
        for path in files:
            parent, name = posixpath.split(path)
            match = _INTERPRETER_RE.match(name)
            if parent == directory and match:
                real = _resolve(path, files)
                if real is not None:
                    found.append((int(match.group(1)), real))
        if found:
            minor_number, executable = max(found)
            minor = f"3.{minor_number}"
            return PythonInfo(_exact_version(base, files, minor), minor, "/" + executable)
    raise BaseImageError(
        f'base-image "{base.spec}" has no Python interpreter '
        "(looked for /usr/local/bin/python3.N and /usr/bin/python3.N)"
    )


def _resolve(path: str, files: Mapping[str, _Entry]) -> str | None:
    """Follow symlinks among tracked files: the real file's path, None if dangling.

    A link that leaves the tracked directories is taken as it stands (the path
    itself is a valid way to run the interpreter).
    """
    current = path
    for _ in range(_MAX_LINK_HOPS):
        entry = files.get(current)
        if entry is None:
            return None  # dangling
        if entry.kind == "file":
            return current
        if entry.kind != "link":
            return None
        target = entry.target
        nxt = _normalise(target if target.startswith("/") else posixpath.join(posixpath.dirname(current), target))
        if not _TRACKED_RE.match(nxt):
            return current  # points outside what we track: keep the link path
        current = nxt
    return None


def _exact_version(base: BaseImage, files: Mapping[str, _Entry], minor: str) -> str:
    env = (base.config.get("config") or {}).get("Env") or []
    for item in env:
        if isinstance(item, str) and item.startswith("PYTHON_VERSION="):
            value = item.split("=", 1)[1].strip()
            if value == minor or value.startswith(minor + "."):
                return upstream_version(value) or minor
    for path, entry in sorted(files.items()):
        if path.startswith("var/lib/dpkg/status") and entry.content:
            version = dpkg_version(entry.content.decode("utf-8", "replace"), minor)
            if version:
                return version
    return minor


def dpkg_version(status: str, minor: str) -> str | None:
    """The upstream version of the installed ``python<minor>`` package in a dpkg ``status`` file, or None."""
    wanted = {f"python{minor}", f"python{minor}-minimal", f"libpython{minor}-minimal"}
    best: dict[str, str] = {}
    for stanza in re.split(r"\n\s*\n", status):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        package = fields.get("package")
        if package not in wanted:
            continue
        status_field = fields.get("status")
        if status_field is not None and not status_field.endswith(" installed"):
            continue
        version = upstream_version(fields.get("version", ""))
        if version and (version == minor or version.startswith(minor + ".")):
            best[package] = version
    for package in (f"python{minor}", f"python{minor}-minimal", f"libpython{minor}-minimal"):
        if package in best:
            return best[package]
    return None


def upstream_version(version: str) -> str | None:
    """``"3.11.2-6+deb12u6"`` -> ``"3.11.2"``; ``"1:3.12.0~rc1-1"`` -> ``"3.12.0"``."""
    version = version.split(":", 1)[-1] if re.match(r"^\d+:", version) else version
    match = re.match(r"^(\d+\.\d+(?:\.\d+)?)", version)
    return match.group(1) if match else None


# -- the probe cache ---------------------------------------------------------------


def _cache_path(store: BlobStore, manifest_digest: str) -> Any:
    _, hexpart = split_digest(manifest_digest)
    return store.root / "probes" / f"{hexpart}.json"


def _read_cache(store: BlobStore, manifest_digest: str) -> PythonInfo | None:
    path = _cache_path(store, manifest_digest)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != PROBE_FORMAT:
            return None
        return PythonInfo(str(data["version"]), str(data["minor"]), str(data["executable"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_cache(store: BlobStore, manifest_digest: str, info: PythonInfo) -> None:
    path = _cache_path(store, manifest_digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = json.dumps({"format": PROBE_FORMAT, **asdict(info)}, sort_keys=True)
        write_atomically(path, document.encode(), prefix=TEMP_PREFIX)
    except OSError:
        pass  # a cache that cannot be written only costs a rescan next time
