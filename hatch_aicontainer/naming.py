"""Names derived from the settings: archive file name, image tags, labels."""

from __future__ import annotations

import re
from collections.abc import Sequence

from packaging.utils import canonicalize_name

from . import __version__
from .base_image import BaseImage
from .compat import Target
from .errors import ConfigError
from .lock import Lock
from .oci.image import rfc3339
from .sbom import image_path as sbom_image_path
from .settings import ProjectInfo, Settings

LABEL_PREFIX = "io.hatch-aicontainer."
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
LOCAL_TRANSPORTS = ("oci:", "oci-archive:", "docker-archive:")
_PLACEHOLDERS = ("name", "version", "python", "tensorflow", "accelerator", "platform")


def image_name(settings: Settings, project: ProjectInfo) -> str:
    return settings.name or canonicalize_name(project.name)


def template_values(settings: Settings, project: ProjectInfo, target: Target) -> dict[str, str]:
    platforms = settings.platforms
    platform = "-".join(p.architecture for p in platforms)
    return {
        "name": image_name(settings, project),
        "version": project.version.replace("+", "-"),
        "python": settings.python,
        "tensorflow": target.tensorflow,
        "accelerator": settings.accelerator,
        "platform": platform,
    }


def render_tags(settings: Settings, project: ProjectInfo, target: Target) -> tuple[str, ...]:
    """``name:tag`` for every tag template; each rendered tag must be a valid Docker tag."""
    values = template_values(settings, project, target)
    out = []
    for template in settings.tags:
        try:
            tag = template.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(
                f"tool.aicontainer.tags: {template!r} is not a valid tag template ({exc}); "
                f"allowed placeholders: {', '.join('{' + p + '}' for p in _PLACEHOLDERS)}"
            ) from None
        if not _TAG.match(tag):
            raise ConfigError(
                f"tool.aicontainer.tags: {template!r} renders to {tag!r}, which is not a valid image tag "
                "(letters, digits, '_', '.', '-'; at most 128 characters, not starting with '.' or '-')"
            )
        out.append(f"{values['name']}:{tag}")
    return tuple(dict.fromkeys(out))


def archive_name(settings: Settings, project: ProjectInfo, targets: Sequence[Target]) -> str:
    """``<dist>-<version>-py311-tf2.16.1-cpu-amd64.oci.tar`` (``-amd64-arm64`` for several)."""
    dist = canonicalize_name(project.name).replace("-", "_")
    python = "py" + "".join(settings.python.split(".")[:2])
    arches = "-".join(
        "-".join(p for p in (t.platform.architecture, t.platform.variant) if p) for t in targets
    )
    return f"{dist}-{project.version}-{python}-tf{targets[0].tensorflow}-{settings.accelerator}-{arches}.oci.tar"


def image_labels(
    settings: Settings,
    project: ProjectInfo,
    target: Target,
    base: BaseImage,
    lock: Lock,
    *,
    mtime: int,
    revision: str | None,
) -> dict[str, str]:
    """OCI annotations plus our own labels stating the pins."""
    labels = {
        "org.opencontainers.image.title": project.name,
        "org.opencontainers.image.version": project.version,
        "org.opencontainers.image.created": rfc3339(mtime),
        "org.opencontainers.image.base.digest": base.index_digest or base.manifest_digest,
        LABEL_PREFIX + "python": settings.python,
        LABEL_PREFIX + "tensorflow": target.tensorflow,
        LABEL_PREFIX + "tensorflow.package": target.tf_distribution,
        LABEL_PREFIX + "accelerator": settings.accelerator,
        LABEL_PREFIX + "lock.sha256": lock.sha256,
        LABEL_PREFIX + "plugin.version": __version__,
        LABEL_PREFIX + "sbom": sbom_image_path(project),  # CycloneDX JSON in the image (sbom.py)
    }
    if not base.spec.startswith(LOCAL_TRANSPORTS):
        # A local path would make the digest depend on where the base lies.
        labels["org.opencontainers.image.base.name"] = base.spec
    if project.source_url:
        labels["org.opencontainers.image.source"] = project.source_url
    if revision:
        labels["org.opencontainers.image.revision"] = revision
    if target.cuda:
        labels[LABEL_PREFIX + "cuda"] = target.cuda
    if target.cudnn:
        labels[LABEL_PREFIX + "cudnn"] = target.cudnn
    return labels
