"""hatchling plugin registration (entry point group ``hatch``)."""

from __future__ import annotations

from hatchling.plugin import hookimpl

from .build_hook import AIContainerBuildHook
from .builder import ContainerBuilder, GPUContainerBuilder


@hookimpl
def hatch_register_builder() -> list[type[ContainerBuilder]]:
    return [ContainerBuilder, GPUContainerBuilder]


@hookimpl
def hatch_register_build_hook() -> type[AIContainerBuildHook]:
    return AIContainerBuildHook
