"""One platform's image, step by step: base image, lock, layers, what was installed, config, manifest.

:func:`build_platform` is called by ``image.build_image`` once per platform. It fetches the base
image and probes its Python (which must be the pinned one), resolves or reuses the lock, writes
the layers (the dependency layer from the cache when its inputs are unchanged, each include
layer while its files are), checks what was installed (the lock, one TensorFlow at the pin,
every requirement met for the image's Python and platform), and writes the config and the
manifest into the store. What it returns is the platform's part of the image value: the
descriptors, the config document, the labels, and what was installed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from hatch_aicontainer import __version__
from hatch_aicontainer.build.base.accounts import ResolvedUser, resolve_user
from hatch_aicontainer.build.base.python import PythonInfo, probe_base
from hatch_aicontainer.build.base.resolve import BaseImage, resolve_base_image
from hatch_aicontainer.build.deps.cuda import loader_environment
from hatch_aicontainer.build.deps.installed import Distribution, InstalledFacts, check_matches_lock, installed_facts
from hatch_aicontainer.build.deps.lock import Lock, lock_inputs, lock_path, resolve_lock
from hatch_aicontainer.build.deps.requirements_check import Root, check_requirements
from hatch_aicontainer.build.deps.uv import Uv
from hatch_aicontainer.build.deps.venv import venv_environment
from hatch_aicontainer.build.entrypoint import Entrypoint, choose_entrypoint
from hatch_aicontainer.build.labels import image_labels, oci_annotations
from hatch_aicontainer.build.layers import bytecode, sbom
from hatch_aicontainer.build.layers.app import app_layer, sbom_layer, workdir_entry
from hatch_aicontainer.build.layers.dependencies import LAYER_FORMAT, dependency_layer, write_layer_shown
from hatch_aicontainer.build.layers.include import include_layers
from hatch_aicontainer.cache.remote import RemoteLayers
from hatch_aicontainer.config.compat import Target
from hatch_aicontainer.config.settings import ProjectInfo, Settings
from hatch_aicontainer.config.settings.probes import marker_env
from hatch_aicontainer.core.errors import BaseImageError
from hatch_aicontainer.core.faults import owner_token, step, temporary_directory
from hatch_aicontainer.core.progress import Progress
from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Layer, Platform
from hatch_aicontainer.oci.image import ConfigChanges, image_config, image_manifest, rfc3339, store_json

Log = Callable[[str], None]


@dataclass(frozen=True)
class PlatformImage:
    """One platform's image as built: what the outputs and the summary read, never the archive."""

    platform: Platform
    target: Target
    base: BaseImage
    python: PythonInfo
    lock: Lock
    manifest: Descriptor
    config: Descriptor
    config_document: Mapping[str, Any]  #: the image config as written (labels, env, history, rootfs)
    layers: tuple[Descriptor, ...]
    dependency_layer_cached: bool
    installed: InstalledFacts  #: what the image's frameworks are, read from the installed metadata
    entrypoint: Entrypoint
    user: ResolvedUser  #: the ids the container runs with (the ``user`` setting resolved against the base)
    labels: Mapping[str, str]  #: the labels the build states (the user's ``labels`` are in the config too)
    sbom: bytes = b""  #: the CycloneDX JSON document in the image (sbom.image_path)
    bytecode: str = ""  #: one line for the summary: who compiled the bytecode, or why there is none
    #: (key, layer, record extras) of each layer a registry cache entry names (``cache.remote``)
    cache_entries: tuple[tuple[str, Layer, dict], ...] = ()
    #: digest -> ``host/repo`` of layers taken from a registry cache and not downloaded (the push mounts them)
    remote_blobs: Mapping[str, str] = field(default_factory=dict)


def build_platform(
    settings: Settings,
    project: ProjectInfo,
    wheel: Path,
    store: BlobStore,
    platform: Platform,
    *,
    mtime: int,
    revision: str | None,
    log: Log,
    progress: Progress,
    remote: RemoteLayers | None = None,
) -> PlatformImage:
    target = settings.target_for(platform)
    environment = settings.environment
    uv = Uv.of(environment)
    log(f"[{platform}] base image {settings.base_image}")
    from_env = settings.key("base-image") if settings.base_image_from_env else None
    with step(f"[{platform}] base image"):
        base = resolve_base_image(
            settings.base_image, platform, store, access=environment.registry, root=project.root, from_env=from_env
        )
        base_facts = probe_base(base, store, unpack_interpreter=environment.bytecode != "off")  # one read of the base
        python = base_facts.python
        user = resolve_user(settings.user, base_facts.accounts, setting=settings.key("user"), base=str(base.spec))
    check_python_pin(settings, python, base)
    workdir = workdir_entry(settings.workdir, user)
    log(f"[{platform}] base Python {python.version} at {python.executable}")

    inputs = lock_inputs(settings, project, target)
    with step(f"[{platform}] lock"):
        path = lock_path(project.root, platform, settings.accelerator, settings.python)
        lock = resolve_lock(inputs, path, uv, pin_keys=settings.pin_keys())
    log(f"[{platform}] lock {lock.path.name} ({'reused' if lock.reused else 'resolved'}, {len(lock.packages)} packages)")
    tensorflow = target.framework("tensorflow")
    if tensorflow is not None and lock.tensorflow is not None and lock.tensorflow.reason:
        log(f"[{platform}] {lock.tensorflow.distribution} {tensorflow.version}, not {tensorflow.distribution}: {lock.tensorflow.reason}")

    layer_options = dict(mtime=mtime, compression=settings.compression, level=settings.compression_level)
    with step(f"[{platform}] bytecode"):
        compiler, bytecode_note = bytecode.image_compiler(base, python, store, environment.bytecode)
    log(f"[{platform}] {bytecode_note}")
    with step(f"[{platform}] layers"), temporary_directory(f"aicontainer-build-{owner_token()}-") as scratch_name:
        scratch = Path(scratch_name)
        deps = dependency_layer(
            lock, inputs, uv, python, compiler, store, scratch, platform, layer_options, progress, remote=remote, say=log
        )
        log(f"[{platform}] dependency layer {deps.layer.descriptor.digest[:19]} ({'cached' if deps.cached else 'built'})")
        app, project_dists = app_layer(workdir, wheel, inputs, uv, python, compiler, store, scratch, layer_options)
        facts = check_installed(settings, target, lock, python, deps.installed, project_dists)
        entrypoint = choose_entrypoint(settings.entrypoint, project, wheel, settings.key("entrypoint"))
        includes = include_layers(
            settings.include, project.root, store, layer_options, workdir=workdir,
            identity={"format": LAYER_FORMAT, "plugin": __version__}, log=log, prefix=f"[{platform}] ",
            write=lambda entries, what: write_layer_shown(entries, store, layer_options, progress.task(f"[{platform}] {what}")),
            remote=remote,
        )

    # Order: include_layers' docstring (large include entries below the project layer).
    ours = [(deps.layer, "dependencies from " + lock.path.name), *includes.stable, (app, "project " + wheel.name)]
    ours += includes.small
    sbom_document = sbom.make_sbom(
        image_name=settings.name, project=project, wheel=wheel, lock=lock, base=base,
        platform=platform, python_version=python.version, mtime=mtime,
    )
    ours.append((sbom_layer(project, sbom_document, workdir, store, layer_options), "SBOM " + sbom.image_path(project)))
    log(f"[{platform}] SBOM {sbom.image_path(project)} ({sbom.component_count(sbom_document)} components)")
    labels = image_labels(project, settings.accelerator, facts, base, lock, mtime=mtime, revision=revision)
    base_env = _env_dict(base.config)
    env = {**venv_environment(base_env), **_home_env(settings, user), **settings.env}
    env.update(loader_environment(deps.cuda, {**base_env, **env}))  # the NVIDIA wheels' folders, after any set before
    config = image_config(
        base.config,
        ConfigChanges(
            env=env,
            entrypoint=entrypoint.command,
            cmd=settings.cmd or None,
            workdir=settings.workdir,
            user=settings.user.text,
            exposed_ports=settings.ports,
            labels={**labels, **settings.labels},
            healthcheck=settings.healthcheck,
        ),
        platform=platform,
        layers=[(layer.diff_id, comment) for layer, comment in ours],
        created=rfc3339(mtime),
    )
    config_descriptor = store_json(store, config, mediatypes.OCI_CONFIG)
    layer_descriptors = (*(layer.descriptor for layer in base.layers), *(layer.descriptor for layer, _ in ours))
    manifest = image_manifest(config_descriptor, layer_descriptors, oci_annotations(labels))
    manifest_descriptor = store_json(store, manifest, mediatypes.OCI_MANIFEST, platform=platform)
    return PlatformImage(
        platform=platform,
        target=target,
        base=base,
        python=python,
        lock=lock,
        manifest=manifest_descriptor,
        config=config_descriptor,
        config_document=config,
        layers=layer_descriptors,
        dependency_layer_cached=deps.cached,
        installed=facts,
        entrypoint=entrypoint,
        user=user,
        labels=labels,
        sbom=sbom_document,
        bytecode=bytecode_note,
        cache_entries=(
            (deps.key, deps.layer, deps.extras()),
            *((key, layer, {}) for key, layer in includes.keys),
        ),
        remote_blobs={
            **({deps.layer.descriptor.digest: deps.remote} if deps.remote else {}),
            **includes.remote,
        },
    )


def check_python_pin(settings: Settings, python: PythonInfo, base: BaseImage) -> None:
    """The base image must provide the pinned Python (minor, and patch when pinned)."""
    pinned = settings.python
    wanted_minor = ".".join(pinned.split(".")[:2])
    exact = pinned.count(".") == 2
    if python.minor != wanted_minor or (exact and python.version.count(".") == 2 and python.version != pinned):
        source = "AICONTAINER_BASE_IMAGE" if settings.base_image_from_env else "base-image"
        raise BaseImageError(
            f'python = "{pinned}" but {source} "{base.spec}" provides Python {python.version} '
            f"({python.executable}); use a base image with Python {pinned} or change the pin"
        )


def check_installed(
    settings: Settings, target: Target, lock: Lock, python: PythonInfo,
    dependencies: tuple[Distribution, ...], project_dists: tuple[Distribution, ...],
) -> InstalledFacts:
    """The installed tree against the lock, the requirements of everything in it for the image's
    Python and platform (the project's own included), and the pin: what the image reports."""
    check_matches_lock(dependencies, {canonicalize_name(p.name): p.version for p in lock.packages}, lock.path.name)
    everything = (*dependencies, *project_dists)
    roots = [Root(f"{d.name} {d.version} (the project)", r) for d in project_dists for r in d.requires]
    roots += [Root(settings.key("dependencies"), r) for r in settings.dependencies]
    for pinned in target.frameworks:
        requirement = pinned.requirement
        if pinned.framework == "tensorflow" and lock.tensorflow is not None:  # the distribution the lock chose
            requirement = requirement.replace(pinned.distribution, lock.tensorflow.distribution, 1)
        roots.append(Root(settings.key(pinned.framework), requirement))
    where = f"for Python {python.version} on {target.platform}"
    check_requirements(everything, roots, marker_env(python.version, target.platform), where)
    return installed_facts(
        everything, python=python.version, pins=target.frameworks, accelerator=settings.accelerator, keys=settings.pin_keys()
    )


def _env_dict(config: Mapping[str, Any]) -> dict[str, str]:
    env = {}
    for item in (config.get("config") or {}).get("Env") or []:
        name, _, value = item.partition("=")
        env[name] = value
    return env


def _home_env(settings: Settings, user: ResolvedUser) -> dict[str, str]:
    """A user the base image does not list has no home: give it the workdir (the runtime sets a
    listed user's ``HOME`` from /etc/passwd)."""
    if user.uid != 0 and not user.listed and "HOME" not in settings.env:
        return {"HOME": settings.workdir}
    return {}
