"""The project's layer (its wheel installed, with the working directory) and the SBOM's layer.

The project is installed from the very wheel hatchling built, without its dependencies (they
are the dependency layer's), for the image's interpreter; the working directory is owned by
the image's user (its ids as the container runs with them: base/accounts.py) so it can write
there (it is also ``HOME`` for a user the base image does not list).
"""

from __future__ import annotations

from pathlib import Path

from hatch_aicontainer.build.base.accounts import ResolvedUser
from hatch_aicontainer.build.base.python import PythonInfo
from hatch_aicontainer.build.deps.installed import Distribution, read_distributions
from hatch_aicontainer.build.deps.installer import install_wheel
from hatch_aicontainer.build.deps.lock import LockInputs
from hatch_aicontainer.build.deps.uv import Uv
from hatch_aicontainer.build.deps.venv import installed_tree_entries, site_packages
from hatch_aicontainer.build.layers import bytecode, sbom
from hatch_aicontainer.config.settings import ProjectInfo
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Layer
from hatch_aicontainer.oci.layer import LayerEntry, write_layer


def app_layer(
    workdir: LayerEntry,
    wheel: Path,
    inputs: LockInputs,
    uv: Uv,
    python: PythonInfo,
    compiler: bytecode.Compiler | None,
    store: BlobStore,
    scratch: Path,
    layer_options: dict,
) -> tuple[Layer, tuple[Distribution, ...]]:
    """The project's layer, and its distribution as installed (read from its metadata)."""
    tree = scratch / "app"
    install_wheel(wheel, inputs, tree, uv)
    installed = read_distributions(tree)
    if compiler is not None:
        bytecode.compile_tree(tree, site_packages(python.minor), compiler, workers=1)
    entries = installed_tree_entries(tree, python.minor) + [workdir]
    return write_layer(entries, store, **layer_options), installed


def workdir_entry(workdir: str, user: ResolvedUser) -> LayerEntry:
    """The working directory, owned by the image's user so it can write there (HOME)."""
    return LayerEntry(path=workdir.strip("/"), kind="dir", mode=0o755, uid=user.uid, gid=user.gid)


def sbom_layer(project: ProjectInfo, document: bytes, workdir: LayerEntry, store: BlobStore, layer_options: dict) -> Layer:
    """The SBOM in a small layer of its own, last: it changes with every input, the others need not."""
    entries = sbom.layer_entries(project, document)
    if entries[0].path.startswith(workdir.path + "/"):
        entries.append(workdir)  # an implicit parent directory would hand the workdir back to root
    return write_layer(entries, store, **layer_options)
