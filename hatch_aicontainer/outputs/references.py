"""Where a build's image goes: the references it is pushed to and the tags ``docker load`` gives it.

Shared by the build's outputs and ``aicontainer check`` (which shows them
without building). Placeholders are filled from ``naming.settings_values``,
the values the tags are rendered from.
"""

from __future__ import annotations

from collections.abc import Sequence

from hatch_aicontainer.config.naming import render_reference, settings_values
from hatch_aicontainer.config.settings import Settings

__all__ = ["load_tags", "push_references"]


def _has_tag(reference: str) -> bool:
    name = reference.split("@", 1)[0]
    return ":" in name.rpartition("/")[2]


def push_references(settings: Settings, repo_tags: Sequence[str]) -> list[str]:
    """The references to push to: each ``push`` template rendered; one without a tag once per
    configured tag (``repo_tags`` are the build's ``name:tag``); ``latest`` added per repository when asked."""
    outputs = settings.outputs
    tags = list(dict.fromkeys(tag.rpartition(":")[2] for tag in repo_tags))
    values = settings_values(settings, settings.project, settings.targets[0])
    out: list[str] = []
    repositories: list[str] = []
    for template in outputs.push:
        rendered = render_reference(template, values)
        if _has_tag(rendered):
            out.append(rendered)
            repository = rendered.rpartition(":")[0]
        else:
            out += [f"{rendered}:{tag}" for tag in tags]
            repository = rendered
        if repository not in repositories:
            repositories.append(repository)
    if outputs.latest:
        out += [f"{repository}:latest" for repository in repositories]
    return list(dict.fromkeys(out))


def load_tags(settings: Settings, repo_tags: Sequence[str]) -> list[str]:
    """The build's tags, and ``name:latest`` when asked."""
    tags = list(repo_tags)
    if settings.outputs.latest:
        tags.append(f"{settings.name}:latest")
    return list(dict.fromkeys(tags))
