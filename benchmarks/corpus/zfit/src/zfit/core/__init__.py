#  Copyright (c) 2025 zfit

from . import (
    basefunc,
    basemodel,
    baseobject,
    basepdf,
    data,
    integration,
    loss,
    operations,
    parameter,
    sample,
    space,
)
