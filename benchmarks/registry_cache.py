#!/usr/bin/env python3
"""A fresh CI runner releasing a code-only change, with the registry as the shared cache.

    sudo .venv/bin/python benchmarks/registry_cache.py [--runs 3] [--buildah]
    sudo .venv/bin/python benchmarks/registry_cache.py --gpu [--runs 3]

On the example project (TensorFlow 2.16.1, its committed lock) and the offline Debian Python base
(tests/base_images.py), against a private docker-registry (tests/services.py), with ``hatch build``
as a pipeline runs it (the plugin from a wheel of this checkout, tests/e2e_helpers.py). A "runner"
is an empty ``AICONTAINER_CACHE_DIR``, an empty uv cache and a fresh hatch data folder. Printed:

* cold: the release from an empty runner (resolves nothing, installs TensorFlow, compresses) + push;
* floor: ``hatch build -t wheel`` on a fresh runner (hatch makes its build environment: the plugin
  and its dependencies) — what any fresh runner pays before the plugin runs;
* warm: a code-only change built and pushed on the machine that built the release (median), and
  ``hatch build -t wheel`` there (the goal: the image and its push cost at most 0.6 s more);
* fresh runner, ``archive = false`` + push: the change on a new runner (median), against the goal
  floor + 1.5 x warm;
* fresh runner with the archive: the same writing the ``.oci.tar``, against floor + warm + the time
  to read the dependency blob from the registry once (measured with one GET);
* the same with signed entries: the release pushed again by a build with a signing key (a key from
  ``aicontainer keygen``: its entries signed), and fresh runners with that key writing the archive
  (a signed entry's blob is checked by digest only: no inflating of the layer for its diff_id);

each with its ratio. With ``--buildah`` (Debian's buildah, as root): the same two releases with
``buildah build --layers --cache-from REPO --cache-to REPO`` of the equivalent Dockerfile (pip installs
the locked TensorFlow, then the project) on the same registry, the second from fresh storage (a fresh
runner), each followed by its push, against our fresh runner with ``archive = false`` + push.

With ``--gpu`` (instead of the figures above): the GPU image, ``hatch build -t container-gpu``
(``tensorflow[and-cuda]``: about 2.5 GB of wheels, most of them NVIDIA's), bytecode as a user's build
makes it (``AICONTAINER_BYTECODE`` not set). Its lock is written first, untimed, with a throwaway
uv cache (``aicontainer lock --target container-gpu``: metadata only), into the release checkout the
fresh runners copy: a committed lock, as for the CPU image. Printed:

* cold: the release from an empty runner (empty plugin cache and uv cache: every wheel downloaded
  from PyPI, installed, compressed) + push — what a fresh runner pays without the registry cache;
* cold, uv cache warm: again from an empty plugin cache and fresh hatch data folder but with the
  first run's uv cache (no PyPI download: the same build without the noise of a shared network),
  pushed to another repository of the registry (no cache entries there, no blob already present);
* the dependency layer read once from the registry (one GET);
* fresh runner, ``archive = false`` + push, and fresh runner writing the archive (the layer streamed
  from the registry, digest and diff_id checked), and writing the archive from signed entries (as
  above): each as a fraction of both colds (goal: at most 0.10 of the cold build).

``--runs`` (default 3) is the number of fresh-runner builds of each kind (the median is printed); with
``--gpu`` the two colds run once (70-140 s each on this project's machine) and each fresh-runner pair
takes 35-60 s (the archive run streams the 2.65 GB layer), so ``--gpu --runs 3`` takes about 6.5 minutes
and ``--gpu --runs 1`` about 3.5. ``--gpu`` needs 20 GB free in /var/tmp (it used up to 15 GB: the cold
runner's 4.9 GB uv cache, plugin cache and archive, the registry's copies); each runner is removed once
measured, the work folder at the end.

Wall times on a shared machine: compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import base_images  # noqa: E402
import services  # noqa: E402
from e2e_helpers import EXAMPLE, build_plugin_wheelhouse, copy_project, hatch_env  # noqa: E402

HATCH = Path(sys.executable).parent / "hatch"


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(argv)} in {cwd}:\n{done.stderr[-3000:]}")
    return took, done.stdout + done.stderr


class Runner:
    def __init__(self, root: Path, wheelhouse: Path, base: str, uv: Path | None = None) -> None:
        """A fresh runner in ``root``; ``uv``: another runner's uv cache instead of an empty one."""
        self.root, self.wheelhouse, self.base = root, wheelhouse, base
        self.uv = uv or root / "uv"
        root.mkdir(parents=True)

    def env(self, **extra: str) -> dict[str, str]:
        return hatch_env(self.wheelhouse, self.root / "hatch", self.root / "cache", UV_CACHE_DIR=str(self.uv),
                         AICONTAINER_BASE_IMAGE=self.base, **extra)

    def build(self, project: Path, *targets: str, **extra: str) -> tuple[float, str]:
        argv = [str(HATCH), "build"]
        for target in targets or ("container",):
            argv += ["-t", target]
        return timed(argv, project, self.env(**extra))


def change(project: Path, n: int) -> None:
    init = next((project / "src").rglob("__init__.py"))
    init.write_text(init.read_text() + f"\n# change {n}\n")


def largest_layer(registry: str, repository: str) -> dict:
    """The release's largest layer (the dependency layer): its descriptor."""
    request = urllib.request.Request(f"http://{registry}/v2/{repository}/manifests/0.1.0",  # the example's version
                                     headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    manifest = json.loads(urllib.request.urlopen(request, timeout=60).read())
    return max(manifest["layers"], key=lambda layer: layer["size"])


def blob_read_seconds(registry: str, repository: str) -> float:
    """One GET of the release's largest layer (the dependency layer), read to the end."""
    largest = largest_layer(registry, repository)
    started = time.monotonic()
    with urllib.request.urlopen(f"http://{registry}/v2/{repository}/blobs/{largest['digest']}", timeout=600) as resp:
        while resp.read(1 << 20):
            pass
    return time.monotonic() - started


BUILDAH_DOCKERFILE = """\
FROM {base}
COPY bench-setup /tmp/bench-setup
RUN rm -f /usr/lib/python3*/EXTERNALLY-MANAGED \\
 && python3 /tmp/bench-setup/{wheel}/pip install --no-cache-dir --no-index /tmp/bench-setup/{wheel} \\
 && mkdir -p /etc/ssl/certs && cp /tmp/bench-setup/ca.pem /etc/ssl/certs/bench-ca.pem
ENV PIP_CERT=/etc/ssl/certs/bench-ca.pem
RUN python3 -m pip install --no-cache-dir {tensorflow}
COPY . /src
RUN python3 -m pip install --no-cache-dir --no-deps /src
WORKDIR /app
ENTRYPOINT ["example-project"]
"""


def buildah_context(release: Path, destination: Path, base: str) -> Path:
    """The project as ``pip`` builds it (hatchling only in build-system.requires), with pip's wheel and this
    machine's CA bundle for the base image that has neither."""
    context = copy_project(release, destination)
    pyproject = context / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"hatch-aicontainer"', '"hatchling"'))
    setup = context / "bench-setup"
    setup.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "-d", str(setup), "pip"],
                   check=True)
    ca = next((os.environ[v] for v in ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE") if os.path.isfile(os.environ.get(v, ""))),
              "/etc/ssl/certs/ca-certificates.crt")
    shutil.copyfile(ca, setup / "ca.pem")
    lock = next(context.glob("pylock.aicontainer-*.toml")).read_text()
    version = lock.split('name = "tensorflow"\nversion = "', 1)[1].split('"', 1)[0]
    (context / "Dockerfile").write_text(BUILDAH_DOCKERFILE.format(base=base, wheel=next(setup.glob("pip-*.whl")).name,
                                                                  tensorflow=f"tensorflow=={version}"))
    return context


def buildah_release(context: Path, storage: Path, registry: str, tag: str) -> float:
    """``buildah build --layers`` with the registry cache, then its push, from ``storage`` (fresh: a new runner)."""
    base = ["buildah", "--root", str(storage / "root"), "--runroot", str(storage / "run"), "--storage-driver", "overlay"]
    cache = f"{registry}/team/buildah-cache"
    started = time.monotonic()
    timed([*base, "build", "--layers", "--isolation", "chroot", "--network", "host", "--tls-verify=false",
           "--cache-from", cache, "--cache-to", cache, "-t", f"bench/example:{tag}", str(context)], context, dict(os.environ))
    timed([*base, "push", "--tls-verify=false", f"bench/example:{tag}", f"docker://{registry}/team/buildah:{tag}"], context,
          dict(os.environ))
    return time.monotonic() - started


def log(message: str) -> None:
    print(f"[registry_cache {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def phase_lines(out: str, everything: bool = False) -> str:
    """The build's dependency-layer and push lines (what the figure is made of), for the log;
    ``everything``: each line of the build's output but its progress lines."""
    wanted = ("dependencies:", "blobs uploaded")
    return "\n".join("    " + line.strip() for line in out.splitlines()
                     if line.strip() and "%)" not in line and (everything or any(w in line for w in wanted)))


PASSWORD = "registry-cache-benchmark"


def signing_key(folder: Path) -> dict[str, str]:
    """A key pair from ``aicontainer keygen`` (this checkout's) and the variables a build signs with."""
    folder.mkdir(parents=True)
    timed([str(Path(sys.executable).parent / "aicontainer"), "keygen"], folder,
          dict(os.environ, PYTHONPATH=str(REPO), AICONTAINER_SIGNING_PASSWORD=PASSWORD))
    return {"AICONTAINER_SIGNING_KEY": str(folder / "cosign.key"), "AICONTAINER_SIGNING_PASSWORD": PASSWORD}


def signed_fresh_archives(release: Path, key: dict[str, str], cache: str, work: Path, wheelhouse: Path, base: str,
                          runs: int, *targets: str) -> list[float]:
    """``runs`` fresh runners with the signing ``key`` writing the archive of a code-only change, taking the
    entries a release signed with it pushed to ``cache`` (``host/repository``)."""
    took_each = []
    for n in range(runs):
        checkout = copy_project(release, work / f"ci-signed-{'-'.join((*targets, str(n)))}")
        change(checkout, 300 + n)
        runner = Runner(work / f"fresh-signed-{'-'.join((*targets, str(n)))}", wheelhouse, base)
        took, out = runner.build(checkout, *targets, AICONTAINER_PUSH="0", AICONTAINER_CACHE_FROM=cache, **key)
        assert "; signed; " in out and "bytes downloaded" in out, out[-2000:]
        log(f"fresh runner {n + 1}/{runs}, signed entries, archive written: {took:.1f} s\n{phase_lines(out)}")
        took_each.append(took)
        shutil.rmtree(runner.root)
        shutil.rmtree(checkout)
    return took_each


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def cpu_part(work: Path, wheelhouse: Path, base: str, registry: str, runs: int, buildah: bool) -> dict:
    repository = "team/example"
    push = {"AICONTAINER_PUSH_TO": f"{registry}/{repository}:{{version}}"}
    peer: dict[str, float] = {}

    release = copy_project(EXAMPLE, work / "release")
    laptop = Runner(work / "laptop", wheelhouse, base)
    cold, _ = laptop.build(release, **push)
    warm, wheel = [], []
    for n in range(runs):
        change(release, n)
        took, _ = laptop.build(release, **push)
        warm.append(took)
        took, _ = laptop.build(release, "wheel")  # the same machine, its build environment made
        wheel.append(took)

    floors, fresh_no_archive, fresh_archive = [], [], []
    for n in range(runs):
        checkout = copy_project(release, work / f"ci-{n}")
        change(checkout, 100 + n)
        floor, _ = Runner(work / f"floor-{n}", wheelhouse, base).build(copy_project(checkout, work / f"wheel-{n}"), "wheel")
        floors.append(floor)
        took, out = Runner(work / f"fresh-{n}", wheelhouse, base).build(checkout, AICONTAINER_ARCHIVE="0", **push)
        assert "mounted by the push, not downloaded" in out, out[-2000:]
        fresh_no_archive.append(took)
        again = copy_project(checkout, work / f"ci-archive-{n}")
        took, out = Runner(work / f"fresh-archive-{n}", wheelhouse, base).build(again, AICONTAINER_PUSH="0",
                                                                                AICONTAINER_CACHE_FROM=f"{registry}/{repository}")
        assert "from registry cache" in out, out[-2000:]
        fresh_archive.append(took)
    blob = statistics.median(blob_read_seconds(registry, repository) for _ in range(runs))
    # the release pushed again by the laptop with a signing key: signed entries, in a repository of their own
    key = signing_key(work / "keys")
    laptop.build(release, AICONTAINER_PUSH_TO=f"{registry}/team/signed:{{version}}", **key)
    fresh_signed = signed_fresh_archives(release, key, f"{registry}/team/signed", work, wheelhouse, base, runs)
    if buildah:
        context = buildah_context(release, work / "buildah-context", base)
        peer["cold"] = buildah_release(context, work / "buildah-laptop", registry, "1")
        change(context, 200)
        peer["fresh"] = buildah_release(context, work / "buildah-fresh", registry, "2")
    return {"cold": cold, "warm": warm, "wheel": wheel, "floors": floors, "fresh_no_archive": fresh_no_archive,
            "fresh_archive": fresh_archive, "fresh_signed": fresh_signed, "blob": blob, "peer": peer}


def print_cpu(f: dict) -> None:
    cold, blob, peer = f["cold"], f["blob"], f["peer"]
    floor, warm_t, wheel_t = statistics.median(f["floors"]), statistics.median(f["warm"]), statistics.median(f["wheel"])
    no_archive, archive = statistics.median(f["fresh_no_archive"]), statistics.median(f["fresh_archive"])
    print(f"cold release (empty runner, build + push)        {cold:7.1f} s")
    print(f"floor (fresh runner: hatch build -t wheel)        {floor:7.1f} s")
    print(f"warm code-only rebuild + push (same machine)      {warm_t:7.1f} s")
    print(f"warm hatch build -t wheel (same machine)          {wheel_t:7.1f} s   the container build + push costs "
          f"{warm_t - wheel_t:+.1f} s more (goal: at most +0.6 s)")
    print(f"dependency blob read once from the registry       {blob:7.1f} s")
    goal = floor + 1.5 * warm_t
    print(f"fresh runner, archive = false + push              {no_archive:7.1f} s   goal floor + 1.5 x warm = {goal:.1f} s "
          f"({no_archive / goal:.2f}x of the goal; {cold / no_archive:.1f}x faster than cold)")
    goal = floor + warm_t + blob
    print(f"fresh runner, archive written (no push)           {archive:7.1f} s   goal floor + warm + blob read = {goal:.1f} s "
          f"({archive / goal:.2f}x of the goal; {cold / archive:.1f}x faster than cold)")
    signed = statistics.median(f["fresh_signed"])
    print(f"fresh runner, signed entries, archive written     {signed:7.1f} s   goal floor + warm + blob read = {goal:.1f} s "
          f"({signed / goal:.2f}x of the goal; {cold / signed:.1f}x faster than cold; {archive / signed:.2f}x faster than unsigned)")
    if peer:
        print(f"buildah --layers, cold release (build + push)      {peer['cold']:7.1f} s")
        print(f"buildah --layers --cache-from, fresh storage       {peer['fresh']:7.1f} s   ours (archive = false + push) "
              f"{no_archive:.1f} s: {peer['fresh'] / no_archive:.1f}x faster (goal: at least 3x)")


GPU_TARGET = "container-gpu"
GPU_GOAL = 0.10  # a fresh runner's code-only release: at most this fraction of the cold build
GPU_FREE_SPACE = 20e9  # the cold runner's uv cache, plugin cache and archive, the registry's two copies of the image


def write_gpu_lock(project: Path, scratch: Path, base: str) -> Path:
    """``aicontainer lock --target container-gpu`` (this checkout's plugin) with a throwaway uv cache:
    the committed lock a release checkout would hold. Metadata only; nothing is installed."""
    env = dict(os.environ, PYTHONPATH=str(REPO), UV_CACHE_DIR=str(scratch / "uv"), AICONTAINER_CACHE_DIR=str(scratch / "cache"),
               AICONTAINER_BASE_IMAGE=base)
    timed([sys.executable, "-m", "hatch_aicontainer.cli", "lock", "--target", GPU_TARGET, str(project)], project, env)
    shutil.rmtree(scratch)
    (lock,) = project.glob("pylock.aicontainer-*-cuda.toml")
    return lock


def gpu_part(work: Path, wheelhouse: Path, base: str, registry: str, runs: int) -> dict:
    repository = "team/example-gpu"
    push = {"AICONTAINER_PUSH_TO": f"{registry}/{repository}:{{version}}"}
    release = copy_project(EXAMPLE, work / "gpu-release")
    lock = write_gpu_lock(release, work / "gpu-lock-scratch", base)
    locked = lock.read_bytes()
    log(f"GPU: lock written ({lock.name}); cold release from an empty runner (downloads ~2.5 GB of wheels from PyPI)")

    cold_runner = Runner(work / "gpu-cold", wheelhouse, base)
    key = signing_key(work / "gpu-keys")  # a signed release: signed entries (fresh runners without the key check them in full)
    cold, out = cold_runner.build(release, GPU_TARGET, **push, **key)
    assert "from registry cache" not in out, out[-2000:]
    assert lock.read_bytes() == locked, "the cold build resolved the lock again"
    log(f"GPU cold: {cold:.1f} s; uv cache filled with {du(cold_runner.uv) / 1e9:.1f} GB; "
        f"{shutil.disk_usage(work).free / 1e9:.0f} GB free\n{phase_lines(out, everything=True)}")
    shutil.rmtree(release / "dist")
    shutil.rmtree(cold_runner.root / "cache")
    shutil.rmtree(cold_runner.root / "hatch")

    # the same build from an empty plugin cache with the first run's uv cache (no download from PyPI), pushed
    # to a repository of its own (no cache entries to take, no blob already there: the whole push again)
    again = copy_project(release, work / "gpu-cold-uv-release")
    cold_uv, out = Runner(work / "gpu-cold-uv", wheelhouse, base, uv=cold_runner.uv).build(
        again, GPU_TARGET, AICONTAINER_PUSH_TO=f"{registry}/team/example-gpu-uv-warm:{{version}}")
    assert "from registry cache" not in out, out[-2000:]
    log(f"GPU cold, uv cache warm: {cold_uv:.1f} s\n{phase_lines(out, everything=True)}")
    shutil.rmtree(again)
    shutil.rmtree(work / "gpu-cold-uv")
    shutil.rmtree(cold_runner.root)

    layer = largest_layer(registry, repository)
    blob = blob_read_seconds(registry, repository)
    log(f"GPU dependency layer: {layer['size'] / 1e9:.2f} GB compressed, read once in {blob:.1f} s")
    # before any unsigned push rewrites the entries (cache-to writes the pushing build's own, unsigned)
    fresh_signed = signed_fresh_archives(release, key, f"{registry}/{repository}", work, wheelhouse, base, runs, GPU_TARGET)

    fresh_no_archive, fresh_archive = [], []
    for n in range(runs):
        checkout = copy_project(release, work / f"gpu-ci-{n}")
        change(checkout, 100 + n)
        runner = Runner(work / f"gpu-fresh-{n}", wheelhouse, base)
        took, out = runner.build(checkout, GPU_TARGET, AICONTAINER_ARCHIVE="0", **push)
        assert "mounted by the push, not downloaded" in out, out[-2000:]
        log(f"GPU fresh runner {n + 1}/{runs}, archive = false + push: {took:.1f} s\n{phase_lines(out)}")
        fresh_no_archive.append(took)
        shutil.rmtree(runner.root)
        again = copy_project(checkout, work / f"gpu-ci-archive-{n}")
        runner = Runner(work / f"gpu-fresh-archive-{n}", wheelhouse, base)
        took, out = runner.build(again, GPU_TARGET, AICONTAINER_PUSH="0", AICONTAINER_CACHE_FROM=f"{registry}/{repository}")
        assert "from registry cache" in out and "bytes downloaded" in out, out[-2000:]
        log(f"GPU fresh runner {n + 1}/{runs}, archive written: {took:.1f} s; "
            f"{shutil.disk_usage(work).free / 1e9:.0f} GB free\n{phase_lines(out)}")
        fresh_archive.append(took)
        shutil.rmtree(runner.root)
        shutil.rmtree(again)
        shutil.rmtree(checkout)
    return {"cold": cold, "cold_uv": cold_uv, "layer": layer["size"], "blob": blob, "fresh_no_archive": fresh_no_archive,
            "fresh_archive": fresh_archive, "fresh_signed": fresh_signed}


def print_gpu(f: dict, runs: int) -> None:
    cold, cold_uv = f["cold"], f["cold_uv"]
    no_archive, archive = statistics.median(f["fresh_no_archive"]), statistics.median(f["fresh_archive"])
    each = f"median of {runs} runs" if runs > 1 else "1 run"
    print(f"GPU image ({GPU_TARGET}); fresh runners: {each}; goal: a fresh runner at most {GPU_GOAL:.2f}x of the cold build")
    print(f"{'cold release (empty runner: PyPI, build + push)':<50}{cold:7.1f} s")
    print(f"{'cold, uv cache warm (empty plugin cache, + push)':<50}{cold_uv:7.1f} s   the same without the PyPI download")
    print(f"{'dependency blob read once from the registry':<50}{f['blob']:7.1f} s   {f['layer'] / 1e9:.2f} GB")
    signed = statistics.median(f["fresh_signed"])
    for label, took in (("fresh runner, archive = false + push", no_archive), ("fresh runner, archive written (no push)", archive),
                        ("fresh runner, signed entries, archive written", signed)):
        verdict = "meets" if took / cold <= GPU_GOAL else "misses"
        print(f"{label:<50}{took:7.1f} s   {took / cold:.3f}x of cold ({verdict} the goal <= {GPU_GOAL:.2f}x), "
              f"{took / cold_uv:.3f}x of cold with uv warm; {cold / took:.1f}x faster than cold")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh-runner builds of each kind; the median is printed")
    parser.add_argument("--buildah", action="store_true", help="also buildah with --cache-from/--cache-to on the same registry")
    parser.add_argument("--gpu", action="store_true",
                        help="the GPU image (container-gpu, ~3 GB) instead of the CPU figures: cold against fresh runners")
    args = parser.parse_args()
    if args.gpu and args.buildah:
        parser.error("--buildah compares the CPU image: run it without --gpu")
    runs = args.runs
    if args.gpu and shutil.disk_usage("/var/tmp").free < GPU_FREE_SPACE:
        sys.exit(f"--gpu needs {GPU_FREE_SPACE / 1e9:.0f} GB free in /var/tmp: {shutil.disk_usage('/var/tmp').free / 1e9:.1f} GB")
    work = Path(tempfile.mkdtemp(prefix="bench-registry-cache-", dir="/var/tmp"))
    started = time.monotonic()
    registry = services.start_registry()
    try:
        layout = base_images.ensure_python_base_layout()
        base = base_images.push_layout(layout.path, layout.tag, registry.host, f"library/python:{layout.tag}")
        wheelhouse = build_plugin_wheelhouse(work / "plugin")
        if args.gpu:
            figures = gpu_part(work, wheelhouse, base, registry.host, runs)
        else:
            figures = cpu_part(work, wheelhouse, base, registry.host, runs, args.buildah)
    finally:
        registry.stop()
        shutil.rmtree(work, ignore_errors=True)

    if args.gpu:
        print_gpu(figures, runs)
        log(f"wall time {time.monotonic() - started:.0f} s")
    else:
        print_cpu(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
