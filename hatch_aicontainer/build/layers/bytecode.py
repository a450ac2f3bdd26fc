"""Precompiled bytecode for the image's packages, written by the image's own interpreter, reproducibly.

Without ``__pycache__`` in the image, every fresh container compiles each
module it imports (``import tensorflow``: about 1,800 modules) and then throws
the result away with the container — or cannot write it at all when the image
runs as a non-root user. ``pip install`` (and so a Dockerfile) compiles at
install time; uv ``--target`` for a foreign interpreter does not.

The compiler is the base image's Python itself, run from its unpacked layers
(``build/base/interpreter.py``: its own loader and libraries, no daemon, no root; qemu-user
on another architecture). So the pyc files are the ones the image would write
itself, for any Python the image has, whatever Python runs the build; the
host's own Python plays no part. Its identity (the base layers' digests, the
interpreter's path and full version) is part of the dependency layer's cache
key: CPython's output depends on the patch release (3.11.2 and 3.11.7 differ
in 10 of 4,736 TensorFlow files).

Reproducible: ``PYTHONHASHSEED=0``, ``unchecked-hash`` pycs (PEP 552: the
header holds a hash of the source, not its mtime; the interpreter does not
re-check it, the image being immutable) and ``co_filename`` set to the path
inside the image. CPython's output for one file can depend on what the same
process compiled before (whether equal constants end up shared, hence
marshalled with a back-reference: 3 of 4,736 TensorFlow files differed between
two orders), so the files are split into chunks that depend only on the file
list, each compiled in a fresh interpreter in a fixed order; the bytes do not
depend on how many chunks run at once (tested: 1, 2 and 4 workers give
identical trees).

``AICONTAINER_BYTECODE``: ``auto`` (default: compile when the base image's
interpreter runs on this host, else build without and say so in one line),
``on`` (it must run: an error otherwise), ``off``.
"""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from hatch_aicontainer.build.base.elf import CannotRun
from hatch_aicontainer.build.base.interpreter import open_interpreter
from hatch_aicontainer.build.base.python import PythonInfo
from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.config.variables import BYTECODE_ENV
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.cache import BlobStore

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
    """An interpreter that writes the image's bytecode, and how to start it."""

    argv: tuple[str, ...]  # the command that starts it (append Python's arguments)
    env: tuple[tuple[str, str], ...]  # its whole environment (none of the host's)
    version: str  # "3.13.5", as the interpreter reports it
    cache_tag: str  # "cpython-313"
    identity: str = ""  # where it comes from (base layer digests and path)

    def key(self) -> list[str]:
        """What the compiled bytes depend on: part of the dependency layer's cache key."""
        return [self.identity, self.version, self.cache_tag]


_PROBE = (
    "import sys; i = sys.version_info; "
    "print(sys.implementation.name, sys.implementation.cache_tag or '', i.releaselevel, '%d.%d.%d' % i[:3])"
)


def probe_compiler(argv: list[str] | tuple[str, ...], env: dict[str, str], *, identity: str = "") -> Compiler:
    """Run ``argv`` as Python and describe it; ``ConfigError`` (one line) when it does not run as CPython."""
    try:
        done = subprocess.run([*argv, "-S", "-c", _PROBE], capture_output=True, text=True, timeout=120, env=env, cwd="/", check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"the interpreter to precompile bytecode with did not start ({exc})") from None
    fields = done.stdout.split()
    if done.returncode != 0 or len(fields) != 4 or fields[0] != "cpython":
        tail = (done.stderr.strip().splitlines() or [done.stdout.strip() or "no output"])[-1][:200]
        raise ConfigError(f"the interpreter to precompile bytecode with does not run as CPython ({tail})")
    _, cache_tag, _, version = fields
    return Compiler(argv=tuple(argv), env=tuple(sorted(env.items())), version=version, cache_tag=cache_tag, identity=identity)


def image_compiler(base: BaseImage, python: PythonInfo, store: BlobStore, wanted: str) -> tuple[Compiler | None, str]:
    """The base image's own interpreter as the compiler, and one line for the build summary.

    ``wanted`` is ``AICONTAINER_BYTECODE`` (``config.environment.bytecode_mode``). (None, why)
    when it is off, or it is ``auto`` and the interpreter cannot run on this host (another
    architecture without qemu-user); with ``on`` that is a ``ConfigError`` instead.
    """
    if wanted == "off":
        return None, f"no bytecode ({BYTECODE_ENV}=off): containers compile what they import at start-up"
    try:
        interpreter = open_interpreter(base, python, store)
        compiler = probe_compiler(interpreter.argv(), interpreter.environment(), identity=interpreter.identity)
        if ".".join(compiler.version.split(".")[:2]) != python.minor:
            raise CannotRun(f"{python.executable} of the base image reports Python {compiler.version}, not {python.minor}")
    except (CannotRun, ConfigError) as exc:
        if wanted == "on":
            raise ConfigError(f"{BYTECODE_ENV} = on: {exc}; set {BYTECODE_ENV}=auto or off to build without bytecode") from None
        return None, f"no bytecode: {exc}; containers compile what they import at start-up"
    how = f" under {os.path.basename(interpreter.emulator[0])}" if interpreter.emulator else ""
    contained = f"; base layer entries contained: {interpreter.skipped_note()}" if interpreter.skipped else ""
    return compiler, f"bytecode by the base image's Python {compiler.version} ({python.executable}{how}){contained}"


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
    env = {**dict(compiler.env), "PYTHONHASHSEED": "0"}

    def run(chunk: list[str]) -> int:
        done = subprocess.run(
            # not -I/-E: they would drop PYTHONHASHSEED (and PYTHONHOME); -S -s: no site, no user site
            [*compiler.argv, "-S", "-s", "-c", _DRIVER, str(tree), prefix],
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
                f"precompiling bytecode with Python {compiler.version} ({compiler.argv[-1]}) failed ({tail}); set {BYTECODE_ENV}=off to skip it"
            )
        return int(done.stdout.split()[-1])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        compiled = sum(pool.map(run, chunks(tree, files)))
    return compiled, len(files)
