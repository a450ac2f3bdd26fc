"""Build hosts for the cross-host reproducibility test: the same ``hatch build`` elsewhere.

Three kinds of host, all building a copy of one project with this checkout's
plugin wheel (found through ``UV_FIND_LINKS``/``PIP_FIND_LINKS``, as in
e2e_helpers) and a fresh, empty plugin cache:

* :func:`build_on_host`: hatch from the test's own virtual environment;
* :func:`build_in_chroot`: a Debian root file system (trixie: hatch on Python
  3.13) as a second machine: ``unshare --mount --uts --fork``, an overlay on the
  cached root file system (which stays pristine), ``/dev`` bound, ``/proc`` and a
  tmpfs on ``/tmp`` mounted, resolv.conf and the CA bundle copied in, then
  ``chroot``; hatch is installed from PyPI into a venv made by uv inside;
* :func:`build_in_container`: an unprivileged container on the private test
  engine, as a CI pod would run (uid 1000, ``--cap-drop ALL``,
  ``no-new-privileges``, host network, the CA bundle mounted read-only).

The hosts differ on purpose beyond their OS and Python: CPU count
(``taskset``), umask (and the checkout's modes), time zone, locale and host
name (see :data:`HOST_QUIRKS`), so a test comparing their digests catches
those leaks too. uv's download cache
is kept between runs and shared through bind mounts: one for the builds as
root (host, chroot), one owned by uid 1000 for the container (a cache written
by root cannot be written by uid 1000, and the builds run at the same time).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from e2e_helpers import BIN, copy_project, hatch_env
from uv import find_uv_bin

CONTAINER_UID = 1000
# Inside the chroot and the container, everything the build needs lives under /x.
INNER = "/x"
INNER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Build settings the caller may set; every host gets them (the host build sees os.environ anyway).
FORWARDED = ("AICONTAINER_BYTECODE",)

# How the hosts differ besides OS and Python (each a build-host value that must not reach the image).
HOST_QUIRKS: dict[str, dict[str, str]] = {
    "host": {},
    "chroot": {"TZ": "Pacific/Chatham", "LANG": "C", "LC_ALL": "C", "UMASK": "077", "CPUS": "0"},
    "container": {"TZ": "America/St_Johns", "LANG": "C.UTF-8", "UMASK": "002"},
}

# Run by /bin/sh in the chroot and in the container: a venv with hatch (made by uv,
# no ensurepip needed), then the timed build. Writes seconds to $W/build-seconds.
_BUILD_SCRIPT = r"""
set -eu
umask "$UMASK"
cd "$W"
"$UV" venv --quiet --python /usr/bin/python3 "$W/hatch-venv"
"$UV" pip install --quiet --python "$W/hatch-venv/bin/python" "hatch==$HATCH_VERSION"
"$W/hatch-venv/bin/python" -c 'import sys; print(sys.version.split()[0])' > "$W/hatch-python"
start=$(date +%s.%N)
cd "$W/project"
"$W/hatch-venv/bin/hatch" build -t container
end=$(date +%s.%N)
echo "$start $end" > "$W/build-seconds"
"""


@dataclass(frozen=True)
class Kit:
    """What every host gets: the plugin's wheelhouse, uv, a shared uv cache, the CA bundle."""

    wheelhouse: Path
    uv_cache: Path  # for builds as root
    uv_cache_unprivileged: Path  # for the container's uid
    ca_bundle: Path | None
    base_image: str  # AICONTAINER_BASE_IMAGE, reachable from every host (loopback registry)
    uv: Path = field(default_factory=lambda: Path(find_uv_bin()))  # made here: sysconfig is not thread-safe

    @property
    def inner_wheelhouse(self) -> str:
        """Where the wheelhouse is seen inside, named by its content: uv's shared cache keeps a
        find-links wheel by its location and name, so a fixed path would serve last run's plugin."""
        digest = hashlib.sha256()
        for wheel in sorted(self.wheelhouse.iterdir()):
            digest.update(wheel.name.encode() + b"\0" + wheel.read_bytes())
        return f"{INNER}/wheelhouse-{digest.hexdigest()[:16]}"


@dataclass(frozen=True)
class HostBuild:
    host: str
    python: str  # the Python hatch ran on
    project: Path
    seconds: float  # the `hatch build` alone (not the hatch install)
    plugin_cache: Path  # AICONTAINER_CACHE_DIR of the build, as seen from here

    @property
    def archive(self) -> Path:
        (archive,) = sorted((self.project / "dist").glob("*.oci.tar"))
        return archive

    @property
    def digest(self) -> str:
        return (self.archive.parent / (self.archive.name + ".digest")).read_text().strip()


def ca_bundle() -> Path | None:
    """The CA bundle this machine's HTTPS goes through (SSL_CERT_FILE / REQUESTS_CA_BUNDLE)."""
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        value = os.environ.get(name)
        if value and Path(value).is_file():
            return Path(value)
    default = Path("/etc/ssl/certs/ca-certificates.crt")
    return default if default.is_file() else None


def _run(argv: list[str], *, timeout: float = 1200, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if done.returncode != 0:
        raise AssertionError(f"{shlex.join(argv)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-4000:]}")
    return done


def _inner_env(kit: Kit, host: str, work: str, extra: dict[str, str]) -> dict[str, str]:
    """The environment of the build inside a chroot or container (nothing of ours leaks in)."""
    quirks = HOST_QUIRKS[host]
    env = {
        "PATH": INNER_PATH,
        "HOME": f"{work}/home",
        "W": work,
        "UV": f"{INNER}/bin/uv",
        "UMASK": quirks.get("UMASK", "022"),
        "HATCH_VERSION": version("hatch"),
        "UV_CACHE_DIR": f"{INNER}/uv-cache",
        "UV_FIND_LINKS": kit.inner_wheelhouse,
        "PIP_FIND_LINKS": kit.inner_wheelhouse,
        "HATCH_DATA_DIR": f"{work}/hatch",
        "AICONTAINER_CACHE_DIR": f"{work}/plugin-cache",
        "AICONTAINER_BASE_IMAGE": kit.base_image,
        **{k: v for k, v in quirks.items() if k not in ("UMASK", "CPUS")},
        **{k: os.environ[k] for k in FORWARDED if k in os.environ},
        **extra,
    }
    if kit.ca_bundle is not None:
        for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT"):
            env[name] = f"{INNER}/ca.pem"
    return env


def _stage(kit: Kit, project: Path, outer: Path) -> Path:
    """``outer`` (seen as /x inside): uv, the wheelhouse, the CA bundle, a work dir with the project."""
    (outer / "bin").mkdir(parents=True)
    shutil.copy2(kit.uv, outer / "bin" / "uv")
    shutil.copytree(kit.wheelhouse, outer / kit.inner_wheelhouse.removeprefix(f"{INNER}/"))
    if kit.ca_bundle is not None:
        shutil.copyfile(kit.ca_bundle, outer / "ca.pem")
    work = outer / "work"
    work.mkdir()
    copy_project(project, work / "project")
    (outer / "uv-cache").mkdir()  # the mount point of the shared cache
    return work


def _as_if_checked_out_under_umask_077(tree: Path) -> None:
    """Owner-only modes (0600/0700), as git leaves a checkout made under umask 077."""
    for path in (tree, *tree.rglob("*")):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & 0o700)


def _finish(host: str, work: Path) -> HostBuild:
    start, end = (float(v) for v in (work / "build-seconds").read_text().split())
    python = (work / "hatch-python").read_text().strip()
    return HostBuild(host, python, work / "project", end - start, work / "plugin-cache")


def build_on_host(kit: Kit, project: Path, workdir: Path, *, plugin_cache: Path | None = None, **extra: str) -> HostBuild:
    """``hatch build -t container`` with the test's own hatch and Python (plugin cache: empty by default)."""
    work = workdir / "work"
    work.mkdir(parents=True)
    copy_project(project, work / "project")
    plugin_cache = plugin_cache or work / "plugin-cache"
    env = hatch_env(
        kit.wheelhouse, work / "hatch", plugin_cache,
        **{"AICONTAINER_BASE_IMAGE": kit.base_image, "UV_CACHE_DIR": str(kit.uv_cache), **extra},  # extra may give its own uv cache
    )
    started = time.monotonic()
    _run([str(BIN / "hatch"), "build", "-t", "container"], cwd=work / "project", env=env)
    seconds = time.monotonic() - started
    python = _run([str(BIN / "python"), "-c", "import sys; print(sys.version.split()[0])"]).stdout.strip()
    return HostBuild("host", python, work / "project", seconds, plugin_cache)


def build_in_chroot(kit: Kit, project: Path, rootfs: Path, workdir: Path, **extra: str) -> HostBuild:
    """The build inside an overlay of ``rootfs`` (left untouched), on the CPUs of HOST_QUIRKS["chroot"]."""
    outer = workdir / "x"
    work = _stage(kit, project, outer)
    _as_if_checked_out_under_umask_077(work / "project")
    upper, scratch, merged = workdir / "upper", workdir / "overlay-work", workdir / "merged"
    for d in (upper, scratch, merged):
        d.mkdir()
    env = _inner_env(kit, "chroot", f"{INNER}/work", extra)
    q = shlex.quote
    setup = "\n".join(
        [
            "set -eu",
            f"mount -t overlay overlay -o lowerdir={q(str(rootfs))},upperdir={q(str(upper))},workdir={q(str(scratch))} {q(str(merged))}",
            f"mount --rbind /dev {q(str(merged / 'dev'))}",
            f"mount -t proc proc {q(str(merged / 'proc'))}",
            f"mount -t tmpfs tmpfs {q(str(merged / 'tmp'))}",
            f"mkdir -p {q(str(merged))}{INNER}",
            f"mount --bind {q(str(outer))} {q(str(merged))}{INNER}",
            f"mount --bind {q(str(kit.uv_cache))} {q(str(merged))}{INNER}/uv-cache",
            f"cp /etc/resolv.conf {q(str(merged / 'etc/resolv.conf'))}",
            "hostname crosshost-chroot",
            f"exec chroot {q(str(merged))} /usr/bin/env -i "
            + " ".join(q(f"{k}={v}") for k, v in env.items())
            + " /bin/sh -c " + q(_BUILD_SCRIPT),
        ]
    )
    argv = ["unshare", "--mount", "--uts", "--fork", "sh", "-c", setup]
    cpus = HOST_QUIRKS["chroot"].get("CPUS")
    if cpus:
        argv = ["taskset", "-c", cpus, *argv]
    _run(argv)
    return _finish("chroot", work)


def build_in_container(kit: Kit, project: Path, engine, image: str, workdir: Path, **extra: str) -> HostBuild:
    """The build in an unprivileged container from ``image`` on the test engine, as uid 1000."""
    outer = workdir / "x"
    work = _stage(kit, project, outer)
    for path in (work, kit.uv_cache_unprivileged):  # the CI pod's user owns its checkout and its cache
        _run(["chown", "-R", f"{CONTAINER_UID}:{CONTAINER_UID}", str(path)])
    env = _inner_env(kit, "container", f"{INNER}/work", extra)
    argv = [
        "run", "--rm", "--network", "host",
        "--user", f"{CONTAINER_UID}:{CONTAINER_UID}", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "--hostname", "ci-pod",
        "-v", f"{outer / 'bin'}:{INNER}/bin:ro",
        "-v", f"{outer / kit.inner_wheelhouse.removeprefix(f'{INNER}/')}:{kit.inner_wheelhouse}:ro",
        "-v", f"{work}:{INNER}/work",
        "-v", f"{kit.uv_cache_unprivileged}:{INNER}/uv-cache",
    ]
    if kit.ca_bundle is not None:
        argv += ["-v", f"{outer / 'ca.pem'}:{INNER}/ca.pem:ro"]
    for name, value in env.items():
        argv += ["-e", f"{name}={value}"]
    argv += [image, "/bin/sh", "-c", _BUILD_SCRIPT]
    done = engine.docker(*argv, check=False, timeout=1200)
    if done.returncode != 0:
        raise AssertionError(f"container build failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-4000:]}")
    return _finish("container", work)
