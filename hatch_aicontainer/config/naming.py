"""Names derived from the settings: template values, image tags and push references,
the archive file name and every file beside it, the SBOM's place in the image, the labels' prefix.

Pure: the build and the settings check both call these functions, so what ``aicontainer
check`` accepts is what the build renders. Only annotations name the settings types (under
TYPE_CHECKING), so the settings loader may import this module.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from hatch_aicontainer.config.frameworks import FRAMEWORK_NAMES, framework
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.registry.reference import TAG_RE

if TYPE_CHECKING:
    from hatch_aicontainer.config.compat import Target
    from hatch_aicontainer.config.settings import ProjectInfo, Settings
    from hatch_aicontainer.oci.descriptor import Platform

LABEL_PREFIX = "io.hatch-aicontainer."
#: The placeholders of tag and push-reference templates.
TAG_FIELDS = ("name", "version", "python", *FRAMEWORK_NAMES, "accelerator", "platform")
ARCHIVE_SUFFIX = ".oci.tar"
#: The directory in the image that holds the SBOM (no leading slash: a layer path).
SBOM_IMAGE_DIR = "opt/venv/share/sbom"
SBOM_SUFFIX = ".cdx.json"


class TagError(ValueError):
    """A tag template that does not render to a valid tag. ``tag`` is the rendered text,
    None when the template itself cannot be filled in (``str(error)`` says why)."""

    def __init__(self, reason: str, tag: str | None = None) -> None:
        super().__init__(reason)
        self.tag = tag


def tag_safe(value: str) -> str:
    """``value`` with every character a tag cannot hold made ``-`` (``1.0+local`` -> ``1.0-local``)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", value)


def template_values(
    name: str,
    version: str,
    python: str,
    frameworks: Mapping[str, str],
    accelerator: str,
    platforms: Sequence[Platform],
) -> dict[str, str]:
    """The placeholder values of tag and reference templates, as they are (the renderers
    make them safe): one per pinned framework (``{torch}``: its version); ``{platform}`` joins
    the architectures: ``amd64-arm64``."""
    return {
        "name": name,
        "version": version,
        "python": python,
        **{name: frameworks[name] for name in FRAMEWORK_NAMES if name in frameworks},
        "accelerator": accelerator,
        "platform": "-".join(p.architecture for p in platforms),
    }


def placeholders(values: Mapping[str, str]) -> str:
    """``{name}, {version}, ...``: the placeholders a template may use with these values."""
    return ", ".join("{" + field + "}" for field in TAG_FIELDS if field in values)


def _filled(template: str, values: Mapping[str, str]) -> str:
    """``{name}`` as it is (it may hold a registry and path), the other values made tag-safe."""
    return template.format(**{k: (v if k == "name" else tag_safe(v)) for k, v in values.items()})


def render_tag(template: str, values: Mapping[str, str]) -> str:
    """The one tag rule: the template filled in (see :func:`_filled`), never cut short, and
    a valid Docker tag; else :class:`TagError`."""
    try:
        tag = _filled(template, values)
    except (KeyError, IndexError, ValueError) as exc:
        raise TagError(str(exc)) from None
    if not TAG_RE.match(tag):
        raise TagError(f"{tag!r} is not a valid image tag", tag)
    return tag


def render_reference(template: str, values: Mapping[str, str]) -> str:
    """A push reference template with its placeholders filled in, as :func:`render_tag` does
    (the caller checks the reference)."""
    return _filled(template, values)


def image_name(settings: Settings, project: ProjectInfo) -> str:
    return settings.name or canonicalize_name(project.name)


def settings_values(settings: Settings, project: ProjectInfo, target: Target) -> dict[str, str]:
    """:func:`template_values` of a build target."""
    return template_values(
        image_name(settings, project), project.version, settings.python,
        {pinned.framework: pinned.version for pinned in target.frameworks}, settings.accelerator, settings.platforms,
    )


def render_tags(settings: Settings, project: ProjectInfo, target: Target) -> tuple[str, ...]:
    """``name:tag`` for every tag template; each rendered tag must be a valid Docker tag."""
    values = settings_values(settings, project, target)
    out = []
    for template in settings.tags:
        try:
            tag = render_tag(template, values)
        except TagError as exc:
            if exc.tag is None:
                raise ConfigError(
                    f"tool.aicontainer.tags: {template!r} is not a valid tag template ({exc}); "
                    f"allowed placeholders: {placeholders(values)}"
                ) from None
            raise ConfigError(
                f"tool.aicontainer.tags: {template!r} renders to {exc.tag!r}, which is not a valid image tag "
                "(letters, digits, '_', '.', '-'; at most 128 characters, not starting with '.' or '-')"
            ) from None
        out.append(f"{values['name']}:{tag}")
    return tuple(dict.fromkeys(out))


def dist_name(project_name: str) -> str:
    """The project name as in wheel and archive file names: ``My.App`` -> ``my_app``."""
    return canonicalize_name(project_name).replace("-", "_")


def archive_prefix(project_name: str) -> str:
    """What every archive of the project starts with: ``my_app-``."""
    return dist_name(project_name) + "-"


def archive_name(settings: Settings, project: ProjectInfo, targets: Sequence[Target]) -> str:
    """``<dist>-<version>-py311-tf2.16.1-cpu-amd64.oci.tar``: every pinned framework in turn
    (``-tf2.16.1-torch2.10.0-jax0.12.0``), ``-amd64-arm64`` for several platforms."""
    arches = "-".join(t.platform.file_tag for t in targets)
    pins = "".join(f"-{framework(pinned.framework).file_tag}{pinned.version}" for pinned in targets[0].frameworks)
    return (
        f"{archive_prefix(project.name)}{project.version}-{targets[0].python_tag}{pins}"
        f"-{settings.accelerator}-{arches}{ARCHIVE_SUFFIX}"
    )


@dataclass(frozen=True)
class ArchiveFiles:
    """The files a build writes beside ``archive`` (whether or not the archive itself is written)."""

    archive: Path

    @property
    def stem(self) -> str:
        """``x-1.0-…-amd64`` of ``x-1.0-…-amd64.oci.tar``."""
        name = self.archive.name
        return name[: -len(ARCHIVE_SUFFIX)] if name.endswith(ARCHIVE_SUFFIX) else self.archive.stem

    @property
    def results(self) -> Path:
        """``<archive>.json``: the build's record."""
        return self.archive.with_name(self.archive.name + ".json")

    @property
    def digest(self) -> Path:
        """``<archive>.digest``: the image digest."""
        return self.archive.with_name(self.archive.name + ".digest")

    @property
    def layout(self) -> Path:
        """The ``oci-layout`` output: ``x.oci.tar`` -> ``x.oci`` (``x.tar`` -> ``x``)."""
        archive = self.archive
        return archive.with_suffix("") if archive.suffix == ".tar" else archive.with_name(archive.name + ".layout")

    @property
    def sbom(self) -> Path:
        """``<stem>.cdx.json``: the SBOM of a one-platform image."""
        return self.archive.with_name(self.stem + SBOM_SUFFIX)

    def platform_sbom(self, platform: Platform) -> Path:
        """``<stem>.<os>-<arch>[-<variant>].cdx.json``: one SBOM of a multi-platform image."""
        suffix = f"{platform.os}-{platform.file_tag}"
        return self.archive.with_name(f"{self.stem}.{suffix}{SBOM_SUFFIX}")

    def all_sibling_globs(self) -> tuple[str, ...]:
        """Glob patterns (in the archive's directory) of every file named after the archive,
        the archive and the layout directory included."""
        return (
            glob.escape(self.archive.name),
            glob.escape(self.results.name),
            glob.escape(self.digest.name),
            glob.escape(self.layout.name),
            glob.escape(self.sbom.name),
            f"{glob.escape(self.stem)}.*{SBOM_SUFFIX}",
        )


def archive_files(archive: Path) -> ArchiveFiles:
    """The names of the files beside ``archive``: ``.results``, ``.digest``, ``.layout``,
    ``.sbom``, ``.platform_sbom(p)``."""
    return ArchiveFiles(Path(archive))


def sbom_image_path(project_name: str) -> str:
    """``/opt/venv/share/sbom/<normalized project name>.cdx.json``: where the SBOM is in the image."""
    return f"/{SBOM_IMAGE_DIR}/{canonicalize_name(project_name)}{SBOM_SUFFIX}"
