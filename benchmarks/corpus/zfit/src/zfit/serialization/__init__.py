#  Copyright (c) 2025 zfit
from __future__ import annotations
from . import serializer
from .serializer import Serializer
from .spacerepr import SpaceRepr

__all__ = ["Serializer", "SpaceRepr", "serializer"]
