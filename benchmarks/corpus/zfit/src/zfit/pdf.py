#  Copyright (c) 2025 zfit
from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    import zfit  # noqa: F401

__all__ = [
    "ZPDF",
    "BaseBinnedFunctorPDF",
    "BaseBinnedPDF",
    "BaseFunctor",
    "BasePDF",
    "Bernstein",
    "Beta",
    "BifurGauss",
    "BinnedFromUnbinnedPDF",
    "BinnedSumPDF",
    "BinwiseScaleModifier",
    "CachedPDF",
    "Cauchy",
    "Chebyshev",
    "Chebyshev2",
    "ChiSquared",
    "ConditionalPDFV1",
    "CrystalBall",
    "DoubleCB",
    "ExpModGauss",
    "Exponential",
    "FFTConvPDFV1",
    "Gamma",
    "Gauss",
    "GaussExpTail",
    "GaussianKDE1DimV1",
    "GeneralizedCB",
    "GeneralizedGauss",
    "GeneralizedGaussExpTail",
    "Hermite",
    "HistogramPDF",
    "JohnsonSU",
    "KDE1DimExact",
    "KDE1DimFFT",
    "KDE1DimGrid",
    "KDE1DimISJ",
    "Laguerre",
    "Legendre",
    "LogNormal",
    "Poisson",
    "PositivePDF",
    "ProductPDF",
    "QGauss",
    "RecursivePolynomial",
    "SimpleFunctorPDF",
    "SimplePDF",
    "SplineMorphingPDF",
    "SplinePDF",
    "StudentT",
    "SumPDF",
    "TruncatedGauss",
    "TruncatedPDF",
    "UnbinnedFromBinnedPDF",
    "Uniform",
    "Voigt",
    "WrapDistribution",
]

from .core.basepdf import BasePDF
from .core.binnedpdf import BaseBinnedPDF
from .models.basic import Exponential, Voigt
from .models.binned_functor import BaseBinnedFunctorPDF, BinnedSumPDF
from .models.cache import CachedPDF
from .models.conditional import ConditionalPDFV1
from .models.convolution import FFTConvPDFV1
from .models.dist_tfp import (
    Beta,
    BifurGauss,
    Cauchy,
    ChiSquared,
    ExpModGauss,
    Gamma,
    Gauss,
    GeneralizedGauss,
    JohnsonSU,
    LogNormal,
    Poisson,
    QGauss,
    StudentT,
    TruncatedGauss,
    Uniform,
    WrapDistribution,
)
from .models.functor import BaseFunctor, ProductPDF, SumPDF
from .models.histmodifier import BinwiseScaleModifier
from .models.histogram import HistogramPDF
from .models.interpolation import SplinePDF
from .models.kde import (
    GaussianKDE1DimV1,
    KDE1DimExact,
    KDE1DimFFT,
    KDE1DimGrid,
    KDE1DimISJ,
)
from .models.morphing import SplineMorphingPDF
from .models.physics import (
    CrystalBall,
    DoubleCB,
    GaussExpTail,
    GeneralizedCB,
    GeneralizedGaussExpTail,
)
from .models.polynomials import (
    Bernstein,
    Chebyshev,
    Chebyshev2,
    Hermite,
    Laguerre,
    Legendre,
    RecursivePolynomial,
)
from .models.postprocess import PositivePDF
from .models.special import ZPDF, SimpleFunctorPDF, SimplePDF
from .models.tobinned import BinnedFromUnbinnedPDF
from .models.truncated import TruncatedPDF
from .models.unbinnedpdf import UnbinnedFromBinnedPDF
