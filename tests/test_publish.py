"""Pushing images (hatch_aicontainer.outputs.push.publish) to a real docker-registry, judged by skopeo and Docker.

A recording proxy (release_helpers.RegistryProxy) sits in front of the
registry to count what a push sends and to inject faults (5xx, a registry
that goes away mid-push).
"""

from __future__ import annotations

import json
import subprocess

import pytest
import registry_helpers as rh
from environments import registry_access
from release_helpers import (
    RegistryProxy,
    free_port,
    runnable_image,
    skopeo_digest,
    skopeo_inspect,
    small_archive,
    small_image,
    write_archive,
)

from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.archive import read_archive_index
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.outputs.push.publish import PushError, push_archive, push_image

PASSWORD = "s3cret-Pushing-9Qx"
WRONG = "not-the-Password-4Kd"


pytestmark = pytest.mark.usefixtures("no_ambient_settings")


def test_push_from_the_store_gives_the_built_digest(proxy, tmp_path):
    built = small_image(BlobStore(tmp_path / "store"), salt="first-push")
    messages: list[str] = []
    (pushed,) = push_image(built.store, built.root, [f"{proxy.host}/team/app:1.0"], log=messages.append, access=registry_access())
    assert pushed.digest == built.root.digest
    assert pushed.reference == f"{proxy.host}/team/app:1.0"
    assert pushed.pinned == f"{proxy.host}/team/app:1.0@{built.root.digest}"
    assert (pushed.uploaded, pushed.mounted, pushed.existing) == (built.blob_count, 0, 0)
    assert skopeo_digest(f"{proxy.host}/team/app:1.0") == built.root.digest
    assert len(proxy.blob_uploads()) == built.blob_count
    assert any(pushed.pinned in m for m in messages)


def test_second_push_sends_nothing(proxy, tmp_path):
    built = small_image(BlobStore(tmp_path / "store"), salt="twice")
    push_image(built.store, built.root, [f"{proxy.host}/team/twice:1.0"], access=registry_access())
    proxy.reset()
    (again,) = push_image(built.store, built.root, [f"{proxy.host}/team/twice:1.0"], access=registry_access())
    assert again.digest == built.root.digest
    assert proxy.writes() == []  # no POST, PATCH or PUT: HEAD found every blob, the tag already points at it
    assert (again.uploaded, again.mounted, again.existing) == (0, 0, built.blob_count)
    heads = [s for s in proxy.seen if s.method == "HEAD"]
    assert len(heads) == built.blob_count


def test_other_repository_of_the_same_registry_mounts_the_blobs(proxy, tmp_path):
    built = small_image(BlobStore(tmp_path / "store"), salt="mount")
    first, second, third = push_image(
        built.store,
        built.root,
        [f"{proxy.host}/team/one:1.0", f"{proxy.host}/other/two:1.0", f"{proxy.host}/team/one:stable"], access=registry_access())
    assert first.uploaded == built.blob_count
    assert (second.uploaded, second.mounted) == (0, built.blob_count)
    assert (third.uploaded, third.mounted) == (0, 0)  # same repository as the first: only the tag
    assert len(proxy.blob_uploads()) == built.blob_count  # uploaded once, for the first repository
    assert len(proxy.mounts()) == built.blob_count
    assert all("from=team%2Fone" in m.path or "from=team/one" in m.path for m in proxy.mounts())
    for ref in (first, second, third):
        assert skopeo_digest(ref.reference) == built.root.digest


def test_multi_platform_pushes_the_manifests_then_the_index(proxy, tmp_path):
    built = small_image(BlobStore(tmp_path / "store"), platforms=("linux/amd64", "linux/arm64"), salt="multi")
    assert built.root.media_type == mediatypes.OCI_INDEX
    (pushed,) = push_image(built.store, built.root, [f"{proxy.host}/team/multi:2.0"], access=registry_access())
    assert pushed.digest == built.root.digest
    puts = [s.path for s in proxy.manifest_puts()]
    children = [i.manifest.digest for i in built.images]
    assert puts == [f"/v2/team/multi/manifests/{d}" for d in children] + ["/v2/team/multi/manifests/2.0"]
    raw = skopeo_inspect(f"{proxy.host}/team/multi:2.0", raw=True)
    assert raw["mediaType"] == mediatypes.OCI_INDEX
    assert [m["digest"] for m in raw["manifests"]] == children
    assert skopeo_digest(f"{proxy.host}/team/multi:2.0") == built.root.digest
    # both platforms are complete images in the registry
    for image in built.images:
        assert skopeo_digest(f"{proxy.host}/team/multi@{image.manifest.digest}") == image.manifest.digest


def test_push_archive_keeps_the_archive_digest(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="archive")
    (root,) = read_archive_index(archive)["manifests"]
    store = BlobStore(tmp_path / "push-store")  # empty: the blobs come from the archive
    (pushed,) = push_archive(archive, [f"{proxy.host}/team/archived:1.0.0"], cache_dir=store.root, access=registry_access())
    assert pushed.digest == root["digest"] == built.root.digest
    assert skopeo_digest(f"{proxy.host}/team/archived:1.0.0") == root["digest"]


def test_push_multi_platform_archive(proxy, tmp_path):
    archive, built = small_archive(tmp_path, platforms=("linux/amd64", "linux/arm64"), salt="archive-multi")
    (pushed,) = push_archive(archive, [f"{proxy.host}/team/archived-multi:1"], cache_dir=tmp_path / "s", access=registry_access())
    assert pushed.digest == built.root.digest
    assert skopeo_inspect(f"{proxy.host}/team/archived-multi:1", raw=True)["mediaType"] == mediatypes.OCI_INDEX


def test_a_bad_reference_pushes_nothing(proxy, tmp_path):
    built = small_image(BlobStore(tmp_path / "store"), salt="bad-ref")
    for bad in ("127.0.0.1:5000/Team/App:1", "https://127.0.0.1/x", "team/app:", "user:pw@host/app"):
        with pytest.raises(ConfigError) as caught:
            push_image(built.store, built.root, [f"{proxy.host}/team/good:1", bad], access=registry_access())
        message = str(caught.value)
        assert "\n" not in message and "is not an image reference" in message
        assert "pw@" not in message
    assert proxy.seen == []


def test_a_reference_with_another_digest_is_refused(proxy, tmp_path):
    built = small_image(BlobStore(tmp_path / "store"), salt="digest-ref")
    with pytest.raises(ConfigError, match="names digest"):
        push_image(built.store, built.root, [f"{proxy.host}/team/app@sha256:{'0' * 64}"], access=registry_access())
    (pushed,) = push_image(built.store, built.root, [f"{proxy.host}/team/bydigest@{built.root.digest}"], access=registry_access())
    assert pushed.reference == f"{proxy.host}/team/bydigest@{built.root.digest}"
    assert skopeo_digest(f"{proxy.host}/team/bydigest@{built.root.digest}") == built.root.digest


def test_unreachable_registry_is_one_line_naming_the_host(tmp_path):
    built = small_image(BlobStore(tmp_path / "store"), salt="unreachable")
    host = f"127.0.0.1:{free_port()}"
    with pytest.raises(PushError) as caught:
        push_image(built.store, built.root, [f"{host}/team/app:1"], access=registry_access())
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"push to {host}/team/app:1 failed while uploading layer")
    assert f"cannot reach registry {host} (connection refused)" in message
    assert caught.value.pushed == ()


def test_5xx_mid_push_fails_cleanly_and_a_retry_completes(proxy, tmp_path):
    built = small_image(BlobStore(tmp_path / "store"), salt="five-hundred")
    state = {"completed": 0}

    def fail(method: str, path: str) -> int | None:
        # the first blob upload goes through; every later one gets 503
        if method == "PUT" and "/blobs/uploads/" in path:
            if state["completed"] >= 1:
                return 503
            state["completed"] += 1
        return None

    proxy.fail = fail
    with pytest.raises(PushError) as caught:
        push_image(built.store, built.root, [f"{proxy.host}/team/flaky:1", f"{proxy.host}/team/flaky:2"], access=registry_access())
    message = str(caught.value)
    assert "\n" not in message
    assert f"push to {proxy.host}/team/flaky:1 failed while uploading" in message
    assert f"registry {proxy.host}" in message and "HTTP 503" in message
    assert caught.value.pushed == ()
    assert proxy.manifest_puts() == []  # no manifest: nothing claims the image is there

    proxy.fail = None
    proxy.reset()
    first, second = push_image(built.store, built.root, [f"{proxy.host}/team/flaky:1", f"{proxy.host}/team/flaky:2"], access=registry_access())
    assert first.existing == 1 and first.uploaded == built.blob_count - 1  # what arrived stays
    assert len(proxy.blob_uploads()) == built.blob_count - 1
    assert skopeo_digest(f"{proxy.host}/team/flaky:2") == built.root.digest


def test_connection_dropped_mid_upload_fails_cleanly_and_a_retry_completes(proxy, tmp_path):
    """The second blob's upload body arrives, then the connection closes without an answer, every time."""
    built = small_image(BlobStore(tmp_path / "store"), salt="dropped")
    uploads: list[str] = []

    def drop(method: str, path: str) -> bool:
        if method == "PUT" and "/blobs/uploads/" in path:
            uploads.append(path)
            return len(uploads) > 1
        return False

    proxy.drop = drop
    ref = f"{proxy.host}/team/dropped:1"
    with pytest.raises(PushError) as caught:
        push_image(built.store, built.root, [ref], access=registry_access())
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"push to {ref} failed while uploading")
    assert f"cannot reach registry {proxy.host} (" in message
    assert proxy.manifest_puts() == []
    proxy.drop = None
    (pushed,) = push_image(built.store, built.root, [ref], access=registry_access())
    assert pushed.existing == 1 and pushed.uploaded == built.blob_count - 1
    assert skopeo_digest(ref) == built.root.digest


@pytest.mark.e2e
def test_registry_stopped_between_blobs_fails_cleanly_and_a_retry_completes(tmp_path):
    """The real registry process is stopped after the first blob arrived, then started again."""
    directory = tmp_path / "registry"
    registry = rh.start_registry(directory)
    built = small_image(BlobStore(tmp_path / "store"), salt="stopped")
    try:
        with RegistryProxy(registry.host) as proxy:
            def after(method: str, path: str, status: int) -> None:
                if method == "PUT" and "/blobs/uploads/" in path and status == 201:
                    proxy.after = None
                    registry.stop()

            proxy.after = after
            ref = f"{proxy.host}/team/stopped:1"
            with pytest.raises(PushError) as caught:
                push_image(built.store, built.root, [ref], access=registry_access())
            message = str(caught.value)
            assert "\n" not in message
            assert message.startswith(f"push to {ref} failed while uploading")
            assert f"registry {proxy.host}" in message
            assert caught.value.pushed == ()

            registry = rh.start_registry(directory)  # same storage, new process (and port)
            proxy.upstream = registry.host
            proxy.reset()
            (pushed,) = push_image(built.store, built.root, [ref], access=registry_access())
            assert pushed.digest == built.root.digest
            assert pushed.existing == 1 and pushed.uploaded == built.blob_count - 1
            assert skopeo_digest(ref) == built.root.digest
    finally:
        registry.stop()


@pytest.mark.e2e
def test_wrong_password_is_one_line_without_the_secret(tmp_path, monkeypatch):
    registry = rh.start_registry(tmp_path / "auth-registry", auth=("pusher", PASSWORD))
    built = small_image(BlobStore(tmp_path / "store"), salt="auth")
    try:
        ref = f"{registry.host}/team/private:1"
        monkeypatch.setenv("AICONTAINER_REGISTRY_USERNAME", "pusher")
        monkeypatch.setenv("AICONTAINER_REGISTRY_PASSWORD", WRONG)
        messages: list[str] = []
        with pytest.raises(PushError) as caught:
            push_image(built.store, built.root, [ref], log=messages.append, access=registry_access())
        message = str(caught.value)
        assert "\n" not in message
        assert f"push to {ref} failed" in message
        assert f"registry {registry.host} refused the credentials" in message
        assert WRONG not in message and PASSWORD not in message
        assert not any(WRONG in m for m in messages)

        monkeypatch.delenv("AICONTAINER_REGISTRY_USERNAME")
        monkeypatch.delenv("AICONTAINER_REGISTRY_PASSWORD")
        with pytest.raises(PushError, match="denied anonymous access"):
            push_image(built.store, built.root, [ref], access=registry_access())

        config = tmp_path / "docker-config" / "config.json"
        import base64

        config.write_text(json.dumps({"auths": {registry.host: {"auth": base64.b64encode(f"pusher:{PASSWORD}".encode()).decode()}}}))
        (pushed,) = push_image(built.store, built.root, [ref], log=messages.append, access=registry_access())
        assert skopeo_digest(ref, creds=f"pusher:{PASSWORD}") == pushed.digest == built.root.digest
        assert not any(PASSWORD in m for m in messages)
    finally:
        registry.stop()


def test_docker_pulls_and_runs_the_pushed_image(docker_engine, python_base_layout, open_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    built = runnable_image(store, python_base_layout.path, python_base_layout.tag, greeting="hello from the registry")
    ref = f"{open_registry.host}/team/runnable:1.0"
    (pushed,) = push_image(store, built.root, [ref], access=registry_access())
    assert skopeo_digest(ref) == built.root.digest
    docker_engine.docker("pull", ref, timeout=600)
    digests = json.loads(docker_engine.docker("image", "inspect", "--format", "{{json .RepoDigests}}", ref).stdout)
    assert f"{open_registry.host}/team/runnable@{pushed.digest}" in digests
    run = docker_engine.docker("run", "--rm", "--network", "none", ref, timeout=600)
    assert run.stdout.strip() == "hello from the registry (3, 11)"
    # the archive of the same image pushes to the same digest
    archive = write_archive(built, tmp_path / "runnable.oci.tar", tags=("runnable:1.0",))
    (again,) = push_archive(archive, [f"{open_registry.host}/team/runnable:again"], cache_dir=tmp_path / "other", access=registry_access())
    assert again.digest == pushed.digest and again.existing == len(built.images[0].layers) + 1


def test_skopeo_reads_the_pushed_config(proxy, tmp_path):
    built = small_image(BlobStore(tmp_path / "store"), salt="config")
    push_image(built.store, built.root, [f"{proxy.host}/team/config:1"], access=registry_access())
    done = subprocess.run(
        ["skopeo", "inspect", "--tls-verify=false", "--config", f"docker://{proxy.host}/team/config:1"],
        capture_output=True, text=True, check=True,
    )
    config = json.loads(done.stdout)
    assert config["config"]["Cmd"] == ["cat", "/app/hello.txt"]
    assert config["config"]["Labels"]["io.hatch-aicontainer.tensorflow"] == "2.16.1"
