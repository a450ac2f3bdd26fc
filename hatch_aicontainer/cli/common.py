"""What every ``aicontainer`` command shares: where its lines go and how its errors end."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from hatch_aicontainer.core.errors import AIContainerError

if TYPE_CHECKING:
    from hatch_aicontainer.config.environment import BuildEnvironment

EXIT_ERROR = 1
EXIT_USAGE = 2

__all__ = ["EXIT_ERROR", "EXIT_USAGE", "UsageError", "err", "process_environment"]


class UsageError(AIContainerError):
    """A command-line argument is wrong (exit status 2, like argparse's own errors)."""


def err(message: str) -> None:
    """A line on standard error (progress, warnings, errors): standard output keeps the results."""
    print(message, file=sys.stderr, flush=True)


def process_environment() -> BuildEnvironment:
    """This process's environment, read once by the command that needs it (the entry point reads
    ``os.environ``; what it calls gets the parsed value)."""
    from hatch_aicontainer.config.environment import BuildEnvironment

    return BuildEnvironment.read(os.environ)
