"""The build's signer: the key ``sign.key`` / ``AICONTAINER_SIGNING_KEY`` names, opened with the
passphrase in ``AICONTAINER_SIGNING_PASSWORD``.

Opened before any work (``preflight``: a missing key, a wrong passphrase or a key of another type
is one line, before the wheel is built), and again when the build signs. The passphrase is read
from the process environment here and nowhere else; it is never stored in the settings.
"""

from __future__ import annotations

from hatch_aicontainer.config.settings import Settings
from hatch_aicontainer.config.variables import SIGNING_PASSWORD_ENV
from hatch_aicontainer.signing.keys import load_signing_key
from hatch_aicontainer.signing.signer import KeySigner, Signer

__all__ = ["signer_for"]


def signer_for(settings: Settings) -> Signer | None:
    """The signer of ``settings``' key; None when no key is configured (attestations are attached unsigned)."""
    signing = settings.signing
    if signing is None:
        return None
    password = settings.environment.variables.get(SIGNING_PASSWORD_ENV)
    key = load_signing_key(signing.key, password, what=signing.setting, password_source=SIGNING_PASSWORD_ENV)
    return KeySigner(key)
