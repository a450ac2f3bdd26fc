"""cosign's encrypted private key: the format ``cosign generate-key-pair`` writes.

A PEM block (``ENCRYPTED SIGSTORE PRIVATE KEY``; ``ENCRYPTED COSIGN PRIVATE KEY``
from older cosign) whose body is JSON::

    {"kdf": {"name": "scrypt", "params": {"N": 65536, "r": 8, "p": 1}, "salt": "<base64, 32 bytes>"},
     "cipher": {"name": "nacl/secretbox", "nonce": "<base64, 24 bytes>"},
     "ciphertext": "<base64>"}

The secretbox (XSalsa20-Poly1305) key is scrypt(passphrase, salt, N, r, p) of 32 bytes and the
plaintext is the PKCS#8 DER private key. This is go-securesystemslib's ``encrypted`` package:
only its three scrypt parameter sets are accepted (N = 2^15, 2^16, 2^17; r = 8, p = 1), so a
tampered file cannot make us spend unbounded memory; cosign writes 2^16 today, 2^15 before.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os

from hatch_aicontainer.signing.pem import pem_block

__all__ = [
    "COSIGN_PEM_TYPE",
    "PEM_TYPES",
    "SIGSTORE_PEM_TYPE",
    "CosignKeyError",
    "WrongPassphrase",
    "decrypt",
    "encrypt",
]

SIGSTORE_PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY"
COSIGN_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY"
PEM_TYPES = (SIGSTORE_PEM_TYPE, COSIGN_PEM_TYPE)

KDF = "scrypt"
CIPHER = "nacl/secretbox"
SCRYPT_N = (32768, 65536, 131072)
SCRYPT_R = 8
SCRYPT_P = 1
SALT_SIZE = 32
NONCE_SIZE = 24
KEY_SIZE = 32


class CosignKeyError(ValueError):
    """The file is not a cosign key we can read; ``str()`` is a short reason, for the caller to
    put after the path and setting it knows."""


class WrongPassphrase(CosignKeyError):
    """The secretbox does not open: the passphrase is wrong (or the ciphertext was altered)."""


def _b64(value: object, field: str, size: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise CosignKeyError(f"its {field} is not a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CosignKeyError(f"its {field} is not valid base64") from None
    if size is not None and len(raw) != size:
        raise CosignKeyError(f"its {field} has {len(raw)} bytes, not {size}")
    return raw


def _scrypt(passphrase: str, salt: bytes, n: int) -> bytes:
    # hashlib refuses past maxmem (32 MiB by default); scrypt needs 128 * r * N bytes and a little more.
    return hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_SIZE,
        maxmem=2 * 128 * SCRYPT_R * n,
    )


def _document(pem_bytes: bytes) -> dict:
    block = pem_block(pem_bytes)
    if block is None:
        raise CosignKeyError("is not a PEM file")
    kind, body = block
    if kind not in PEM_TYPES:
        raise CosignKeyError(f"is a PEM {kind!r}, not a cosign key ({' or '.join(map(repr, PEM_TYPES))})")
    try:
        document = json.loads(base64.b64decode(b"".join(body.split()), validate=True))
    except (binascii.Error, ValueError):
        raise CosignKeyError("has a PEM body that is not base64 of JSON") from None
    if not isinstance(document, dict):
        raise CosignKeyError("has a PEM body that is not a JSON object")
    return document


def decrypt(pem_bytes: bytes, passphrase: str) -> bytes:
    """The DER private key inside a cosign encrypted key (``CosignKeyError`` if it is not one,
    ``WrongPassphrase`` if ``passphrase`` does not open it)."""
    document = _document(pem_bytes)
    kdf, cipher = document.get("kdf"), document.get("cipher")
    if not isinstance(kdf, dict) or kdf.get("name") != KDF:
        name = kdf.get("name") if isinstance(kdf, dict) else None
        raise CosignKeyError(f"uses the key derivation {name!r}; allowed: {KDF!r}")
    if not isinstance(cipher, dict) or cipher.get("name") != CIPHER:
        name = cipher.get("name") if isinstance(cipher, dict) else None
        raise CosignKeyError(f"uses the cipher {name!r}; allowed: {CIPHER!r}")
    params = kdf.get("params")
    allowed = ", ".join(f"N={n} r={SCRYPT_R} p={SCRYPT_P}" for n in SCRYPT_N)
    if not isinstance(params, dict) or set(params) != {"N", "r", "p"}:
        raise CosignKeyError(f"has scrypt parameters {params!r}; allowed: {allowed}")
    n, r, p = params["N"], params["r"], params["p"]
    if type(n) is not int or n not in SCRYPT_N or type(r) is not int or r != SCRYPT_R or type(p) is not int or p != 1:
        raise CosignKeyError(f"has scrypt parameters N={n!r} r={r!r} p={p!r}; allowed: {allowed}")
    salt = _b64(kdf.get("salt"), "kdf salt", SALT_SIZE)
    nonce = _b64(cipher.get("nonce"), "cipher nonce", NONCE_SIZE)
    ciphertext = _b64(document.get("ciphertext"), "ciphertext")

    from nacl.exceptions import CryptoError
    from nacl.secret import SecretBox

    try:
        return SecretBox(_scrypt(passphrase, salt, n)).decrypt(ciphertext, nonce)
    except CryptoError:
        raise WrongPassphrase("wrong passphrase") from None


def encrypt(der: bytes, passphrase: str, *, n: int = 65536) -> bytes:
    """``der`` (a PKCS#8 private key) as a cosign encrypted key, PEM type ``ENCRYPTED SIGSTORE PRIVATE KEY``.

    ``n`` is scrypt's cost: 65536 is what cosign writes today (one of ``SCRYPT_N``)."""
    if n not in SCRYPT_N:
        raise ValueError(f"scrypt N = {n}; allowed: {', '.join(map(str, SCRYPT_N))}")
    from nacl.secret import SecretBox

    salt, nonce = os.urandom(SALT_SIZE), os.urandom(NONCE_SIZE)
    ciphertext = SecretBox(_scrypt(passphrase, salt, n)).encrypt(der, nonce).ciphertext
    document = {
        "kdf": {"name": KDF, "params": {"N": n, "r": SCRYPT_R, "p": SCRYPT_P}, "salt": _text(salt)},
        "cipher": {"name": CIPHER, "nonce": _text(nonce)},
        "ciphertext": _text(ciphertext),
    }
    body = base64.b64encode(json.dumps(document, separators=(",", ":")).encode("utf-8")).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    armoured = [f"-----BEGIN {SIGSTORE_PEM_TYPE}-----", *lines, f"-----END {SIGSTORE_PEM_TYPE}-----", ""]
    return "\n".join(armoured).encode()


def _text(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
