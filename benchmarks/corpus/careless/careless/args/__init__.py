# Special groups
# Groups
from . import (
    common,
    crossvalidation,
    filtration,
    interpretation,
    likelihood,
    optimizer,
    poly,
    positional_encoding,
    prior,
    required,
    scaling,
    tf_options,
)

groups = [
    common,
    crossvalidation,
    filtration,
    interpretation,
    likelihood,
    optimizer,
    positional_encoding,
    prior,
    scaling,
    tf_options
]

