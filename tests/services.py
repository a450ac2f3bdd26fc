"""Real services for the tests: a private Docker engine and a local OCI registry.

Plain functions and classes (no pytest here), so scripts can use them too.

Every service lives in its OWN fresh directory ``$TMPDIR/aicontainer-test-XXXXXXXX``
holding its sockets, state, logs and a marker file naming the process that
owns it.  Nothing is shared with another Docker engine on the machine:

* the engine gets its own containerd (socket, root, state under the
  directory), its own ``daemon.json`` (so ``/etc/docker/daemon.json`` is not
  read; the trust key lives under the directory), its own ``-H unix://…``
  socket (never ``/var/run/docker.sock``), its own pid file, data root, exec
  root and cgroup parent, no bridge and no iptables rules;
* the engine's storage driver is ``overlay2`` where the kernel and the data
  root's file system support it (dockerd itself checks, e.g. it refuses
  overlay2 on an overlayfs-backed ``/tmp``), else ``vfs``, which copies every
  layer in full and is much slower.  ``$AICONTAINER_TEST_STORAGE_DRIVER``
  (``overlay2`` or ``vfs``) forces one, without fallback;
* the registry listens on 127.0.0.1 on a port that was free at start.

A directory whose owner process is dead (an earlier run that crashed or was
killed) is cleaned up when the next service starts: its leftover processes
(found by the directory's path on their command line, or by the engine's
private cgroup) are killed, its mounts are unmounted, and it is removed.
Only directories carrying our marker are touched, so a Docker engine this
module did not start is never touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

TEMP_PREFIX = "aicontainer-test-"
MARKER = ".aicontainer-test-service.json"

ENGINE_START_TIMEOUT = 90.0
STORAGE_DRIVER_ENV = "AICONTAINER_TEST_STORAGE_DRIVER"
STORAGE_DRIVERS = ("overlay2", "vfs")  # in order of preference
REGISTRY_START_TIMEOUT = 30.0


class ServiceError(RuntimeError):
    """A service could not be started (the message carries its log's tail)."""


# --------------------------------------------------------------------------
# processes, mounts, stale directories


def proc_start_time(pid: int) -> str | None:
    """Start time of a process (clock ticks since boot), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[19]  # field 22 of stat


def _pid_alive(pid: int, start_time: str | None) -> bool:
    current = proc_start_time(pid)
    if current is None:
        return False
    return start_time is None or current == start_time


def _mentions(cmdline: str, path: str) -> bool:
    """True if *path* appears in *cmdline* as a whole path (or a prefix of one)."""
    start = 0
    while True:
        i = cmdline.find(path, start)
        if i < 0:
            return False
        end = i + len(path)
        if end == len(cmdline) or not (cmdline[end].isalnum() or cmdline[end] in "_-."):
            return True
        start = i + 1


def processes_mentioning(path: str | os.PathLike) -> list[int]:
    """Pids of processes whose command line names *path* (or a file under it)."""
    path = str(path)
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            raw = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if raw and _mentions(raw.replace(b"\0", b" ").decode(errors="replace"), path):
            found.append(int(entry))
    return found


def _kill(pids, sig=signal.SIGKILL) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def _wait_gone(pids, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if proc_start_time(p) is not None and not _is_zombie(p)]
    return alive


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2 :].split()[0] == "Z"


def cgroup_dirs(name: str) -> list[Path]:
    """The directories of cgroup *name* in every mounted cgroup hierarchy (v1 and v2)."""
    root = Path("/sys/fs/cgroup")
    candidates = [root / name] + [p / name for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    return [p for p in candidates if (p / "cgroup.procs").exists()]


def kill_cgroup(name: str) -> None:
    """Kill every process in cgroup *name* (and below), then remove the cgroup directories."""
    for _ in range(3):
        pids = set()
        for top in cgroup_dirs(name):
            for procs in top.rglob("cgroup.procs"):
                with contextlib.suppress(OSError, ValueError):
                    pids.update(int(x) for x in procs.read_text().split())
        if not pids:
            break
        _kill(pids)
        _wait_gone(pids, 5)
    for top in cgroup_dirs(name):
        # deepest first
        for d in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            with contextlib.suppress(OSError):
                d.rmdir()
        with contextlib.suppress(OSError):
            top.rmdir()


def _unescape_mountinfo(s: str) -> str:
    return s.encode().decode("unicode_escape") if "\\" in s else s


def mounts_under(path: str | os.PathLike) -> list[str]:
    """Mount points at or under *path*, deepest first."""
    path = os.path.realpath(path)
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        parts = line.split()
        if len(parts) < 5:
            continue
        mnt = _unescape_mountinfo(parts[4])
        if mnt == path or mnt.startswith(path + "/"):
            found.append(mnt)
    return sorted(set(found), key=lambda m: -m.count("/"))


def unmount_under(path: str | os.PathLike) -> None:
    """Unmount everything mounted at or under *path* (lazily if busy)."""
    for _ in range(5):
        mounts = mounts_under(path)
        if not mounts:
            return
        for mnt in mounts:
            r = subprocess.run(["umount", mnt], capture_output=True)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", mnt], capture_output=True)
    left = mounts_under(path)
    if left:
        raise ServiceError(f"could not unmount {left}")


def remove_tree(path: str | os.PathLike) -> None:
    """Unmount what is under *path*, then remove it (tolerates files vanishing)."""
    path = Path(path)
    if not path.exists():
        return
    unmount_under(path)

    def onerror(func, p, exc_info):
        # make read-only directories writable and retry once
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(p), 0o700)
            func(p)

    shutil.rmtree(path, onerror=onerror)
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _read_marker(d: Path) -> dict | None:
    try:
        return json.loads((d / MARKER).read_text())
    except (OSError, ValueError):
        return None


def write_marker(d: Path, **info) -> None:
    data = _read_marker(d) or {}
    data.update(info)
    tmp = d / (MARKER + ".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(d / MARKER)


def kill_processes_mentioning(*paths, timeout: float = 20.0, term_first: float = 0.0) -> None:
    """Kill every process whose command line names one of *paths*, until none is left.

    With *term_first*, SIGTERM them and allow that many seconds before SIGKILL.
    """
    def scan():
        return sorted({pid for p in paths for pid in processes_mentioning(p)})

    if term_first:
        pids = scan()
        _kill(pids, signal.SIGTERM)
        _wait_gone(pids, term_first)
    deadline = time.monotonic() + timeout
    while (pids := scan()) and time.monotonic() < deadline:
        _kill(pids)
        _wait_gone(pids, 2)


def _clean_dir(d: Path, marker: dict) -> None:
    kill_processes_mentioning(str(d), marker.get("path", str(d)))
    if marker.get("cgroup"):
        kill_cgroup(marker["cgroup"])
    remove_tree(d)


def cleanup_stale_dirs(base: str | os.PathLike | None = None) -> list[Path]:
    """Clean the service directories of dead runs (owner process gone). Returns them."""
    base = Path(base or tempfile.gettempdir())
    cleaned = []
    for d in sorted(base.glob(TEMP_PREFIX + "*")):
        if not d.is_dir() or d.is_symlink():
            continue
        marker = _read_marker(d)
        if marker is None or "owner_pid" not in marker:
            continue  # not ours (or another module's temp dir): leave it
        if _pid_alive(int(marker["owner_pid"]), marker.get("owner_start")):
            continue
        # claim it atomically so two cleaners never work on the same directory
        claimed = d.with_name(f"{TEMP_PREFIX}stale-{secrets.token_hex(4)}")
        try:
            d.rename(claimed)
        except OSError:
            continue
        with contextlib.suppress(Exception):
            _clean_dir(claimed, marker)
        cleaned.append(d)
    return cleaned


def new_service_dir(kind: str) -> Path:
    """A fresh directory for one service, marked as owned by this process."""
    with contextlib.suppress(Exception):
        cleanup_stale_dirs()
    d = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    os.chmod(d, 0o755)
    write_marker(d, kind=kind, path=str(d), owner_pid=os.getpid(),
                  owner_start=proc_start_time(os.getpid()))
    return d


def die_with_parent() -> None:  # runs in the child between fork and exec
    os.setsid()
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: stop if the test run dies


def _spawn(argv, *, log: Path, cwd: Path, env: dict | None = None) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
        )


def _stop_group(proc: subprocess.Popen | None, timeout: float) -> None:
    """SIGTERM the process group led by *proc*, wait, then SIGKILL it."""
    if proc is None:
        return
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
    else:
        # the leader is gone; members of its group may remain (pgid stays reserved while they live)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def _tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def require_tools(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        raise ServiceError(
            f"missing tools {missing}: run scripts/test as root (it apt-installs "
            "docker.io docker-registry skopeo umoci debootstrap apache2-utils)"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Docker engine


def _unix_http_get(sock_path: str, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


def _wait_unix_socket(path: Path, proc: subprocess.Popen, timeout: float, log: Path, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServiceError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        if path.exists():
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                try:
                    s.connect(str(path))
                    return
                except OSError:
                    pass
        time.sleep(0.1)
    raise ServiceError(f"{what} did not open {path} within {timeout:.0f}s:\n{_tail(log)}")


def client_env(host: str, config_dir: Path | None = None) -> dict[str, str]:
    """os.environ with the Docker client pointed at *host* (and nothing else)."""
    env = dict(os.environ)
    for var in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS"):
        env.pop(var, None)
    env["DOCKER_HOST"] = host
    if config_dir is not None:
        env["DOCKER_CONFIG"] = str(config_dir)  # `docker login` never writes ~/.docker
    return env


@dataclass
class DockerEngine:
    """A private dockerd (with its own containerd) in its own directory."""

    dir: Path
    host: str  # "unix:///tmp/aicontainer-test-…/docker.sock"
    env: dict[str, str]  # os.environ copy with DOCKER_HOST (and DOCKER_CONFIG) set
    cgroup: str
    driver: str = ""  # the storage driver it runs with ("overlay2" or "vfs")
    dockerd: subprocess.Popen | None = field(default=None, repr=False)
    containerd: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def socket(self) -> Path:
        return self.dir / "docker.sock"

    @property
    def data_root(self) -> Path:
        return self.dir / "data"

    def ping(self) -> bool:
        try:
            status, body = _unix_http_get(str(self.socket), "/_ping")
        except (OSError, ValueError, IndexError):
            return False
        return status == 200 and body.strip() == b"OK"

    def docker(self, *args: str, check: bool = True, timeout: float = 600, **kw):
        """Run the docker CLI against this engine; returns CompletedProcess (text)."""
        r = subprocess.run(["docker", *args], env=self.env, capture_output=True,
                           text=True, timeout=timeout, **kw)
        if check and r.returncode != 0:
            raise ServiceError(f"docker {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r

    def logs(self) -> str:
        return _tail(self.dir / "dockerd.log", 200)

    def stop(self) -> None:
        try:
            _stop_group(self.dockerd, timeout=45)  # dockerd stops its containers first
            _stop_group(self.containerd, timeout=15)
            # shims run in their own process groups; they name our directory
            kill_processes_mentioning(self.dir, term_first=5)
            kill_cgroup(self.cgroup)
        finally:
            remove_tree(self.dir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _dockerd_major() -> int:
    """Major version of the installed dockerd (20 for Debian bookworm's docker.io)."""
    r = subprocess.run(["dockerd", "--version"], capture_output=True, text=True)
    m = re.search(r"version (\d+)\.", r.stdout)
    return int(m.group(1)) if m else 0


_CONTAINERD_TOML = """\
version = 2
root = "{d}/containerd/root"
state = "{d}/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
oom_score = 0

[grpc]
  address = "{d}/containerd/containerd.sock"

[ttrpc]
  address = "{d}/containerd/containerd.sock.ttrpc"

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "{d}/containerd/opt"
"""


def storage_drivers() -> tuple[str, ...]:
    """The storage drivers to try, best first: overlay2 then vfs, or the one forced by the env."""
    forced = os.environ.get(STORAGE_DRIVER_ENV, "").strip()
    if not forced:
        return STORAGE_DRIVERS
    if forced not in STORAGE_DRIVERS:
        raise ServiceError(f"{STORAGE_DRIVER_ENV}={forced!r} is not a storage driver the test engine "
                           f"can use; allowed: {', '.join(STORAGE_DRIVERS)} (or unset to choose)")
    return (forced,)


def _driver_unsupported(log: str) -> str | None:
    """The line of a dockerd log saying its storage driver cannot work here, if any."""
    for line in log.splitlines():
        if "error initializing graphdriver" in line or "driver not supported" in line:
            return line.strip()
    return None


def _engine_driver(engine: DockerEngine) -> str:
    status, body = _unix_http_get(str(engine.socket), "/info", timeout=30)
    if status != 200:
        raise ServiceError(f"dockerd answered GET /info with {status}")
    return json.loads(body)["Driver"]


def _start_dockerd(engine: DockerEngine, driver: str, env: dict, timeout: float) -> None:
    """Start dockerd with *driver* on the engine's containerd; returns once ``/_ping`` answers."""
    d = engine.dir
    engine.dockerd = _spawn(
        [
            "dockerd",
            "--config-file", str(d / "daemon.json"),
            "--containerd", str(d / "containerd" / "containerd.sock"),
            f"--storage-driver={driver}",
            "--iptables=false", "--ip6tables=false", "--ip-masq=false",
            "--bridge=none", "--userland-proxy=false",
            "--data-root", str(engine.data_root),
            "--exec-root", str(d / "exec"),
            "--pidfile", str(d / "pid"),
            "--cgroup-parent", "/" + engine.cgroup,
            "-H", engine.host,
        ],
        log=d / "dockerd.log", cwd=d, env=env,
    )
    write_marker(d, dockerd_pid=engine.dockerd.pid)
    deadline = time.monotonic() + timeout
    while not engine.ping():
        if engine.dockerd.poll() is not None:
            raise ServiceError(f"dockerd (storage driver {driver}) exited with "
                               f"{engine.dockerd.returncode}:\n{_tail(d / 'dockerd.log')}")
        if time.monotonic() > deadline:
            raise ServiceError(f"dockerd did not answer /_ping within {timeout:.0f}s:\n"
                               f"{_tail(d / 'dockerd.log')}")
        time.sleep(0.2)
    engine.driver = _engine_driver(engine)
    if engine.driver != driver:
        raise ServiceError(f"dockerd was asked for storage driver {driver} but runs {engine.driver}")


def start_docker_engine(timeout: float = ENGINE_START_TIMEOUT) -> DockerEngine:
    """Start a private Docker engine; returns once ``/_ping`` answers.

    It runs overlay2 if dockerd accepts it on this kernel and data root, else vfs
    (see :func:`storage_drivers`); the choice is logged in one line to stderr.
    """
    if os.geteuid() != 0:
        raise ServiceError("a Docker engine can only be started as root")
    drivers = storage_drivers()
    require_tools("dockerd", "containerd", "docker", "runc")
    d = new_service_dir("docker")
    cgroup = d.name  # unique: containers go to /sys/fs/cgroup/*/aicontainer-test-XXXX/<id>
    write_marker(d, cgroup=cgroup)
    for sub in ("containerd", "data", "exec", "client-config"):
        (d / sub).mkdir(mode=0o711)
    (d / "containerd.toml").write_text(_CONTAINERD_TOML.format(d=d))
    # our own daemon.json: /etc/docker/daemon.json is never read, and (engines that still
    # have a trust key, before 24) the key goes under $D instead of /etc/docker/key.json
    daemon_json = {}
    if _dockerd_major() < 24:
        daemon_json["deprecated-key-path"] = str(d / "key.json")
    (d / "daemon.json").write_text(json.dumps(daemon_json))
    host = f"unix://{d}/docker.sock"
    # the children get no DOCKER_*/CONTAINERD_* settings from whoever runs the tests
    daemon_env = {k: v for k, v in os.environ.items()
                  if not k.startswith(("DOCKER_", "CONTAINERD_", "NOTIFY_SOCKET"))}
    daemon_env["DOCKER_TMPDIR"] = str(d / "data" / "tmp")
    engine = DockerEngine(dir=d, host=host, env=client_env(host, d / "client-config"), cgroup=cgroup)
    try:
        engine.containerd = _spawn(
            ["containerd", "--config", str(d / "containerd.toml")],
            log=d / "containerd.log", cwd=d, env=daemon_env,
        )
        write_marker(d, containerd_pid=engine.containerd.pid)
        _wait_unix_socket(d / "containerd" / "containerd.sock", engine.containerd, 30,
                          d / "containerd.log", "containerd")
        why_not = ""
        for i, driver in enumerate(drivers):
            try:
                _start_dockerd(engine, driver, daemon_env, timeout)
                break
            except ServiceError as e:
                reason = _driver_unsupported(str(e))
                if i + 1 == len(drivers) or reason is None:
                    raise
                # this kernel or data root cannot do it: start afresh with the next driver
                _stop_group(engine.dockerd, timeout=15)
                engine.dockerd = None
                remove_tree(engine.data_root)
                engine.data_root.mkdir(mode=0o711)
                why_not = f" ({driver} unsupported here: {reason[-200:]})"
        print(f"aicontainer test engine {d}: storage driver {engine.driver}{why_not}", file=sys.stderr)
    except BaseException:
        engine.stop()
        raise
    return engine


# --------------------------------------------------------------------------
# registry


def _http_get(url: str, *, auth: tuple[str, str] | None = None, timeout: float = 5.0) -> int:
    """Status of GET *url* (no proxies: the registry is on loopback)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(url)
    if auth is not None:
        import base64

        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@dataclass
class Registry:
    """A Docker distribution registry on 127.0.0.1 with storage in its own directory."""

    dir: Path
    host: str  # "127.0.0.1:PORT"
    port: int
    username: str | None = None
    password: str | None = None
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username else None

    @property
    def creds(self) -> str | None:
        """"user:password" for skopeo's --creds/--dest-creds."""
        return f"{self.username}:{self.password}" if self.username else None

    def get_status(self, path: str = "/v2/", auth: tuple[str, str] | None = None) -> int:
        return _http_get(self.url + path, auth=auth)

    def stop(self) -> None:
        try:
            _stop_group(self.proc, timeout=10)
            kill_processes_mentioning(self.dir)
        finally:
            remove_tree(self.dir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _htpasswd_line(username: str, password: str) -> str:
    r = subprocess.run(["htpasswd", "-n", "-b", "-B", username, password],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip() + "\n"


def start_registry(*, auth: bool = False, username: str = "aicontainer",
                   password: str | None = None, timeout: float = REGISTRY_START_TIMEOUT) -> Registry:
    """Start a registry (htpasswd/bcrypt auth if *auth*); returns once GET /v2/ answers."""
    require_tools("docker-registry", *(["htpasswd"] if auth else []))
    d = new_service_dir("registry")
    (d / "storage").mkdir()
    if auth:
        password = password or secrets.token_urlsafe(16)
        (d / "htpasswd").write_text(_htpasswd_line(username, password))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "OTEL_"))}
    try:
        for attempt in range(5):
            port = free_port()
            config = {
                "version": 0.1,
                "log": {"level": "warn", "accesslog": {"disabled": True}},
                "storage": {
                    "filesystem": {"rootdirectory": str(d / "storage")},
                    "delete": {"enabled": True},
                    "maintenance": {"uploadpurging": {"enabled": False}},
                },
                "http": {"addr": f"127.0.0.1:{port}", "secret": secrets.token_hex(16),
                         "headers": {"X-Content-Type-Options": ["nosniff"]}},
            }
            if auth:
                config["auth"] = {"htpasswd": {"realm": "aicontainer-test", "path": str(d / "htpasswd")}}
            (d / "config.yml").write_text(json.dumps(config, indent=2))  # JSON is YAML
            log = d / "registry.log"
            reg = Registry(dir=d, host=f"127.0.0.1:{port}", port=port,
                           username=username if auth else None, password=password if auth else None)
            reg.proc = _spawn(["docker-registry", "serve", str(d / "config.yml")], log=log, cwd=d, env=env)
            write_marker(d, registry_pid=reg.proc.pid, port=port)
            deadline = time.monotonic() + timeout
            ready = False
            while time.monotonic() < deadline and reg.proc.poll() is None:
                try:
                    status = reg.get_status()
                except OSError:
                    status = None
                if status in (200, 401):
                    ready = True
                    break
                time.sleep(0.1)
            # make sure it is OUR process that answers (the port may have been taken meanwhile)
            if ready:
                time.sleep(0.2)
                if reg.proc.poll() is None:
                    return reg
            _stop_group(reg.proc, timeout=5)
            if "address already in use" not in _tail(log):
                raise ServiceError(f"docker-registry did not start on {reg.host}:\n{_tail(log)}")
        raise ServiceError(f"docker-registry found no free port:\n{_tail(d / 'registry.log')}")
    except BaseException:
        remove_tree(d)
        raise
