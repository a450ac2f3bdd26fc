#  Copyright (c) 2025 zfit
from __future__ import annotations
