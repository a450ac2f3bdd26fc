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
    from hatch_aicontainer.config.messages import without_credentials
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
        **{pin.framework: pin.version for pin in settings.pins},
        "accelerator": settings.accelerator,
        "platforms": [
            {
                "platform": str(t.platform),
                "requirements": [f.requirement for f in t.frameworks],
                "indexes": {f.framework: without_credentials(f.index) for f in t.frameworks if f.index},
                "cuda": {f.framework: f.cuda for f in t.frameworks if f.cuda},
                "cudnn": {f.framework: f.cudnn for f in t.frameworks if f.cudnn},
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
        *((pin.framework, _pin_text(settings, pin)) for pin in settings.pins),
        ("accelerator", settings.accelerator + (f" (CUDA {first.cuda_major})" if first.cuda_major else "")),
        ("base image", str(settings.base_image) + ("" if settings.key("base-image").startswith("tool.") else f" (from {settings.key('base-image')})")),
        ("platforms", ", ".join(str(p) for p in settings.platforms)),
        ("entrypoint", json.dumps(report["entrypoint"]) if report["entrypoint"] is not None else f"(default) {report['default_entrypoint']}"),
        ("cmd", json.dumps(report["cmd"])),
    ]
    for item in report["platforms"]:
        state = "present" if item["lock_exists"] else "not written yet: aicontainer lock"
        indexes = "".join(f" (from {url})" for url in item["indexes"].values())
        rows.append((f"  {item['platform']}", f"{' '.join(item['requirements'])}{indexes}; lock {item['lock_file']} ({state})"))
        for name, cuda in item["cuda"].items():
            rows.append(("", f"{name}: CUDA {cuda}, cuDNN {item['cudnn'].get(name, '-')} (compatibility data)"))
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
                resolve_lock(inputs, scratch, uv, pin_keys=settings.pin_keys())
                os.replace(scratch, path)
            finally:
                scratch.unlink(missing_ok=True)
            lock = read_lock(path, reused=False)
        else:
            lock = resolve_lock(inputs, path, uv, pin_keys=settings.pin_keys())
        state = "unchanged" if lock.reused else "written"
        print(f"{path} ({state}, {len(lock.packages)} packages, {lock.sha256})")
    return 0


def _pin_text(settings: Any, pin: Any) -> str:
    """``2.16.1``, or ``2.16.2 (from ~=2.16.0)`` for a range the lock step resolved."""
    exact = pin.spec.lstrip("=") == pin.version
    return pin.version if exact else f"{pin.version} (from {pin.spec})"


def _build_text(target: Any) -> str:
    """What a target installs, without the version: ``tensorflow[and-cuda]``, ``torch+cpu``."""
    extra = f"[{target.extra}]" if target.extra else ""
    local = f"+{target.local}" if target.local else ""
    return f"{target.distribution}{extra}{local}"


def matrix_rows(name: str) -> list[dict[str, Any]]:
    """One framework's table as ``aicontainer matrix`` shows it: per line, the Pythons, the GPU
    builds by CUDA major, and what each platform installs (the framework's own rules)."""
    from hatch_aicontainer.config.frameworks import SUPPORTED_PLATFORMS, framework
    from hatch_aicontainer.oci.descriptor import Platform

    pinned = framework(name)
    rows = []
    for line in pinned.table.lines:
        version = line.tested or f"{line.line}.0"
        cpu, gpu = {}, {}
        for platform_name in SUPPORTED_PLATFORMS:
            platform = Platform.parse(platform_name)
            try:
                cpu[platform_name] = _build_text(pinned.target(line, version, platform, None))
            except ConfigError:
                cpu[platform_name] = None
            if platform_name in line.cuda_platforms:
                gpu[platform_name] = {major: _build_text(pinned.target(line, version, platform, major)) for major in line.cuda_majors}
        rows.append({
            name: line.line,
            "tested": line.tested,
            "python": list(line.pythons),
            "cuda": dict(line.cuda),
            "cudnn": dict(line.cudnn),
            "cuda_platforms": list(line.cuda_platforms) if line.cuda else [],
            "cpu_build": cpu,
            "cuda_build": gpu,
            "cpu_index": pinned.target(line, version, Platform.parse("linux/amd64"), None).index,
        })
    return rows


def cmd_matrix(args: argparse.Namespace) -> int:
    from hatch_aicontainer.config.frameworks import FRAMEWORK_NAMES, framework
    from hatch_aicontainer.config.pythons import python_range

    names = [args.framework] if args.framework else list(FRAMEWORK_NAMES)
    if args.json:
        document = {}
        for name in names:
            info = framework(name).table.info
            document[name] = {"source": info.source, "source_date": info.source_date, "lines": matrix_rows(name)}
        print(json.dumps(document, indent=2))
        return 0
    for position, name in enumerate(names):
        pinned = framework(name)
        header = (pinned.title, "tested", "Python", "CUDA", "cuDNN", "CUDA build (platforms)", "CPU build (amd64 / arm64)")
        rows = []
        at_least = ">=" if pinned.cuda_lower_bounds else ""
        for row in matrix_rows(name):
            majors = sorted(row["cuda"], key=int)
            gpu_builds = sorted({b for builds in row["cuda_build"].values() for b in builds.values()})
            rows.append((
                row[name],
                row["tested"] or "-",
                python_range(row["python"]),
                ", ".join(at_least + row["cuda"][m] for m in majors) or "-",
                ", ".join(at_least + row["cudnn"].get(m, "-") for m in majors) or "-",
                f"{', '.join(gpu_builds)} ({', '.join(p.split('/')[1] for p in row['cuda_build'])})" if gpu_builds else "no",
                " / ".join(row["cpu_build"].get(p) or "-" for p in ("linux/amd64", "linux/arm64")),
            ))
        widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
        if position:
            print()
        for row in (header, *rows):
            print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        info = pinned.table.info
        index = next((r["cpu_index"] for r in matrix_rows(name) if r["cpu_index"]), None)
        print(f"source: {info.source} ({info.source_date})" + (f"; CPU builds +cpu from {index}" if index else ""))
    return 0


def add_commands(sub: Any) -> None:
    """Register ``check``, ``lock`` and ``matrix`` on ``sub`` (argparse's subparsers)."""
    from hatch_aicontainer.config.frameworks import FRAMEWORK_NAMES

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

    p = sub.add_parser("matrix", help="the framework / Python / CUDA compatibility tables (TensorFlow, PyTorch, JAX)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--framework", choices=FRAMEWORK_NAMES, help="one framework's table (default: every framework's)")
    p.set_defaults(func=cmd_matrix)
