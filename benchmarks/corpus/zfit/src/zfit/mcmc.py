#  Copyright (c) 2025 zfit

from __future__ import annotations

from zfit._mcmc import EmceeSampler

from ._bayesian.posterior import PosteriorSamples

__all__ = [
    "EmceeSampler",
    "PosteriorSamples",
]
