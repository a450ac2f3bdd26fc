"""ECDSA P-256 keys: loading them from the files users have, signing and verifying.

Only P-256 with SHA-256: what ``cosign generate-key-pair`` makes and every sigstore and
in-toto verifier accepts. Signatures are deterministic (RFC 6979): one key and one payload
give the same bytes on every host, so an image archive holding its attestations stays
reproducible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519

from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.signing import cosign_format
from hatch_aicontainer.signing.pem import pem_type

__all__ = [
    "PRIVATE_PEM_TYPES",
    "PublicKey",
    "SigningKey",
    "load_public_key",
    "load_signing_key",
    "public_key_from_pem",
]

#: The PEM blocks a signing key may come in: cosign's encrypted key (current and older names),
#: PKCS#8 (plain or encrypted), SEC1 (``openssl ecparam -genkey``).
PRIVATE_PEM_TYPES = (*cosign_format.PEM_TYPES, "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY")
PUBLIC_PEM_TYPE = "PUBLIC KEY"
#: PEM blocks we recognise only to say what is wrong with them.
_OTHER_PRIVATE = {
    "RSA PRIVATE KEY": "an RSA key",
    "DSA PRIVATE KEY": "a DSA key",
    "OPENSSH PRIVATE KEY": "an OpenSSH key",
}
_PUBLIC_ONLY = {PUBLIC_PEM_TYPE: "a public key", "RSA PUBLIC KEY": "a public key", "CERTIFICATE": "a certificate"}
_MAX_FILE = 1 << 20  # a key file is a few hundred bytes: refuse to read, say, an image archive named by mistake
_ALGORITHM = ec.ECDSA(hashes.SHA256())
_DETERMINISTIC = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
ALLOWED_KEY = (
    "an ECDSA P-256 key (cosign generate-key-pair, or openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)"
)


def _is_p256(key: object) -> bool:
    return isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)) and isinstance(
        key.curve, ec.SECP256R1
    )


@dataclass(frozen=True)
class PublicKey:
    """The verifying half: PEM ``PUBLIC KEY`` and a key id, the hex SHA-256 of the DER
    SubjectPublicKeyInfo (RFC 6962's key id: the same key gives the same id everywhere)."""

    pem: bytes
    keyid: str
    key: ec.EllipticCurvePublicKey = field(repr=False, compare=False)

    @classmethod
    def of(cls, key: ec.EllipticCurvePublicKey) -> PublicKey:
        """The ``PublicKey`` of a cryptography P-256 public key (ValueError for any other key)."""
        if not _is_p256(key):
            raise ValueError("not an ECDSA P-256 public key")
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return cls(pem=pem, keyid=hashlib.sha256(der).hexdigest(), key=key)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Whether ``signature`` (DER ECDSA, SHA-256) signs ``data``; False for any bad or malformed signature."""
        try:
            self.key.verify(bytes(signature), bytes(data), _ALGORITHM)
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True


class SigningKey:
    """A private ECDSA P-256 key; its ``repr`` shows the key id, never the key."""

    __slots__ = ("_key", "public")

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        if not _is_p256(key):
            raise ValueError("not an ECDSA P-256 private key")
        self._key = key
        self.public = PublicKey.of(key.public_key())

    @property
    def keyid(self) -> str:
        return self.public.keyid

    def sign(self, data: bytes) -> bytes:
        """DER ECDSA signature of SHA-256(``data``), deterministic (RFC 6979)."""
        return self._key.sign(bytes(data), _DETERMINISTIC)

    def __repr__(self) -> str:
        return f"SigningKey(keyid={self.keyid!r})"

    def __reduce__(self) -> object:
        raise TypeError("a SigningKey is not pickled: it would write the private key out")


def _describe(key: object) -> str:
    """``key``'s kind for a message: "an RSA key (2048 bits)", "an ECDSA key on secp384r1"."""
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return f"an RSA key ({key.key_size} bits)"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return f"an ECDSA key on {key.curve.name}"
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "an Ed25519 key"
    if isinstance(key, (ed448.Ed448PrivateKey, ed448.Ed448PublicKey)):
        return "an Ed448 key"
    if isinstance(key, (dsa.DSAPrivateKey, dsa.DSAPublicKey)):
        return "a DSA key"
    if isinstance(key, (x25519.X25519PrivateKey, x448.X448PrivateKey, x25519.X25519PublicKey, x448.X448PublicKey)):
        return "a key-agreement key (X25519/X448), which cannot sign"
    return f"a {type(key).__name__.removeprefix('_')}"


def _read(path: Path, where: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_FILE + 1)
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file; allowed: the path of a PEM key file") from None
    except IsADirectoryError:
        raise ConfigError(f"{where}: is a directory; allowed: the path of a PEM key file") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > _MAX_FILE:
        raise ConfigError(f"{where}: more than {_MAX_FILE} bytes, not a key file; allowed: the path of a PEM key file")
    return data


def _types(types: tuple[str, ...]) -> str:
    return ", ".join(repr(kind) for kind in types)


def load_signing_key(path: Path, password: str | None, *, what: str, password_source: str) -> SigningKey:
    """The signing key in ``path``: cosign's encrypted key, PKCS#8 (plain or encrypted) or SEC1 PEM.

    ``what`` names the setting that gave ``path`` and ``password_source`` the one that gave
    ``password``; every error is one ``ConfigError`` naming them and the path, never the password.
    """
    where = f"{what} = {str(path)!r}"
    data = _read(path, where)
    kind = pem_type(data)
    allowed = f"allowed: a PEM private key ({_types(PRIVATE_PEM_TYPES)}) of {ALLOWED_KEY}"
    if kind is None:
        raise ConfigError(f"{where}: not a PEM file; {allowed}")
    if kind in _PUBLIC_ONLY:
        raise ConfigError(f"{where}: is {_PUBLIC_ONLY[kind]} (PEM {kind!r}), not a private key; {allowed}")
    if kind in _OTHER_PRIVATE:
        raise ConfigError(f"{where}: is {_OTHER_PRIVATE[kind]} (PEM {kind!r}); allowed: {ALLOWED_KEY}")
    if kind not in PRIVATE_PEM_TYPES:
        raise ConfigError(f"{where}: is a PEM {kind!r}; {allowed}")
    encrypted = kind in cosign_format.PEM_TYPES or kind == "ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in data
    if encrypted and password is None:
        raise ConfigError(
            f"{where}: is encrypted and {password_source} is not set; allowed: set {password_source} to its passphrase"
        )
    wrong = f"{where}: wrong passphrase ({password_source}); allowed: the passphrase the key was encrypted with"
    if kind in cosign_format.PEM_TYPES:
        assert password is not None
        try:
            der = cosign_format.decrypt(data, password)
        except cosign_format.WrongPassphrase:
            raise ConfigError(wrong) from None
        except cosign_format.CosignKeyError as exc:
            raise ConfigError(f"{where}: {exc}; allowed: a key written by cosign generate-key-pair") from None
        try:
            key = serialization.load_der_private_key(der, None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise ConfigError(f"{where}: decrypts to no private key this plugin can read; {allowed}") from None
    else:
        secret = password.encode("utf-8") if encrypted and password is not None else None
        try:
            key = serialization.load_pem_private_key(data, secret)
        except UnsupportedAlgorithm:
            raise ConfigError(f"{where}: holds a key of a type this plugin cannot read; {allowed}") from None
        except (ValueError, TypeError):
            if encrypted:
                raise ConfigError(wrong) from None
            raise ConfigError(f"{where}: a PEM {kind!r} that cannot be parsed; {allowed}") from None
    if not _is_p256(key):
        raise ConfigError(f"{where}: is {_describe(key)}; allowed: {ALLOWED_KEY}")
    return SigningKey(key)


def _public(data: bytes, where: str) -> PublicKey:
    kind = pem_type(data)
    allowed = f"allowed: a PEM {PUBLIC_PEM_TYPE!r} of an ECDSA P-256 key (e.g. cosign.pub)"
    if kind is None:
        raise ConfigError(f"{where}: not a PEM file; {allowed}")
    if kind in PRIVATE_PEM_TYPES or kind in _OTHER_PRIVATE:
        raise ConfigError(f"{where}: is a private key (PEM {kind!r}), where a public key is needed; {allowed}")
    if kind != PUBLIC_PEM_TYPE:
        raise ConfigError(f"{where}: is a PEM {kind!r}; {allowed}")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigError(f"{where}: a PEM {kind!r} that cannot be parsed; {allowed}") from None
    if not _is_p256(key):
        raise ConfigError(f"{where}: is {_describe(key)}; {allowed}")
    return PublicKey.of(key)


def load_public_key(path: Path, *, what: str) -> PublicKey:
    """The public key in ``path`` (PEM ``PUBLIC KEY``, P-256); a private key is refused, so a
    verifier is never configured with a secret it does not need."""
    where = f"{what} = {str(path)!r}"
    return _public(_read(path, where), where)


def public_key_from_pem(data: bytes, *, what: str) -> PublicKey:
    """The public key in PEM ``data`` (e.g. read from an image or a setting); ``what`` names where it came from."""
    return _public(bytes(data), what)
