"""The frameworks an image pins (TensorFlow, PyTorch, JAX): one table of release lines each
(``config/data/<name>.toml``) and the rules of which build each platform and accelerator gets.

:data:`FRAMEWORKS` is the one list, in the order settings, labels and file names show them.
"""

from __future__ import annotations

from hatch_aicontainer.config.frameworks.base import (
    ACCELERATORS,
    SUPPORTED_PLATFORMS,
    Framework,
    FrameworkTarget,
    platform_key,
)
from hatch_aicontainer.config.frameworks.data import DataInfo, ReleaseLine, ReleaseTable
from hatch_aicontainer.config.frameworks.jax import JAX
from hatch_aicontainer.config.frameworks.tensorflow import TENSORFLOW
from hatch_aicontainer.config.frameworks.torch import TORCH

FRAMEWORKS: tuple[Framework, ...] = (TENSORFLOW, TORCH, JAX)
FRAMEWORK_NAMES: tuple[str, ...] = tuple(f.name for f in FRAMEWORKS)


def framework(name: str) -> Framework:
    """The framework whose setting is ``name``; KeyError for any other name."""
    for candidate in FRAMEWORKS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


__all__ = [
    "ACCELERATORS",
    "FRAMEWORKS",
    "FRAMEWORK_NAMES",
    "SUPPORTED_PLATFORMS",
    "DataInfo",
    "Framework",
    "FrameworkTarget",
    "ReleaseLine",
    "ReleaseTable",
    "framework",
    "platform_key",
]
