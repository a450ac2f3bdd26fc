"""After a build: the side files, the configured outputs, then the results files pipelines read.

``write_side_outputs`` writes the SBOM(s) beside the archive
(``<archive without .oci.tar>.cdx.json``, see sbom.py) and, when
``[tool.aicontainer.kubernetes]`` is set, ``<name>.k8s.yaml`` (kubernetes.py).

``apply_outputs`` runs after ``build_image`` (the ``.oci.tar`` exists):

1. ``<archive>.json`` and ``<archive>.digest`` are written (results.py);
2. ``oci-layout = true``: the OCI layout directory ``<archive without .tar>/``
   (``dist/app-1.0-…-amd64.oci/``), written beside it under a temporary name;
3. ``load = true``: ``docker load`` into the engine ``DOCKER_HOST`` names,
   tagged with the build's tags (and ``latest`` when asked);
4. pushing (``push`` references, ``AICONTAINER_PUSH``/``AICONTAINER_PUSH_TO``):
   every reference from the store the build filled, blobs the registry has
   are not sent again.

The results files are rewritten after each step that succeeds, so when a
step fails they say exactly what happened before it; the failure itself is
raised as the step's one-line error.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import kubernetes, sbom
from .engine import load_archive
from .errors import OutputError
from .faults import owner_token, signals_deferred
from .oci.cache import CHUNK, BlobStore
from .oci.image import canonical_json
from .oci.mediatypes import OCI_LAYOUT_VERSION
from .oci.reader import OCIImage, open_image, open_store_image
from .pipeline import BuildResult
from .progress import Progress
from .publish import PushError, push_image
from .results import add_loaded, add_pushed, image_record, write_results
from .settings import ProjectInfo, Settings, render_reference

Log = Callable[[str], None]

__all__ = [
    "OutputsDone",
    "SideOutputs",
    "apply_outputs",
    "clean_side_outputs",
    "layout_path",
    "load_tags",
    "push_references",
    "write_oci_layout",
    "write_side_outputs",
]


@dataclass(frozen=True)
class SideOutputs:
    sboms: tuple[Path, ...]
    kubernetes: Path | None


def write_side_outputs(result: BuildResult, settings: Settings, project: ProjectInfo, directory: Path) -> SideOutputs:
    """The SBOM(s) beside the archive and the Kubernetes manifest (when configured)."""
    documents = [(image.platform, image.sbom) for image in result.images if image.sbom]
    sboms = tuple(sbom.side_outputs(result.archive, documents)) if documents else ()
    manifest = kubernetes.write_manifest(settings, project.version, result.digest, directory, source=result.archive.name)
    return SideOutputs(sboms=sboms, kubernetes=manifest)


def clean_side_outputs(archive: Path) -> None:
    """``hatch build --clean``: the SBOM(s) beside an archive, and manifests this plugin wrote."""
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


@dataclass(frozen=True)
class OutputsDone:
    record: dict[str, Any]  #: what ``<archive>.json`` holds
    results: Path  #: ``<archive>.json``
    digest_file: Path  #: ``<archive>.digest``
    layout: Path | None = None


def layout_path(archive: Path) -> Path:
    """``dist/x.oci.tar`` -> ``dist/x.oci`` (``dist/x.tar`` -> ``dist/x``)."""
    return archive.with_suffix("") if archive.suffix == ".tar" else archive.with_name(archive.name + ".layout")


def _template_values(settings: Settings) -> dict[str, str]:
    target = settings.targets[0] if settings.targets else None
    return {
        "name": settings.name,
        "version": settings.project.version if settings.project else "0",
        "python": settings.python,
        "tensorflow": target.tensorflow if target else (settings.tensorflow or ""),
        "accelerator": settings.accelerator,
        "platform": "-".join(p.architecture for p in settings.platforms),
    }


def _has_tag(reference: str) -> bool:
    name = reference.split("@", 1)[0]
    return ":" in name.rpartition("/")[2]


def push_references(settings: Settings, repo_tags: tuple[str, ...] | list[str]) -> list[str]:
    """The references to push to: each ``push`` template rendered; one without a tag once per
    configured tag (``repo_tags`` are the build's ``name:tag``); ``latest`` added per repository when asked."""
    outputs = settings.outputs
    tags = list(dict.fromkeys(tag.rpartition(":")[2] for tag in repo_tags))
    values = _template_values(settings)
    out: list[str] = []
    repositories: list[str] = []
    for template in outputs.push:
        rendered = render_reference(template, values)
        if _has_tag(rendered):
            out.append(rendered)
            repository = rendered.rpartition(":")[0]
        else:
            out += [f"{rendered}:{tag}" for tag in tags]
            repository = rendered
        if repository not in repositories:
            repositories.append(repository)
    if outputs.latest:
        out += [f"{repository}:latest" for repository in repositories]
    return list(dict.fromkeys(out))


def load_tags(settings: Settings, repo_tags: tuple[str, ...] | list[str]) -> list[str]:
    tags = list(repo_tags)
    if settings.outputs.latest:
        tags.append(f"{settings.name}:latest")
    return list(dict.fromkeys(tags))


def write_oci_layout(image: OCIImage, destination: Path) -> Path:
    """Write ``image`` as an OCI layout directory at ``destination`` (replacing one that is there)."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = None
    old: Path | None = None
    try:
        with signals_deferred():  # a signal waits until the name is known to the cleanup below
            tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.tmp-{owner_token()}-", dir=destination.parent))
        (tmp / "oci-layout").write_bytes(canonical_json({"imageLayoutVersion": OCI_LAYOUT_VERSION}))
        (tmp / "index.json").write_bytes(canonical_json(image.index))
        blobs = tmp / "blobs" / "sha256"
        blobs.mkdir(parents=True)
        for digest in image.blob_digests():
            with image.open_blob(digest) as source, open(blobs / digest.split(":", 1)[1], "wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
        for path in [tmp, *tmp.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        if destination.exists() or destination.is_symlink():
            if not destination.is_dir() or destination.is_symlink():
                raise OutputError(f"cannot write the OCI layout {destination}: a file of that name is in the way")
            with signals_deferred():
                old = Path(tempfile.mkdtemp(prefix=f".{destination.name}.old-{owner_token()}-", dir=destination.parent))
            os.replace(destination, old / "layout")
        os.replace(tmp, destination)
    except OSError as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write the OCI layout {destination} ({exc.strerror or exc})") from None
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return destination


def apply_outputs(
    result: BuildResult,
    settings: Settings,
    store: BlobStore,
    *,
    log: Log | None = None,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> OutputsDone:
    """Apply ``settings.outputs`` to a ``BuildResult`` and write the results files.

    Raises the failing step's AIContainerError (OutputError, PushError,
    ConfigError) after recording what succeeded before it.
    """
    say = log or (lambda _message: None)
    archive = Path(result.archive)
    outputs = settings.outputs
    archived = result.archived
    with open_image(archive) if archived else open_store_image(store.root, result.documents) as image:
        record = image_record(image, archive)
        if not archived:
            record["archive"] = None  # pushed straight from the cache (archive = false)
        root = image.root
        for entry, built in zip(record["platforms"], result.images):
            if str(built.platform) == entry["platform"]:
                entry["lock_file"] = built.lock.path.name
        results, digest_file = write_results(archive, record)
        layout = None
        if outputs.oci_layout:
            layout = write_oci_layout(image, layout_path(archive))
            record["oci_layout"] = layout.name
            write_results(archive, record)
            say(f"OCI layout {layout}")

    if outputs.load:
        loaded = load_archive(archive, tags=load_tags(settings, tuple(result.repo_tags)), environ=environ, log=say)
        add_loaded(record, loaded.engine, loaded.image_id, loaded.tags)
        write_results(archive, record)

    if outputs.push_enabled:
        references = push_references(settings, tuple(result.repo_tags))
        try:
            pushed = push_image(store, root, references, log=say, progress=progress)  # mounts base layers from the base's repository
        except PushError as exc:
            if exc.pushed:
                add_pushed(record, [p.pinned for p in exc.pushed])
                write_results(archive, record)
            raise
        add_pushed(record, [p.pinned for p in pushed])
        write_results(archive, record)
    say(f"results {results.name}, {digest_file.name}")
    return OutputsDone(record=record, results=results, digest_file=digest_file, layout=layout)
