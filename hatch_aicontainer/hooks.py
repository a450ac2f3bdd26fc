"""hatchling plugin registration (entry point group ``hatch``)."""

from __future__ import annotations

from hatchling.plugin import hookimpl

from .builder import ContainerBuilder


@hookimpl
def hatch_register_builder() -> type[ContainerBuilder]:
    return ContainerBuilder
