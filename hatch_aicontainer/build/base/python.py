"""Find the base image's Python without running it: a function of its file system tree.

The layers are replayed once (``filesystem.read_layers``: chroot rules, a
name leading out of the root is fatal, 40 symlink hops), capturing the bytes
of dpkg's status on the way; :func:`find_python` then reads the tree.

``/usr/local/bin/python3.N`` (python:*-slim images) wins over
``/usr/bin/python3.N`` (Debian's package); within one directory the highest
minor that leads to a regular file wins. The executable named is the last
link of its chain that stays among ``python*`` in those two directories
(the path itself is a valid way to run the interpreter). The exact version
comes from the config's ``PYTHON_VERSION`` or from dpkg's ``python3.N``
package version.

The same pass captures ``/etc/passwd`` and ``/etc/group`` (the accounts a named ``user``
resolves against: accounts.py). The result is cached by manifest digest in
``<cache>/probes/<hex>.json``.
When the probe is not cached, the same replay can also unpack the
interpreter for bytecode (``unpack_interpreter``): a build reads each base
layer once.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import tarfile
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import IO, Any

from hatch_aicontainer.build.base.accounts import GROUP, PASSWD, Accounts
from hatch_aicontainer.build.base.filesystem import MAX_HOPS, Capture, Counts, Tree, read_layers
from hatch_aicontainer.build.base.interpreter import Unpack
from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.core.atomic import write_atomically
from hatch_aicontainer.core.errors import BaseImageError
from hatch_aicontainer.oci.cache import TEMP_PREFIX, BlobStore, split_digest

PROBE_FORMAT = 3  # 2: the tree's rules (1 clamped ``..`` and followed 16 links); 3: the accounts too
_BIN_DIRS = ("usr/local/bin", "usr/bin")
_STATUS_RE = re.compile(r"^var/lib/dpkg/status$|^var/lib/dpkg/status\.d/[^/]*python[^/]*$")
_ACCOUNTS_RE = re.compile(rf"^(?:{PASSWD}|{GROUP})$")
_MAX_STATUS = 64 << 20  # a dpkg status file larger than this is not read
_INTERPRETER_RE = re.compile(r"^python3\.(\d+)$")


@dataclass(frozen=True)
class PythonInfo:
    version: str  # "3.11.2" when known exactly, else "3.11"
    minor: str  # "3.11"
    executable: str  # "/usr/bin/python3.11", "/usr/local/bin/python3.11"


@dataclass(frozen=True)
class BaseFacts:
    """What the build needs to know of the base image's file system."""

    python: PythonInfo
    accounts: Accounts  #: its /etc/passwd and /etc/group


def probe_base(base: BaseImage, store: BlobStore, *, unpack_interpreter: bool = False) -> BaseFacts:
    """The interpreter and the accounts of ``base`` (cached by manifest digest).

    With ``unpack_interpreter``, a probe that reads the layers also unpacks
    the interpreter into the cache for ``interpreter.open_interpreter`` (which
    then reads nothing).
    """
    cached = _read_cache(store, base.manifest_digest)
    if cached is not None:
        return cached
    tree, counts = Tree(), Counts()
    contents: dict[tuple[int, int], bytes] = {}
    with Unpack(base, store, tree) if unpack_interpreter else nullcontext() as unpack:
        read_layers(base, store, tree, counts, _capture(contents, unpack))
        info = find_python(tree, contents, base)
        facts = BaseFacts(info, Accounts.parse(_text(tree, contents, PASSWD), _text(tree, contents, GROUP)))
        _write_cache(store, base.manifest_digest, facts)
        if unpack is not None:
            unpack.finish(counts, info.executable)
    return facts


def probe_python(base: BaseImage, store: BlobStore, *, unpack_interpreter: bool = False) -> PythonInfo:
    """The interpreter of ``base`` (``probe_base``'s)."""
    return probe_base(base, store, unpack_interpreter=unpack_interpreter).python


def _capture(contents: dict[tuple[int, int], bytes], unpack: Unpack | None) -> Capture:
    """Keep dpkg's status files' and the accounts' bytes (by source); hand the rest to the interpreter's unpack."""

    def capture(source: tuple[int, int], real: str, member: tarfile.TarInfo, open_member: Callable[[], IO[bytes] | None]) -> None:
        if (_STATUS_RE.match(real) or _ACCOUNTS_RE.match(real)) and member.size <= _MAX_STATUS:
            handle = open_member()
            contents[source] = handle.read() if handle is not None else b""
            if unpack is not None and unpack.wants(real):
                unpack.put(source, member, io.BytesIO(contents[source]))
        elif unpack is not None:
            unpack.capture(source, real, member, open_member)

    return capture


# -- deciding: a function of the tree -----------------------------------------------------------


def find_python(tree: Tree, contents: Mapping[tuple[int, int], bytes], base: BaseImage) -> PythonInfo:
    """The interpreter in ``tree``; ``contents`` holds the bytes of its dpkg status files, by source."""
    bins = {real for real in (tree.resolve(d, follow_last=True) for d in _BIN_DIRS) if real is not None}
    for directory in _BIN_DIRS:
        real_dir = tree.resolve(directory, follow_last=True)
        if real_dir is None or _kind(tree, real_dir) != "dir":
            continue
        found: list[tuple[int, str]] = []
        for name in tree.children.get(real_dir, ()):
            match = _INTERPRETER_RE.match(name)
            if match is None:
                continue
            executable = _executable(tree, f"{real_dir}/{name}" if real_dir else name, bins)
            if executable is not None:
                found.append((int(match.group(1)), executable))
        if found:
            minor_number, executable = max(found)
            minor = f"3.{minor_number}"
            return PythonInfo(_exact_version(base, _status_files(tree, contents), minor), minor, "/" + executable)
    raise BaseImageError(
        f'base-image "{base.spec}" has no Python interpreter '
        "(looked for /usr/local/bin/python3.N and /usr/bin/python3.N)"
    )


def _executable(tree: Tree, path: str, bins: set[str]) -> str | None:
    """How to name the interpreter at real path ``path``, or None when it leads to no regular file.

    Its links are followed while they lead to another ``python*`` in ``bins``.
    """
    if _kind(tree, tree.resolve(path, follow_last=True)) != "file":
        return None  # dangling, a loop, more than MAX_HOPS links, or not a file
    current = path
    for _ in range(MAX_HOPS):
        node = tree.nodes[current]
        if node.kind != "link":
            return current
        step = node.target if node.target.startswith("/") else f"{posixpath.dirname(current)}/{node.target}"
        following = tree.resolve(step, follow_last=False)
        if following is None or following not in tree.nodes:
            return current
        if posixpath.dirname(following) not in bins or not posixpath.basename(following).startswith("python"):
            return current
        current = following
    return current


def _kind(tree: Tree, real: str | None) -> str | None:
    node = tree.nodes.get(real) if real is not None else None
    return None if node is None else node.kind


def _text(tree: Tree, contents: Mapping[tuple[int, int], bytes], path: str) -> str:
    """The text of the regular file at ``path`` in the tree (links followed), or "" when there is none."""
    real = tree.resolve(path, follow_last=True)
    node = tree.nodes.get(real) if real is not None else None
    if node is None or node.kind != "file" or node.source not in contents:
        return ""
    return contents[node.source].decode("utf-8", "replace")  # type: ignore[index]


def _status_files(tree: Tree, contents: Mapping[tuple[int, int], bytes]) -> list[bytes]:
    """dpkg's status, then its ``status.d`` files about Python (by name), as they are in the tree."""
    paths = ["var/lib/dpkg/status"]
    folder = tree.resolve("var/lib/dpkg/status.d", follow_last=True)
    if folder is not None and _kind(tree, folder) == "dir":
        paths += [f"{folder}/{name}" for name in sorted(tree.children.get(folder, ())) if "python" in name]
    out = []
    for path in paths:
        real = tree.resolve(path, follow_last=True)
        node = tree.nodes.get(real) if real is not None else None
        if node is not None and node.kind == "file" and node.source in contents:
            out.append(contents[node.source])  # type: ignore[index]
    return out


def _exact_version(base: BaseImage, status_files: list[bytes], minor: str) -> str:
    env = (base.config.get("config") or {}).get("Env") or []
    for item in env:
        if isinstance(item, str) and item.startswith("PYTHON_VERSION="):
            value = item.split("=", 1)[1].strip()
            if value == minor or value.startswith(minor + "."):
                return upstream_version(value) or minor
    for content in status_files:
        version = dpkg_version(content.decode("utf-8", "replace"), minor) if content else None
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
    return store.folders.probes / f"{hexpart}.json"


def _read_cache(store: BlobStore, manifest_digest: str) -> BaseFacts | None:
    path = _cache_path(store, manifest_digest)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != PROBE_FORMAT:
            return None
        python = PythonInfo(str(data["version"]), str(data["minor"]), str(data["executable"]))
        return BaseFacts(python, Accounts.from_json(data["accounts"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_cache(store: BlobStore, manifest_digest: str, facts: BaseFacts) -> None:
    path = _cache_path(store, manifest_digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"format": PROBE_FORMAT, **asdict(facts.python), "accounts": facts.accounts.to_json()}
        document = json.dumps(record, sort_keys=True)
        write_atomically(path, document.encode(), prefix=TEMP_PREFIX)
    except OSError:
        pass  # a cache that cannot be written only costs a rescan next time
