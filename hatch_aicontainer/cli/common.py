"""What every ``aicontainer`` command shares: where its lines go and how its errors end."""

from __future__ import annotations

import sys

from hatch_aicontainer.core.errors import AIContainerError

EXIT_ERROR = 1
EXIT_USAGE = 2

__all__ = ["EXIT_ERROR", "EXIT_USAGE", "UsageError", "err"]


class UsageError(AIContainerError):
    """A command-line argument is wrong (exit status 2, like argparse's own errors)."""


def err(message: str) -> None:
    """A line on standard error (progress, warnings, errors): standard output keeps the results."""
    print(message, file=sys.stderr, flush=True)
