"""Image config, manifest and index documents, serialised as canonical JSON.

Pure functions: values in, dicts out. ``store_json`` is the one place the
bytes are produced, so a document always has the same digest for the same
content.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Platform
from hatch_aicontainer.oci.mediatypes import (
    OCI_CONFIG,
    OCI_INDEX,
    OCI_LAYER_GZIP,
    OCI_LAYER_TAR,
    OCI_LAYER_ZSTD,
    OCI_MANIFEST,
)

CREATED_BY = "hatch-aicontainer"
_OCI_LAYER_TYPES = frozenset({OCI_LAYER_GZIP, OCI_LAYER_TAR, OCI_LAYER_ZSTD})


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8, no trailing newline."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def rfc3339(epoch: int) -> str:
    """``0`` -> ``"1970-01-01T00:00:00Z"`` (whole seconds, UTC)."""
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ConfigChanges:
    """What our build sets on top of the base image's runtime config."""

    env: Mapping[str, str]
    entrypoint: Sequence[str] | None
    cmd: Sequence[str] | None
    workdir: str | None
    user: str | None
    exposed_ports: Sequence[str]
    labels: Mapping[str, str]
    stop_signal: str | None = None
    healthcheck: Mapping[str, Any] | None = None


def _merge_env(base: Sequence[str], ours: Mapping[str, str]) -> list[str]:
    """Base order kept (a name we set replaces its value in place), new names sorted after."""
    merged: dict[str, str | None] = {}
    for item in base:
        name, sep, value = item.partition("=")
        merged[name] = value if sep else None
    for name in sorted(ours):
        merged[name] = ours[name]
    return [name if value is None else f"{name}={value}" for name, value in merged.items()]


def _runtime_config(base: Mapping[str, Any], changes: ConfigChanges) -> dict[str, Any]:
    config = dict(base)
    config["Env"] = _merge_env(config.get("Env") or [], changes.env)
    if changes.entrypoint is not None:
        config["Entrypoint"] = list(changes.entrypoint)
        config.pop("Cmd", None)  # Docker semantics: a new ENTRYPOINT resets CMD
    if changes.cmd is not None:
        config["Cmd"] = list(changes.cmd)
    if changes.workdir is not None:
        config["WorkingDir"] = changes.workdir
    if changes.user is not None:
        config["User"] = changes.user
    if changes.exposed_ports:
        config["ExposedPorts"] = {**(config.get("ExposedPorts") or {}), **{p: {} for p in changes.exposed_ports}}
    if changes.labels:
        config["Labels"] = {**(config.get("Labels") or {}), **changes.labels}
    if changes.stop_signal is not None:
        config["StopSignal"] = changes.stop_signal
    if changes.healthcheck is not None:
        config["Healthcheck"] = dict(changes.healthcheck)
    # Keys Docker leaves at null/empty carry no meaning; dropping them keeps the config tidy.
    return {key: value for key, value in config.items() if value not in (None, "", [], {})}


def _base_history(base_config: Mapping[str, Any], base_diff_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The base history if it matches the base layers, else one plain entry per base layer.

    Docker and containerd reject configs whose non-empty history entries do not
    pair up with ``rootfs.diff_ids``; some base images ship no or broken history.
    """
    history = [dict(h) for h in base_config.get("history") or []]
    if sum(1 for h in history if not h.get("empty_layer")) == len(base_diff_ids):
        return history
    created = base_config.get("created")
    return [{**({"created": created} if created else {}), "comment": "base image layer"} for _ in base_diff_ids]


def image_config(
    base_config: Mapping[str, Any],
    changes: ConfigChanges,
    *,
    platform: Platform,
    layers: Sequence[tuple[str, str]],
    created: str,
) -> dict[str, Any]:
    """The config of our image: base config + ``changes``, base layers + ``layers``.

    ``layers`` are ``(diff_id, history comment)`` pairs of the layers we add.
    Docker-only top-level leftovers of the base (container, container_config,
    docker_version, ...) are not carried over.
    """
    base_diff_ids = list((base_config.get("rootfs") or {}).get("diff_ids") or [])
    history = _base_history(base_config, base_diff_ids)
    history += [{"created": created, "created_by": CREATED_BY, "comment": comment} for _, comment in layers]
    document: dict[str, Any] = {
        **platform.to_json(),
        "created": created,
        "config": _runtime_config(base_config.get("config") or {}, changes),
        "rootfs": {"type": "layers", "diff_ids": base_diff_ids + [diff_id for diff_id, _ in layers]},
        "history": history,
    }
    return document


def image_manifest(config: Descriptor, layers: Sequence[Descriptor], annotations: Mapping[str, str]) -> dict[str, Any]:
    """An OCI image manifest; refuses Docker media types (skopeo rejects mixed manifests)."""
    if config.media_type != OCI_CONFIG:
        raise ValueError(f"config media type must be {OCI_CONFIG}, not {config.media_type}")
    for layer in layers:
        if layer.media_type not in _OCI_LAYER_TYPES:
            raise ValueError(f"layer {layer.digest} has non-OCI media type {layer.media_type}")
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.to_json(),
        "layers": [layer.to_json() for layer in layers],
    }
    if annotations:
        manifest["annotations"] = dict(annotations)
    return manifest


def image_index(manifests: Sequence[Descriptor], annotations: Mapping[str, str]) -> dict[str, Any]:
    """An OCI image index over per-platform manifests."""
    for manifest in manifests:
        if manifest.media_type not in (OCI_MANIFEST, OCI_INDEX):
            raise ValueError(f"index entry {manifest.digest} has non-OCI media type {manifest.media_type}")
    index: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [manifest.to_json() for manifest in manifests],
    }
    if annotations:
        index["annotations"] = dict(annotations)
    return index


def store_json(
    store: BlobStore,
    document: Mapping[str, Any],
    media_type: str,
    *,
    platform: Platform | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Descriptor:
    """Store ``document`` as canonical JSON; return its descriptor."""
    digest, size = store.put_bytes(canonical_json(document))
    return Descriptor(media_type=media_type, digest=digest, size=size, annotations=dict(annotations or {}), platform=platform)
