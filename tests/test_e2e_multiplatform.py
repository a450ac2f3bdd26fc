"""Several platforms: one archive holding an OCI index, a lock and the right TensorFlow per platform.

The base is a real two-platform index in the loopback registry: the offline
Debian Python 3.11 image for linux/amd64, and for linux/arm64 a stub made with
umoci (an interpreter file and a dpkg record, enough for the probe; it is never
run). The build resolves and installs TensorFlow for each platform with uv.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tarfile

import pytest
from e2e_helpers import BIN, EXAMPLE, copy_project, hatch_build, hatch_env, skopeo_inspect

pytestmark = pytest.mark.e2e

REF_NAME = "org.opencontainers.image.ref.name"
ELF_MACHINE = {b"\x3e\x00": "x86_64", b"\xb7\x00": "aarch64"}


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


def test_two_platforms_give_an_index_with_the_right_wheels(tmp_path, plugin_wheelhouse, two_platform_base, registry):
    project = copy_project(EXAMPLE, tmp_path / "example_project")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'platforms = ["linux/amd64", "linux/arm64"]\n')
    keys = tmp_path / "keys"
    keys.mkdir()
    keygen = subprocess.run([str(BIN / "aicontainer"), "keygen"], cwd=keys, capture_output=True, text=True,
                            env={**os.environ, "AICONTAINER_SIGNING_PASSWORD": "two-platforms"})
    assert keygen.returncode == 0, keygen.stderr
    env = hatch_env(plugin_wheelhouse, tmp_path / "hatch", tmp_path / "cache", AICONTAINER_BASE_IMAGE=two_platform_base,
                    AICONTAINER_SIGNING_KEY=str(keys / "cosign.key"), AICONTAINER_SIGNING_PASSWORD="two-platforms")
    run = hatch_build(project, env)
    assert run.returncode == 0, run.stderr[-3000:]
    [archive] = run.archives
    assert archive.name.endswith("-cpu-amd64-arm64.oci.tar")

    raw = skopeo_inspect(archive, raw=True)
    assert raw["mediaType"] == "application/vnd.oci.image.index.v1+json"
    platforms = {m["platform"]["architecture"]: m["digest"] for m in raw["manifests"]}
    assert set(platforms) == {"amd64", "arm64"}

    locks = {p.name: p.read_text() for p in project.glob("pylock.aicontainer-*.toml")}
    assert set(locks) == {"pylock.aicontainer-py311-amd64-cpu.toml", "pylock.aicontainer-py311-arm64-cpu.toml"}
    # the example requires the name tensorflow: that is the distribution on both (tensorflow-cpu on neither)
    assert 'name = "tensorflow"\n' in locks["pylock.aicontainer-py311-amd64-cpu.toml"]
    assert 'name = "tensorflow-cpu"' not in locks["pylock.aicontainer-py311-amd64-cpu.toml"]
    assert 'name = "tensorflow"\n' in locks["pylock.aicontainer-py311-arm64-cpu.toml"]

    with tarfile.open(archive) as outer:
        def manifest(digest):
            return json.load(outer.extractfile(f"blobs/sha256/{digest[7:]}"))

        def dependency_layer(digest):
            document = manifest(digest)
            history = [h for h in json.load(outer.extractfile(f"blobs/sha256/{document['config']['digest'][7:]}"))["history"]
                       if not h.get("empty_layer")]
            position = next(i for i, h in enumerate(history) if h.get("comment", "").startswith("dependencies"))
            return document["layers"][position]["digest"]

        dependency_layers = {arch: dependency_layer(d) for arch, d in platforms.items()}
    assert _machine_of_so(archive, dependency_layers["amd64"]) == {"x86_64"}
    assert _machine_of_so(archive, dependency_layers["arm64"]) == {"aarch64"}

    # the index goes to a registry as an index, digest unchanged
    target = f"{registry.host}/team/example-project:multi"
    push = subprocess.run([str(BIN / "aicontainer"), "push", str(archive), target], env=env, capture_output=True, text=True)
    assert push.returncode == 0, push.stderr
    remote = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{target}"], capture_output=True, check=True)
    assert "sha256:" + hashlib.sha256(remote.stdout).hexdigest() == skopeo_inspect(archive)["Digest"]
    assert json.loads(remote.stdout)["mediaType"] == raw["mediaType"]

    # signed attestations for the index and each platform: the provenance names both, an SBOM each
    verify = subprocess.run([str(BIN / "aicontainer"), "verify", target, "--key", str(keys / "cosign.pub")],
                            env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    lines = verify.stdout.splitlines()
    root = skopeo_inspect(archive)["Digest"]
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
