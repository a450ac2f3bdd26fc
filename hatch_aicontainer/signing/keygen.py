"""A new signing key pair, in cosign's files: ``cosign.key`` (encrypted) and ``cosign.pub``.

The same files ``cosign generate-key-pair`` writes, so either tool signs and verifies with them.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hatch_aicontainer.core.atomic import write_atomically
from hatch_aicontainer.core.errors import OutputError
from hatch_aicontainer.signing import cosign_format
from hatch_aicontainer.signing.keys import PublicKey

__all__ = ["PRIVATE_NAME", "PUBLIC_NAME", "write_key_pair"]

PRIVATE_NAME = "cosign.key"
PUBLIC_NAME = "cosign.pub"


def write_key_pair(directory: Path, password: str, *, n: int = 65536) -> tuple[Path, Path]:
    """Write a new P-256 key pair into ``directory``: ``cosign.key`` encrypted with ``password``
    (mode 0600; an empty password is allowed, as cosign allows it) and ``cosign.pub``.

    Refuses, writing nothing, if either file exists: a key pair is never overwritten.
    ``n`` is scrypt's cost (cosign's own, by default). Returns (private, public) paths.
    """
    private_path, public_path = directory / PRIVATE_NAME, directory / PUBLIC_NAME
    if not directory.is_dir():
        raise OutputError(f"key pair directory {str(directory)!r}: not a directory; allowed: an existing directory")
    for path in (private_path, public_path):
        if path.exists() or path.is_symlink():
            raise OutputError(
                f"{str(path)!r} already exists; allowed: a directory without {PRIVATE_NAME} and {PUBLIC_NAME} "
                "(a key pair is never overwritten: move the old one away first)"
            )
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    private_pem = cosign_format.encrypt(der, password, n=n)
    public_pem = PublicKey.of(key.public_key()).pem
    try:
        write_atomically(private_path, private_pem, mode=0o600)
    except OSError as exc:
        raise OutputError(f"{str(private_path)!r}: cannot be written ({exc.strerror or type(exc).__name__})") from None
    try:
        write_atomically(public_path, public_pem, mode=0o644)
    except OSError as exc:
        private_path.unlink(missing_ok=True)  # no private key left without its public half
        raise OutputError(f"{str(public_path)!r}: cannot be written ({exc.strerror or type(exc).__name__})") from None
    return private_path, public_path
