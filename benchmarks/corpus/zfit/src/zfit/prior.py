#  Copyright (c) 2025 zfit

from __future__ import annotations

from ._bayesian.mathconstrain import (
    POSITIVE,
    UNCONSTRAINED,
    UNIT_INTERVAL,
    AffineTransform,
    ConstraintType,
    IdentityTransform,
    LogTransform,
    LowerBoundTransform,
    PriorConstraint,
    SigmoidTransform,
    UpperBoundTransform,
)
from ._bayesian.priors import (
    KDE,
    Beta,
    Cauchy,
    Exponential,
    Gamma,
    HalfNormal,
    LogNormal,
    Normal,
    Poisson,
    StudentT,
    Uniform,
)

__all__ = [
    "KDE",
    "POSITIVE",
    "UNCONSTRAINED",
    "UNIT_INTERVAL",
    "AffineTransform",
    "Beta",
    "Cauchy",
    # Constraint system
    "ConstraintType",
    "Exponential",
    "Gamma",
    "HalfNormal",
    # Transformations
    "IdentityTransform",
    "LogNormal",
    "LogTransform",
    "LowerBoundTransform",
    "Normal",
    "Poisson",
    "PriorConstraint",
    "SigmoidTransform",
    "StudentT",
    "Uniform",
    "UpperBoundTransform",
]
