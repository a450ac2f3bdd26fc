#  Copyright (c) 2025 zfit
from __future__ import annotations

import typing

from .models.functions import BaseFuncV1, ProdFunc, SimpleFuncV1, SumFunc, ZFuncV1

if typing.TYPE_CHECKING:
    import zfit  # noqa: F401

__all__ = ["BaseFuncV1", "ProdFunc", "SimpleFuncV1", "SumFunc", "ZFuncV1"]
