"""Keys, signatures, DSSE envelopes and sigstore bundles (hatch_aicontainer.signing).

What we write is read back by implementations we did not write (openssl, securesystemslib,
the sigstore bundle schema) and what they write is read by ours; cosign's own encrypted keys
(tests/data/signing/README.md) are decrypted. Pure and fast: no network, no root.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pickle
import shutil
import stat
import subprocess
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import CryptoSigner, SSlibKey

from hatch_aicontainer.core.errors import AIContainerError, ConfigError, OutputError
from hatch_aicontainer.signing import cosign_format
from hatch_aicontainer.signing.bundle import SIGSTORE_BUNDLE, bundle_of, envelope_of
from hatch_aicontainer.signing.dsse import pae, sign_envelope, verify_envelope
from hatch_aicontainer.signing.errors import SignatureError
from hatch_aicontainer.signing.keygen import write_key_pair
from hatch_aicontainer.signing.keys import SigningKey, load_public_key, load_signing_key, public_key_from_pem
from hatch_aicontainer.signing.signer import KeySigner

DATA = Path(__file__).parent / "data" / "signing"
#: Distinctive, so a message that leaks it is caught.
PASSWORD = "Zebra-Pw-7781-Qx"
KEY_SETTING = "AICONTAINER_SIGNING_KEY"
PASSWORD_SETTING = "AICONTAINER_SIGNING_PASSWORD"
PUBLIC_SETTING = "tool.aicontainer.sign.public-key"
STATEMENT = "application/vnd.in-toto+json"


def load(path: Path, password: str | None = PASSWORD) -> SigningKey:
    return load_signing_key(path, password, what=KEY_SETTING, password_source=PASSWORD_SETTING)


def refusal(exc_info: pytest.ExceptionInfo, *fragments: str) -> str:
    """The error's one line, checked: it names every fragment and leaks no password."""
    message = str(exc_info.value)
    assert isinstance(exc_info.value, AIContainerError)
    assert "\n" not in message and message == message.strip()
    assert PASSWORD not in message and "hello" not in message
    assert exc_info.value.__suppress_context__ or exc_info.value.__cause__ is None
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


# --- openssl, an implementation we did not write ------------------------------------------------


@pytest.fixture(scope="module")
def openssl(tmp_path_factory: pytest.TempPathFactory):
    """Run openssl in a scratch directory; returns (run, directory)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    directory = tmp_path_factory.mktemp("openssl")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["openssl", *args], cwd=directory, capture_output=True, check=check)

    return run, directory


@pytest.fixture(scope="module")
def openssl_keys(openssl) -> dict[str, Path]:
    """Keys written by openssl: P-256 in PKCS#8 (plain, encrypted), SEC1 (plain, encrypted) and
    the refused kinds (RSA, P-384, Ed25519), plus the public halves."""
    run, d = openssl
    run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "p8.pem")
    run("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "p8.pem", "-passout", f"pass:{PASSWORD}", "-out", "p8enc.pem")
    run("pkey", "-in", "p8.pem", "-pubout", "-out", "p8.pub")
    run("ecparam", "-genkey", "-name", "prime256v1", "-out", "sec1.pem")
    run("ec", "-in", "sec1.pem", "-aes256", "-passout", f"pass:{PASSWORD}", "-out", "sec1enc.pem")
    run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem")
    run("rsa", "-in", "rsa.pem", "-traditional", "-out", "rsa-pkcs1.pem")
    run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.pem")
    run("genpkey", "-algorithm", "ed25519", "-out", "ed25519.pem")
    names = ("p8", "p8enc", "sec1", "sec1enc", "rsa", "rsa-pkcs1", "p384", "ed25519")
    return {name: d / f"{name}.pem" for name in names} | {"p8.pub": d / "p8.pub"}


def openssl_keyid(openssl, private_or_public: Path, *, public: bool = False, inform: str = "PEM") -> str:
    """The key id as openssl computes its pieces: sha256 of the DER SubjectPublicKeyInfo."""
    run, _ = openssl
    args = ["pkey", "-inform", inform, "-in", str(private_or_public), "-pubout", "-outform", "DER"]
    if public:
        args.insert(1, "-pubin")
    return hashlib.sha256(run(*args).stdout).hexdigest()


def test_keys_written_by_openssl_load_with_openssls_key_id(openssl, openssl_keys):
    plain = load(openssl_keys["p8"], None)
    assert plain.keyid == openssl_keyid(openssl, openssl_keys["p8"])
    assert load(openssl_keys["p8enc"]).keyid == plain.keyid
    sec1 = load(openssl_keys["sec1"], None)  # after openssl's "EC PARAMETERS" block
    assert sec1.keyid == openssl_keyid(openssl, openssl_keys["sec1"]) != plain.keyid
    assert load(openssl_keys["sec1enc"]).keyid == sec1.keyid
    public = load_public_key(openssl_keys["p8.pub"], what=PUBLIC_SETTING)
    assert public == plain.public and public.keyid == openssl_keyid(openssl, openssl_keys["p8.pub"], public=True)


def test_openssl_verifies_our_signature_and_we_verify_openssls(openssl, openssl_keys, tmp_path):
    run, d = openssl
    data = tmp_path / "data"
    data.write_bytes(b"an image digest: sha256:0123")
    key = load(openssl_keys["p8enc"])
    (tmp_path / "sig.der").write_bytes(key.sign(data.read_bytes()))
    (tmp_path / "pub.pem").write_bytes(key.public.pem)
    verify = ("dgst", "-sha256", "-verify", str(tmp_path / "pub.pem"), "-signature", str(tmp_path / "sig.der"))
    assert b"Verified OK" in run(*verify, str(data)).stdout
    data.write_bytes(b"an image digest: sha256:0124")
    assert run(*verify, str(data), check=False).returncode != 0

    run("dgst", "-sha256", "-sign", str(openssl_keys["p8"]), "-out", str(tmp_path / "theirs.der"), str(data))
    theirs = (tmp_path / "theirs.der").read_bytes()
    assert key.public.verify(theirs, data.read_bytes())
    assert not key.public.verify(theirs, b"another payload")


def test_signatures_are_rfc6979_deterministic():
    # RFC 6979 A.2.5: P-256, SHA-256, message "sample": a published vector, so the bytes are the
    # same on every host and every cryptography/OpenSSL build.
    x = int("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", 16)
    key = SigningKey(ec.derive_private_key(x, ec.SECP256R1()))
    r, s = decode_dss_signature(key.sign(b"sample"))
    assert r == int("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716", 16)
    assert s == int("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8", 16)
    assert key.sign(b"sample") == key.sign(b"sample") != key.sign(b"samplf")


def test_verify_is_false_for_any_bad_signature(openssl_keys):
    key = load(openssl_keys["p8"], None)
    good = key.sign(b"payload")
    for bad in (b"", good[:-1], good[:10], b"\x30\x00", b"garbage" * 10, bytes(len(good))):
        assert key.public.verify(bad, b"payload") is False
    other = load(openssl_keys["sec1"], None)
    assert other.public.verify(good, b"payload") is False
    assert key.public.verify(good, b"payload") is True


def test_refused_keys_name_their_kind(openssl_keys, tmp_path):
    cases = {
        "rsa": "is an RSA key (2048 bits)",
        "rsa-pkcs1": "is an RSA key (PEM 'RSA PRIVATE KEY')",
        "p384": "is an ECDSA key on secp384r1",
        "ed25519": "is an Ed25519 key",
    }
    for name, kind in cases.items():
        with pytest.raises(ConfigError) as caught:
            load(openssl_keys[name], None)
        refusal(caught, KEY_SETTING, str(openssl_keys[name]), kind, "allowed: an ECDSA P-256 key")


def test_key_file_mistakes_are_one_line_naming_setting_and_path(openssl_keys, tmp_path):
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a key\n")
    certificate = tmp_path / "cert.pem"
    certificate.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    cases = [
        (tmp_path / "absent.key", PASSWORD, "no such file"),
        (tmp_path, PASSWORD, "is a directory"),
        (not_pem, PASSWORD, "not a PEM file; allowed: a PEM private key ('ENCRYPTED SIGSTORE PRIVATE KEY', "),
        (certificate, PASSWORD, "is a certificate (PEM 'CERTIFICATE'), not a private key"),
        (openssl_keys["p8.pub"], PASSWORD, "is a public key (PEM 'PUBLIC KEY'), not a private key"),
        (openssl_keys["p8enc"], None, f"is encrypted and {PASSWORD_SETTING} is not set"),
        (openssl_keys["p8enc"], "not-" + PASSWORD, f"wrong passphrase ({PASSWORD_SETTING})"),
        (openssl_keys["sec1enc"], "not-" + PASSWORD, f"wrong passphrase ({PASSWORD_SETTING})"),
    ]
    for path, password, problem in cases:
        with pytest.raises(ConfigError) as caught:
            load(path, password)
        message = refusal(caught, f"{KEY_SETTING} = {str(path)!r}: ", problem)
        assert "BEGIN" not in message


def test_public_key_refuses_a_private_key(openssl_keys, tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_public_key(openssl_keys["p8"], what=PUBLIC_SETTING)
    refusal(caught, PUBLIC_SETTING, str(openssl_keys["p8"]), "is a private key (PEM 'PRIVATE KEY')", "public key")
    with pytest.raises(ConfigError) as caught:
        public_key_from_pem(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", what="the image's key")
    refusal(caught, "the image's key: a PEM 'PUBLIC KEY' that cannot be parsed")
    rsa_public = tmp_path / "rsa.pub"
    rsa_public.write_bytes(
        serialization.load_pem_private_key(openssl_keys["rsa"].read_bytes(), None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(ConfigError) as caught:
        load_public_key(rsa_public, what=PUBLIC_SETTING)
    refusal(caught, str(rsa_public), "is an RSA key (2048 bits)")


def test_a_signing_key_shows_no_key_material(openssl_keys):
    key = load(openssl_keys["p8"], None)
    body = "".join(openssl_keys["p8"].read_text().splitlines()[1:-1])
    secret = serialization.load_pem_private_key(openssl_keys["p8"].read_bytes(), None).private_numbers().private_value
    for shown in (repr(key), str(key), repr(KeySigner(key))):
        assert key.keyid in shown
        assert body[:16] not in shown and f"{secret:x}" not in shown and str(secret) not in shown
    with pytest.raises(TypeError):
        pickle.dumps(key)


# --- cosign's encrypted key format --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "password", "pem_type", "n"),
    [
        ("cosign-sigstore.key", "hello", "ENCRYPTED SIGSTORE PRIVATE KEY", 32768),
        ("cosign-cosign.key", "hello", "ENCRYPTED COSIGN PRIVATE KEY", 32768),
        ("cosign-cosign-sec1.key", "hello", "ENCRYPTED COSIGN PRIVATE KEY", 65536),
        ("cosign-generated-empty-password.key", "", "ENCRYPTED SIGSTORE PRIVATE KEY", 65536),
    ],
)
def test_cosigns_own_keys_decrypt(openssl, tmp_path, name, password, pem_type, n):
    path = DATA / name
    data = path.read_bytes()
    assert data.startswith(f"-----BEGIN {pem_type}-----".encode())
    body = json.loads(base64.b64decode("".join(data.decode().splitlines()[1:-1])))
    assert body["kdf"]["params"] == {"N": n, "r": 8, "p": 1}
    key = load(path, password)
    # openssl reads the decrypted DER and derives the public key, independently of cryptography
    (tmp_path / "key.der").write_bytes(cosign_format.decrypt(data, password))
    assert key.keyid == openssl_keyid(openssl, tmp_path / "key.der", inform="DER")
    with pytest.raises(ConfigError) as caught:
        load(path, password + "x")
    refusal(caught, KEY_SETTING, str(path), f"wrong passphrase ({PASSWORD_SETTING})")
    with pytest.raises(ConfigError) as caught:
        load(path, None)
    refusal(caught, str(path), f"{PASSWORD_SETTING} is not set")


def test_cosign_format_round_trip(openssl, tmp_path):
    run, _ = openssl
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    for n in (32768, 65536):
        pem = cosign_format.encrypt(der, PASSWORD, n=n)
        lines = pem.decode().splitlines()
        assert lines[0] == "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----" and lines[-1].startswith("-----END ")
        assert all(len(line) <= 64 for line in lines)
        body = json.loads(base64.b64decode("".join(lines[1:-1])))  # the JSON go-securesystemslib reads
        assert list(body) == ["kdf", "cipher", "ciphertext"]
        assert body["kdf"]["name"] == "scrypt" and body["kdf"]["params"] == {"N": n, "r": 8, "p": 1}
        assert body["cipher"]["name"] == "nacl/secretbox"
        assert len(base64.b64decode(body["kdf"]["salt"])) == 32 and len(base64.b64decode(body["cipher"]["nonce"])) == 24
        assert len(base64.b64decode(body["ciphertext"])) == len(der) + 16  # Poly1305 tag, then the ciphertext
        assert cosign_format.decrypt(pem, PASSWORD) == der
        with pytest.raises(cosign_format.WrongPassphrase):
            cosign_format.decrypt(pem, PASSWORD.lower())
    assert cosign_format.encrypt(der, PASSWORD) != cosign_format.encrypt(der, PASSWORD)  # fresh salt and nonce


def _tampered(tmp_path: Path, change) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    lines = cosign_format.encrypt(der, PASSWORD, n=32768).decode().splitlines()
    body = json.loads(base64.b64decode("".join(lines[1:-1])))
    change(body)
    path = tmp_path / "tampered.key"
    encoded = base64.b64encode(json.dumps(body).encode()).decode()
    path.write_text(f"{lines[0]}\n{encoded}\n{lines[-1]}\n")
    return path


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda b: b["kdf"].update(name="argon2"), "uses the key derivation 'argon2'; allowed: 'scrypt'"),
        (lambda b: b["cipher"].update(name="aes-gcm"), "uses the cipher 'aes-gcm'; allowed: 'nacl/secretbox'"),
        (lambda b: b["kdf"]["params"].update(N=1 << 24), "has scrypt parameters N=16777216 r=8 p=1; allowed: N=32768"),
        (lambda b: b["kdf"]["params"].update(r=1), "has scrypt parameters N=32768 r=1 p=1"),
        (lambda b: b["kdf"].update(salt="AAAA"), "its kdf salt has 3 bytes, not 32"),
        (lambda b: b["cipher"].update(nonce="!!"), "its cipher nonce is not valid base64"),
        (lambda b: b.update(ciphertext=base64.b64encode(b"x" * 40).decode()), "wrong passphrase"),
    ],
)
def test_cosign_keys_we_do_not_know_are_refused(tmp_path, change, problem):
    path = _tampered(tmp_path, change)
    with pytest.raises(ConfigError) as caught:
        load(path)
    refusal(caught, f"{KEY_SETTING} = {str(path)!r}: ", problem)


# --- key pairs ----------------------------------------------------------------------------------


def test_key_pair_round_trip_verified_by_openssl(openssl, tmp_path):
    run, _ = openssl
    private, public = write_key_pair(tmp_path, PASSWORD)
    assert (private, public) == (tmp_path / "cosign.key", tmp_path / "cosign.pub")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes().startswith(b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cosign.key", "cosign.pub"]  # no temporary file left
    key = load(private)
    assert load_public_key(public, what=PUBLIC_SETTING) == key.public
    assert key.keyid == openssl_keyid(openssl, public, public=True)
    data, signature = tmp_path / "data", tmp_path / "sig"
    data.write_bytes(b"payload")
    signature.write_bytes(key.sign(b"payload"))
    verified = run("dgst", "-sha256", "-verify", str(public), "-signature", str(signature), str(data))
    assert b"Verified OK" in verified.stdout


def test_key_pair_with_an_empty_password(tmp_path):
    private, public = write_key_pair(tmp_path, "")
    assert load(private, "").public == load_public_key(public, what=PUBLIC_SETTING)
    with pytest.raises(ConfigError) as caught:
        load(private, None)  # cosign too wants COSIGN_PASSWORD="" said, not assumed
    refusal(caught, f"{PASSWORD_SETTING} is not set")


@pytest.mark.parametrize("existing", ["cosign.key", "cosign.pub"])
def test_key_pair_is_never_overwritten(tmp_path, existing):
    (tmp_path / existing).write_text("old")
    with pytest.raises(OutputError) as caught:
        write_key_pair(tmp_path, PASSWORD)
    refusal(caught, str(tmp_path / existing), "already exists")
    assert [p.name for p in tmp_path.iterdir()] == [existing] and (tmp_path / existing).read_text() == "old"


def test_key_pair_needs_a_directory(tmp_path):
    with pytest.raises(OutputError) as caught:
        write_key_pair(tmp_path / "absent", PASSWORD)
    refusal(caught, str(tmp_path / "absent"), "not a directory")


# --- DSSE ---------------------------------------------------------------------------------------


def test_pae_is_the_specs_example():
    # protocol.md's test vector, and securesystemslib's encoding of the same
    expected = b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    assert pae("http://example.com/HelloWorld", b"hello world") == expected
    payload = "é".encode() * 3
    assert pae("tÿpe", payload) == Envelope(payload, "tÿpe", {}).pae() == b"DSSEv1 5 t\xc3\xbfpe 6 " + payload


@pytest.fixture
def signing_key(openssl_keys) -> SigningKey:
    return load(openssl_keys["p8enc"])


def test_securesystemslib_verifies_our_envelope(signing_key):
    payload = json.dumps({"_type": "https://in-toto.io/Statement/v1", "subject": []}).encode()
    envelope = sign_envelope(KeySigner(signing_key), STATEMENT, payload)
    assert set(envelope) == {"payload", "payloadType", "signatures"}
    assert base64.b64decode(envelope["payload"], validate=True) == payload
    theirs = Envelope.from_dict(json.loads(json.dumps(envelope)))
    public = SSlibKey.from_crypto(signing_key.public.key, keyid=signing_key.keyid)
    assert set(theirs.verify([public], 1)) == {signing_key.keyid}
    theirs.payload = payload.replace(b"[]", b"[1]")
    with pytest.raises(VerificationError):
        theirs.verify([public], 1)
    assert sign_envelope(KeySigner(signing_key), STATEMENT, payload) == envelope  # deterministic


def test_we_verify_securesystemslibs_envelope(openssl_keys):
    private = serialization.load_pem_private_key(openssl_keys["p8"].read_bytes(), None)
    theirs = Envelope(b'{"predicate": {}}', STATEMENT, {})
    theirs.sign(CryptoSigner(private))  # its own key id (not ours): only a hint
    key = load(openssl_keys["p8"], None).public
    assert verify_envelope(theirs.to_dict(), key, payload_type=STATEMENT) == b'{"predicate": {}}'
    tampered = theirs.to_dict() | {"payload": base64.b64encode(b'{"predicate": {"x": 1}}').decode()}
    with pytest.raises(SignatureError) as caught:
        verify_envelope(tampered, key, what="dist/app.att.json")
    refusal(caught, "dist/app.att.json: none of its 1 signature(s) verifies with key " + key.keyid)


def test_verify_envelope_accepts_url_safe_unpadded_base64(signing_key):
    payload = b"\xfb\xff" * 7  # standard and URL-safe base64 differ here
    envelope = sign_envelope(KeySigner(signing_key), STATEMENT, payload)
    signature = base64.b64decode(envelope["signatures"][0]["sig"])
    url_safe = {
        "payload": base64.urlsafe_b64encode(payload).decode().rstrip("="),
        "payloadType": STATEMENT,
        "signatures": [{"sig": base64.urlsafe_b64encode(signature).decode().rstrip("=")}],
    }
    assert "-" in url_safe["payload"] or "_" in url_safe["payload"]
    assert verify_envelope(url_safe, signing_key.public) == payload


def test_verify_envelope_refusals(signing_key, openssl_keys):
    envelope = sign_envelope(KeySigner(signing_key), STATEMENT, b"{}")
    other = load(openssl_keys["sec1"], None).public
    cases = [
        ([], other, "not a JSON object"),
        (envelope, other, f"none of its 1 signature(s) verifies with key {other.keyid}"),
        (envelope | {"signatures": []}, signing_key.public, "has no signatures"),
        (envelope | {"payload": "%%%"}, signing_key.public, "payload is missing or not base64"),
        (envelope | {"payloadType": 3}, signing_key.public, "payloadType is missing or not a string"),
        (envelope | {"payloadType": "text/plain"}, signing_key.public, "none of its 1 signature(s) verifies"),
        (envelope | {"signatures": [{"sig": "AAAA"}, "x", {"sig": None}]}, signing_key.public, "none of its 3"),
    ]
    for document, key, problem in cases:
        with pytest.raises(SignatureError) as caught:
            verify_envelope(document, key, what="the attestation")
        refusal(caught, "the attestation: ", problem)
    with pytest.raises(SignatureError) as caught:
        verify_envelope(envelope, signing_key.public, payload_type="application/json", what="x.json")
    refusal(caught, f"x.json: payloadType is {STATEMENT!r}; allowed: 'application/json'")


# --- sigstore bundles ---------------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.fixture(scope="module")
def bundle_schema() -> dict:
    """protobuf-specs' schema of ``Bundle``; its generator wrote the oneOf choices under their
    proto (snake_case) names while properties are JSON (camelCase): the names are camel-cased."""

    def fix(node):
        if isinstance(node, dict):
            return {
                key: [{"required": [_camel(n) for n in c["required"]]} for c in value] if key == "oneOf" else fix(value)
                for key, value in node.items()
            }
        return [fix(item) for item in node] if isinstance(node, list) else node

    return fix(json.loads((DATA / "sigstore-bundle.schema.json").read_text()))


def test_bundle_matches_the_sigstore_schema(signing_key, bundle_schema):
    signer = KeySigner(signing_key)
    envelope = sign_envelope(signer, STATEMENT, b"{}")
    bundle = bundle_of(envelope, signer.verification_material())
    assert bundle == bundle_of(envelope, signing_key.keyid)
    jsonschema.validate(json.loads(json.dumps(bundle)), bundle_schema)
    assert bundle["mediaType"] == SIGSTORE_BUNDLE == "application/vnd.dev.sigstore.bundle.v0.3+json"
    assert bundle["verificationMaterial"] == {
        "publicKey": {"hint": signing_key.keyid},
        "tlogEntries": [],
        "timestampVerificationData": {},
    }
    assert envelope_of(bundle) == envelope
    assert verify_envelope(envelope_of(bundle), signing_key.public) == b"{}"
    # the schema is strict enough to catch a misspelt field
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bundle | {"dsse_envelope": envelope}, bundle_schema)


def test_bundle_refusals(signing_key):
    envelope = sign_envelope(KeySigner(signing_key), STATEMENT, b"{}")
    bundle = bundle_of(envelope, signing_key.keyid)
    two = envelope | {"signatures": envelope["signatures"] * 2}
    cases = [
        ("[]", "not a JSON object"),
        (bundle | {"mediaType": "application/json"}, "mediaType is 'application/json'"),
        ({k: v for k, v in bundle.items() if k != "dsseEnvelope"} | {"messageSignature": {}}, "a message signature"),
        (bundle | {"dsseEnvelope": two}, "its DSSE envelope has 2 signatures"),
        (bundle | {"verificationMaterial": {"publicKey": {"hint": "other"}}}, "its key hint 'other' is not its"),
    ]
    for document, problem in cases:
        with pytest.raises(SignatureError) as caught:
            envelope_of(document, what="dist/app.sigstore.json")
        refusal(caught, "dist/app.sigstore.json: ", problem, f"allowed: a sigstore bundle ({SIGSTORE_BUNDLE})")
    with pytest.raises(ValueError):
        bundle_of(two, signing_key.keyid)
    with pytest.raises(ValueError):
        bundle_of(envelope, "another key id")
    assert envelope_of(bundle | {"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.2"}) == envelope


def test_no_error_chains_into_a_traceback(tmp_path):
    path = tmp_path / "broken.key"
    kind = cosign_format.SIGSTORE_PEM_TYPE
    path.write_text(f"-----BEGIN {kind}-----\nnot json\n-----END {kind}-----\n")
    with pytest.raises(ConfigError) as caught:
        load(path)
    refusal(caught, str(path), "has a PEM body that is not base64 of JSON")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert os.fspath(path) in str(caught.value)
