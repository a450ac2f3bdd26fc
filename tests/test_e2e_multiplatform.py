"""Several platforms: one archive holding an OCI index, a lock and the right TensorFlow per platform.

The base is a real two-platform index in the loopback registry: the offline
Debian Python 3.11 image for linux/amd64, and for linux/arm64 a stub made with
umoci (an interpreter file and a dpkg record, enough for the probe; it is never
run). The build resolves and installs TensorFlow for each platform with uv, and
pushes the release itself: beside the index it leaves a registry cache entry for
each platform's dependency layer.

Then a fresh runner (an empty plugin cache and an empty uv cache, a copy of the
same checkout) builds the same project again and takes both platforms' dependency
layers from that registry: mounted by its push when it writes no archive,
downloaded and checked when it does. Either way it installs nothing of the locks,
and its index is the first build's, digest for digest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from e2e_helpers import BIN, EXAMPLE, copy_project, hatch_build, hatch_env, skopeo_inspect, unpacked_by_uv
from release_helpers import RegistryProxy

pytestmark = pytest.mark.e2e

REF_NAME = "org.opencontainers.image.ref.name"
ELF_MACHINE = {b"\x3e\x00": "x86_64", b"\xb7\x00": "aarch64"}
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ENTRY = "aicontainer-cache-"
PASSWORD = "two-platforms"
#: where the first build pushes its release (and so its registry cache entries)
RELEASE_REPOSITORY = "team/example-release"


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def _ref_descriptor(layout, tag):
    index = json.loads((layout / "index.json").read_text())
    return next(m for m in index["manifests"] if m.get("annotations", {}).get(REF_NAME) == tag)


@pytest.fixture(scope="module")
def two_platform_base(python_base_layout, registry, module_tmp) -> str:
    work = module_tmp.mktemp("multibase")
    layout = work / "layout"
    shutil.copytree(python_base_layout.path, layout)
    amd64_index = json.loads((layout / "blobs/sha256" / _ref_descriptor(layout, python_base_layout.tag)["digest"][7:]).read_text())
    amd64 = amd64_index["manifests"][0]

    stub = work / "stub"
    (stub / "usr/bin").mkdir(parents=True)
    (stub / "usr/bin/python3.11").write_bytes(b"")
    (stub / "usr/bin/python3.11").chmod(0o755)
    (stub / "var/lib/dpkg").mkdir(parents=True)
    (stub / "var/lib/dpkg/status").write_text("Package: python3.11\nStatus: install ok installed\nVersion: 3.11.2-6\n\n")
    image = f"{layout}:arm64-stub"
    _run("umoci", "new", "--image", image)
    _run("umoci", "insert", "--image", image, str(stub / "usr"), "/usr")
    _run("umoci", "insert", "--image", image, str(stub / "var"), "/var")
    _run("umoci", "config", "--image", image, "--architecture", "arm64", "--os", "linux",
         "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    arm64 = {k: v for k, v in _ref_descriptor(layout, "arm64-stub").items() if k != "annotations"}
    arm64["platform"] = {"architecture": "arm64", "os": "linux", "variant": "v8"}

    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [amd64, arm64]}
    data = json.dumps(index).encode()
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs/sha256" / digest).write_bytes(data)
    top = json.loads((layout / "index.json").read_text())
    top["manifests"].append({"mediaType": index["mediaType"], "digest": "sha256:" + digest, "size": len(data),
                             "annotations": {REF_NAME: "multi"}})
    (layout / "index.json").write_text(json.dumps(top))
    ref = f"{registry.host}/library/python:3.11-multi"
    _run("skopeo", "copy", "--all", "--insecure-policy", "--dest-tls-verify=false", f"oci:{layout}:multi", f"docker://{ref}")
    return ref


@dataclass(frozen=True)
class Release:
    """The two-platform release as the first build made and pushed it."""

    top: Path
    project: Path  #: the checkout it was built in (its locks written beside pyproject.toml)
    env: dict[str, str]  #: its hatch environment (signing key, base image), without the push
    keys: Path
    archive: Path
    output: str  #: the build's stdout + stderr
    raw: dict  #: the archive's index, as skopeo reads it
    digest: str  #: the index's digest
    platforms: dict[str, str]  #: architecture -> its manifest's digest
    dependency_layers: dict[str, str]  #: architecture -> its dependency layer's digest
    pushed: str  #: the reference the build pushed to

    def runner_env(self, wheelhouse: Path, root: Path, **extra: str) -> dict[str, str]:
        """A fresh runner's environment: the same project settings and key, its own empty plugin and uv caches
        (hatch's build environment, which holds no package of the locks, is the first build's)."""
        return hatch_env(wheelhouse, self.top / "hatch", root / "cache", UV_CACHE_DIR=str(root / "uv"),
                         AICONTAINER_BASE_IMAGE=self.env["AICONTAINER_BASE_IMAGE"],
                         AICONTAINER_SIGNING_KEY=str(self.keys / "cosign.key"), AICONTAINER_SIGNING_PASSWORD=PASSWORD,
                         **extra)


@pytest.fixture(scope="module")
def release(module_tmp, plugin_wheelhouse, two_platform_base, registry) -> Release:
    top = module_tmp.mktemp("multiplatform")
    project = copy_project(EXAMPLE, top / "example_project")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'platforms = ["linux/amd64", "linux/arm64"]\n')
    keys = top / "keys"
    keys.mkdir()
    keygen = subprocess.run([str(BIN / "aicontainer"), "keygen"], cwd=keys, capture_output=True, text=True,
                            env={**os.environ, "AICONTAINER_SIGNING_PASSWORD": PASSWORD})
    assert keygen.returncode == 0, keygen.stderr
    pushed = f"{registry.host}/{RELEASE_REPOSITORY}:0.1.0"
    env = hatch_env(plugin_wheelhouse, top / "hatch", top / "cache", AICONTAINER_BASE_IMAGE=two_platform_base,
                    AICONTAINER_SIGNING_KEY=str(keys / "cosign.key"), AICONTAINER_SIGNING_PASSWORD=PASSWORD)
    run = hatch_build(project, {**env, "AICONTAINER_PUSH_TO": pushed})
    assert run.returncode == 0, run.stderr[-3000:]
    [archive] = run.archives
    raw = skopeo_inspect(archive, raw=True)
    platforms = {m["platform"]["architecture"]: m["digest"] for m in raw["manifests"]}
    with tarfile.open(archive) as outer:
        def dependency_layer(digest):
            document = json.load(outer.extractfile(f"blobs/sha256/{digest[7:]}"))
            history = [h for h in json.load(outer.extractfile(f"blobs/sha256/{document['config']['digest'][7:]}"))["history"]
                       if not h.get("empty_layer")]
            position = next(i for i, h in enumerate(history) if h.get("comment", "").startswith("dependencies"))
            return document["layers"][position]["digest"]

        dependency_layers = {arch: dependency_layer(d) for arch, d in platforms.items()}
    return Release(top, project, env, keys, archive, run.stdout + run.stderr, raw, skopeo_inspect(archive)["Digest"],
                   platforms, dependency_layers, pushed)


def _machine_of_so(archive, layer_digest: str) -> set[str]:
    """ELF machine types of the TensorFlow extension modules inside one layer of the archive."""
    found = set()
    with tarfile.open(archive) as outer:
        blob = outer.extractfile(f"blobs/sha256/{layer_digest[7:]}")
        with tarfile.open(fileobj=blob, mode="r|gz") as layer:
            for member in layer:
                if member.isfile() and member.name.endswith(".so") and "/tensorflow/" in member.name:
                    header = layer.extractfile(member).read(20)
                    found.add(ELF_MACHINE.get(header[18:20], header[18:20].hex()))
    return found


def _remote_digest(reference: str) -> tuple[str, dict]:
    """The digest of what the registry holds at ``reference`` (skopeo's raw bytes, hashed here), and the document."""
    remote = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}"], capture_output=True, check=True)
    return "sha256:" + hashlib.sha256(remote.stdout).hexdigest(), json.loads(remote.stdout)


def test_two_platforms_give_an_index_with_the_right_wheels(release):
    archive = release.archive
    assert archive.name.endswith("-cpu-amd64-arm64.oci.tar")
    assert release.raw["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert set(release.platforms) == {"amd64", "arm64"}

    locks = {p.name: p.read_text() for p in release.project.glob("pylock.aicontainer-*.toml")}
    assert set(locks) == {"pylock.aicontainer-py311-amd64-cpu.toml", "pylock.aicontainer-py311-arm64-cpu.toml"}
    # the example requires the name tensorflow: that is the distribution on both (tensorflow-cpu on neither)
    assert 'name = "tensorflow"\n' in locks["pylock.aicontainer-py311-amd64-cpu.toml"]
    assert 'name = "tensorflow-cpu"' not in locks["pylock.aicontainer-py311-amd64-cpu.toml"]
    assert 'name = "tensorflow"\n' in locks["pylock.aicontainer-py311-arm64-cpu.toml"]

    assert _machine_of_so(archive, release.dependency_layers["amd64"]) == {"x86_64"}
    assert _machine_of_so(archive, release.dependency_layers["arm64"]) == {"aarch64"}


def test_the_index_is_pushed_as_an_index_and_its_attestations_verify(release, registry):
    archive, platforms = release.archive, release.platforms
    # what the build pushed itself is the archive's index
    assert _remote_digest(release.pushed) == (release.digest, release.raw)

    # the index goes to a registry as an index, digest unchanged (aicontainer push, from the archive)
    target = f"{registry.host}/team/example-project:multi"
    push = subprocess.run([str(BIN / "aicontainer"), "push", str(archive), target], env=release.env, capture_output=True, text=True)
    assert push.returncode == 0, push.stderr
    digest, document = _remote_digest(target)
    assert digest == release.digest
    assert document["mediaType"] == release.raw["mediaType"]

    # signed attestations for the index and each platform: the provenance names both, an SBOM each
    verify = subprocess.run([str(BIN / "aicontainer"), "verify", target, "--key", str(release.keys / "cosign.pub")],
                            env=release.env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    lines = verify.stdout.splitlines()
    root = release.digest
    for line in (f"verified signature of {root[:19]}", f"verified provenance of {root[:19]}",
                 f"verified SBOM linux/amd64 of {platforms['amd64'][:19]}", f"verified SBOM linux/arm64 of {platforms['arm64'][:19]}"):
        assert any(item.startswith(line) for item in lines), (line, lines)
    with tarfile.open(archive) as outer:
        (entry,) = json.load(outer.extractfile("index.json"))["manifests"]
        index = json.load(outer.extractfile("blobs/sha256/" + entry["annotations"]["io.hatch-aicontainer.referrers"][7:]))
        provenance = next(m for m in index["manifests"] if m["annotations"]["io.hatch-aicontainer.attestation"] == "provenance")
        bundle = json.load(outer.extractfile("blobs/sha256/" + json.load(
            outer.extractfile("blobs/sha256/" + provenance["digest"][7:]))["layers"][0]["digest"][7:]))
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    assert [s["digest"]["sha256"] for s in statement["subject"]] == [d[7:] for d in (root, platforms["amd64"], platforms["arm64"])]
    kinds = {}
    for dep in statement["predicate"]["buildDefinition"]["resolvedDependencies"]:
        kinds.setdefault(dep["annotations"]["kind"], set()).add(dep["annotations"].get("platform"))
    assert kinds["lock"] == kinds["base-image"] == {"linux/amd64", "linux/arm64"}


def _entries(host: str, repository: str) -> dict[str, str]:
    """The registry cache entries the registry holds in ``repository``: layer digest -> key."""
    tags = requests.get(f"http://{host}/v2/{repository}/tags/list", timeout=30).json()["tags"]
    found = {}
    for tag in (t for t in tags if t.startswith(ENTRY)):
        manifest = requests.get(f"http://{host}/v2/{repository}/manifests/{tag}", headers={"Accept": OCI_MANIFEST}, timeout=30).json()
        (layer,) = manifest["layers"]
        found[layer["digest"]] = tag[len(ENTRY):]
    return found


@pytest.fixture(scope="module")
def entry_keys(release, registry) -> dict[str, str]:
    """architecture -> the key of the entry the build's push wrote for that platform's dependency layer."""
    entries = _entries(registry.host, RELEASE_REPOSITORY)
    missing = {arch: layer for arch, layer in release.dependency_layers.items() if layer not in entries}
    assert not missing, f"no registry cache entry holds the dependency layer of {sorted(missing)} (entries: {entries})"
    return {arch: entries[layer] for arch, layer in release.dependency_layers.items()}


def test_the_push_leaves_a_cache_entry_for_each_platforms_dependency_layer(release, entry_keys):
    assert len(set(entry_keys.values())) == 2  # one key per platform: the platform is part of what decides the layer


def _fresh_runner(release: Release, root: Path, wheelhouse: Path, **env: str):
    """The same checkout copied to a runner with empty caches, built there; (the run, its uv cache, seconds)."""
    checkout = copy_project(release.project, root / "example_project")
    started = time.monotonic()
    run = hatch_build(checkout, release.runner_env(wheelhouse, root, **env))
    seconds = time.monotonic() - started
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    print(f"[multiplatform] fresh runner ({', '.join(f'{k}={v}' for k, v in env.items())}): hatch build {seconds:.1f} s")
    return run, root / "uv"


def _installed_from_the_locks(uv: Path) -> list[str]:
    """What uv unpacked of the locks' packages on the runner (its cache also holds hatch's own build environment)."""
    return unpacked_by_uv(uv, ("tensorflow", "keras", "numpy", "h5py", "ml_dtypes"))


def _platform_lines(output: str) -> dict[str, str]:
    """architecture -> the build's line about where that platform's dependency layer came from."""
    lines = {}
    for line in output.splitlines():
        for arch in ("amd64", "arm64"):
            if f"[linux/{arch}" in line and "] dependencies: " in line:
                lines[arch] = line
    return lines


def _fresh_runner_through_a_proxy(release: Release, registry, wheelhouse: Path, root: Path, entry_keys: dict[str, str],
                                  how: str, *, push_to: str | None = None, **env: str):
    """A fresh runner whose registry traffic goes through a recording proxy (cache-from: the release's repository;
    ``push_to``: a repository of the same registry, pushed through the proxy too), each platform's dependency
    layer taken from the registry cache by the entry of its key, ``how`` (mounted, downloaded) in its line.
    (the run, its uv cache, the requests the proxy saw)"""
    with RegistryProxy(registry.host) as proxy:
        if push_to is not None:
            env["AICONTAINER_PUSH_TO"] = f"{proxy.host}/{push_to}"
        run, uv = _fresh_runner(release, root, wheelhouse, AICONTAINER_CACHE_FROM=f"{proxy.host}/{RELEASE_REPOSITORY}", **env)
        seen = list(proxy.seen)
    lines = _platform_lines(run.stdout + run.stderr)
    for arch, key in entry_keys.items():
        assert f"from registry cache {proxy.host}/{RELEASE_REPOSITORY} (key {key[:12]}" in lines.get(arch, ""), (arch, lines)
        assert how in lines[arch], lines
    return run, uv, seen


def test_a_fresh_runner_without_an_archive_mounts_both_dependency_layers(release, entry_keys, registry, plugin_wheelhouse, tmp_path):
    """archive = false, pushing to another repository of the same registry (through a recording proxy): neither
    platform's dependency layer is downloaded, the push mounts each from the release's repository."""
    run, uv, seen = _fresh_runner_through_a_proxy(release, registry, plugin_wheelhouse, tmp_path / "runner", entry_keys,
                                                  "mounted by the push, not downloaded", push_to="team/example-fresh:0.1.0",
                                                  AICONTAINER_ARCHIVE="0")
    assert run.archives == []
    for arch, layer in release.dependency_layers.items():
        assert not [s for s in seen if s.method == "GET" and s.path.endswith(f"/blobs/{layer}")], arch  # never downloaded
        assert [s for s in seen if s.method == "POST" and f"mount={layer}" in s.path and s.status == 201], arch
        head = requests.head(f"http://{registry.host}/v2/team/example-fresh/blobs/{layer}", timeout=30)
        assert head.status_code == 200 and int(head.headers["Content-Length"]) > 10 << 20, (arch, head.status_code)
    assert _installed_from_the_locks(uv) == []  # no package of either lock installed, no wheel fetched
    digest, document = _remote_digest(f"{registry.host}/team/example-fresh:0.1.0")
    assert digest == release.digest and document == release.raw


def test_a_fresh_runner_writing_the_archive_downloads_and_checks_both_layers(release, entry_keys, registry, plugin_wheelhouse, tmp_path):
    """The archive written, nothing pushed, the release's repository as cache-from (through a recording proxy):
    both dependency layers are streamed from the registry into the archive, which is the first build's."""
    run, uv, seen = _fresh_runner_through_a_proxy(release, registry, plugin_wheelhouse, tmp_path / "runner", entry_keys,
                                                  "bytes downloaded)")
    for arch, layer in release.dependency_layers.items():
        assert [s for s in seen if s.method == "GET" and s.path.endswith(f"/blobs/{layer}") and s.status == 200], arch
    assert not [s for s in seen if s.method in ("POST", "PUT", "PATCH")]  # nothing pushed
    assert _installed_from_the_locks(uv) == []
    [archive] = run.archives
    assert skopeo_inspect(archive)["Digest"] == release.digest
    with tarfile.open(archive) as tar:  # the layers in the archive are the bytes their digests name
        for layer in release.dependency_layers.values():
            blob = tar.extractfile(f"blobs/sha256/{layer[7:]}")
            hashing = hashlib.sha256()
            while chunk := blob.read(1 << 20):
                hashing.update(chunk)
            assert "sha256:" + hashing.hexdigest() == layer
