"""TensorFlow: ``tensorflow-cpu`` (Linux x86_64's CPU build) or the plain ``tensorflow`` wheel
(aarch64's CPU build), and ``tensorflow[and-cuda]`` for CUDA images (from 2.14, x86_64 only),
whose CUDA arrives as NVIDIA wheels. Several distributions install the one ``tensorflow``
package; the lock holds them all at the pin (``build/deps/tensorflow_rule.py``)."""

from __future__ import annotations

from collections.abc import Mapping

from hatch_aicontainer.config.frameworks.base import Framework, FrameworkTarget, platform_key
from hatch_aicontainer.config.frameworks.data import ReleaseLine
from hatch_aicontainer.config.messages import config_error, format_value, short_key
from hatch_aicontainer.oci.descriptor import Platform

#: Distributions that provide the ``tensorflow`` module (the one list). A project's own
#: requirement on any of them is replaced by the target's exact pin in the lock (or both
#: would be installed), must admit the pin, and may not appear in ``dependencies``.
TENSORFLOW_DISTRIBUTIONS = frozenset({"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel"})
#: The distribution every requirement on the name ``tensorflow`` is met by.
PLAIN = "tensorflow"
AND_CUDA = "and-cuda"


class TensorFlow(Framework):
    name = "tensorflow"
    title = "TensorFlow"
    file_tag = "tf"
    module = "tensorflow"
    gpu_check = 'import tensorflow as tf; print("tensorflow", tf.config.list_physical_devices("GPU"))'
    distributions = TENSORFLOW_DISTRIBUTIONS

    def first_and_cuda_line(self) -> ReleaseLine | None:
        with_cuda = [line for line in self.table.lines if line.facts.get("and-cuda")]
        return with_cuda[-1] if with_cuda else None

    def cuda_lines_text(self) -> str:
        first = self.first_and_cuda_line()
        return f"{first.line} … {self.table.newest.line}" if first else "(none)"

    def cuda_majors(
        self, release: ReleaseLine | None, version: str, python: str, platform: Platform, keys: Mapping[str, str] | None
    ) -> tuple[str, ...]:
        if release is not None and not release.facts.get("and-cuda"):
            accelerator_key = (keys or {}).get("accelerator", "accelerator")
            first = self.first_and_cuda_line()
            first_line = first.line if first else "?"
            raise config_error(
                accelerator_key,
                "cuda",
                f"needs tensorflow >= {first_line} (tensorflow[{AND_CUDA}] first shipped in {first_line}); "
                f"got {short_key(self.key(keys))} = {format_value(version)}",
                f'{short_key(accelerator_key)} = "cpu", or tensorflow {self.cuda_lines_text()}',
            )
        return super().cuda_majors(release, version, python, platform, keys)

    def cpu_distribution(self, release: ReleaseLine | None, platform: Platform, keys: Mapping[str, str] | None) -> str:
        """The CPU build's distribution on ``platform`` (a line newer than the table: the newest line's)."""
        row = (release or self.table.newest).facts.get("cpu-package", {})
        distribution = row.get(platform_key(platform))
        if distribution is None:
            raise config_error(
                (keys or {}).get("platform", "platforms"),
                str(platform),
                f"TensorFlow {(release or self.table.newest).line} has no CPU wheel for this platform",
                ", ".join(sorted(row)),
            )
        return str(distribution)

    def range_distribution(self, accelerator: str, platform: Platform) -> str:
        return PLAIN if accelerator == "cuda" else self.cpu_distribution(None, platform, None)

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
        common = {"framework": self.name, "version": version, "known": release is not None, "line": release.line if release else None}
        if cuda_major is None:
            return FrameworkTarget(distribution=self.cpu_distribution(release, platform, keys), **common)
        return FrameworkTarget(distribution=PLAIN, extra=AND_CUDA, **common, **self.gpu_facts(release, cuda_major))


TENSORFLOW = TensorFlow()

__all__ = ["AND_CUDA", "PLAIN", "TENSORFLOW", "TENSORFLOW_DISTRIBUTIONS", "TensorFlow"]
