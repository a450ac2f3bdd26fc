"""JAX: ``jax[cpu]`` (jaxlib) for CPU images, ``jax[cuda12]``/``jax[cuda13]`` for CUDA images (the
CUDA plugin wheels, with the NVIDIA libraries as lower bounds only: the lock is what pins them).
Its GPU build exists for several CUDA majors; the image takes the one the other frameworks use."""

from __future__ import annotations

from collections.abc import Mapping

from hatch_aicontainer.config.frameworks.base import Framework, FrameworkTarget
from hatch_aicontainer.config.frameworks.data import ReleaseLine
from hatch_aicontainer.oci.descriptor import Platform

CPU_EXTRA = "cpu"


class Jax(Framework):
    name = "jax"
    title = "JAX"
    file_tag = "jax"
    module = "jax"
    gpu_check = 'import jax; print("jax", jax.devices("gpu"))'
    distributions = frozenset({"jax"})

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
        common = {"framework": self.name, "version": version, "distribution": "jax", "known": release is not None,
                  "line": release.line if release else None}
        if cuda_major is None or release is None:
            return FrameworkTarget(**common, extra=CPU_EXTRA)
        extra = str(release.facts.get("cuda-extras", {}).get(cuda_major, f"cuda{cuda_major}"))
        return FrameworkTarget(**common, extra=extra, **self.gpu_facts(release, cuda_major))


JAX = Jax()

__all__ = ["CPU_EXTRA", "JAX", "Jax"]
