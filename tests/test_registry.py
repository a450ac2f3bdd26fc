"""RegistryClient against a real docker-registry (open, htpasswd, token auth, TLS), images by umoci/skopeo."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
import registry_helpers as rh
from environments import registry_access

from hatch_aicontainer.core.errors import RegistryError
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.registry.auth import parse_challenge
from hatch_aicontainer.registry.client import RegistryClient
from hatch_aicontainer.registry.credentials import Credentials
from hatch_aicontainer.registry.errors import RegistryAuthError, RegistryNotFound, RegistryUnreachable

PASSWORD = "correct-horse-7Yq"
WRONG = "wrong-battery-3Xz"


pytestmark = pytest.mark.usefixtures("no_ambient_settings")


@pytest.fixture(scope="module")
def layout(tmp_path_factory, oci_tools) -> Path:
    path = tmp_path_factory.mktemp("layout") / "oci"
    rh.build_image(
        path,
        "small",
        [{"etc/hello.txt": b"hello\n"}, {"usr/bin/python3.11": b"", "srv/data.bin": os.urandom(3000)}],
    )
    return path


@pytest.fixture(scope="module")
def open_registry(tmp_path_factory, layout):
    reg = rh.start_registry(tmp_path_factory.mktemp("open-registry"))
    try:
        rh.skopeo_copy(f"oci:{layout}:small", f"docker://{reg.host}/library/python:small")
        rh.skopeo_copy(f"oci:{layout}:small", f"docker://{reg.host}/library/dockerish:small", "--format", "v2s2")
        yield reg
    finally:
        reg.stop()


@pytest.fixture(scope="module")
def htpasswd_registry(tmp_path_factory, layout):
    reg = rh.start_registry(tmp_path_factory.mktemp("auth-registry"), auth=("alice", PASSWORD))
    try:
        rh.skopeo_copy(f"oci:{layout}:small", f"docker://{reg.host}/library/python:small", creds=f"alice:{PASSWORD}")
        yield reg
    finally:
        reg.stop()


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory, layout):
    directory = tmp_path_factory.mktemp("token-registry")
    tokens = rh.TokenServer(directory / "tokens", "bob", PASSWORD, public_repositories={"library/python"})
    reg = rh.start_registry(directory / "registry", token=tokens)
    try:
        for repo in ("library/python", "private/app"):
            rh.skopeo_copy(f"oci:{layout}:small", f"docker://{reg.host}/{repo}:small", creds=f"bob:{PASSWORD}")
        yield reg, tokens
    finally:
        reg.stop()
        tokens.stop()


def _layout_blob(layout: Path, digest: str) -> bytes:
    return (layout / "blobs" / "sha256" / digest.split(":")[1]).read_bytes()


def client(host: str, **kw) -> RegistryClient:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("access", registry_access())
    return RegistryClient(host, **kw)


# -- pulling -------------------------------------------------------------------


def test_get_manifest_by_tag_and_by_digest(open_registry, layout):
    expected_digest = rh.manifest_digest(layout, "small")
    with client(open_registry.host) as reg:
        data, media_type, digest = reg.get_manifest("library/python", "small")
        assert (media_type, digest) == (mt.OCI_MANIFEST, expected_digest)
        assert data == _layout_blob(layout, expected_digest)
        assert reg.get_manifest("library/python", digest) == (data, media_type, digest)


def test_get_manifest_docker_media_type(open_registry):
    with client(open_registry.host) as reg:
        data, media_type, digest = reg.get_manifest("library/dockerish", "small")
    assert media_type == mt.DOCKER_MANIFEST
    assert digest == "sha256:" + hashlib.sha256(data).hexdigest()
    assert json.loads(data)["layers"][0]["mediaType"] == mt.DOCKER_LAYER_GZIP


def test_missing_manifest_is_not_found(open_registry):
    with client(open_registry.host) as reg, pytest.raises(RegistryNotFound) as info:
        reg.get_manifest("library/python", "nope")
    assert str(info.value) == f"registry {open_registry.host} has no manifest library/python:nope (404)"


def test_fetch_blob_streams_into_store_and_skips_cached(open_registry, layout, tmp_path):
    store = BlobStore(tmp_path / "store")
    manifest = json.loads(_layout_blob(layout, rh.manifest_digest(layout, "small")))
    digests = [manifest["config"]["digest"]] + [layer["digest"] for layer in manifest["layers"]]
    blob_gets = r"/v2/library/python/blobs/sha256:"
    with client(open_registry.host) as reg:
        before = open_registry.requests_served("GET", blob_gets)
        for digest in digests:
            path = reg.fetch_blob("library/python", digest, store)
            assert path.read_bytes() == _layout_blob(layout, digest)
        assert open_registry.requests_served("GET", blob_gets) == before + len(digests)
        for digest in digests:  # cached and intact: no request
            reg.fetch_blob("library/python", digest, store)
        assert open_registry.requests_served("GET", blob_gets) == before + len(digests)
        # a corrupted cache entry is noticed and fetched again
        store.path(digests[-1]).write_bytes(b"garbage")
        reg.fetch_blob("library/python", digests[-1], store)
        assert store.verify(digests[-1])
        assert open_registry.requests_served("GET", blob_gets) == before + len(digests) + 1


def test_fetch_blob_rejects_bytes_that_do_not_match(open_registry, tmp_path):
    # a private image whose layer we then corrupt inside the registry's own storage
    layout = tmp_path / "corrupt-layout"
    payload = os.urandom(2048)
    rh.build_image(layout, "c", [{"payload.bin": payload}])
    rh.skopeo_copy(f"oci:{layout}:c", f"docker://{open_registry.host}/test/corrupt:c")
    manifest = json.loads(_layout_blob(layout, rh.manifest_digest(layout, "c")))
    digest = manifest["layers"][0]["digest"]
    hexpart = digest.split(":")[1]
    data_file = open_registry.dir / "storage/docker/registry/v2/blobs/sha256" / hexpart[:2] / hexpart / "data"
    original = data_file.read_bytes()
    data_file.write_bytes(bytes(b ^ 0xFF for b in original))
    store = BlobStore(tmp_path / "store")
    with client(open_registry.host) as reg, pytest.raises(RegistryError) as info:
        reg.fetch_blob("test/corrupt", digest, store)
    assert "does not match its digest" in str(info.value)
    assert open_registry.host in str(info.value)
    assert not store.has(digest)
    assert not list((tmp_path / "store" / "blobs" / "sha256").glob(".tmp-*"))


# -- failures ------------------------------------------------------------------------


def test_unreachable_registry_message():
    port = rh.free_port()
    with client(f"127.0.0.1:{port}") as reg, pytest.raises(RegistryUnreachable) as info:
        reg.get_manifest("library/python", "3.11")
    assert str(info.value) == f"cannot reach registry 127.0.0.1:{port} (connection refused)"


def test_loopback_https_forced_against_plain_http_registry(open_registry):
    with client(open_registry.host, insecure=False) as reg, pytest.raises(RegistryUnreachable) as info:
        reg.ping()
    assert str(info.value).startswith(f"cannot reach registry {open_registry.host} (TLS")


def test_plain_http_only_for_loopback_or_listed_hosts():
    default = registry_access(AICONTAINER_INSECURE_REGISTRIES="")
    assert all(default.allows_plain_http(host) for host in ("127.0.0.1:5000", "localhost", "[::1]:80"))
    assert not default.allows_plain_http("registry.example:5000")
    assert not default.allows_plain_http("10.1.2.3:5000")
    listed = registry_access(AICONTAINER_INSECURE_REGISTRIES="registry.example:5000, other.example")
    assert listed.allows_plain_http("registry.example:5000")
    assert not listed.allows_plain_http("registry.example:5001")
    assert listed.allows_plain_http("other.example:443")


def test_remote_hosts_are_never_tried_over_plain_http():
    assert client("registry.invalid").transport.schemes == ("https",)
    assert client("127.0.0.1:5000").transport.schemes == ("https", "http")


# -- TLS -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_registry(tmp_path_factory, layout):
    directory = tmp_path_factory.mktemp("tls-registry")
    ca, cert, key = rh.make_tls_files(directory / "tls")
    reg = rh.start_registry(directory / "registry", tls=(cert, key))
    try:
        subprocess.run(
            ["skopeo", "--insecure-policy", "copy", "--dest-cert-dir", str(directory / "certs"),
             "--dest-tls-verify=false", f"oci:{layout}:small", f"docker://{reg.host}/library/python:small"],
            check=True, capture_output=True,
        )
        yield reg, ca
    finally:
        reg.stop()


def test_tls_verified_with_ca_from_environment(tls_registry, monkeypatch):
    reg, ca = tls_registry
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    with client(reg.host) as c:
        assert c.get_manifest("library/python", "small")[1] == mt.OCI_MANIFEST
        assert c.transport.scheme == "https"


def test_tls_untrusted_certificate_is_refused(tls_registry, monkeypatch):
    reg, _ = tls_registry
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    with client(reg.host, insecure=False) as c, pytest.raises(RegistryUnreachable) as info:
        c.ping()
    assert str(info.value).startswith(f"cannot reach registry {reg.host} (TLS certificate not trusted")


# -- Basic auth (htpasswd) -------------------------------------------------------------


def test_htpasswd_right_password_from_environment(htpasswd_registry, monkeypatch):
    monkeypatch.setenv("AICONTAINER_REGISTRY_USERNAME", "alice")
    monkeypatch.setenv("AICONTAINER_REGISTRY_PASSWORD", PASSWORD)
    with client(htpasswd_registry.host) as reg:
        data, media_type, _ = reg.get_manifest("library/python", "small")
        assert media_type == mt.OCI_MANIFEST


def test_htpasswd_password_from_docker_config(htpasswd_registry, tmp_path):
    config = {"auths": {f"http://{htpasswd_registry.host}": {"username": "alice", "password": PASSWORD}}}
    (tmp_path / "docker-config" / "config.json").write_text(json.dumps(config))
    with client(htpasswd_registry.host) as reg:
        reg.ping()
        assert reg.get_manifest("library/python", "small")[1] == mt.OCI_MANIFEST


def test_htpasswd_wrong_password_is_one_line_without_the_password(htpasswd_registry):
    with client(htpasswd_registry.host, credentials=Credentials("alice", WRONG)) as reg:
        with pytest.raises(RegistryAuthError) as info:
            reg.get_manifest("library/python", "small")
    message = str(info.value)
    assert message == f"registry {htpasswd_registry.host} refused the credentials for library/python (401)"
    assert WRONG not in message and "\n" not in message


def test_htpasswd_without_credentials(htpasswd_registry):
    with client(htpasswd_registry.host, credentials=None) as reg, pytest.raises(RegistryAuthError) as info:
        reg.get_manifest("library/python", "small")
    assert str(info.value).startswith(f"registry {htpasswd_registry.host} denied anonymous access to library/python (401")


def test_missing_credential_helper_is_mentioned_when_access_is_denied(htpasswd_registry, tmp_path):
    (tmp_path / "docker-config" / "config.json").write_text(json.dumps({"credsStore": "absent-helper-q"}))
    with client(htpasswd_registry.host) as reg, pytest.raises(RegistryAuthError) as info:
        reg.get_manifest("library/python", "small")
    assert "denied anonymous access" in str(info.value)
    assert "docker-credential-absent-helper-q" in str(info.value)


# -- Bearer (token) auth ------------------------------------------------------------------


def test_token_auth_anonymous_pull_of_public_repository(token_registry):
    reg, tokens = token_registry
    with client(reg.host, credentials=None) as c:
        assert c.get_manifest("library/python", "small")[1] == mt.OCI_MANIFEST
    assert tokens.calls[-1] == (None, ["repository:library/python:pull"])


def test_token_auth_private_repository(token_registry, tmp_path):
    reg, tokens = token_registry
    with client(reg.host, credentials=None) as c, pytest.raises(RegistryAuthError) as info:
        c.get_manifest("private/app", "small")
    assert "denied anonymous access to private/app" in str(info.value)

    with client(reg.host, credentials=Credentials("bob", WRONG)) as c, pytest.raises(RegistryAuthError) as info:
        c.get_manifest("private/app", "small")
    assert str(info.value) == f"registry {reg.host} refused the credentials for private/app (401)"
    assert WRONG not in str(info.value)

    store = BlobStore(tmp_path / "store")
    calls_before = len(tokens.calls)
    with client(reg.host, credentials=Credentials("bob", PASSWORD)) as c:
        data, _, _ = c.get_manifest("private/app", "small")
        for layer in json.loads(data)["layers"]:
            c.fetch_blob("private/app", layer["digest"], store)
            assert store.verify(layer["digest"])
    # one token serves the manifest and the blobs (cached per scope)
    assert tokens.calls[calls_before:] == [("bob", ["repository:private/app:pull"])]


def test_token_auth_with_oauth_refresh_token(token_registry):
    reg, tokens = token_registry
    with client(reg.host, credentials=Credentials("<token>", "", identity_token=tokens.refresh_token)) as c:
        assert c.get_manifest("private/app", "small")[1] == mt.OCI_MANIFEST
    assert tokens.calls[-1] == ("<refresh>", ["repository:private/app:pull"])
    bad = Credentials("<token>", "", identity_token="refresh-wrong-5Tb")
    with client(reg.host, credentials=bad) as c, pytest.raises(RegistryAuthError) as info:
        c.get_manifest("private/app", "small")
    assert str(info.value) == f"registry {reg.host} refused the credentials for private/app (401)"
    assert "refresh-wrong-5Tb" not in str(info.value)


# -- pushing --------------------------------------------------------------------------------


def _pull_all(reg: RegistryClient, repository: str, tag: str, store: BlobStore) -> tuple[bytes, list[str]]:
    data, _, _ = reg.get_manifest(repository, tag)
    manifest = json.loads(data)
    digests = [manifest["config"]["digest"]] + [layer["digest"] for layer in manifest["layers"]]
    for digest in digests:
        reg.fetch_blob(repository, digest, store)
    return data, digests


def test_push_roundtrip_checked_by_skopeo(open_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    with client(open_registry.host) as reg:
        manifest, digests = _pull_all(reg, "library/python", "small", store)
        config, *layers = digests
        assert reg.head_blob("pushed/app", config) is None
        assert reg.upload_blob("pushed/app", config, store) == "uploaded"  # monolithic
        assert reg.head_blob("pushed/app", config) == store.path(config).stat().st_size
        assert reg.upload_blob("pushed/app", layers[0], store, mount_from="library/python") == "mounted"
        assert reg.upload_blob("pushed/app", layers[1], store, chunk_size=512) == "uploaded"  # chunked
        assert reg.upload_blob("pushed/app", layers[1], store) == "exists"
        digest = reg.put_manifest("pushed/app", "v1", manifest, mt.OCI_MANIFEST)
        assert digest == "sha256:" + hashlib.sha256(manifest).hexdigest()
        assert reg.get_manifest("pushed/app", "v1") == (manifest, mt.OCI_MANIFEST, digest)
    out = tmp_path / "copied"
    rh.skopeo_copy(f"docker://{open_registry.host}/pushed/app:v1", f"oci:{out}:v1")  # skopeo verifies digests
    assert rh.manifest_digest(out, "v1") == digest
    assert open_registry.requests_served("PATCH", "/v2/pushed/app/blobs/uploads/") >= 2


def test_push_with_token_auth(token_registry, tmp_path):
    reg, tokens = token_registry
    store = BlobStore(tmp_path / "store")
    with client(reg.host, credentials=Credentials("bob", PASSWORD)) as c:
        manifest, digests = _pull_all(c, "library/python", "small", store)
        for digest in digests:
            assert c.upload_blob("team/pushed", digest, store, mount_from="library/python") == "mounted"
        c.put_manifest("team/pushed", "t", manifest, mt.OCI_MANIFEST)
    assert ("bob", ["repository:team/pushed:pull,push", "repository:library/python:pull"]) in tokens.calls
    with client(reg.host, credentials=None) as c, pytest.raises(RegistryAuthError):
        c.upload_blob("team/other", digests[0], store)
    tokens.read_only.add("team/readonly")
    with client(reg.host, credentials=Credentials("bob", PASSWORD)) as c, pytest.raises(RegistryAuthError) as info:
        c.upload_blob("team/readonly", digests[0], store)
    assert str(info.value) == f"registry {reg.host} denied bob push access to team/readonly (401)"


def test_push_is_refused_without_credentials(htpasswd_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    digest, _ = store.put_bytes(b"{}")
    with client(htpasswd_registry.host, credentials=Credentials("alice", WRONG)) as c:
        with pytest.raises(RegistryAuthError) as info:
            c.upload_blob("library/python", digest, store)
    assert WRONG not in str(info.value)


# -- small pure pieces --------------------------------------------------------------------


def test_parse_challenge():
    scheme, params = parse_challenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'
    )
    assert scheme == "bearer"
    assert params == {
        "realm": "https://auth.example/token",
        "service": "registry.example",
        "scope": "repository:a/b:pull,push",
    }
    assert parse_challenge('Basic realm="Registry Realm"') == ("basic", {"realm": "Registry Realm"})
