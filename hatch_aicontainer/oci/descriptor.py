"""Descriptors and platforms: the small value types every OCI document is made of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def short_digest(digest: str) -> str:
    """``sha256:`` and the first 12 hex digits: how a digest is named in messages."""
    return digest[:19]


_UV_ARCH = {"amd64": "x86_64", "arm64": "aarch64"}


@dataclass(frozen=True, order=True)
class Platform:
    """An image platform such as ``linux/amd64`` or ``linux/arm64/v8``."""

    os: str
    architecture: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> Platform:
        parts = text.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"not a platform (os/arch[/variant]): {text!r}")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    @property
    def file_tag(self) -> str:
        """The architecture and variant as file names carry them: ``amd64``, ``arm64-v8``."""
        return "-".join(p for p in (self.architecture, self.variant) if p)

    @property
    def machine(self) -> str:
        """The ``uname -m`` / wheel-tag name of the architecture (``x86_64``, ``aarch64``)."""
        return _UV_ARCH.get(self.architecture, self.architecture)

    def matches(self, other: Mapping[str, Any]) -> bool:
        """Whether an index entry's ``platform`` object is this platform.

        A missing variant on either side matches (``linux/arm64`` == ``linux/arm64/v8``).
        """
        if other.get("os") != self.os or other.get("architecture") != self.architecture:
            return False
        theirs = other.get("variant")
        return self.variant is None or theirs is None or theirs == self.variant

    def to_json(self) -> dict[str, str]:
        out = {"architecture": self.architecture, "os": self.os}
        if self.variant:
            out["variant"] = self.variant
        return out


@dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor: what a manifest or index says about a blob."""

    media_type: str
    digest: str
    size: int
    annotations: Mapping[str, str] = field(default_factory=dict)
    platform: Platform | None = None
    artifact_type: str | None = None  #: a referrer's ``artifactType`` (OCI 1.1), as listed in a referrers index

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.artifact_type is not None:
            out["artifactType"] = self.artifact_type
        if self.platform is not None:
            out["platform"] = self.platform.to_json()
        if self.annotations:
            out["annotations"] = dict(sorted(self.annotations.items()))
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Descriptor:
        platform = data.get("platform")
        return cls(
            media_type=data["mediaType"],
            digest=data["digest"],
            size=int(data["size"]),
            annotations=dict(data.get("annotations") or {}),
            platform=Platform(platform["os"], platform["architecture"], platform.get("variant")) if platform else None,
            artifact_type=data.get("artifactType"),
        )


@dataclass(frozen=True)
class Layer:
    """A layer blob with both digests: ``descriptor.digest`` over the stored
    (compressed) bytes, ``diff_id`` over the uncompressed tar (config rootfs)."""

    descriptor: Descriptor
    diff_id: str
