"""The summary printed at the end of a build: text only (what is written is the outputs' job).

``summary_lines`` is the end-of-build report, one fact per line, through
hatch's display (so ``hatch build -q`` silences it with the phase lines)::

    image example_project-0.1.0-py311-tf2.16.1-cpu-amd64.oci.tar (402.1 MB) in 81.3s
    image digest sha256:…
    tags example-project:0.1.0
    [linux/amd64] Python 3.11.2, tensorflow 2.16.1, 38 locked packages (pylock.aicontainer-py311-amd64-cpu.toml)
    [linux/amd64] tensorflow, not tensorflow-cpu: the project requires tensorflow>=2.15,<2.18
    [linux/amd64] bytecode by the base image's Python 3.11.2 (/usr/bin/python3.11)
    [linux/amd64] layer 1/5 base image                                sha256:0123456789ab   29.1 MB
    …
    sbom dist/example_project-0.1.0-py311-tf2.16.1-cpu-amd64.cdx.json (also in the image at /opt/venv/share/sbom/example-project.cdx.json)
    kubernetes dist/example-project.k8s.yaml
    attestations provenance, sbom, signature: signed with key 3f2a9c0e1b7d (check: aicontainer verify IMAGE --key PUB)
    run: docker load -i dist/….oci.tar && docker run --rm example-project:0.1.0
    gpu check (on a host with an NVIDIA GPU, after docker load): docker run --rm --gpus all … -c '…list_physical_devices…'
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from hatch_aicontainer.attest.referrers import KIND_ANNOTATION
from hatch_aicontainer.build.deps.venv import VENV_PYTHON
from hatch_aicontainer.build.image import BuiltImage, PlatformImage
from hatch_aicontainer.build.layers import sbom
from hatch_aicontainer.build.layers.secrets_filter import wheel_secrets
from hatch_aicontainer.config.frameworks import framework
from hatch_aicontainer.config.variables import SIGNING_KEY_ENV
from hatch_aicontainer.core.progress import human_bytes
from hatch_aicontainer.outputs.steps import SideOutputs


def wheel_warnings(wheel: Path) -> list[str]:
    """A one-line warning when hatchling's wheel (installed in the image as built) holds secret-looking files."""
    names = wheel_secrets(wheel)
    if not names:
        return []
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [
        f"warning: the project wheel {wheel.name} holds files that look secret ({shown}); the image installs the wheel "
        "as hatchling built it: exclude them in [tool.hatch.build.targets.wheel] (exclude = [...])"
    ]


def layer_descriptions(image: PlatformImage) -> list[str]:
    """One description per layer of a platform image: from the config's history where it pairs up."""
    base_count = len(image.base.layers)
    history = [h for h in image.config_document.get("history") or [] if not h.get("empty_layer")]
    out = []
    for index in range(len(image.layers)):
        if index < base_count:
            out.append("base image" if base_count == 1 else f"base image ({index + 1} of {base_count})")
        elif len(history) == len(image.layers):
            out.append(str(history[index].get("comment") or "layer"))
        else:
            out.append("layer")
    return out


def summary_lines(
    result: BuiltImage,
    side: SideOutputs | None = None,
    *,
    elapsed: float | None = None,
    cwd: Path | None = None,
) -> list[str]:
    """The end-of-build summary (see the module docstring)."""
    archive = _shown(result.archive, cwd)
    size = result.archive.stat().st_size if result.archive.exists() else 0
    took = f" in {elapsed:.1f}s" if elapsed is not None else ""
    shown = f"{archive} ({human_bytes(size)})" if result.archived else "not archived (archive = false)"
    lines = [f"image {shown}{took}", f"image digest {result.digest}", f"tags {', '.join(result.repo_tags)}"]
    for image in result.images:
        installed = image.installed
        frameworks = "".join(f", {f.distribution} {f.version}" for f in installed.frameworks)
        lines.append(
            f"[{image.platform}] Python {installed.python}{frameworks}, "
            f"{len(image.lock.packages)} locked packages ({image.lock.path.name})"
        )
        tensorflow, asked = installed.framework("tensorflow"), image.target.framework("tensorflow")
        if tensorflow and asked and image.lock.tensorflow is not None and image.lock.tensorflow.reason:
            lines.append(
                f"[{image.platform}] {tensorflow.distribution}, not {asked.distribution}: {image.lock.tensorflow.reason}"
            )
        if image.bytecode:
            lines.append(f"[{image.platform}] {image.bytecode}")
        descriptions = layer_descriptions(image)
        width = max(len(d) for d in descriptions)
        for index, (layer, description) in enumerate(zip(image.layers, descriptions)):
            lines.append(
                f"[{image.platform}] layer {index + 1}/{len(image.layers)} {description:<{width}}  "
                f"{layer.digest[:19]}  {human_bytes(layer.size):>9}"
            )
    if side is not None:
        for path in side.sboms:
            lines.append(f"sbom {_shown(path, cwd)} (also in the image at {sbom.image_path(result.project)})")
        if side.kubernetes is not None:
            lines.append(f"kubernetes {_shown(side.kubernetes, cwd)}")
    if result.referrers:
        lines.append(attestations_line(result))
    if result.archived:
        lines.append(f"run: docker load -i {archive} && {shlex.join(run_command(result))}")
    if any(image.target.accelerator == "cuda" for image in result.images):
        frameworks = [f.framework for f in result.images[0].installed.frameworks]
        lines.append(f"gpu check (on a host with an NVIDIA GPU, after docker load): {gpu_check_command(result.repo_tags[0], frameworks)}")
    return lines


def attestations_line(result: BuiltImage) -> str:
    """What is attached to the image (read from its referrer manifests) and whether it is signed, by which key."""
    kinds = ", ".join(str(r.annotations.get(KIND_ANNOTATION)) for r in result.referrers)
    if result.signed_by is None:
        return f"attestations {kinds}: unsigned (no signing key: set sign.key or {SIGNING_KEY_ENV} to sign)"
    return f"attestations {kinds}: signed with key {result.signed_by[:12]} (check: aicontainer verify IMAGE --key PUB)"


def run_command(result: BuiltImage) -> list[str]:
    """``docker run`` of the built image: a command that works with its entrypoint (entrypoint.py)."""
    return ["docker", "run", "--rm", result.repo_tags[0], *result.images[0].entrypoint.run_args]


def gpu_check_command(tag: str, frameworks: Sequence[str]) -> str:
    """``docker run --gpus all`` with the image's Python printing the GPUs each of its frameworks sees."""
    check = "; ".join(framework(name).gpu_check for name in frameworks)
    return shlex.join(["docker", "run", "--rm", "--gpus", "all", "--entrypoint", VENV_PYTHON, tag, "-c", check])


def _shown(path: Path, cwd: Path | None) -> str:
    if cwd is not None:
        try:
            return str(path.relative_to(cwd))
        except ValueError:
            pass
    return str(path)


__all__: Sequence[str] = ("attestations_line", "gpu_check_command", "layer_descriptions", "run_command", "summary_lines", "wheel_warnings")
