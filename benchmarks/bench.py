#!/usr/bin/env python3
"""Long because: one self-contained benchmark script (a harness, not part of the package).

hatch-aicontainer against `docker build`, on the example project, in one run.

    python benchmarks/bench.py [--docker-host unix:///…] [--base SPEC] [--json FILE]
    python benchmarks/bench.py --goals [--gpu] [--skip-docker]   # the model and GPU goals only

Run it with the Python that has hatch-aicontainer installed (the dev venv).
What it does, in order (see benchmarks/README.md for the why):

1. the machine: CPU, cores, memory, load, disk, tool versions;
2. the plugin (``python -m hatchling build -t container`` on a copy of
   example_project, one process per build, its peak RSS from wait4):
   an untimed warm-up (fills uv's package cache and the page cache), two
   cold builds (empty image cache; the two digests must be equal), one cold
   build without bytecode, three warm rebuilds after one-line code changes;
3. the physical floor for the dependency layer: uv install, bytecode, GNU tar,
   ISA-L gzip of the same tree, and our own streaming write_layer;
4. Docker (a given engine, or one started here as root: overlay2 when the
   kernel allows it, else vfs): the same base image loaded into the engine,
   `docker build --no-cache` of the equivalent Dockerfile (cold), then a
   rebuild after the same one-line change (warm); image sizes (`docker save`
   compressed with our compressor, vs our archive);
5. start-up: ``import tensorflow`` in containers of the Docker image and of
   ours with and without bytecode (median of a few runs, each a new process
   that may not write bytecode, like a fresh container).

Everything it creates (temp dirs, images, the engine it started) is removed
at the end. Takes about 8-12 minutes on 2 cores, most of it `docker build`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "example_project"
TF_REQUIREMENT = "tensorflow-cpu==2.16.1"
DEFAULT_LAYOUT = Path("/var/tmp/hatch-aicontainer-test-cache/layout-python-bookworm-amd64-r1.2")
DEFAULT_LAYOUT_TAG = "3.11-slim-bookworm"
IMAGE_PREFIX = "aicontainer-bench"
STARTUP_RUNS = 5
WARM_RUNS = 3
COLD_RUNS = 3
VFS_MIN_FREE_GIB = 12  # vfs copies the whole file system for every layer and container

# Run inside a container: N+1 fresh interpreters importing tensorflow; the first
# warms the page cache. PYTHONDONTWRITEBYTECODE: no run may leave bytecode for
# the next (each is then like the first import in a new container).
STARTUP_SCRIPT = textwrap.dedent(
    """\
    import json, os, subprocess, sys, time
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", TF_CPP_MIN_LOG_LEVEL="3")
    times = []
    for _ in range(int(sys.argv[1]) + 1):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import tensorflow"], env=env, check=True)
        times.append(time.perf_counter() - t)
    print(json.dumps(times))
    """
)

DOCKERFILE = """\
# The seed recipe: a Python base, pip install TensorFlow, COPY, install the project.
FROM {base}
RUN python3 -m pip install --no-cache-dir {tf}
COPY . /src
RUN python3 -m pip install --no-cache-dir --no-deps /src
COPY models /app/models
WORKDIR /app
ENV TF_CPP_MIN_LOG_LEVEL=2
ENTRYPOINT ["example-project"]
"""

# Not timed: gives a base without pip (Debian's python3) the pip that
# python:*-slim images ship, and this machine's CA bundle when HTTPS needs one.
PIP_BASE_DOCKERFILE = """\
FROM {base}
COPY bench-setup /tmp/bench-setup
RUN rm -f /usr/lib/python3*/EXTERNALLY-MANAGED \\
 && python3 /tmp/bench-setup/{wheel}/pip install --no-cache-dir --no-index /tmp/bench-setup/{wheel} \\
 {ca_step}&& rm -rf /tmp/bench-setup
{ca_env}
"""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- measuring processes ----------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    max_rss_kb: int
    returncode: int
    stdout: str
    stderr: str


def run_measured(argv: list[str], *, env: dict | None = None, cwd: Path | None = None, check: bool = True) -> Run:
    """Run ``argv``; wall time and peak RSS (largest single process in its tree, from wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        run = Run(seconds, usage.ru_maxrss, proc.returncode, out.read(), err.read())
    if check and run.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:6])} … failed ({run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
    return run


def sh(argv: list[str], *, env: dict | None = None, cwd: Path | None = None, check: bool = True, timeout: float = 1800) -> str:
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv[:6]))} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


# -- the machine ------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    except (OSError, AttributeError):
        pass
    disk = shutil.disk_usage(tempfile.gettempdir())
    import hatch_aicontainer

    uv_version = "unknown"
    try:
        from hatch_aicontainer.build.deps.uv import find_uv

        uv_version = sh([find_uv(), "--version"]).strip()
    except Exception:  # noqa: BLE001 - informational only
        pass
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(mem_kb / 1024**2, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "plugin": hatch_aicontainer.__version__,
        "uv": uv_version,
        "tmp_free_gib": round(disk.free / 1024**3, 1),
        "load_at_start": os.getloadavg(),
    }


# -- the plugin -------------------------------------------------------------------------------


def copy_project(destination: Path) -> Path:
    shutil.copytree(EXAMPLE, destination, ignore=shutil.ignore_patterns("dist", "__pycache__", "*.egg-info"))
    return destination


def edit_code(project: Path, n: int) -> None:
    """The one-line code change of a warm rebuild."""
    target = project / "src" / "example_project" / "model.py"
    with open(target, "a") as handle:
        handle.write(f"# benchmark edit {n}\n")


# After the warm-up, uv runs offline: its package cache then serves every wheel, as
# it does on a network that passes PyPI's "immutable" cache headers. (Behind a proxy
# that strips them, uv revalidates each cached wheel URL, downloads it again and
# unpacks a new copy into its cache: 0.9 GB per TensorFlow install.)
WARM_PACKAGE_CACHE = {"UV_OFFLINE": "1"}


def plugin_build(project: Path, cache: Path, base: str, *, offline: bool = True, target: str = "container", **env_extra: str) -> dict:
    env = {**os.environ, **(WARM_PACKAGE_CACHE if offline else {})}
    env.update({"AICONTAINER_CACHE_DIR": str(cache), "AICONTAINER_BASE_IMAGE": base, **env_extra})
    env.pop("AICONTAINER_CACHE_MAX_SIZE", None)
    run = run_measured([sys.executable, "-m", "hatchling", "build", "-t", target], env=env, cwd=project)
    text = run.stdout + run.stderr
    digest = re.search(r"image digest (sha256:[0-9a-f]{64})", text)
    dependency = re.search(r"dependency layer (sha256:[0-9a-f]+) \((cached|built)\)", text)
    archives = sorted((project / "dist").glob("*.oci.tar"))
    if not digest or not dependency or not archives:
        raise RuntimeError(f"unexpected build output:\n{text[-3000:]}")
    return {
        "seconds": run.seconds,
        "max_rss_mib": run.max_rss_kb / 1024,
        "digest": digest.group(1),
        "dependency_layer": dependency.group(1),
        "dependency_cached": dependency.group(2) == "cached",
        "archive": archives[-1],
        "archive_bytes": archives[-1].stat().st_size,
    }


def plugin_builds(work: Path, base: str) -> dict:
    log("plugin: warm-up build (untimed: fills uv's package cache and the page cache)")
    warm_up = plugin_build(copy_project(work / "warm-up"), work / "cache-warm-up", base, AICONTAINER_BYTECODE="off", offline=False)
    shutil.rmtree(work / "cache-warm-up")
    shutil.rmtree(work / "warm-up")

    def keep(build: dict, label: str) -> dict:  # the archive, for the start-up test (later builds overwrite dist/)
        kept = work / f"{label}.oci.tar"
        shutil.move(build["archive"], kept)
        build["archive"] = kept
        return build

    cold = []
    for i in range(1, COLD_RUNS + 1):
        log(f"plugin: cold build {i} (empty image cache, bytecode on)")
        cold.append(keep(plugin_build(copy_project(work / f"cold{i}"), work / f"cache{i}", base), f"cold{i}"))
        log(f"  {cold[-1]['seconds']:.1f} s, peak RSS {cold[-1]['max_rss_mib']:.0f} MiB, {cold[-1]['digest'][:19]}")
    for i in range(2, COLD_RUNS + 1):
        shutil.rmtree(work / f"cache{i}")
        cold[i - 1]["archive"].unlink()
    log("plugin: cold build without bytecode (AICONTAINER_BYTECODE=off)")
    no_bytecode = keep(plugin_build(copy_project(work / "cold-nobc"), work / "cache-nobc", base, AICONTAINER_BYTECODE="off"), "nobc")
    shutil.rmtree(work / "cache-nobc")
    log(f"  {no_bytecode['seconds']:.1f} s, peak RSS {no_bytecode['max_rss_mib']:.0f} MiB")

    warm = []
    for n in range(1, WARM_RUNS + 1):
        edit_code(work / "cold1", n)
        log(f"plugin: warm rebuild {n} after a one-line change")
        warm.append(plugin_build(work / "cold1", work / "cache1", base))
        log(f"  {warm[-1]['seconds']:.2f} s, peak RSS {warm[-1]['max_rss_mib']:.0f} MiB, "
            f"dependency layer {'cached' if warm[-1]['dependency_cached'] else 'REBUILT'}")
    shutil.rmtree(work / "cache1")
    return {"warm_up": warm_up, "cold": cold, "cold_no_bytecode": no_bytecode, "warm": warm}


# -- the physical floor -----------------------------------------------------------------------


def floor(work: Path, base_spec: str) -> dict:
    """The same dependency tree, step by step: install, bytecode (the base image's interpreter, and
    for comparison this host's own), tar, compress; and write_layer."""
    from isal import igzip_threaded

    from hatch_aicontainer.build.deps.uv import MANYLINUX, find_uv
    from hatch_aicontainer.build.layers import bytecode
    from hatch_aicontainer.oci.cache import BlobStore
    from hatch_aicontainer.oci.layer import GZIP_BLOCK, GZIP_LEVEL, default_threads, tree_entries, write_layer

    lock = EXAMPLE / "pylock.aicontainer-py311-amd64-cpu.toml"
    tree = work / "floor-tree"
    result: dict = {}
    t = time.perf_counter()
    sh([find_uv(), "pip", "install", "--no-config", "--quiet", "--no-deps", "--only-binary", ":all:", "--target", str(tree),
        "--python-version", "3.11", "--python-platform", f"x86_64-{MANYLINUX}", "-r", str(lock)],
       env={**os.environ, **WARM_PACKAGE_CACHE})
    result["uv_install_s"] = time.perf_counter() - t
    from hatch_aicontainer.build.base.python import probe_python
    from hatch_aicontainer.build.base.resolve import resolve_base_image
    from hatch_aicontainer.config.environment import BuildEnvironment
    from hatch_aicontainer.oci.descriptor import Platform
    from hatch_aicontainer.registry.reference import BaseImageSpec

    site = "/opt/venv/lib/python3.11/site-packages"
    with BlobStore(work / "floor-cache") as store:
        access = BuildEnvironment.read(os.environ).registry
        base = resolve_base_image(BaseImageSpec.parse(base_spec), Platform("linux", "amd64"), store, access=access, root=EXAMPLE)
        t = time.perf_counter()
        compiler, _ = bytecode.image_compiler(base, probe_python(base, store), store, "auto")
        result["base_interpreter_unpack_s"] = time.perf_counter() - t
    if compiler is not None:
        t = time.perf_counter()
        compiled, _ = bytecode.compile_tree(tree, site, compiler)
        result["bytecode_s"] = time.perf_counter() - t
        result["bytecode_files"] = compiled
    host = bytecode.probe_compiler([sys.executable], {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")})
    if host.cache_tag == "cpython-311":
        for pyc in tree.rglob("__pycache__"):
            shutil.rmtree(pyc)
        t = time.perf_counter()
        bytecode.compile_tree(tree, site, host)
        result["bytecode_host_s"] = time.perf_counter() - t
    result["tree_bytes"] = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
    tar = work / "floor.tar"
    t = time.perf_counter()
    sh(["tar", "--sort=name", "-cf", str(tar), "-C", str(tree), "."])
    result["gnu_tar_s"] = time.perf_counter() - t
    threads = default_threads()
    t = time.perf_counter()
    with open(tar, "rb") as source, open(work / "floor.tar.gz", "wb") as target:
        with igzip_threaded.open(target, "wb", compresslevel=GZIP_LEVEL, threads=threads, block_size=GZIP_BLOCK) as gz:
            for chunk in iter(lambda: source.read(GZIP_BLOCK), b""):
                gz.write(chunk)
    result["isal_gzip_s"] = time.perf_counter() - t
    result["isal_threads"] = threads
    result["tar_bytes"] = tar.stat().st_size
    result["gzip_bytes"] = (work / "floor.tar.gz").stat().st_size
    try:
        import zstandard

        t = time.perf_counter()
        with open(tar, "rb") as source, open(work / "floor.tar.zst", "wb") as target:
            zstandard.ZstdCompressor(level=3, threads=threads).copy_stream(source, target)
        result["zstd3_s"] = time.perf_counter() - t
        result["zstd_bytes"] = (work / "floor.tar.zst").stat().st_size
    except ImportError:
        pass
    for name in ("floor.tar", "floor.tar.gz", "floor.tar.zst"):
        (work / name).unlink(missing_ok=True)
    store = BlobStore(work / "floor-store")
    t = time.perf_counter()
    write_layer(tree_entries(tree, "opt/venv/lib/python3.11/site-packages"), store, mtime=0)
    result["write_layer_s"] = time.perf_counter() - t
    store.close()
    shutil.rmtree(work / "floor-store")
    shutil.rmtree(tree)
    return result


# -- Docker -----------------------------------------------------------------------------------


@dataclass
class Engine:
    host: str
    env: dict
    started_dir: Path | None = None
    dockerd: subprocess.Popen | None = None
    cgroup: str | None = None
    driver: str = ""
    version: str = ""
    images: list[str] = field(default_factory=list)

    def docker(self, *args: str, check: bool = True, timeout: float = 1800) -> str:
        return sh(["docker", *args], env=self.env, check=check, timeout=timeout)


def _engine_env(host: str, config: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(DOCKER_HOST=host, DOCKER_CONFIG=str(config), DOCKER_BUILDKIT="0", DOCKER_CLI_HINTS="false")
    return env


def start_engine(work: Path, drivers: tuple[str, ...] = ("overlay2", "vfs")) -> Engine:
    """A private dockerd (own data/exec root, socket, cgroup parent, no bridge): the first driver that works."""
    if os.geteuid() != 0:
        raise SystemExit("no Docker engine given (--docker-host or DOCKER_HOST) and not root to start one")
    for tool in ("dockerd", "docker", "containerd", "runc"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: install Debian's docker.io (or give --docker-host)")
    last_log = ""
    for driver in drivers:
        d = Path(tempfile.mkdtemp(prefix=f"engine-{driver}-", dir=work))
        (d / "config").mkdir()
        (d / "daemon.json").write_text("{}")
        host = f"unix://{d}/docker.sock"
        cgroup = f"{IMAGE_PREFIX}-{os.getpid()}-{driver}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "CONTAINERD_", "NOTIFY_SOCKET"))}
        env["DOCKER_TMPDIR"] = str(d / "data" / "tmp")
        with open(d / "dockerd.log", "wb") as out:
            proc = subprocess.Popen(
                ["dockerd", "--config-file", str(d / "daemon.json"), f"--storage-driver={driver}",
                 "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--bridge=none", "--userland-proxy=false",
                 "--data-root", str(d / "data"), "--exec-root", str(d / "exec"), "--pidfile", str(d / "pid"),
                 "--cgroup-parent", "/" + cgroup, "-H", host],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
            )
        engine = Engine(host=host, env=_engine_env(host, d / "config"), started_dir=d, dockerd=proc, cgroup=cgroup)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            if subprocess.run(["docker", "version"], env=engine.env, capture_output=True).returncode == 0:
                break
            time.sleep(0.3)
        ok = proc.poll() is None and subprocess.run(["docker", "version"], env=engine.env, capture_output=True).returncode == 0
        if ok:
            engine.driver = engine.docker("info", "--format", "{{.Driver}}").strip()
            if engine.driver == driver:
                return engine
        last_log = (d / "dockerd.log").read_text(errors="replace")[-2000:]
        stop_engine(engine)
    raise SystemExit(f"could not start dockerd:\n{last_log}")


def stop_engine(engine: Engine) -> None:
    if engine.dockerd is None or engine.started_dir is None:
        return
    proc, d = engine.dockerd, engine.started_dir
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    # its containerd and shims name our directory on their command line
    for pid in _pids_mentioning(str(d)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for mount in sorted(_mounts_under(d), key=lambda m: -m.count("/")):
        subprocess.run(["umount", "-l", mount], capture_output=True)
    if engine.cgroup:
        for top in Path("/sys/fs/cgroup").glob(f"*/{engine.cgroup}"):
            for sub in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
                try:
                    sub.rmdir()
                except OSError:
                    pass
            try:
                top.rmdir()
            except OSError:
                pass
    shutil.rmtree(d, ignore_errors=True)
    engine.dockerd = None


def _pids_mentioning(path: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if path in Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry))
            except OSError:
                pass
    return found


def _mounts_under(path: Path) -> list[str]:
    real = os.path.realpath(path)
    out = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4]
        if point == real or point.startswith(real + "/"):
            out.append(point)
    return out


def dockerd_peak_rss_mib(engine: Engine) -> float | None:
    if engine.dockerd is None:
        return None
    try:
        match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{engine.dockerd.pid}/status").read_text())
    except OSError:
        return None
    return int(match.group(1)) / 1024 if match else None


def load_base(engine: Engine, base: str, work: Path) -> str:
    """The plugin's base image, in the engine, as IMAGE_PREFIX/base."""
    tag = f"{IMAGE_PREFIX}/base:latest"
    if base.startswith("oci:"):
        if shutil.which("skopeo") is None:
            raise SystemExit("skopeo is needed to load an oci: base into the engine (apt-get install skopeo)")
        archive = work / "base.tar"
        sh(["skopeo", "copy", "--quiet", base, f"docker-archive:{archive}:{tag}"])
        engine.docker("load", "-q", "-i", str(archive))
        archive.unlink()
    elif base.startswith("docker-archive:"):
        loaded = engine.docker("load", "-q", "-i", base.split(":", 1)[1])
        engine.docker("tag", loaded.strip().rsplit(" ", 1)[-1], tag)
    else:
        engine.docker("pull", "-q", base)
        engine.docker("tag", base, tag)
    engine.images.append(tag)
    return tag


def pip_base(engine: Engine, base_tag: str, work: Path) -> tuple[str, bool]:
    """``base_tag`` if it has pip (python:*-slim does), else base + pip (untimed)."""
    has_pip = engine.docker("run", "--rm", "--network", "none", "--entrypoint", "python3", base_tag,
                            "-m", "pip", "--version", check=False).startswith("pip ")
    if has_pip:
        return base_tag, False
    ctx = work / "pip-base"
    setup = ctx / "bench-setup"
    setup.mkdir(parents=True)
    sh([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "-d", str(setup), "pip"])
    wheel = next(setup.glob("pip-*.whl")).name
    ca = next((os.environ[v] for v in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE") if os.path.isfile(os.environ.get(v, ""))), None)
    ca_step = ca_env = ""
    if ca:  # HTTPS here goes through a CA the base image does not know
        shutil.copyfile(ca, setup / "ca.pem")
        ca_step = "&& mkdir -p /etc/ssl/certs && cp /tmp/bench-setup/ca.pem /etc/ssl/certs/bench-ca.pem "
        ca_env = "ENV PIP_CERT=/etc/ssl/certs/bench-ca.pem"
    (ctx / "Dockerfile").write_text(PIP_BASE_DOCKERFILE.format(base=base_tag, wheel=wheel, ca_step=ca_step, ca_env=ca_env))
    tag = f"{IMAGE_PREFIX}/base-pip:latest"
    engine.docker("build", "-q", "--network", "host", "-t", tag, str(ctx))
    engine.images.append(tag)
    shutil.rmtree(ctx)
    return tag, True


def for_pip(ctx: Path) -> Path:
    """A project copy that pip can build: without our lock, and without our plugin in
    ``build-system.requires`` (pip builds it with hatchling; the plugin is not on the index)."""
    (ctx / "pylock.aicontainer-amd64-cpu.toml").unlink(missing_ok=True)
    pyproject = ctx / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('requires = ["hatchling", "hatch-aicontainer"]', 'requires = ["hatchling"]'))
    return ctx


def docker_context(work: Path, base_tag: str) -> Path:
    ctx = for_pip(copy_project(work / "docker-context"))
    (ctx / "Dockerfile").write_text(DOCKERFILE.format(base=base_tag, tf=TF_REQUIREMENT))
    (ctx / ".dockerignore").write_text("Dockerfile\n.dockerignore\n")
    return ctx


def docker_build(engine: Engine, ctx: Path, tag: str, *, no_cache: bool) -> dict:
    """Time `docker build` (classic builder) and each of its steps."""
    argv = ["docker", "build", "--network", "host", "-t", tag, *(["--no-cache"] if no_cache else []), str(ctx)]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=engine.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    steps: list[list] = []
    tail: list[str] = []
    for line in proc.stdout:
        now = time.perf_counter() - started
        tail = (tail + [line])[-40:]
        match = re.match(r"Step (\d+)/\d+ : (.*)", line)
        if match:
            if steps:
                steps[-1][2] = now - steps[-1][2]
            steps.append([int(match.group(1)), match.group(2).strip()[:60], now])
    proc.wait()
    seconds = time.perf_counter() - started
    if steps:
        steps[-1][2] = seconds - steps[-1][2]
    if proc.returncode != 0:
        raise RuntimeError(f"docker build failed ({proc.returncode}):\n{''.join(tail)}")
    engine.images.append(tag)
    return {"seconds": seconds, "steps": [{"step": n, "instruction": text, "seconds": s} for n, text, s in steps]}


def docker_image_sizes(engine: Engine, tag: str, work: Path) -> dict:
    """`docker save`, and the same bytes through our compressor (ISA-L gzip, our level and block size)."""
    from isal import igzip_threaded

    from hatch_aicontainer.oci.layer import GZIP_BLOCK, GZIP_LEVEL, default_threads

    saved = work / "docker-save.tar"
    engine.docker("save", "-o", str(saved), tag)
    compressed = work / "docker-save.tar.gz"
    with open(saved, "rb") as source, open(compressed, "wb") as target:
        with igzip_threaded.open(target, "wb", compresslevel=GZIP_LEVEL, threads=default_threads(), block_size=GZIP_BLOCK) as gz:
            for chunk in iter(lambda: source.read(GZIP_BLOCK), b""):
                gz.write(chunk)
    sizes = {
        "docker_save_bytes": saved.stat().st_size,
        "docker_save_gzip_bytes": compressed.stat().st_size,
        "docker_image_size": int(engine.docker("image", "inspect", "--format", "{{.Size}}", tag).strip()),
    }
    saved.unlink()
    compressed.unlink()
    return sizes


def installed_versions(engine: Engine, tag: str) -> dict[str, str]:
    out = engine.docker("run", "--rm", "--network", "none", "--entrypoint", "python3", tag,
                        "-m", "pip", "list", "--format=json", "--disable-pip-version-check")
    return {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(out)}


def locked_versions() -> dict[str, str]:
    import tomllib

    document = tomllib.loads((EXAMPLE / "pylock.aicontainer-amd64-cpu.toml").read_text())
    return {p["name"].lower(): p["version"] for p in document["packages"]}


def startup(engine: Engine, tag: str) -> dict:
    out = engine.docker("run", "--rm", "--network", "none", "--entrypoint", "python3", tag, "-c", STARTUP_SCRIPT, str(STARTUP_RUNS))
    times = json.loads(out.strip().splitlines()[-1])
    return {"first_s": times[0], "runs_s": times[1:], "median_s": statistics.median(times[1:])}


def load_ours(engine: Engine, archive: Path, tag: str) -> float:
    started = time.perf_counter()
    out = engine.docker("load", "-i", str(archive))
    seconds = time.perf_counter() - started
    loaded = re.search(r"Loaded image: (\S+)", out)
    if not loaded:
        raise RuntimeError(f"docker load printed no image: {out}")
    engine.docker("tag", loaded.group(1), tag)
    engine.docker("rmi", loaded.group(1))
    engine.images.append(tag)
    return seconds


# -- report -----------------------------------------------------------------------------------


def mib(n: float) -> str:
    return f"{n / 1024**2:,.0f} MB"


def report(r: dict) -> str:
    m, p, f = r["machine"], r["plugin"], r["floor"]
    cold = [b["seconds"] for b in p["cold"]]
    warm = [b["seconds"] for b in p["warm"]]
    cold_med, warm_med = statistics.median(cold), statistics.median(warm)
    rss = max(b["max_rss_mib"] for b in [*p["cold"], p["cold_no_bytecode"], *p["warm"]])
    lines = [
        "== machine",
        f"  {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB RAM, Linux {m['kernel']}",
        f"  Python {m['python']}, hatch-aicontainer {m['plugin']}, {m['uv']}; load average at start "
        f"{' '.join(f'{x:.2f}' for x in m['load_at_start'])}, at end {' '.join(f'{x:.2f}' for x in r['load_at_end'])}",
    ]
    for d in r.get("docker", []):
        if "error" not in d:
            lines.append(f"  Docker engine {d['engine_version']} ({d['driver']}), classic builder")
    lines += [
        "",
        "== plugin (python -m hatchling build -t container; wall time of the whole process)",
        f"  cold, bytecode on     {', '.join(f'{s:.1f} s' for s in cold)}   (median {cold_med:.1f} s)",
        f"  cold, bytecode off    {p['cold_no_bytecode']['seconds']:.1f} s",
        f"  warm (1-line change)  {', '.join(f'{s:.2f} s' for s in warm)}   (median {warm_med:.2f} s; "
        f"dependency layer {'cached' if all(b['dependency_cached'] for b in p['warm']) else 'NOT cached'})",
        f"  reproducible          {'yes' if len({b['digest'] for b in p['cold']}) == 1 else 'NO'}: "
        f"{p['cold'][0]['digest']} ({len(p['cold'])} cold builds, {len(p['cold'])} caches)",
        f"  peak RSS              {rss:.0f} MiB (largest process of any build: hatchling, uv, compilers)",
        f"  archive               {mib(p['cold'][0]['archive_bytes'])} with bytecode, "
        f"{mib(p['cold_no_bytecode']['archive_bytes'])} without",
        "",
        "== physical floor for the dependency layer (same tree, step by step)",
        f"  uv install (warm cache)        {f['uv_install_s']:.1f} s",
    ]
    if "bytecode_s" in f:
        lines.append(f"  bytecode ({f['bytecode_files']} files)       {f['bytecode_s']:.1f} s (the base image's Python)")
    if "bytecode_host_s" in f:
        lines.append(f"  bytecode, host Python    {f['bytecode_host_s']:.1f} s (the host's own Python)")
    lines += [
        f"  GNU tar → disk                 {f['gnu_tar_s']:.1f} s   ({mib(f['tar_bytes'])})",
        f"  ISA-L gzip -2 ({f['isal_threads']} threads)     {f['isal_gzip_s']:.1f} s   ({mib(f['gzip_bytes'])})",
    ]
    if "zstd3_s" in f:
        lines.append(f"  zstd -3 ({f['isal_threads']} threads)          {f['zstd3_s']:.1f} s   ({mib(f['zstd_bytes'])})")
    lines.append(f"  our write_layer (tar+2×sha256+gzip, streamed)  {f['write_layer_s']:.1f} s")
    for d in r.get("docker", []):
        if "error" in d:
            lines += ["", f"== docker build, storage driver {d['driver']}: {d['error']}"]
            continue
        dc, dw = d["cold"]["seconds"], d["warm"]["seconds"]
        lines += [
            "",
            f"== docker build, storage driver {d['driver']} (equivalent Dockerfile, same base"
            + (", + pip untimed)" if d["pip_added"] else ")"),
            f"  cold (--no-cache)     {dc:.1f} s",
            *(f"      step {s['step']}: {s['seconds']:6.1f} s  {s['instruction']}" for s in d["cold"]["steps"] if s["seconds"] >= 0.5),
            f"  warm (1-line change)  {dw:.1f} s",
            *(f"      step {s['step']}: {s['seconds']:6.1f} s  {s['instruction']}" for s in d["warm"]["steps"] if s["seconds"] >= 0.5),
            f"  ratio cold  {dc / cold_med:.1f}×   ({dc:.1f} s / {cold_med:.1f} s; goal ≥ 6×, plugin ≤ 20 s)",
            f"  ratio warm  {dw / warm_med:.1f}×   ({dw:.1f} s / {warm_med:.2f} s; goal ≥ 30×, plugin ≤ 2 s)",
        ]
        if "sizes" in d:
            lines += [
                f"  package versions vs our lock: {d['version_differences'] or 'identical'}",
                "",
                "== image size",
                f"  docker save                    {mib(d['sizes']['docker_save_bytes'])}  "
                f"(docker image inspect: {mib(d['sizes']['docker_image_size'])})",
                f"  docker save | ISA-L gzip -2    {mib(d['sizes']['docker_save_gzip_bytes'])}",
                f"  ours (.oci.tar, gzip -2 layers) {mib(p['cold'][0]['archive_bytes'])} with bytecode "
                f"({p['cold'][0]['archive_bytes'] / d['sizes']['docker_save_gzip_bytes']:.2f}× docker's), "
                f"{mib(p['cold_no_bytecode']['archive_bytes'])} without",
            ]
        if "startup" in d:
            lines += ["", f"== start-up: import tensorflow in a container (median of {STARTUP_RUNS}, after one warm-up run)"]
            for name, key in (("docker-built image", "docker"), ("ours, bytecode", "ours_bytecode"), ("ours, no bytecode", "ours_no_bytecode")):
                st = d["startup"][key]
                lines.append(f"  {name:20} {st['median_s']:.2f} s   (runs {' '.join(f'{x:.2f}' for x in st['runs_s'])}; first {st['first_s']:.2f})")
        if d.get("dockerd_peak_rss_mib"):
            lines.append(f"  (dockerd's own peak RSS: {d['dockerd_peak_rss_mib']:.0f} MiB; pip ran in containers)")
    lines.append(f"\nbenchmark wall time {r['bench_seconds'] / 60:.1f} min")
    return "\n".join(lines)


# -- the model and GPU goals (--goals) --------------------------------------------------------

MODEL_MIB = 1024
GOAL_RUNS = 3

# Docker's best order for a model project: dependencies, models, then only the code.
MODEL_DOCKERFILE = """\
FROM {base}
RUN python3 -m pip install --no-cache-dir {tf}
COPY models /app/models
COPY pyproject.toml README.md /src/
COPY src /src/src
RUN python3 -m pip install --no-cache-dir --no-deps /src
WORKDIR /app
ENV TF_CPP_MIN_LOG_LEVEL=2
ENTRYPOINT ["example-project"]
"""


def add_model(project: Path, mib: int = MODEL_MIB) -> Path:
    """An incompressible model file under the project's included ``models/``."""
    target = project / "models" / "weights.bin"
    with open(target, "wb") as out:
        for _ in range(mib):
            out.write(os.urandom(1 << 20))
    return target


def change_model(model: Path) -> None:
    with open(model, "r+b") as handle:
        handle.write(os.urandom(64))


def layer_digests(archive: Path) -> list[str]:
    """The layers of the (single-platform) image in ``archive``, read with tarfile."""
    import tarfile

    with tarfile.open(archive) as tar:
        root = json.load(tar.extractfile("index.json"))["manifests"][0]["digest"]
        manifest = json.load(tar.extractfile("blobs/sha256/" + root.partition(":")[2]))
    return [layer["digest"] for layer in manifest["layers"]]


def code_rebuilds(project: Path, cache: Path, base: str, label: str, *, target: str = "container") -> list[dict]:
    runs = []
    for n in range(1, GOAL_RUNS + 1):
        edit_code(project, 100 + n)
        runs.append(plugin_build(project, cache, base, target=target))
        log(f"  {label} code-only rebuild {n}: {runs[-1]['seconds']:.2f} s, peak RSS {runs[-1]['max_rss_mib']:.0f} MiB")
    return runs


def median_seconds(runs: list[dict]) -> float:
    return statistics.median(run["seconds"] for run in runs)


def goals_part(work: Path, base: str, *, docker: bool, gpu: bool) -> dict:
    """The goals: code-only rebuilds with a 1 GiB model vs without, a model-only change,
    the GPU image vs the CPU one (``gpu``), and Docker overlay2 on the same model project."""
    out: dict = {}
    project, cache = copy_project(work / "goal"), work / "goal-cache"
    log("goals: first build (untimed: image cache, uv's package cache)")
    plugin_build(project, cache, base, offline=False)
    log("goals: code-only rebuilds without a model")
    out["without_model"] = code_rebuilds(project, cache, base, "no model")
    log(f"goals: a {MODEL_MIB} MiB model in models/ (included), first build untimed")
    model = add_model(project)
    first = plugin_build(project, cache, base)
    log(f"  {first['seconds']:.1f} s")
    log("goals: code-only rebuilds with the model")
    out["with_model"] = code_rebuilds(project, cache, base, "1 GiB model")
    before = layer_digests(out["with_model"][-1]["archive"])
    change_model(model)
    log("goals: a model-only change (64 bytes of the model)")
    changed = plugin_build(project, cache, base)
    after = layer_digests(changed["archive"])
    out["model_change"] = {
        "seconds": changed["seconds"],
        "layers": len(after),
        "changed_layers": [index for index, digest in enumerate(after) if digest not in before],
    }
    log(f"  {changed['seconds']:.1f} s; layers changed: {out['model_change']['changed_layers']} of {len(after)}")
    if gpu:
        gpu_project, gpu_cache = copy_project(work / "goal-gpu"), work / "goal-gpu-cache"
        log("goals: GPU image (container-gpu) first build (untimed; downloads the CUDA wheels once)")
        plugin_build(gpu_project, gpu_cache, base, offline=False, target="container-gpu")
        out["gpu"] = code_rebuilds(gpu_project, gpu_cache, base, "GPU", target="container-gpu")
        shutil.rmtree(gpu_cache)
    if docker:
        out["docker"] = docker_model_part(work, base, project)
    shutil.rmtree(cache)
    return out


def docker_model_part(work: Path, base: str, project: Path) -> dict:
    """The same model project (models before code) with `docker build` on overlay2: code-only rebuilds."""
    try:
        engine = start_engine(work, ("overlay2",))
    except SystemExit as exc:
        log(f"goals: no overlay2 engine here ({str(exc).splitlines()[0]}); Docker skipped")
        return {"error": str(exc).splitlines()[0]}
    try:
        engine.version = engine.docker("version", "--format", "{{.Server.Version}}").strip()
        build_base, _ = pip_base(engine, load_base(engine, base, work), work)
        ctx = work / "goal-docker"
        for_pip(shutil.copytree(project, ctx, ignore=shutil.ignore_patterns("dist", "__pycache__", "*.egg-info")))
        (ctx / "Dockerfile").write_text(MODEL_DOCKERFILE.format(base=build_base, tf=TF_REQUIREMENT))
        (ctx / ".dockerignore").write_text("Dockerfile\n.dockerignore\ndist\n")
        log(f"goals: docker {engine.version} ({engine.driver}): first build of the model project (untimed)")
        first = docker_build(engine, ctx, f"{IMAGE_PREFIX}/model:0", no_cache=True)
        log(f"  {first['seconds']:.1f} s")
        runs = []
        for n in range(1, GOAL_RUNS + 1):
            edit_code(ctx, 100 + n)
            runs.append(docker_build(engine, ctx, f"{IMAGE_PREFIX}/model:{n}", no_cache=False))
            log(f"  docker code-only rebuild {n}: {runs[-1]['seconds']:.2f} s")
        return {"engine_version": engine.version, "driver": engine.driver, "with_model": runs}
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        log(f"goals: docker failed: {str(exc)[-800:]}")
        return {"error": str(exc).strip().splitlines()[-1][:200]}
    finally:
        stop_engine(engine)


def goals_report(goals: dict) -> str:
    without, with_model = median_seconds(goals["without_model"]), median_seconds(goals["with_model"])
    lines = [
        f"Goals (median of {GOAL_RUNS} code-only rebuilds of `hatchling build -t container`, example project):",
        f"  without a model                 {without:6.2f} s",
        f"  with a {MODEL_MIB} MiB included model   {with_model:6.2f} s   ratio {with_model / without:.2f}x (goal <= 1.2x)",
    ]
    change = goals["model_change"]
    lines.append(
        f"  model-only change: {change['seconds']:.2f} s, changed layers {change['changed_layers']} of {change['layers']}"
        " (goal: only the model's layer)"
    )
    if "gpu" in goals:
        gpu = median_seconds(goals["gpu"])
        lines.append(f"  GPU image (container-gpu)       {gpu:6.2f} s   ratio to CPU {gpu / without:.2f}x (goal <= 1.3x)")
    else:
        lines.append("  GPU image: not measured (--gpu: downloads about 3 GB of CUDA wheels once)")
    docker = goals.get("docker")
    if docker and "with_model" in docker:
        theirs = median_seconds(docker["with_model"])
        lines.append(
            f"  docker build {docker['engine_version']} ({docker['driver']}, classic builder, models before code): "
            f"{theirs:.2f} s; ours/docker {with_model / theirs:.2f}x"
        )
    elif docker:
        lines.append(f"  docker: {docker['error']}")
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------------------


def default_base() -> str:
    if os.environ.get("AICONTAINER_BASE_IMAGE"):
        return os.environ["AICONTAINER_BASE_IMAGE"]
    if (DEFAULT_LAYOUT / "index.json").is_file():
        return f"oci:{DEFAULT_LAYOUT}:{DEFAULT_LAYOUT_TAG}"
    if os.geteuid() == 0:
        sys.path.insert(0, str(REPO / "tests"))
        import base_images

        log("making the offline Python base (debootstrap, once)")
        layout = base_images.ensure_python_base_layout()
        return layout.spec
    return "python:3.11-slim-bookworm"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docker-host", default=os.environ.get("DOCKER_HOST"), help="an engine to use (else start one as root)")
    parser.add_argument("--base", help="base image spec for both (default: AICONTAINER_BASE_IMAGE, the offline layout, python:3.11-slim-bookworm)")
    parser.add_argument("--skip-docker", action="store_true", help="plugin and floor only")
    parser.add_argument(
        "--storage-driver",
        choices=("both", "overlay2", "vfs"),
        default="both",
        help="for an engine started here: both (default: overlay2 with the start-up and size figures, "
        "then vfs for the builds only, the issue's baseline), or one of them",
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--workdir", type=Path, help="where temporary files go (default: $TMPDIR)")
    parser.add_argument("--goals", action="store_true", help="only the goals: a 1 GiB model, a model change, Docker overlay2")
    parser.add_argument("--gpu", action="store_true", help="with --goals: also the GPU image (downloads about 3 GB once)")
    args = parser.parse_args(argv)
    if args.goals:
        base = args.base or default_base()
        with tempfile.TemporaryDirectory(prefix="aicontainer-bench-", dir=args.workdir) as work:
            goals = goals_part(Path(work), base, docker=not args.skip_docker, gpu=args.gpu)
        print(goals_report(goals))
        if args.json:
            args.json.write_text(json.dumps(goals, indent=2, default=str))
        return 0

    started = time.perf_counter()
    base = args.base or default_base()
    results: dict = {"machine": machine(), "base": base}
    log(f"base image {base}; machine {results['machine']}")
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="aicontainer-bench-", dir=args.workdir)))
        results["plugin"] = plugin_builds(work, base)
        log("floor: the dependency tree step by step")
        results["floor"] = floor(work, base)
        if not args.skip_docker:
            results["docker"] = []
            if args.docker_host:
                results["docker"].append(docker_part(work, base, args.docker_host, None, results["plugin"], full=True))
            else:
                drivers = ("overlay2", "vfs") if args.storage_driver == "both" else (args.storage_driver,)
                for i, driver in enumerate(drivers):
                    free = shutil.disk_usage(work).free / 1024**3
                    if driver == "vfs" and free < VFS_MIN_FREE_GIB:
                        log(f"docker: vfs skipped: {free:.0f} GiB free in {work}, it needs about {VFS_MIN_FREE_GIB}")
                        results["docker"].append({"driver": "vfs", "error": f"skipped: only {free:.0f} GiB free"})
                        continue
                    try:
                        results["docker"].append(docker_part(work, base, None, driver, results["plugin"], full=i == 0))
                    except EngineUnavailable as exc:
                        log(f"docker: no {driver} engine here ({exc}); skipped")
                    except (RuntimeError, subprocess.TimeoutExpired) as exc:
                        log(f"docker ({driver}) failed: {str(exc)[-800:]}")
                        results["docker"].append({"driver": driver, "error": str(exc).strip().splitlines()[-1][:200]})
        results["load_at_end"] = os.getloadavg()
        results["bench_seconds"] = time.perf_counter() - started
    text = report(results)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


class EngineUnavailable(RuntimeError):
    pass


def docker_part(work: Path, base: str, host: str | None, driver: str | None, plugin: dict, *, full: bool) -> dict:
    """Docker's cold and warm builds on one engine; with ``full``, also sizes and start-up."""
    with ExitStack() as stack:
        if host:
            config = work / "docker-config"
            config.mkdir(exist_ok=True)
            engine = Engine(host=host, env=_engine_env(host, config))
            engine.driver = engine.docker("info", "--format", "{{.Driver}}").strip()
        else:
            log(f"docker: starting a private engine ({driver})")
            try:
                engine = start_engine(work, (driver,))
            except SystemExit as exc:
                raise EngineUnavailable(str(exc).splitlines()[0]) from None
            stack.callback(stop_engine, engine)
        stack.callback(_remove_images, engine)
        return _docker_figures(engine, work, base, plugin, full=full)


def _docker_figures(engine: Engine, work: Path, base: str, plugin: dict, *, full: bool) -> dict:
    engine.version = engine.docker("version", "--format", "{{.Server.Version}}").strip()
    log(f"docker: engine {engine.version}, storage driver {engine.driver}")
    out: dict = {"engine_version": engine.version, "driver": engine.driver}

    base_tag = load_base(engine, base, work)
    build_base, out["pip_added"] = pip_base(engine, base_tag, work)
    ctx = docker_context(work / f"ctx-{engine.driver}", build_base)
    cold_tag, warm_tag = f"{IMAGE_PREFIX}/docker:cold", f"{IMAGE_PREFIX}/docker:warm"
    log(f"docker ({engine.driver}): cold build (--no-cache)")
    out["cold"] = docker_build(engine, ctx, cold_tag, no_cache=True)
    log(f"  {out['cold']['seconds']:.1f} s")
    startups = {}
    if full:
        out["sizes"] = docker_image_sizes(engine, cold_tag, work)
        installed, locked = installed_versions(engine, cold_tag), locked_versions()
        out["version_differences"] = ", ".join(
            f"{name} {installed.get(name)} vs {version}" for name, version in sorted(locked.items()) if installed.get(name) != version
        )
        log("docker: start-up of the docker-built image")
        startups["docker"] = startup(engine, cold_tag)
    edit_code(ctx, 1)
    log(f"docker ({engine.driver}): warm build after the one-line change")
    out["warm"] = docker_build(engine, ctx, warm_tag, no_cache=False)
    log(f"  {out['warm']['seconds']:.1f} s")
    for tag in (warm_tag, cold_tag):
        engine.docker("rmi", tag, check=False)
    if full:
        for key, build in (("ours_bytecode", plugin["cold"][0]), ("ours_no_bytecode", plugin["cold_no_bytecode"])):
            tag = f"{IMAGE_PREFIX}/ours:{key}"
            log(f"docker: load and start {key}")
            out[f"load_{key}_s"] = load_ours(engine, build["archive"], tag)
            startups[key] = startup(engine, tag)
            engine.docker("rmi", tag, check=False)
        out["startup"] = startups
    out["dockerd_peak_rss_mib"] = dockerd_peak_rss_mib(engine)
    return out


def _remove_images(engine: Engine) -> None:
    if engine.started_dir is not None:
        return  # our own engine: stopping it removes everything
    for tag in reversed(engine.images):
        engine.docker("rmi", "-f", tag, check=False)
    engine.docker("builder", "prune", "-f", check=False)


if __name__ == "__main__":
    sys.exit(main())
