"""Judges of our signed attestations that we did not write: plain functions for the tests.

Each raises ``AssertionError`` carrying the checker's own message when the document
fails it (``RuntimeError`` when the checker itself cannot run: a missing setup is not
a verdict on the document).

* :func:`sigstore_js_verify`: a sigstore bundle (v0.3, DSSE, key-signed, no tlog entry,
  no timestamp, no certificate) verified by sigstore-js (``@sigstore/verify``, through
  tests/sigstore_js/verify.mjs) against a PEM public key. Needs the npm install:
  :data:`NPM_SETUP_COMMAND` (scripts/test runs it unless ``--fast``).
* :func:`securesystemslib_verify_envelope`: a DSSE envelope verified by securesystemslib's
  ``dsse.Envelope`` with an ``SSlibKey`` made from the PEM; returns the payload.
* :func:`validate_statement`: an in-toto Statement v1 parsed into the ``in_toto_attestation``
  protobuf and validated by its ``Statement.validate``; SLSA provenance v1 predicates
  parsed into its provenance v1 protobuf too.
* :func:`validate_cyclonedx`: a CycloneDX JSON document checked by cyclonedx-python-lib's
  strict JSON-schema validator for the document's own ``specVersion``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import google.protobuf.json_format as pb_json
from cryptography.hazmat.primitives import serialization
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
from in_toto_attestation.v1.statement import Statement
from securesystemslib import exceptions as sslib_exceptions
from securesystemslib.dsse import Envelope
from securesystemslib.signer import Signature, SSlibKey

REPO = Path(__file__).resolve().parent.parent
SIGSTORE_JS_DIR = REPO / "tests" / "sigstore_js"

#: Installs the JS checker's dependencies, exactly as package-lock.json pins them
#: (run from the repository root; scripts/test does it unless --fast).
NPM_SETUP_COMMAND = "npm ci --prefix tests/sigstore_js --no-audit --no-fund"

SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
CYCLONEDX_BOM = "https://cyclonedx.org/bom"


def npm_setup_command() -> list[str]:
    """:data:`NPM_SETUP_COMMAND` as an argument list, to run from the repository root."""
    return NPM_SETUP_COMMAND.split()


# --- sigstore-js ----------------------------------------------------------------------------------


def sigstore_js_verify(bundle_path: str | Path, public_key_path: str | Path) -> str:
    """The line sigstore-js prints when ``bundle_path`` verifies with the PEM key at ``public_key_path``.

    What it requires of the bundle: a sigstore bundle media type, exactly one DSSE
    signature, and that signature (DER ECDSA over the DSSE PAE) verifying with the given
    key; no tlog entry, timestamp or certificate is asked for, and the bundle's key hint
    is neither required nor checked (the line reports it).
    """
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed (Node.js >= 20.17 is needed for the sigstore-js checks)")
    if not (SIGSTORE_JS_DIR / "node_modules" / "@sigstore" / "verify").is_dir():
        raise RuntimeError(
            f"the sigstore-js checker is not set up: run `{NPM_SETUP_COMMAND}` in {REPO} "
            "(scripts/test does it unless --fast)"
        )
    result = subprocess.run(
        [node, str(SIGSTORE_JS_DIR / "verify.mjs"), str(bundle_path), str(public_key_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = result.stdout.strip()
    if result.returncode == 0:
        return line
    if result.returncode == 1:
        raise AssertionError(f"sigstore-js: {line}")
    raise RuntimeError(f"sigstore-js checker failed to run (exit {result.returncode}): {result.stderr.strip()}")


# --- securesystemslib ----------------------------------------------------------------------------


def spki_keyid(public_key_pem: bytes) -> str:
    """Hex SHA-256 of the key's DER SubjectPublicKeyInfo (our DSSE signature keyid)."""
    key = serialization.load_pem_public_key(public_key_pem)
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def securesystemslib_verify_envelope(envelope: dict, public_key_pem: bytes, keyid: str | None = None) -> bytes:
    """The payload of DSSE ``envelope`` once securesystemslib verifies its signature with the PEM key.

    securesystemslib matches signatures to keys by keyid, so every signature needs a
    ``keyid``, and the one made with this key must carry ``keyid`` (default: the hex
    SHA-256 of the key's DER SubjectPublicKeyInfo, our convention). Its base64 decoding is
    strict (standard or URL-safe alphabet, padded), unlike sigstore-js's.
    """
    if keyid is None:
        keyid = spki_keyid(public_key_pem)
    public_key = serialization.load_pem_public_key(public_key_pem)
    key = SSlibKey.from_crypto(public_key, keyid=keyid)
    try:
        # from_dict rewrites the signatures of the dict it is given: hand it a copy
        parsed = Envelope.from_dict(copy.deepcopy(envelope))
    except (KeyError, TypeError, ValueError, sslib_exceptions.FormatError) as exc:
        raise AssertionError(f"securesystemslib: not a DSSE envelope: {type(exc).__name__}: {exc}") from exc
    try:
        parsed.verify([key], 1)
    except sslib_exceptions.VerificationError as exc:
        keyids = sorted(sig.keyid for sig in parsed.signatures.values())
        detail = str(exc)
        if keyid not in keyids:
            detail += f" (no signature has keyid {keyid}; signatures' keyids: {keyids})"
        else:
            reason = _sslib_signature_reason(key, parsed.signatures[keyid], parsed.pae())
            detail += f" (signature with keyid {keyid}: {reason})"
        raise AssertionError(f"securesystemslib: {detail}") from exc
    return parsed.payload


def _sslib_signature_reason(key: SSlibKey, signature: Signature, pae: bytes) -> str:
    try:
        key.verify_signature(signature, pae)
    except sslib_exceptions.UnverifiedSignatureError as exc:
        cause = f": {type(exc.__cause__).__name__}" if exc.__cause__ else ""
        return f"{exc}{cause}"
    return "verifies alone"  # pragma: no cover - verify() would have accepted it


# --- in-toto attestation -------------------------------------------------------------------------

#: Digest sizes (bytes) of the algorithms whose DigestSet values are hex, per
#: https://github.com/in-toto/attestation/blob/main/spec/v1/digest_set.md; the same
#: table as the Go bindings' ResourceDescriptor.Validate (the Python bindings check none).
_HEX_DIGEST_SIZES = {
    "md5": 16, "sha1": 20, "sha224": 28, "sha512_224": 28, "sha256": 32, "sha512_256": 32,
    "sha384": 48, "sha512": 64, "sha3_224": 28, "sha3_256": 32, "sha3_384": 48, "sha3_512": 64,
    "gitCommit": 20, "dirHash": 32,
}  # fmt: skip


def _check_resource_descriptor(rdpb, where: str) -> None:
    """The bindings' ResourceDescriptor.validate, plus the Go bindings' digest encoding check."""
    try:
        ResourceDescriptor.copy_from_pb(rdpb).validate()
    except ValueError as exc:
        raise AssertionError(f"in-toto: {where}: {exc}") from exc
    for algorithm, value in rdpb.digest.items():
        size = _HEX_DIGEST_SIZES.get(algorithm)
        if size is None:
            continue  # custom algorithms are allowed, unchecked
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raise AssertionError(f"in-toto: {where}: digest is not valid hex-encoded string: {algorithm}") from None
        if len(raw) != size or len(value) != 2 * size:
            raise AssertionError(
                f"in-toto: {where}: digest has incorrect length: {algorithm} (got {len(raw)} bytes, want {size})"
            )


def _parse(message, document: object, what: str):
    if not isinstance(document, dict):
        raise AssertionError(f"in-toto: {what} is not a JSON object: {type(document).__name__}")
    _json_names_only(message.DESCRIPTOR, document, what)
    try:
        # strict: an unknown (e.g. misspelt) field is an error, not silently dropped
        return pb_json.ParseDict(document, message)
    except pb_json.ParseError as exc:
        raise AssertionError(f"in-toto: {what} does not parse: {exc}") from exc


_FREE_FORM = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.Timestamp"}


def _json_names_only(descriptor, document: object, where: str) -> None:
    """Protobuf's JSON parser also takes a field's proto name ("type" for "_type",
    "predicate_type" for "predicateType"); the spec's JSON names only what it names."""
    if not isinstance(document, dict):
        return  # ParseDict says what is wrong with it
    by_proto_name = {f.name: f for f in descriptor.fields if f.name != f.json_name}
    by_json_name = {f.json_name: f for f in descriptor.fields}
    for key, value in document.items():
        field = by_json_name.get(key)
        if field is None:
            if key in by_proto_name:
                raise AssertionError(
                    f"in-toto: {where}: field {key!r} is spelt {by_proto_name[key].json_name!r} in JSON"
                )
            continue  # unknown: ParseDict rejects it
        message_type = field.message_type
        if message_type is None or message_type.full_name in _FREE_FORM or message_type.GetOptions().map_entry:
            continue
        for item in value if isinstance(value, list) else [value]:
            _json_names_only(message_type, item, f"{where}.{key}")


def validate_statement(statement: dict) -> None:
    """Check an in-toto Statement v1 with the ``in_toto_attestation`` Python bindings.

    The statement is parsed strictly into the bindings' protobuf and ``Statement.validate``
    run; every subject's digest values are checked too (hex of the right length for the
    known algorithms, as the Go bindings do; the Python bindings do not). A predicate
    present but empty (``{}``) passes: the spec makes ``predicate`` optional ("unset is
    treated the same as set-but-empty") and the Go bindings only require it to be set,
    but the Python bindings' ``validate`` says "Predicate object required"; a missing
    predicate still fails.

    For ``predicateType`` https://slsa.dev/provenance/v1 the predicate is parsed strictly
    into the bindings' provenance v1 protobuf (which catches unknown fields and malformed
    timestamps); the bindings carry no validate for it, so the Go bindings'
    ``Provenance.Validate`` rules are applied to the parsed message. For ``predicateType``
    https://cyclonedx.org/bom the predicate must pass :func:`validate_cyclonedx`.
    """
    pb = _parse(statement_pb2.Statement(), statement, "statement")
    try:
        Statement.copy_from_pb(pb).validate()
    except ValueError as exc:
        empty_predicate = str(exc) == "Predicate object required" and statement.get("predicate") == {}
        if not empty_predicate:
            raise AssertionError(f"in-toto: {exc}") from exc
    for i, subject in enumerate(pb.subject):
        _check_resource_descriptor(subject, f"subject[{i}]")
    if pb.predicate_type == SLSA_PROVENANCE_V1:
        _validate_provenance_v1(statement.get("predicate"))
    elif pb.predicate_type == CYCLONEDX_BOM:
        validate_cyclonedx(json.dumps(statement.get("predicate")).encode())


def _validate_provenance_v1(predicate: object) -> None:
    prov = _parse(provenance_pb2.Provenance(), predicate, "SLSA provenance v1 predicate")

    def fail(message: str) -> None:
        raise AssertionError(f"in-toto: SLSA provenance v1: {message}")

    if not prov.HasField("build_definition"):
        fail("BuildDefinition required")
    definition = prov.build_definition
    if not definition.build_type:
        fail("BuildDefinition.BuildType required")
    if not definition.HasField("external_parameters"):
        fail("BuildDefinition.ExternalParameters required")
    for i, rd in enumerate(definition.resolved_dependencies):
        _check_resource_descriptor(rd, f"SLSA provenance v1: BuildDefinition.ResolvedDependencies[{i}]")
    if not prov.HasField("run_details"):
        fail("RunDetails required")
    run = prov.run_details
    if not run.HasField("builder"):
        fail("RunDetails.Builder required")
    if not run.builder.id:
        fail("Builder.Id required")
    for i, rd in enumerate(run.builder.builder_dependencies):
        _check_resource_descriptor(rd, f"SLSA provenance v1: Builder.BuilderDependencies[{i}]")
    for i, rd in enumerate(run.byproducts):
        _check_resource_descriptor(rd, f"SLSA provenance v1: RunDetails.Byproducts[{i}]")


# --- CycloneDX -----------------------------------------------------------------------------------


def validate_cyclonedx(document: bytes) -> None:
    """Check a CycloneDX JSON document against the strict schema of its own ``specVersion``."""
    try:
        data = json.loads(document)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AssertionError(f"CycloneDX: not JSON: {exc}") from exc
    spec_version = data.get("specVersion") if isinstance(data, dict) else None
    try:
        schema_version = SchemaVersion.from_version(spec_version)
    except (AttributeError, TypeError, ValueError):
        raise AssertionError(f"CycloneDX: no known specVersion: {spec_version!r}") from None
    error = JsonStrictValidator(schema_version).validate_str(document.decode())
    if error is not None:
        detail = getattr(error.data, "message", None)  # the jsonschema error's first line
        if detail is None:
            detail = str(error)
        else:
            detail += f" (at /{'/'.join(map(str, error.data.absolute_path))})"
        raise AssertionError(f"CycloneDX {spec_version} (strict schema): {detail}")
