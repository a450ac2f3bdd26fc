#  Copyright (c) 2025 zfit
from __future__ import annotations

import typing

from .core.parameter import (
    ComplexParameter,
    ComposedParameter,
    ConstantParameter,
    Parameter,
    assign_values,
    assign_values_jit,
    convert_to_parameter,
    convert_to_parameters,
    set_values,
)

if typing.TYPE_CHECKING:
    import zfit  # noqa: F401
__all__ = [
    "ComplexParameter",
    "ComposedParameter",
    "ConstantParameter",
    "Parameter",
    "assign_values",
    "assign_values_jit",
    "convert_to_parameter",
    "convert_to_parameters",
    "set_values",
]
