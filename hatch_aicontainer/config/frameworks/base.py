"""What every framework shares: the checks of a pinned version against its table, and the
:class:`FrameworkTarget` a checked pin becomes for one platform.

A framework (:class:`Framework`) names its setting (``tensorflow``, ``torch``, ``jax``), the
module it installs and the distributions that can install that module (all held at the pin in
the lock). Its module (:mod:`.tensorflow`, :mod:`.torch`, :mod:`.jax`) says which distribution,
extra and index give the CPU or the CUDA build for a platform: :meth:`Framework.target`.

Messages take the display names of the settings through ``keys`` (``{"python":
"tool.aicontainer.python", "torch": "tool.aicontainer.torch", ...}``) so that the caller
decides how a key is spelled; without it the bare names are used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

from hatch_aicontainer.config.frameworks.data import ReleaseLine, ReleaseTable, line_of, release_table
from hatch_aicontainer.config.messages import config_error, format_value, short_key
from hatch_aicontainer.config.pythons import python_minor
from hatch_aicontainer.oci.descriptor import Platform

ACCELERATORS = ("cpu", "cuda")
#: Platforms the frameworks publish Linux wheels for (``os/architecture``).
SUPPORTED_PLATFORMS = ("linux/amd64", "linux/arm64")


def platform_key(platform: Platform) -> str:
    """``linux/arm64/v8`` -> ``linux/arm64`` (the tables' platform names)."""
    return f"{platform.os}/{platform.architecture}"


@dataclass(frozen=True)
class FrameworkTarget:
    """One framework of a checked target: what the lock asks for, and what the table says of it."""

    framework: str  #: "torch"
    version: str  #: the pin: "2.10.0"
    distribution: str  #: the distribution that carries the module: "tensorflow-cpu", "torch", "jax"
    extra: str | None = None  #: "and-cuda", "cuda12", "cpu"
    local: str | None = None  #: the build's local version label on its index: "cpu" (``2.10.0+cpu``)
    #: the index the build comes from, besides the user's (PyTorch's CPU index); may hold credentials
    index: str | None = field(default=None, repr=False)
    cuda_major: str | None = None  #: the CUDA major of the GPU build ("12"), None for CPU builds
    cuda: str | None = None  #: the table's CUDA version of that build (TensorFlow: tested; JAX: lower bound)
    cudnn: str | None = None
    known: bool = True  #: False: a line newer than the table (CPU only; the lock step checks wheels exist)
    line: str | None = None  #: "2.16"; None when unknown

    @property
    def pinned(self) -> str:
        """The version as the index names the build: ``2.10.0+cpu`` or ``2.10.0``."""
        return f"{self.version}+{self.local}" if self.local else self.version

    @property
    def requirement(self) -> str:
        """``tensorflow[and-cuda]==2.16.1``, ``torch==2.10.0+cpu``, ``jax[cpu]==0.12.0``."""
        extra = f"[{self.extra}]" if self.extra else ""
        return f"{self.distribution}{extra}=={self.pinned}"


class Framework:
    """A framework pinned by a setting of the same name; subclasses say how each build installs."""

    name: str  #: the setting and the label: "tensorflow"
    title: str  #: "TensorFlow"
    file_tag: str  #: its part of archive names: "tf" (``-tf2.16.1``)
    module: str  #: the import name every distribution of it installs
    gpu_check: str  #: Python that prints the GPUs the framework sees (``[]``/``0``: it runs on the CPU)
    distributions: frozenset[str]  #: the distributions that install ``module``; all held at the pin

    @property
    def table(self) -> ReleaseTable:
        return release_table(self.name)

    @property
    def cuda_lower_bounds(self) -> bool:
        """Whether the table's CUDA/cuDNN versions are lower bounds (JAX: the lock pins them) rather
        than the versions the GPU build pins (``cuda-versions = "lower-bounds"`` in ``[meta]``)."""
        return self.table.info.defaults.get("cuda-versions") == "lower-bounds"

    def key(self, keys: Mapping[str, str] | None) -> str:
        return (keys or {}).get(self.name, self.name)

    def example(self) -> str:
        newest = self.table.newest
        return newest.tested or f"{newest.line}.0"

    def allowed_pin(self) -> str:
        return f'an exact version such as "{self.example()}"'

    def check_version(self, version: Any, *, key: str) -> ReleaseLine | None:
        """Check an exact version against the table: its release line, or None for a version
        NEWER than every known line (allowed for CPU images). ConfigError (one line) for a
        malformed version, one that is not exact (fewer than three parts, a local label) or
        one older than the table."""
        allowed = self.allowed_pin()
        if not isinstance(version, str):
            raise config_error(key, version, "must be a string", allowed)
        try:
            parsed = Version(version)
        except InvalidVersion:
            raise config_error(key, version, "not a version", allowed) from None
        if len(parsed.release) < 3 or parsed.local is not None:
            raise config_error(key, version, f"not an exact {self.title} version (major.minor.patch)", allowed)
        release = self.table.release_for(version)
        if release is not None:
            return release
        if line_of(parsed) > self.table.newest.version:
            return None
        raise config_error(
            key,
            version,
            f"not a {self.title} release this plugin knows (known lines: {self.table.known_lines_text})",
            f"{self.title} {self.table.oldest.line} or newer",
        )

    def check_python(self, release: ReleaseLine, version: str, python: str, keys: Mapping[str, str] | None) -> None:
        if not release.supports_python(python):
            raise config_error(
                (keys or {}).get("python", "python"),
                python,
                f"{self.title} {release.line} ({short_key(self.key(keys))} = {format_value(version)}) "
                f"does not support Python {python_minor(python)}",
                ", ".join(release.pythons),
            )

    def cuda_majors(
        self, release: ReleaseLine | None, version: str, python: str, platform: Platform, keys: Mapping[str, str] | None
    ) -> tuple[str, ...]:
        """The CUDA majors this framework's GPU build can use for the target, oldest first;
        ConfigError (one line) when it has none."""
        accelerator_key = (keys or {}).get("accelerator", "accelerator")
        platform_name = (keys or {}).get("platform", "platforms")
        pin = f"{short_key(self.key(keys))} = {format_value(version)}"
        if release is None:
            raise config_error(
                accelerator_key,
                "cuda",
                f"{pin} is newer than this plugin's compatibility data (known lines: {self.table.known_lines_text}), "
                "so its CUDA/cuDNN versions are unknown",
                f'{short_key(accelerator_key)} = "cpu", or {self.name} {self.cuda_lines_text()}',
            )
        if not release.cuda:
            raise config_error(
                accelerator_key, "cuda", f"{self.title} {release.line} ({pin}) has no CUDA build on PyPI",
                f'{short_key(accelerator_key)} = "cpu", or {self.name} {self.cuda_lines_text()}',
            )
        if platform_key(platform) not in release.cuda_platforms:
            where = ", ".join(release.cuda_platforms)
            raise config_error(
                accelerator_key,
                "cuda",
                f'not available for platform "{platform}" ({self.title} {release.line} CUDA wheels exist only for {where})',
                f"{short_key(platform_name)} = {format_value(list(release.cuda_platforms))}, "
                f'or {short_key(accelerator_key)} = "cpu"',
            )
        if not release.supports_cuda_python(python):
            raise config_error(
                (keys or {}).get("python", "python"),
                python,
                f"{self.title} {release.line} ({pin}) has no CUDA wheels for Python {python_minor(python)}",
                f'{", ".join(release.cuda_pythons)}, or {short_key(accelerator_key)} = "cpu"',
            )
        return release.cuda_majors

    def cuda_lines_text(self) -> str:
        with_cuda = [line for line in self.table.lines if line.cuda]
        return f"{with_cuda[-1].line} … {with_cuda[0].line}" if with_cuda else "(none)"

    def target(
        self,
        release: ReleaseLine | None,
        version: str,
        platform: Platform,
        cuda_major: str | None,
        *,
        index: str | None = None,
        keys: Mapping[str, str] | None = None,
    ) -> FrameworkTarget:
        """What the target installs of this framework: the CPU build (``cuda_major`` None) or the
        GPU build for ``cuda_major`` (checked by :meth:`cuda_majors` first). ``index`` replaces the
        table's index of the build, where it has one."""
        raise NotImplementedError

    def range_distribution(self, accelerator: str, platform: Platform) -> str:
        """The distribution whose releases a range of this framework is resolved against."""
        return self.module

    def held(self, target: FrameworkTarget) -> tuple[str, ...]:
        """Constraints holding every distribution of the framework at the pin, whoever asks for it."""
        return tuple(f"{name}=={target.pinned}" for name in sorted(self.distributions))

    def gpu_facts(self, release: ReleaseLine | None, cuda_major: str | None) -> dict[str, Any]:
        if release is None or cuda_major is None:
            return {"cuda_major": None, "cuda": None, "cudnn": None}
        return {"cuda_major": cuda_major, "cuda": release.cuda.get(cuda_major), "cudnn": release.cudnn.get(cuda_major)}


__all__ = ["ACCELERATORS", "SUPPORTED_PLATFORMS", "Framework", "FrameworkTarget", "platform_key"]
