"""Issue 6: every way the network or the venue can fail reaches the caller as one typed error.

Each generated client is driven, through both of its transports, against tiny servers on
127.0.0.1 (a scripted HTTP server, and raw sockets that refuse, reset, hang or speak garbage) and
against fake transports. The optional retry policy is checked here too: off by default, it
resends only what cannot act twice, honours Retry-After up to a cap, and signs every attempt
afresh.
"""

from __future__ import annotations

import http.server
import importlib
import json
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
import yaml
from specgen.spec.naming import pascal, safe, snake

from tests.helpers import GENERATED, ROOT, VENUES

sys.path.insert(0, str(GENERATED))

TIMEOUT = 5.0  # generous: only a server that never answers should ever reach it...
HANG = 0.25  # ...and against that one the clients wait this long
TRANSPORTS = ("urllib", "httpx")


# -- the venues, from their specs -------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # hashed by identity: one per venue (see venue())
class Venue:
    name: str
    package: Any
    operation: str
    credentials: dict[str, str]
    params: dict[str, Any]  # a valid call, as wire parameters
    success: bytes  # a documented success body
    code_key: str
    message_key: str
    rate_limit_statuses: tuple[int, ...] = (429,)
    retry: tuple[tuple[int, bool], ...] = ()  # errors.retry: (status, only with Retry-After)
    # The endpoint declares outcomes (a cancel-all names no order, unless it lists what it cancelled).
    has_outcomes: bool = True
    # Outcomes that are the entries an answer lists (from_answer): where it lists them.
    listed: tuple[tuple[str, ...], ...] | None = None
    signature_name: str = ""  # the header or query parameter that carries the signature
    clock_unit: str = "ms"  # what the client's clock counts (the unit of the venue's timestamp)
    malformed: tuple[dict[str, Any], ...] = ()  # calls that break the spec (its malformed cases)
    request_model: str = ""  # the operation's request record (a venue may have several endpoints)

    def parsed(self, result: Any) -> bool:
        """The documented success became a typed result: one outcome per order sent, or none for a
        request that names no order."""
        if result.response is None:
            return False
        if self.listed is not None:  # one outcome per entry the answer lists, none dropped
            return len(result.outcomes) == sum(len(entries(result.response, path)) for path in self.listed)
        return bool(result.outcomes) == self.has_outcomes

    def retried(self, status: int) -> bool | None:
        """How a RetryPolicy treats status: True (always), False (only with Retry-After), None (never)."""
        return next((not only for s, only in self.retry if s == status), None)

    def request(self) -> Any:
        """The typed request object for the valid call."""
        return getattr(self.package, self.request_model).from_json(self.params)

    def client(self, transport: Any = None, **extra: Any) -> Any:
        return self.package.Client(transport=transport, **self.credentials, **extra)

    def send(self, client: Any) -> Any:
        return getattr(client, f"send_{self.operation}")(self.request())

    def error_body(self, code: Any = 40001, message: str = "bad things") -> bytes:
        return json.dumps({self.code_key: code, self.message_key: message}).encode()


def entries(response: Any, path: tuple[str, ...]) -> Any:
    """What a parsed response holds at a spec's dotted wire path (each name as the model's field)."""
    for key in path:
        response = getattr(response, safe(snake(key)))
    return response


@cache
def venue(name: str) -> Venue:
    folder = ROOT / "specs" / name
    # One endpoint stands for the venue (transports, envelopes and retries are the venue's): the
    # first that has a malformed case, else the first.
    specs = [yaml.safe_load(p.read_text("utf-8")) for p in sorted(folder.glob("*.yaml")) if p.name != "venue.yaml"]
    spec = next((s for s in specs if s.get("tests", {}).get("malformed")), specs[0])
    header = yaml.safe_load((folder / "venue.yaml").read_text("utf-8"))
    sourced = {p["name"] for p in spec["params"] if "source" in p}
    [success, *_] = [c for c in spec["tests"]["response"] if "error" not in c and c.get("status", 200) == 200]
    # The call the success body answers: outcomes are one per order sent, so they must agree.
    call = success.get("request") or spec["tests"]["request"][0]["params"]
    params = {k: v for k, v in call.items() if k not in sourced}
    return Venue(
        name=name,
        package=importlib.import_module(name),
        operation=spec["operation"],
        credentials=dict(header["test_credentials"]),
        params=params,
        success=success["body"].encode(),
        code_key=header["errors"]["code"],
        message_key=header["errors"]["message"],
        rate_limit_statuses=tuple(header["errors"].get("rate_limit_statuses", [429])),
        retry=tuple((r["status"], r.get("only_with_retry_after", False)) for r in header["errors"].get("retry", [])),
        has_outcomes="outcomes" in spec,
        listed=(
            tuple(tuple(source["items"].split(".")) for source in spec["outcomes"]["sources"])
            if isinstance(spec.get("outcomes"), dict) and spec["outcomes"].get("from_answer")
            else None
        ),
        signature_name=header["auth"]["signature"]["name"],
        clock_unit=header["auth"].get("timestamp", {}).get("unit", "ms"),
        malformed=tuple(c["params"] for c in spec.get("tests", {}).get("malformed", [])),
        request_model=(spec.get("model") or pascal(spec["operation"])) + "Request",
    )


@cache  # an httpx client takes tens of milliseconds to build; transports hold no per-call state
def transport_for(v: Venue, kind: str, timeout: float = TIMEOUT) -> Any:
    if kind == "httpx":
        return v.package.HttpxTransport(timeout=timeout)
    return v.package.UrllibTransport(timeout=timeout)


# -- loopback servers -------------------------------------------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)


@dataclass
class Scripted:
    """An HTTP server on 127.0.0.1 that gives the scripted answers in order (the last one repeats)."""

    answers: list[Answer]
    received: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@contextmanager
def scripted(*answers: Answer) -> Iterator[Scripted]:
    state = Scripted(list(answers))

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.received.append((self.command, self.path, dict(self.headers.items()), body))
            answer = state.answers[min(len(state.received), len(state.answers)) - 1]
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = do_DELETE = do_PUT = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _read_request(conn: socket.socket) -> bytes:
    """The whole request: its head, then as many body bytes as Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return data


@contextmanager
def raw_server(behaviour: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that treats every connection with behaviour; yields its URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.01)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(5)
                try:
                    behaviour(conn, stop)
                except OSError:
                    pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def reset(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST


def hang(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)
    stop.wait(10)


def garbage(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")


def short_body(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)
    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"code":')


def closed_port() -> str:
    """A loopback port with nothing listening on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- transport faults -------------------------------------------------------------------------

CASES = [(v, t) for v in VENUES for t in TRANSPORTS]


@pytest.mark.parametrize("name,kind", CASES)
def test_connection_refused_is_a_transport_error_known_unsent(name: str, kind: str) -> None:
    v = venue(name)
    client = v.client(transport_for(v, kind), base_url=closed_port())
    with pytest.raises(v.package.TransportError) as info:
        v.send(client)
    assert info.value.unsent is True
    assert "ConnectionRefusedError" in str(info.value)


@pytest.mark.parametrize("name,kind", CASES)
def test_connection_reset_is_a_transport_error_maybe_sent(name: str, kind: str) -> None:
    v = venue(name)
    with raw_server(reset) as url:
        client = v.client(transport_for(v, kind), base_url=url)
        with pytest.raises(v.package.TransportError) as info:
            v.send(client)
    assert info.value.unsent is False
    assert "ConnectionResetError" in str(info.value) or "RemoteDisconnected" in str(info.value)


@pytest.mark.parametrize("name,kind", CASES)
def test_timeout_is_a_transport_error_maybe_sent(name: str, kind: str) -> None:
    v = venue(name)
    with raw_server(hang) as url:
        client = v.client(transport_for(v, kind, HANG), base_url=url)
        with pytest.raises(v.package.TransportError) as info:
            v.send(client)
    assert info.value.unsent is False
    assert f"timed out after {HANG} s" in str(info.value)


@pytest.mark.parametrize("name,kind", CASES)
def test_tls_failure_is_a_transport_error(name: str, kind: str) -> None:
    v = venue(name)
    with scripted(Answer(200, v.success)) as server:  # plain HTTP behind an https:// URL
        client = v.client(transport_for(v, kind), base_url=server.url.replace("http://", "https://"))
        with pytest.raises(v.package.TransportError) as info:
            v.send(client)
    assert "TLS error" in str(info.value)
    assert info.value.unsent is False  # the same for both transports: a retry policy must not resend


@pytest.mark.parametrize("name,kind", CASES)
def test_a_server_that_does_not_speak_http_is_a_transport_error(name: str, kind: str) -> None:
    v = venue(name)
    with raw_server(garbage) as url:
        client = v.client(transport_for(v, kind), base_url=url)
        with pytest.raises(v.package.TransportError) as info:
            v.send(client)
    assert str(info.value).startswith(f"{v.package.OPERATIONS[v.operation].method} http://127.0.0.1:")


@pytest.mark.parametrize("name,kind", CASES)
def test_a_body_cut_short_of_its_content_length_is_a_transport_error(name: str, kind: str) -> None:
    v = venue(name)
    with raw_server(short_body) as url:
        client = v.client(transport_for(v, kind), base_url=url)
        with pytest.raises(v.package.TransportError) as info:
            v.send(client)
    assert info.value.unsent is False


# -- answers that are not a success -----------------------------------------------------------

HTML = (("Content-Type", "text/html; charset=utf-8"),)


def answer_cases() -> list[tuple[str, Answer, str, dict[str, Any]]]:
    """(id, answer, expected error type, expected attributes); bodies are filled in per venue."""
    return [
        (
            "500_html",
            Answer(500, b"<html><body>Internal Server Error</body></html>", HTML),
            "ResponseError",
            {"http_status": 500},
        ),
        ("502_empty", Answer(502, b""), "ResponseError", {"http_status": 502}),
        (
            "503_venue_error",
            Answer(503, b"ERROR"),
            "ApiError",
            {"http_status": 503, "code": "-1001", "message": "busy"},
        ),
        (
            "429_retry_after",
            Answer(429, b"", (("Retry-After", "7"),)),
            "RateLimitError",
            {"http_status": 429, "retry_after": 7.0},
        ),
        ("429_no_retry_after", Answer(429, b""), "RateLimitError", {"http_status": 429, "retry_after": None}),
        (
            "418_retry_after",
            Answer(418, b"", (("Retry-After", "120"),)),
            "RateLimitError",
            {"http_status": 418, "retry_after": 120.0},
        ),
        (
            "418_no_retry_after",
            Answer(418, b"<html>banned</html>", HTML),
            "RateLimitError",
            {"http_status": 418, "retry_after": None},
        ),
        (
            "429_date_retry_after",
            Answer(429, b"", (("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),)),
            "RateLimitError",
            {"retry_after": None},
        ),
        (
            "200_html_page",
            Answer(200, b"<!DOCTYPE html><html><title>Just a moment...</title></html>", HTML),
            "ResponseError",
            {"http_status": 200},
        ),
        ("200_empty", Answer(200, b""), "ResponseError", {"http_status": 200}),
        ("200_truncated_json", Answer(200, b"SUCCESS[:half]"), "ResponseError", {"http_status": 200}),
        (
            "200_wrong_content_type",
            Answer(200, b"SUCCESS", (("Content-Type", "text/plain"),)),
            "ResponseError",
            {"http_status": 200},
        ),
        ("200_not_the_documented_shape", Answer(200, b"[1, 2, 3]"), "ResponseError", {"http_status": 200}),
        ("200_deeply_nested", Answer(200, b"[" * 100_000 + b"]" * 100_000), "ResponseError", {"http_status": 200}),
    ]


def fill(v: Venue, answer: Answer) -> Answer:
    body = answer.body
    if body == b"ERROR":
        body = v.error_body(-1001, "busy")
    elif body == b"SUCCESS":
        body = v.success
    elif body == b"SUCCESS[:half]":  # cut inside the JSON, however short the documented success is
        body = v.success[: len(v.success.rstrip()) // 2]
    return Answer(answer.status, body, answer.headers)


ANSWERS = answer_cases()


@pytest.mark.parametrize("name", VENUES)
@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize("case", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_each_bad_answer_is_one_typed_error(
    name: str, kind: str, case: tuple[str, Answer, str, dict[str, Any]]
) -> None:
    v = venue(name)
    _, answer, error, attributes = case
    if error == "RateLimitError" and answer.status not in v.rate_limit_statuses:
        error = "ResponseError"  # not a rate limit at this venue: an HTTP error without its error body
        attributes = {"http_status": answer.status}
    with scripted(fill(v, answer)) as server:
        client = v.client(transport_for(v, kind), base_url=server.url)
        with pytest.raises(v.package.ClientError) as info:
            v.send(client)
    assert type(info.value) is getattr(v.package, error)
    for attribute, expected in attributes.items():
        assert getattr(info.value, attribute) == expected, attribute
    assert len(server.received) == 1  # no retry policy: exactly one request


@pytest.mark.parametrize("name", VENUES)
def test_the_documented_success_parses_over_both_transports(name: str) -> None:
    v = venue(name)
    for kind in TRANSPORTS:
        with scripted(Answer(200, v.success)) as server:
            result = v.send(v.client(transport_for(v, kind), base_url=server.url))
        assert v.parsed(result), kind


@pytest.mark.parametrize("name", VENUES)
def test_numbers_beyond_float_range_parse_as_decimal(name: str) -> None:
    v = venue(name)
    assert v.package._wire.loads(b'{"x": 1e400, "y": -1e400, "z": 1e-400}') == {
        "x": Decimal("1e400"),
        "y": Decimal("-1e400"),
        "z": Decimal("1e-400"),
    }
    body = json.loads(v.success)
    huge = b"1" + b"0" * 400 + b".5e99999"
    patched = (
        json.dumps({**body, "extra": "HUGE"} if isinstance(body, dict) else body).encode().replace(b'"HUGE"', huge)
    )
    with scripted(Answer(200, patched)) as server:
        result = v.send(v.client(base_url=server.url, timeout=TIMEOUT))
    assert v.parsed(result)  # an unknown huge number is kept out of float and does not fail the parse
    for bad in (b'{"x": NaN}', b'{"x": Infinity}'):
        with pytest.raises(ValueError):
            v.package._wire.loads(bad)


@pytest.mark.parametrize("name", VENUES)
def test_a_huge_error_code_is_kept_exact(name: str) -> None:
    v = venue(name)
    body = v.error_body("HUGE", "odd").replace(b'"HUGE"', b"1e400")
    with scripted(Answer(400, body)) as server:
        with pytest.raises(v.package.ApiError) as info:
            v.send(v.client(base_url=server.url, timeout=TIMEOUT))
    assert info.value.code == "1E+400"


# -- the retry policy -------------------------------------------------------------------------


class Fake:
    """A transport that plays a script: each item is an HttpResponse to return or an error to raise."""

    def __init__(self, v: Venue, *script: Any) -> None:
        self.package = v.package
        self.script = list(script)
        self.sent: list[Any] = []

    def send(self, request: Any) -> Any:
        self.sent.append(request)
        item = self.script[min(len(self.sent), len(self.script)) - 1]
        if isinstance(item, BaseException):
            raise item
        return item


def response(v: Venue, status: int, body: bytes = b"", retry_after: str | None = None) -> Any:
    headers = (("Content-Type", "application/json"),) + ((("Retry-After", retry_after),) if retry_after else ())
    return v.package.HttpResponse(status, headers, body)


class Clock:
    def __init__(self) -> None:
        self.now = 1700000000000

    def __call__(self) -> int:
        self.now += 1111
        return self.now


def retrying(v: Venue, transport: Fake, sleeps: list[float], **policy: Any) -> Any:
    return v.client(transport, clock=Clock(), retry=v.package.RetryPolicy(sleep=sleeps.append, **policy))


@pytest.mark.parametrize("name", VENUES)
def test_an_error_body_with_a_message_and_no_code_is_an_api_error(name: str) -> None:
    # Some venues answer an auth failure with a message alone, a list of lists of texts.
    v = venue(name)
    body = json.dumps({v.message_key: [["refused here"], ["twice"]]}).encode()
    with pytest.raises(v.package.ApiError) as err:
        v.send(v.client(Fake(v, response(v, 401, body)), clock=Clock()))
    assert (err.value.code, err.value.message, err.value.http_status) == ("", "refused here; twice", 401)


@pytest.mark.parametrize("name", VENUES)
def test_retry_is_off_by_default(name: str) -> None:
    v = venue(name)
    fake = Fake(v, response(v, 429, retry_after="1"), response(v, 200, v.success))
    with pytest.raises(v.package.RateLimitError):
        v.send(v.client(fake))
    assert len(fake.sent) == 1
    unsent = v.package.TransportError("refused", unsent=True)
    fake = Fake(v, unsent, response(v, 200, v.success))
    with pytest.raises(v.package.TransportError):
        v.send(v.client(fake))
    assert len(fake.sent) == 1


@pytest.mark.parametrize("name", VENUES)
def test_rate_limits_are_retried_after_retry_after_and_each_attempt_is_signed_afresh(name: str) -> None:
    v = venue(name)
    assert v.retried(429), "every venue so far retries a 429: say so in errors.retry"
    sleeps: list[float] = []
    # The second refusal: an IP ban (418) where the venue retries one that says when, else another 429.
    second = 418 if v.retried(418) is not None else 429
    fake = Fake(v, response(v, 429), response(v, second, retry_after="3"), response(v, 200, v.success))
    clock = Clock()
    client = v.client(fake, clock=clock, retry=v.package.RetryPolicy(sleep=sleeps.append, backoff=0.25))
    result = v.send(client)
    assert v.parsed(result)
    assert sleeps == [0.25, 3.0]  # backoff for the 429 without Retry-After, then the second one's Retry-After
    assert len(fake.sent) == 3
    # Every attempt is exactly what build_<op> gives at that attempt's own, newer timestamp.
    for i, sent in enumerate(fake.sent):
        at = 1700000000000 + 1111 * (i + 1)
        rebuilt = getattr(v.client(clock=lambda at=at: at), f"build_{v.operation}")(v.request())
        assert (sent.method, sent.url, sent.headers, sent.body) == (
            rebuilt.method,
            rebuilt.url,
            rebuilt.headers,
            rebuilt.body,
        )
    assert len({(s.url, s.headers) for s in fake.sent}) == 3  # never the same signed request twice


@pytest.mark.parametrize("name", VENUES)
def test_an_ip_ban_without_retry_after_is_not_retried(name: str) -> None:
    v = venue(name)
    sleeps: list[float] = []
    fake = Fake(v, response(v, 418), response(v, 200, v.success))
    # A 418 is a rate limit only where the venue says so; elsewhere an HTTP error without a body.
    error = v.package.RateLimitError if 418 in v.rate_limit_statuses else v.package.ResponseError
    with pytest.raises(error) as err:
        v.send(retrying(v, fake, sleeps, attempts=4, backoff=1))
    assert err.value.http_status == 418 and getattr(err.value, "retry_after", None) is None
    assert len(fake.sent) == 1 and sleeps == []


@pytest.mark.parametrize("name", VENUES)
def test_retries_stop_after_the_attempts_allowed(name: str) -> None:
    v = venue(name)
    sleeps: list[float] = []
    fake = Fake(v, response(v, 429))
    with pytest.raises(v.package.RateLimitError):
        v.send(retrying(v, fake, sleeps, attempts=4, backoff=1))
    assert len(fake.sent) == 4
    assert sleeps == [1, 2, 4]


@pytest.mark.parametrize("name", VENUES)
def test_a_retry_after_beyond_the_cap_is_not_waited_for(name: str) -> None:
    v = venue(name)
    sleeps: list[float] = []
    fake = Fake(v, response(v, 429, retry_after="3600"), response(v, 200, v.success))
    with pytest.raises(v.package.RateLimitError) as info:
        v.send(retrying(v, fake, sleeps, max_wait=60))
    assert info.value.retry_after == 3600
    assert (len(fake.sent), sleeps) == (1, [])


@pytest.mark.parametrize("name", VENUES)
def test_503_is_retried_only_when_it_says_when(name: str) -> None:
    v = venue(name)
    sleeps: list[float] = []
    fake = Fake(v, response(v, 503, retry_after="3"), response(v, 200, v.success))
    if v.retried(503) is None:  # a venue that does not say a 503 was refused unacted: never resent
        with pytest.raises(v.package.ResponseError):
            v.send(retrying(v, fake, sleeps))
        assert (len(fake.sent), sleeps) == (1, [])
    else:
        assert v.parsed(v.send(retrying(v, fake, sleeps)))
        assert (len(fake.sent), sleeps) == (2, [3.0])
    sleeps.clear()
    fake = Fake(v, response(v, 503), response(v, 200, v.success))
    with pytest.raises(v.package.ResponseError):
        v.send(retrying(v, fake, sleeps))
    assert (len(fake.sent), sleeps) == (1, [])


@pytest.mark.parametrize("name", VENUES)
@pytest.mark.parametrize("status", [500, 502, 504, 400, 401])
def test_other_answers_are_never_retried(name: str, status: int) -> None:
    v = venue(name)
    sleeps: list[float] = []
    fake = Fake(v, response(v, status, v.error_body(), retry_after="1"), response(v, 200, v.success))
    with pytest.raises(v.package.ApiError):
        v.send(retrying(v, fake, sleeps))
    assert (len(fake.sent), sleeps) == (1, [])


@pytest.mark.parametrize("name", VENUES)
def test_only_failures_before_sending_are_retried(name: str) -> None:
    v = venue(name)
    sleeps: list[float] = []
    refused = v.package.TransportError("refused", unsent=True)
    fake = Fake(v, refused, refused, response(v, 200, v.success))
    assert v.parsed(v.send(retrying(v, fake, sleeps)))
    assert (len(fake.sent), sleeps) == (3, [0.5, 1.0])
    for maybe_sent in (v.package.TransportError("timed out"), v.package.TransportError("reset")):
        sleeps.clear()
        fake = Fake(v, maybe_sent, response(v, 200, v.success))
        with pytest.raises(v.package.TransportError):
            v.send(retrying(v, fake, sleeps))
        assert (len(fake.sent), sleeps) == (1, [])


@pytest.mark.parametrize("name,kind", CASES)
def test_retry_over_real_sockets(name: str, kind: str) -> None:
    v = venue(name)
    sleeps: list[float] = []
    policy = v.package.RetryPolicy(sleep=sleeps.append, attempts=2)
    # Refused: retried, since nothing reached a server.
    client = v.client(transport_for(v, kind), base_url=closed_port(), retry=policy)
    with pytest.raises(v.package.TransportError):
        v.send(client)
    assert sleeps == [0.5]
    # A timeout: the server got the request, so it is not sent again.
    sleeps.clear()
    with raw_server(hang) as url:
        with pytest.raises(v.package.TransportError):
            v.send(v.client(transport_for(v, kind, HANG), base_url=url, retry=policy))
    assert sleeps == []
    # 429 then success through a real server.
    with scripted(Answer(429, b"", (("Retry-After", "0"),)), Answer(200, v.success)) as server:
        result = v.send(v.client(transport_for(v, kind), base_url=server.url, retry=policy))
    assert v.parsed(result) and len(server.received) == 2 and sleeps == [0.0]


def test_retry_policy_refuses_nonsense() -> None:
    package = venue(VENUES[0]).package  # the runtime's policy: any venue's package
    for bad in ({"attempts": 0}, {"backoff": -1}, {"max_wait": -1}, {"backoff": float("nan")}):
        with pytest.raises(ValueError):
            package.RetryPolicy(**bad)


# -- transport limits: redirects, schemes, size, deadline (issue 14 item 2) ----------------------

REDIRECTS = (301, 302, 303, 307, 308)
FIRST = VENUES[0]  # the transports are the same runtime in every package: timing cases run once


@pytest.mark.parametrize("status", REDIRECTS)
@pytest.mark.parametrize("name,kind", CASES)
def test_a_redirect_is_never_followed(name: str, kind: str, status: int) -> None:
    v = venue(name)
    with scripted(Answer(200, v.success)) as elsewhere:
        target = elsewhere.url.replace("127.0.0.1", "localhost") + "/steal"
        with scripted(Answer(status, b"", (("Location", target),))) as server:
            client = v.client(transport_for(v, kind), base_url=server.url)
            with pytest.raises(v.package.RedirectError) as info:
                v.send(client)
    assert (info.value.http_status, info.value.target_host) == (status, "localhost")
    assert f"redirect to localhost not followed (HTTP {status})" == str(info.value)
    assert isinstance(info.value, v.package.ResponseError)
    assert len(server.received) == 1 and elsewhere.received == []  # nothing sent again, anywhere


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_relative_redirect_names_the_same_host_and_is_not_followed(kind: str) -> None:
    v = venue(FIRST)
    with scripted(Answer(307, b"", (("Location", "/elsewhere"),)), Answer(200, v.success)) as server:
        with pytest.raises(v.package.RedirectError) as info:
            v.send(v.client(transport_for(v, kind), base_url=server.url))
    assert info.value.target_host == "127.0.0.1" and len(server.received) == 1


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://h/", "127.0.0.1:80/x"])
def test_only_http_and_https_urls_are_sent(kind: str, url: str) -> None:
    v = venue(FIRST)
    transport = transport_for(v, kind)
    with pytest.raises(v.package.TransportError) as info:
        transport.send(v.package.HttpRequest("GET", url, (), b""))
    assert info.value.unsent is True and "only http and https URLs" in str(info.value)


def big_answer(size: int, **extra: Any) -> Answer:
    return Answer(200, b'{"pad": "' + b"x" * size + b'"}', **extra)


@pytest.mark.parametrize("name,kind", CASES)
def test_a_body_over_the_size_cap_is_refused(name: str, kind: str) -> None:
    v = venue(name)
    transport = v.package.HttpxTransport if kind == "httpx" else v.package.UrllibTransport
    with scripted(big_answer(2000)) as server:
        with transport(timeout=TIMEOUT, max_body=1000) as small:
            with pytest.raises(v.package.ResponseTooLargeError) as info:
                v.send(v.client(small, base_url=server.url))
    assert (info.value.limit, info.value.http_status) == (1000, 200)
    assert "larger than 1000 bytes" in str(info.value)


def test_the_default_cap_is_a_few_mib_and_configurable() -> None:
    package = venue(FIRST).package
    assert 1 << 20 <= package.UrllibTransport().max_body <= 16 << 20
    assert package.UrllibTransport(max_body=123).max_body == 123
    for bad in ({"max_body": -1}, {"timeout": 0}, {"timeout": float("nan")}):
        with pytest.raises(ValueError):
            package.UrllibTransport(**bad)


def endless(conn: socket.socket, stop: threading.Event) -> None:
    """A chunked answer that never ends (bounded here at 512 MiB, and by the client hanging up)."""
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
    for _ in range(8192):
        if stop.is_set():
            return
        conn.sendall(chunk)


def unframed(conn: socket.socket, stop: threading.Event) -> None:
    """An answer with neither length nor chunks, that never closes (bounded at 512 MiB)."""
    _read_request(conn)
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n")
    for _ in range(8192):
        if stop.is_set():
            return
        conn.sendall(b" " * 0x10000)


@pytest.mark.parametrize("behaviour", [endless, unframed])
@pytest.mark.parametrize("kind", TRANSPORTS)
def test_an_endless_stream_is_cut_at_the_cap(kind: str, behaviour: Callable[..., None]) -> None:
    import tracemalloc

    v = venue(FIRST)
    transport = v.package.HttpxTransport if kind == "httpx" else v.package.UrllibTransport
    with raw_server(behaviour) as url, transport(timeout=TIMEOUT, max_body=1 << 20) as capped:
        tracemalloc.start()
        try:
            with pytest.raises(v.package.ResponseTooLargeError):
                v.send(v.client(capped, base_url=url))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 8 << 20  # the cap (1 MiB) and a chunk or two, never the stream


def gzip_bomb() -> bytes:
    import gzip

    return gzip.compress(b" " * (200 << 20), compresslevel=9)  # 200 MB of spaces in ~200 KB


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_gzip_bomb_is_cut_at_the_cap_decompressed(kind: str) -> None:
    import tracemalloc

    v = venue(FIRST)
    bomb = gzip_bomb()
    assert len(bomb) < 400_000
    transport = v.package.HttpxTransport if kind == "httpx" else v.package.UrllibTransport
    headers = (("Content-Type", "application/json"), ("Content-Encoding", "gzip"))
    with scripted(Answer(200, bomb, headers)) as server, transport(timeout=TIMEOUT, max_body=4 << 20) as capped:
        tracemalloc.start()
        try:
            with pytest.raises(v.package.ResponseTooLargeError) as info:
                v.send(v.client(capped, base_url=server.url))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert info.value.limit == 4 << 20
    assert peak < 24 << 20  # the cap and the compressed body, not 200 MB


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_small_gzip_answer_is_decompressed(kind: str) -> None:
    import gzip

    v = venue(FIRST)
    headers = (("Content-Type", "application/json"), ("Content-Encoding", "gzip"))
    with scripted(Answer(200, gzip.compress(v.success), headers)) as server:
        result = v.send(v.client(transport_for(v, kind), base_url=server.url))
    assert v.parsed(result)


def drip(conn: socket.socket, stop: threading.Event) -> None:
    """A whole answer, status line first, one byte every 0.5 s (for at most 30 s)."""
    _read_request(conn)
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n" + b" " * 60
    for byte in answer:
        if stop.wait(0.5):
            return
        conn.sendall(bytes([byte]))


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_the_timeout_is_a_deadline_for_the_whole_call(kind: str) -> None:
    import time

    v = venue(FIRST)
    transport = v.package.HttpxTransport if kind == "httpx" else v.package.UrllibTransport
    with raw_server(drip) as url, transport(timeout=2.0) as slow:
        start = time.monotonic()
        with pytest.raises(v.package.TransportError) as info:
            v.send(v.client(slow, base_url=url))
        elapsed = time.monotonic() - start
    assert "timed out after 2.0 s" in str(info.value) and info.value.unsent is False
    assert 1.9 <= elapsed < 3.5, elapsed


def test_the_deadline_holds_on_a_reused_httpx_connection() -> None:
    """The second call on a kept-alive connection drips: still cut at the deadline."""
    import time

    v = venue(FIRST)
    served = []

    def once_then_drip(conn: socket.socket, stop: threading.Event) -> None:
        _read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        served.append(1)
        drip(conn, stop)

    with raw_server(once_then_drip) as url, v.package.HttpxTransport(timeout=2.0) as transport:
        first = transport.send(v.package.HttpRequest("GET", url + "/one", (), b""))
        start = time.monotonic()
        with pytest.raises(v.package.TransportError):
            transport.send(v.package.HttpRequest("GET", url + "/two", (), b""))
        elapsed = time.monotonic() - start
    assert first.body == b"{}" and served == [1]  # one connection: the second call reused it
    assert 1.9 <= elapsed < 3.5, elapsed


# -- lifecycle (issue 14 item 3) --------------------------------------------------------------


@pytest.mark.parametrize("name", VENUES)
def test_a_client_closes_what_it_made_and_refuses_calls_after(name: str) -> None:
    v = venue(name)
    with v.client(timeout=TIMEOUT) as client:
        assert isinstance(client.transport, v.package.UrllibTransport)
    with pytest.raises(v.package.ClientError, match="closed"):
        v.send(client)
    client.close()  # twice is fine


def test_a_client_leaves_a_transport_passed_in_open_and_closes_its_own() -> None:
    import httpx

    v = venue(FIRST)
    mine = httpx.Client()
    transport = v.package.HttpxTransport(client=mine)
    with v.client(transport):
        pass
    transport.close()
    assert not mine.is_closed  # the caller's httpx.Client is the caller's to close
    with scripted(Answer(200, v.success)) as server:
        assert v.parsed(v.send(v.client(transport, base_url=server.url)))  # and it still works
    mine.close()
    own = v.package.HttpxTransport()
    with own:
        pass
    assert own._client.is_closed


@pytest.mark.parametrize("name", VENUES)
def test_a_redirect_from_a_transport_of_ones_own_is_refused_too(name: str) -> None:
    v = venue(name)
    fake = Fake(v, v.package.HttpResponse(308, (("Location", "https://other.example/x"),), v.success))
    with pytest.raises(v.package.RedirectError) as info:
        v.send(v.client(fake, retry=v.package.RetryPolicy(sleep=lambda s: None)))
    assert (info.value.http_status, info.value.target_host, len(fake.sent)) == (308, "other.example", 1)


def test_a_callers_httpx_client_that_follows_redirects_does_not_here() -> None:
    import httpx

    v = venue(FIRST)
    with scripted(Answer(200, v.success)) as elsewhere:
        with scripted(Answer(301, b"", (("Location", elsewhere.url + "/x"),))) as server:
            with httpx.Client(follow_redirects=True) as mine:
                client = v.client(v.package.HttpxTransport(client=mine), base_url=server.url)
                with pytest.raises(v.package.RedirectError):
                    v.send(client)
    assert len(server.received) == 1 and elsewhere.received == []
