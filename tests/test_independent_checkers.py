"""tests/independent_checkers.py: each outside judge passes what is right and fails what is not.

The documents are made here by hand with ``cryptography`` (not with the product's code):
a DSSE envelope of an in-toto Statement v1 signed with an ECDSA P-256 key, wrapped in a
key-signed sigstore bundle v0.3 (no tlog entry, no timestamp, no certificate).

The sigstore-js tests need the npm install (scripts/test does it unless ``--fast``), so
they are marked ``e2e``; the rest are pure Python.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import independent_checkers
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from independent_checkers import (
    NPM_SETUP_COMMAND,
    SIGSTORE_JS_DIR,
    npm_setup_command,
    securesystemslib_verify_envelope,
    sigstore_js_verify,
    spki_keyid,
    validate_cyclonedx,
    validate_statement,
)

PAYLOAD_TYPE = "application/vnd.in-toto+json"
BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
DIGEST = "5" * 64


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _pae(payload_type: str, payload: bytes) -> bytes:
    kind = payload_type.encode()
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sign_statement() -> dict:
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example/app", "digest": {"sha256": DIGEST}}],
        "predicateType": "https://sigstore.dev/cosign/sign/v1",
        "predicate": {},
    }


def provenance_statement() -> dict:
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example/app", "digest": {"sha256": DIGEST}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://example.invalid/hatch-aicontainer/build/v1",
                "externalParameters": {"project": "app", "target": "linux/amd64"},
                "internalParameters": {},
                "resolvedDependencies": [
                    {"uri": "pkg:pypi/six@1.16.0", "digest": {"sha256": "6" * 64}},
                    {"name": "base", "digest": {"sha256": "7" * 64}},
                ],
            },
            "runDetails": {
                "builder": {"id": "https://example.invalid/hatch-aicontainer", "version": {"hatch-aicontainer": "1.0"}},
                "metadata": {"invocationId": "1", "startedOn": "2024-01-01T00:00:00Z", "finishedOn": "2024-01-01T00:01:00Z"},
                "byproducts": [],
            },
        },
    }


def envelope(statement: dict, key: ec.EllipticCurvePrivateKey, keyid: str | None = None) -> dict:
    payload = json.dumps(statement, separators=(",", ":")).encode()
    sig = key.sign(_pae(PAYLOAD_TYPE, payload), ec.ECDSA(hashes.SHA256()))
    keyid = spki_keyid(_pem(key)) if keyid is None else keyid
    return {"payload": _b64(payload), "payloadType": PAYLOAD_TYPE, "signatures": [{"sig": _b64(sig), "keyid": keyid}]}


def bundle(env: dict, hint: str) -> dict:
    """The planned shape: public-key hint, empty tlog entries, empty timestamp data."""
    return {
        "mediaType": BUNDLE_V03,
        "verificationMaterial": {"publicKey": {"hint": hint}, "tlogEntries": [], "timestampVerificationData": {}},
        "dsseEnvelope": env,
    }


def tampered(env: dict) -> dict:
    env = copy.deepcopy(env)
    statement = json.loads(base64.b64decode(env["payload"]))
    statement["subject"][0]["digest"]["sha256"] = "6" * 64
    env["payload"] = _b64(json.dumps(statement, separators=(",", ":")).encode())
    return env


def truncated(env: dict) -> dict:
    env = copy.deepcopy(env)
    env["signatures"][0]["sig"] = _b64(base64.b64decode(env["signatures"][0]["sig"])[:-5])
    return env


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def other_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


# --- sigstore-js ----------------------------------------------------------------------------------


@pytest.fixture
def js_files(tmp_path: Path, key):
    """Write a bundle and the signing key's PEM; return (write(bundle) -> path, key path)."""
    key_path = tmp_path / "key.pub.pem"
    key_path.write_bytes(_pem(key))

    def write(document: dict, name: str = "bundle.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(document))
        return path

    return write, key_path


@pytest.mark.e2e
def test_sigstore_js_accepts_a_key_signed_bundle(key, js_files):
    write, key_path = js_files
    hint = spki_keyid(_pem(key))
    line = sigstore_js_verify(write(bundle(envelope(sign_statement(), key), hint)), key_path)
    assert line.startswith(f"verified {BUNDLE_V03} DSSE https://in-toto.io/Statement/v1"), line
    assert f"https://sigstore.dev/cosign/sign/v1 for registry.example/app@sha256:{DIGEST}" in line
    assert f'key hint "{hint}"' in line


@pytest.mark.e2e
def test_sigstore_js_accepts_the_shape_it_writes_itself(key, js_files):
    """@sigstore/bundle's own key-signed bundle leaves out the empty tlogEntries: fine either way."""
    write, key_path = js_files
    document = bundle(envelope(provenance_statement(), key), spki_keyid(_pem(key)))
    del document["verificationMaterial"]["tlogEntries"]
    assert "https://slsa.dev/provenance/v1" in sigstore_js_verify(write(document), key_path)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda env, other: tampered(env), "SIGNATURE_ERROR"),
        (lambda env, other: envelope(sign_statement(), other, keyid=env["signatures"][0]["keyid"]), "SIGNATURE_ERROR"),
        (lambda env, other: truncated(env), "SIGNATURE_ERROR"),
        (lambda env, other: {**env, "payloadType": "application/json"}, "SIGNATURE_ERROR"),
        (lambda env, other: {**env, "signatures": env["signatures"] * 2}, "content.dsseEnvelope.signatures"),
    ],
    ids=["tampered-payload", "other-key", "truncated-signature", "other-payload-type", "two-signatures"],
)
def test_sigstore_js_rejects(key, other_key, js_files, spoil, reason):
    write, key_path = js_files
    good = envelope(sign_statement(), key)
    path = write(bundle(spoil(good, other_key), spki_keyid(_pem(key))))
    with pytest.raises(AssertionError, match=reason) as failure:
        sigstore_js_verify(path, key_path)
    assert str(failure.value).startswith("sigstore-js: ")


@pytest.mark.e2e
def test_sigstore_js_rejects_a_bundle_without_a_media_type_or_key(key, js_files):
    write, key_path = js_files
    document = bundle(envelope(sign_statement(), key), "x")
    for field, spoilt in [
        ("mediaType", {k: v for k, v in document.items() if k != "mediaType"}),
        ("verificationMaterial.content", {**document, "verificationMaterial": {"tlogEntries": []}}),
    ]:
        with pytest.raises(AssertionError, match=f"invalid bundle.*{field}"):
            sigstore_js_verify(write(spoilt), key_path)


def test_sigstore_js_without_its_setup_says_how_to_set_it_up(monkeypatch, tmp_path):
    monkeypatch.setattr(independent_checkers, "SIGSTORE_JS_DIR", tmp_path)
    with pytest.raises(RuntimeError, match="not set up: run `npm ci --prefix tests/sigstore_js"):
        sigstore_js_verify(tmp_path / "bundle.json", tmp_path / "key.pem")


def test_the_setup_command_installs_the_locked_packages():
    assert npm_setup_command() == ["npm", "ci", "--prefix", "tests/sigstore_js", "--no-audit", "--no-fund"]
    assert NPM_SETUP_COMMAND == " ".join(npm_setup_command())
    lock = json.loads((SIGSTORE_JS_DIR / "package-lock.json").read_text())
    manifest = json.loads((SIGSTORE_JS_DIR / "package.json").read_text())
    for name, version in manifest["dependencies"].items():
        assert version[0].isdigit(), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


# --- securesystemslib -----------------------------------------------------------------------------


def test_securesystemslib_verifies_and_returns_the_payload(key):
    env = envelope(sign_statement(), key)
    before = copy.deepcopy(env)
    assert json.loads(securesystemslib_verify_envelope(env, _pem(key))) == sign_statement()
    assert env == before  # the caller's dict is left alone


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda env, other: tampered(env), "Failed to verify signature"),
        (lambda env, other: envelope(sign_statement(), other, keyid=env["signatures"][0]["keyid"]), "Failed to verify"),
        (lambda env, other: truncated(env), "Failed to verify signature"),
        (lambda env, other: envelope(sign_statement(), other), "no signature has keyid"),
        (lambda env, other: {**env, "signatures": [{"sig": env["signatures"][0]["sig"]}]}, "not a DSSE envelope"),
        (lambda env, other: {**env, "payload": "not base64!"}, "not a DSSE envelope"),
    ],
    ids=["tampered-payload", "other-key", "truncated-signature", "other-keyid", "no-keyid", "bad-base64"],
)
def test_securesystemslib_rejects(key, other_key, spoil, reason):
    with pytest.raises(AssertionError, match=reason) as failure:
        securesystemslib_verify_envelope(spoil(envelope(sign_statement(), key), other_key), _pem(key))
    assert str(failure.value).startswith("securesystemslib: ")


# --- in-toto statements ---------------------------------------------------------------------------


def test_valid_statements_pass():
    validate_statement(sign_statement())
    validate_statement(provenance_statement())
    sbom = sign_statement() | {"predicateType": "https://cyclonedx.org/bom", "predicate": _bom()}
    validate_statement(sbom)


def _spoilt(statement: dict, change) -> dict:
    statement = copy.deepcopy(statement)
    change(statement)
    return statement


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        (_spoilt(sign_statement(), lambda s: s.update(subject=[])), "At least one subject required"),
        (_spoilt(sign_statement(), lambda s: s.pop("subject")), "At least one subject required"),
        (_spoilt(sign_statement(), lambda s: s["subject"][0].update(digest={})), "At least one digest required"),
        (_spoilt(sign_statement(), lambda s: s["subject"][0].update(digest={"sha256": "z" * 64})), "not valid hex"),
        (_spoilt(sign_statement(), lambda s: s["subject"][0].update(digest={"sha256": "ab" * 31})), "incorrect length"),
        (_spoilt(sign_statement(), lambda s: s["subject"][0].update(digest={"sha256": 5})), "does not parse"),
        (_spoilt(sign_statement(), lambda s: s.update(_type="https://in-toto.io/Statement/v0.1")), "Wrong statement type"),
        (_spoilt(sign_statement(), lambda s: s.pop("predicateType")), "Predicate type required"),
        (_spoilt(sign_statement(), lambda s: s.pop("predicate")), "Predicate object required"),
        (_spoilt(sign_statement(), lambda s: s.update(predicateTypo="x")), "does not parse"),
        (_spoilt(sign_statement(), lambda s: s.update(type=s.pop("_type"))), "'type' is spelt '_type'"),
        (_spoilt(sign_statement(), lambda s: s.update(predicate_type=s.pop("predicateType"))), "spelt 'predicateType'"),
        (
            _spoilt(provenance_statement(), lambda s: s["predicate"]["runDetails"]["builder"].update(builder_dependencies=[])),
            "spelt 'builderDependencies'",
        ),
        (_spoilt(provenance_statement(), lambda s: s["predicate"]["runDetails"]["builder"].pop("id")), "Builder.Id required"),
        (_spoilt(provenance_statement(), lambda s: s["predicate"].pop("runDetails")), "RunDetails required"),
        (
            _spoilt(provenance_statement(), lambda s: s["predicate"]["buildDefinition"].pop("externalParameters")),
            "ExternalParameters required",
        ),
        (
            _spoilt(provenance_statement(), lambda s: s["predicate"]["buildDefinition"]["resolvedDependencies"][0].update(digest={"sha256": "x"})),
            r"ResolvedDependencies\[0\].*not valid hex",
        ),
        (
            _spoilt(provenance_statement(), lambda s: s["predicate"]["runDetails"]["metadata"].update(startedOn="yesterday")),
            "does not parse",
        ),
        (_spoilt(provenance_statement(), lambda s: s["predicate"].update(buildDefiniton={})), "does not parse"),
        (
            _spoilt(sign_statement(), lambda s: s.update(predicateType="https://cyclonedx.org/bom", predicate={"specVersion": "1.6"})),
            "CycloneDX 1.6",
        ),
    ],
    ids=[
        "empty-subject", "no-subject", "empty-digest", "non-hex-digest", "short-digest", "digest-not-a-string",
        "v0.1-type", "no-predicate-type", "no-predicate", "unknown-field", "proto-name-type",
        "proto-name-predicate-type", "proto-name-in-provenance", "no-builder-id", "no-run-details",
        "no-external-parameters", "bad-dependency-digest", "bad-timestamp", "misspelt-predicate-field", "bad-sbom",
    ],
)  # fmt: skip
def test_invalid_statements_fail(statement, reason):
    with pytest.raises(AssertionError, match=reason) as failure:
        validate_statement(statement)
    assert str(failure.value).startswith(("in-toto: ", "CycloneDX"))


# --- CycloneDX ------------------------------------------------------------------------------------


def _bom() -> dict:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"component": {"type": "container", "name": "registry.example/app", "bom-ref": "app"}},
        "components": [
            {"type": "library", "name": "six", "version": "1.16.0", "purl": "pkg:pypi/six@1.16.0", "bom-ref": "six"}
        ],
        "dependencies": [{"ref": "app", "dependsOn": ["six"]}, {"ref": "six"}],
    }


def test_valid_cyclonedx_passes():
    validate_cyclonedx(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}).encode())
    validate_cyclonedx(json.dumps(_bom()).encode())


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (_spoilt(_bom(), lambda b: b["components"][0].update(type="wheel")), "strict schema"),
        (_spoilt(_bom(), lambda b: b["components"][0].update(licence="MIT")), "strict schema"),  # unknown property
        (_spoilt(_bom(), lambda b: b.pop("bomFormat")), "strict schema"),
        (_spoilt(_bom(), lambda b: b.update(serialNumber="not-a-urn")), "strict schema"),
        (_spoilt(_bom(), lambda b: b.update(specVersion="9.9")), "no known specVersion"),
        (_spoilt(_bom(), lambda b: b.pop("specVersion")), "no known specVersion"),
    ],
    ids=["bad-component-type", "unknown-property", "no-bom-format", "bad-serial-number", "unknown-version", "no-version"],
)
def test_invalid_cyclonedx_fails(document, reason):
    with pytest.raises(AssertionError, match=reason):
        validate_cyclonedx(json.dumps(document).encode())
    with pytest.raises(AssertionError, match="not JSON"):
        validate_cyclonedx(b"{bomFormat")
