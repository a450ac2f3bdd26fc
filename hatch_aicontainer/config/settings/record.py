"""The effective settings as a plain record: what a release's provenance states it was built with.

Only what reaches the image's bytes (the pins, the base image as named, the image's config, the
packages' sources, compression, name and tags), never where the build ran: a local base image
is named by its transport and file name (its digest is in the provenance's dependencies), index
URLs lose their credentials, and the release outputs (push, load) and the signing key, which do
not change the image, are left out. The same settings give the same record on every host.
"""

from __future__ import annotations

import posixpath
from typing import Any

from hatch_aicontainer.config.messages import without_credentials
from hatch_aicontainer.config.settings.model import Settings

__all__ = ["settings_record"]


def settings_record(settings: Settings) -> dict[str, Any]:
    """The settings of ``settings``' target, kebab-case keys as in ``[tool.aicontainer]``, as JSON values."""
    return {
        "target": settings.target_name,
        "python": settings.python,
        **{pin.framework: pin.version for pin in settings.pins},
        "accelerator": settings.accelerator,
        "platforms": [str(p) for p in settings.platforms],
        "base-image": _base_image(settings),
        "entrypoint": list(settings.entrypoint) if settings.entrypoint is not None else None,
        "cmd": list(settings.cmd),
        "env": dict(sorted(settings.env.items())),
        "workdir": settings.workdir,
        "user": str(settings.user),
        "labels": dict(sorted(settings.labels.items())),
        "ports": list(settings.ports),
        "include": [{"source": i.source, "destination": i.destination} for i in settings.include],
        "dependencies": list(settings.dependencies),
        "index-url": without_credentials(settings.index_url) if settings.index_url else None,
        "extra-index-urls": [without_credentials(u) for u in settings.extra_index_urls],
        "find-links": [without_credentials(u) for u in settings.find_links],
        "framework-indexes": {k: without_credentials(v) for k, v in sorted(settings.framework_indexes.items())},
        "compression": settings.compression,
        "compression-level": settings.compression_level,
        "name": settings.name,
        "tags": list(settings.tags),
        "healthcheck": settings.healthcheck.to_json() if settings.healthcheck else None,
    }


def _base_image(settings: Settings) -> str:
    spec = settings.base_image
    if not spec.is_local:
        return spec.location
    path, _, ref = spec.location.partition(":") if spec.transport != "docker-archive" else (spec.location, "", "")
    return f"{spec.transport}:{posixpath.basename(path.rstrip('/'))}" + (f":{ref}" if ref else "")
