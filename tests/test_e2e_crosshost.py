"""One digest from any host: the example project built on three machines.

Real parts only (see tests/build_hosts.py): this host (hatch on the test's
Python), a Debian trixie root file system in a chroot (hatch on Python 3.13,
one CPU, umask 077, another time zone and locale), and an unprivileged
container from the bookworm Python base (Debian's Python 3.11.2, uid 1000,
no capabilities), as a CI pod would. Each starts with an empty plugin cache;
uv's download cache is shared. The project is a git work tree, as a real
checkout is (the two other hosts have no git installed).

Then the next release (a new project version, same dependencies), built on a
fresh host with an empty cache and pushed through a recording proxy after the
first one, uploads only the layers that changed.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import base_images
import image_facts
import pytest
from build_hosts import HostBuild, Kit, build_in_chroot, build_in_container, build_on_host, ca_bundle
from e2e_helpers import EXAMPLE, copy_project, unpacked_by_uv
from environments import registry_access

from hatch_aicontainer.outputs.push.publish import push_archive

pytestmark = pytest.mark.e2e

SITE = "opt/venv/lib/python3.11/site-packages"
# A module every image must carry compiled for its own Python (3.11 in the example).
PYC = f"{SITE}/tensorflow/__pycache__/__init__.cpython-311.pyc"


def _git(project: Path, *args: str) -> None:
    env = {"GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid", "HOME": str(project)}
    subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=project, env=env, check=True, capture_output=True)


def _checkout(destination: Path, version: str | None = None) -> Path:
    """The example as a committed git work tree (optionally with another project version)."""
    project = copy_project(EXAMPLE, destination)
    if version is not None:
        pyproject = project / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', f'version = "{version}"', 1))
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "release")
    return project


@pytest.fixture(scope="module")
def kit(plugin_wheelhouse, base_image_ref) -> Kit:
    caches = base_images.cache_dir() / "uv-crosshost-root", base_images.cache_dir() / "uv-crosshost-uid1000"
    for cache in caches:  # kept between runs, like the debootstrap root file systems
        cache.mkdir(exist_ok=True)
    return Kit(plugin_wheelhouse, *caches, ca_bundle=ca_bundle(), base_image=base_image_ref)


@pytest.fixture(scope="module")
def builds(kit, docker_engine, base_image_ref, module_tmp) -> dict[str, HostBuild]:
    root = module_tmp.mktemp("crosshost")
    project = _checkout(root / "checkout" / "example_project")
    rootfs = base_images.ensure_debian_rootfs("trixie")
    docker_engine.docker("pull", "--quiet", base_image_ref)  # the CI pod's image: Debian's Python 3.11.2
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as pool:  # at the same time: ~2x faster on 2 cores
        futures = {
            "host": pool.submit(build_on_host, kit, project, root / "host"),
            "chroot": pool.submit(build_in_chroot, kit, project, rootfs, root / "chroot"),
            "container": pool.submit(build_in_container, kit, project, docker_engine, base_image_ref, root / "container"),
        }
        out = {name: future.result() for name, future in futures.items()}
    for build in out.values():
        print(f"[crosshost] {build.host}: Python {build.python}, hatch build {build.seconds:.1f} s, {build.digest}")
    print(f"[crosshost] three builds at once: {time.monotonic() - started:.1f} s")
    return out


def _blob(archive: Path, digest: str) -> bytes:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("blobs/sha256/" + digest.split(":", 1)[1])
        assert member is not None
        return member.read()


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("index.json")
        assert member is not None
        (root,) = json.loads(member.read())["manifests"]
    return json.loads(_blob(archive, root["digest"]))


def _config(build: HostBuild) -> dict:
    return json.loads(_blob(build.archive, _manifest(build.archive)["config"]["digest"]))


def _layers(build: HostBuild) -> list[tuple[str, str]]:
    """(comment, digest) of every layer, named by the config's history."""
    manifest = _manifest(build.archive)
    config = _config(build)
    comments = [h.get("comment") or h.get("created_by", "") for h in config["history"] if not h.get("empty_layer")]
    return list(zip(comments, (layer["digest"] for layer in manifest["layers"])))


def test_three_hosts_give_one_digest(builds):
    pythons = {name: build.python for name, build in builds.items()}
    assert pythons["chroot"].startswith("3.13.") and pythons["container"] == "3.11.2", pythons
    reference = builds["host"]
    for name, build in builds.items():
        if build.digest == reference.digest:
            continue
        differing = [
            f"{comment}: {ours[:19]} vs {theirs[:19]}"
            for (comment, ours), (_, theirs) in zip(_layers(reference), _layers(build))
            if ours != theirs
        ]
        ours, theirs = (_config(b)["config"].get("Labels") or {} for b in (reference, build))
        differing += [f"label {k}: {ours.get(k)!r} vs {theirs.get(k)!r}" for k in sorted(ours.keys() | theirs.keys())
                      if ours.get(k) != theirs.get(k)]
        pytest.fail(f"{name} (Python {build.python}) differs from the host: {differing}")


def test_three_hosts_give_one_provenance(builds):
    """The provenance (and every attestation) is the same bytes on each host: no host's Python, user, path,
    CPU count or time reaches it; and it states the Python the image holds, not the one that built it."""
    reference = image_facts.archive_provenance(builds["host"].archive)
    assert reference["subject"][0]["digest"]["sha256"] == builds["host"].digest.split(":", 1)[1]
    for name, build in builds.items():
        assert image_facts.archive_provenance(build.archive) == reference, name
        assert _referrers_index(build.archive) == _referrers_index(builds["host"].archive), name
    assert reference["predicate"]["buildDefinition"]["externalParameters"]["settings"]["python"] == "3.11"


def _attestation_layers(archive: Path) -> list[str]:
    """The layer blob (statement or bundle) of every attestation in the archive."""
    index = json.loads(_blob(archive, _referrers_index(archive)))
    return [json.loads(_blob(archive, m["digest"]))["layers"][0]["digest"] for m in index["manifests"]]


def _referrers_index(archive: Path) -> str:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("index.json")
        assert member is not None
        (root,) = json.loads(member.read())["manifests"]
    return root["annotations"]["io.hatch-aicontainer.referrers"]


def test_every_image_carries_bytecode(builds):
    for name, build in builds.items():
        found = False
        for _, digest in _layers(build)[1:]:  # our layers (the base has one)
            with tarfile.open(fileobj=io.BytesIO(_blob(build.archive, digest)), mode="r:*") as layer:
                if PYC in layer.getnames():
                    found = True
                    break
        assert found, f"{name}: no {PYC} in the image"


def test_next_release_uploads_only_the_changed_layers(builds, kit, proxy, tmp_path):
    """Release 0.1.0 pushed from the CI pod, then 0.1.1 (same dependencies) from another machine.

    The machine of 0.1.1 built its dependency layer with an empty cache (the
    host's build of 0.1.0 above, whose cache it reuses: the project version is
    not an input of that layer), so this is what a fresh CI machine uploads.
    """
    project = _checkout(tmp_path / "checkout" / "example_project", version="0.1.1")
    release = build_on_host(kit, project, tmp_path / "release", plugin_cache=builds["host"].plugin_cache)
    first = builds["container"]
    before, after = dict((d, c) for c, d in _layers(first)), dict((d, c) for c, d in _layers(release))
    changed = [comment for digest, comment in after.items() if digest not in before]
    assert sorted(c.split(" ", 1)[0] for c in changed) == ["SBOM", "project"], changed

    push_archive(first.archive, [f"{proxy.host}/team/example:0.1.0"], cache_dir=tmp_path / "push-cache", access=registry_access())
    proxy.reset()
    push_archive(release.archive, [f"{proxy.host}/team/example:0.1.1"], cache_dir=tmp_path / "push-cache-2", access=registry_access())
    # the two changed layers and the new config; the dependency and base layers are already there. Besides
    # them, the new release's own attestations (its provenance and SBOM statements: new bytes for a new image)
    attestations = set(_attestation_layers(release.archive))
    uploaded = [s.path.rsplit("digest=", 1)[1] for s in proxy.blob_uploads()]
    image_blobs = [d for d in uploaded if d not in attestations]
    assert len(image_blobs) == len(changed) + 1, uploaded
    assert sorted(d for d in uploaded if d in attestations) == sorted(attestations)


def test_a_fresh_runner_releases_the_next_version_from_the_registry_cache(builds, kit, proxy, tmp_path):
    """0.1.0 pushed by the host (its cache warm: the push writes the dependency layer's registry cache entry);
    then 0.1.1 from a runner with an empty plugin cache and an empty uv cache, pushing through the recording
    proxy: its dependency layer comes from the registry (TensorFlow is neither downloaded nor installed), it
    uploads only what changed, and its image is the one the host makes of 0.1.1 with everything built there."""
    first = build_on_host(kit, _checkout(tmp_path / "v010" / "example_project"), tmp_path / "v010-build",
                          plugin_cache=builds["host"].plugin_cache, AICONTAINER_PUSH_TO=f"{proxy.host}/team/example-cached:0.1.0")
    assert first.digest == builds["host"].digest
    project = _checkout(tmp_path / "checkout" / "example_project", version="0.1.1")
    reference = build_on_host(kit, project, tmp_path / "full", plugin_cache=builds["host"].plugin_cache)

    proxy.reset()
    uv_cache = tmp_path / "runner-uv"
    fresh = build_on_host(kit, project, tmp_path / "runner", UV_CACHE_DIR=str(uv_cache),
                          AICONTAINER_PUSH_TO=f"{proxy.host}/team/example-cached:0.1.1")
    assert fresh.digest == reference.digest
    assert unpacked_by_uv(uv_cache, ("tensorflow", "numpy", "keras")) == []
    downloaded = [s for s in proxy.seen if s.method == "GET" and "/blobs/" in s.path and s.status == 200]
    dependency = dict(_layers(reference))[next(c for c, _ in _layers(reference) if c.startswith("dependencies"))]
    assert [s for s in downloaded if s.path.endswith(dependency)]  # streamed once from the registry, not built
    uploaded = {s.path.rsplit("digest=", 1)[1] for s in proxy.blob_uploads()}
    assert dependency not in uploaded
    changed = {d for c, d in _layers(reference) if c.split(" ", 1)[0] in ("project", "SBOM")}
    assert changed <= uploaded and uploaded - changed - set(_attestation_layers(fresh.archive)) == {_manifest(fresh.archive)["config"]["digest"]}
