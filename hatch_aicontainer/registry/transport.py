"""HTTP to one registry host: scheme choice, TLS trust, proxies, timeouts and retries.

* TLS is always verified, against ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` /
  ``SSL_CERT_FILE`` when set (:class:`RegistryAccess`, read by the caller). Plain
  HTTP is used only for loopback hosts (127.0.0.0/8, localhost, ::1) and hosts listed
  in ``AICONTAINER_INSECURE_REGISTRIES`` (comma separated ``host[:port]``), as
  Docker allows: HTTPS is tried first and plain HTTP when the TLS handshake
  fails. Proxies come from the usual environment variables; loopback hosts
  are never proxied.
* Connection errors and 5xx answers are retried a few times with a short
  back-off; what still fails is a :class:`RegistryUnreachable` whose message
  says in a few words why (:func:`describe_exception`).
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from hatch_aicontainer import __version__
from hatch_aicontainer.registry.access import RegistryAccess
from hatch_aicontainer.registry.errors import RegistryUnreachable
from hatch_aicontainer.registry.reference import is_loopback_host, split_host_port

log = logging.getLogger(__name__)

#: answers retried like a connection error (the registry is restarting or overloaded)
RETRY_STATUS = frozenset({500, 502, 503, 504})
CONNECT_TIMEOUT = 15.0
READ_TIMEOUT = 300.0
#: the read timeout of a token service (a small JSON answer)
TOKEN_READ_TIMEOUT = 60.0
#: what a failed read of a streamed answer raises
STREAM_ERRORS = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout)

Body = Callable[[], Any]

__all__ = [
    "CONNECT_TIMEOUT",
    "READ_TIMEOUT",
    "RETRY_STATUS",
    "STREAM_ERRORS",
    "TOKEN_READ_TIMEOUT",
    "Transport",
    "describe_exception",
    "no_proxy_for",
]

#: words for a failure found in the text of an exception or its causes, first match wins
_NEEDLES = (
    ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
    ("Connection refused", "connection refused"),
    ("Name or service not known", "host name not resolved"),
    ("Temporary failure in name resolution", "host name not resolved"),
    ("timed out", "timed out"),
    ("WRONG_VERSION_NUMBER", "TLS handshake failed (plain HTTP server?)"),
    ("Connection reset", "connection reset"),
    ("Connection aborted", "connection aborted"),
    ("IncompleteRead", "connection closed mid-transfer"),
)


def no_proxy_for(host: str) -> dict[str, str] | None:
    """``proxies`` that keep ``host`` off any proxy when it is a loopback host (else None: the environment's)."""
    return {"no_proxy": split_host_port(host)[0]} if is_loopback_host(host) else None


def describe_exception(exc: BaseException, extra: Iterable[tuple[str, str]] = ()) -> str:
    """A few words for a network failure: "connection refused", "timed out", "TLS certificate not trusted".

    The exception and its causes are looked at by type, then their texts for
    known phrases (``extra``: more ``(phrase, words)`` pairs, tried last); the
    exception's type name when nothing matches.
    """
    seen: set[int] = set()
    stack: list[Any] = [exc]
    texts: list[str] = []
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ssl.SSLCertVerificationError):
            return f"TLS certificate not trusted: {item.verify_message or 'verify failed'}"
        if isinstance(item, ConnectionRefusedError):
            return "connection refused"
        if isinstance(item, ConnectionResetError):
            return "connection reset"
        if isinstance(item, socket.gaierror):
            return "host name not resolved"
        if isinstance(item, (TimeoutError, socket.timeout, requests.Timeout)):
            return "timed out"
        if isinstance(item, OSError) and item.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "no route to host"
        texts.append(str(item))
        for attr in ("reason", "__cause__", "__context__"):
            stack.append(getattr(item, attr, None))
        stack.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))
    joined = " ".join(texts)
    for needle, words in (*_NEEDLES, *extra):
        if needle in joined:
            return words
    return type(exc).__name__


class Transport:
    """Requests to one registry host (``host[:port]``), retried; the caller adds authorization."""

    def __init__(
        self,
        host: str,
        *,
        access: RegistryAccess,
        insecure: bool | None = None,
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.host = host
        self.access = access
        if insecure is True:
            self.schemes: tuple[str, ...] = ("http",)
        elif insecure is False or not access.allows_plain_http(host):
            self.schemes = ("https",)
        else:
            self.schemes = ("https", "http")
        #: the scheme in use; None until the first answer decides between HTTPS and plain HTTP
        self.scheme: str | None = self.schemes[0] if len(self.schemes) == 1 else None
        self.retries = max(1, retries)
        self.backoff = backoff
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"hatch-aicontainer/{__version__}"
        self.verify = access.ca_bundle
        self.proxies = no_proxy_for(host)

    def close(self) -> None:
        self.session.close()

    def pause(self, attempt: int) -> None:
        """The back-off before attempt ``attempt + 1``."""
        time.sleep(self.backoff * (2**attempt))

    def base(self) -> str:
        return f"{self.scheme or self.schemes[0]}://{self.host}"

    def absolute(self, location: str) -> str:
        """A ``Location`` header (maybe relative) as a URL."""
        return urljoin(self.base() + "/", location)

    def send(
        self,
        method: str,
        path_or_url: str,
        *,
        headers: dict[str, str],
        body: Body | None,
        stream: bool,
        retry: bool,
        authorization: str | None,
    ) -> requests.Response:
        """Send, retrying connection errors and 5xx answers (unless ``retry`` is False).

        ``authorization`` goes only to this host, never to a URL elsewhere;
        ``body`` is called for each attempt (and what it returns closed after).
        """
        attempts = self.retries if retry else 1
        last_exc: BaseException | None = None
        for attempt in range(attempts):
            try:
                resp = self._send_once(method, path_or_url, headers, body, stream, authorization)
            except requests.RequestException as exc:
                last_exc = exc
                if isinstance(exc, requests.exceptions.SSLError):
                    break  # not transient
            else:
                if resp.status_code not in RETRY_STATUS or attempt + 1 == attempts:
                    return resp
                resp.close()
                last_exc = None
            if attempt + 1 < attempts:
                self.pause(attempt)
        if last_exc is None:
            raise AssertionError("unreachable")
        raise RegistryUnreachable(f"cannot reach registry {self.host} ({describe_exception(last_exc)})") from None

    def _send_once(
        self,
        method: str,
        path_or_url: str,
        headers: dict[str, str],
        body: Body | None,
        stream: bool,
        authorization: str | None,
    ) -> requests.Response:
        if self.scheme is None:
            # Loopback or listed insecure host: HTTPS first, plain HTTP if the TLS handshake fails.
            try:
                resp = self._send_scheme("https", method, path_or_url, headers, body, stream, authorization)
                self.scheme = "https"
                return resp
            except requests.ConnectionError as exc:
                log.debug("HTTPS to %s failed (%s); trying plain HTTP", self.host, describe_exception(exc))
            resp = self._send_scheme("http", method, path_or_url, headers, body, stream, authorization)
            self.scheme = "http"
            return resp
        return self._send_scheme(self.scheme, method, path_or_url, headers, body, stream, authorization)

    def _send_scheme(
        self,
        scheme: str,
        method: str,
        path_or_url: str,
        headers: dict[str, str],
        body: Body | None,
        stream: bool,
        authorization: str | None,
    ) -> requests.Response:
        url = path_or_url if "://" in path_or_url else f"{scheme}://{self.host}{path_or_url}"
        all_headers = dict(headers)
        if authorization and urlsplit(url).netloc.lower() == self.host.lower():
            all_headers["Authorization"] = authorization
        data = body() if body is not None else None
        try:
            return self.session.request(
                method,
                url,
                headers=all_headers,
                data=data,
                stream=stream,
                verify=self.verify,
                proxies=self.proxies,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                allow_redirects=True,
            )
        finally:
            if hasattr(data, "close"):
                data.close()
