"""hatchling plugin registration (entry point group ``hatch``)."""

from __future__ import annotations

from hatchling.plugin import hookimpl

from .build_hook import AIContainerBuildHook
from .builder import ContainerBuilder


@hookimpl
def hatch_register_builder() -> type[ContainerBuilder]:
    return ContainerBuilder


@hookimpl
def hatch_register_build_hook() -> type[AIContainerBuildHook]:
    return AIContainerBuildHook
