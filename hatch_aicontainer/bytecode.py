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

Reproducible: files are compiled in sorted order with ``PYTHONHASHSEED=0``,
``--invalidation-mode unchecked-hash`` (the header holds a hash of the source,
not its mtime; the interpreter does not re-check it: the image is immutable)
and ``co_filename`` set to the path inside the image. The bytes depend on the
source and on the compiler's patch release (3.11.2 and 3.11.7 differ in 10 of
4,736 TensorFlow files), which is why the compiler's full version is part of
the dependency layer's cache key and shown in the build log.

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
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

ENV_MODE = "AICONTAINER_BYTECODE"
ENV_PYTHON = "AICONTAINER_BYTECODE_PYTHON"
_ON = {"1", "on", "true", "yes"}
_OFF = {"0", "off", "false", "no"}

# Run by the compiling interpreter: compile every .py below TREE (not TREE/bin,
# which holds console scripts), co_filename = PREFIX/<relative path>.
_DRIVER = r"""
import os, sys, py_compile, importlib.util, multiprocessing
from concurrent.futures import ProcessPoolExecutor

def files(tree):
    out = []
    for top, dirs, names in os.walk(tree):
        dirs.sort()
        if top == tree and "bin" in dirs:
            dirs.remove("bin")
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in sorted(names):
            path = os.path.join(top, name)
            if name.endswith(".py") and not os.path.islink(path):
                out.append(path)
    return out

def compile_many(args):
    tree, prefix, paths = args
    done = 0
    for path in paths:
        rel = os.path.relpath(path, tree).replace(os.sep, "/")
        try:
            py_compile.compile(path, cfile=importlib.util.cache_from_source(path), dfile=prefix + "/" + rel,
                               doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            done += 1
        except (py_compile.PyCompileError, SyntaxError, ValueError, UnicodeError):
            pass  # not Python 3 source (templates, py2 leftovers): pip skips these too
    return done

def main():
    tree, prefix, workers = sys.argv[1], sys.argv[2].rstrip("/"), int(sys.argv[3])
    paths = files(tree)
    chunks = [paths[i::workers * 4] for i in range(workers * 4)]
    fork = "fork" in multiprocessing.get_all_start_methods()
    if workers > 1 and len(paths) > 200 and fork:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            done = sum(pool.map(compile_many, [(tree, prefix, c) for c in chunks]))
    else:
        done = compile_many((tree, prefix, paths))
    print(done, len(paths))

main()
"""


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


def compile_tree(tree: Path, prefix: str, compiler: Compiler, *, workers: int | None = None) -> tuple[int, int]:
    """Write ``__pycache__/*.pyc`` beside every ``.py`` under ``tree`` (not ``tree/bin``).

    ``prefix`` is where ``tree`` sits in the image (``/opt/venv/lib/python3.11/site-packages``).
    Returns (compiled, candidates); files that are not valid Python are skipped.
    """
    if not tree.is_dir():
        return 0, 0
    if workers is None:
        try:
            workers = max(1, min(8, len(os.sched_getaffinity(0))))
        except AttributeError:  # not Linux
            workers = max(1, min(8, os.cpu_count() or 1))
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    done = subprocess.run(
        # not -I/-E: they would drop PYTHONHASHSEED; -s: no user site-packages
        [compiler.executable, "-s", "-c", _DRIVER, str(tree), prefix, str(workers)],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ConfigError(f"precompiling bytecode with {compiler.executable} failed ({tail}); set {ENV_MODE}=off to skip it")
    compiled, total = (int(x) for x in done.stdout.split()[-2:])
    return compiled, total
