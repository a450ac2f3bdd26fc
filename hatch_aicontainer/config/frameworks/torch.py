"""PyTorch: PyPI's ``torch`` wheel is the CUDA build on Linux x86_64 (its CUDA from NVIDIA wheels),
so a CPU image there takes ``torch==<version>+cpu`` from PyTorch's CPU index; where PyPI's wheel
is the CPU build (the table's ``cpu-index-platforms`` says where it is not), it comes from PyPI."""

from __future__ import annotations

from collections.abc import Mapping

from hatch_aicontainer.config.frameworks.base import Framework, FrameworkTarget, platform_key
from hatch_aicontainer.config.frameworks.data import ReleaseLine
from hatch_aicontainer.oci.descriptor import Platform

#: PyTorch's index of CPU builds (``2.10.0+cpu``); the ``torch-index-url`` setting replaces it.
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CPU_LOCAL = "cpu"


class Torch(Framework):
    name = "torch"
    title = "PyTorch"
    file_tag = "torch"
    module = "torch"
    gpu_check = 'import torch; print("torch", torch.cuda.device_count(), torch.version.cuda)'
    distributions = frozenset({"torch"})

    def cpu_from_index(self, release: ReleaseLine | None, platform: Platform) -> bool:
        """Whether the CPU build on ``platform`` comes from the CPU index (a line newer than the
        table: as the newest line)."""
        row = (release or self.table.newest).facts
        return platform_key(platform) in row.get("cpu-index-platforms", ())

    def target(
        self,
        release: ReleaseLine | None,
        version: str,
        platform: Platform,
        cuda_major: str | None,
        *,
        index: str | None = None,
        keys: Mapping[str, str] | None = None,
    ) -> FrameworkTarget:
        common = {"framework": self.name, "version": version, "distribution": "torch", "known": release is not None,
                  "line": release.line if release else None}
        if cuda_major is not None:
            return FrameworkTarget(**common, **self.gpu_facts(release, cuda_major))
        if self.cpu_from_index(release, platform):
            return FrameworkTarget(**common, local=CPU_LOCAL, index=index or CPU_INDEX)
        return FrameworkTarget(**common)


TORCH = Torch()

__all__ = ["CPU_INDEX", "CPU_LOCAL", "TORCH", "Torch"]
