"""The files pipelines read (hatch_aicontainer.outputs.results) and the outputs steps that write them (outputs.apply)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest
import registry_helpers as rh
from release_helpers import LABELS, free_port, skopeo_digest, small_archive

from hatch_aicontainer.build.base.accounts import ResolvedUser
from hatch_aicontainer.build.base.python import PythonInfo
from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.build.deps.installed import InstalledFacts, InstalledFramework
from hatch_aicontainer.build.deps.lock import Lock
from hatch_aicontainer.build.deps.tensorflow_rule import TensorFlowChoice
from hatch_aicontainer.build.entrypoint import Entrypoint
from hatch_aicontainer.build.image import BuiltImage, PlatformImage
from hatch_aicontainer.config.compat import check_target
from hatch_aicontainer.config.settings import ProjectInfo, load_settings
from hatch_aicontainer.core.errors import OutputError
from hatch_aicontainer.oci.archive import ArchiveImage, layout_documents
from hatch_aicontainer.oci.descriptor import Platform
from hatch_aicontainer.outputs import apply, layout_path, push_references
from hatch_aicontainer.outputs.push.publish import PushError
from hatch_aicontainer.outputs.results import (
    add_pushed,
    digest_path,
    read_results,
    record_for_archive,
    results_path,
    write_results,
)
from hatch_aicontainer.registry.reference import BaseImageSpec  # noqa: E402

PASSWORD = "results-Secret-77Hq"
PROJECT = ProjectInfo(name="hello-app", version="1.0.0", requires_python=">=3.10", root=Path("/nonexistent"))


pytestmark = pytest.mark.usefixtures("no_ambient_settings")


def settings_for(table: dict, environ: dict | None = None):
    return load_settings({"tensorflow": "2.16.1", "python": "3.11", **table}, PROJECT, environ or {})


def build_result(archive: Path, built, tags=("hello-app:1.0.0",)) -> BuiltImage:
    """The image value a build returns, for the small image ``built`` written to ``archive``: its real
    descriptors and config documents; the facts the labels of release_helpers.LABELS state."""
    images = []
    for item in built.images:
        platform = Platform.parse(str(item.manifest.platform))
        config = json.loads(built.store.read_bytes(item.config.digest))
        labels = (config.get("config") or {}).get("Labels") or {}
        lock = Lock(Path(f"/project/pylock.aicontainer-py311-{platform.architecture}-cpu.toml"),
                    labels["io.hatch-aicontainer.lock.sha256"], (), True, TensorFlowChoice("tensorflow-cpu"))
        images.append(PlatformImage(
            platform=platform, target=check_target("3.11", {"tensorflow": "2.16.1"}, "cpu", platform),
            base=BaseImage(BaseImageSpec.parse("oci:/base:1"), "oci:/base:1@" + item.config.digest, item.config.digest, None, {}, ()),
            python=PythonInfo("3.11", "3.11", "/usr/bin/python3.11"), lock=lock, manifest=item.manifest, config=item.config,
            config_document=config, layers=tuple(item.layers), dependency_layer_cached=True,
            installed=InstalledFacts(python=labels["io.hatch-aicontainer.python"], frameworks=(InstalledFramework(
                "tensorflow", labels["io.hatch-aicontainer.tensorflow.package"], labels["io.hatch-aicontainer.tensorflow"]),)),
            entrypoint=Entrypoint(("python",)), user=ResolvedUser(10001, 10001, False), labels=labels,
        ))
    return BuiltImage(archive=archive, root=built.root, repo_tags=tuple(tags), images=tuple(images), project=PROJECT,
                      documents=layout_documents(built.root, [ArchiveImage(i.manifest, i.config, i.layers) for i in images],
                                                 tags[0].rpartition(":")[2], tuple(tags)))


def test_the_build_and_an_archive_read_back_give_one_record(tmp_path):
    """The build writes the record from its own value; ``aicontainer inspect``/``push`` of the archive read it
    back from the archive's labels and descriptors: the two must be the same record."""
    for platforms in (("linux/amd64",), ("linux/amd64", "linux/arm64")):
        archive, built = small_archive(tmp_path / "-".join(p.replace("/", "_") for p in platforms), platforms=platforms, salt="one-record")
        from_build = apply(build_result(archive, built), settings_for({}), built.store).record
        from_archive = record_for_archive(archive, keep_history=False)
        lock_files = [entry.pop("lock_file") for entry in from_build["platforms"]]
        assert lock_files and all(name.startswith("pylock.aicontainer-py311-") for name in lock_files)
        assert from_archive == from_build


def dist_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# --- the record ------------------------------------------------------------------------------------


def test_single_platform_record(tmp_path):
    archive, built = small_archive(tmp_path, salt="record")
    record = record_for_archive(archive)
    json_path, digest_file = write_results(archive, record)
    assert json_path == results_path(archive) == archive.with_name(archive.name + ".json")
    assert digest_file == digest_path(archive)
    assert digest_file.read_text() == built.root.digest + "\n"
    assert dist_files(archive.parent) == sorted([archive.name, json_path.name, digest_file.name])  # no temp files
    data = json.loads(json_path.read_text())
    image = built.images[0]
    assert data["schema"] == 1
    assert data["archive"] == archive.name and data["archive_size"] == archive.stat().st_size
    assert data["name"] == "hello-app" and data["tags"] == ["hello-app:1.0.0"]
    assert data["digest"] == built.root.digest
    assert data["media_type"] == "application/vnd.oci.image.manifest.v1+json"
    (platform,) = data["platforms"]
    assert platform["platform"] == "linux/amd64"
    assert platform["digest"] == image.manifest.digest and platform["config"] == image.config.digest
    assert platform["layers"] == [{"digest": l.digest, "size": l.size, "media_type": l.media_type} for l in image.layers]
    assert platform["size"] == image.manifest.size + image.config.size + sum(l.size for l in image.layers)
    assert data["size"] == platform["size"]
    assert data["pinned"] == {"python": "3.11", "tensorflow": "2.16.1", "tensorflow_package": "tensorflow-cpu",
                              "accelerator": "cpu", "cuda": None, "cudnn": None}
    assert data["lock_sha256"] == LABELS["io.hatch-aicontainer.lock.sha256"] == platform["lock_sha256"]
    assert data["pushed"] == [] and data["loaded"] == []


def test_multi_platform_record_counts_shared_blobs_once(tmp_path):
    archive, built = small_archive(tmp_path, platforms=("linux/amd64", "linux/arm64"), salt="multi-record")
    data = record_for_archive(archive)
    assert data["digest"] == built.root.digest
    assert data["media_type"] == "application/vnd.oci.image.index.v1+json"
    assert [p["platform"] for p in data["platforms"]] == ["linux/amd64", "linux/arm64"]
    assert [p["digest"] for p in data["platforms"]] == [i.manifest.digest for i in built.images]
    blobs = {built.root.digest: built.root.size}
    for image in built.images:
        blobs.update({d.digest: d.size for d in (image.manifest, image.config, *image.layers)})
    assert len(blobs) < 1 + 4 * len(built.images)  # the "shared" layer is the same on both platforms
    assert data["size"] == sum(blobs.values())


def test_history_is_kept_for_the_same_digest_only(tmp_path):
    archive, built = small_archive(tmp_path, salt="history")
    record = add_pushed(record_for_archive(archive), [f"127.0.0.1:5000/a:1@{built.root.digest}"])
    write_results(archive, record)
    assert record_for_archive(archive)["pushed"] == [f"127.0.0.1:5000/a:1@{built.root.digest}"]
    assert record_for_archive(archive, keep_history=False)["pushed"] == []
    other, _ = small_archive(tmp_path / "other", salt="history-rebuilt")
    os.replace(other, archive)  # a rebuild with another digest: old pushes are not its pushes
    assert record_for_archive(archive)["pushed"] == []
    assert read_results(tmp_path / "absent.oci.tar") is None


# --- the outputs step ------------------------------------------------------------------------------


def test_nothing_asked_writes_only_the_results(tmp_path):
    archive, built = small_archive(tmp_path, salt="plain")
    done = apply(build_result(archive, built), settings_for({}), built.store)
    assert dist_files(archive.parent) == sorted([archive.name, archive.name + ".json", archive.name + ".digest"])
    assert done.record["pushed"] == [] and done.record["loaded"] == []
    assert done.record["platforms"][0]["lock_file"] == "pylock.aicontainer-py311-amd64-cpu.toml"
    assert read_results(archive) == done.record


def test_push_and_layout_outputs_are_recorded(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="outputs")
    settings = settings_for({"push": [f"{proxy.host}/team/{{name}}", f"{proxy.host}/ci/{{name}}:tf{{tensorflow}}"],
                             "latest": True, "oci-layout": True})
    messages: list[str] = []
    done = apply(build_result(archive, built), settings, built.store, log=messages.append)
    expected = [f"{proxy.host}/team/hello-app:1.0.0", f"{proxy.host}/ci/hello-app:tf2.16.1",
                f"{proxy.host}/team/hello-app:latest", f"{proxy.host}/ci/hello-app:latest"]
    assert push_references(settings, ["hello-app:1.0.0"]) == expected
    assert done.record["pushed"] == [f"{ref}@{built.root.digest}" for ref in expected]
    for ref in expected:
        assert skopeo_digest(ref) == built.root.digest
    assert read_results(archive)["pushed"] == done.record["pushed"]
    assert digest_path(archive).read_text().strip() == built.root.digest
    # the OCI layout directory, read by skopeo
    layout = layout_path(archive)
    assert done.layout == layout and layout.name == "hello_app-1.0.0.oci" and done.record["oci_layout"] == layout.name
    done_inspect = subprocess.run(["skopeo", "inspect", "--no-tags", f"oci:{layout}:1.0.0"], capture_output=True,
                                  text=True, check=True)
    assert json.loads(done_inspect.stdout)["Digest"] == built.root.digest
    assert not [p for p in archive.parent.iterdir() if p.name.startswith(".")]  # no temp leftovers
    # a second build's outputs: the layout is replaced, nothing is sent again
    proxy.reset()
    apply(build_result(archive, built), settings, built.store)
    assert proxy.writes() == []


def test_environment_turns_push_on_and_off(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="env")
    configured = {"push": [f"{proxy.host}/team/{{name}}:{{version}}"]}
    done = apply(build_result(archive, built), settings_for(configured, {"AICONTAINER_PUSH": "0"}), built.store)
    assert done.record["pushed"] == [] and proxy.seen == []
    env = {"AICONTAINER_PUSH_TO": f"{proxy.host}/from-ci/{{name}}:{{version}}-{{platform}}"}
    done = apply(build_result(archive, built), settings_for(configured, env), built.store)
    assert done.record["pushed"] == [f"{proxy.host}/from-ci/hello-app:1.0.0-amd64@{built.root.digest}"]


def test_a_failed_push_records_only_what_succeeded(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="partial")
    dead = f"127.0.0.1:{free_port()}"
    settings = settings_for({"push": [f"{proxy.host}/team/{{name}}:{{version}}", f"{dead}/team/{{name}}:{{version}}"]})
    with pytest.raises(PushError) as caught:
        apply(build_result(archive, built), settings, built.store)
    assert f"push to {dead}/team/hello-app:1.0.0 failed" in str(caught.value)
    data = read_results(archive)
    assert data["pushed"] == [f"{proxy.host}/team/hello-app:1.0.0@{built.root.digest}"]
    assert data["digest"] == built.root.digest


def test_no_engine_means_no_load_and_no_push_claimed(proxy, tmp_path):
    archive, built = small_archive(tmp_path, salt="no-engine")
    host = f"unix://{tmp_path}/no-docker.sock"
    settings = settings_for({"load": True, "push": [f"{proxy.host}/team/{{name}}:{{version}}"]}, {"DOCKER_HOST": host})
    with pytest.raises(OutputError, match=f"^Docker engine at {host} is not reachable"):
        apply(build_result(archive, built), settings, built.store)
    data = read_results(archive)
    assert data["loaded"] == [] and data["pushed"] == []
    assert proxy.seen == []


def test_load_output_is_recorded(docker_engine, tmp_path):
    archive, built = small_archive(tmp_path, salt="load-output")
    settings = settings_for({"load": True, "latest": True}, docker_engine.env)
    done = apply(build_result(archive, built), settings, built.store)
    (loaded,) = done.record["loaded"]
    assert loaded == {"engine": docker_engine.host, "image_id": built.images[0].config.digest,
                      "tags": ["hello-app:1.0.0", "hello-app:latest"]}
    assert read_results(archive)["loaded"] == [loaded]
    docker_engine.docker("image", "inspect", "hello-app:latest")


@pytest.mark.e2e
def test_no_secret_in_messages_or_files(tmp_path, monkeypatch):
    registry = rh.start_registry(tmp_path / "auth-registry", auth=("ci", PASSWORD))
    try:
        archive, built = small_archive(tmp_path, salt="secret")
        table = {"push": [f"{registry.host}/team/{{name}}:{{version}}"]}
        messages: list[str] = []
        credentials = {"AICONTAINER_REGISTRY_USERNAME": "ci", "AICONTAINER_REGISTRY_PASSWORD": PASSWORD + "-wrong"}
        with pytest.raises(PushError) as caught:
            apply(build_result(archive, built), settings_for(table, credentials), built.store, log=messages.append)
        assert f"registry {registry.host} refused the credentials" in str(caught.value)
        assert read_results(archive)["pushed"] == []
        credentials["AICONTAINER_REGISTRY_PASSWORD"] = PASSWORD
        done = apply(build_result(archive, built), settings_for(table, credentials), built.store, log=messages.append)
        assert done.record["pushed"] == [f"{registry.host}/team/hello-app:1.0.0@{built.root.digest}"]
        assert skopeo_digest(f"{registry.host}/team/hello-app:1.0.0", creds=f"ci:{PASSWORD}") == built.root.digest
        encoded = base64.b64encode(f"ci:{PASSWORD}".encode()).decode()
        for text in [str(caught.value), *messages] + [p.read_text(errors="replace") for p in archive.parent.iterdir() if p.is_file() and p != archive]:
            assert PASSWORD not in text and encoded not in text
        assert PASSWORD.encode() not in archive.read_bytes()
    finally:
        registry.stop()


def test_base_image_repository_is_a_mount_source(proxy, tmp_path):
    """Layers the image shares with its base, in the same registry, are mounted, not uploaded."""
    archive, built = small_archive(tmp_path, salt="base-mount")
    first = settings_for({"push": [f"{proxy.host}/library/base:1"]})
    apply(build_result(archive, built), first, built.store)  # stands in for the base image
    proxy.reset()
    settings = settings_for({"base-image": f"{proxy.host}/library/base:1", "push": [f"{proxy.host}/team/{{name}}:{{version}}"]})
    done = apply(build_result(archive, built), settings, built.store)
    assert done.record["pushed"] == [f"{proxy.host}/team/hello-app:1.0.0@{built.root.digest}"]
    assert proxy.blob_uploads() == []
    assert len(proxy.mounts()) == built.blob_count


def test_hatch_clean_removes_the_results_and_the_layout(tmp_path):
    from hatchling.plugin.manager import PluginManager

    from hatch_aicontainer.plugin.builder import ContainerBuilder

    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "hello-app"\nversion = "1.0.0"\n')
    archive, built = small_archive(tmp_path, salt="clean")
    settings = settings_for({"oci-layout": True})
    apply(build_result(archive, built), settings, built.store)
    other = archive.with_name("other_app-1.0.0.oci.tar")
    other.write_bytes(b"another project's archive")
    assert layout_path(archive).is_dir()
    ContainerBuilder(str(root), plugin_manager=PluginManager()).clean(str(archive.parent), [])
    assert dist_files(archive.parent) == [other.name]


def _clean(tmp_path, project_name: str, dist: Path) -> None:
    from hatchling.plugin.manager import PluginManager

    from hatch_aicontainer.plugin.builder import ContainerBuilder

    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{project_name}"\nversion = "1.0.0"\n')
    ContainerBuilder(str(root), plugin_manager=PluginManager()).clean(str(dist), [])


@pytest.mark.parametrize("through", ["hatch", "outputs.clean"])
def test_the_archives_of_a_dotted_project_name_are_cleaned(through, tmp_path):
    """Clean and the archive name spell the prefix one way: clean once spelled it from the name as
    given (``my.app-``) while archives are named by the canonical name (``my_app-``). hatchling hands the builder a normalized name
    (``my-app``), so ``hatch clean`` was spared; any caller with the name as written was not."""
    from hatch_aicontainer import outputs

    dist = tmp_path / "dist"
    dist.mkdir()
    stem = "my_app-1.0.0-py311-tf2.16.1-cpu-amd64"
    for name in (f"{stem}.oci.tar", f"{stem}.oci.tar.json", f"{stem}.oci.tar.digest", f"{stem}.cdx.json"):
        (dist / name).write_bytes(b"x")
    if through == "hatch":
        _clean(tmp_path, "My.App", dist)
    else:
        outputs.clean(dist, "My.App")
    assert dist_files(dist) == []


def test_hatch_clean_removes_what_an_archive_false_build_wrote(tmp_path):
    """With ``archive = false`` there is no ``.oci.tar``: its results, digest and SBOMs go all the same,
    and a longer archive name that only starts like it is kept."""
    dist = tmp_path / "dist"
    dist.mkdir()
    stem = "hello_app-1.0.0-py311-tf2.16.1-cpu-amd64"
    for name in (f"{stem}.oci.tar.json", f"{stem}.oci.tar.digest", f"{stem}.cdx.json"):
        (dist / name).write_bytes(b"x")
    other = "hello_app-1.0.0-py311-tf2.16.1-cpu-amd64-arm64"
    (dist / f"{other}.linux-arm64.cdx.json").write_bytes(b"x")  # another archive's SBOM (no record of it)
    (dist / "hello_app-1.0.0-py3-none-any.whl").write_bytes(b"wheel")  # not ours to clean
    _clean(tmp_path, "hello-app", dist)
    assert dist_files(dist) == sorted([f"{other}.linux-arm64.cdx.json", "hello_app-1.0.0-py3-none-any.whl"])
