"""Bytecode for what an image build imports, kept in the plugin's cache when Python writes none.

hatch makes a project's build environment without bytecode (uv installs without compiling), and
many CI images and developer machines set ``PYTHONDONTWRITEBYTECODE=1``; then every build compiled
the ~400 modules an image build imports (ours, requests, urllib3, cyclonedx…) from source again:
about 1 s of a warm build here (its median over a warm rebuild: benchmarks/registry_cache.py). While an image build runs,
and only then, its imports read and write their bytecode below ``bytecode/`` in the plugin's
cache folder (``sys.pycache_prefix``): nothing is written beside the sources, into the build
environment, the project or the image, and a source that changed is compiled again (the
bytecode records its source's size and mtime, as Python's own does).

Left alone: a Python that writes bytecode anyway (it has its own), and a ``pycache_prefix``
the user chose (``PYTHONPYCACHEPREFIX``, ``-X pycache_prefix``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from hatch_aicontainer.config.environment import cache_folder
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.cache import CacheFolders

__all__ = ["imports_with_bytecode"]


@contextmanager
def imports_with_bytecode(environ: Mapping[str, str]) -> Iterator[None]:
    """Imports inside the block use (and write) bytecode below the cache's ``bytecode/`` folder."""
    if not sys.dont_write_bytecode or sys.pycache_prefix is not None:
        yield
        return
    try:
        root, _from_env = cache_folder(environ)
    except ConfigError:  # the build's own settings say so in one line
        yield
        return
    sys.pycache_prefix = str(CacheFolders(root).bytecode)
    sys.dont_write_bytecode = False
    try:
        yield
    finally:
        sys.pycache_prefix = None
        sys.dont_write_bytecode = True
