#!/usr/bin/env python3
"""A fresh CI runner releasing a code-only change, with the registry as the shared cache.

    sudo .venv/bin/python benchmarks/registry_cache.py [--runs 3]

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

each with its ratio. With ``--buildah`` (Debian's buildah, as root): the same two releases with
``buildah build --layers --cache-from REPO --cache-to REPO`` of the equivalent Dockerfile (pip installs
the locked TensorFlow, then the project) on the same registry, the second from fresh storage (a fresh
runner), each followed by its push, against our fresh runner with ``archive = false`` + push.

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
    def __init__(self, root: Path, wheelhouse: Path, base: str) -> None:
        self.root, self.wheelhouse, self.base = root, wheelhouse, base
        root.mkdir(parents=True)

    def env(self, **extra: str) -> dict[str, str]:
        return hatch_env(self.wheelhouse, self.root / "hatch", self.root / "cache", UV_CACHE_DIR=str(self.root / "uv"),
                         AICONTAINER_BASE_IMAGE=self.base, **extra)

    def build(self, project: Path, *targets: str, **extra: str) -> tuple[float, str]:
        argv = [str(HATCH), "build"]
        for target in targets or ("container",):
            argv += ["-t", target]
        return timed(argv, project, self.env(**extra))


def change(project: Path, n: int) -> None:
    init = next((project / "src").rglob("__init__.py"))
    init.write_text(init.read_text() + f"\n# change {n}\n")


def blob_read_seconds(registry: str, repository: str) -> float:
    """One GET of the release's largest layer (the dependency layer), read to the end."""
    request = urllib.request.Request(f"http://{registry}/v2/{repository}/manifests/0.1.0",  # the example's version
                                     headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    manifest = json.loads(urllib.request.urlopen(request, timeout=60).read())
    largest = max(manifest["layers"], key=lambda layer: layer["size"])
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--buildah", action="store_true", help="also buildah with --cache-from/--cache-to on the same registry")
    args = parser.parse_args()
    peer: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-registry-cache-", dir="/var/tmp"))
    registry = services.start_registry()
    try:
        layout = base_images.ensure_python_base_layout()
        base = base_images.push_layout(layout.path, layout.tag, registry.host, f"library/python:{layout.tag}")
        wheelhouse = build_plugin_wheelhouse(work / "plugin")
        repository = "team/example"
        push = {"AICONTAINER_PUSH_TO": f"{registry.host}/{repository}:{{version}}"}

        release = copy_project(EXAMPLE, work / "release")
        laptop = Runner(work / "laptop", wheelhouse, base)
        cold, _ = laptop.build(release, **push)
        warm, wheel = [], []
        for n in range(args.runs):
            change(release, n)
            took, _ = laptop.build(release, **push)
            warm.append(took)
            took, _ = laptop.build(release, "wheel")  # the same machine, its build environment made
            wheel.append(took)

        floors, fresh_no_archive, fresh_archive = [], [], []
        for n in range(args.runs):
            checkout = copy_project(release, work / f"ci-{n}")
            change(checkout, 100 + n)
            floor, _ = Runner(work / f"floor-{n}", wheelhouse, base).build(copy_project(checkout, work / f"wheel-{n}"), "wheel")
            floors.append(floor)
            took, out = Runner(work / f"fresh-{n}", wheelhouse, base).build(checkout, AICONTAINER_ARCHIVE="0", **push)
            assert "mounted by the push, not downloaded" in out, out[-2000:]
            fresh_no_archive.append(took)
            again = copy_project(checkout, work / f"ci-archive-{n}")
            took, out = Runner(work / f"fresh-archive-{n}", wheelhouse, base).build(again, AICONTAINER_PUSH="0",
                                                                                    AICONTAINER_CACHE_FROM=f"{registry.host}/{repository}")
            assert "from registry cache" in out, out[-2000:]
            fresh_archive.append(took)
        blob = statistics.median(blob_read_seconds(registry.host, repository) for _ in range(args.runs))
        if args.buildah:
            context = buildah_context(release, work / "buildah-context", base)
            peer["cold"] = buildah_release(context, work / "buildah-laptop", registry.host, "1")
            change(context, 200)
            peer["fresh"] = buildah_release(context, work / "buildah-fresh", registry.host, "2")
    finally:
        registry.stop()
        shutil.rmtree(work, ignore_errors=True)

    floor, warm_t, wheel_t = statistics.median(floors), statistics.median(warm), statistics.median(wheel)
    no_archive, archive = statistics.median(fresh_no_archive), statistics.median(fresh_archive)
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
    if peer:
        print(f"buildah --layers, cold release (build + push)      {peer['cold']:7.1f} s")
        print(f"buildah --layers --cache-from, fresh storage       {peer['fresh']:7.1f} s   ours (archive = false + push) "
              f"{no_archive:.1f} s: {peer['fresh'] / no_archive:.1f}x faster (goal: at least 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
