"""``aicontainer keygen | verify``: signing keys, and checking a released image.

``keygen`` writes ``cosign.key``/``cosign.pub`` (cosign's format) in the current folder, the
passphrase from ``AICONTAINER_SIGNING_PASSWORD`` (asked for only when standard input is a
terminal). ``verify REF|ARCHIVE --key PUB`` checks the image's signature and attestations
(``verify.check``); ``--rebuild`` builds it again from its provenance in the project's checkout
and compares digests (``verify.rebuild``). What was verified goes to standard output, one line
each; any failure is one line and exit status 1.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from hatch_aicontainer.cli.common import UsageError, err, process_environment

__all__ = ["add_commands", "cmd_keygen", "cmd_verify"]


def cmd_keygen(args: argparse.Namespace) -> int:
    from hatch_aicontainer.config.variables import SIGNING_PASSWORD_ENV
    from hatch_aicontainer.signing.keygen import write_key_pair

    password = os.environ.get(SIGNING_PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise UsageError(f"{SIGNING_PASSWORD_ENV} is not set and standard input is not a terminal to ask for a passphrase")
        password = getpass.getpass("passphrase for the new key: ")
        if getpass.getpass("the same passphrase again: ") != password:
            raise UsageError("the two passphrases differ")
    key, public = write_key_pair(Path(args.directory), password)
    print(key)
    print(public, flush=True)
    err(f"wrote {key.name} (private, encrypted; keep it secret) and {public.name} (give it to whoever verifies)")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from hatch_aicontainer.signing.keys import load_public_key
    from hatch_aicontainer.verify.check import verify_image
    from hatch_aicontainer.verify.rebuild import rebuild
    from hatch_aicontainer.verify.sources import open_source

    if args.key is None and not args.rebuild:
        raise UsageError("verify needs --key PUB (the public key the image was signed with), or --rebuild")
    key = load_public_key(Path(args.key), what="--key") if args.key else None
    source = open_source(args.image, process_environment().registry)
    try:
        if key is not None:
            verified = verify_image(source, key, say=print)
            print(f"{source.name}: {source.root.digest} verified ({len(verified)} signed attestations)", flush=True)
        if args.rebuild:
            rebuilt = rebuild(source, Path(args.project), environ=os.environ, key=key, say=err)
            print(f"{source.name}: {rebuilt.digest} rebuilt from its provenance: the same digest", flush=True)
    finally:
        source.close()
    return 0


def add_commands(sub: Any) -> None:
    """Register ``keygen`` and ``verify`` on ``sub`` (argparse's subparsers)."""
    p = sub.add_parser("keygen", help="write cosign.key and cosign.pub (cosign's format; passphrase from AICONTAINER_SIGNING_PASSWORD)")
    p.add_argument("--directory", default=".", help="where to write them (default: the current folder)")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("verify", help="check an image's signature and attestations, or rebuild it from its provenance")
    p.add_argument("image", metavar="REF|ARCHIVE", help="host/repository:tag (or @digest), an .oci.tar or OCI layout")
    p.add_argument("--key", default=None, metavar="PUB", help="the public key (cosign.pub) the image was signed with")
    p.add_argument("--rebuild", action="store_true", help="build again from the provenance in the project's checkout; compare digests")
    p.add_argument("--project", default=".", help="with --rebuild: the project's checkout (default: the current folder)")
    p.set_defaults(func=cmd_verify)
