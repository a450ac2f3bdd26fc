"""The registry as a shared layer cache: a release pushed from one runner, a code-only change built on another
with empty caches (the tiny project: its dependency layer holds six and a stand-in TensorFlow).

Runner A builds and pushes (``cache-to``: the dependency layer's entry goes beside the image). A fresh
runner has an empty plugin cache and an empty uv cache: its dependency layer comes from the registry (no
package of the lock installed, no wheel of it fetched), and its image is the one a full build of the same
change makes. With ``archive = false`` the layer is not even downloaded: the push mounts it. A cache that
lies (a corrupt, truncated or swapped blob), is missing (no entry, an entry whose blob is gone), refuses
(401), fails (500) or does not answer never fails the build nor changes the image: one line, then a full build.
A build that signs writes signed entries and takes only entries its own key signed (their blobs checked by
digest: the signed record vouches for the diff_id).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from e2e_helpers import BIN, hatch_build, hatch_env, unpacked_by_uv
from release_helpers import RegistryProxy
from trust_fixtures import MTIME, VERSION, make_tiny_project

pytestmark = pytest.mark.usefixtures("no_ambient_settings")

ENTRY = "aicontainer-cache-"


@dataclass(frozen=True)
class Runner:
    """One CI runner: its own plugin cache and uv cache (hatch's data folder is shared unless asked)."""

    root: Path
    hatch: Path

    def env(self, wheelhouse: Path, **extra: str) -> dict[str, str]:
        return hatch_env(wheelhouse, self.hatch, self.root / "cache", UV_CACHE_DIR=str(self.root / "uv"),
                         SOURCE_DATE_EPOCH=str(MTIME), **extra)

    def installed_from_the_lock(self) -> list[str]:
        """The lock's distributions uv fetched or unpacked on this runner (its cache also holds hatch's build
        environment, the plugin among it: only the lock's packages count)."""
        return unpacked_by_uv(self.root / "uv", ("six-", "tensorflow"))


def _digest(run) -> str:
    (archive,) = run.archives
    return json.loads(archive.with_name(archive.name + ".json").read_text())["digest"]


@dataclass(frozen=True)
class Release:
    top: Path
    project: Path  #: runner A's checkout
    change: Path  #: the same checkout with a code-only change
    full_digest: str  #: the change built in full, with no registry cache
    registry: str
    key: str  #: the dependency layer's key (its entry's tag: ENTRY + key)


@pytest.fixture(scope="module")
def release(module_tmp, plugin_wheelhouse, python_base_layout, registry) -> Release:
    top = module_tmp.mktemp("registry-cache")
    hatch = top / "hatch"  # hatch's build environment, made once for the module
    project = make_tiny_project(top / "tiny-app", python_base_layout.spec)
    runner_a = Runner(top / "runner-a", hatch)
    run = hatch_build(project, runner_a.env(plugin_wheelhouse, AICONTAINER_PUSH_TO=f"{registry.host}/team/cached:{VERSION}"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"cache entry {ENTRY}" in run.stdout + run.stderr
    tags = requests.get(f"http://{registry.host}/v2/team/cached/tags/list", timeout=30).json()["tags"]
    entries = [t for t in tags if t.startswith(ENTRY)]
    assert len(entries) == 2  # the dependency layer's and the include layer's

    change = top / "change"
    shutil.copytree(project, change, symlinks=True, ignore=shutil.ignore_patterns("dist"))
    init = change / "src" / "tiny_app" / "__init__.py"
    init.write_text(init.read_text() + "\n# a code-only change\n")
    full = Runner(top / "runner-full", hatch)
    control = hatch_build(_copy(change, top / "control"), full.env(plugin_wheelhouse))
    assert control.returncode == 0, control.stderr[-3000:]
    assert "registry cache" not in control.stdout + control.stderr and full.installed_from_the_lock() != []
    key = next(line for line in (run.stdout + run.stderr).splitlines() if "dependency layer" in line)
    dependency_key = _dependency_key(registry.host, entries, key)
    return Release(top, project, change, _digest(control), registry.host, dependency_key)


def _dependency_key(host: str, tags: list[str], line: str) -> str:
    """The key of the entry whose layer is the dependency layer the build printed (``dependency layer sha256:…``)."""
    printed = line.split("dependency layer ", 1)[1].split(" ", 1)[0]
    for tag in tags:
        manifest = requests.get(f"http://{host}/v2/team/cached/manifests/{tag}", timeout=30,
                                headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).json()
        if manifest["layers"][0]["digest"].startswith(printed):
            return tag[len(ENTRY):]
    raise AssertionError(f"no entry names the dependency layer {printed}")


def _copy(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, symlinks=True, ignore=shutil.ignore_patterns("dist"))
    return destination


def _fresh_runner(release: Release, tmp_path: Path, wheelhouse: Path, **env: str):
    runner = Runner(tmp_path / "runner", release.top / "hatch")
    run = hatch_build(_copy(release.change, tmp_path / "checkout"), runner.env(wheelhouse, **env))
    return run, runner


def test_a_fresh_runner_takes_the_dependency_layer_from_the_registry(release, tmp_path, plugin_wheelhouse):
    run, runner = _fresh_runner(release, tmp_path, plugin_wheelhouse, AICONTAINER_PUSH_TO=f"{release.registry}/team/cached:b")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert f"dependencies: from registry cache {release.registry}/team/cached (key {release.key[:12]}" in output
    assert "include files: from registry cache" in output  # the include layer's entry too (by its content)
    assert runner.installed_from_the_lock() == []  # no package of the lock installed, no wheel fetched
    assert _digest(run) == release.full_digest


def test_without_an_archive_the_layer_is_mounted_not_downloaded(release, tmp_path, plugin_wheelhouse, registry):
    with RegistryProxy(registry.host) as proxy:
        reference = f"{proxy.host}/team/cached-mounted:1"
        run, runner = _fresh_runner(release, tmp_path, plugin_wheelhouse, AICONTAINER_PUSH_TO=reference,
                                    AICONTAINER_ARCHIVE="0", AICONTAINER_CACHE_FROM=f"{proxy.host}/team/cached")
        output = run.stdout + run.stderr
        assert run.returncode == 0, output[-3000:]
        assert "(key " in output and "mounted by the push, not downloaded" in output
        layer = _entry_layer(registry.host, "team/cached", release.key)
        assert not [s for s in proxy.seen if s.method == "GET" and layer in s.path]  # never downloaded
        assert [s for s in proxy.seen if s.method == "POST" and f"mount={layer}" in s.path and s.status == 201]
    results = json.loads(next((tmp_path / "checkout" / "dist").glob("*.oci.tar.json")).read_text())
    assert results["digest"] == release.full_digest and results["pushed"]
    assert runner.installed_from_the_lock() == []


def _entry_layer(host: str, repository: str, key: str) -> str:
    manifest = requests.get(f"http://{host}/v2/{repository}/manifests/{ENTRY}{key}", timeout=30,
                            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).json()
    return manifest["layers"][0]["digest"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


def _faults(layer: str) -> dict:
    """What the proxy in front of the cache does, and the words of the one line; ``layer``: the entry's layer blob."""
    blob = f"/blobs/{layer}"
    return {
        "no entry": (dict(fail=lambda m, p: 404 if ENTRY in p else None), "not in the registry cache"),
        "401": (dict(fail=lambda m, p: 401 if ENTRY in p else None), "refused"),
        "500": (dict(fail=lambda m, p: 500 if ENTRY in p else None), "building locally"),
        "blob gone": (dict(fail=lambda m, p: 404 if p.endswith(blob) and m == "GET" else None), "has no blob"),
        "corrupt blob": (dict(alter=lambda m, p, body: _flip(body) if p.endswith(blob) else body), "does not match its digest"),
        "truncated blob": (dict(alter=lambda m, p, body: body[:-100] if p.endswith(blob) else body), "building locally"),
    }


@pytest.mark.parametrize("fault", ["no entry", "401", "500", "blob gone", "corrupt blob", "truncated blob"])
def test_a_cache_that_fails_gives_one_line_and_the_same_image(fault, release, tmp_path, plugin_wheelhouse, registry):
    behaviour, words = _faults(_entry_layer(registry.host, "team/cached", release.key))[fault]
    with RegistryProxy(registry.host, **behaviour) as proxy:
        run, runner = _fresh_runner(release, tmp_path, plugin_wheelhouse, AICONTAINER_CACHE_FROM=f"{proxy.host}/team/cached")
    _assert_local_build(run, runner, release, words)


def test_a_cache_host_that_is_down_gives_one_line_and_the_same_image(release, tmp_path, plugin_wheelhouse):
    run, runner = _fresh_runner(release, tmp_path, plugin_wheelhouse, AICONTAINER_CACHE_FROM=f"127.0.0.1:{_closed_port()}/team/cached")
    _assert_local_build(run, runner, release, "unreachable")


def test_a_swapped_blob_is_refused_by_its_diff_id(release, tmp_path, plugin_wheelhouse, registry):
    """An entry of the right key naming another layer that is in the registry (here: the image's SBOM layer),
    with the dependency layer's diff_id: the digest checks out, what it uncompresses to does not."""
    host, repository = registry.host, "team/cached"
    manifest = requests.get(f"http://{host}/v2/{repository}/manifests/{ENTRY}{release.key}", timeout=30,
                            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).json()
    record = json.loads(requests.get(f"http://{host}/v2/{repository}/blobs/{manifest['config']['digest']}", timeout=30).content)
    image = requests.get(f"http://{host}/v2/{repository}/manifests/{VERSION}", timeout=30,
                         headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).json()
    other = image["layers"][-1]  # the SBOM layer
    record["layer"] = {**record["layer"], "digest": other["digest"], "size": other["size"]}
    data = json.dumps(record).encode()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    start = requests.post(f"http://{host}/v2/{repository}/blobs/uploads/", timeout=30)
    location = start.headers["Location"]
    location = location if location.startswith("http") else f"http://{host}{location}"
    assert requests.put(location, params={"digest": digest}, data=data, timeout=30).status_code == 201
    manifest["config"] = {**manifest["config"], "digest": digest, "size": len(data)}
    manifest["layers"] = [{**manifest["layers"][0], "digest": other["digest"], "size": other["size"]}]
    swapped = "team/cached-swapped"
    for blob in (digest, other["digest"]):  # the entry's blobs in the repository the test reads from
        assert requests.post(f"http://{host}/v2/{swapped}/blobs/uploads/", params={"mount": blob, "from": repository},
                             timeout=30).status_code == 201
    put = requests.put(f"http://{host}/v2/{swapped}/manifests/{ENTRY}{release.key}", data=json.dumps(manifest).encode(),
                       headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"}, timeout=30)
    assert put.status_code == 201, put.text
    run, runner = _fresh_runner(release, tmp_path, plugin_wheelhouse, AICONTAINER_CACHE_FROM=f"{host}/{swapped}")
    _assert_local_build(run, runner, release, "does not uncompress to the recorded diff_id")


def _assert_local_build(run, runner: Runner, release: Release, words: str) -> None:
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    lines = [line for line in output.splitlines() if "registry cache" in line and "] dependencies:" in line]
    assert len(lines) == 1 and words in lines[0], lines
    assert "Traceback" not in output
    assert runner.installed_from_the_lock() != []  # built locally
    assert _digest(run) == release.full_digest


PASSWORD = "registry-cache-release"


def _keygen(folder: Path) -> dict[str, str]:
    """A key pair from ``aicontainer keygen`` and the variables a build signs with."""
    folder.mkdir(parents=True)
    done = subprocess.run([str(BIN / "aicontainer"), "keygen"], cwd=folder, capture_output=True, text=True,
                          env={**os.environ, "AICONTAINER_SIGNING_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    return {"AICONTAINER_SIGNING_KEY": str(folder / "cosign.key"), "AICONTAINER_SIGNING_PASSWORD": PASSWORD}


@pytest.fixture(scope="module")
def signed_release(release, plugin_wheelhouse) -> dict[str, str]:
    """The release again, built by a pipeline that signs: its entries go to team/signed, signed. The key's variables."""
    key = _keygen(release.top / "keys")
    runner = Runner(release.top / "runner-signed", release.top / "hatch")
    run = hatch_build(_copy(release.project, release.top / "signed"),
                      runner.env(plugin_wheelhouse, AICONTAINER_PUSH_TO=f"{release.registry}/team/signed:{VERSION}", **key))
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    return key


def test_a_signing_build_takes_the_entries_its_key_signed(release, signed_release, tmp_path, plugin_wheelhouse):
    manifest = requests.get(f"http://{release.registry}/v2/team/signed/manifests/{ENTRY}{release.key}", timeout=30,
                            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).json()
    assert set(manifest["annotations"]) >= {"io.hatch-aicontainer.cache.signature", "io.hatch-aicontainer.cache.keyid"}
    run, runner = _fresh_runner(release, tmp_path, plugin_wheelhouse, AICONTAINER_CACHE_FROM=f"{release.registry}/team/signed",
                                **signed_release)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert f"dependencies: from registry cache {release.registry}/team/signed (key {release.key[:12]}; signed; " in output
    assert runner.installed_from_the_lock() == []
    assert _digest(run) == release.full_digest


@pytest.mark.parametrize("case", ["unsigned entries", "another key"])
def test_a_signing_build_refuses_entries_its_key_did_not_sign(case, release, signed_release, tmp_path, plugin_wheelhouse):
    """Unsigned entries (written by a build without the key) and entries signed by another key: one line each,
    then a full build of the same image."""
    if case == "unsigned entries":
        key, repository = signed_release, "team/cached"
    else:
        key, repository = _keygen(tmp_path / "other-key"), "team/signed"
    run, runner = _fresh_runner(release, tmp_path, plugin_wheelhouse, AICONTAINER_CACHE_FROM=f"{release.registry}/{repository}", **key)
    _assert_local_build(run, runner, release, "is not signed by the build's key")


def test_a_registry_that_refuses_the_cache_entries_still_gets_the_image(release, tmp_path, plugin_wheelhouse, registry):
    """A token that may push the image but not the cache tags (here: a 403 for every entry manifest): one line,
    the build succeeds and the image is pushed, digest for digest."""
    with RegistryProxy(registry.host, fail=lambda m, p: 403 if m == "PUT" and f"/manifests/{ENTRY}" in p else None) as proxy:
        reference = f"{proxy.host}/team/no-cache-tags:{VERSION}"
        run, _runner = _fresh_runner(release, tmp_path, plugin_wheelhouse, AICONTAINER_PUSH_TO=reference,
                                     AICONTAINER_CACHE_FROM=f"{registry.host}/team/cached")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    refused = [line for line in output.splitlines() if "cache entry for key" in line]
    assert len(refused) == 1 and "not written to" in refused[0] and "the image is pushed" in refused[0], refused
    assert "Traceback" not in output
    results = json.loads(next((tmp_path / "checkout" / "dist").glob("*.oci.tar.json")).read_text())
    assert results["digest"] == release.full_digest and results["pushed"]
    tags = requests.get(f"http://{registry.host}/v2/team/no-cache-tags/tags/list", timeout=30).json()["tags"]
    assert VERSION in tags and not [t for t in tags if t.startswith(ENTRY)]
