"""Running uv: the one place that starts the resolver/installer subprocess.

uv is used because it resolves and installs for a Python version and platform
other than the one running the build (``--python-version`` /
``--python-platform``) from binary wheels only, and writes PEP 751 lock files.
It does not read pip's configuration, so every index setting is passed
explicitly; ``--no-config`` keeps a developer's uv.toml out of the image.
uv still reads ``UV_*`` environment variables with ``--no-config``
(``UV_COMPILE_BYTECODE`` would compile with the host's Python,
``UV_INDEX_URL``/``UV_FIND_LINKS`` change what resolves, ``UV_LINK_MODE=symlink``
would install links into the cache), so only those that cannot change what is
resolved or installed reach it (:data:`PASSED_UV_VARIABLES`).
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hatch_aicontainer.config.environment import BuildEnvironment
from hatch_aicontainer.config.messages import without_credentials
from hatch_aicontainer.core.errors import ResolveError
from hatch_aicontainer.oci.descriptor import Platform

# glibc floor for the wheels we accept. TF 2.21 ships manylinux_2_27 wheels and
# Debian bookworm (the default base) has glibc 2.36, so 2.28 takes both.
MANYLINUX = "manylinux_2_28"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: uv's lines that tell how its work goes (it prints no bars without a TTY, or with UV_NO_PROGRESS)
_PROGRESS_PREFIXES = ("Resolved ", "Prepared ", "Installed ", "Downloading ", "Downloaded ")

#: ``UV_*`` variables passed to uv: where its cache is and how it talks to the
#: network; none changes which files are resolved or installed.
PASSED_UV_VARIABLES = frozenset({
    "UV_CACHE_DIR",
    "UV_CONCURRENT_DOWNLOADS",
    "UV_CONCURRENT_INSTALLS",
    "UV_HTTP_RETRIES",
    "UV_HTTP_TIMEOUT",
    "UV_NATIVE_TLS",
})


@dataclass(frozen=True)
class Indexes:
    """Where packages come from; passed to uv explicitly."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()

    def args(self) -> list[str]:
        out: list[str] = []
        if self.index_url:
            out += ["--index-url", self.index_url]
        for url in self.extra_index_urls:
            out += ["--extra-index-url", url]
        for link in self.find_links:
            out += ["--find-links", link]
        return out


def target_args(python_version: str, platform: Platform) -> list[str]:
    """uv arguments that describe the image's interpreter instead of ours."""
    return [
        "--python-version",
        python_version,
        "--python-platform",
        f"{platform.machine}-{MANYLINUX}",
    ]


def bundled_uv() -> str:
    """The uv binary shipped by the ``uv`` package (a dependency of ours)."""
    try:
        from uv import find_uv_bin
    except ImportError as exc:  # pragma: no cover - uv is a hard dependency
        raise ResolveError("the 'uv' package is not installed; it is required to resolve the image's packages") from exc
    return find_uv_bin()


@dataclass(frozen=True)
class Uv:
    """How uv runs: its executable (``AICONTAINER_UV``, else the bundled one) and the environment it
    gets (the process's, as the entry point read it, with :func:`uv_environment` applied)."""

    executable: str
    environ: Mapping[str, str] = field(repr=False)  #: may hold index credentials

    @classmethod
    def of(cls, environment: BuildEnvironment) -> Uv:
        return cls(environment.uv or bundled_uv(), uv_environment(environment.variables))

    def run(
        self,
        args: Sequence[str],
        *,
        step: str,
        cwd: Path | None = None,
        input_text: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> str:
        """Run ``uv ARGS``; return stdout, or raise ResolveError with one line about ``step``.

        With ``progress``, uv's stderr is read as it comes and its summary lines
        (:func:`progress_line`: downloads, "Prepared 40 packages in 41.20s") are handed to it."""
        argv = [self.executable, *args]
        environ = dict(self.environ)
        if progress is not None:
            return _run_streamed(argv, step, cwd, environ, progress)
        try:
            done = subprocess.run(argv, cwd=cwd, env=environ, input=input_text, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise ResolveError(f"{step}: cannot run uv ({exc.strerror})") from exc
        if done.returncode != 0:
            raise ResolveError(f"{step}: {summarize_uv_error(done.stderr)}")
        return done.stdout


def progress_line(line: str) -> str | None:
    """The part of one line of uv's stderr worth showing while it works (None: not one of them)."""
    text = _ANSI.sub("", line).strip()
    return text if text.startswith(_PROGRESS_PREFIXES) else None


def _run_streamed(argv: list[str], step: str, cwd: Path | None, environ: dict[str, str], progress: Callable[[str], None]) -> str:
    """``Uv.run`` with stderr read line by line (stdout, small, collected beside it)."""
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=environ, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise ResolveError(f"{step}: cannot run uv ({exc.strerror})") from exc
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read() if proc.stdout else ""), daemon=True)
    reader.start()
    errors: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            errors.append(line)
            shown = progress_line(line)
            if shown is not None:
                progress(shown)
    except BaseException:  # a signal (faults.py) or a display failing: uv does not outlive the build
        proc.kill()
        raise
    finally:
        proc.wait()
        reader.join()
    if proc.returncode != 0:
        raise ResolveError(f"{step}: {summarize_uv_error(''.join(errors))}")
    return "".join(out)


def uv_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without the ``UV_*`` settings that could change the image; no progress, no colour."""
    kept = {k: v for k, v in environ.items() if not k.startswith("UV_") or k in PASSED_UV_VARIABLES}
    return {**kept, "UV_NO_PROGRESS": "1", "NO_COLOR": "1"}


def summarize_uv_error(stderr: str) -> str:
    """uv's multi-line diagnostic folded into one line (box-drawing and hints removed)."""
    lines = []
    for raw in _ANSI.sub("", stderr).splitlines():
        line = raw.strip().lstrip("×╰─▶│├┬ ").strip()
        if line.lower().startswith("error:"):
            line = line[len("error:") :].strip()
        if not line or line.startswith(("hint:", "help:", "Using ", "Resolved ", "Prepared ", "Installed ")):
            continue
        lines.append(line)
    text = without_credentials(" ".join(lines)) or "uv failed without a message"
    return text if len(text) <= 400 else text[:397] + "..."
