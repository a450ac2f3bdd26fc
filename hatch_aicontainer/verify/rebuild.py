"""``aicontainer verify --rebuild``: build a release again from its provenance, compare digests.

The provenance names the target, the settings, the source revision, each platform's lock and
base image, and the project's wheel. In the project's checkout (which must be at the recorded
revision), the target is built again the way ``hatch build -t TARGET`` builds it, into a
temporary folder, with no push, load or signing; the rebuilt image's digest must be the
release's. When it is not, the first differing layer is named (from the image's history), with
whichever recorded input differs (settings, base image, lock, wheel, plugin version).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hatch_aicontainer.attest.provenance import Recipe, read_recipe
from hatch_aicontainer.attest.referrers import KIND_ANNOTATION
from hatch_aicontainer.attest.statements import parse_statement
from hatch_aicontainer.config.variables import ARCHIVE_ENV, LOAD_ENV, OCI_LAYOUT_ENV, PUSH_ENV, SIGNING_KEY_ENV
from hatch_aicontainer.core.errors import AIContainerError, one_line
from hatch_aicontainer.oci import mediatypes as mt
from hatch_aicontainer.oci.descriptor import short_digest
from hatch_aicontainer.plugin.project import git_revision
from hatch_aicontainer.signing.bundle import envelope_of
from hatch_aicontainer.signing.dsse import verify_envelope
from hatch_aicontainer.signing.keys import PublicKey
from hatch_aicontainer.verify.check import VerifyError
from hatch_aicontainer.verify.sources import ArchiveSource, ImageSource

__all__ = ["Rebuilt", "read_provenance", "rebuild"]

#: what the rebuild's environment turns off: it writes the archive only
_QUIET_OUTPUTS = {PUSH_ENV: "0", LOAD_ENV: "0", OCI_LAYOUT_ENV: "0", ARCHIVE_ENV: "1", SIGNING_KEY_ENV: "off"}


@dataclass(frozen=True)
class Rebuilt:
    digest: str
    recipe: Recipe


def read_provenance(source: ImageSource, key: PublicKey | None) -> Recipe:
    """The recipe in the image's provenance (its signature checked when ``key`` is given)."""
    referrers, where = source.referrers(source.root.digest)
    for referrer in referrers:
        if referrer.annotations.get(KIND_ANNOTATION) != "provenance":
            continue
        manifest = json.loads(source.read(referrer.digest))
        layer = (manifest.get("layers") or [{}])[0]
        content = source.read(layer["digest"])
        if referrer.artifact_type == mt.SIGSTORE_BUNDLE:
            envelope = envelope_of(json.loads(content))
            payload = verify_envelope(envelope, key) if key is not None else base64.b64decode(envelope["payload"])
        elif key is not None:
            raise VerifyError(f"{source.name}: the provenance {short_digest(referrer.digest)} is not signed")
        else:
            payload = content
        statement = parse_statement(payload, f"the provenance of {source.name}")
        if source.root.digest not in statement.digests():
            raise VerifyError(f"the provenance {short_digest(referrer.digest)} is not about {short_digest(source.root.digest)}")
        return read_recipe(statement)
    raise VerifyError(f"{source.name}: no provenance of {short_digest(source.root.digest)} was found ({where})")


def rebuild(
    source: ImageSource,
    project: Path,
    *,
    environ: Mapping[str, str],
    key: PublicKey | None = None,
    say: Callable[[str], None],
) -> Rebuilt:
    """Build ``project`` again as the provenance says, in the process environment ``environ`` (its
    outputs turned off); VerifyError naming the first difference."""
    recipe = read_provenance(source, key)
    here = git_revision(project)
    if recipe.revision and here != recipe.revision:
        raise VerifyError(
            f"the release was built from commit {recipe.revision[:12]} but {project} is at "
            f"{here[:12] if here else 'no git commit'}: check that commit out first"
        )
    target = str(recipe.settings.get("target") or "container")
    say(f"rebuilding {recipe.project} {recipe.version} (target {target}) in {project}")
    with tempfile.TemporaryDirectory(prefix="aicontainer-rebuild-") as scratch:
        archive = _build(project, target, Path(scratch), environ)
        rebuilt = ArchiveSource(archive)
        try:
            if rebuilt.root.digest == source.root.digest:
                say(f"rebuilt {short_digest(rebuilt.root.digest)}: the same digest as {source.name}")
                return Rebuilt(rebuilt.root.digest, recipe)
            theirs = read_provenance(rebuilt, None)
            raise VerifyError(
                f"the rebuild differs: {short_digest(rebuilt.root.digest)} (rebuilt) vs {short_digest(source.root.digest)} "
                f"(release); {_first_difference(source, rebuilt)}{_input_differences(recipe, theirs)}"
            )
        finally:
            rebuilt.close()


def _build(project: Path, target: str, directory: Path, environ: Mapping[str, str]) -> Path:
    """``hatch build -t TARGET`` of ``project`` into ``directory`` (hatchling of this interpreter); the archive."""
    env = {**environ, **_QUIET_OUTPUTS}
    command = [sys.executable, "-m", "hatchling", "build", "-t", target, "-d", str(directory)]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        reason = next((line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else "no output")
        raise AIContainerError(f"the rebuild of {project} failed: {one_line(reason)}")
    archives = sorted(directory.glob("*.oci.tar"))
    if len(archives) != 1:
        raise AIContainerError(f"the rebuild of {project} wrote {len(archives)} archives, not one")
    return archives[0]


def _first_difference(release: ImageSource, rebuilt: ImageSource) -> str:
    """The first layer (or the config) of the first platform that differs, named from the image's history."""
    theirs = dict(rebuilt.manifests())
    for platform, descriptor in release.manifests():
        other = theirs.get(platform)
        if other is None:
            return f"the rebuild has no {platform} image"
        if other.digest == descriptor.digest:
            continue
        ours_layers = _layers(release.manifest(descriptor.digest))
        new_manifest = rebuilt.manifest(other.digest)
        new_layers = _layers(new_manifest)
        history = _layer_history(json.loads(rebuilt.read(new_manifest["config"]["digest"])))
        for i, (old, new) in enumerate(zip(ours_layers, new_layers)):
            if old != new:
                what = history[i] if i < len(history) else "a layer"
                return f"first differing layer: {platform} layer {i + 1} of {len(new_layers)} ({what}): {short_digest(new)} vs {short_digest(old)}"
        if len(ours_layers) != len(new_layers):
            return f"{platform}: {len(new_layers)} layers rebuilt, {len(ours_layers)} released"
        return f"{platform}: the layers are the same; the image config differs"
    return "the platform manifests are the same; the index differs"


def _layers(manifest: Mapping[str, Any]) -> list[str]:
    return [layer["digest"] for layer in manifest.get("layers") or []]


def _layer_history(config: Mapping[str, Any]) -> list[str]:
    return [str(h.get("comment") or h.get("created_by") or "a layer") for h in config.get("history") or [] if not h.get("empty_layer")]


def _input_differences(recipe: Recipe, theirs: Recipe) -> str:
    notes: list[str] = []
    keys: Sequence[str] = sorted(set(recipe.settings) | set(theirs.settings))
    changed = [k for k in keys if recipe.settings.get(k) != theirs.settings.get(k)]
    if changed:
        notes.append(f"settings differ: {', '.join(changed)}")
    if recipe.base_images != theirs.base_images:
        notes.append("the base image resolves to another digest")
    if recipe.locks != theirs.locks:
        notes.append("the lock file differs")
    if recipe.project_wheel != theirs.project_wheel:
        notes.append("the project's wheel differs")
    if recipe.plugin_version != theirs.plugin_version:
        notes.append(f"hatch-aicontainer {theirs.plugin_version} rebuilt a release of {recipe.plugin_version}")
    return ("; " + "; ".join(notes)) if notes else ""


