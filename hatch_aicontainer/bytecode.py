"""Precompiled bytecode for the image's packages, made on the build host, reproducibly.

Without ``__pycache__`` in the image, every fresh container compiles each
module it imports (``import tensorflow``: about 1,800 modules) and then throws
the result away with the container — or cannot write it at all when the image
runs as a non-root user. ``pip install`` (and so a Dockerfile) compiles at
install time; uv ``--target`` for a foreign interpreter does not.

The image's interpreter cannot run at build time (no daemon, maybe another
architecture), so the compiler is a CPython of the SAME minor version on the
build host (``sys.executable`` when it matches, else ``pythonX.Y`` on PATH or
one uv knows). Within a minor release the bytecode format and its magic number
are fixed, so the image's interpreter accepts these files; if it ever did not
(a pre-release), it would just ignore them and compile the source as before.

Reproducible: ``PYTHONHASHSEED=0``, ``unchecked-hash`` pycs (PEP 552: the
header holds a hash of the source, not its mtime; the interpreter does not
re-check it, the image being immutable) and ``co_filename`` set to the path
inside the image. CPython's output for one file can depend on what the same
process compiled before (whether equal constants end up shared, hence
marshalled with a back-reference: 3 of 4,736 TensorFlow files differed between
two orders), so the files are split into chunks that depend only on the file
list, each compiled in a fresh interpreter in a fixed order; the bytes do not
depend on how many chunks run at once (tested: 1, 2 and 4 workers give
identical trees). They do depend on the compiler's patch release (3.11.2 and
3.11.7 differ in 10 of 4,736 files), which is why the compiler's full version
is part of the dependency layer's cache key.

``AICONTAINER_BYTECODE``: ``auto`` (default: compile when a matching
interpreter is found, else build without and say so), ``on`` (a matching
interpreter is required), ``off``. ``AICONTAINER_BYTECODE_PYTHON`` names the
compiling interpreter explicitly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

ENV_MODE = "AICONTAINER_BYTECODE"
ENV_PYTHON = "AICONTAINER_BYTECODE_PYTHON"
_ON = {"1", "on", "true", "yes"}
_OFF = {"0", "off", "false", "no"}

# Run by the compiling interpreter, once per chunk: compile the files named on
# stdin (paths relative to TREE), co_filename = PREFIX/<relative path>; prints
# how many it compiled.
_DRIVER = r"""
import os, sys
from importlib._bootstrap_external import _code_to_hash_pyc
from importlib.util import cache_from_source, source_hash

def main():
    tree, prefix = sys.argv[1], sys.argv[2].rstrip("/")
    done = 0
    for rel in sys.stdin.read().splitlines():
        path = os.path.join(tree, rel)
        with open(path, "rb") as handle:
            source = handle.read()
        # what py_compile.compile(path, dfile=..., invalidation_mode=UNCHECKED_HASH)
        # writes, without its temp-file dance (the tree is private to this build).
        # dfile stays referenced while marshalling, as in py_compile (marshal adds
        # back-references only to objects whose refcount is above 1).
        dfile = prefix + "/" + rel
        try:
            code = compile(source, dfile, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, UnicodeError):
            continue  # not Python 3 source (templates, py2 leftovers): pip skips these too
        data = _code_to_hash_pyc(code, source_hash(source), False)
        target = cache_from_source(path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target):
            os.unlink(target)  # may be a hard link into uv's cache: never write through it
        with open(target, "wb") as handle:
            handle.write(data)
        done += 1
    print(done)

main()
"""
# Files per chunk. Each chunk is compiled by a fresh interpreter, in a fixed
# order: CPython's output is not a pure function of one source file (whether
# equal constants of a module end up shared, hence marshalled once with a
# back-reference, can depend on what the process compiled before), so the
# chunks must not depend on the number of workers.
CHUNK_FILES = 150


@dataclass(frozen=True)
class Compiler:
    """A host CPython whose bytecode the image's interpreter loads."""

    executable: str
    version: str  # "3.11.7": part of the cache key (the bytes depend on it)
    cache_tag: str  # "cpython-311"

    def key(self) -> list[str]:
        return [self.version, self.cache_tag]


def mode(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """``auto``, ``on`` or ``off`` from ``AICONTAINER_BYTECODE``."""
    value = (os.environ if environ is None else environ).get(ENV_MODE, "auto").strip().lower()
    if value in ("", "auto"):
        return "auto"
    if value in _ON:
        return "on"
    if value in _OFF:
        return "off"
    raise ConfigError(f'{ENV_MODE} = "{value}": use auto, on or off')


_PROBE = (
    "import sys; i = sys.version_info; "
    "print(sys.implementation.name, sys.implementation.cache_tag or '', i.releaselevel, '%d.%d.%d' % i[:3])"
)
_found: dict[str, Compiler | None] = {}


def find_compiler(python_minor: str, environ: dict[str, str] | None = None) -> Compiler | None:
    """A final-release CPython ``python_minor`` on this host, or None (after ``mode`` says so)."""
    environ = dict(os.environ if environ is None else environ)
    wanted = mode(environ)
    if wanted == "off":
        return None
    explicit = environ.get(ENV_PYTHON)
    cache_key = f"{python_minor}|{explicit}"
    if cache_key not in _found:
        candidates = [explicit] if explicit else _candidates(python_minor)
        _found[cache_key] = next((c for c in map(lambda p: _probe(p, python_minor), candidates) if c), None)
    found = _found[cache_key]
    if found is None and (wanted == "on" or explicit):
        where = f"{ENV_PYTHON} = {explicit!r} is not" if explicit else "found no"
        raise ConfigError(
            f"{ENV_MODE} = on: {where} a CPython {python_minor} on the build host to precompile "
            f"bytecode with; install python{python_minor} or set {ENV_MODE}=off"
        )
    return found


def _candidates(python_minor: str) -> list[str]:
    out = [sys.executable]
    on_path = shutil.which(f"python{python_minor}")
    if on_path:
        out.append(on_path)
    out.append(f"uv:{python_minor}")
    return out


def _probe(candidate: str, python_minor: str) -> Compiler | None:
    executable = _uv_python(candidate.removeprefix("uv:")) if candidate.startswith("uv:") else candidate
    if not executable:
        return None
    try:
        done = subprocess.run([executable, "-I", "-c", _PROBE], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    fields = done.stdout.split()
    if done.returncode != 0 or len(fields) != 4:
        return None
    implementation, cache_tag, level, version = fields
    if implementation != "cpython" or level != "final" or ".".join(version.split(".")[:2]) != python_minor:
        return None
    return Compiler(executable=executable, version=version, cache_tag=cache_tag)


def _uv_python(python_minor: str) -> str | None:
    """An interpreter uv already has (installed or managed); never downloads one."""
    from .uv import find_uv

    try:
        done = subprocess.run(
            [find_uv(), "python", "find", "--no-config", python_minor],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ, "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"},
        )
    except (OSError, subprocess.TimeoutExpired, ImportError):
        return None
    path = done.stdout.strip()
    return path if done.returncode == 0 and path else None


def source_files(tree: Path) -> list[str]:
    """The ``.py`` files under ``tree`` (not ``tree/bin``, no symlinks), relative, sorted."""
    out: list[str] = []
    for top, dirs, names in os.walk(tree):
        dirs.sort()
        if Path(top) == tree and "bin" in dirs:
            dirs.remove("bin")
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in sorted(names):
            path = os.path.join(top, name)
            if name.endswith(".py") and not os.path.islink(path):
                out.append(os.path.relpath(path, tree).replace(os.sep, "/"))
    return out


def chunks(tree: Path, files: list[str]) -> list[list[str]]:
    """A partition of ``files`` that depends only on the files: largest first, dealt round-robin."""
    count = max(1, -(-len(files) // CHUNK_FILES))
    by_size = sorted(files, key=lambda rel: (-(tree / rel).stat().st_size, rel))
    return [by_size[i::count] for i in range(count)]


def compile_tree(tree: Path, prefix: str, compiler: Compiler, *, workers: int | None = None) -> tuple[int, int]:
    """Write ``__pycache__/*.pyc`` beside every ``.py`` under ``tree`` (not ``tree/bin``).

    ``prefix`` is where ``tree`` sits in the image (``/opt/venv/lib/python3.11/site-packages``).
    Returns (compiled, candidates); files that are not valid Python are skipped.
    The bytes do not depend on ``workers`` (how many chunks compile at once).
    """
    if not tree.is_dir():
        return 0, 0
    if workers is None:
        try:
            workers = max(1, min(8, len(os.sched_getaffinity(0))))
        except AttributeError:  # not Linux
            workers = max(1, min(8, os.cpu_count() or 1))
    files = source_files(tree)
    if not files:
        return 0, 0
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"

    def run(chunk: list[str]) -> int:
        done = subprocess.run(
            # not -I/-E: they would drop PYTHONHASHSEED; -s: no user site-packages
            [compiler.executable, "-s", "-c", _DRIVER, str(tree), prefix],
            input="\n".join(chunk),
            capture_output=True,
            text=True,
            env=env,
            cwd="/",
            check=False,
        )
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise ConfigError(
                f"precompiling bytecode with {compiler.executable} failed ({tail}); set {ENV_MODE}=off to skip it"
            )
        return int(done.stdout.split()[-1])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        compiled = sum(pool.map(run, chunks(tree, files)))
    return compiled, len(files)
