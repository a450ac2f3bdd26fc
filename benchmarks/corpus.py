#!/usr/bin/env python3
"""Real public TensorFlow, PyTorch and JAX projects built with this checkout's plugin: which build, and what breaks.

    sudo .venv/bin/python benchmarks/corpus.py [--base SPEC] [--bytecode] [--only NAME ...] [--workdir DIR] [--torch-wheels DIR]

Every folder under benchmarks/corpus/ is a real project's pyproject.toml and
package sources (each with an ORIGIN.md: repository, commit, license, changes).
For each one, in name order: copy it to a temporary directory, add
``hatch-aicontainer==<this checkout's version>`` to the copy's
``[build-system].requires`` (what a user adopting the plugin writes), and run
``hatch build -t container`` there as a user would, with this checkout's
plugin as a fresh wheel (tests/e2e_helpers.py: the same way the end-to-end
tests run hatch). Then one line per project: result, wall time, archive size,
each framework's distribution and version from the image's labels and the image's
entrypoint (or the build's ``error:`` line), the build's warnings below it, and a
summary table at the end.

The base image is ``--base`` (an ``oci:/path:tag`` spec or any other
``AICONTAINER_BASE_IMAGE`` value), by default the offline Debian bookworm
Python 3.11 layout that tests/base_images.py makes (root and debootstrap, cached
under /var/tmp). Bytecode is off unless ``--bytecode``. The projects share one
plugin cache (created here, removed at the end) and the user's uv package cache,
as builds on one machine do; TensorFlow and the other wheels come from PyPI.
PyTorch's CPU builds come from its CPU index, which these machines cannot reach:
``--torch-wheels DIR`` (default /opt/wheels, where this machine keeps one) serves the
``torch-*+cpu`` wheels of DIR as that index on loopback (tests/simple_index.py).

``--release``: each project is also released as a pipeline does, on a private
docker-registry (tests/services.py): built signed (a key from ``aicontainer keygen``)
and pushed by the build, the push checked with ``aicontainer verify REF --key``;
then a fresh runner (an empty plugin cache, an empty uv cache, a fresh hatch data
folder, a copy of the checkout with the lock the release wrote) with the same key builds
it again with the registry as its cache (``AICONTAINER_CACHE_FROM``; signed entries): its line says whether the
dependency layer came from the registry, whether the digest is the release's, and
both wall times. Both builds set ``SOURCE_DATE_EPOCH`` (the corpus copies have no git).

A report: the exit status is 0 whether projects build or not, non-zero only when
the script itself fails. Needs: Linux, skopeo; root for the default base.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(REPO / "tests"))

from e2e_helpers import build_plugin_wheelhouse, copy_project, hatch_build, hatch_env, skopeo_inspect  # noqa: E402
from simple_index import SimpleIndex  # noqa: E402

from hatch_aicontainer.config.frameworks import FRAMEWORK_NAMES  # noqa: E402

LABEL = "io.hatch-aicontainer."
# a report of builds only: nothing is pushed or loaded, whatever the caller's environment says
DROPPED_ENV = ("AICONTAINER_PUSH", "AICONTAINER_PUSH_TO", "AICONTAINER_LOAD", "AICONTAINER_CACHE_MAX_SIZE", "AICONTAINER_BASE_IMAGE")
BUILD_TIMEOUT = 1200  # seconds, e2e_helpers.hatch_build's own limit


def log(message: str) -> None:
    print(f"[corpus {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Result:
    name: str
    built: bool
    seconds: float
    archive_bytes: int | None = None
    frameworks: str = ""  # "tensorflow-cpu 2.16.1", "torch 2.13.0+cpu, jax 0.10.2": from the image's labels
    error: str = ""
    entrypoint: str = ""  # the image config's Entrypoint
    warnings: tuple[str, ...] = ()  # the build's "warning:" lines
    release: str = ""  # --release: what the push, verify and the fresh runner showed

    def line(self) -> str:
        size = f"{self.archive_bytes / 1e6:.1f} MB" if self.archive_bytes is not None else "-"
        what = f"{self.frameworks}, entrypoint {self.entrypoint}" if self.built else self.error
        shown = "".join(f"\n    {w}" for w in self.warnings)
        released = f"\n    release: {self.release}" if self.release else ""
        return f"{self.name}: {'built' if self.built else 'failed'} in {self.seconds:.1f} s, image {size}, {what}{shown}{released}"


def default_base() -> str:
    if os.geteuid() != 0:
        raise SystemExit("corpus.py: the default base image is made with debootstrap, which needs root; pass --base SPEC")
    import base_images

    log("the offline Python base (debootstrap and umoci, once; cached under /var/tmp)")
    return base_images.ensure_python_base_layout().spec


def plugin_requirement(wheelhouse: Path) -> str:
    """``hatch-aicontainer==<version>`` of the wheel just built, so no index can offer another one."""
    (wheel,) = wheelhouse.glob("hatch_aicontainer-*.whl")
    return f"hatch-aicontainer=={wheel.name.split('-')[1]}"


def add_build_requirement(pyproject: Path, requirement: str) -> None:
    """Append *requirement* to ``[build-system].requires``, editing the text (the rest stays byte for byte)."""
    text = pyproject.read_text()
    requires = tomllib.loads(text).get("build-system", {}).get("requires")
    table = re.search(r"(?m)^\[build-system\][ \t]*$", text)
    if requires is None or table is None:
        raise RuntimeError(f"{pyproject}: no [build-system].requires to add the plugin to")
    key = re.compile(r"(?m)^requires[ \t]*=[ \t]*\[[^\]]*\]").search(text, table.end())
    if key is None:
        raise RuntimeError(f"{pyproject}: [build-system].requires is not a one-array literal")
    new = "requires = [" + ", ".join(f'"{r}"' for r in [*requires, requirement]) + "]"
    pyproject.write_text(text[: key.start()] + new + text[key.end() :])
    assert tomllib.loads(pyproject.read_text())["build-system"]["requires"] == [*requires, requirement]


def error_line(output: str) -> str:
    """The build's ``error:`` line (the plugin's own first), else the last line it printed."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    return errors[0] if errors else (lines[-1] if lines else "(no output)")


def image_facts(archive: Path) -> tuple[str, str]:
    """Each framework's distribution and version from the image's labels, and its entrypoint."""
    try:
        config = skopeo_inspect(archive, config=True).get("config") or {}
    except subprocess.CalledProcessError as exc:  # the archive is there but unreadable: report it, go on
        return f"(skopeo inspect --config failed: {exc.stderr.strip().splitlines()[-1:]})", "?"
    labels = config.get("Labels") or {}
    held = [f"{labels.get(LABEL + name + '.package', '?')} {labels[LABEL + name]}" for name in FRAMEWORK_NAMES if LABEL + name in labels]
    return ", ".join(held) or "(no framework label)", json.dumps(config.get("Entrypoint"))


@dataclass(frozen=True)
class Release:
    """``--release``: where to push, the key to sign with, and what a fresh runner needs."""

    registry: str  # host:port
    keys: Path  # cosign.key / cosign.pub from aicontainer keygen
    password: str
    wheelhouse: Path
    work: Path

    def env(self, env: dict[str, str], name: str) -> dict[str, str]:
        return {**env, "AICONTAINER_PUSH_TO": f"{self.registry}/corpus/{name}:{{version}}", "SOURCE_DATE_EPOCH": EPOCH,
                "AICONTAINER_SIGNING_KEY": str(self.keys / "cosign.key"), "AICONTAINER_SIGNING_PASSWORD": self.password}


EPOCH = "1700000000"


def results_digest(project: Path) -> str:
    (record,) = (project / "dist").glob("*.oci.tar.json")
    return json.loads(record.read_text())["digest"]


def check_release(project: Path, name: str, release: Release, env: dict[str, str], seconds: float) -> str:
    """The pushed release verified, then a fresh runner's build of the same checkout from the registry cache."""
    pushed = next((line for line in (project / "dist" / "build.log").read_text().splitlines() if line.startswith("pushed ")), "")
    if not pushed:
        return "FAILED: the build pushed nothing"
    reference = pushed.split()[1]
    verify = subprocess.run([str(Path(sys.executable).parent / "aicontainer"), "verify", reference, "--key", str(release.keys / "cosign.pub")],
                            env=env, capture_output=True, text=True)
    verified = verify.stdout.strip().splitlines()[-1:] if verify.returncode == 0 else [f"verify FAILED: {verify.stderr.strip()}"]
    runner = release.work / f"runner-{name}"
    checkout = copy_project(project, runner / "checkout")
    fresh = hatch_env(release.wheelhouse, runner / "hatch", runner / "cache", UV_CACHE_DIR=str(runner / "uv"),
                      SOURCE_DATE_EPOCH=EPOCH, AICONTAINER_CACHE_FROM=f"{release.registry}/corpus/{name}")
    for variable in DROPPED_ENV:
        fresh.pop(variable, None)
    for variable in ("AICONTAINER_BASE_IMAGE", "AICONTAINER_BYTECODE", "AICONTAINER_TORCH_INDEX_URL",
                     "AICONTAINER_SIGNING_KEY", "AICONTAINER_SIGNING_PASSWORD"):  # the pipeline's key: it takes the entries it signed
        if variable in env:
            fresh[variable] = env[variable]
    try:
        start = time.perf_counter()
        run = hatch_build(checkout, fresh)
        took = time.perf_counter() - start
        output = run.stdout + run.stderr
        if run.returncode != 0:
            return f"{verified[0]}; fresh runner FAILED: {error_line(output)}"
        same = results_digest(checkout) == results_digest(project)
    finally:
        shutil.rmtree(runner, ignore_errors=True)
    cached = [line.split("] ", 1)[-1] for line in output.splitlines() if "from registry cache" in line]
    return (f"{verified[0]}; fresh runner {took:.1f} s (release {seconds:.1f} s), "
            f"{'same digest' if same else 'DIFFERENT DIGEST'}, {'; '.join(cached) or 'NOTHING from the registry cache'}")


def build_project(source: Path, work: Path, env: dict[str, str], requirement: str, release: Release | None = None) -> Result:
    project = copy_project(source, work / source.name)
    add_build_requirement(project / "pyproject.toml", requirement)
    if release is not None:
        env = release.env(env, source.name)
    start = time.perf_counter()
    try:
        run = hatch_build(project, env)
    except subprocess.TimeoutExpired:
        return Result(source.name, False, time.perf_counter() - start, error=f"error: (corpus.py) no result after {BUILD_TIMEOUT} s")
    seconds = time.perf_counter() - start
    output = run.stdout + "\n" + run.stderr
    (work / f"{source.name}.log").write_text(output)
    archives = run.archives
    if run.returncode != 0 or len(archives) != 1:
        log(f"{source.name}: hatch exited {run.returncode}, {len(archives)} archive(s); its output ends:\n" + "\n".join(output.strip().splitlines()[-25:]))
        return Result(source.name, False, seconds, error=error_line(output) if run.returncode else f"error: (corpus.py) {len(archives)} archives in dist/")
    frameworks, entrypoint = image_facts(archives[0])
    warnings = tuple(line.strip() for line in output.splitlines() if line.strip().startswith("warning:"))
    result = Result(source.name, True, seconds, archives[0].stat().st_size, frameworks, entrypoint=entrypoint, warnings=warnings)
    if release is not None:
        (project / "dist" / "build.log").write_text(output)
        result.release = check_release(project, source.name, release, env, seconds)
    shutil.rmtree(project)  # about 1 GB per TensorFlow image: the next project needs the room
    return result


def table(results: list[Result]) -> str:
    rows = [("project", "result", "time", "image", "frameworks / error")]
    for r in results:
        size = f"{r.archive_bytes / 1e6:.1f} MB" if r.archive_bytes is not None else "-"
        rows.append((r.name, "built" if r.built else "failed", f"{r.seconds:.1f} s", size, r.frameworks if r.built else r.error))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4] for row in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    built = sum(r.built for r in results)
    return "\n".join([*lines, f"{built} of {len(results)} built"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="base image spec, e.g. oci:/path/layout:tag (default: the offline bookworm layout of tests/base_images.py)")
    parser.add_argument("--bytecode", action="store_true", help="keep the plugin's bytecode step (default: AICONTAINER_BYTECODE=off)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these corpus folders only")
    parser.add_argument("--workdir", type=Path, help="where the temporary directory goes (default: $TMPDIR)")
    parser.add_argument("--release", action="store_true",
                        help="also push each image signed to a private registry, verify it, and rebuild it on a fresh runner from the registry cache")
    parser.add_argument("--torch-wheels", type=Path, default=Path("/opt/wheels"),
                        help="serve the torch-*+cpu wheels of this folder as PyTorch's CPU index (default: /opt/wheels)")
    args = parser.parse_args(argv)

    projects = sorted(p for p in CORPUS.iterdir() if (p / "pyproject.toml").is_file())
    if args.only:
        unknown = set(args.only) - {p.name for p in projects}
        if unknown:
            parser.error(f"not in {CORPUS}: {', '.join(sorted(unknown))}")
        projects = [p for p in projects if p.name in args.only]
    base = args.base or default_base()

    results: list[Result] = []
    torch_wheels = sorted(args.torch_wheels.glob("torch-*+cpu-*.whl")) if args.torch_wheels.is_dir() else []
    with tempfile.TemporaryDirectory(prefix="aicontainer-corpus-", dir=args.workdir) as tmp, SimpleIndex(torch_wheels) as torch_index:
        work = Path(tmp)
        log("this checkout's plugin as a wheel")
        wheelhouse = build_plugin_wheelhouse(work / "plugin")
        requirement = plugin_requirement(wheelhouse)
        env = hatch_env(wheelhouse, work / "hatch", work / "plugin-cache")
        for name in DROPPED_ENV:
            env.pop(name, None)
        env["AICONTAINER_BASE_IMAGE"] = base
        if torch_wheels:
            env["AICONTAINER_TORCH_INDEX_URL"] = torch_index.url()
            print(f"PyTorch's CPU index: {', '.join(w.name for w in torch_wheels)} on {torch_index.url()}", flush=True)
        if args.bytecode:
            env.pop("AICONTAINER_BYTECODE", None)
        else:
            env["AICONTAINER_BYTECODE"] = "off"
        print(f"base {base}; {requirement}; bytecode {'on' if args.bytecode else 'off'}", flush=True)
        with contextlib.ExitStack() as stack:
            release = None
            if args.release:
                import services

                registry = services.start_registry()
                stack.callback(registry.stop)
                keys = work / "keys"
                keys.mkdir()
                password = "corpus-release"
                subprocess.run([str(Path(sys.executable).parent / "aicontainer"), "keygen"], cwd=keys, check=True, capture_output=True,
                               env={**os.environ, "AICONTAINER_SIGNING_PASSWORD": password})
                release = Release(registry.host, keys, password, wheelhouse, work)
            for source in projects:
                log(f"{source.name}: hatch build -t container")
                result = build_project(source, work, env, requirement, release)
                print(result.line(), flush=True)
                results.append(result)
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
