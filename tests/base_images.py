"""An offline Python base image for tests and for scripts/make-base-image.

No Docker Hub here, so the base image is made from Debian's archive:

1. ``debootstrap --variant=minbase --include=python3,ca-certificates SUITE``
   makes a root filesystem (bookworm: Python 3.11), trimmed a little (apt
   lists, docs, man pages, locales) and cached in ``$AICONTAINER_TEST_CACHE``
   (default ``/var/tmp/hatch-aicontainer-test-cache``).  It is built in a
   temporary directory beside the cache entry and renamed when whole, so an
   interrupted run never leaves half a root filesystem behind.
2. The independent tool ``umoci`` turns it into a one-layer OCI image
   (``init``/``new``/``insert``/``config``/``gc``); our own image writer is
   deliberately not used, so the tests compare it with something else.
3. The layout's tag is re-pointed at a hand-written OCI image *index* with the
   single linux/<arch> manifest, because real base images (python:*-slim) are
   multi-platform indexes.
4. ``skopeo copy --all`` pushes the layout into a registry.

Plain functions (no pytest): ``python -m base_images OUT_DIR [SUITE]`` (from
``tests/``) or ``scripts/make-base-image OUT_DIR [SUITE]``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import services

DEFAULT_CACHE = "/var/tmp/hatch-aicontainer-test-cache"
MIRROR = "http://deb.debian.org/debian"  # the mirror apt uses here
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
INCLUDE = ("python3", "ca-certificates")
# bump when the recipe changes so cached root filesystems and layouts are rebuilt
RECIPE = "1"  # root filesystem recipe
LAYOUT_RECIPE = "2"  # image recipe
# fixed dates keep the cached image's config stable
CREATED = "2024-01-01T00:00:00Z"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
REF_NAME = "org.opencontainers.image.ref.name"


class BaseLayout(NamedTuple):
    path: Path  # OCI image layout directory
    tag: str  # e.g. "3.11-slim-bookworm"

    @property
    def spec(self) -> str:
        """"oci:/abs/path:tag" as skopeo and our base-image setting take it."""
        return f"oci:{self.path}:{self.tag}"


def _log(msg: str) -> None:
    print(f"[base-image] {msg}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    d = Path(os.environ.get("AICONTAINER_TEST_CACHE") or DEFAULT_CACHE)
    d.mkdir(parents=True, exist_ok=True)
    return d


@contextlib.contextmanager
def _locked(name: str):
    """An exclusive lock (flock) on a file in the cache: one builder per entry at a time."""
    with open(cache_dir() / f"{name}.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _run(argv, **kw) -> subprocess.CompletedProcess:
    # the child gets SIGTERM if we die, so no orphan keeps writing into a temp dir
    r = subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, preexec_fn=services.die_with_parent, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed ({r.returncode}):\n"
                           f"{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


def _clean_stale_temps(cache: Path) -> None:
    """Remove half-built entries of dead builders (tmp-<pid>-…), unmounting what debootstrap left."""
    for d in cache.glob("tmp-*"):
        try:
            pid = int(d.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and services.proc_start_time(pid) is None:
            with contextlib.suppress(Exception):
                services.kill_processes_mentioning(d)  # e.g. an orphaned debootstrap
                services.remove_tree(d)


def _tmp_dir(cache: Path, what: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"tmp-{os.getpid()}-{what}-", dir=cache))


def _trim_rootfs(root: Path) -> None:
    """What python:*-slim leaves out: apt lists and caches, docs (but copyrights), man/info, locales, logs."""
    def clear(d: Path, keep=lambda p: False):
        if not d.is_dir() or d.is_symlink():
            return
        for p in d.iterdir():
            if keep(p):
                continue
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()

    for rel in ("var/lib/apt/lists", "var/cache/apt", "usr/share/man", "usr/share/info",
                "usr/share/locale", "usr/share/lintian", "tmp", "var/tmp", "dev", "proc", "sys"):
        clear(root / rel, keep=lambda p: p.name in ("lock", "partial", "archives", "auxfiles"))
    (root / "var/lib/apt/lists/partial").mkdir(parents=True, exist_ok=True)
    (root / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)
    clear(root / "var/cache/apt/archives", keep=lambda p: p.name in ("lock", "partial"))
    docs = root / "usr/share/doc"
    if docs.is_dir():
        for pkg in docs.iterdir():
            if pkg.is_dir() and not pkg.is_symlink():
                clear(pkg, keep=lambda p: p.name == "copyright")
    for log in (root / "var/log").rglob("*"):
        if log.is_file():
            log.unlink()
    clear(root / "var/cache/ldconfig")
    for old in (root / "var/cache/debconf").glob("*-old"):
        old.unlink()
    # the engine provides these at run time
    (root / "etc/resolv.conf").unlink(missing_ok=True)
    (root / "etc/resolv.conf").write_text("")
    (root / "etc/hostname").write_text("")
    machine_id = root / "etc/machine-id"
    if machine_id.exists():
        machine_id.write_text("")
    os.chmod(root / "tmp", 0o1777)
    os.chmod(root / "var/tmp", 0o1777)


def python_version_of(rootfs: Path) -> str:
    """"3.11" from the rootfs's /usr/bin/python3 symlink (no need to run it)."""
    target = os.readlink(rootfs / "usr/bin/python3")
    name = os.path.basename(target)
    if not name.startswith("python3."):
        raise RuntimeError(f"unexpected /usr/bin/python3 -> {target}")
    return name[len("python"):]


def ensure_debian_rootfs(suite: str = "bookworm", arch: str = "amd64") -> Path:
    """A trimmed minbase Debian root filesystem with python3, cached across runs."""
    services.require_tools("debootstrap")
    if os.geteuid() != 0:
        raise RuntimeError("debootstrap needs root")
    cache = cache_dir()
    final = cache / f"rootfs-{suite}-{arch}-r{RECIPE}"
    if (final / "usr/bin/python3").exists():
        return final
    with _locked(final.name):
        if (final / "usr/bin/python3").exists():
            return final
        _clean_stale_temps(cache)
        tmp = _tmp_dir(cache, "rootfs")
        root = tmp / "rootfs"
        try:
            argv = ["debootstrap", "--variant=minbase", f"--arch={arch}",
                    "--include=" + ",".join(INCLUDE), suite, root, MIRROR]
            if Path(KEYRING).exists():
                argv.insert(1, f"--keyring={KEYRING}")  # verify the Release signature
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
            for attempt in (1, 2):  # one retry: the archive is remote
                _log(f"debootstrap {suite}/{arch} into {root} (about 40 s) …")
                t = time.monotonic()
                try:
                    _run(argv, env=env)
                    break
                except RuntimeError as e:
                    services.remove_tree(root)  # unmounts what debootstrap mounted inside
                    if attempt == 2:
                        raise
                    _log(f"debootstrap failed, retrying: {str(e)[-500:]}")
            _log(f"debootstrap done in {time.monotonic() - t:.0f}s")
            services.unmount_under(root)  # debootstrap mounts /proc and /sys inside
            _trim_rootfs(root)
            python_version_of(root)  # sanity
            if final.exists():  # an incomplete leftover of an older layout of the cache
                services.remove_tree(final)
            root.rename(final)
        finally:
            services.remove_tree(tmp)
    return final


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _write_blob(layout: Path, data: bytes) -> tuple[str, int]:
    digest = hashlib.sha256(data).hexdigest()
    blob = layout / "blobs" / "sha256" / digest
    blob.write_bytes(data)
    return "sha256:" + digest, len(data)


def wrap_in_index(layout: Path, tag: str, arch: str, os_name: str = "linux") -> None:
    """Re-point *tag* at an OCI image index holding the tag's manifest for os/arch."""
    index_path = layout / "index.json"
    top = json.loads(index_path.read_text())
    entries = [m for m in top["manifests"] if m.get("annotations", {}).get(REF_NAME) == tag]
    if len(entries) != 1 or entries[0]["mediaType"] != MT_MANIFEST:
        raise RuntimeError(f"expected one image manifest tagged {tag!r} in {index_path}")
    manifest = {k: v for k, v in entries[0].items() if k != "annotations"}
    manifest["platform"] = {"architecture": arch, "os": os_name}
    image_index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [manifest]}
    digest, size = _write_blob(layout, json.dumps(image_index, separators=(",", ":")).encode())
    top["manifests"] = [m for m in top["manifests"] if m not in entries] + [
        {"mediaType": MT_INDEX, "digest": digest, "size": size, "annotations": {REF_NAME: tag}}
    ]
    tmp = layout / "index.json.tmp"
    tmp.write_text(json.dumps(top, separators=(",", ":")))
    tmp.replace(index_path)


def build_layout(layout: Path, tag: str, rootfs: Path, arch: str) -> None:
    """umoci: a one-layer image of *rootfs* tagged *tag* in a new layout, wrapped in an index."""
    services.require_tools("umoci")
    image = f"{layout}:{tag}"
    _run(["umoci", "init", "--layout", layout])
    _run(["umoci", "new", "--image", image])
    # unpack the empty image into a bundle, fill its rootfs, repack: one layer holding rootfs
    bundle = layout.parent / (layout.name + ".bundle")
    _run(["umoci", "unpack", "--image", image, bundle])
    shutil.rmtree(bundle / "rootfs")
    _run(["cp", "-a", rootfs, bundle / "rootfs"])
    _run(["umoci", "repack", "--image", image, "--history.created", CREATED,
          "--history.created_by", f"debootstrap --variant=minbase --include={','.join(INCLUDE)}",
          bundle])
    shutil.rmtree(bundle)
    _run(["umoci", "config", "--image", image, "--no-history",
          "--clear=config.env", "--config.env", PATH_ENV, "--config.env", "LANG=C.UTF-8",
          "--clear=config.cmd", "--config.cmd", "python3",
          "--architecture", arch, "--os", "linux", "--created", CREATED])
    _run(["umoci", "gc", "--layout", layout])
    wrap_in_index(layout, tag, arch)
    for blob in (layout / "blobs" / "sha256").iterdir():
        blob.chmod(0o644)  # umoci writes 0600; the layout may be read by non-root tools


def _check_layout(layout: Path) -> bool:
    """Every blob named by the layout's index.json is present with the right digest (cheap check)."""
    try:
        top = json.loads((layout / "index.json").read_text())
        for m in top["manifests"]:
            blob = layout / "blobs" / m["digest"].replace(":", "/")
            if blob.stat().st_size != m["size"]:
                return False
        return True
    except (OSError, ValueError, KeyError):
        return False


def ensure_python_base_layout(suite: str = "bookworm", arch: str = "amd64") -> BaseLayout:
    """The cached OCI layout of the Python base (built once per cache): do not modify it."""
    rootfs = ensure_debian_rootfs(suite, arch)
    tag = f"{python_version_of(rootfs)}-slim-{suite}"
    cache = cache_dir()
    final = cache / f"layout-python-{suite}-{arch}-r{RECIPE}.{LAYOUT_RECIPE}"
    if _check_layout(final):
        return BaseLayout(final, tag)
    with _locked(final.name):
        if _check_layout(final):
            return BaseLayout(final, tag)
        _clean_stale_temps(cache)
        tmp = _tmp_dir(cache, "layout")
        try:
            t = time.monotonic()
            build_layout(tmp / "layout", tag, rootfs, arch)
            _log(f"umoci image built in {time.monotonic() - t:.0f}s")
            if final.exists():
                services.remove_tree(final)
            (tmp / "layout").rename(final)
        finally:
            services.remove_tree(tmp)
    return BaseLayout(final, tag)


def make_python_base_layout(dest: Path, suite: str = "bookworm", arch: str = "amd64") -> BaseLayout:
    """Write the Python base image as an OCI layout at *dest* (empty, absent, or an old layout).

    Returns ``(layout_path, tag)``; ``tag`` is e.g. ``"3.11-slim-bookworm"``.
    """
    cached, tag = ensure_python_base_layout(suite, arch)
    dest = Path(dest).absolute()
    if dest.exists() and any(dest.iterdir()) and not (dest / "oci-layout").exists():
        raise RuntimeError(f"{dest} is neither empty nor an OCI layout: not overwriting it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        shutil.copytree(cached, tmp / "layout")
        if dest.exists():
            shutil.rmtree(dest)
        (tmp / "layout").rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return BaseLayout(dest, tag)


def push_layout(layout: Path, tag: str, registry_host: str, repository_and_tag: str, *,
                creds: str | None = None, tls_verify: bool = False) -> str:
    """``skopeo copy --all`` the layout's *tag* to ``docker://HOST/REPO:TAG``; returns that reference."""
    services.require_tools("skopeo")
    ref = f"{registry_host}/{repository_and_tag}"
    argv = ["skopeo", "--insecure-policy", "copy", "--all", "--preserve-digests", "--quiet",
            "--retry-times", "2", f"--dest-tls-verify={'true' if tls_verify else 'false'}"]
    if creds:
        argv += ["--dest-creds", creds]
    argv += [f"oci:{Path(layout).absolute()}:{tag}", f"docker://{ref}"]
    _run(argv)
    return ref


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(
        prog="make-base-image",
        description="Make the offline Python base image (debootstrap + umoci, OCI index) "
                    "as an OCI layout at OUT_DIR; prints the spec oci:OUT_DIR:TAG.")
    p.add_argument("out_dir", type=Path)
    p.add_argument("suite", nargs="?", default="bookworm",
                   help="Debian suite: bookworm gives Python 3.11, trixie 3.13")
    p.add_argument("--arch", default="amd64")
    args = p.parse_args(argv)
    try:
        layout = make_python_base_layout(args.out_dir, args.suite, args.arch)
    except (RuntimeError, services.ServiceError) as e:
        print(f"make-base-image: {e}", file=sys.stderr)
        return 1
    print(layout.spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
