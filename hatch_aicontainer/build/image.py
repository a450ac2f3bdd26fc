"""From settings and a built wheel to an image archive: the build, step by step.

``build_image`` is what both the ``container`` builder and the wheel build
hook call. It fetches the base image, checks its Python against the pin,
locks and installs the dependencies for the target, checks what was installed
(one TensorFlow at the pin, every requirement met for the image's Python and
platform: the labels report what the metadata says), writes the layers
(reusing the dependency layer from the cache when its inputs are unchanged,
and each include layer while its files are: ``include_layers``),
the config and manifest (and an index for several platforms), and finally the
``.oci.tar`` — written under a temporary name and renamed when whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from hatch_aicontainer import __version__
from hatch_aicontainer.build.layers import bytecode
from hatch_aicontainer.build.base.resolve import BaseImage, resolve_base_image
from hatch_aicontainer.config.compat import TENSORFLOW_DISTRIBUTIONS, Target
from hatch_aicontainer.build.deps.cuda import loader_environment
from hatch_aicontainer.build.layers.dependencies import LAYER_FORMAT, dependency_layer, write_layer_shown
from hatch_aicontainer.build.entrypoint import Entrypoint, choose_entrypoint
from hatch_aicontainer.core.errors import BaseImageError, ResolveError
from hatch_aicontainer.core.faults import owner_token, step, temporary_directory
from hatch_aicontainer.build.layers.include import include_layers
from hatch_aicontainer.build.deps.installed import (
    Distribution,
    InstalledFacts,
    check_matches_lock,
    installed_facts,
    read_distributions,
)
from hatch_aicontainer.build.deps.installer import install_wheel
from hatch_aicontainer.build.deps.lock import Lock, LockInputs, ensure_lock, lock_inputs, lock_path
from hatch_aicontainer.config.naming import archive_name, image_labels, render_tags
from hatch_aicontainer.oci import mediatypes
from hatch_aicontainer.oci.archive import ArchiveImage, layout_documents, write_oci_archive
from hatch_aicontainer.oci.cache import BlobStore
from hatch_aicontainer.oci.descriptor import Descriptor, Layer, Platform
from hatch_aicontainer.oci.image import ConfigChanges, image_config, image_index, image_manifest, rfc3339, store_json
from hatch_aicontainer.oci.layer import LayerEntry, write_layer
from hatch_aicontainer.core.progress import Progress
from hatch_aicontainer.build.base.python import PythonInfo, probe_python
from hatch_aicontainer.build.deps.requirements_check import Root, check_requirements
from hatch_aicontainer.config.settings import ProjectInfo, Settings
from hatch_aicontainer.config.settings.probes import marker_env
from hatch_aicontainer.build.layers import sbom
from hatch_aicontainer.build.deps.venv import installed_tree_entries, site_packages, venv_environment

Log = Callable[[str], None]


@dataclass(frozen=True)
class PlatformImage:
    platform: Platform
    target: Target
    base: BaseImage
    python: PythonInfo
    lock: Lock
    manifest: Descriptor
    config: Descriptor
    layers: tuple[Descriptor, ...]
    dependency_layer_cached: bool
    installed: InstalledFacts  #: what the image's frameworks are, read from the installed metadata
    entrypoint: Entrypoint
    sbom: bytes = b""  #: the CycloneDX JSON document in the image (sbom.image_path)
    bytecode: str = ""  #: one line for the summary: who compiled the bytecode, or why there is none


@dataclass(frozen=True)
class BuildResult:
    archive: Path
    digest: str
    media_type: str
    repo_tags: tuple[str, ...]
    images: tuple[PlatformImage, ...]
    archived: bool = True  #: False: ``archive`` names the file not written (``archive = false``)
    documents: Mapping[str, bytes] = field(default_factory=dict)  #: the archive's index.json etc. (layout_documents)
    warnings: tuple[str, ...] = ()  #: one-line warnings found while building (shown with the summary)


def build_image(
    settings: Settings,
    project: ProjectInfo,
    wheel: Path,
    output_dir: Path,
    store: BlobStore,
    *,
    mtime: int,
    revision: str | None = None,
    log: Log = lambda _message: None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the image for every configured platform and write the archive."""
    progress = progress or Progress.silent()
    images = tuple(
        _build_platform(settings, project, wheel, store, platform, mtime=mtime, revision=revision, log=log, progress=progress)
        for platform in settings.platforms
    )
    first = images[0]
    annotations = image_labels(settings, project, first.target, first.installed, first.base, first.lock, mtime=mtime, revision=revision)
    if len(images) == 1:
        root = first.manifest
    else:
        index = image_index([image.manifest for image in images], _oci_annotations(annotations))
        root = store_json(store, index, mediatypes.OCI_INDEX)
    repo_tags = render_tags(settings, project, first.target)
    archive = output_dir / archive_name(settings, project, [image.target for image in images])
    parts = [ArchiveImage(manifest=i.manifest, config=i.config, layers=i.layers) for i in images]
    ref_name = repo_tags[0].rpartition(":")[2]
    if settings.outputs.archive:
        log(f"writing {archive.name}")
        blob_sizes = {root.digest: root.size} | {d.digest: d.size for i in parts for d in (i.manifest, i.config, *i.layers)}
        with progress.task(f"writing {archive.name}").begin(sum(blob_sizes.values())) as task:
            write_oci_archive(
                archive, store, root=root, images=parts, ref_name=ref_name, repo_tags=repo_tags, mtime=mtime, progress=task
            )
    else:
        log(f"no {archive.name} (as {settings.key('archive')} asks): the push reads the cache")
    return BuildResult(
        archive=archive, digest=root.digest, media_type=root.media_type, repo_tags=repo_tags, images=images,
        archived=settings.outputs.archive, documents=layout_documents(root, parts, ref_name, repo_tags),
        warnings=tuple(dict.fromkeys(i.entrypoint.warning for i in images if i.entrypoint.warning)),
    )


def _build_platform(
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
) -> PlatformImage:
    target = settings.target_for(platform)
    log(f"[{platform}] base image {settings.base_image}")
    from_env = settings.key("base-image") if settings.base_image_from_env else None
    with step(f"[{platform}] base image"):
        base = resolve_base_image(settings.base_image, platform, store, root=project.root, from_env=from_env)
        python = probe_python(base, store, unpack_interpreter=bytecode.mode() != "off")  # one read of the base
    check_python_pin(settings, python, base)
    log(f"[{platform}] base Python {python.version} at {python.executable}")

    inputs = lock_inputs(settings, project, target)
    with step(f"[{platform}] lock"):
        lock = resolve_lock(settings, inputs, target, lock_path(project.root, platform, settings.accelerator, settings.python))
    log(f"[{platform}] lock {lock.path.name} ({'reused' if lock.reused else 'resolved'}, {len(lock.packages)} packages)")
    if lock.tensorflow is not None and lock.tensorflow.reason:
        log(f"[{platform}] {lock.tensorflow.distribution} {target.tensorflow}, not {target.tf_distribution}: {lock.tensorflow.reason}")

    layer_options = dict(mtime=mtime, compression=settings.compression, level=settings.compression_level)
    with step(f"[{platform}] bytecode"):
        compiler, bytecode_note = bytecode.image_compiler(base, python, store)
    log(f"[{platform}] {bytecode_note}")
    with step(f"[{platform}] layers"), temporary_directory(f"aicontainer-build-{owner_token()}-") as scratch_name:
        scratch = Path(scratch_name)
        deps = dependency_layer(lock, inputs, python, compiler, store, scratch, platform, layer_options, progress)
        dependencies, cached, cuda = deps.layer, deps.cached, deps.cuda
        log(f"[{platform}] dependency layer {dependencies.descriptor.digest[:19]} ({'cached' if cached else 'built'})")
        app, project_dists = _app_layer(settings, wheel, inputs, python, compiler, store, scratch, layer_options)
        facts = _check_installed(settings, target, lock, python, deps.installed, project_dists)
        entrypoint = choose_entrypoint(settings.entrypoint, project, wheel, settings.key("entrypoint"))
        includes = include_layers(
            settings.include, project.root, store, layer_options, workdir=workdir_entry(settings),
            identity={"format": LAYER_FORMAT, "plugin": __version__}, log=log, prefix=f"[{platform}] ",
            write=lambda entries, what: write_layer_shown(entries, store, layer_options, progress.task(f"[{platform}] {what}")),
        )

    # Order: include_layers' docstring (large include entries below the project layer).
    ours = [(dependencies, "dependencies from " + lock.path.name), *includes.stable, (app, "project " + wheel.name)]
    ours += includes.small
    sbom_document = sbom.make_sbom(
        image_name=settings.name, project=project, wheel=wheel, lock=lock, base=base,
        platform=platform, python_version=python.version, mtime=mtime,
    )
    ours.append((_sbom_layer(settings, project, sbom_document, store, layer_options), "SBOM " + sbom.image_path(project)))
    log(f"[{platform}] SBOM {sbom.image_path(project)} ({sbom.component_count(sbom_document)} components)")
    labels = image_labels(settings, project, target, facts, base, lock, mtime=mtime, revision=revision)
    base_env = _env_dict(base.config)
    env = {**venv_environment(base_env), **_home_env(settings, base_env), **settings.env}
    env.update(loader_environment(cuda, {**base_env, **env}))  # the NVIDIA wheels' folders, after any set before
    config = image_config(
        base.config,
        ConfigChanges(
            env=env,
            entrypoint=entrypoint.command,
            cmd=settings.cmd or None,
            workdir=settings.workdir,
            user=settings.user,
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
    manifest = image_manifest(config_descriptor, layer_descriptors, _oci_annotations(labels))
    manifest_descriptor = store_json(store, manifest, mediatypes.OCI_MANIFEST, platform=platform)
    return PlatformImage(
        platform=platform,
        target=target,
        base=base,
        python=python,
        lock=lock,
        manifest=manifest_descriptor,
        config=config_descriptor,
        layers=layer_descriptors,
        dependency_layer_cached=cached,
        installed=facts,
        entrypoint=entrypoint,
        sbom=sbom_document,
        bytecode=bytecode_note,
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


def _check_installed(
    settings: Settings, target: Target, lock: Lock, python: PythonInfo,
    dependencies: tuple[Distribution, ...], project_dists: tuple[Distribution, ...],
) -> InstalledFacts:
    """The installed tree against the lock, the requirements of everything in it for the image's
    Python and platform (the project's own included), and the pin: what the image reports."""
    check_matches_lock(dependencies, {canonicalize_name(p.name): p.version for p in lock.packages}, lock.path.name)
    everything = (*dependencies, *project_dists)
    roots = [Root(f"{d.name} {d.version} (the project)", r) for d in project_dists for r in d.requires]
    roots += [Root(settings.key("dependencies"), r) for r in settings.dependencies]
    if lock.tensorflow is not None:
        extra = "[and-cuda]" if settings.accelerator == "cuda" else ""
        roots.append(Root(settings.key("tensorflow"), f"{lock.tensorflow.distribution}{extra}=={target.tensorflow}"))
    where = f"for Python {python.version} on {target.platform}"
    check_requirements(everything, roots, marker_env(python.version, target.platform), where)
    return installed_facts(
        everything, python=python.version, pin=target.tensorflow, accelerator=settings.accelerator, setting=settings.key("tensorflow")
    )


def resolve_lock(settings: Settings, inputs: LockInputs, target: Target, path: Path) -> Lock:
    """ensure_lock, with a missing TensorFlow release reported against the setting
    (the build's lock step, and ``aicontainer lock``'s)."""
    try:
        return ensure_lock(inputs, path)
    except ResolveError as exc:
        for name in sorted(TENSORFLOW_DISTRIBUTIONS):
            pinned = f"{name}=={target.tensorflow}"
            if f"no version of {pinned}" in str(exc) or f"no versions of {pinned}" in str(exc):
                raise ResolveError(
                    f'{settings.key("tensorflow")} = "{target.tensorflow}": {name} {target.tensorflow} '
                    f"has no wheel for Python {inputs.python_version} on {inputs.platform} on the package index"
                ) from None
        if f"tensorflow=={target.tensorflow}" in str(exc) and "depends on" in str(exc):
            # a package that wants another TensorFlow than the pin: say why the resolver could not move it
            raise ResolveError(
                f'{exc} (every TensorFlow requirement is held at {settings.key("tensorflow")} = "{target.tensorflow}": '
                "pin a release of that package made for it, or change the pin)"
            ) from None
        raise


def _app_layer(
    settings: Settings,
    wheel: Path,
    inputs: LockInputs,
    python: PythonInfo,
    compiler: bytecode.Compiler | None,
    store: BlobStore,
    scratch: Path,
    layer_options: dict,
) -> tuple[Layer, tuple[Distribution, ...]]:
    """The project's layer, and its distribution as installed."""
    tree = scratch / "app"
    install_wheel(wheel, inputs, tree)
    installed = read_distributions(tree)
    if compiler is not None:
        bytecode.compile_tree(tree, site_packages(python.minor), compiler, workers=1)
    entries = installed_tree_entries(tree, python.minor) + [workdir_entry(settings)]
    return write_layer(entries, store, **layer_options), installed


def workdir_entry(settings: Settings) -> LayerEntry:
    """The working directory, owned by the image's user so it can write there (HOME)."""
    uid, gid = _numeric_owner(settings.user)
    return LayerEntry(path=settings.workdir.strip("/"), kind="dir", mode=0o755, uid=uid, gid=gid)


def _sbom_layer(settings: Settings, project: ProjectInfo, document: bytes, store: BlobStore, layer_options: dict) -> Layer:
    """The SBOM in a small layer of its own, last: it changes with every input, the others need not."""
    entries = sbom.layer_entries(project, document)
    workdir = workdir_entry(settings)
    if entries[0].path.startswith(workdir.path + "/"):
        entries.append(workdir)  # an implicit parent directory would hand the workdir back to root
    return write_layer(entries, store, **layer_options)


def _env_dict(config: dict) -> dict[str, str]:
    env = {}
    for item in (config.get("config") or {}).get("Env") or []:
        name, _, value = item.partition("=")
        env[name] = value
    return env


def _home_env(settings: Settings, base_env: dict[str, str]) -> dict[str, str]:
    """A numeric user has no passwd entry, hence no home: give it the workdir."""
    uid, _ = _numeric_owner(settings.user)
    if uid != 0 and "HOME" not in settings.env:
        return {"HOME": settings.workdir}
    return {}


def _numeric_owner(user: str) -> tuple[int, int]:
    name, _, group = user.partition(":")
    if name.isdigit():
        uid = int(name)
        return uid, int(group) if group.isdigit() else uid
    return 0, 0


def _oci_annotations(labels: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in labels.items() if key.startswith("org.opencontainers.image.")}

