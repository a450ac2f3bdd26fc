"""After a build: the side files, then the configured outputs and the results files pipelines read.

``apply`` runs after ``build_image`` (the ``.oci.tar`` exists, unless
``archive = false``), in this order:

1. the side files: SBOM(s) and Kubernetes manifest (``SideFiles``); then
   ``announce`` is called with them (the build prints its summary there,
   before anything leaves the machine);
2. ``<archive>.json`` and ``<archive>.digest`` (``Results``);
3. ``oci-layout = true``: the OCI layout directory ``<archive without .tar>/``
   (``dist/app-1.0-…-amd64.oci/``), written beside it under a temporary name;
4. ``load = true``: ``docker load`` into the engine ``DOCKER_HOST`` names,
   tagged with the build's tags (and ``latest`` when asked);
5. pushing (``push`` references, ``AICONTAINER_PUSH``/``AICONTAINER_PUSH_TO``):
   every reference from the store the build filled, blobs the registry has
   are not sent again.

The results files are rewritten after each step that succeeds, and after a
failing step that recorded something (a push that reached some references),
so when a step fails they say exactly what happened before it; the failure
itself is raised as the step's one-line error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from hatch_aicontainer.build.image import BuiltImage
from hatch_aicontainer.config.settings import Settings
from hatch_aicontainer.core.faults import step
from hatch_aicontainer.core.progress import Progress
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.reader import open_store_image
from hatch_aicontainer.outputs.references import load_tags, push_references
from hatch_aicontainer.outputs.results import record_of
from hatch_aicontainer.outputs.steps import Layout, Load, Log, Push, Record, Results, SideFiles, SideOutputs

__all__ = ["Outputs", "apply"]

T = TypeVar("T")


@dataclass(frozen=True)
class Outputs:
    """What ``apply`` wrote."""

    record: Record  #: what ``<archive>.json`` holds
    results: Path  #: ``<archive>.json``
    digest_file: Path  #: ``<archive>.digest``
    side: SideOutputs
    layout: Path | None = None


class _Recorder:
    """Runs steps that add to the record; rewrites the results files after each (see the module docstring)."""

    def __init__(self, results: Results, record: Record) -> None:
        self.results = results
        self.record = record
        self.paths = results.run(record)

    def run(self, action: Callable[[Record], T]) -> T:
        before = copy.deepcopy(self.record)
        try:
            done = action(self.record)
        except BaseException:
            if self.record != before:
                self.results.run(self.record)
            raise
        self.results.run(self.record)
        return done


def apply(
    result: BuiltImage,
    settings: Settings,
    store: BlobStore,
    *,
    log: Log | None = None,
    progress: Progress | None = None,
    announce: Callable[[SideOutputs], None] | None = None,
) -> Outputs:
    """Write the side files and apply ``settings.outputs`` to a build's result.

    Raises the failing step's AIContainerError (OutputError, PushError,
    ConfigError; ``EnvironmentFault`` for a refused file) after recording
    what succeeded before it.
    """
    say = log or (lambda _message: None)
    archive = result.archive
    with step("writing the side outputs", archive.parent):
        side = SideFiles(result, settings).run()
    if announce is not None:
        announce(side)
    with step("writing the outputs", archive.parent):
        return _apply_outputs(result, settings, store, side, say, progress)


def _apply_outputs(
    result: BuiltImage,
    settings: Settings,
    store: BlobStore,
    side: SideOutputs,
    say: Log,
    progress: Progress | None,
) -> Outputs:
    archive = result.archive
    outputs = settings.outputs
    recorder = _Recorder(Results(archive), record_of(result))
    layout = None
    if outputs.oci_layout:
        with open_store_image(store.root, result.documents) as image:  # the blobs the build put in the store
            layout = recorder.run(Layout(image, archive, say).run)
    if outputs.load:
        recorder.run(Load(archive, load_tags(settings, result.repo_tags), settings.environment.variables, say).run)
    if outputs.push_enabled:
        references = push_references(settings, result.repo_tags)
        remote = {digest: (result.blob_sizes()[digest], where) for digest, where in result.remote_blobs().items()}
        entries = result.cache_entries if outputs.cache_to else ()
        recorder.run(
            Push(store, result.root, references, settings.environment.registry, say, progress, result.referrers, remote, entries).run
        )
    record = recorder.record
    results, digest_file = recorder.paths
    say(f"results {results.name}, {digest_file.name}")
    return Outputs(record=record, results=results, digest_file=digest_file, side=side, layout=layout)
