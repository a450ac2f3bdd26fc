"""Releases a consumer can verify: signed provenance, SBOM and signature, attached where tools look.

The tiny project (a git checkout) is built with ``hatch build -t container`` as a pipeline runs it,
signed with a key ``aicontainer keygen`` wrote, on a base image from the suite's registry, and
pushed there (Debian's docker-registry 2.8: no referrers API, so the attestations are found
through the fallback tag). What is checked, and by whom:

* the bundles by sigstore's own JavaScript verifier, the DSSE envelopes by securesystemslib, the
  statements by the in-toto-attestation bindings, the SBOM by CycloneDX's schema validator
  (tests/independent_checkers.py), the referrers by a plain HTTP client following the
  distribution spec's fallback tag scheme;
* ``aicontainer verify`` on the archive and on the pushed reference, and its refusals of a
  modified manifest, a swapped attestation, another key and a truncated signature;
* the provenance against what the build really used (git, the lock file, the base image, the
  project's wheel), with no host detail in it, and the same statement from another checkout path,
  cache, temporary folder and environment;
* ``docker load``, skopeo and umoci reading the archive as before;
* ``aicontainer verify --rebuild``: the same digest from the unchanged checkout, the project's
  layer named after a one-character change.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cli_helpers import aicontainer, assert_one_line_error, cli_env
from cryptography.hazmat.primitives import serialization
from e2e_helpers import hatch_build, hatch_env, skopeo_inspect, umoci_unpack
from independent_checkers import (
    securesystemslib_verify_envelope,
    sigstore_js_verify,
    validate_cyclonedx,
    validate_statement,
)
from trust_fixtures import MTIME, NAME, VERSION, make_tiny_project

from hatch_aicontainer.signing.bundle import bundle_of
from hatch_aicontainer.signing.dsse import sign_envelope
from hatch_aicontainer.signing.keys import load_signing_key
from hatch_aicontainer.signing.signer import KeySigner

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

PASSWORD = "attest-Passphrase-9xQ"
INDEX = "application/vnd.oci.image.index.v1+json"
BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json"
KIND = "io.hatch-aicontainer.attestation"

pytestmark = pytest.mark.usefixtures("no_ambient_settings")


@dataclass(frozen=True)
class Release:
    project: Path
    keys: Path
    archive: Path
    digest: str
    reference: str  #: where it was pushed (host/repository:tag)
    host: str
    repository: str
    env: dict[str, str]

    @property
    def public_key(self) -> Path:
        return self.keys / "cosign.pub"


def _git(project: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    return subprocess.run(["git", *ident, *args], cwd=project, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _keygen(directory: Path, tmp: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    done = aicontainer("keygen", env=cli_env(tmp, AICONTAINER_SIGNING_PASSWORD=PASSWORD), cwd=directory)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr


def _build(project: Path, env: dict[str, str]):
    run = hatch_build(project, env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert PASSWORD not in run.stdout + run.stderr
    (archive,) = run.archives
    return run, archive


@pytest.fixture(scope="module")
def release(module_tmp, plugin_wheelhouse, base_image_ref, registry) -> Release:
    top = module_tmp.mktemp("attest")
    project = make_tiny_project(top / "tiny-app", base_image_ref)
    keys = top / "keys"
    _keygen(keys, top)
    repository = "team/attested"
    reference = f"{registry.host}/{repository}:{VERSION}"
    env = hatch_env(
        plugin_wheelhouse, top / "hatch", top / "cache",
        SOURCE_DATE_EPOCH=str(MTIME), AICONTAINER_SIGNING_KEY=str(keys / "cosign.key"),
        AICONTAINER_SIGNING_PASSWORD=PASSWORD, AICONTAINER_PUSH_TO=reference, AICONTAINER_OCI_LAYOUT="1",
    )
    run, archive = _build(project, env)
    digest = json.loads(archive.with_name(archive.name + ".json").read_text())["digest"]
    keyid = hashlib.sha256(serialization.load_pem_public_key((keys / "cosign.pub").read_bytes()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()
    assert f"attestations provenance, sbom, signature: signed with key {keyid[:12]}" in run.stdout + run.stderr
    # neither the passphrase nor the private key reaches the archive, its results or anything beside it
    secret = (keys / "cosign.key").read_text().splitlines()[1]  # a line of the encrypted key's body
    for path in archive.parent.iterdir():
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and secret.encode() not in data, path
    return Release(project, keys, archive, digest, reference, registry.host, repository, env)


# --- reading what a registry holds, as the distribution spec says (no code of ours) -------------------


def _get(host: str, path: str, accept: str | None = None) -> requests.Response:
    resp = requests.get(f"http://{host}/v2/{path}", headers={"Accept": accept} if accept else {}, timeout=30)
    return resp


def _fallback_index(host: str, repository: str, digest: str) -> dict:
    resp = _get(host, f"{repository}/manifests/sha256-{digest.split(':', 1)[1]}", INDEX)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith(INDEX)
    return resp.json()


def _blob(host: str, repository: str, digest: str) -> bytes:
    resp = _get(host, f"{repository}/blobs/{digest}")
    assert resp.status_code == 200
    assert "sha256:" + hashlib.sha256(resp.content).hexdigest() == digest
    return resp.content


def _manifest(host: str, repository: str, digest: str) -> bytes:
    resp = _get(host, f"{repository}/manifests/{digest}", "application/vnd.oci.image.manifest.v1+json")
    assert resp.status_code == 200, resp.text
    assert "sha256:" + hashlib.sha256(resp.content).hexdigest() == digest
    return resp.content


def _attestations(host: str, repository: str, digest: str) -> dict[str, tuple[dict, bytes]]:
    """kind -> (referrer manifest, its bundle), found through the fallback tag."""
    out = {}
    for entry in _fallback_index(host, repository, digest)["manifests"]:
        manifest = json.loads(_manifest(host, repository, entry["digest"]))
        assert manifest["subject"]["digest"] == digest
        assert entry["artifactType"] == manifest["artifactType"] == BUNDLE
        (layer,) = manifest["layers"]
        out[entry["annotations"][KIND]] = (manifest, _blob(host, repository, layer["digest"]))
    return out


def _statement(bundle: bytes) -> dict:
    return json.loads(base64.b64decode(json.loads(bundle)["dsseEnvelope"]["payload"]))


# --- independent verifiers ------------------------------------------------------------------------


def test_the_pushed_attestations_are_found_through_the_fallback_tag_and_verify_independently(release, tmp_path):
    found = _attestations(release.host, release.repository, release.digest)
    assert set(found) == {"provenance", "sbom", "signature"}
    public = release.public_key.read_bytes()
    for kind, (_manifest_doc, bundle) in found.items():
        path = tmp_path / f"{kind}.json"
        path.write_bytes(bundle)
        sigstore_js_verify(path, release.public_key)
        payload = securesystemslib_verify_envelope(json.loads(bundle)["dsseEnvelope"], public)
        statement = json.loads(payload)
        validate_statement(statement)
        assert [s["digest"]["sha256"] for s in statement["subject"]] == [release.digest.split(":", 1)[1]]
    assert _statement(found["provenance"][1])["predicateType"] == "https://slsa.dev/provenance/v1"
    assert _statement(found["signature"][1])["predicateType"] == "https://sigstore.dev/cosign/sign/v1"
    sbom = _statement(found["sbom"][1])
    assert sbom["predicateType"] == "https://cyclonedx.org/bom"
    validate_cyclonedx(json.dumps(sbom["predicate"]).encode())
    # the SBOM attested is the one in the image, beside the archive
    beside = json.loads(next(release.archive.parent.glob("*.cdx.json")).read_text())
    assert sbom["predicate"] == beside


def test_a_tampered_bundle_fails_the_independent_verifiers(release, tmp_path):
    _manifest_doc, bundle = _attestations(release.host, release.repository, release.digest)["provenance"]
    document = json.loads(bundle)
    statement = json.loads(base64.b64decode(document["dsseEnvelope"]["payload"]))
    statement["subject"][0]["digest"]["sha256"] = "0" * 64
    document["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(document))
    with pytest.raises(AssertionError):
        sigstore_js_verify(path, release.public_key)
    with pytest.raises(AssertionError):
        securesystemslib_verify_envelope(document["dsseEnvelope"], release.public_key.read_bytes())


# --- the provenance states what the build used, and nothing of the host ----------------------------


def test_the_provenance_names_every_input_by_digest(release):
    statement = _statement(_attestations(release.host, release.repository, release.digest)["provenance"][1])
    definition = statement["predicate"]["buildDefinition"]
    settings = definition["externalParameters"]["settings"]
    pyproject = tomllib.loads((release.project / "pyproject.toml").read_text())["tool"]["aicontainer"]
    assert settings["python"] == pyproject["python"] and settings["tensorflow"] == pyproject["tensorflow"]
    assert settings["target"] == "container" and settings["platforms"] == ["linux/amd64"]
    assert definition["externalParameters"]["project"] == {"name": NAME, "version": VERSION}
    deps = definition["resolvedDependencies"]
    by_kind: dict[str, list[dict]] = {}
    for dep in deps:
        by_kind.setdefault(dep["annotations"]["kind"], []).append(dep)

    assert by_kind["source"] == [{"name": "source", "digest": {"gitCommit": _git(release.project, "rev-parse", "HEAD")},
                                  "annotations": {"kind": "source"}}]
    # the base image: the digest the registry serves for the tag the project names
    base_ref = pyproject["base-image"]
    host, _, rest = base_ref.partition("/")
    repository, _, tag = rest.partition(":")
    served = _get(host, f"{repository}/manifests/{tag}", f"{INDEX}, application/vnd.oci.image.manifest.v1+json")
    (base,) = by_kind["base-image"]
    assert base["digest"]["sha256"] == hashlib.sha256(served.content).hexdigest()
    assert base["uri"].startswith(base_ref)
    # the lock file, and every wheel in it, by the hashes the lock records
    (lock_file,) = release.project.glob("pylock.aicontainer-*.toml")
    (lock,) = by_kind["lock"]
    assert lock["name"] == lock_file.name and lock["digest"]["sha256"] == hashlib.sha256(lock_file.read_bytes()).hexdigest()
    locked = tomllib.loads(lock_file.read_text())
    wanted = sorted(w["hashes"]["sha256"] for p in locked["packages"] for w in p.get("wheels", []))
    assert sorted(d["digest"]["sha256"] for d in by_kind["wheel"]) == wanted
    assert any(d.get("uri", "").startswith("https://files.pythonhosted.org/") for d in by_kind["wheel"])  # six
    # the project's own wheel, as hatchling builds it again from the checkout
    out = release.project.parent / "wheel-again"
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
                   cwd=release.project, check=True, capture_output=True, env={**os.environ, "SOURCE_DATE_EPOCH": str(MTIME)})
    (wheel,) = out.glob("*.whl")
    (project_wheel,) = by_kind["project-wheel"]
    assert project_wheel == {"name": wheel.name, "digest": {"sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()},
                             "annotations": {"kind": "project-wheel"}}
    # runDetails: the builder, nothing of the run
    assert statement["predicate"]["runDetails"]["metadata"] == {}
    text = json.dumps(statement)
    for host_detail in (str(release.project), str(release.project.parent), socket.gethostname(), os.environ.get("HOME", "/root")):
        assert host_detail not in text, host_detail


def test_the_same_checkout_elsewhere_gives_the_same_provenance_and_attestations(release, module_tmp, plugin_wheelhouse):
    """Another path, cache, hatch data folder, temporary folder, locale and umask: the same statement,
    the same signed bytes (deterministic ECDSA), the same image."""
    other = module_tmp.mktemp("attest-elsewhere")
    clone = other / "somewhere" / "else" / "checkout"  # the work tree and its .git, as a CI checkout has them
    shutil.copytree(release.project, clone, symlinks=True, ignore=shutil.ignore_patterns("dist"))
    assert _git(clone, "rev-parse", "HEAD") == _git(release.project, "rev-parse", "HEAD")
    (other / "tmp").mkdir()
    env = hatch_env(
        plugin_wheelhouse, other / "hatch", other / "cache",
        SOURCE_DATE_EPOCH=str(MTIME), AICONTAINER_SIGNING_KEY=str(release.keys / "cosign.key"),
        AICONTAINER_SIGNING_PASSWORD=PASSWORD, TMPDIR=str(other / "tmp"), LANG="C", LC_ALL="C",
    )
    run = subprocess.run(["sh", "-c", 'umask 077 && exec "$@"', "sh", str(Path(env["PATH"].split(os.pathsep)[0]) / "hatch"),
                          "build", "-t", "container"], cwd=clone, env=env, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    (archive,) = (clone / "dist").glob("*.oci.tar")
    ours, theirs = _archive_attestations(release.archive), _archive_attestations(archive)
    assert {k: v[2] for k, v in theirs.items()} == {k: v[2] for k, v in ours.items()}  # the statements
    assert theirs == ours  # and the digests of every referrer manifest and bundle: byte for byte
    assert json.loads(archive.with_name(archive.name + ".json").read_text())["digest"] == release.digest


def _archive_attestations(archive: Path) -> dict[str, tuple[str, str, dict]]:
    """kind -> (referrer manifest digest, bundle digest, statement), read from the archive with tarfile and json only."""
    with tarfile.open(archive) as tar:
        def blob(digest: str) -> bytes:
            return tar.extractfile("blobs/" + digest.replace(":", "/")).read()  # type: ignore[union-attr]

        (entry,) = json.loads(tar.extractfile("index.json").read())["manifests"]  # type: ignore[union-attr]
        index = json.loads(blob(entry["annotations"]["io.hatch-aicontainer.referrers"]))
        out = {}
        for referrer in index["manifests"]:
            manifest = json.loads(blob(referrer["digest"]))
            assert manifest["subject"]["digest"] == entry["digest"]
            layer = manifest["layers"][0]["digest"]
            out[referrer["annotations"][KIND]] = (referrer["digest"], layer, _statement(blob(layer)))
        return out


# --- aicontainer verify ---------------------------------------------------------------------------------


def test_verify_accepts_the_archive_and_the_pushed_image(release, tmp_path):
    env = cli_env(tmp_path)
    layout = release.archive.with_name(release.archive.name.removesuffix(".tar"))  # oci-layout: the same attestations
    assert layout.is_dir()
    for image, where in ((str(release.archive), "the archive"), (str(layout), "the archive"),
                         (release.reference, "fallback tag sha256-")):
        done = aicontainer("verify", image, "--key", str(release.public_key), env=env)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        for kind in ("signature", "provenance", "SBOM"):
            assert any(line.startswith(f"verified {kind} of {release.digest[:19]}") and where in line for line in lines), lines
        assert lines[-1].endswith(f"{release.digest} verified (3 signed attestations)")


def test_an_archive_pushed_later_carries_its_attestations_and_twice_keeps_one_entry_each(release, tmp_path):
    env = cli_env(tmp_path)
    reference = f"{release.host}/team/attested-later:1"
    for _ in range(2):
        done = aicontainer("push", str(release.archive), reference, env=env)
        assert done.returncode == 0, done.stderr
    entries = _fallback_index(release.host, "team/attested-later", release.digest)["manifests"]
    assert sorted(e["annotations"][KIND] for e in entries) == ["provenance", "sbom", "signature"]
    assert aicontainer("verify", reference, "--key", str(release.public_key), env=env).returncode == 0


def test_another_key_is_refused(release, tmp_path):
    _keygen(tmp_path / "other", tmp_path)
    done = aicontainer("verify", release.reference, "--key", str(tmp_path / "other" / "cosign.pub"), env=cli_env(tmp_path))
    assert_one_line_error(done, "does not verify with key")


def _copy_release(release: Release, repository: str, tmp_path: Path) -> str:
    reference = f"{release.host}/{repository}:1"
    done = aicontainer("push", str(release.archive), reference, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    return reference


def _put(host: str, repository: str, reference: str, data: bytes, media_type: str) -> str:
    resp = requests.put(f"http://{host}/v2/{repository}/manifests/{reference}", data=data,
                        headers={"Content-Type": media_type}, timeout=30)
    assert resp.status_code == 201, resp.text
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _put_blob(host: str, repository: str, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    start = requests.post(f"http://{host}/v2/{repository}/blobs/uploads/", timeout=30)
    location = start.headers["Location"]
    location = location if location.startswith("http") else f"http://{host}{location}"
    done = requests.put(location, params={"digest": digest}, data=data,
                        headers={"Content-Type": "application/octet-stream"}, timeout=30)
    assert done.status_code == 201, done.text
    return digest


def _replace_referrer(release: Release, repository: str, kind: str, manifest: dict) -> None:
    """Put ``manifest`` in place of the image's ``kind`` attestation in its fallback tag index."""
    data = json.dumps(manifest).encode()
    digest = _put(release.host, repository, "sha256:" + hashlib.sha256(data).hexdigest(), data,
                  "application/vnd.oci.image.manifest.v1+json")
    index = _fallback_index(release.host, repository, release.digest)
    for entry in index["manifests"]:
        if entry["annotations"][KIND] == kind:
            entry["digest"], entry["size"] = digest, len(data)
    _put(release.host, repository, f"sha256-{release.digest.split(':', 1)[1]}", json.dumps(index).encode(), INDEX)


def test_a_modified_manifest_is_refused(release, tmp_path):
    reference = _copy_release(release, "team/tamper-manifest", tmp_path)
    manifest = json.loads(_manifest(release.host, "team/tamper-manifest", release.digest))
    manifest.setdefault("annotations", {})["org.example.changed"] = "yes"
    changed = _put(release.host, "team/tamper-manifest", "1", json.dumps(manifest).encode(), manifest["mediaType"])
    done = aicontainer("verify", reference, "--key", str(release.public_key), env=cli_env(tmp_path))
    assert_one_line_error(done, f"no signed signature of {changed[:19]}")


def test_a_swapped_attestation_is_refused(release, tmp_path):
    """A provenance validly signed with the release key but about another image, put in this image's place."""
    _copy_release(release, "team/tamper-swap", tmp_path)
    manifest, bundle = _attestations(release.host, "team/tamper-swap", release.digest)["provenance"]
    statement = dict(_statement(bundle), subject=[{"name": "other", "digest": {"sha256": "1" * 64}}])
    key = load_signing_key(release.keys / "cosign.key", PASSWORD, what="test", password_source="test")
    signer = KeySigner(key)
    envelope = sign_envelope(signer, "application/vnd.in-toto+json", json.dumps(statement).encode())
    data = json.dumps(bundle_of(envelope, signer.verification_material())).encode()
    layer = _put_blob(release.host, "team/tamper-swap", data)
    _replace_referrer(release, "team/tamper-swap", "provenance", dict(manifest, layers=[dict(manifest["layers"][0], digest=layer, size=len(data))]))
    done = aicontainer("verify", f"{release.host}/team/tamper-swap:1", "--key", str(release.public_key), env=cli_env(tmp_path))
    assert_one_line_error(done, "provenance attestation", "is signed but its statement names", "not this image")


def test_a_truncated_signature_is_refused(release, tmp_path):
    _copy_release(release, "team/tamper-sig", tmp_path)
    manifest, bundle = _attestations(release.host, "team/tamper-sig", release.digest)["signature"]
    document = json.loads(bundle)
    signature = document["dsseEnvelope"]["signatures"][0]
    signature["sig"] = base64.b64encode(base64.b64decode(signature["sig"])[:-8]).decode()
    data = json.dumps(document).encode()
    layer = _put_blob(release.host, "team/tamper-sig", data)
    _replace_referrer(release, "team/tamper-sig", "signature", dict(manifest, layers=[dict(manifest["layers"][0], digest=layer, size=len(data))]))
    done = aicontainer("verify", f"{release.host}/team/tamper-sig:1", "--key", str(release.public_key), env=cli_env(tmp_path))
    assert_one_line_error(done, "signature attestation", "does not verify with key")


# --- the archive stays what every tool reads ---------------------------------------------------------


def test_skopeo_umoci_and_docker_load_read_the_archive_as_before(release, tmp_path, oci_tools, docker_engine):
    assert skopeo_inspect(release.archive, raw=True)  # the layout holds one image: no name needed
    done = subprocess.run(["skopeo", "inspect", f"oci-archive:{release.archive}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Digest"] == release.digest
    rootfs = umoci_unpack(release.archive, tmp_path, VERSION)
    assert (rootfs / "app").is_dir()
    loaded = docker_engine.docker("load", "-i", str(release.archive))
    try:
        assert f"{NAME}:{VERSION}" in loaded.stdout
        ran = docker_engine.docker("run", "--rm", f"{NAME}:{VERSION}")
        assert ran.stdout.startswith("tiny ")
    finally:
        docker_engine.docker("rmi", "-f", f"{NAME}:{VERSION}", check=False)


# --- aicontainer verify --rebuild ------------------------------------------------------------------


def test_verify_rebuild_gives_the_same_digest_then_names_the_changed_layer(release, tmp_path):
    env = {**release.env}
    for name in ("AICONTAINER_PUSH_TO",):
        env.pop(name)
    done = aicontainer("verify", "--rebuild", release.reference, "--key", str(release.public_key), "--project",
                       str(release.project), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"{release.reference}: {release.digest} rebuilt from its provenance: the same digest"

    source = release.project / "src" / "tiny_app" / "__init__.py"
    original = source.read_text()
    source.write_text(original.replace('"tiny"', '"tinY"'))
    try:
        done = aicontainer("verify", "--rebuild", str(release.archive), "--project", str(release.project), env=env)
    finally:
        source.write_text(original)
    line = assert_one_line_error(done, "the rebuild differs", "first differing layer: linux/amd64 layer")
    assert "project tiny_app-" in line and "the project's wheel differs" in line


def test_a_push_straight_from_the_cache_attaches_the_same_attestations(release, tmp_path):
    """``archive = false``: no archive, the push reads the build cache; the registry gets the same signed referrers."""
    reference = f"{release.host}/team/attested-no-archive:{VERSION}"
    env = {**release.env, "AICONTAINER_PUSH_TO": reference, "AICONTAINER_ARCHIVE": "0", "AICONTAINER_OCI_LAYOUT": "0"}
    project = release.project.parent / "no-archive"
    shutil.copytree(release.project, project, symlinks=True, ignore=shutil.ignore_patterns("dist"))
    run = hatch_build(project, env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.archives == []
    ours = {kind: manifest["layers"][0]["digest"] for kind, (manifest, _) in _attestations(release.host, release.repository, release.digest).items()}
    theirs = {kind: manifest["layers"][0]["digest"]
              for kind, (manifest, _) in _attestations(release.host, "team/attested-no-archive", release.digest).items()}
    assert theirs == ours  # the same image, the same key: the same bundles
    done = aicontainer("verify", reference, "--key", str(release.public_key), env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
