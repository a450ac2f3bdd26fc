"""``hatch build --clean``: what earlier builds of the project wrote in the output folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from hatch_aicontainer.config.naming import ARCHIVE_SUFFIX, archive_files, archive_prefix
from hatch_aicontainer.outputs import kubernetes

__all__ = ["clean", "clean_side_outputs"]


def clean(directory: Path, project_name: str) -> None:
    """Remove the project's archives with every file named after them (results, digest, layout,
    SBOMs), also when only the results record is there (an ``archive = false`` build)."""
    directory = Path(directory)
    prefix = archive_prefix(project_name)
    archives = {path for path in directory.glob(f"*{ARCHIVE_SUFFIX}")}
    archives |= {path.with_name(path.name[: -len(".json")]) for path in directory.glob(f"*{ARCHIVE_SUFFIX}.json")}
    for archive in sorted(archives):
        if archive.name.lower().startswith(prefix):
            archive.unlink(missing_ok=True)
            clean_side_outputs(archive)


def clean_side_outputs(archive: Path) -> None:
    """Every file named after the archive (``naming.archive_files``; the archive itself stays),
    and the Kubernetes manifests this plugin wrote beside it. A layout folder goes only if it
    is one (no symlink)."""
    files = archive_files(archive)
    for pattern in files.all_sibling_globs():
        for path in archive.parent.glob(pattern):
            if path == archive:
                continue
            if path == files.layout:
                if (path / "oci-layout").is_file() and not path.is_symlink():
                    shutil.rmtree(path)
            elif path.is_file() or path.is_symlink():
                path.unlink(missing_ok=True)
    for path in archive.parent.glob(f"*{kubernetes.SUFFIX}"):
        try:
            with open(path, encoding="utf-8") as handle:
                ours = handle.readline().startswith(kubernetes.HEADER)
        except OSError:
            continue
        if ours:
            path.unlink(missing_ok=True)
