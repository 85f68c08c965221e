"""HTTP transports: the standard library by default, httpx (sync and asyncio) when installed.

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

import importlib
from urllib.parse import SplitResult, urljoin, urlsplit

from ._wire import Record, init_field
from .errors import RedirectError, ResponseError, ResponseTooLargeError, TransportError

TYPE_CHECKING = False  # typing stays unimported at run time (see _wire.py)
if TYPE_CHECKING:
    from typing import Any, Protocol
else:
    Protocol = object

REDACTED = "<redacted>"


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
        init_field(self, "method", method)
        init_field(self, "url", url)
        init_field(self, "headers", headers)
        init_field(self, "body", body)
        init_field(self, "secret_headers", secret_headers)
        init_field(self, "secret_params", secret_params)

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name (the first, if sent twice)."""
        return _header(self.headers, name)

    @property
    def path(self) -> str:
        """The URL's path."""
        return urlsplit(self.url).path

    @property
    def query(self) -> str:
        """The URL's query string, without '?'."""
        return urlsplit(self.url).query

    def redacted_url(self) -> str:
        """The URL with the values of secret query parameters hidden."""
        return _redact_url(self.url, self.secret_params)

    def __repr__(self) -> str:
        secret = {h.lower() for h in self.secret_headers}
        shown = tuple((k, REDACTED if k.lower() in secret else v) for k, v in self.headers)
        url = self.redacted_url()
        return f"HttpRequest(method={self.method!r}, url={url!r}, headers={shown!r}, body={self.body!r})"


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


# Each transport refuses anything but http and https, never follows a redirect (a 3xx raises
# RedirectError and nothing is sent again: the credentials would go to the target), caps the
# body it reads (max_body bytes, decompressed), and treats timeout as a deadline for the whole
# call: connecting, sending and reading, however slowly the server drips its answer.

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
    parts = urlsplit(request.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"{_where(request)}: only http and https URLs are sent", unsent=True)
    return parts


def _check_limits(timeout: float, max_body: int) -> None:
    if not timeout > 0 or timeout == float("inf"):
        raise ValueError("timeout must be a positive number of seconds")
    if max_body < 0:
        raise ValueError("max_body must not be negative")


def _too_long(status: int, headers: list[tuple[str, str]], max_body: int) -> None:
    """Refuse at once a body whose announced length is over the cap."""
    length = _header(tuple(headers), "Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > max_body:
        raise ResponseTooLargeError(max_body, status)


def refuse_redirect(request: HttpRequest, status: int, headers: list[tuple[str, str]]) -> None:
    """Raise RedirectError for a 3xx answer, from any transport (a caller's own too): never followed."""
    if 300 <= status < 400:
        location = _header(tuple(headers), "Location")
        target = urlsplit(urljoin(request.url, location)).hostname if location else None
        raise RedirectError(status, target)


class _BoundedDecoder:
    """Counts (and for gzip or deflate, decompresses) body bytes, never past max_body."""

    def __init__(self, encoding: str | None, status: int, max_body: int) -> None:
        import zlib

        self.status = status
        self.max_body = max_body
        self.size = 0
        coding = (encoding or "identity").strip().lower()
        if coding in ("identity", ""):
            self._inflate: Any = None
        elif coding in ("gzip", "x-gzip", "deflate"):
            self._inflate = zlib.decompressobj(47)  # gzip or zlib framing, told apart by header
        else:
            raise ResponseError(f"unsupported content encoding {coding!r}", status)
        self._zlib_error: type[Exception] = zlib.error

    def feed(self, data: bytes) -> bytes:
        if self._inflate is not None:
            try:
                data = self._inflate.decompress(data, self.max_body - self.size + 1)
            except self._zlib_error:
                raise ResponseError("the compressed body is corrupt", self.status) from None
        self.size += len(data)
        if self.size > self.max_body:
            raise ResponseTooLargeError(self.max_body, self.status)
        return data

    def finish(self) -> bytes:
        return b"" if self._inflate is None else self.feed(b"")


class UrllibTransport:
    """The default transport: the standard library (http.client), one connection per call.

    timeout is a deadline for the whole call; max_body caps the body read (bytes). close() and
    `with` are accepted for symmetry with the other transports; there is nothing to release.
    """

    def __init__(self, timeout: float = 10.0, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        _check_limits(timeout, max_body)
        self.timeout = timeout
        self.max_body = max_body

    def __repr__(self) -> str:
        return f"UrllibTransport(timeout={self.timeout!r}, max_body={self.max_body!r})"

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
            status, got = resp.status, list(resp.getheaders())
            refuse_redirect(request, status, got)
            _too_long(status, got, self.max_body)
            decoder = _BoundedDecoder(
                _header(tuple(got), "Content-Encoding"), status, self.max_body
            )
            chunks = []
            while chunk := resp.read1(_CHUNK):
                chunks.append(decoder.feed(chunk))
            if resp.length:  # the connection ended before Content-Length said
                raise http.client.IncompleteRead(b"", resp.length)
            chunks.append(decoder.finish())
            return HttpResponse(status, tuple(got), b"".join(chunks))
        except (OSError, ValueError, http.client.HTTPException) as exc:
            if expired.is_set():
                failure = TransportError(f"{_where(request)}: timed out after {self.timeout} s")
            else:
                failure = _failure(_where(request), exc, self.timeout)
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


class HttpxTransport:
    """An httpx-based transport (pip install httpx): connection pooling and HTTP/1.1 keep-alive.

    client: an httpx.Client of your own (its pool, proxies, certificates); close() then leaves
    it open, as it is yours. The deadline (timeout) covers connecting, sending and reading on
    every connection this transport opens; max_body caps the body read, decompressed.
    """

    def __init__(
        self, timeout: float = 10.0, *, client: Any = None, max_body: int = DEFAULT_MAX_BODY
    ) -> None:
        _check_limits(timeout, max_body)
        self._httpx: Any = _import_httpx("HttpxTransport")
        self._owns_client = client is None
        self._client: Any = self._httpx.Client(timeout=timeout) if client is None else client
        self.timeout = timeout
        self.max_body = max_body
        self._deadline = _Deadline()

    def __repr__(self) -> str:
        return f"HttpxTransport(timeout={self.timeout!r}, max_body={self.max_body!r})"

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

        httpx = self._httpx
        _check_url(request)
        _HTTPX_LOG_FILTER.names.update(request.secret_params)
        self._deadline.set(time.monotonic() + self.timeout)
        try:
            with self._client.stream(
                request.method,
                request.url,
                headers=_httpx_headers(request),
                content=request.body or None,
                timeout=self.timeout,
                follow_redirects=False,
                extensions={"trace": self._trace},
            ) as resp:
                status, got = resp.status_code, list(resp.headers.multi_items())
                refuse_redirect(request, status, got)
                _too_long(status, got, self.max_body)
                decoder = _BoundedDecoder(
                    resp.headers.get("Content-Encoding"), status, self.max_body
                )
                chunks = []
                for chunk in resp.iter_raw(_CHUNK):
                    self._deadline.remaining(None)
                    chunks.append(decoder.feed(chunk))
                chunks.append(decoder.finish())
                return HttpResponse(status, tuple(got), b"".join(chunks))
        except (httpx.TimeoutException, TimeoutError):
            failure = TransportError(f"{_where(request)}: timed out after {self.timeout} s")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # unsent when refused, as for urllib
            failure = _failure(_where(request), _root_cause(exc), self.timeout)
        finally:
            self._deadline.set(None)
        raise failure  # outside the handler: httpx's exceptions hold the request, key and signature


def _httpx_headers(request: HttpRequest) -> list[tuple[str, str]]:
    """The request's headers, asking only for encodings the bounded decoder reads."""
    headers = list(request.headers)
    if request.header("Accept-Encoding") is None:
        headers.append(("Accept-Encoding", "gzip, deflate"))
    return headers


class AsyncHttpxTransport:
    """The asyncio transport, on httpx.AsyncClient (pip install httpx); as HttpxTransport.

    client: an httpx.AsyncClient of your own, which aclose() leaves open.
    """

    def __init__(
        self, timeout: float = 10.0, *, client: Any = None, max_body: int = DEFAULT_MAX_BODY
    ) -> None:
        _check_limits(timeout, max_body)
        self._httpx: Any = _import_httpx("AsyncHttpxTransport")
        self._owns_client = client is None
        self._client: Any = self._httpx.AsyncClient(timeout=timeout) if client is None else client
        self.timeout = timeout
        self.max_body = max_body

    def __repr__(self) -> str:
        return f"AsyncHttpxTransport(timeout={self.timeout!r}, max_body={self.max_body!r})"

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

        httpx = self._httpx
        _check_url(request)
        _HTTPX_LOG_FILTER.names.update(request.secret_params)
        try:
            return await asyncio.wait_for(self._exchange(request), self.timeout)
        except (httpx.TimeoutException, TimeoutError):
            failure = TransportError(f"{_where(request)}: timed out after {self.timeout} s")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            failure = _failure(_where(request), _root_cause(exc), self.timeout)
        raise failure  # outside the handler: httpx's exceptions hold the request, key and signature

    async def _exchange(self, request: HttpRequest) -> HttpResponse:
        async with self._client.stream(
            request.method,
            request.url,
            headers=_httpx_headers(request),
            content=request.body or None,
            timeout=self.timeout,
            follow_redirects=False,
        ) as resp:
            status, got = resp.status_code, list(resp.headers.multi_items())
            refuse_redirect(request, status, got)
            _too_long(status, got, self.max_body)
            decoder = _BoundedDecoder(resp.headers.get("Content-Encoding"), status, self.max_body)
            chunks = []
            async for chunk in resp.aiter_raw(_CHUNK):
                chunks.append(decoder.feed(chunk))
            chunks.append(decoder.finish())
            return HttpResponse(status, tuple(got), b"".join(chunks))
