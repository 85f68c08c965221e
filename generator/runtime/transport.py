"""HTTP transports: the standard library by default, httpx (sync and asyncio) when installed.

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

import importlib

from ._wire import Record, init_field, slot_setters
from .errors import RedirectError, ResponseError, ResponseTooLargeError, TransportError

TYPE_CHECKING = False  # typing stays unimported at run time (see _wire.py)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, Protocol
    from urllib.parse import SplitResult
else:
    Protocol = object

REDACTED = "<redacted>"
RETRY_AFTER = (
    "Retry-After",
)  # where an answer says how long to wait, unless a venue names its own


def _split_url(url: str) -> SplitResult:
    """urllib.parse.urlsplit, imported when first needed: urllib.parse (and ipaddress, which it
    imports) would cost every import of the package a few milliseconds."""
    from urllib.parse import urlsplit as split

    return split(url)


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    """A header's value by case-insensitive name (the first, if sent twice)."""
    wanted = name.lower()
    return next((v for k, v in headers if k.lower() == wanted), None)


class HttpRequest(Record):
    """A request exactly as it goes on the wire. Its repr hides credentials and signatures."""

    __slots__ = ("method", "url", "headers", "body", "secret_headers", "secret_params")
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    secret_headers: frozenset[str]
    secret_params: frozenset[str]

    def __init__(
        self,
        method: str,
        url: str,
        headers: tuple[tuple[str, str], ...],
        body: bytes,
        secret_headers: frozenset[str] = frozenset(),
        secret_params: frozenset[str] = frozenset(),
    ) -> None:
        _SET_METHOD(self, method)
        _SET_URL(self, url)
        _SET_HEADERS(self, headers)
        _SET_BODY(self, body)
        _SET_SECRET_HEADERS(self, secret_headers)
        _SET_SECRET_PARAMS(self, secret_params)

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name (the first, if sent twice)."""
        return _header(self.headers, name)

    @property
    def path(self) -> str:
        """The URL's path."""
        return _split_url(self.url).path

    @property
    def query(self) -> str:
        """The URL's query string, without '?'."""
        return _split_url(self.url).query

    def redacted_url(self) -> str:
        """The URL with the values of secret query parameters hidden."""
        return _redact_url(self.url, self.secret_params)

    def __repr__(self) -> str:
        secret = {h.lower() for h in self.secret_headers}
        shown = tuple((k, REDACTED if k.lower() in secret else v) for k, v in self.headers)
        url = self.redacted_url()
        return f"HttpRequest(method={self.method!r}, url={url!r}, headers={shown!r}, body={self.body!r})"


# One request is made for every call: its fields are set by their own setters.
_SET_METHOD, _SET_URL, _SET_HEADERS, _SET_BODY, _SET_SECRET_HEADERS, _SET_SECRET_PARAMS = (
    slot_setters(HttpRequest)
)


class HttpResponse(Record):
    """An answer as it came: status, headers in order, and the whole (decoded) body."""

    __slots__ = ("status", "headers", "body")
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def __init__(self, status: int, headers: tuple[tuple[str, str], ...], body: bytes) -> None:
        init_field(self, "status", status)
        init_field(self, "headers", headers)
        init_field(self, "body", body)

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name (the first, if sent twice)."""
        return _header(self.headers, name)

    @property
    def retry_after(self) -> float | None:
        """Retry-After in seconds, when the answer gives a usable number of them."""
        return self.wait_in(RETRY_AFTER)

    def wait_in(self, headers: tuple[str, ...]) -> float | None:
        """Seconds to wait, from the first of headers that gives a usable number of them.

        A venue may name a header of its own (its spec's errors.retry_after).
        """
        for name in headers:
            given = self.header(name)
            if given is None:  # the usual answer: no exception raised for it
                continue
            try:
                seconds = float(given)
            except ValueError:
                continue
            if 0 <= seconds < float("inf"):
                return seconds
        return None


def _redact_url(url: str, secret_params: frozenset[str] | set[str]) -> str:
    parts = _split_url(url)
    if not parts.query or not secret_params:
        return url
    pairs = []
    for pair in parts.query.split("&"):
        name = pair.split("=", 1)[0]
        pairs.append(f"{name}={REDACTED}" if name in secret_params else pair)
    return parts._replace(query="&".join(pairs)).geturl()


# Each transport refuses anything but http and https, never follows a redirect (a 3xx raises
# RedirectError and nothing is sent again: the credentials would go to the target), caps the
# body it reads (max_body bytes, decompressed), and treats timeout as a deadline for the whole
# call: connecting, sending and reading, however slowly the server drips its answer. What does
# not depend on the I/O (the checks, the bounded reading, the wording of failures) is written
# once below; each transport only connects, sends and hands over the bytes as they come.

DEFAULT_MAX_BODY = 4 * 1024 * 1024
_CHUNK = 65536


class Transport(Protocol):
    """What a Client sends requests with: any object with this send method."""

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send request as it is and return the whole answer (TransportError when none comes)."""
        ...


class AsyncTransport(Protocol):
    """What an AsyncClient sends requests with: any object with this async send method."""

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send request as it is and return the whole answer (TransportError when none comes)."""
        ...


def _where(request: HttpRequest) -> str:
    return f"{request.method} {request.redacted_url()}"


def _check_url(request: HttpRequest) -> SplitResult:
    """The parts of an http or https URL; any other scheme is refused before anything is sent."""
    parts = _split_url(request.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"{_where(request)}: only http and https URLs are sent", unsent=True)
    return parts


def refuse_redirect(request: HttpRequest, status: int, headers: Iterable[tuple[str, str]]) -> None:
    """Raise RedirectError for a 3xx answer, from any transport (a caller's own too): never followed."""
    if 300 <= status < 400:
        location = _header(tuple(headers), "Location")
        from urllib.parse import urljoin

        target = _split_url(urljoin(request.url, location)).hostname if location else None
        raise RedirectError(status, target)


class _Reading:
    """One answer being read, whoever does the I/O: a redirect is refused, a body whose announced
    length is over the cap is refused at once, and the bytes fed in are counted (and, for gzip
    or deflate, decompressed), never past max_body."""

    def __init__(
        self,
        request: HttpRequest,
        status: int,
        headers: Iterable[tuple[str, str]],
        max_body: int,
    ) -> None:
        import zlib

        self.status, self.headers, self.max_body = status, tuple(headers), max_body
        refuse_redirect(request, status, self.headers)
        length = _header(self.headers, "Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > max_body:
            raise ResponseTooLargeError(max_body, status)
        coding = (_header(self.headers, "Content-Encoding") or "identity").strip().lower()
        if coding in ("identity", ""):
            self._inflate: Any = None
        elif coding in ("gzip", "x-gzip", "deflate"):
            self._inflate = zlib.decompressobj(47)  # gzip or zlib framing, told apart by header
        else:
            raise ResponseError(f"unsupported content encoding {coding!r}", status)
        self._zlib_error: type[Exception] = zlib.error
        self._size = 0
        self._chunks: list[bytes] = []

    def feed(self, data: bytes) -> None:
        """Take the next bytes of the body as they came off the wire."""
        if self._inflate is not None:
            try:
                data = self._inflate.decompress(data, self.max_body - self._size + 1)
            except self._zlib_error:
                raise ResponseError("the compressed body is corrupt", self.status) from None
        self._size += len(data)
        if self._size > self.max_body:
            raise ResponseTooLargeError(self.max_body, self.status)
        self._chunks.append(data)

    def response(self) -> HttpResponse:
        """The whole answer, once the body has ended."""
        if self._inflate is not None:
            self.feed(b"")
        return HttpResponse(self.status, self.headers, b"".join(self._chunks))


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


class _Bounded:
    """What every transport is given: a deadline for the whole call and a cap on the body read."""

    def __init__(self, timeout: float = 10.0, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        if not timeout > 0 or timeout == float("inf"):
            raise ValueError("timeout must be a positive number of seconds")
        if max_body < 0:
            raise ValueError("max_body must not be negative")
        self.timeout = timeout
        self.max_body = max_body

    def __repr__(self) -> str:
        return f"{type(self).__name__}(timeout={self.timeout!r}, max_body={self.max_body!r})"


class UrllibTransport(_Bounded):
    """The default transport: the standard library (http.client), one connection per call.

    timeout is a deadline for the whole call; max_body caps the body read (bytes). close() and
    `with` are accepted for symmetry with the other transports; there is nothing to release.
    """

    def close(self) -> None:
        """Close the connections this transport keeps open."""
        pass

    def __enter__(self) -> UrllibTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, request: HttpRequest) -> HttpResponse:
        # Imported on first use: http.client brings email and ssl (tens of ms), which importing
        # the package, or sending through another transport, should not cost.
        """Send request and read the whole answer, within the timeout and max_body."""
        import http.client
        import sys
        import threading

        parts = _check_url(request)
        connection_type = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = connection_type(parts.hostname or "", parts.port, timeout=self.timeout)
        expired = threading.Event()
        # The deadline: a watchdog shuts the socket down, however the server drips its bytes.
        watchdog = threading.Timer(self.timeout, _expire, (conn, expired))
        watchdog.daemon = True
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = dict(request.headers)
        defaults = {"User-Agent": f"Python-urllib/{sys.version_info[0]}.{sys.version_info[1]}"}
        if request.body:
            defaults["Content-Type"] = "application/x-www-form-urlencoded"
        for name, value in defaults.items():
            if not any(k.lower() == name.lower() for k in headers):
                headers[name] = value
        headers["Connection"] = "close"
        data = request.body if request.body or request.method in ("POST", "PUT") else None
        watchdog.start()
        try:
            conn.request(request.method, target, body=data, headers=headers)
            resp = conn.getresponse()
            reading = _Reading(request, resp.status, resp.getheaders(), self.max_body)
            while chunk := resp.read1(_CHUNK):
                reading.feed(chunk)
            if resp.length:  # the connection ended before Content-Length said
                raise http.client.IncompleteRead(b"", resp.length)
            return reading.response()
        except (OSError, ValueError, http.client.HTTPException) as exc:
            reason = TimeoutError() if expired.is_set() else exc
            failure = _failure(_where(request), reason, self.timeout)
        finally:
            watchdog.cancel()
            conn.close()
        raise failure  # outside the handler, so that no chained exception carries the request


def _expire(conn: Any, expired: Any) -> None:
    import socket

    expired.set()
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _RedactSecretParams:
    """Hides signed query parameters in httpx's and httpcore's own log lines: httpx's request
    line ("HTTP Request: GET ..."), and httpcore's debug trace, which shows response headers (a
    Location echoing the signed URL, say).

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
        if self.names and isinstance(record.msg, str) and "=" in record.msg:
            import re

            for name in self.names:
                record.msg = re.sub(
                    f"([?&]{re.escape(name)}=)[^&\\s'\"]*", r"\1" + REDACTED, record.msg
                )
        return True


_HTTPX_LOG_FILTER = _RedactSecretParams()
# Filters act only on the logger a record is made on, so each of httpx's and httpcore's.
_HTTPX_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


class _Httpx(_Bounded):
    """What the sync and asyncio httpx transports share: the client they use, the arguments of
    every call, the reading of an answer and the wording of a failure. Only the I/O differs."""

    def __init__(
        self, timeout: float = 10.0, *, client: Any = None, max_body: int = DEFAULT_MAX_BODY
    ) -> None:
        super().__init__(timeout, max_body=max_body)
        self._httpx: Any = _import_httpx(type(self).__name__)
        self._owns_client = client is None
        self._client: Any = self._new_client(timeout) if client is None else client
        # What a call may raise that becomes a TransportError (a timeout included).
        self._errors: tuple[type[Exception], ...] = (
            self._httpx.HTTPError,
            self._httpx.InvalidURL,
            TimeoutError,
        )

    def _new_client(self, timeout: float) -> Any:
        raise NotImplementedError

    def _call(self, request: HttpRequest) -> dict[str, Any]:
        """The arguments of client.stream for request, once its URL is checked."""
        _check_url(request)
        _HTTPX_LOG_FILTER.names.update(request.secret_params)
        headers = list(request.headers)
        if request.header("Accept-Encoding") is None:  # only encodings _Reading decodes
            headers.append(("Accept-Encoding", "gzip, deflate"))
        return {
            "method": request.method,
            "url": request.url,
            "headers": headers,
            "content": request.body or None,
            "timeout": self.timeout,
            "follow_redirects": False,
        }

    def _reading(self, request: HttpRequest, resp: Any) -> _Reading:
        return _Reading(request, resp.status_code, resp.headers.multi_items(), self.max_body)

    def _failure(self, request: HttpRequest, exc: Exception) -> TransportError:
        """The TransportError for what httpx (or the deadline) raised: unsent when refused, as for urllib."""
        timed_out = isinstance(exc, (TimeoutError, self._httpx.TimeoutException))
        return _failure(
            _where(request), TimeoutError() if timed_out else _root_cause(exc), self.timeout
        )


def _import_httpx(who: str) -> Any:
    """httpx, imported by name so that the package type-checks and imports without it."""
    try:
        module = importlib.import_module("httpx")
    except ImportError:
        raise ImportError(f"{who} needs httpx, which is not installed: pip install httpx") from None
    import logging

    for name in _HTTPX_LOGGERS:
        logger = logging.getLogger(name)
        if _HTTPX_LOG_FILTER not in logger.filters:
            logger.addFilter(_HTTPX_LOG_FILTER)
    return module


class _Deadline:
    """The end of the current call, per thread, read by the network streams of our connections."""

    def __init__(self) -> None:
        import threading

        self._local = threading.local()

    def set(self, end: float | None) -> None:
        self._local.end = end

    def remaining(self, timeout: float | None) -> float | None:
        import time

        end: float | None = getattr(self._local, "end", None)
        if end is None:
            return timeout
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the call's deadline has passed")
        return left if timeout is None else min(timeout, left)


def _bound_stream(stream: Any, deadline: _Deadline) -> None:
    """Make every read and write of an httpcore network stream end by the call's deadline."""
    if hasattr(stream, "_specgen_deadline"):
        return  # bounded already
    read, write = stream.read, stream.write

    def bounded_read(max_bytes: int, timeout: float | None = None) -> Any:
        return read(max_bytes, deadline.remaining(timeout))

    def bounded_write(buffer: bytes, timeout: float | None = None) -> Any:
        return write(buffer, deadline.remaining(timeout))

    stream.read, stream.write = bounded_read, bounded_write
    stream._specgen_deadline = True


class HttpxTransport(_Httpx):
    """An httpx-based transport (pip install httpx): connection pooling and HTTP/1.1 keep-alive.

    client: an httpx.Client of your own (its pool, proxies, certificates); close() then leaves
    it open, as it is yours. The deadline (timeout) covers connecting, sending and reading on
    every connection this transport opens; max_body caps the body read, decompressed.
    """

    def __init__(
        self, timeout: float = 10.0, *, client: Any = None, max_body: int = DEFAULT_MAX_BODY
    ) -> None:
        super().__init__(timeout, client=client, max_body=max_body)
        self._deadline = _Deadline()

    def _new_client(self, timeout: float) -> Any:
        return self._httpx.Client(timeout=timeout)

    def close(self) -> None:
        """Close the connection pool, unless the httpx.Client was passed in (it is the caller's)."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> HttpxTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            if stream is not None:
                _bound_stream(stream, self._deadline)

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send request and read the whole answer, within the timeout and max_body."""
        import time

        call = self._call(request)
        self._deadline.set(time.monotonic() + self.timeout)
        try:
            with self._client.stream(**call, extensions={"trace": self._trace}) as resp:
                reading = self._reading(request, resp)
                for chunk in resp.iter_raw(_CHUNK):
                    self._deadline.remaining(None)
                    reading.feed(chunk)
                return reading.response()
        except self._errors as exc:
            failure = self._failure(request, exc)
        finally:
            self._deadline.set(None)
        raise failure  # outside the handler: httpx's exceptions hold the request, key and signature


class AsyncHttpxTransport(_Httpx):
    """The asyncio transport, on httpx.AsyncClient (pip install httpx); as HttpxTransport.

    client: an httpx.AsyncClient of your own, which aclose() leaves open.
    """

    def _new_client(self, timeout: float) -> Any:
        return self._httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the connection pool, unless the httpx.AsyncClient was passed in."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> AsyncHttpxTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send request and read the whole answer, within the timeout and max_body."""
        import asyncio

        call = self._call(request)
        try:
            return await asyncio.wait_for(self._exchange(request, call), self.timeout)
        except self._errors as exc:
            failure = self._failure(request, exc)
        raise failure  # outside the handler: httpx's exceptions hold the request, key and signature

    async def _exchange(self, request: HttpRequest, call: dict[str, Any]) -> HttpResponse:
        async with self._client.stream(**call) as resp:
            reading = self._reading(request, resp)
            async for chunk in resp.aiter_raw(_CHUNK):
                reading.feed(chunk)
            return reading.response()
