"""``aicontainer inspect | push | load | cache``: the commands on what a build wrote.

``inspect``, ``push`` and ``load`` work on an archive (or OCI layout) built
earlier; ``push`` and ``load`` update its ``<archive>.json``/``.digest``
(``outputs.results``) with what really happened. ``cache`` administers the
build cache (``cache.admin``). main.py registers these commands with
:func:`add_commands` and reports their errors. Each command
imports what it uses when it runs, so ``aicontainer cache`` does not load the
registry client and ``--help`` stays quick.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hatch_aicontainer.cli.common import EXIT_ERROR, err, process_environment
from hatch_aicontainer.core.errors import AIContainerError, ConfigError
from hatch_aicontainer.core.progress import Progress, human_bytes

__all__ = ["add_commands", "cmd_cache", "cmd_inspect", "cmd_load", "cmd_push"]


def _size(n: int | None) -> str:
    """An image size as the build's summary shows it (``progress.human_bytes``); ``?`` when unknown."""
    return "?" if n is None else human_bytes(n)


def _cuda_details(labels: dict[str, str], env: list[str]) -> dict[str, Any] | None:
    """CUDA/cuDNN of a GPU image and the folders its loader searches (LD_LIBRARY_PATH, in order)."""
    from hatch_aicontainer.config.naming import LABEL_PREFIX

    if LABEL_PREFIX + "cuda" not in labels:
        return None
    values = dict(item.partition("=")[::2] for item in env)
    return {
        "cuda": labels.get(LABEL_PREFIX + "cuda"),
        "cudnn": labels.get(LABEL_PREFIX + "cudnn"),
        "library_dirs": [part for part in values.get("LD_LIBRARY_PATH", "").split(":") if part],
    }


def cmd_inspect(args: argparse.Namespace) -> int:
    """``aicontainer inspect``: the record, then each image's config and layers."""
    from hatch_aicontainer.oci.reader import open_image
    from hatch_aicontainer.outputs.results import image_record

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
    """``aicontainer push``: the archive's own bytes, so the digest is the one recorded."""
    from hatch_aicontainer.outputs.push.publish import PushError, parse_references, push_archive
    from hatch_aicontainer.outputs.results import add_pushed, record_for_archive, write_results

    references = parse_references(args.references)  # all of them, before anything is sent
    record = record_for_archive(args.archive)
    progress = Progress(err, tty=sys.stderr.isatty())  # on stderr, as the log: stdout keeps only the pushed references
    try:
        environment = process_environment()
        pushed = push_archive(
            args.archive, references, access=environment.registry, cache_dir=environment.cache_dir, log=progress.say,
            progress=progress,
        )
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
    """``aicontainer load``: ``docker load`` with the recorded tags and any ``--tag``."""
    from hatch_aicontainer.outputs.load import load_archive
    from hatch_aicontainer.outputs.results import add_loaded, record_for_archive, write_results

    record = record_for_archive(args.archive)
    loaded = load_archive(args.archive, environ=process_environment().variables, tags=[*record["tags"], *args.tag], log=err)
    for tag in loaded.tags:
        print(tag)
    print(loaded.image_id, flush=True)
    add_loaded(record, loaded.engine, loaded.image_id, loaded.tags)
    write_results(args.archive, record)
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    """``aicontainer cache info | clean | prune | verify``."""
    from hatch_aicontainer.cache.admin import cache_info, checked_cache_dir, clean_cache, prune_cache, verify_cache
    from hatch_aicontainer.config.environment import parse_size
    from hatch_aicontainer.config.variables import CACHE_DIR_ENV

    environment = process_environment()
    if args.dir is not None:
        root = checked_cache_dir(args.dir, "--dir")
    else:
        root = checked_cache_dir(environment.cache_dir, CACHE_DIR_ENV if environment.cache_dir_from_env else "the cache folder")
    if args.action == "verify":
        checked = verify_cache(root, report=lambda line: print(line, flush=True))
        print(checked.summary())
        return EXIT_ERROR if checked.bad else 0
    if args.action == "info":
        print(cache_info(root, environment.cache_max_size).summary())
        return 0
    if args.action == "clean":
        result = clean_cache(root)
    else:
        if args.max_size is None:
            raise ConfigError("aicontainer cache prune needs --max-size SIZE (e.g. 20G, 500M)")
        try:
            limit = parse_size(args.max_size)
        except ValueError as exc:
            raise ConfigError(f"--max-size {args.max_size!r}: {exc}") from None
        result = prune_cache(limit, root)
    print(result.summary())
    return EXIT_ERROR if result.busy else 0


def add_commands(sub: Any) -> None:
    """Register ``inspect``, ``push``, ``load`` and ``cache`` on ``sub`` (argparse's subparsers)."""
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
