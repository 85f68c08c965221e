"""HTTP transports (the standard library by default, httpx when installed).

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from .errors import TransportError

REDACTED = "<redacted>"


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    """A header's value by case-insensitive name (the first, if sent twice)."""
    wanted = name.lower()
    return next((v for k, v in headers if k.lower() == wanted), None)


@dataclass(frozen=True)
class HttpRequest:
    """A request exactly as it goes on the wire. Its repr hides credentials and signatures."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    secret_headers: frozenset[str] = field(default=frozenset(), repr=False)
    secret_params: frozenset[str] = field(default=frozenset(), repr=False)

    def header(self, name: str) -> str | None:
        return _header(self.headers, name)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> str:
        return urlsplit(self.url).query

    def redacted_url(self) -> str:
        return _redact_url(self.url, self.secret_params)

    def __repr__(self) -> str:
        secret = {h.lower() for h in self.secret_headers}
        shown = tuple((k, REDACTED if k.lower() in secret else v) for k, v in self.headers)
        url = self.redacted_url()
        return f"HttpRequest(method={self.method!r}, url={url!r}, headers={shown!r}, body={self.body!r})"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return _header(self.headers, name)

    @property
    def retry_after(self) -> float | None:
        """Retry-After in seconds, when the answer gives a usable number of them."""
        try:
            seconds = float(self.header("Retry-After") or "")
        except ValueError:
            return None
        return seconds if 0 <= seconds < float("inf") else None


def _redact_url(url: str, secret_params: frozenset[str] | set[str]) -> str:
    parts = urlsplit(url)
    if not parts.query or not secret_params:
        return url
    pairs = []
    for pair in parts.query.split("&"):
        name = pair.split("=", 1)[0]
        pairs.append(f"{name}={REDACTED}" if name in secret_params else pair)
    return parts._replace(query="&".join(pairs)).geturl()


class Transport(Protocol):
    def send(self, request: HttpRequest) -> HttpResponse: ...


class UrllibTransport:
    """The default transport: the standard library, with a timeout."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"UrllibTransport(timeout={self.timeout!r})"

    def send(self, request: HttpRequest) -> HttpResponse:
        # Imported on first use: urllib.request brings http.client, email and ssl (tens of ms),
        # which importing the package, or sending through another transport, should not cost.
        import http.client
        import urllib.error
        import urllib.request

        data = request.body if request.body or request.method in ("POST", "PUT") else None
        req = urllib.request.Request(
            request.url, data=data, method=request.method, headers=dict(request.headers)
        )
        where = f"{request.method} {request.redacted_url()}"
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return HttpResponse(resp.status, tuple(resp.headers.items()), resp.read())
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read()
            except (OSError, ValueError, http.client.HTTPException):
                body = b""
            return HttpResponse(exc.code, tuple(exc.headers.items()) if exc.headers else (), body)
        except urllib.error.URLError as exc:
            failure = _failure(where, exc.reason, self.timeout)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            failure = _failure(where, exc, self.timeout)
        raise failure  # outside the handler, so that no chained exception carries the request


def _failure(where: str, reason: object, timeout: float, unsent: bool = False) -> TransportError:
    """A TransportError that says what failed; never the exception's own text, which may hold the URL."""
    import socket
    import ssl

    if isinstance(reason, TimeoutError):
        return TransportError(f"{where}: timed out after {timeout} s", unsent=unsent)
    unsent = unsent or isinstance(reason, (ConnectionRefusedError, socket.gaierror))
    if isinstance(reason, ssl.SSLError):
        return TransportError(
            f"{where}: TLS error: {reason.reason or type(reason).__name__}", unsent=unsent
        )
    if isinstance(reason, OSError) and reason.strerror:
        return TransportError(f"{where}: {type(reason).__name__}: {reason.strerror}", unsent=unsent)
    what = type(reason).__name__ if isinstance(reason, BaseException) else str(reason)
    return TransportError(f"{where}: {what}", unsent=unsent)


def _root_cause(exc: BaseException) -> BaseException:
    seen = {id(exc)}
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        exc = inner
    return exc


class _RedactSecretParams:
    """Hides signed query parameters in httpx's own request log lines ("HTTP Request: GET ...").

    A plain object with filter(): logging accepts one, and the package need not import logging.
    """

    def __init__(self) -> None:
        self.names: set[str] = set()

    def filter(self, record: Any) -> bool:
        if self.names and isinstance(record.args, tuple):
            record.args = tuple(
                a if isinstance(a, (int, float)) else _redact_url(str(a), self.names)
                for a in record.args
            )
        return True


_HTTPX_LOG_FILTER = _RedactSecretParams()


class HttpxTransport:
    """An httpx-based transport (pip install httpx): connection pooling and HTTP/1.1 keep-alive."""

    def __init__(self, timeout: float = 10.0) -> None:
        # Imported by name so that the package type-checks and imports without httpx installed.
        self._httpx: Any = importlib.import_module("httpx")
        self._client: Any = self._httpx.Client(timeout=timeout)
        self.timeout = timeout
        import logging

        logger = logging.getLogger("httpx")
        if _HTTPX_LOG_FILTER not in logger.filters:
            logger.addFilter(_HTTPX_LOG_FILTER)

    def __repr__(self) -> str:
        return f"HttpxTransport(timeout={self.timeout!r})"

    def close(self) -> None:
        self._client.close()

    def send(self, request: HttpRequest) -> HttpResponse:
        httpx = self._httpx
        where = f"{request.method} {request.redacted_url()}"
        _HTTPX_LOG_FILTER.names.update(request.secret_params)
        try:
            resp = self._client.request(
                request.method,
                request.url,
                headers=list(request.headers),
                content=request.body or None,
            )
            return HttpResponse(resp.status_code, tuple(resp.headers.items()), resp.content)
        except httpx.TimeoutException:
            failure = TransportError(f"{where}: timed out after {self.timeout} s")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # unsent when refused, as for urllib
            failure = _failure(where, _root_cause(exc), self.timeout)
        raise failure  # outside the handler: httpx's exceptions hold the request, key and signature
