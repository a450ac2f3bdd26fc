"""``aicontainer push`` across commands: references need a tag, an archive is pushed from
its own checked bytes only, and blobs are mounted from repositories an earlier command pushed to,
or from the base image's repository, instead of being uploaded again.

Each push runs as a pipeline runs it (a subprocess) against a real docker-registry behind the
recording proxy (``release_helpers.RegistryProxy``), which counts what is sent; skopeo is the
independent judge of what the registry then serves.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest
import registry_helpers as rh
from cli_helpers import aicontainer, assert_one_line_error, cli_env
from environments import registry_access
from release_helpers import LABELS, MTIME, built_from, skopeo_digest, small_archive, write_archive

from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.archive import ArchiveImage
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.oci.image import ConfigChanges, image_config, image_manifest, rfc3339, store_json
from hatch_aicontainer.oci.layer import LayerEntry, write_layer
from hatch_aicontainer.outputs.push.mounts import MountSources
from hatch_aicontainer.outputs.push.publish import PushError, push_archive, push_image

PASSWORD = "trust-Secret-73Qp"


pytestmark = pytest.mark.usefixtures("no_ambient_settings")


def _record(cache: Path, host: str) -> dict:
    (path,) = (cache / "registries").glob("*.json")
    assert host.split(":")[0] in path.name
    return json.loads(path.read_text())


def _no_manifest(ref: str) -> bool:
    done = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--raw", f"docker://{ref}"],
                          capture_output=True, text=True)
    return done.returncode != 0 and ("manifest unknown" in done.stderr or "not found" in done.stderr.lower())


def _flip_a_byte(archive: Path, digest: str) -> None:
    """Change one byte in the middle of blob ``digest`` inside the tar; the tar itself stays valid."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(f"blobs/sha256/{digest.split(':', 1)[1]}")
        offset = member.offset_data + member.size // 2
    with open(archive, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))


# --- a reference names its tag ------------------------------------------------------------------


def test_a_reference_without_a_tag_is_refused_and_latest_is_written_out(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="no-tag")
    bare = f"{proxy.host}/team/untagged"
    done = aicontainer("push", str(archive), f"{bare}:1", bare, env=cli_env(tmp_path))
    line = assert_one_line_error(done, f"push reference '{bare}' names no tag", f"write {bare}:latest", "allowed:")
    assert "latest is never implied" in line
    assert proxy.seen == [] and done.stdout == ""  # checked before anything is sent
    assert _no_manifest(f"{bare}:latest")

    done = aicontainer("push", str(archive), f"{bare}:latest", f"{bare}@{built.root.digest}", env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{bare}:latest@{built.root.digest}", f"{bare}@{built.root.digest}"]
    assert skopeo_digest(f"{bare}:latest") == built.root.digest


# --- only the archive's bytes -------------------------------------------------------------------


def test_a_corrupt_archive_fails_though_the_cache_holds_good_copies(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="corrupt")
    layer = built.images[0].layers[1].digest
    cache = built.store.root  # the store the image was built in: every blob of the archive, intact
    assert built.store.verify(layer)
    _flip_a_byte(archive, layer)
    ref = f"{proxy.host}/team/corrupt:1"
    done = aicontainer("push", str(archive), ref, env=cli_env(tmp_path, AICONTAINER_CACHE_DIR=str(cache)))
    assert_one_line_error(done, f"push to {ref} failed", f"blob {layer[:19]} in {archive} does not match its digest")
    assert done.stdout == ""
    assert proxy.manifest_puts() == [] and _no_manifest(ref)
    # the corrupt layer never completed an upload (its body was cut short before the last byte)
    assert not [s for s in proxy.blob_uploads() if layer.split(":")[1] in s.path]
    assert rh._status(f"http://{proxy.host}/v2/team/corrupt/blobs/{layer}") == 404
    record = json.loads(archive.with_name(archive.name + ".json").read_text()) if archive.with_name(
        archive.name + ".json").exists() else {"pushed": []}
    assert record["pushed"] == []


def test_a_corrupt_blob_the_registry_already_has_still_fails(proxy, tmp_path):
    """Blobs not sent (HEAD found them, or a mount brought them) are read from the archive and checked too."""
    archive, built = small_archive(tmp_path, salt="corrupt-known")
    good = tmp_path / "good.oci.tar"
    good.write_bytes(archive.read_bytes())
    store = BlobStore(tmp_path / "cache")
    push_archive(good, [f"{proxy.host}/team/known:1"], cache_dir=store.root, access=registry_access())
    layer = built.images[0].layers[0].digest
    _flip_a_byte(archive, layer)
    for ref in (f"{proxy.host}/team/known:2", f"{proxy.host}/other/known:1"):  # exists; mounted
        proxy.reset()
        with pytest.raises(PushError) as caught:
            push_archive(archive, [ref], cache_dir=store.root, access=registry_access())
        message = str(caught.value)
        assert "\n" not in message and f"blob {layer[:19]}" in message and "does not match its digest" in message
        assert proxy.manifest_puts() == [] and _no_manifest(ref)
        assert not proxy.blob_uploads()  # nothing needed sending: the check read the archive


# --- mounts across commands ---------------------------------------------------------------------


def test_a_second_command_mounts_from_the_repository_the_first_pushed_to(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="across")
    env = cli_env(tmp_path)  # one cache for both commands
    first = aicontainer("push", str(archive), f"{proxy.host}/team/across-a:1", env=env)
    assert first.returncode == 0, first.stderr
    assert len(proxy.blob_uploads()) == built.blob_count

    proxy.reset()
    second = aicontainer("push", str(archive), f"{proxy.host}/team/across-b:1", env=env)
    assert second.returncode == 0, second.stderr
    assert proxy.blob_uploads() == [] and not [s for s in proxy.writes() if s.method == "PATCH"]
    assert len(proxy.mounts()) == built.blob_count
    assert all("from=team%2Facross-a" in s.path or "from=team/across-a" in s.path for s in proxy.mounts())
    assert [s.path for s in proxy.manifest_puts()] == ["/v2/team/across-b/manifests/1"]
    assert f"0 blobs uploaded, {built.blob_count} mounted" in second.stderr
    assert skopeo_digest(f"{proxy.host}/team/across-b:1") == built.root.digest
    subprocess.run(["skopeo", "copy", "--src-tls-verify=false", f"docker://{proxy.host}/team/across-b:1",
                    f"oci:{tmp_path / 'copy'}:b"], check=True, capture_output=True)  # every blob is there, verified

    # the record: per registry host, digests -> repositories; nothing else
    record = _record(tmp_path / "cache", proxy.host)
    assert set(record) == {"version", "blobs"}
    for digest in {d.digest for i in built.images for d in (i.config, *i.layers)}:
        assert record["blobs"][digest] == ["team/across-b", "team/across-a"]

    # control: a command with an empty cache knows of no such repository, and uploads
    proxy.reset()
    third = aicontainer("push", str(archive), f"{proxy.host}/team/across-c:1",
                        env=cli_env(tmp_path, AICONTAINER_CACHE_DIR=str(tmp_path / "empty-cache")))
    assert third.returncode == 0, third.stderr
    assert len(proxy.blob_uploads()) == built.blob_count and proxy.mounts() == []


def test_the_base_layers_are_mounted_from_the_base_image_repository(proxy, tmp_path):
    """The image names its base (org.opencontainers.image.base.name, as a build writes it); a base
    pushed to the same registry by skopeo lends its layers, so only the image's own blobs are sent."""
    base_archive, base = small_archive(tmp_path / "base", salt="base-of-app", tags=("base:1",))
    base_ref = f"{proxy.host}/library/base:1"
    subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", f"oci-archive:{base_archive}:1",
                    f"docker://{base_ref}"], check=True, capture_output=True)
    (base_image,) = base.images
    base_config = json.loads(base.store.read_bytes(base_image.config.digest))

    store = BlobStore(tmp_path / "build-store")
    for descriptor in base_image.layers:
        store.put_bytes(base.store.path(descriptor.digest).read_bytes())
    platform = Platform("linux", "amd64")
    layer = write_layer([LayerEntry("app/app.txt", "file", data=b"the app\n")], store, mtime=MTIME)
    changes = ConfigChanges(env={}, entrypoint=None, cmd=["cat", "/app/app.txt"], workdir="/app", user=None,
                            exposed_ports=[], labels={**LABELS, "org.opencontainers.image.base.name": base_ref})
    diff_ids = [(d, "base") for d in base_config["rootfs"]["diff_ids"]] + [(layer.diff_id, "app")]
    config = store_json(store, image_config(base_config, changes, platform=platform, layers=diff_ids,
                                            created=rfc3339(MTIME)), mediatypes.OCI_CONFIG)
    layers = [*base_image.layers, layer.descriptor]
    manifest = store_json(store, image_manifest(config, layers, {"org.opencontainers.image.base.name": base_ref}),
                          mediatypes.OCI_MANIFEST, platform=platform)
    app = built_from(store, [ArchiveImage(manifest=manifest, config=config, layers=layers)])
    archive = write_archive(app, tmp_path / "dist" / "app.oci.tar", tags=("app:1",))

    proxy.reset()
    ref = f"{proxy.host}/team/with-base:1"
    done = aicontainer("push", str(archive), ref, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    uploaded = sorted(s.path.rsplit("digest=", 1)[1].replace("%3A", ":") for s in proxy.blob_uploads())
    assert uploaded == sorted([layer.descriptor.digest, config.digest])  # the image's own blobs only
    assert len(proxy.mounts()) == len(base_image.layers)
    assert all("from=library%2Fbase" in s.path or "from=library/base" in s.path for s in proxy.mounts())
    assert skopeo_digest(ref) == app.root.digest
    subprocess.run(["skopeo", "copy", "--src-tls-verify=false", f"docker://{ref}", f"oci:{tmp_path / 'copy'}:app"],
                   check=True, capture_output=True)

    # a build's own push (from its store, with an empty cache) mounts them the same way
    proxy.reset()
    (pushed,) = push_image(store, app.root, [f"{proxy.host}/team/built-on-base:1"], cache_dir=tmp_path / "fresh", access=registry_access())
    assert (pushed.uploaded, pushed.mounted) == (2, len(base_image.layers))
    assert all("from=library%2Fbase" in s.path or "from=library/base" in s.path for s in proxy.mounts())


@pytest.mark.e2e
def test_a_stale_record_falls_back_to_an_upload_and_holds_no_credentials(tmp_path):
    """A recorded repository the registry refuses to mount from (gone, or never readable) costs
    nothing but the refused request: the blob is uploaded into the session the registry opened."""
    registry = rh.start_registry(tmp_path / "auth-registry", auth=("pusher", PASSWORD))
    try:
        archive, built = small_archive(tmp_path, salt="stale")
        cache = tmp_path / "cache"
        env = cli_env(tmp_path, AICONTAINER_REGISTRY_USERNAME="pusher", AICONTAINER_REGISTRY_PASSWORD=PASSWORD)
        digests = sorted({d.digest for i in built.images for d in (i.config, *i.layers)})
        MountSources(cache).record(registry.host, "team/deleted-long-ago", digests)
        ref = f"{registry.host}/team/fresh:1"
        done = aicontainer("push", str(archive), ref, env=env)
        assert done.returncode == 0, done.stderr
        assert f"{built.blob_count} blobs uploaded, 0 mounted" in done.stderr
        assert registry.requests_served("POST", r"/v2/team/fresh/blobs/uploads/\?mount=[^ ]*&from=team/deleted-long-ago") == built.blob_count
        assert skopeo_digest(ref, creds=f"pusher:{PASSWORD}") == built.root.digest
        record = _record(cache, registry.host)
        assert all(record["blobs"][d] == ["team/fresh", "team/deleted-long-ago"] for d in digests)
        for path in (cache / "registries").iterdir():  # only digests and repository names
            text = path.read_text()
            assert PASSWORD not in text and "pusher" not in text
    finally:
        registry.stop()


def test_a_cache_that_cannot_keep_the_record_is_said_in_one_line_and_the_push_succeeds(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="no-record")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "registries").write_text("a file where the record's folder belongs")
    done = aicontainer("push", str(archive), f"{proxy.host}/team/no-record:1", env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{proxy.host}/team/no-record:1@{built.root.digest}"
    notes = [line for line in done.stderr.splitlines() if line.startswith("note: cannot record")]
    assert len(notes) == 1 and f"{proxy.host}/team/no-record" in notes[0], done.stderr
    assert "Traceback" not in done.stderr
