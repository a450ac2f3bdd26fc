"""Config, manifest and index documents (hatch_aicontainer.oci.image)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Platform
from hatch_aicontainer.oci.image import (
    ConfigChanges,
    canonical_json,
    image_config,
    image_index,
    image_manifest,
    rfc3339,
    store_json,
)

AMD64 = Platform("linux", "amd64")
BASE_DIFF_IDS = ["sha256:" + "1" * 64, "sha256:" + "2" * 64]
OURS = [("sha256:" + "a" * 64, "dependencies"), ("sha256:" + "b" * 64, "project")]


def base_config() -> dict[str, Any]:
    """Shaped like a python:3.11-slim config pulled from Docker Hub."""
    return {
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "container": "0123abcd",
        "container_config": {"Cmd": ["/bin/sh"]},
        "docker_version": "20.10.23",
        "config": {
            "Env": ["PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8", "PYTHON_VERSION=3.11.9"],
            "Cmd": ["python3"],
            "Labels": {"maintainer": "base", "org.opencontainers.image.version": "base"},
            "ExposedPorts": {"22/tcp": {}},
            "OnBuild": None,
            "Volumes": None,
        },
        "rootfs": {"type": "layers", "diff_ids": list(BASE_DIFF_IDS)},
        "history": [
            {"created": "2024-01-01T00:00:00Z", "created_by": "ADD rootfs.tar.xz /"},
            {"created": "2024-01-01T00:00:00Z", "created_by": "ENV LANG=C.UTF-8", "empty_layer": True},
            {"created": "2024-01-01T00:00:00Z", "created_by": "RUN install python"},
        ],
    }


def changes(**overrides: Any) -> ConfigChanges:
    values: dict[str, Any] = dict(
        env={"PATH": "/opt/venv/bin:/usr/local/bin:/usr/bin", "VIRTUAL_ENV": "/opt/venv", "APP_MODE": "prod"},
        entrypoint=None,
        cmd=None,
        workdir=None,
        user=None,
        exposed_ports=[],
        labels={},
    )
    values.update(overrides)
    return ConfigChanges(**values)


def build(base: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    return image_config(
        base_config() if base is None else base,
        changes(**overrides),
        platform=AMD64,
        layers=OURS,
        created=rfc3339(1580601600),
    )


def test_canonical_json_bytes() -> None:
    document = {"b": 1, "a": {"z": [3, 1], "é": "ü"}, "c": None}
    assert canonical_json(document) == '{"a":{"z":[3,1],"é":"ü"},"b":1,"c":null}'.encode()
    reordered = {"c": None, "a": {"é": "ü", "z": [3, 1]}, "b": 1}
    assert canonical_json(reordered) == canonical_json(document)
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_rfc3339() -> None:
    assert rfc3339(0) == "1970-01-01T00:00:00Z"
    assert rfc3339(1580601600) == "2020-02-02T00:00:00Z"


def test_env_is_merged_in_base_order_then_new_names_sorted() -> None:
    env = build()["config"]["Env"]
    assert env == [
        "PATH=/opt/venv/bin:/usr/local/bin:/usr/bin",
        "LANG=C.UTF-8",
        "PYTHON_VERSION=3.11.9",
        "APP_MODE=prod",
        "VIRTUAL_ENV=/opt/venv",
    ]


def test_cmd_and_entrypoint_follow_docker_semantics() -> None:
    assert build()["config"]["Cmd"] == ["python3"]  # untouched
    assert "Entrypoint" not in build()["config"]
    only_entrypoint = build(entrypoint=["/opt/venv/bin/serve"])["config"]
    assert only_entrypoint["Entrypoint"] == ["/opt/venv/bin/serve"]
    assert "Cmd" not in only_entrypoint  # a new ENTRYPOINT clears the base CMD
    both = build(entrypoint=["/opt/venv/bin/serve"], cmd=["--port", "8080"])["config"]
    assert (both["Entrypoint"], both["Cmd"]) == (["/opt/venv/bin/serve"], ["--port", "8080"])
    base = base_config()
    base["config"]["Entrypoint"] = ["/docker-entrypoint.sh"]
    only_cmd = build(base, cmd=["python", "-m", "app"])["config"]
    assert (only_cmd["Entrypoint"], only_cmd["Cmd"]) == (["/docker-entrypoint.sh"], ["python", "-m", "app"])


def test_labels_ports_and_scalars_merge_over_the_base() -> None:
    config = build(
        labels={"org.opencontainers.image.version": "0.1.0", "org.opencontainers.image.title": "demo"},
        exposed_ports=["8080/tcp"],
        workdir="/app",
        user="1000:1000",
        stop_signal="SIGINT",
        healthcheck={"Test": ["CMD", "true"], "Interval": 30_000_000_000},
    )["config"]
    assert config["Labels"] == {
        "maintainer": "base",
        "org.opencontainers.image.version": "0.1.0",
        "org.opencontainers.image.title": "demo",
    }
    assert config["ExposedPorts"] == {"22/tcp": {}, "8080/tcp": {}}
    assert (config["WorkingDir"], config["User"], config["StopSignal"]) == ("/app", "1000:1000", "SIGINT")
    assert config["Healthcheck"] == {"Test": ["CMD", "true"], "Interval": 30_000_000_000}
    assert "OnBuild" not in config and "Volumes" not in config  # null leftovers dropped


def test_top_level_rootfs_and_history() -> None:
    config = build()
    assert set(config) == {"architecture", "os", "created", "config", "rootfs", "history"}
    assert (config["architecture"], config["os"], config["created"]) == ("amd64", "linux", "2020-02-02T00:00:00Z")
    assert config["rootfs"] == {"type": "layers", "diff_ids": BASE_DIFF_IDS + [d for d, _ in OURS]}
    history = config["history"]
    assert len(history) == 3 + 2
    assert history[:3] == base_config()["history"]
    assert history[3:] == [
        {"created": "2020-02-02T00:00:00Z", "created_by": "hatch-aicontainer", "comment": "dependencies"},
        {"created": "2020-02-02T00:00:00Z", "created_by": "hatch-aicontainer", "comment": "project"},
    ]
    assert sum(1 for h in history if not h.get("empty_layer")) == len(config["rootfs"]["diff_ids"])
    arm = image_config(base_config(), changes(), platform=Platform("linux", "arm64", "v8"), layers=OURS, created="x")
    assert (arm["architecture"], arm["variant"]) == ("arm64", "v8")


@pytest.mark.parametrize("history", [None, [], [{"created_by": "only one"}]])
def test_missing_or_broken_base_history_is_replaced_to_match_the_layers(history: Any) -> None:
    base = base_config()
    base["history"] = history
    config = build(base)
    non_empty = [h for h in config["history"] if not h.get("empty_layer")]
    assert len(non_empty) == len(config["rootfs"]["diff_ids"]) == 4
    assert [h["comment"] for h in non_empty] == ["base image layer", "base image layer", "dependencies", "project"]


def test_scratch_base() -> None:
    config = image_config({}, changes(cmd=["/hello"]), platform=AMD64, layers=OURS[:1], created="c")
    assert config["rootfs"]["diff_ids"] == [OURS[0][0]]
    assert len(config["history"]) == 1
    assert config["config"]["Cmd"] == ["/hello"]


def descriptor(media_type: str, fill: str, size: int = 10, **kwargs: Any) -> Descriptor:
    return Descriptor(media_type, "sha256:" + fill * 64, size, **kwargs)


def test_manifest_and_index_documents() -> None:
    config = descriptor(mediatypes.OCI_CONFIG, "c")
    layers = [descriptor(mediatypes.OCI_LAYER_GZIP, "1"), descriptor(mediatypes.OCI_LAYER_ZSTD, "2")]
    manifest = image_manifest(config, layers, {"org.opencontainers.image.version": "0.1.0"})
    assert manifest == {
        "schemaVersion": 2,
        "mediaType": mediatypes.OCI_MANIFEST,
        "config": {"mediaType": mediatypes.OCI_CONFIG, "digest": config.digest, "size": 10},
        "layers": [layer.to_json() for layer in layers],
        "annotations": {"org.opencontainers.image.version": "0.1.0"},
    }
    assert "annotations" not in image_manifest(config, layers, {})
    entries = [
        descriptor(mediatypes.OCI_MANIFEST, "d", platform=AMD64),
        descriptor(mediatypes.OCI_MANIFEST, "e", platform=Platform("linux", "arm64")),
    ]
    index = image_index(entries, {})
    assert index["schemaVersion"] == 2 and index["mediaType"] == mediatypes.OCI_INDEX
    assert [m["platform"] for m in index["manifests"]] == [
        {"architecture": "amd64", "os": "linux"},
        {"architecture": "arm64", "os": "linux"},
    ]


def test_docker_media_types_are_refused() -> None:
    config = descriptor(mediatypes.OCI_CONFIG, "c")
    with pytest.raises(ValueError, match="non-OCI"):
        image_manifest(config, [descriptor(mediatypes.DOCKER_LAYER_GZIP, "1")], {})
    with pytest.raises(ValueError):
        image_manifest(descriptor(mediatypes.DOCKER_CONFIG, "c"), [], {})
    with pytest.raises(ValueError):
        image_index([descriptor(mediatypes.DOCKER_MANIFEST, "d")], {})


def test_store_json_is_canonical_and_stable(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    config = build()
    first = store_json(store, config, mediatypes.OCI_CONFIG)
    again = store_json(store, dict(reversed(list(config.items()))), mediatypes.OCI_CONFIG)
    assert first == again
    data = store.path(first.digest).read_bytes()
    assert data == canonical_json(config) and not data.endswith(b"\n")
    assert first.digest == "sha256:" + hashlib.sha256(data).hexdigest() and first.size == len(data)
    manifest = store_json(store, {"x": 1}, mediatypes.OCI_MANIFEST, platform=AMD64, annotations={"k": "v"})
    assert (manifest.platform, dict(manifest.annotations)) == (AMD64, {"k": "v"})
