"""``oci-layout = true``: the image as an OCI layout directory beside the archive."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hatch_aicontainer.config.naming import archive_files
from hatch_aicontainer.core.errors import OutputError
from hatch_aicontainer.core.faults import owner_token, signals_deferred
from hatch_aicontainer.oci.cache import CHUNK
from hatch_aicontainer.oci.image import canonical_json
from hatch_aicontainer.oci.mediatypes import OCI_LAYOUT_VERSION
from hatch_aicontainer.oci.reader import OCIImage

__all__ = ["layout_path", "write_oci_layout"]


def layout_path(archive: Path) -> Path:
    """``dist/x.oci.tar`` -> ``dist/x.oci`` (named in naming.archive_files)."""
    return archive_files(archive).layout


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
        for digest in dict.fromkeys([*image.blob_digests(), *image.attachment_digests()]):
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
