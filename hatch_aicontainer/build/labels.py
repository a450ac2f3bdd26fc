"""The image's labels: the OCI annotations and our own, stating what the image holds.

The framework and Python labels come from :class:`~hatch_aicontainer.build.deps.installed.InstalledFacts`
(read from the installed metadata and the probed interpreter), never from the settings.
The ``org.opencontainers.image.*`` labels are also the manifest's (and index's) annotations.
"""

from __future__ import annotations

from collections.abc import Mapping

from hatch_aicontainer import __version__
from hatch_aicontainer.build.base.resolve import BaseImage
from hatch_aicontainer.build.deps.installed import InstalledFacts
from hatch_aicontainer.build.deps.lock import Lock
from hatch_aicontainer.config.naming import LABEL_PREFIX, sbom_image_path
from hatch_aicontainer.config.settings import ProjectInfo
from hatch_aicontainer.oci.image import rfc3339

OCI_PREFIX = "org.opencontainers.image."


def image_labels(
    project: ProjectInfo,
    accelerator: str,
    installed: InstalledFacts,
    base: BaseImage,
    lock: Lock,
    *,
    mtime: int,
    revision: str | None,
) -> dict[str, str]:
    """OCI annotations plus our own labels stating the pins, as installed."""
    labels = {
        OCI_PREFIX + "title": project.name,
        OCI_PREFIX + "version": project.version,
        OCI_PREFIX + "created": rfc3339(mtime),
        OCI_PREFIX + "base.digest": base.index_digest or base.manifest_digest,
        LABEL_PREFIX + "python": installed.python,
        LABEL_PREFIX + "accelerator": accelerator,
        LABEL_PREFIX + "lock.sha256": lock.sha256,
        LABEL_PREFIX + "plugin.version": __version__,
        LABEL_PREFIX + "sbom": sbom_image_path(project.name),  # CycloneDX JSON in the image (sbom.py)
    }
    for framework in installed.frameworks:  # io.hatch-aicontainer.torch = 2.10.0+cpu, .torch.package = torch
        labels[LABEL_PREFIX + framework.framework] = framework.version
        labels[LABEL_PREFIX + framework.framework + ".package"] = framework.distribution
    if not base.spec.is_local:
        # A local path would make the digest depend on where the base lies.
        labels[OCI_PREFIX + "base.name"] = base.spec.text
    if project.source_url:
        labels[OCI_PREFIX + "source"] = project.source_url
    if revision:
        labels[OCI_PREFIX + "revision"] = revision
    if installed.cuda:
        labels[LABEL_PREFIX + "cuda"] = installed.cuda
    if installed.cudnn:
        labels[LABEL_PREFIX + "cudnn"] = installed.cudnn
    return labels


def oci_annotations(labels: Mapping[str, str]) -> dict[str, str]:
    """The ``org.opencontainers.image.*`` labels: the manifest's and the index's annotations."""
    return {key: value for key, value in labels.items() if key.startswith(OCI_PREFIX)}
