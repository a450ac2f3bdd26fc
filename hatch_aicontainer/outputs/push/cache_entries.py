"""``cache-to``: after a push, each pushed repository gets the registry cache entries of the image's layers.

An entry (``cache.remote``) is a small artifact manifest under the tag ``aicontainer-cache-<key>``:
its config is the layer's record (signed, when the build signs), its one layer the layer blob the
push just sent (nothing more is uploaded than the record). An entry that is already there, the same bytes, is not written again.
Writing entries never fails a release: a refusal (a token that may push the image but not other
tags, a registry that rejects the artifact) is one line, and the image stays pushed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from hatch_aicontainer.cache.remote import EntryDocuments, entry_tag
from hatch_aicontainer.core.errors import AIContainerError, one_line
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.registry.access import RegistryAccess
from hatch_aicontainer.registry.blob_sources import BytesBlobs
from hatch_aicontainer.registry.client import RegistryClient
from hatch_aicontainer.registry.reference import ImageReference

__all__ = ["write_cache_entries"]


def write_cache_entries(
    references: Sequence[str],
    entries: Sequence[EntryDocuments],
    access: RegistryAccess,
    say: Callable[[str], None],
) -> int:
    """Write the entries in every repository of ``references``; how many were written."""
    repositories = dict.fromkeys(
        (ref.api_host, ref.repository, f"{ref.registry}/{ref.repository}")
        for ref in (ImageReference.parse(text) for text in references)
    )
    written = 0
    for host, repository, where in repositories:
        with RegistryClient(host, access=access) as client:
            for entry in entries:
                tag = entry_tag(entry.key)
                try:
                    if client.manifest_digest(repository, tag) == _sha256(entry.manifest):
                        continue
                    client.upload_blob(repository, _sha256(entry.record), BytesBlobs({_sha256(entry.record): entry.record}))
                    client.put_manifest(repository, tag, entry.manifest, mt.OCI_MANIFEST)
                    written += 1
                    say(f"cache entry {tag[:30]}… written to {where}")
                except AIContainerError as exc:
                    say(f"cache entry for key {entry.key[:12]} not written to {where} ({one_line(str(exc))}); the image is pushed")
                    break
    return written


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()
