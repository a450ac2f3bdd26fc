#!/usr/bin/env python3
"""The archive's blob copy: ``os.copy_file_range`` (the kernel) against read/write, in one run.

    python benchmarks/archive_copy.py [--size-mib 1024] [--dir /var/tmp]

Writes a store with one incompressible layer of ``--size-mib`` MiB (the size of an
included model or a CUDA dependency layer) under ``--dir``, then the same ``.oci.tar``
four times: read/write, kernel, read/write, kernel (both with the page cache as warm as
the first gave it), and prints the best time of each way and their ratio. On ext4 the
kernel copies in place (no user-space buffers); on XFS/Btrfs it shares extents
where the tar's 512-byte offsets allow. The two archives must be byte-identical (it
checks their sha256).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from release_helpers import MTIME, assemble_image, built_from, write_archive  # noqa: E402

from hatch_aicontainer.oci import archive  # noqa: E402
from hatch_aicontainer.oci.cache import BlobStore, file_sha256  # noqa: E402
from hatch_aicontainer.oci.descriptor import Platform  # noqa: E402
from hatch_aicontainer.oci.image import ConfigChanges  # noqa: E402
from hatch_aicontainer.oci.layer import LayerEntry, write_layer  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--dir", type=Path, default=None, help="where the store and archives go (default: $TMPDIR)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aicontainer-archive-copy-", dir=args.dir) as work:
        work_path = Path(work)
        source = work_path / "model.bin"
        with open(source, "wb") as out:
            for _ in range(args.size_mib):
                out.write(os.urandom(1 << 20))
        store = BlobStore(work_path / "store")
        layer = write_layer([LayerEntry("app/models/model.bin", "file", source=source)], store, mtime=MTIME, compression="none")
        source.unlink()
        changes = ConfigChanges(env={}, entrypoint=None, cmd=["/bin/true"], workdir="/", user=None, exposed_ports=[], labels={})
        built = built_from(store, [assemble_image(store, Platform("linux", "amd64"), changes, [(layer, "model")])])
        seconds: dict[bool, list[float]] = {False: [], True: []}
        digests: dict[bool, str] = {}
        for kernel in (False, True, False, True):
            archive.KERNEL_COPY = kernel
            destination = work_path / f"{'kernel' if kernel else 'plain'}.oci.tar"
            destination.unlink(missing_ok=True)
            started = time.perf_counter()
            write_archive(built, destination)
            seconds[kernel].append(time.perf_counter() - started)
            digests[kernel] = file_sha256(destination)
        fs = os.statvfs(work_path)
        plain, kernel = min(seconds[False]), min(seconds[True])
        print(f"archive of a {args.size_mib} MiB layer in {work_path.parent} (block size {fs.f_bsize}):")
        print(f"  read/write copy      {plain:6.2f} s  ({args.size_mib / plain:6.0f} MiB/s)")
        print(f"  copy_file_range      {kernel:6.2f} s  ({args.size_mib / kernel:6.0f} MiB/s)")
        print(f"  ratio kernel/plain   {kernel / plain:6.2f}x")
        print(f"  byte-identical       {digests[False] == digests[True]}")
        return 0 if digests[False] == digests[True] else 1


if __name__ == "__main__":
    sys.exit(main())
