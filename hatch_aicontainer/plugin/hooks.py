"""hatchling plugin registration (entry point group ``hatch``)."""

from __future__ import annotations

from hatchling.plugin import hookimpl

from hatch_aicontainer.plugin.build_hook import AIContainerBuildHook
from hatch_aicontainer.plugin.builder import ContainerBuilder, GPUContainerBuilder


@hookimpl
def hatch_register_builder() -> list[type[ContainerBuilder]]:
    return [ContainerBuilder, GPUContainerBuilder]


def builders_by_target() -> dict[str, type[ContainerBuilder]]:
    """The build targets this plugin registers (``container``, ``container-gpu``) -> their builder:
    the one list of target names, for ``aicontainer --target``."""
    return {builder.PLUGIN_NAME: builder for builder in hatch_register_builder()}


@hookimpl
def hatch_register_build_hook() -> type[AIContainerBuildHook]:
    return AIContainerBuildHook
