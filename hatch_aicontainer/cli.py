"""``aicontainer``: the command line for release pipelines.

::

    aicontainer check [PROJECT] [--target container] [--json]   validate settings, show the resolved target
    aicontainer lock [PROJECT] [--target container] [--refresh]  write/refresh the pylock files
    aicontainer matrix [--json]                                  TensorFlow ↔ Python ↔ CUDA table
    aicontainer inspect ARCHIVE [--json]                         layers, sizes, config, pins, digests
    aicontainer push ARCHIVE REF [REF …]                         push the archive built earlier (same digest)
    aicontainer load ARCHIVE [--tag NAME:TAG …]                  docker load it (DOCKER_HOST) and tag it

Results go to standard output (``push`` prints ``REF@DIGEST`` per line),
progress to standard error. ``push`` and ``load`` update the archive's
``<archive>.json``/``.digest`` with what really happened. Every error is one
line on standard error (``error: …``) and exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import AIContainerError, ConfigError

EXIT_ERROR = 1
EXIT_USAGE = 2


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _size(n: int | None) -> str:
    if n is None:
        return "?"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover


# -- project loading (check, lock) --------------------------------------------------------------


class UsageError(AIContainerError):
    """A command-line argument is wrong (exit status 2, like argparse's own errors)."""


def _builder_class(target: str) -> Any:
    """The registered builder of ``--target``; a UsageError naming the registered targets otherwise."""
    import difflib

    from .hooks import builders_by_target

    builders = builders_by_target()
    if target in builders:
        return builders[target]
    close = difflib.get_close_matches(target, list(builders), n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise UsageError(f"--target {target!r} is not a hatch-aicontainer build target{hint} (allowed: {', '.join(builders)})")


def _load_project(directory: str, target: str) -> tuple[Any, Any, Any]:
    """(metadata, ProjectInfo, Settings) of the project in ``directory``, as ``hatch build -t TARGET``
    sees them: the settings are those the target's own builder makes (its implied accelerator too)."""
    from hatchling.metadata.core import ProjectMetadata
    from hatchling.plugin.manager import PluginManager

    from .project import project_info

    builder_class = _builder_class(target)  # before the project is read: a usage error first
    root = Path(directory).resolve()
    if not (root / "pyproject.toml").is_file():
        raise ConfigError(f"{root} has no pyproject.toml")
    try:
        plugins = PluginManager()
        metadata = ProjectMetadata(str(root), plugins)
        _ = metadata.core.name, metadata.version
        project = project_info(metadata, root)
        config = builder_class(str(root), plugin_manager=plugins, metadata=metadata).config
    except AIContainerError:
        raise
    except Exception as exc:  # noqa: BLE001 - hatchling reports metadata problems with plain exceptions
        raise ConfigError(f"cannot read the project metadata of {root / 'pyproject.toml'} ({' '.join(str(exc).split())})") from None
    return metadata, project, config.image_settings


def cmd_check(args: argparse.Namespace) -> int:
    from .lock import lock_path
    from .naming import archive_name, render_tags
    from .outputs import load_tags, push_references

    _, project, settings = _load_project(args.project, args.target)
    first = settings.targets[0]
    repo_tags = list(render_tags(settings, project, first))
    outputs = settings.outputs
    locks = {str(t.platform): lock_path(project.root, t.platform, settings.accelerator, settings.python) for t in settings.targets}
    report = {
        "project": project.name,
        "version": project.version,
        "target": args.target,
        "python": settings.python,
        "tensorflow": settings.tensorflow,
        "accelerator": settings.accelerator,
        "platforms": [
            {
                "platform": str(t.platform),
                "requirement": t.tf_requirement,
                "cuda": t.cuda,
                "cudnn": t.cudnn,
                "lock_file": locks[str(t.platform)].name,
                "lock_exists": locks[str(t.platform)].is_file(),
            }
            for t in settings.targets
        ],
        "base_image": settings.base_image,
        "base_image_from": settings.key("base-image"),
        "entrypoint": list(settings.entrypoint),
        "cmd": list(settings.cmd),
        "image": settings.name,
        "tags": repo_tags,
        "archive": archive_name(settings, project, settings.targets),
        "outputs": {
            "push": push_references(settings, repo_tags) if outputs.push_enabled else [],
            "load": load_tags(settings, repo_tags) if outputs.load else [],
            "oci_layout": outputs.oci_layout,
            "latest": outputs.latest,
        },
        "warnings": list(settings.warnings),
    }
    for warning in settings.warnings:  # on standard error with --json too: a pipeline's log shows them
        _err(f"warning: {warning}")
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    rows = [
        ("project", f"{project.name} {project.version} (target {args.target})"),
        ("python", settings.python),
        ("tensorflow", settings.tensorflow),
        ("accelerator", settings.accelerator + (f" (CUDA {first.cuda}, cuDNN {first.cudnn})" if first.cuda else "")),
        ("base image", settings.base_image + ("" if settings.key("base-image").startswith("tool.") else f" (from {settings.key('base-image')})")),
        ("platforms", ", ".join(str(p) for p in settings.platforms)),
        ("entrypoint", json.dumps(report["entrypoint"])),
        ("cmd", json.dumps(report["cmd"])),
    ]
    for item in report["platforms"]:
        state = "present" if item["lock_exists"] else "not written yet: aicontainer lock"
        rows.append((f"  {item['platform']}", f"{item['requirement']}; lock {item['lock_file']} ({state})"))
    rows += [
        ("image", settings.name),
        ("tags", ", ".join(repo_tags)),
        ("archive", report["archive"]),
        ("push", ", ".join(report["outputs"]["push"]) or "no"),
        ("load", ", ".join(report["outputs"]["load"]) or "no"),
        ("oci layout", "yes" if outputs.oci_layout else "no"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    return 0


def cmd_lock(args: argparse.Namespace) -> int:
    from .lock import LockInputs, image_requirements, lock_path, read_lock
    from .pipeline import resolve_lock  # the build's own lock step (names the setting when TF has no wheel)
    from .uv import Indexes

    _, project, settings = _load_project(args.project, args.target)
    for target in settings.targets:
        inputs = LockInputs(
            requirements=image_requirements(project.dependencies, settings.dependencies, target.tf_requirement),
            python_version=settings.python,
            platform=target.platform,
            indexes=Indexes(settings.index_url, settings.extra_index_urls, settings.find_links),
        )
        path = lock_path(project.root, target.platform, settings.accelerator, settings.python)
        _err(f"[{target.platform}] resolving {path.name}" + (" again" if args.refresh else ""))
        if args.refresh:
            # resolve beside it, replace it only when the resolution worked
            scratch = path.with_name(f".{path.name}.refresh")
            scratch.unlink(missing_ok=True)
            try:
                resolve_lock(settings, inputs, target, scratch)
                os.replace(scratch, path)
            finally:
                scratch.unlink(missing_ok=True)
            lock = read_lock(path, reused=False)
        else:
            lock = resolve_lock(settings, inputs, target, path)
        state = "unchanged" if lock.reused else "written"
        print(f"{path} ({state}, {len(lock.packages)} packages, {lock.sha256})")
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    from .compat import data_info, supported_table

    table = supported_table()
    info = data_info()
    if args.json:
        print(
            json.dumps(
                {
                    "source": info.source,
                    "source_date": info.source_date,
                    "lines": [
                        {
                            "tensorflow": r.line,
                            "tested": r.tested,
                            "python": list(r.pythons),
                            "cuda": r.cuda,
                            "cudnn": r.cudnn,
                            "and_cuda": r.and_cuda,
                            "cuda_platforms": list(r.cuda_platforms),
                            "cpu_package": dict(r.cpu_package),
                            "manylinux": r.manylinux,
                        }
                        for r in table
                    ],
                },
                indent=2,
            )
        )
        return 0
    header = ("TensorFlow", "tested", "Python", "CUDA", "cuDNN", "cuda accelerator", "CPU package (amd64 / arm64)")
    rows = [
        (
            r.line,
            r.tested or "-",
            r.python_range,
            r.cuda or "-",
            r.cudnn or "-",
            "yes (tensorflow[and-cuda])" if r.and_cuda else "no",
            " / ".join(r.cpu_package.get(p, "-") for p in ("linux/amd64", "linux/arm64")),
        )
        for r in table
    ]
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    print(f"\nsource: {info.source} ({info.source_date})")
    return 0


def _cuda_details(labels: dict[str, str], env: list[str]) -> dict[str, Any] | None:
    """CUDA/cuDNN of a GPU image and the folders its loader searches (LD_LIBRARY_PATH, in order)."""
    from .naming import LABEL_PREFIX

    if LABEL_PREFIX + "cuda" not in labels:
        return None
    values = dict(item.partition("=")[::2] for item in env)
    return {
        "cuda": labels.get(LABEL_PREFIX + "cuda"),
        "cudnn": labels.get(LABEL_PREFIX + "cudnn"),
        "library_dirs": [part for part in values.get("LD_LIBRARY_PATH", "").split(":") if part],
    }


def cmd_inspect(args: argparse.Namespace) -> int:
    from .oci.reader import open_image
    from .outputs.results import image_record

    with open_image(args.archive) as image:
        record = image_record(image, args.archive)
        details = []
        for item in image.images:
            config = item.config.get("config") or {}
            history = [h for h in item.config.get("history") or [] if not h.get("empty_layer")]
            diff_ids = list((item.config.get("rootfs") or {}).get("diff_ids") or [])
            details.append(
                {
                    "platform": str(item.platform) if item.platform else None,
                    "manifest": item.descriptor.digest,
                    "config": item.config_descriptor.digest,
                    "layers": [
                        {
                            "digest": layer.digest,
                            "size": layer.size,
                            "media_type": layer.media_type,
                            "diff_id": diff_ids[i] if i < len(diff_ids) else None,
                            "comment": (history[i].get("comment") or history[i].get("created_by")) if i < len(history) else None,
                        }
                        for i, layer in enumerate(item.layers)
                    ],
                    "entrypoint": config.get("Entrypoint"),
                    "cmd": config.get("Cmd"),
                    "env": config.get("Env") or [],
                    "workdir": config.get("WorkingDir"),
                    "user": config.get("User"),
                    "exposed_ports": sorted(config.get("ExposedPorts") or {}),
                    "labels": config.get("Labels") or {},
                    "created": item.config.get("created"),
                    "cuda": _cuda_details(config.get("Labels") or {}, config.get("Env") or []),
                }
            )
    if args.json:
        print(json.dumps({**record, "images": details}, indent=2))
        return 0
    print(f"archive     {Path(args.archive).name} ({_size(record['archive_size'])})")
    print(f"digest      {record['digest']}")
    print(f"media type  {record['media_type']}")
    print(f"tags        {', '.join(record['tags']) or '-'}")
    print(f"size        {_size(record['size'])} compressed")
    pinned = {k: v for k, v in record["pinned"].items() if v}
    print(f"pinned      {', '.join(f'{k} {v}' for k, v in pinned.items()) or '- (no hatch-aicontainer labels)'}")
    if record.get("lock_sha256"):
        print(f"lock        {record['lock_sha256']}")
    for item in details:
        print(f"\n[{item['platform'] or 'image'}] manifest {item['manifest']}")
        print(f"  config      {item['config']}")
        print(f"  created     {item['created'] or '-'}")
        print(f"  entrypoint  {json.dumps(item['entrypoint'])}  cmd {json.dumps(item['cmd'])}")
        print(f"  workdir     {item['workdir'] or '-'}  user {item['user'] or '-'}  ports {', '.join(item['exposed_ports']) or '-'}")
        for env in item["env"]:
            print(f"  env         {env}")
        if item["cuda"] is not None:
            cuda = item["cuda"]
            print(f"  cuda        CUDA {cuda['cuda'] or '?'}, cuDNN {cuda['cudnn'] or '?'}")
            folders = cuda["library_dirs"] or ["- (no LD_LIBRARY_PATH: only the libraries' RUNPATH and the ld.so cache)"]
            for number, folder in enumerate(folders, 1):
                print(f"  {'libraries' if number == 1 else '':<10}  {folder}")
        print(f"  layers      {len(item['layers'])}, {_size(sum(layer['size'] for layer in item['layers']))}")
        for number, layer in enumerate(item["layers"], 1):
            comment = f"  {layer['comment']}" if layer["comment"] else ""
            print(f"    {number:>2}. {layer['digest'][:19]}  {_size(layer['size']):>10}{comment}")
        for key, value in sorted(item["labels"].items()):
            print(f"  label       {key}={value}")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from .progress import Progress
    from .publish import PushError, parse_references, push_archive
    from .outputs.results import add_pushed, record_for_archive, write_results

    references = parse_references(args.references)  # all of them, before anything is sent
    record = record_for_archive(args.archive)
    progress = Progress(_err, tty=sys.stderr.isatty())  # on stderr, as the log: stdout keeps only the pushed references
    try:
        pushed = push_archive(args.archive, references, log=progress.say, progress=progress)
    except PushError as exc:
        if exc.pushed:
            for item in exc.pushed:
                print(item.pinned, flush=True)
            add_pushed(record, [p.pinned for p in exc.pushed])
            write_results(args.archive, record)
        raise
    if pushed and pushed[0].digest != record["digest"]:  # pragma: no cover - push_archive pushes the archive's bytes
        raise AIContainerError(f"pushed digest {pushed[0].digest} differs from the archive's {record['digest']}")
    for item in pushed:
        print(item.pinned, flush=True)
    add_pushed(record, [p.pinned for p in pushed])
    write_results(args.archive, record)  # after the report: a read-only directory fails this step alone
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from .engine import load_archive
    from .outputs.results import add_loaded, record_for_archive, write_results

    record = record_for_archive(args.archive)
    loaded = load_archive(args.archive, tags=[*record["tags"], *args.tag], log=_err)
    for tag in loaded.tags:
        print(tag)
    print(loaded.image_id, flush=True)
    add_loaded(record, loaded.engine, loaded.image_id, loaded.tags)
    write_results(args.archive, record)
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from .cache_admin import cache_info, clean_cache, parse_size, prune_cache, verify_cache
    from .errors import ConfigError

    if args.action == "verify":
        checked = verify_cache(args.dir, report=lambda line: print(line, flush=True))
        print(checked.summary())
        return EXIT_ERROR if checked.bad else 0
    if args.action == "info":
        print(cache_info(args.dir).summary())
        return 0
    if args.action == "clean":
        result = clean_cache(args.dir)
    else:
        if args.max_size is None:
            raise ConfigError("aicontainer cache prune needs --max-size SIZE (e.g. 20G, 500M)")
        try:
            limit = parse_size(args.max_size)
        except ValueError as exc:
            raise ConfigError(f"--max-size {args.max_size!r}: {exc}") from None
        result = prune_cache(limit, args.dir)
    print(result.summary())
    return EXIT_ERROR if result.busy else 0


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line like every other error (exit status 2)."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aicontainer", description="Release tools for hatch-aicontainer images (check, lock, matrix, inspect, push, load, cache)."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def project_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("project", nargs="?", default=".", help="project directory (default: .)")
        p.add_argument("--target", default="container", help="build target table to apply (default: container)")

    p = sub.add_parser("check", help="validate the settings and show the resolved target (no build)")
    project_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("lock", help="write or refresh the pylock.aicontainer-*.toml files")
    project_args(p)
    p.add_argument("--refresh", action="store_true", help="resolve again even when the inputs did not change")
    p.set_defaults(func=cmd_lock)

    p = sub.add_parser("matrix", help="the TensorFlow / Python / CUDA compatibility table")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_matrix)

    p = sub.add_parser("inspect", help="show an archive's layers, sizes, config, pinned versions and digests")
    p.add_argument("archive", help="an .oci.tar or OCI layout directory")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("push", help="push an archive built earlier to registry references (the digest does not change)")
    p.add_argument("archive", help="an .oci.tar or OCI layout directory")
    p.add_argument("references", nargs="+", metavar="REF", help="host[:port]/repository[:tag]")
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("load", help="load an archive into the Docker engine (DOCKER_HOST) and tag it")
    p.add_argument("archive", help="an .oci.tar")
    p.add_argument("--tag", action="append", default=[], metavar="NAME:TAG", help="another tag (repeatable)")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser(
        "cache", help="the image cache: info, clean, prune to a size (least recently used first), or verify (hash every blob)"
    )
    p.add_argument("action", choices=["info", "clean", "prune", "verify"])
    p.add_argument("--dir", default=None, help="cache directory (default: AICONTAINER_CACHE_DIR or ~/.cache/hatch-aicontainer)")
    p.add_argument("--max-size", default=None, metavar="SIZE", help="with prune: keep at most this much (20G, 500M)")
    p.set_defaults(func=cmd_cache)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .faults import error_line, exit_status, signals_raise

    try:
        with signals_raise():  # SIGTERM unwinds like Ctrl-C: temporary files go, one line, 143
            return int(args.func(args) or 0)
    except BrokenPipeError:
        return EXIT_ERROR
    except BaseException as exc:  # one line for user errors, faults (OSError) and signals; bugs keep their traceback
        line = error_line(exc, "aicontainer " + args.func.__name__.removeprefix("cmd_"))
        if line is None:
            raise
        _err(f"error: {line}")
        return EXIT_USAGE if isinstance(exc, UsageError) else exit_status(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
