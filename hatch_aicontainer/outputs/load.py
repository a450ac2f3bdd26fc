"""Load an image archive into a Docker engine (the ``docker`` SDK), and tag it.

The engine is the one the Docker CLI would use: ``DOCKER_HOST`` (and
``DOCKER_TLS_VERIFY``/``DOCKER_CERT_PATH``), else the current Docker context,
else ``unix:///var/run/docker.sock``. ``docker load`` reads our ``.oci.tar``
through its Docker ``manifest.json`` (every engine version; for a
multi-platform archive that is the first platform's image), which names the
image with the build's tags; more tags are added afterwards.

Every failure is an :class:`~hatch_aicontainer.core.errors.OutputError` with one
line naming the step and the engine, e.g. ``Docker engine at
unix:///x.sock is not reachable (connection refused)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hatch_aicontainer.core.errors import OutputError, one_line
from hatch_aicontainer.oci.reader import open_image
from hatch_aicontainer.registry.reference import ImageReference
from hatch_aicontainer.registry.transport import describe_exception

DEFAULT_HOST = "unix:///var/run/docker.sock"
_LOADED = re.compile(r"^Loaded image(?: ID)?: (\S+)\s*$")
#: what the Docker SDK's texts say about an engine address, beyond the network failures of any request
_ENGINE_WORDS = (("Not supported URL scheme", "unsupported address"), ("Invalid bind address", "invalid address"))

Log = Callable[[str], None]

__all__ = ["DEFAULT_HOST", "Loaded", "engine_host", "load_archive"]


@dataclass(frozen=True)
class Loaded:
    """What ``load_archive`` did."""

    engine: str  #: the engine's address (``unix:///var/run/docker.sock``)
    image_id: str  #: the engine's image ID (``sha256:…``, the config digest)
    tags: tuple[str, ...]  #: ``name:tag`` now pointing at it


def engine_host(environ: Mapping[str, str]) -> str:
    """The address the Docker client will use (``DOCKER_HOST`` of ``environ``, else the current
    Docker context, else the default socket), for messages."""
    host = environ.get("DOCKER_HOST")
    if host:
        return host
    try:
        from docker.context import ContextAPI

        context = ContextAPI.get_current_context()
        endpoint = (context.endpoints or {}).get("docker", {}) if context is not None else {}
        if endpoint.get("Host"):
            return str(endpoint["Host"])
    except Exception:  # noqa: BLE001 - a broken context only changes the message
        pass
    return DEFAULT_HOST


def _client(environ: Mapping[str, str], host: str, timeout: int) -> Any:
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:  # pragma: no cover - a declared dependency
        raise OutputError("loading into Docker needs the 'docker' package (pip install docker)") from None
    try:
        client = docker.from_env(environment=dict(environ), timeout=timeout)
        client.ping()
    except DockerException as exc:
        raise OutputError(f"Docker engine at {host} is not reachable ({_describe(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - requests/urllib3 errors from ping
        raise OutputError(f"Docker engine at {host} is not reachable ({_describe(exc)})") from None
    return client


def load_archive(
    archive: str | Path,
    *,
    environ: Mapping[str, str],
    tags: Sequence[str] = (),
    log: Log | None = None,
    timeout: int = 900,
) -> Loaded:
    """``docker load`` the archive into the engine ``environ`` names (``DOCKER_HOST``; the entry point's
    environment), then tag it with ``tags`` (``name:tag``; ``name`` alone means ``:latest``)."""
    archive = Path(archive)
    host = engine_host(environ)
    wanted = [_normalise_tag(tag) for tag in tags]
    if not archive.is_file():
        raise OutputError(f"cannot load {archive} into Docker engine at {host}: no such file")
    # The engine trusts what manifest.json names: read the archive with our own
    # checks first (no links, no paths out of it, documents matching their digests).
    with open_image(archive):
        pass
    client = _client(environ, host, timeout)
    try:
        loaded_names = _load(client, archive, host)
        if not loaded_names:
            raise OutputError(f"load of {archive.name} into Docker engine at {host} reported no image")
        image_id = _inspect_id(client, loaded_names[0], host)
        for tag in wanted:
            repository, _, name_tag = tag.rpartition(":")
            try:
                client.api.tag(image_id, repository, name_tag, force=True)
            except Exception as exc:  # noqa: BLE001 - docker.errors.APIError and transport errors
                raise OutputError(f"tagging {tag} in Docker engine at {host} failed ({_describe(exc)})") from None
        names = [n for n in loaded_names if not n.startswith("sha256:")]
        all_tags = tuple(dict.fromkeys([*names, *wanted]))
    finally:
        client.close()
    if log:
        log(f"loaded {', '.join(all_tags) or image_id} into Docker engine at {host}")
    return Loaded(engine=host, image_id=image_id, tags=all_tags)


def _load(client: Any, archive: Path, host: str) -> list[str]:
    names: list[str] = []
    try:
        with open(archive, "rb") as handle:
            for chunk in client.api.load_image(handle, quiet=True):
                if not isinstance(chunk, dict):
                    continue
                if chunk.get("errorDetail") or chunk.get("error"):
                    detail = (chunk.get("errorDetail") or {}).get("message") or chunk.get("error")
                    raise OutputError(f"load of {archive.name} into Docker engine at {host} failed ({one_line(str(detail))})")
                match = _LOADED.match(str(chunk.get("stream", "")).strip())
                if match:
                    names.append(match.group(1))
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot read {archive} ({exc.strerror or exc})") from None
    except Exception as exc:  # noqa: BLE001 - docker.errors.APIError and transport errors
        raise OutputError(f"load of {archive.name} into Docker engine at {host} failed ({_describe(exc)})") from None
    return names


def _inspect_id(client: Any, name: str, host: str) -> str:
    try:
        return str(client.api.inspect_image(name)["Id"])
    except Exception as exc:  # noqa: BLE001
        raise OutputError(f"Docker engine at {host} cannot show the loaded image {name} ({_describe(exc)})") from None


def _normalise_tag(text: str) -> str:
    """``name[:tag]`` as Docker shows it (``docker.io/library/`` dropped); OutputError if it does not parse."""
    try:
        ref = ImageReference.parse(text)
    except ValueError as exc:
        raise OutputError(f"cannot tag the loaded image as {text!r}: not an image name ({exc})") from None
    if ref.digest:
        raise OutputError(f"cannot tag the loaded image as {text!r}: a Docker tag has no digest")
    name = ref.repository if ref.registry == "docker.io" else f"{ref.registry}/{ref.repository}"
    if ref.registry == "docker.io" and name.startswith("library/"):
        name = name[len("library/") :]
    return f"{name}:{ref.tag or 'latest'}"


def _describe(exc: BaseException) -> str:
    """A short reason without the SDK's long wrapping (and never a header value)."""
    explanation = getattr(exc, "explanation", None)
    if explanation:
        return one_line(str(explanation))
    text = str(exc)
    if "No such file or directory" in text or "FileNotFoundError" in text:
        return "no socket at that path"
    if "Permission denied" in text or "PermissionError" in text:
        return "permission denied"
    words = describe_exception(exc, extra=_ENGINE_WORDS)
    if words not in (type(exc).__name__, "DockerException"):
        return words
    return one_line(text)[:200] or type(exc).__name__
