"""``hatch build --clean``: what earlier builds of the project wrote in the output folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import kubernetes, sbom
from .layout import layout_path
from .results import digest_path, results_path

__all__ = ["clean", "clean_side_outputs"]


def clean(directory: Path, project_name: str) -> None:
    """Remove the project's archives with their results files, OCI layouts and side files."""
    prefix = project_name.replace("-", "_").lower() + "-"
    for path in Path(directory).glob("*.oci.tar"):
        if path.name.lower().startswith(prefix):
            path.unlink()
            for results in (results_path(path), digest_path(path)):
                results.unlink(missing_ok=True)
            layout = layout_path(path)
            if (layout / "oci-layout").is_file() and not layout.is_symlink():
                shutil.rmtree(layout)
            clean_side_outputs(path)


def clean_side_outputs(archive: Path) -> None:
    """The SBOM(s) beside an archive, and manifests this plugin wrote."""
    stem = sbom.archive_sbom_path(archive).name[: -len(sbom.SUFFIX)]
    for path in archive.parent.glob(f"{stem}*{sbom.SUFFIX}"):
        path.unlink(missing_ok=True)
    for path in archive.parent.glob(f"*{kubernetes.SUFFIX}"):
        try:
            with open(path, encoding="utf-8") as handle:
                ours = handle.readline().startswith(kubernetes.HEADER)
        except OSError:
            continue
        if ours:
            path.unlink(missing_ok=True)
