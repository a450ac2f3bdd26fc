"""Reading a layer blob as a tar stream: gzip, zstd or plain, told apart by magic bytes.

Read by the base image's one replay (``build/base/filesystem.py``), front to back,
never seeking: each layer is read once per build.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from hatch_aicontainer.core.errors import BaseImageError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@contextmanager
def open_layer_tar(raw: IO[bytes], spec: str, digest: str, *, limit: int | None = None) -> Iterator[tarfile.TarFile]:
    """A streaming ``tarfile`` over the decompressed layer.

    ``limit`` caps the decompressed bytes read (a decompression bomb ends in a
    one-line ``BaseImageError`` naming the image and layer, not a full disk).
    """
    stream = decompressed(raw, spec, digest)
    reader: IO[bytes] = ZeroPadded(stream if limit is None else _Limited(stream, limit, spec, digest))  # type: ignore[assignment]
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            yield tar
    finally:
        if stream is not raw:
            stream.close()


class ZeroPadded:
    """A read-only stream that yields one tar record of zeros after its end.

    Some writers (umoci 0.4.7, Debian's) end a layer right after the last
    file's data, without the block padding and the end-of-archive blocks.
    Go's archive/tar (Docker, containerd) reads such layers; Python's tarfile
    refuses them ("unexpected end of data") unless the padding is there. The
    blob's digest is verified, so this never masks a transfer error.
    """

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner
        self._padding = tarfile.RECORDSIZE

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        if data or size == 0:
            return data
        give = self._padding if size is None or size < 0 else min(size, self._padding)
        self._padding -= give
        return b"\0" * give


class _Limited:
    def __init__(self, inner: IO[bytes], limit: int, spec: str, digest: str) -> None:
        self._inner = inner
        self._left = limit
        self._limit = limit
        self._where = f'base-image "{spec}": layer {digest[:19]}'

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self._left -= len(data)
        if self._left < 0:
            raise BaseImageError(f"{self._where} unpacks to more than {self._limit // (1 << 20)} MiB; refusing it")
        return data


def decompressed(raw: IO[bytes], spec: str, digest: str) -> IO[bytes]:
    """``raw`` itself, or a decompressing reader over it (by magic bytes)."""
    head = raw.read(4)
    raw.seek(0)
    if head.startswith(GZIP_MAGIC):
        try:
            from isal import igzip

            return igzip.IGzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
        except ImportError:  # pragma: no cover - isal is a dependency
            import gzip

            return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if head == ZSTD_MAGIC:
        return _zstd_reader(raw, spec, digest)
    return raw


def _zstd_reader(raw: IO[bytes], spec: str, digest: str) -> IO[bytes]:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+

        return zstd.ZstdFile(raw, mode="rb")  # type: ignore[no-any-return]
    except ImportError:
        pass
    try:
        from backports import zstd  # type: ignore[import-not-found,no-redef]

        return zstd.ZstdFile(raw, mode="rb")  # type: ignore[no-any-return]
    except ImportError:
        pass
    try:
        import zstandard  # type: ignore[import-not-found]

        return zstandard.ZstdDecompressor().stream_reader(raw)  # type: ignore[no-any-return]
    except ImportError:
        raise BaseImageError(
            f'base-image "{spec}": layer {digest[:19]} is zstd-compressed; install hatch-aicontainer[zstd] to read it'
        ) from None
