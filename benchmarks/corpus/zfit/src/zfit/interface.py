#  Copyright (c) 2025 zfit

from __future__ import annotations

from zfit._interfaces import (
    ZfitBinnedData,
    ZfitBinnedPDF,
    ZfitBinning,
    ZfitData,
    ZfitIndependentParameter,
    ZfitLoss,
    ZfitModel,
    ZfitParameter,
    ZfitPDF,
    ZfitSpace,
    ZfitUnbinnedData,
)

__all__ = [
    "ZfitBinnedData",
    "ZfitBinnedPDF",
    "ZfitBinning",
    "ZfitData",
    "ZfitIndependentParameter",
    "ZfitLoss",
    "ZfitModel",
    "ZfitPDF",
    "ZfitParameter",
    "ZfitSpace",
    "ZfitUnbinnedData",
]
