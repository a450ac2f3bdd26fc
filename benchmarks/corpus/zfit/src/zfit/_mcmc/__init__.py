#  Copyright (c) 2025 zfit


__all__ = [
    "EmceeSampler",
]

from .emcee import EmceeSampler
