"""Attestations attached as OCI 1.1 referrers (attest.referrers, registry.referrers, the push).

The documents are checked as the specs describe them; the pushes go to a real
docker-registry (Debian's 2.8, which has no referrers API: the fallback tag
``sha256-<hex>`` is the path taken) and are read back by a plain HTTP client
following the distribution spec, not by our client. The referrers-API path
is taken through :class:`ReferrersAPI`, a loopback stand-in in front of the
real registry that adds what a registry with the API does: the
``OCI-Subject`` answer to a manifest carrying a subject, and
``GET /v2/<name>/referrers/<digest>`` (in pages of one, to follow ``Link``).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from environments import registry_access
from release_helpers import small_archive, small_image

from hatch_aicontainer.attest.referrers import (
    EMPTY_CONFIG_BYTES,
    KIND_ANNOTATION,
    ReferrerError,
    fallback_tag,
    merge_into_index,
    referrer_descriptor,
    referrer_manifest,
    referrer_subject,
)
from hatch_aicontainer.core.errors import RegistryError
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Platform
from hatch_aicontainer.oci.image import canonical_json
from hatch_aicontainer.outputs.push.publish import PushError, push_archive, push_image
from hatch_aicontainer.registry.client import RegistryClient
from hatch_aicontainer.registry.errors import RegistryAuthError
from hatch_aicontainer.registry.referrers import VIA_API, attach, find_referrers

pytestmark = pytest.mark.usefixtures("no_ambient_settings")

SUBJECT = Descriptor(mt.OCI_MANIFEST, "sha256:" + "a" * 64, 1234, annotations={"x": "y"}, platform=Platform("linux", "amd64"))
COSIGN_SIG = "application/vnd.dev.cosign.artifact.sig.v1+json"


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _layer(text: str) -> Descriptor:
    data = text.encode()
    return Descriptor(mt.IN_TOTO, _sha(data), len(data))


def _entry(kind: str | None, text: str, artifact_type: str = mt.IN_TOTO) -> Descriptor:
    annotations = {KIND_ANNOTATION: kind} if kind else {"dev.sigstore.cosign": "x"}
    return referrer_descriptor(referrer_manifest(SUBJECT, artifact_type, _layer(text), annotations))


# -- the documents -------------------------------------------------------------------------------


def test_the_empty_config_is_the_specs_empty_descriptor():
    assert EMPTY_CONFIG_BYTES == b"{}" and _sha(EMPTY_CONFIG_BYTES) == mt.OCI_EMPTY_DIGEST


def test_a_referrer_manifest_is_an_artifact_pointing_at_its_subject():
    layer = _layer('{"_type":"https://in-toto.io/Statement/v1"}')
    data = referrer_manifest(SUBJECT, mt.SIGSTORE_BUNDLE, layer, {KIND_ANNOTATION: "provenance", "a.b": "c"})
    assert data == referrer_manifest(SUBJECT, mt.SIGSTORE_BUNDLE, layer, {"a.b": "c", KIND_ANNOTATION: "provenance"})
    assert data == canonical_json(json.loads(data))
    manifest = json.loads(data)
    assert manifest == {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "artifactType": mt.SIGSTORE_BUNDLE,
        "config": {"mediaType": mt.OCI_EMPTY, "digest": mt.OCI_EMPTY_DIGEST, "size": 2},
        "layers": [{"mediaType": mt.IN_TOTO, "digest": layer.digest, "size": layer.size}],
        "subject": {"mediaType": mt.OCI_MANIFEST, "digest": SUBJECT.digest, "size": 1234},  # no platform, no annotations
        "annotations": {KIND_ANNOTATION: "provenance", "a.b": "c"},
    }
    assert referrer_subject(data) == SUBJECT.digest
    with pytest.raises(ReferrerError):
        referrer_manifest(SUBJECT, "", layer, {})


def test_a_referrer_descriptor_carries_what_an_index_entry_must():
    data = referrer_manifest(SUBJECT, mt.IN_TOTO, _layer("statement"), {KIND_ANNOTATION: "sbom"})
    descriptor = referrer_descriptor(data)
    assert descriptor == Descriptor(mt.OCI_MANIFEST, _sha(data), len(data), {KIND_ANNOTATION: "sbom"}, None, mt.IN_TOTO)
    assert descriptor.to_json()["artifactType"] == mt.IN_TOTO
    # no artifactType: the config's media type (distribution spec, "Pushing Manifests with Subject")
    plain = canonical_json({"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST, "config": {
        "mediaType": "application/vnd.example.config", "digest": mt.OCI_EMPTY_DIGEST, "size": 2}, "layers": []})
    assert referrer_descriptor(plain).artifact_type == "application/vnd.example.config"
    with pytest.raises(ReferrerError):
        referrer_descriptor(b"[]")


def test_the_fallback_tag_follows_the_referrers_tag_schema():
    assert fallback_tag("sha256:" + "a" * 64) == "sha256-" + "a" * 64
    assert fallback_tag("sha512:" + "a" * 128) == "sha512-" + "a" * 64
    odd = ("test+algorithm+using+algorithm+separators+and+lots+of+characters+to+excercise+overall+truncation:"
           "alsoSome=InTheEncodedSectionToShowHyphenReplacementAndLotsAndLotsOfCharactersToExcerciseEncodedTruncation")
    assert fallback_tag(odd) == (
        "test-algorithm-using-algorithm-s-alsoSome-InTheEncodedSectionToShowHyphenReplacementAndLotsAndLot"
    )
    with pytest.raises(ReferrerError):
        fallback_tag("nodigest")


def test_merge_into_an_empty_index_then_dedupe_by_digest():
    provenance, sbom = _entry("provenance", "p1"), _entry("sbom", "s1")
    merged = merge_into_index(None, [provenance, sbom])
    index = json.loads(merged)
    assert merged == canonical_json(index)
    assert index["schemaVersion"] == 2 and index["mediaType"] == mt.OCI_INDEX
    assert index["manifests"] == [provenance.to_json(), sbom.to_json()]
    assert merge_into_index(index, [sbom, provenance]) is None  # listed already: nothing to put
    assert merge_into_index(None, []) is None


def test_merge_replaces_ours_of_the_same_kind_and_keeps_the_others_in_order():
    foreign, provenance, sbom = _entry(None, "cosign", COSIGN_SIG), _entry("provenance", "p1"), _entry("sbom", "s1")
    tail = {"mediaType": mt.OCI_MANIFEST, "digest": "sha256:" + "c" * 64, "size": 9, "unknown": ["kept"]}
    existing = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "annotations": {"k": "v"},
                "manifests": [foreign.to_json(), provenance.to_json(), sbom.to_json(), tail]}
    resigned = _entry("provenance", "p2")
    index = json.loads(merge_into_index(existing, [resigned, sbom]))
    assert index["manifests"] == [foreign.to_json(), resigned.to_json(), sbom.to_json(), tail]
    assert index["annotations"] == {"k": "v"}
    # a second entry of one kind (another writer's race) goes too, once the new one is there
    doubled = {**existing, "manifests": [provenance.to_json(), foreign.to_json(), resigned.to_json()]}
    assert json.loads(merge_into_index(doubled, [resigned]))["manifests"] == [foreign.to_json(), resigned.to_json()]
    with pytest.raises(ReferrerError):
        merge_into_index({"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST, "layers": []}, [resigned])


# -- a registry without the referrers API: the fallback tag ------------------------------------------


def attestation(store: BlobStore, subject: Descriptor, kind: str, text: str, *, with_empty: bool = True) -> Descriptor:
    """A referrer manifest of ``kind`` over ``subject`` in ``store`` (its layer: ``text``)."""
    digest, size = store.put_bytes(text.encode())
    if with_empty:
        store.put_bytes(EMPTY_CONFIG_BYTES)
    layer = Descriptor(mt.IN_TOTO, digest, size)
    manifest = referrer_manifest(subject, mt.IN_TOTO, layer, {KIND_ANNOTATION: kind})
    store.put_bytes(manifest)
    return referrer_descriptor(manifest)


def _get(host: str, path: str, accept: str | None = None, auth: tuple[str, str] | None = None) -> requests.Response:
    return requests.get(f"http://{host}{path}", headers={"Accept": accept} if accept else {}, auth=auth, timeout=30)


def spec_client_referrers(host: str, repository: str, digest: str, auth: tuple[str, str] | None = None) -> list[dict]:
    """What any OCI 1.1 client finds: the referrers API, else (404) the index under the referrers tag."""
    api = _get(host, f"/v2/{repository}/referrers/{digest}", mt.OCI_INDEX, auth)
    if api.status_code == 200:
        return api.json()["manifests"]
    assert api.status_code == 404
    tag = "sha256-" + digest.split(":")[1]
    answer = _get(host, f"/v2/{repository}/manifests/{tag}", mt.OCI_INDEX, auth)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == mt.OCI_INDEX
    index = answer.json()
    assert index["mediaType"] == mt.OCI_INDEX and index["schemaVersion"] == 2
    return index["manifests"]


def check_referrer(host: str, repository: str, entry: dict, subject: str, auth: tuple[str, str] | None = None) -> bytes:
    """Fetch the referrer ``entry`` names and its blobs; check they are what the entry and digests say."""
    answer = _get(host, f"/v2/{repository}/manifests/{entry['digest']}", mt.OCI_MANIFEST, auth)
    assert answer.status_code == 200 and _sha(answer.content) == entry["digest"]
    manifest = answer.json()
    assert manifest["subject"]["digest"] == subject
    assert entry["artifactType"] == manifest["artifactType"]
    assert entry["annotations"] == manifest["annotations"]
    config = _get(host, f"/v2/{repository}/blobs/{manifest['config']['digest']}", auth=auth)
    assert config.content == b"{}"
    (layer,) = manifest["layers"]
    blob = _get(host, f"/v2/{repository}/blobs/{layer['digest']}", auth=auth)
    assert blob.status_code == 200 and _sha(blob.content) == layer["digest"]
    return blob.content


def test_pushed_attestations_are_found_through_the_fallback_tag(registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    built = small_image(store, salt="referrers-found")
    provenance = attestation(store, built.root, "provenance", '{"predicate":"provenance"}', with_empty=False)
    sbom = attestation(store, built.root, "sbom", '{"predicate":"sbom"}')
    ref = f"{registry.host}/team/attested:1.0"
    messages: list[str] = []
    (pushed,) = push_image(store, built.root, [ref], access=registry_access(), log=messages.append,
                           referrers=[provenance, sbom])
    tag = fallback_tag(built.root.digest)
    assert tag == "sha256-" + built.root.digest.split(":")[1]
    assert (pushed.attestations, pushed.attached_via) == (2, f"fallback tag {tag}")
    assert f"attached 2 attestations to {pushed.pinned} (fallback tag {tag})" in messages

    entries = spec_client_referrers(registry.host, "team/attested", built.root.digest)
    assert [e["digest"] for e in entries] == [provenance.digest, sbom.digest]
    assert [e["annotations"][KIND_ANNOTATION] for e in entries] == ["provenance", "sbom"]
    assert all(e["mediaType"] == mt.OCI_MANIFEST and e["artifactType"] == mt.IN_TOTO for e in entries)
    texts = [check_referrer(registry.host, "team/attested", e, built.root.digest) for e in entries]
    assert texts == [b'{"predicate":"provenance"}', b'{"predicate":"sbom"}']

    with RegistryClient(registry.host, access=registry_access()) as client:
        found, where = find_referrers(client, "team/attested", built.root.digest)
        assert (found, where) == ([provenance, sbom], f"fallback tag {tag}")
        assert find_referrers(client, "team/attested", "sha256:" + "0" * 64) == ([], "fallback tag sha256-" + "0" * 64)


def _foreign_signature(host: str, repository: str, subject: Descriptor) -> dict:
    """What another tool (cosign) adds: its referrer manifest, and its entry in the fallback index."""
    payload = b'{"critical":{}}'
    for blob in (payload, b"{}"):
        start = requests.post(f"http://{host}/v2/{repository}/blobs/uploads/", timeout=30)
        location = start.headers["Location"]
        location = location if location.startswith("http") else f"http://{host}{location}"
        done = requests.put(location, params={"digest": _sha(blob)}, data=blob, timeout=30)
        assert done.status_code == 201
    manifest = canonical_json({
        "schemaVersion": 2, "mediaType": mt.OCI_MANIFEST, "artifactType": COSIGN_SIG,
        "config": {"mediaType": mt.OCI_EMPTY, "digest": mt.OCI_EMPTY_DIGEST, "size": 2},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": _sha(payload),
                    "size": len(payload)}],
        "subject": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.size},
        "annotations": {"dev.sigstore.cosign/signature": "MEUC"},
    })
    url = f"http://{host}/v2/{repository}/manifests"
    assert requests.put(f"{url}/{_sha(manifest)}", data=manifest, headers={"Content-Type": mt.OCI_MANIFEST},
                        timeout=30).status_code == 201
    tag = "sha256-" + subject.digest.split(":")[1]
    index = requests.get(f"{url}/{tag}", headers={"Accept": mt.OCI_INDEX}, timeout=30).json()
    entry = {"mediaType": mt.OCI_MANIFEST, "digest": _sha(manifest), "size": len(manifest), "artifactType": COSIGN_SIG,
             "annotations": {"dev.sigstore.cosign/signature": "MEUC"}}
    index["manifests"].insert(0, entry)
    body = json.dumps(index, indent=2).encode()  # not canonical: another tool's bytes
    assert requests.put(f"{url}/{tag}", data=body, headers={"Content-Type": mt.OCI_INDEX}, timeout=30).status_code == 201
    return entry


def test_a_second_push_keeps_one_entry_per_kind_and_the_other_tools(proxy, tmp_path):
    store = BlobStore(tmp_path / "store")
    built = small_image(store, platforms=("linux/amd64", "linux/arm64"), salt="referrers-twice")
    child = built.images[1].manifest  # an SBOM of one platform: its own subject, its own fallback tag
    provenance = attestation(store, built.root, "provenance", "provenance 1")
    sbom = attestation(store, child, "sbom", "sbom arm64")
    ref = f"{proxy.host}/team/twice-attested:2"
    (first,) = push_image(store, built.root, [ref], access=registry_access(), referrers=[provenance, sbom])
    assert first.attached_via == f"fallback tag {fallback_tag(built.root.digest)}, fallback tag {fallback_tag(child.digest)}"
    assert [e["digest"] for e in spec_client_referrers(proxy.host, "team/twice-attested", child.digest)] == [sbom.digest]
    foreign = _foreign_signature(proxy.host, "team/twice-attested", built.root)

    proxy.reset()
    push_image(store, built.root, [ref], access=registry_access(), referrers=[provenance, sbom])
    assert proxy.writes() == []  # every referrer listed already: nothing put, not even the indexes

    resigned = attestation(store, built.root, "provenance", "provenance 2 (signed again)")
    assert resigned.digest != provenance.digest
    (again,) = push_image(store, built.root, [ref], access=registry_access(), referrers=[resigned, sbom])
    assert again.attestations == 2
    entries = spec_client_referrers(proxy.host, "team/twice-attested", built.root.digest)
    assert [e["digest"] for e in entries] == [foreign["digest"], resigned.digest]
    assert entries[0] == foreign
    assert check_referrer(proxy.host, "team/twice-attested", entries[1], built.root.digest) == b"provenance 2 (signed again)"
    with RegistryClient(proxy.host, access=registry_access()) as client:
        found, _where = find_referrers(client, "team/twice-attested", built.root.digest)
    assert [d.digest for d in found] == [foreign["digest"], resigned.digest]
    assert found[0].artifact_type == COSIGN_SIG


def test_an_attestation_of_another_image_is_refused_before_anything_is_sent(proxy, tmp_path):
    store = BlobStore(tmp_path / "store")
    built = small_image(store, salt="referrers-other")
    stray = attestation(store, SUBJECT, "provenance", "not about this image")
    with pytest.raises(Exception, match="which is not this image") as caught:
        push_image(store, built.root, [f"{proxy.host}/team/stray:1"], access=registry_access(), referrers=[stray])
    assert "\n" not in str(caught.value)
    assert proxy.writes() == []


def test_a_fallback_tag_holding_something_else_fails_the_attaching_only(registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    built = small_image(store, salt="referrers-clash")
    decoy = small_image(store, salt="referrers-decoy")
    tag = fallback_tag(built.root.digest)
    push_image(store, decoy.root, [f"{registry.host}/team/clash:{tag}"], access=registry_access())
    with RegistryClient(registry.host, access=registry_access()) as client:
        assert find_referrers(client, "team/clash", built.root.digest) == ([], f"fallback tag {tag}")
    provenance = attestation(store, built.root, "provenance", "clash")
    ref = f"{registry.host}/team/clash:1"
    with pytest.raises(PushError) as caught:
        push_image(store, built.root, [ref], access=registry_access(), referrers=[provenance])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"push to {ref} failed while attaching the provenance attestation {provenance.digest[:19]}: ")
    assert "not an OCI image index" in message
    assert [p.digest for p in caught.value.pushed] == [built.root.digest]  # the image itself is pushed


def test_attach_and_find_with_credentials(auth_registry, tmp_path, monkeypatch):
    store = BlobStore(tmp_path / "store")
    built = small_image(store, salt="referrers-auth")
    provenance = attestation(store, built.root, "provenance", "private provenance")
    monkeypatch.setenv("AICONTAINER_REGISTRY_USERNAME", auth_registry.username)
    monkeypatch.setenv("AICONTAINER_REGISTRY_PASSWORD", auth_registry.password)
    (pushed,) = push_image(store, built.root, [f"{auth_registry.host}/team/private-attested:1"], access=registry_access(),
                           referrers=[provenance])
    assert pushed.attestations == 1
    (entry,) = spec_client_referrers(auth_registry.host, "team/private-attested", built.root.digest, auth_registry.auth)
    check_referrer(auth_registry.host, "team/private-attested", entry, built.root.digest, auth_registry.auth)
    with RegistryClient(auth_registry.host, access=registry_access()) as client:
        assert find_referrers(client, "team/private-attested", built.root.digest)[0] == [provenance]
    monkeypatch.delenv("AICONTAINER_REGISTRY_USERNAME")
    monkeypatch.delenv("AICONTAINER_REGISTRY_PASSWORD")
    with RegistryClient(auth_registry.host, access=registry_access()) as client, pytest.raises(RegistryAuthError):
        find_referrers(client, "team/private-attested", built.root.digest)


def _with_blobs(archive: Path, store: BlobStore, digests: list[str]) -> Path:
    """The archive with more blobs in it (what an archive with attestations carries)."""
    with tarfile.open(archive, "a") as tar:
        names = set(tar.getnames())
        for digest in digests:
            path = store.path(digest)
            name = f"blobs/sha256/{digest.split(':')[1]}"
            if name not in names:
                tar.add(path, arcname=name)
    return archive


def test_push_archive_attaches_the_attestations_it_is_given(registry, tmp_path):
    archive, built = small_archive(tmp_path, salt="referrers-archive")
    provenance = attestation(built.store, built.root, "provenance", "from the archive")
    manifest = json.loads(built.store.read_bytes(provenance.digest))
    _with_blobs(archive, built.store, [provenance.digest, manifest["layers"][0]["digest"], mt.OCI_EMPTY_DIGEST])
    ref = f"{registry.host}/team/archived-attested:1"
    (pushed,) = push_archive(archive, [ref], access=registry_access(), cache_dir=tmp_path / "cache", referrers=[provenance])
    assert pushed.attestations == 1
    (entry,) = spec_client_referrers(registry.host, "team/archived-attested", built.root.digest)
    assert check_referrer(registry.host, "team/archived-attested", entry, built.root.digest) == b"from the archive"


# -- a registry with the referrers API ------------------------------------------------------------------


class ReferrersAPI:
    """A loopback stand-in for a registry with the referrers API, in front of a real one (no API).

    Every request goes to the real registry; a manifest PUT that carries a
    ``subject`` is answered with ``OCI-Subject`` too and its descriptor kept,
    and ``GET /v2/<name>/referrers/<digest>`` lists them, one per page.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.listed: dict[tuple[str, str], list[dict]] = {}
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ReferrersAPI:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _referrers(self, name: str, digest: str, page: int) -> None:
                with stand_in._lock:
                    entries = list(stand_in.listed.get((name, digest), []))
                headers = [("Content-Type", mt.OCI_INDEX)]
                if page + 1 < len(entries):
                    headers.append(("Link", f'</v2/{name}/referrers/{digest}?page={page + 1}>; rel="next"'))
                index = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": entries[page:page + 1]}
                self._answer(200, headers, json.dumps(index).encode())

            def _handle(self) -> None:
                with stand_in._lock:
                    stand_in.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                asked = re.fullmatch(r"/v2/(.+)/referrers/([^?]+)(?:\?page=(\d+))?", self.path)
                if asked and self.command == "GET":
                    self._referrers(asked[1], asked[2], int(asked[3] or 0))
                    return
                connection = http.client.HTTPConnection(stand_in.upstream, timeout=60)
                try:
                    connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for key, value in self.headers.items():
                        if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                            connection.putheader(key, value)
                    connection.putheader("Content-Length", str(len(body)))
                    connection.endheaders(body)
                    answer = connection.getresponse()
                    data = answer.read()
                finally:
                    connection.close()
                headers = [(k, v) for k, v in answer.getheaders()
                           if k.lower() not in ("content-length", "connection", "transfer-encoding")]
                put = re.fullmatch(r"/v2/(.+)/manifests/([^/?]+)", self.path)
                if put and self.command == "PUT" and answer.status == 201:
                    document = json.loads(body)
                    if isinstance(document.get("subject"), dict):
                        subject = document["subject"]["digest"]
                        with stand_in._lock:
                            stand_in.listed.setdefault((put[1], subject), []).append(
                                referrer_descriptor(body).to_json())
                        headers.append(("OCI-Subject", subject))
                if self.command == "HEAD":
                    headers.append(("Content-Length", answer.getheader("Content-Length", "0")))
                    self.send_response(answer.status)
                    for key, value in headers:
                        self.send_header(key, value)
                    self.end_headers()
                    return
                self._answer(answer.status, headers, data)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        return Handler

    def writes_to(self, path_part: str) -> list[tuple[str, str]]:
        with self._lock:
            return [r for r in self.requests if r[0] in ("PUT", "POST", "PATCH") and path_part in r[1]]


@pytest.fixture
def referrers_api(registry) -> Iterator[ReferrersAPI]:
    with ReferrersAPI(registry.host) as stand_in:
        yield stand_in


def test_a_registry_with_the_referrers_api_gets_no_fallback_tag(referrers_api, registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    built = small_image(store, salt="referrers-api")
    provenance = attestation(store, built.root, "provenance", "api provenance")
    signature = attestation(store, built.root, "signature", "api signature")
    ref = f"{referrers_api.host}/team/api-attested:1"
    messages: list[str] = []
    (pushed,) = push_image(store, built.root, [ref], access=registry_access(), log=messages.append,
                           referrers=[provenance, signature])
    assert (pushed.attestations, pushed.attached_via) == (2, VIA_API)
    assert f"attached 2 attestations to {pushed.pinned} (referrers API)" in messages
    tag = fallback_tag(built.root.digest)
    assert referrers_api.writes_to(f"/manifests/{tag}") == []
    assert _get(registry.host, f"/v2/team/api-attested/manifests/{tag}").status_code == 404
    entries = spec_client_referrers(referrers_api.host, "team/api-attested", built.root.digest)
    assert [e["digest"] for e in entries] == [provenance.digest]  # a spec client reads one page here
    with RegistryClient(referrers_api.host, access=registry_access()) as client:
        found, where = find_referrers(client, "team/api-attested", built.root.digest)  # every page
        assert (found, where) == ([provenance, signature], VIA_API)
        index = client.get_referrers("team/api-attested", built.root.digest)
        assert [e["digest"] for e in index["manifests"]] == [provenance.digest, signature.digest]

    before = len(referrers_api.writes_to("/"))
    push_image(store, built.root, [ref], access=registry_access(), referrers=[provenance, signature])
    assert len(referrers_api.writes_to("/")) == before  # listed by the API already: nothing put again


def test_get_referrers_is_none_without_the_api_and_attach_reports_the_way(registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    built = small_image(store, salt="referrers-client")
    push_image(store, built.root, [f"{registry.host}/team/client-attached:1"], access=registry_access())
    provenance = attestation(store, built.root, "provenance", "attached directly", with_empty=False)
    from hatch_aicontainer.registry.blob_sources import StoreBlobs

    with RegistryClient(registry.host, access=registry_access()) as client:
        assert client.get_referrers("team/client-attached", built.root.digest) is None
        data = store.read_bytes(provenance.digest)
        first = attach(client, "team/client-attached", built.root.digest, data, provenance, StoreBlobs(store))
        assert (first.via, first.wrote) == (f"fallback tag {fallback_tag(built.root.digest)}", True)
        again = attach(client, "team/client-attached", built.root.digest, data, provenance, StoreBlobs(store))
        assert (again.via, again.wrote) == (first.via, False)
        with pytest.raises(RegistryError) as caught:
            attach(client, "team/client-attached", built.root.digest, b"not json", provenance, StoreBlobs(store))
        assert "\n" not in str(caught.value)
