"""Image references (``python:3.11-slim``, ``host:5000/repo@sha256:…``) with Docker's normalisation.

The grammar is the one of the distribution project (``reference.go``)::

    reference      := name [ ":" tag ] [ "@" digest ]
    name           := [domain "/"] path-component ["/" path-component]*
    domain         := host [":" port]
    path-component := [a-z0-9]+ (separator [a-z0-9]+)*      separator := [_.] | "__" | "-"+
    tag            := [\\w][\\w.-]{0,127}

and the normalisation is Docker's: a first component that has no ``.`` or
``:``, is not ``localhost`` and is lowercase is part of the repository, so
``python`` means ``docker.io/library/python`` and ``me/app`` means
``docker.io/me/app``. A reference with neither tag nor digest gets ``latest``
when it names an image to pull (Docker's rule, for base images); a reference
to push to never does (``publish.parse_reference`` asks for ``default_tag=None``
and refuses a reference without a tag: ``latest`` is never implied).
Only sha256 digests are accepted (it is what every registry uses and what the
blob store addresses by).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_LEGACY_HUB = "index.docker.io"
_OFFICIAL_PREFIX = "library/"

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST_RE = re.compile(
    rf"^(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:.]+\])(?::[0-9]+)?$"
)
_PATH_COMPONENT_RE = re.compile(r"^[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*$")
#: A Docker tag: letters, digits, ``_ . -``, at most 128 characters, not starting with ``.`` or ``-``
#: (the one home of the rule: naming and the settings check import it).
TAG_PATTERN = r"[\w][\w.-]{0,127}"
TAG_RE = re.compile(rf"^{TAG_PATTERN}$")
_DIGEST_RE = re.compile(r"^sha256:[a-f0-9]{64}$")
_HEX64_RE = re.compile(r"^[a-f0-9]{64}$")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_NAME_MAX = 255


def split_host_port(host: str) -> tuple[str, str | None]:
    """``"127.0.0.1:5000"`` -> ``("127.0.0.1", "5000")``; ``"[::1]:5000"`` -> ``("::1", "5000")``."""
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return host, None
        rest = host[end + 1 :]
        return host[1:end], (rest[1:] if rest.startswith(":") else None)
    if host.count(":") == 1:
        name, port = host.split(":")
        return name, port
    return host, None


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (optionally with ``:port``) is localhost, 127.0.0.0/8 or ::1."""
    name, _ = split_host_port(host)
    if name.lower() == "localhost" or name.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ImageReference:
    """A normalised image reference.

    ``registry`` is the name as written (``docker.io`` for Docker Hub),
    ``repository`` the full path (``library/python``), ``tag`` and ``digest``
    either may be None (both only when parsed with ``default_tag=None``).
    """

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str, *, default_tag: str | None = "latest") -> ImageReference:
        """Parse and normalise ``text``; ValueError with a short reason if it is not a reference.

        ``default_tag`` is the tag of a reference that names neither tag nor
        digest (None: leave both unset, for the caller to refuse).
        """
        if not isinstance(text, str) or not text:
            raise ValueError("empty reference")
        if text != text.strip() or any(c.isspace() for c in text):
            raise ValueError("contains whitespace")
        if _SCHEME_RE.match(text):
            raise ValueError("a reference has no scheme (write host/repository:tag)")

        name, at, digest = text.partition("@")
        if at:
            if not _DIGEST_RE.match(digest):
                raise ValueError(f"invalid digest {digest!r} (expected sha256:<64 hex digits>)")
        else:
            digest = None

        tag: str | None = None
        colon = name.rfind(":")
        if colon > name.rfind("/"):
            name, tag = name[:colon], name[colon + 1 :]
            if not TAG_RE.match(tag):
                raise ValueError(f"invalid tag {tag!r} (allowed: [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})")
        if not name:
            raise ValueError("missing repository name")

        if _HEX64_RE.match(name):
            raise ValueError("a 64-digit hexadecimal string is an image ID, not a repository name")
        registry, repository = _split_docker_domain(name)
        if not _HOST_RE.match(registry):
            raise ValueError(f"invalid registry host {registry!r}")
        for component in repository.split("/"):
            if not component:
                raise ValueError("empty path component in repository name")
            if not _PATH_COMPONENT_RE.match(component):
                if _PATH_COMPONENT_RE.match(component.lower()):
                    raise ValueError("repository name must be lowercase")
                raise ValueError(f"invalid repository path component {component!r}")
        if len(registry) + 1 + len(repository) > _NAME_MAX:
            raise ValueError(f"repository name longer than {_NAME_MAX} characters")

        if tag is None and digest is None:
            tag = default_tag
        return cls(registry, repository, tag, digest)

    def __str__(self) -> str:
        out = f"{self.registry}/{self.repository}"
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out

    @property
    def api_host(self) -> str:
        """The host:port that serves the registry API (``registry-1.docker.io`` for Docker Hub)."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.registry)

    @property
    def reference(self) -> str:
        """What to ask the registry for: the digest if pinned, else the tag."""
        return self.digest or self.tag or "latest"

    def with_digest(self, digest: str) -> ImageReference:
        return ImageReference(self.registry, self.repository, self.tag, digest)


def _split_docker_domain(name: str) -> tuple[str, str]:
    first, slash, rest = name.partition("/")
    if not slash or (
        not any(c in first for c in ".:") and first != "localhost" and first.lower() == first
    ):
        registry, repository = DOCKER_HUB, name
    else:
        registry, repository = first, rest
    if registry == _LEGACY_HUB:
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in repository:
        repository = _OFFICIAL_PREFIX + repository
    return registry, repository


def name_problem(text: str) -> str | None:
    """Why ``text`` is not an image name (``[registry/]repository``, no tag or digest), or None.

    The same grammar as :class:`ImageReference` (one grammar for every name and reference)."""
    try:
        ref = ImageReference.parse(text, default_tag=None)
    except ValueError as exc:
        return str(exc)
    if ref.tag is not None or ref.digest is not None:
        return "a name has no tag or digest"
    return None


#: The local transports of a base image (``oci:DIR[:REF]``, ``oci-archive:FILE[:REF]``,
#: ``docker-archive:FILE[:REF]``), as skopeo spells them; anything else is a registry reference.
LOCAL_TRANSPORTS = ("oci", "oci-archive", "docker-archive")
REGISTRY_TRANSPORT = "docker"


@dataclass(frozen=True)
class BaseImageSpec:
    """A base image as the user names it: a registry reference (``python:3.11-slim``, an optional
    ``docker://`` prefix as skopeo writes it) or a local image (``oci:``, ``oci-archive:``,
    ``docker-archive:``, a path relative to the project root, an optional ``:REF``)."""

    text: str  #: as written
    transport: str  #: ``docker`` (a registry) or one of :data:`LOCAL_TRANSPORTS`
    location: str  #: the reference (``docker://`` dropped), or ``PATH[:REF]`` of a local image
    reference: ImageReference | None = None  #: a registry reference, parsed (``latest`` when it names no tag)

    @classmethod
    def parse(cls, text: str) -> BaseImageSpec:
        """ValueError with what is wrong (a few words) when ``text`` is no base image spec."""
        if text != text.strip():
            raise ValueError("must not have leading or trailing spaces")
        for transport in LOCAL_TRANSPORTS:
            if text.startswith(transport + ":"):
                location = text[len(transport) + 1 :]
                if not location or location.startswith(":"):
                    raise ValueError(f"{transport}: needs a path")
                return cls(text, transport, location)
        location = text[len("docker://") :] if text.startswith("docker://") else text
        if _SCHEME_RE.match(location):
            raise ValueError("not an image reference (no URL scheme: write registry/repository:tag)")
        try:
            reference = ImageReference.parse(location)
        except ValueError as exc:
            raise ValueError(f"not an image reference ({exc})") from None
        return cls(text, REGISTRY_TRANSPORT, location, reference)

    @property
    def is_local(self) -> bool:
        return self.transport != REGISTRY_TRANSPORT

    def __str__(self) -> str:
        return self.text
