#  Copyright (c) 2025 zfit

from __future__ import annotations

import typing

from .util.plotter import PDFPlotter, SumCompPlotter, plot_model_pdf, plot_sumpdf_components_pdfV1

if typing.TYPE_CHECKING:
    import zfit  # noqa: F401
__all__ = ["PDFPlotter", "SumCompPlotter", "plot_model_pdf", "plot_sumpdf_components_pdfV1"]
