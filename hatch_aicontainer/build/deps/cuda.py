"""Where the NVIDIA libraries of an image live, and the loader settings that find them.

TensorFlow's GPU build opens the CUDA libraries at run time by soname
(``dlopen("libcublas.so.12")`` from ``libtensorflow_framework.so.2``). The
dynamic loader then searches ``LD_LIBRARY_PATH``, the RUNPATH of that library
and the ld.so cache. The RUNPATH differs per release (2.16.1 names only
``nvidia/cuda_runtime/lib``: TensorFlow issue 63362), so the image does not
rely on it: every folder that holds a shared library of an installed
``nvidia-*`` distribution goes on the image's ``LD_LIBRARY_PATH``, and the
folder of ``ptxas`` (``nvidia-cuda-nvcc-*``, which XLA runs) on ``PATH``.

The folders come from the RECORD files of what the lock installed, not from a
fixed list, so new or renamed NVIDIA wheels need no change here. They are kept
with the cached dependency layer (``to_json``/``from_json``) because a layer
taken from the cache has no installed tree to look at.

Why ``LD_LIBRARY_PATH`` and not ``/etc/ld.so.conf.d`` + ``ldconfig``: the
ld.so cache is a binary file that only the image's own ``ldconfig`` writes
(running it means running the image at build time, for its architecture),
and it would replace the base image's cache in our layer. An environment
variable in the config is plain, reproducible data.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.utils import canonicalize_name

__all__ = ["CudaPaths", "find_cuda_paths", "loader_environment", "search_path"]

#: Distributions whose shared libraries the image's loader must find.
_DISTRIBUTION_PREFIX = "nvidia-"
#: ``libcublas.so``, ``libcublas.so.12``, ``libnvrtc-builtins.so.12.3``
_SHARED_LIBRARY = re.compile(r"^lib[^/]*\.so(\.[0-9]+)*$")
#: Programs XLA runs from ``PATH``.
_PROGRAMS = frozenset({"ptxas"})


@dataclass(frozen=True)
class CudaPaths:
    """Absolute folders inside the image, each list sorted (a deterministic order)."""

    library_dirs: tuple[str, ...] = ()  #: for LD_LIBRARY_PATH
    program_dirs: tuple[str, ...] = ()  #: for PATH (ptxas)

    def __bool__(self) -> bool:
        return bool(self.library_dirs or self.program_dirs)

    def to_json(self) -> dict[str, list[str]]:
        return {"library_dirs": list(self.library_dirs), "program_dirs": list(self.program_dirs)}

    @classmethod
    def from_json(cls, data: object) -> CudaPaths:
        """The inverse of ``to_json``; ValueError for anything else (a damaged record)."""
        if not isinstance(data, Mapping):
            raise ValueError("not a mapping")
        out = []
        for key in ("library_dirs", "program_dirs"):
            value = data.get(key)
            if not isinstance(value, list) or not all(isinstance(item, str) and item.startswith("/") for item in value):
                raise ValueError(f"{key}: not a list of absolute paths")
            out.append(tuple(value))
        return cls(*out)


def find_cuda_paths(tree: Path, site_packages: str) -> CudaPaths:
    """The folders of the ``nvidia-*`` shared libraries and programs installed in ``tree``.

    ``tree`` is a uv ``--target`` tree that becomes ``site_packages`` (an
    absolute path in the image); the files are read from each distribution's
    RECORD, so only what those distributions installed counts.
    """
    libraries: set[str] = set()
    programs: set[str] = set()
    for record in sorted(tree.glob("*.dist-info/RECORD")):
        name = record.parent.name[: -len(".dist-info")].rpartition("-")[0]
        if not canonicalize_name(name).startswith(_DISTRIBUTION_PREFIX):
            continue
        with open(record, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                if not row:
                    continue
                path = PurePosixPath(row[0])
                if path.is_absolute() or ".." in path.parts or path.parts[0] == "bin":
                    continue  # console scripts and anything outside site-packages
                folder = str(PurePosixPath(site_packages) / path.parent)
                if _SHARED_LIBRARY.match(path.name):
                    libraries.add(folder)
                elif path.name in _PROGRAMS:
                    programs.add(folder)
    return CudaPaths(tuple(sorted(libraries)), tuple(sorted(programs)))


def search_path(existing: str | None, added: tuple[str, ...]) -> str:
    """``existing`` (a colon list, kept as it is and first) extended by the ``added`` folders it lacks."""
    parts = [part for part in (existing or "").split(":") if part]
    return ":".join(parts + [folder for folder in added if folder not in parts])


def loader_environment(paths: CudaPaths, env: Mapping[str, str]) -> dict[str, str]:
    """``LD_LIBRARY_PATH`` and ``PATH`` for the image, given its environment so far.

    ``env`` is the image's environment without these folders (base image,
    venv, the user's ``env``). A value set there is extended, never replaced:
    its folders come first, so a library the user points at wins.
    """
    out = {}
    if paths.library_dirs:
        out["LD_LIBRARY_PATH"] = search_path(env.get("LD_LIBRARY_PATH"), paths.library_dirs)
    if paths.program_dirs:
        out["PATH"] = search_path(env.get("PATH"), paths.program_dirs)
    return out
