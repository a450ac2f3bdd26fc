"""The files release pipelines read, beside the archive: ``<archive>.json`` and ``<archive>.digest``.

``dist/app-1.0-py311-tf2.16.1-cpu-amd64.oci.tar.json``::

    {
      "schema": 1,
      "archive": "app-1.0-py311-tf2.16.1-cpu-amd64.oci.tar",
      "archive_size": 123456789,
      "name": "app",
      "tags": ["app:1.0"],
      "digest": "sha256:…",                      # the manifest, or the index for several platforms
      "media_type": "application/vnd.oci.image.manifest.v1+json",
      "size": 98765432,                          # compressed: every blob once (what a registry stores)
      "platforms": [
        {"platform": "linux/amd64", "digest": "sha256:…", "config": "sha256:…", "size": 98765000,
         "layers": [{"digest": "sha256:…", "size": 29000000, "media_type": "…tar+gzip"}, …],
         "lock_sha256": "sha256:…", "lock_file": "pylock.aicontainer-py311-amd64-cpu.toml"}
      ],
      "pinned": {"python": "3.11", "tensorflow": "2.16.1", "tensorflow_package": "tensorflow-cpu",
                 "accelerator": "cpu", "cuda": null, "cudnn": null},
      "lock_sha256": "sha256:…",                 # the first platform's lock file
      "attestations": [{"kind": "provenance", "digest": "sha256:…", "artifact_type": "…", "signed": true}, …],
      "pushed": ["127.0.0.1:5000/team/app:1.0@sha256:…"],
      "loaded": [{"engine": "unix:///var/run/docker.sock", "image_id": "sha256:…", "tags": ["app:1.0"]}]
    }

``pushed`` and ``loaded`` list only what really happened: an entry is added
after the registry accepted the manifest under that reference, or after the
engine loaded (and tagged) the image. ``<archive>.digest`` holds the root
digest and a newline. Both files are written to a temporary name and renamed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hatch_aicontainer.attest.referrers import KIND_ANNOTATION
from hatch_aicontainer.build.image import BuiltImage
from hatch_aicontainer.config.frameworks import FRAMEWORK_NAMES
from hatch_aicontainer.config.naming import LABEL_PREFIX, archive_files
from hatch_aicontainer.core.atomic import write_atomically
from hatch_aicontainer.core.errors import OutputError
from hatch_aicontainer.oci.descriptor import Descriptor
from hatch_aicontainer.oci.mediatypes import SIGSTORE_BUNDLE
from hatch_aicontainer.oci.reader import OCIImage, open_image

SCHEMA = 1

__all__ = [
    "SCHEMA",
    "attestations_record",
    "record_of",
    "add_loaded",
    "add_pushed",
    "digest_path",
    "image_record",
    "read_results",
    "record_for_archive",
    "results_path",
    "write_results",
]


def results_path(archive: str | Path) -> Path:
    """``<archive>.json`` (named in naming.archive_files)."""
    return archive_files(Path(archive)).results


def digest_path(archive: str | Path) -> Path:
    """``<archive>.digest`` (named in naming.archive_files)."""
    return archive_files(Path(archive)).digest


def record_of(built: BuiltImage) -> dict[str, Any]:
    """The record of the image a build made, from the build's own value (no ``pushed``/``loaded`` yet).

    :func:`image_record` gives the same record from an archive read back (tests compare them).
    """
    first = built.images[0]
    installed = first.installed
    platforms = [
        {
            "platform": str(image.platform),
            "digest": image.manifest.digest,
            "config": image.config.digest,
            "size": image.manifest.size + image.config.size + sum(layer.size for layer in image.layers),
            "layers": [{"digest": d.digest, "size": d.size, "media_type": d.media_type} for d in image.layers],
            "lock_sha256": image.lock.sha256,
            "lock_file": image.lock.path.name,
        }
        for image in built.images
    ]
    tags = list(built.repo_tags)
    return {
        "schema": SCHEMA,
        "archive": built.archive.name if built.archived else None,
        "archive_size": _size(built.archive) if built.archived else None,
        "name": tags[0].rpartition(":")[0] if tags else None,
        "tags": tags,
        "digest": built.digest,
        "media_type": built.media_type,
        "size": sum(built.blob_sizes().values()),
        "platforms": platforms,
        "pinned": pinned_record(
            installed.python,
            [(f.framework, f.version, f.distribution) for f in installed.frameworks],
            first.target.accelerator,
            installed.cuda,
            installed.cudnn,
        ),
        "lock_sha256": first.lock.sha256,
        "attestations": attestations_record(built.referrers),
        "pushed": [],
        "loaded": [],
    }


def attestations_record(referrers: Iterable[Descriptor]) -> list[dict[str, Any]]:
    """The record's ``attestations``: each referrer manifest's kind, digest and artifact type, and
    whether it is signed (a sigstore bundle) — read from the manifests, as a consumer finds them."""
    return [
        {
            "kind": r.annotations.get(KIND_ANNOTATION),
            "digest": r.digest,
            "artifact_type": r.artifact_type,
            "signed": r.artifact_type == SIGSTORE_BUNDLE,
        }
        for r in referrers
    ]


def pinned_record(
    python: str | None,
    frameworks: Sequence[tuple[str, str, str | None]],
    accelerator: str | None,
    cuda: str | None,
    cudnn: str | None,
) -> dict[str, Any]:
    """The record's ``pinned`` table: ``python``, then ``<framework>`` and ``<framework>_package`` for
    every framework the image holds (``frameworks``: name, version, distribution), then the accelerator."""
    record: dict[str, Any] = {"python": python}
    for name, version, distribution in frameworks:
        record[name] = version
        record[name + "_package"] = distribution
    record.update(accelerator=accelerator, cuda=cuda, cudnn=cudnn)
    return record


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def image_record(image: OCIImage, archive: str | Path) -> dict[str, Any]:
    """The record of an image read back from an archive or layout (``aicontainer inspect``/``push``
    of an archive built earlier; no ``pushed``/``loaded`` yet)."""
    archive = Path(archive)
    tags = list(image.repo_tags)
    name = tags[0].rpartition(":")[0] if tags else None
    platforms = []
    blob_sizes: dict[str, int] = {image.root.digest: image.root.size}
    for item in image.images:
        labels = item.labels
        entry: dict[str, Any] = {
            "platform": str(item.platform) if item.platform else None,
            "digest": item.descriptor.digest,
            "config": item.config_descriptor.digest,
            "size": item.size,
            "layers": [{"digest": d.digest, "size": d.size, "media_type": d.media_type} for d in item.layers],
            "lock_sha256": labels.get(LABEL_PREFIX + "lock.sha256"),
        }
        platforms.append(entry)
        blob_sizes[item.descriptor.digest] = item.descriptor.size
        blob_sizes[item.config_descriptor.digest] = item.config_descriptor.size
        blob_sizes.update((layer.digest, layer.size) for layer in item.layers)
    labels = image.images[0].labels
    archive_size = _size(archive)
    return {
        "schema": SCHEMA,
        "archive": archive.name,
        "archive_size": archive_size,
        "name": name,
        "tags": tags,
        "digest": image.root.digest,
        "media_type": image.root.media_type,
        "size": sum(blob_sizes.values()),
        "platforms": platforms,
        "pinned": pinned_record(
            labels.get(LABEL_PREFIX + "python"),
            [
                (name, labels[LABEL_PREFIX + name], labels.get(LABEL_PREFIX + name + ".package"))
                for name in FRAMEWORK_NAMES
                if LABEL_PREFIX + name in labels
            ],
            labels.get(LABEL_PREFIX + "accelerator"),
            labels.get(LABEL_PREFIX + "cuda"),
            labels.get(LABEL_PREFIX + "cudnn"),
        ),
        "lock_sha256": labels.get(LABEL_PREFIX + "lock.sha256"),
        "attestations": attestations_record(image.referrers),
        "pushed": [],
        "loaded": [],
    }


def record_for_archive(archive: str | Path, *, keep_history: bool = True) -> dict[str, Any]:
    """The record of ``archive``; with ``keep_history``, the ``pushed``/``loaded`` entries of an
    existing ``<archive>.json`` for the same digest are kept (a later stage of the release pipeline adds to them)."""
    with open_image(archive) as image:
        record = image_record(image, archive)
    if keep_history:
        previous = read_results(archive)
        if previous is not None and previous.get("digest") == record["digest"]:
            for key in ("pushed", "loaded"):
                if isinstance(previous.get(key), list):
                    record[key] = list(previous[key])
            for old, new in zip(previous.get("platforms") or [], record["platforms"]):
                if isinstance(old, dict) and old.get("digest") == new["digest"] and old.get("lock_file"):
                    new["lock_file"] = old["lock_file"]
    return record


def read_results(archive: str | Path) -> dict[str, Any] | None:
    """The existing ``<archive>.json``, or None when missing or unreadable."""
    try:
        data = json.loads(results_path(archive).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def add_pushed(record: dict[str, Any], pinned: Iterable[str]) -> dict[str, Any]:
    """Add ``reference@digest`` entries (each once, in order)."""
    record["pushed"] = list(dict.fromkeys([*record.get("pushed", []), *pinned]))
    return record


def add_loaded(record: dict[str, Any], engine: str, image_id: str, tags: Iterable[str]) -> dict[str, Any]:
    entry = {"engine": engine, "image_id": image_id, "tags": list(tags)}
    loaded = [e for e in record.get("loaded", []) if not (isinstance(e, Mapping) and e.get("engine") == engine)]
    record["loaded"] = [*loaded, entry]
    return record


def write_results(archive: str | Path, record: Mapping[str, Any]) -> tuple[Path, Path]:
    """Write ``<archive>.json`` and ``<archive>.digest`` (each to a temporary name, then renamed)."""
    json_path, digest = results_path(archive), digest_path(archive)
    text = json.dumps(record, indent=2, sort_keys=False) + "\n"
    _write_atomically(json_path, text.encode("utf-8"))
    _write_atomically(digest, (str(record["digest"]) + "\n").encode("ascii"))
    return json_path, digest


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror or exc})") from None
