"""One image build, as both entry points run it: ``hatch build -t container`` (builder.py)
and the wheel hook (build_hook.py) hand their wheel to :func:`make_image`.

It prepares the output folder and the cache (probed writable, leftovers of
builds proven dead swept), runs ``build.image.build_image``, then
``outputs.apply`` (side files, the summary printed once they exist, the
configured outputs), then releases the cache (and keeps its size limit).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.builders.utils import get_reproducible_timestamp

from hatch_aicontainer import outputs
from hatch_aicontainer.build.image import BuiltImage, build_image
from hatch_aicontainer.cache.admin import after_build, checked_cache_dir
from hatch_aicontainer.cache.remote import RegistryCache, RemoteLayers
from hatch_aicontainer.config.naming import render_tags
from hatch_aicontainer.config.settings import ProjectInfo, Settings
from hatch_aicontainer.config.variables import CACHE_DIR_ENV
from hatch_aicontainer.core.faults import PROBE_PREFIX, check_temp_folder, check_writable, step, sweep
from hatch_aicontainer.core.progress import Progress
from hatch_aicontainer.oci.cache import TEMP_PREFIX, BlobStore, CacheFolders
from hatch_aicontainer.outputs import SideOutputs
from hatch_aicontainer.outputs.push.publish import parse_references
from hatch_aicontainer.outputs.references import push_references
from hatch_aicontainer.outputs.summary import summary_lines, wheel_warnings
from hatch_aicontainer.plugin.project import git_revision, project_info
from hatch_aicontainer.plugin.signing import signer_for

if TYPE_CHECKING:
    from hatch_aicontainer.signing.keys import PublicKey

__all__ = ["make_image", "registry_layers", "sweep_dead_leftovers"]


def make_image(metadata: Any, root: str, settings: Settings, wheel: Path, directory: Path, app: Any) -> BuiltImage:
    """Build from ``wheel`` into ``directory``, then report the digest and how to run it.

    ``metadata`` is hatchling's ``ProjectMetadata`` and ``app`` its ``Application``
    (the display both entry points print through).
    """
    started = time.monotonic()
    project = project_info(metadata, root)
    environment = settings.environment
    check_temp_folder(environment.variables)
    where = CACHE_DIR_ENV if environment.cache_dir_from_env else "the cache folder"
    store = BlobStore(checked_cache_dir(environment.cache_dir, where))
    with step("creating the output folder", directory):
        directory.mkdir(parents=True, exist_ok=True)
    check_writable(directory, "output folder")
    with step("cache", store.root):
        store.root.mkdir(parents=True, exist_ok=True)
    check_writable(store.root, "cache")
    sweep_dead_leftovers(directory, store.root)
    progress = Progress.for_app(app)
    signer = signer_for(settings)
    remote = registry_layers(settings, project, progress.say, trusted=signer.public_key if signer is not None else None)
    try:
        result = build_image(
            settings,
            project,
            wheel,
            directory,
            store,
            mtime=get_reproducible_timestamp(),
            revision=git_revision(Path(root)),
            log=progress.say,
            progress=progress,
            signer=signer,
            remote=remote,
        )

        def announce(side: SideOutputs) -> None:  # the side files are written; nothing is loaded or pushed yet
            for warning in (*wheel_warnings(wheel), *result.warnings):
                app.display_warning(warning)
            for line in summary_lines(result, side, elapsed=time.monotonic() - started, cwd=Path.cwd()):
                app.display_info(line)

        outputs.apply(result, settings, store, log=progress.say, progress=progress, announce=announce)
    except BaseException:
        store.close()
        raise
    finally:
        if remote is not None:
            remote.cache.close()
    after_build(store, environment.cache_max_size, app.display_info)  # releases the cache, then keeps its size limit
    return result


def registry_layers(
    settings: Settings, project: ProjectInfo, say: Callable[[str], None], *, trusted: PublicKey | None = None
) -> RemoteLayers | None:
    """The registry cache of a build: the ``cache-from`` repositories (by default those the build pushes to);
    None when there are none. With ``archive = false`` and every push on one registry, a layer found there
    is mounted by the push instead of downloaded. With ``trusted`` (the build's signing key), only entries
    signed by that key are taken."""
    outputs = settings.outputs
    pushed = []
    if outputs.push_enabled:
        tags = render_tags(settings, project, settings.targets[0])
        pushed = parse_references(push_references(settings, tags))
    repositories = list(outputs.cache_from) if outputs.cache_from is not None else [f"{r.registry}/{r.repository}" for r in pushed]
    if not repositories:
        return None
    hosts = {r.registry for r in pushed}
    push_only = frozenset(hosts) if not outputs.archive and len(hosts) == 1 else frozenset()
    cache = RegistryCache(list(dict.fromkeys(repositories)), settings.environment.registry, say, trusted=trusted)
    return RemoteLayers(cache, push_only)


def sweep_dead_leftovers(directory: Path, cache: Path) -> None:
    """Remove what builds proven dead (killed, SIGKILL, OOM) left in dist/, the cache and the temp folder."""
    sweep(directory, (".",))
    sweep(Path(tempfile.gettempdir()), ("aicontainer-", PROBE_PREFIX))
    sweep(cache, (PROBE_PREFIX,))
    for folder in CacheFolders(cache).temp_folders():
        sweep(folder, (TEMP_PREFIX,))
