"""A layer's diff_id (the sha256 of its uncompressed tar) from its compressed bytes, streamed or stored.

The streamed form checks a layer while it downloads. Inflating a 2 GB TensorFlow layer and hashing
what comes out costs seconds of CPU, so each runs on a thread of its own (``core.pipeline``), beside
the download thread that hashes the compressed bytes: on the example project's 737 MB layer, about
3.0 s on two cores where the three one after the other take 4.7 s.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from types import TracebackType
from typing import Any

from hatch_aicontainer.core.errors import AIContainerError
from hatch_aicontainer.core.pipeline import Stage
from hatch_aicontainer.oci.cache import CHUNK, BlobStore
from hatch_aicontainer.oci.layer_reader import decompressed

__all__ = ["StreamingDiffId", "diff_id_of"]


class StreamingDiffId:
    """The diff_id of a layer computed from its compressed chunks as they arrive (gzip, several members
    allowed; zstd when ``zstandard`` is installed; uncompressed tars). Use it as a context manager, or
    call ``result``: either ends its threads."""

    def __init__(self, media_type: str) -> None:
        self.seen = 0
        self._hashing = hashlib.sha256()
        self._decompress = _decompressor(media_type)
        self._hasher = Stage(self._hashing.update, "diff_id sha256")
        self._inflater = Stage(self._inflate, "diff_id inflate") if self._decompress is not None else None
        self._closed = False

    def _inflate(self, chunk: bytes) -> None:
        assert self._decompress is not None
        if out := self._decompress(chunk):
            self._hasher.put(out)

    def update(self, chunk: bytes) -> None:
        self.seen += len(chunk)
        if self._inflater is not None:
            self._inflater.put(chunk)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._inflater is not None:
                self._inflater.finish()
            self._hasher.finish()

    def result(self, size: int) -> str | None:
        """The diff_id; "" when the stream did not decompress; None when it cannot tell (another attempt's
        chunks were seen too, or there is no incremental decompressor for the format)."""
        self.close()
        if self._inflater is None or self.seen != size:
            return None
        return "" if self._inflater.error is not None else "sha256:" + self._hashing.hexdigest()

    def __enter__(self) -> StreamingDiffId:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None) -> None:
        self.close()


def _decompressor(media_type: str) -> Callable[[bytes], bytes] | None:
    """An incremental decompressor for a layer media type; None when there is none here."""
    if media_type.endswith("+gzip"):
        return _Gunzip().decompress
    if media_type.endswith("+zstd"):
        try:
            import zstandard
        except ImportError:
            return None
        return zstandard.ZstdDecompressor().decompressobj().decompress  # type: ignore[no-any-return]
    return lambda data: data


class _Gunzip:
    """gzip, one member after another (a layer compressed in parallel may be several)."""

    def __init__(self) -> None:
        self._member = _gzip_decompressobj()

    def decompress(self, data: bytes) -> bytes:
        out = []
        while data:
            out.append(self._member.decompress(data))
            if not self._member.eof:
                break
            data = self._member.unused_data  # the next member
            self._member = _gzip_decompressobj()
        return b"".join(out)


def _gzip_decompressobj() -> Any:
    """ISA-L's inflate (several times zlib's speed: it keeps pace with a local registry), else zlib's."""
    try:
        from isal import isal_zlib

        return isal_zlib.decompressobj(wbits=31)
    except ImportError:  # pragma: no cover - isal is a dependency
        return zlib.decompressobj(wbits=31)


def diff_id_of(store: BlobStore, digest: str) -> str:
    """The sha256 of a stored layer's uncompressed bytes; "" when it does not decompress."""
    hashing = hashlib.sha256()
    try:
        with store.open(digest) as raw:
            stream = decompressed(raw, "registry cache", digest)
            while chunk := stream.read(CHUNK):
                hashing.update(chunk)
    except (OSError, EOFError, ValueError, AIContainerError):
        return ""
    except Exception:  # noqa: BLE001 - a corrupt stream raises its decompressor's own error types (zlib, zstd)
        return ""
    return "sha256:" + hashing.hexdigest()
