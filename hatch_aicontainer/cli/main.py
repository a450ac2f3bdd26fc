"""``aicontainer``: the command line for release pipelines.

::

    aicontainer check [PROJECT] [--target container] [--json]   validate settings, show the resolved target
    aicontainer lock [PROJECT] [--target container] [--refresh]  write/refresh the pylock files
    aicontainer matrix [--json]                                  TensorFlow ↔ Python ↔ CUDA table
    aicontainer inspect ARCHIVE [--json]                         layers, sizes, config, pins, digests
    aicontainer push ARCHIVE REF [REF …]                         push the archive built earlier (same digest)
    aicontainer load ARCHIVE [--tag NAME:TAG …]                  docker load it (DOCKER_HOST) and tag it
    aicontainer keygen                                           write cosign.key / cosign.pub
    aicontainer verify REF|ARCHIVE --key PUB [--rebuild]         check signature and attestations; rebuild

The project commands (``check``, ``lock``, ``matrix``) live in project.py, the archive
commands (``inspect``, ``push``, ``load``) and ``cache`` in archive.py. Results go to standard output (``push`` prints ``REF@DIGEST`` per line),
progress to standard error. ``push`` and ``load`` update the archive's
``<archive>.json``/``.digest`` with what really happened. Every error is one
line on standard error (``error: …``) and exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from hatch_aicontainer import __version__
from hatch_aicontainer.cli import archive, project, verify
from hatch_aicontainer.cli.common import EXIT_ERROR, EXIT_USAGE, UsageError, err


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line like every other error (exit status 2)."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aicontainer", description="Release tools for hatch-aicontainer images (check, lock, matrix, inspect, push, load, cache, keygen, verify)."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    project.add_commands(sub)  # check, lock, matrix
    archive.add_commands(sub)  # inspect, push, load, cache
    verify.add_commands(sub)  # keygen, verify
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from hatch_aicontainer.core.faults import error_line, exit_status, signals_raise

    try:
        with signals_raise():  # SIGTERM unwinds like Ctrl-C: temporary files go, one line, 143
            return int(args.func(args) or 0)
    except BrokenPipeError:
        return EXIT_ERROR
    except BaseException as exc:  # one line for user errors, faults (OSError) and signals; bugs keep their traceback
        line = error_line(exc, "aicontainer " + args.func.__name__.removeprefix("cmd_"))
        if line is None:
            raise
        err(f"error: {line}")
        return EXIT_USAGE if isinstance(exc, UsageError) else exit_status(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
