"""The lock's rule for PyTorch and JAX (pure): each is asked for at its pin and held there.

TensorFlow has a rule of its own (:mod:`.tensorflow_rule`: several distributions install its
module). PyTorch and JAX each have one distribution; the lock asks for the target's build
(``torch==2.10.0+cpu``, ``jax[cuda12]==0.12.0``), a constraint holds every other requirement
on it at that version, and :func:`framework_problem` checks the result (and a reused lock).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name

from hatch_aicontainer.config.messages import without_credentials

if TYPE_CHECKING:
    from hatch_aicontainer.build.deps.lock import LockedPackage


@dataclass(frozen=True)
class FrameworkRequest:
    """A framework other than TensorFlow as its target asks for it: the requirement at the pin,
    the constraints that hold it there, and its own index (None: the user's indexes only)."""

    framework: str  #: "torch"
    requirement: str  #: "torch==2.10.0+cpu", "jax[cuda12]==0.12.0"
    held: tuple[str, ...]  #: "torch==2.10.0+cpu"
    distribution: str  #: "torch"
    pinned: str  #: the version the lock must hold: "2.10.0+cpu"
    index: str | None = field(default=None, repr=False)  #: may hold credentials

    def to_json(self) -> list[Any]:
        return [self.framework, self.requirement, list(self.held), self.index]


def framework_problem(packages: Iterable[LockedPackage], requests: Iterable[FrameworkRequest]) -> str | None:
    """Why the packages do not hold every framework at its pin (None: they do)."""
    for request in requests:
        found = [p.version for p in list(packages) if canonicalize_name(p.name) == canonicalize_name(request.distribution)]
        if found != [request.pinned]:
            got = f"{request.distribution} {', '.join(found)}" if found else f"no {request.distribution}"
            return f"it holds {got}, not {request.distribution} {request.pinned}"
    return None


def name_indexes(packages: Iterable[dict[str, Any]], requests: Iterable[FrameworkRequest]) -> None:
    """Set PEP 751's ``index`` on every locked package whose wheels come from a framework's own index
    (same scheme, host and port; credentials left out), so the lock and the SBOM say where it came
    from. uv names no index in the lock; the user's own indexes are left unnamed, as before."""
    origins = {_origin(r.index): without_credentials(r.index) for r in requests if r.index}
    for package in packages:
        urls = [w.get("url") for w in package.get("wheels", []) if isinstance(w, dict)]
        found = {origins.get(_origin(url)) for url in urls if isinstance(url, str)}
        if len(found) == 1 and None not in found:
            package["index"] = found.pop()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.rpartition("@")[2]


__all__: Sequence[str] = ("FrameworkRequest", "framework_problem", "name_indexes")
