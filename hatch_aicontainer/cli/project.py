"""``aicontainer check | lock | matrix``: the commands on a project's settings (no build).

``check`` and ``lock`` read the project as ``hatch build -t TARGET`` does: the settings are the
ones the target's own builder makes. Each command imports what it uses when it runs.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from hatch_aicontainer.cli.common import UsageError, err
from hatch_aicontainer.core.errors import AIContainerError, ConfigError

__all__ = ["add_commands", "cmd_check", "cmd_lock", "cmd_matrix"]


def _builder_class(target: str) -> Any:
    """The registered builder of ``--target``; a UsageError naming the registered targets otherwise."""
    import difflib

    from hatch_aicontainer.plugin.hooks import builders_by_target

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

    from hatch_aicontainer.plugin.project import project_info

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
    from hatch_aicontainer.build.deps.lock import lock_path
    from hatch_aicontainer.build.entrypoint import describe_default
    from hatch_aicontainer.config.naming import archive_name, render_tags
    from hatch_aicontainer.outputs import load_tags, push_references

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
        "base_image": str(settings.base_image),
        "base_image_from": settings.key("base-image"),
        "entrypoint": list(settings.entrypoint) if settings.entrypoint is not None else None,
        "default_entrypoint": None if settings.entrypoint is not None else describe_default(project),
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
        err(f"warning: {warning}")
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    rows = [
        ("project", f"{project.name} {project.version} (target {args.target})"),
        ("python", settings.python),
        ("tensorflow", settings.tensorflow),
        ("accelerator", settings.accelerator + (f" (CUDA {first.cuda}, cuDNN {first.cudnn})" if first.cuda else "")),
        ("base image", str(settings.base_image) + ("" if settings.key("base-image").startswith("tool.") else f" (from {settings.key('base-image')})")),
        ("platforms", ", ".join(str(p) for p in settings.platforms)),
        ("entrypoint", json.dumps(report["entrypoint"]) if report["entrypoint"] is not None else f"(default) {report['default_entrypoint']}"),
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
    from hatch_aicontainer.build.deps.lock import lock_inputs, lock_path, read_lock, resolve_lock
    from hatch_aicontainer.build.deps.uv import Uv

    _, project, settings = _load_project(args.project, args.target)
    uv = Uv.of(settings.environment)
    for target in settings.targets:
        inputs = lock_inputs(settings, project, target)
        path = lock_path(project.root, target.platform, settings.accelerator, settings.python)
        err(f"[{target.platform}] resolving {path.name}" + (" again" if args.refresh else ""))
        if args.refresh:
            # resolve beside it, replace it only when the resolution worked
            scratch = path.with_name(f".{path.name}.refresh")
            scratch.unlink(missing_ok=True)
            try:
                resolve_lock(inputs, scratch, uv, pin_key=settings.key("tensorflow"))
                os.replace(scratch, path)
            finally:
                scratch.unlink(missing_ok=True)
            lock = read_lock(path, reused=False)
        else:
            lock = resolve_lock(inputs, path, uv, pin_key=settings.key("tensorflow"))
        state = "unchanged" if lock.reused else "written"
        print(f"{path} ({state}, {len(lock.packages)} packages, {lock.sha256})")
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    from hatch_aicontainer.config.compat import data_info, supported_table

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


def add_commands(sub: Any) -> None:
    """Register ``check``, ``lock`` and ``matrix`` on ``sub`` (argparse's subparsers)."""

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
