"""The build's signer: the key ``sign.key`` / ``AICONTAINER_SIGNING_KEY`` names, opened with the
passphrase in ``AICONTAINER_SIGNING_PASSWORD``.

Opened before any work (``preflight``: a missing key, a wrong passphrase or a key of another type
is one line, before the wheel is built), and again when the build signs. The passphrase is read
from the process environment here and nowhere else; it is never stored in the settings.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from hatch_aicontainer.config.settings import Settings
from hatch_aicontainer.config.variables import SIGNING_PASSWORD_ENV

if TYPE_CHECKING:
    from hatch_aicontainer.signing.signer import Signer

__all__ = ["signer_for"]


def signer_for(settings: Settings) -> Signer | None:
    """The signer of ``settings``' key; None when no key is configured (attestations are attached unsigned)."""
    signing = settings.signing
    if signing is None:
        return None
    password = settings.environment.variables.get(SIGNING_PASSWORD_ENV)
    try:
        stat = signing.key.stat()
        version = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        version = None  # the loader reports it, in one line
    return _opened(signing.key, version, password, signing.setting)


@functools.lru_cache(maxsize=4)
def _opened(path: Path, version: tuple[int, int, int] | None, password: str | None, setting: str) -> Signer:
    """One scrypt per key file version in a process: preflight opens the key, the build signs with it."""
    from hatch_aicontainer.signing.keys import load_signing_key
    from hatch_aicontainer.signing.signer import KeySigner

    return KeySigner(load_signing_key(path, password, what=setting, password_source=SIGNING_PASSWORD_ENV))
