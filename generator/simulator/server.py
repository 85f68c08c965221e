"""A loopback exchange simulator driven by the specs: `specgen serve`, or `Simulator` in tests.

Every spec'd endpoint of every venue is served over real HTTP on 127.0.0.1. A request is checked
as the venue checks it (API key, timestamp in the receive window, the signature recomputed from
the raw bytes received), its parameters are decoded from the wire and validated against the
endpoint spec, and the cancel acts on the account's orders. Answers are built from the spec's
response and outcome declarations; the values the documents do not state come from the specs'
`simulation` sections. Faults (429, 418, 5xx, slowness, broken bodies) are injected on request.
With rate_limits=True (`specgen serve --rate-limits`) the spec's rate-limit pools are enforced
(simulator/limits.py); they are off by default, so tests that send freely are unaffected.

Routes: each endpoint answers at its own path (clients take base_url = the simulator's URL) and
also under /<venue>/ (base_url(venue)), which stays unambiguous if two venues share a path.
Control requests (no authentication, loopback only) live under /__sim__/:

    GET    /__sim__                       venues, their base URLs, test API keys and routes
    POST   /__sim__/orders                {"venue", "api_key"?, "orders": [{"instrument", "order_id"?, ...}]}
    GET    /__sim__/orders?venue=V[&api_key=K]
    POST   /__sim__/faults                {"faults": [{"kind": "status", "status": 429, "retry_after": 2}]}
    DELETE /__sim__/faults
    POST   /__sim__/accounts              {"venue", "api_key", "secret", "passphrase"?}
    POST   /__sim__/reset                 forget orders and faults
"""

from __future__ import annotations

import collections
import ipaddress
import json
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from specgen.errors import SpecError
from specgen.simulator.answers import cancel_all_body, error_body, internal_error, success_body
from specgen.simulator.auth import NonceBook, RawRequest, Rejection, authenticate
from specgen.simulator.book import Account, AccountExists, Book, Order
from specgen.simulator.faults import Fault, FaultQueue
from specgen.simulator.limits import RateLimits, orders_named
from specgen.simulator.wire import ParamReader, targets
from specgen.spec import strict
from specgen.spec.model import Condition, Endpoint, Venue
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.config import Config

__all__ = ["Simulator", "Fault", "Order", "Account", "Exchange", "serve_forever"]

CONTROL = "/__sim__"
MAX_BODY_BYTES = 1 << 20
HISTORY_SIZE = 1000
LISTEN_BACKLOG = 1024  # 5 (the socketserver default) reset connections of 50 parallel clients
HANDLER_TIMEOUT_SECONDS = 10  # a silent client cannot hold a server thread longer than this
SERVER_ERROR_PAGE = b"<html><body><h1>%d</h1>simulated gateway error</body></html>"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "application/json"
    announced: int | None = None  # a Content-Length other than len(body): the connection dies mid-body


@dataclass(frozen=True)
class Delivery:
    """What the HTTP layer does: send reply (None: close without answering) after delay seconds."""

    reply: Reply | None
    delay: float = 0.0


@dataclass(frozen=True)
class Exchange:
    """One venue request the simulator answered, for tests and the log (never a secret)."""

    venue: str
    operation: str
    status: int | None  # None: the connection was dropped
    fault: str | None
    detail: str | None  # why a request was rejected


@dataclass(frozen=True)
class Route:
    venue: Venue
    endpoint: Endpoint
    reader: ParamReader


def _json_reply(status: int, value: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, json.dumps(value, separators=(",", ":")).encode("utf-8"), headers)


class Simulator:
    """The simulator; `with Simulator(venues) as sim:` serves on 127.0.0.1 at a free port."""

    def __init__(
        self,
        venues: Sequence[Venue],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], int] | None = None,
        log: Callable[[str], None] | None = None,
        rate_limits: bool = False,
    ) -> None:
        _require_loopback(host)
        for venue in venues:
            _require_simulation(venue)
        self.venues: dict[str, Venue] = {v.name.value: v for v in venues}
        self.host, self.port = host, port
        self.clock = clock or _now_ms
        self.book = Book()
        self.nonces = NonceBook()
        self.faults = FaultQueue()
        self.rate_limits: RateLimits | None = RateLimits() if rate_limits else None
        self._routes, self.shared_paths = _routes(venues)
        self._log = log
        self._history: collections.deque[Exchange] = collections.deque(maxlen=HISTORY_SIZE)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        for venue in venues:
            if venue.test_credentials is not None:
                creds = venue.test_credentials.value
                self.book.add_account(
                    venue.name.value, Account(creds["api_key"], creds["secret"], creds.get("passphrase", ""))
                )

    @classmethod
    def from_specs(cls, specs: Path, *, venue: str | None = None, **options: Any) -> Simulator:
        from specgen.spec.specset import read_specs

        return cls(read_specs(specs, only=venue), **options)

    # Lifecycle ----------------------------------------------------------------------------------

    def start(self) -> Simulator:
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="specgen-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers waiting out a delay fault
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def pause(self, seconds: float) -> None:
        """Wait (a delay fault), but no longer than until the simulator stops."""
        self._stopping.wait(seconds)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def base_url(self, venue: str) -> str:
        self._venue(venue)
        return f"{self.url}/{venue}"

    # State --------------------------------------------------------------------------------------

    def credentials(self, venue: str) -> Account:
        """The venue's default account: the spec's test_credentials."""
        creds = self._venue(venue).test_credentials
        if creds is None:
            raise KeyError(f"{venue} has no test_credentials; add_account() first")
        account = self.book.account(venue, creds.value["api_key"])
        assert account is not None
        return account

    def add_account(self, venue: str, api_key: str, secret: str, passphrase: str = "") -> Account:
        """A new account; registering an existing API key again with other credentials raises AccountExists."""
        self._venue(venue)
        if not api_key or not secret:
            raise ValueError("an account needs a non-empty api_key and secret")
        account = Account(api_key, secret, passphrase)
        self.book.add_account(venue, account)
        return account

    def seed(
        self, venue: str, orders: Iterable[Mapping[str, Any] | Order], *, api_key: str | None = None
    ) -> tuple[Order, ...]:
        """Put orders in an account's book (default: the test credentials'); returns them with their ids."""
        return self.book.seed(venue, self._key(venue, api_key), orders)

    def orders(self, venue: str, *, api_key: str | None = None) -> tuple[Order, ...]:
        return self.book.orders(venue, self._key(venue, api_key))

    def order(self, venue: str, order_id: str, *, api_key: str | None = None) -> Order:
        found = [o for o in self.orders(venue, api_key=api_key) if o.order_id == order_id]
        if not found:
            raise KeyError(f"no order {order_id!r} in the {venue} book")
        return found[0]

    def inject(self, *faults: Fault) -> None:
        self.faults.add(*faults)

    def clear_faults(self) -> int:
        return self.faults.clear()

    def reset(self) -> None:
        self.book.reset()
        self.faults.clear()
        if self.rate_limits is not None:
            self.rate_limits.reset()
        self._history.clear()
        self.nonces = NonceBook()

    @property
    def history(self) -> tuple[Exchange, ...]:
        return tuple(self._history)

    def _venue(self, name: str) -> Venue:
        if name not in self.venues:
            raise KeyError(f"no venue {name!r} (serving: {', '.join(self.venues)})")
        return self.venues[name]

    def _key(self, venue: str, api_key: str | None) -> str:
        return api_key if api_key is not None else self.credentials(venue).api_key

    # Requests -----------------------------------------------------------------------------------

    def handle(self, request: RawRequest) -> Delivery:
        """The answer to one request, as the HTTP layer will deliver it; never raises."""
        if request.path == CONTROL or request.path.startswith(CONTROL + "/"):
            try:
                return Delivery(self._control(request))
            except Exception as exc:  # a bug here must not cost the caller its answer
                return Delivery(_json_reply(500, {"error": f"internal error: {type(exc).__name__}"}))
        route = self.route(request.method, request.path)
        if route is None:
            return Delivery(_json_reply(404, {"error": f"no endpoint {request.method} {request.path}"}))
        try:
            return self._serve(route, request)
        except Exception as exc:  # the venue's error shape, HTTP 500, and the server keeps serving
            reply = _json_reply(500, error_body(route.venue, internal_error(route.venue)))
            return self._record(route, Delivery(reply), None, f"internal error: {type(exc).__name__}")

    def _serve(self, route: Route, request: RawRequest) -> Delivery:
        path = route.endpoint.path.value
        if route.endpoint.path_params:  # the path as sent, without a venue prefix
            path = request.path[len(request.path) - len(_template_match(path, request.path, suffix=True) or "") :]
        request = RawRequest(request.method, path, request.query, request.headers, request.body)  # as the venue sees it
        fault = self.faults.take(route.venue.name.value)
        if fault is not None and fault.kind == "status":
            return self._record(route, Delivery(self._fault_reply(route.venue, fault)), fault, None)
        reply, detail = self._answer(route, request)
        return self._record(route, _with_fault(reply, fault), fault, detail)

    def route(self, method: str, path: str) -> Route | None:
        found = self._routes.get((method, path))
        if found is None:  # a templated path (/orders/{pair}), maybe under a venue prefix
            found = next(
                (r for (m, key), r in self._routes.items() if m == method and _template_match(key, path) is not None),
                None,
            )
        return found

    def _answer(self, route: Route, request: RawRequest) -> tuple[Reply, str | None]:
        venue, endpoint = route.venue, route.endpoint
        name = venue.name.value
        sim = venue.simulation
        assert sim is not None
        try:
            if endpoint.signed:
                api_key = authenticate(
                    venue, request, lambda key: self.book.account(name, key), self.clock(), self.nonces
                ).api_key
            else:
                api_key = ""
            params = route.reader.read(request)
        except Rejection as rejected:
            answer = getattr(sim, rejected.kind)
            return _json_reply(answer.http_status, error_body(venue, answer)), rejected.detail
        if self.rate_limits is not None:
            exceeded = self.rate_limits.spend(venue, endpoint, api_key, orders_named(endpoint, params), self.clock())
            if exceeded is not None:
                unit = "" if exceeded.unit == "requests" else f" {exceeded.unit}"
                said = f"rate limit: pool {exceeded.pool} allows {exceeded.count}{unit} per {exceeded.per_seconds:g} s"
                return self._rate_limited(venue, exceeded.retry_after_ms), said
        esim = endpoint.simulation
        assert esim is not None
        if esim.cancel_all is not None:
            return (
                _json_reply(200, cancel_all_body(venue, endpoint, params, self._cancel_all(route, api_key, params))),
                None,
            )
        whole = esim.all_or_nothing
        atomic = whole is not None and not _holds(whole.unless, params)
        precedence = esim.id_precedence or "order_id"  # matters only when an item names both ids
        results = self.book.cancel(name, api_key, targets(endpoint, params), precedence, all_or_nothing=atomic)
        if whole is not None and atomic and any(r.kind != "cancelled" for r in results):
            return _json_reply(whole.answer.http_status, error_body(venue, whole.answer)), "the whole batch was refused"
        return _json_reply(200, success_body(venue, endpoint, params, results)), None

    def _rate_limited(self, venue: Venue, wait_ms: int) -> Reply:
        """The venue's answer to a request over a pool: its rate_limited answer, else its first
        rate-limit status; with the wait in whole seconds (rounded up) in the header its document
        names for it, if it names one (none when the request can never fit)."""
        sim = venue.simulation
        assert sim is not None
        headers: tuple[tuple[str, str], ...] = ()
        if venue.retry_after_header is not None and wait_ms > 0:
            headers = ((venue.retry_after_header.value, str(-(-wait_ms // 1000))),)
        if sim.rate_limited is not None:
            return _json_reply(sim.rate_limited.http_status, error_body(venue, sim.rate_limited), headers)
        return Reply(venue.rate_limit_statuses[0], b"", headers)

    def _cancel_all(self, route: Route, api_key: str, params: dict[str, Any]) -> tuple[Order, ...]:
        """Every open order of the account, or of the instrument the request names, cancelled."""
        esim = route.endpoint.simulation
        assert esim is not None and esim.cancel_all is not None
        every = esim.cancel_all
        if every.nothing_when is not None and _holds(every.nothing_when, params):
            return ()
        named = params.get(every.instrument.value) if every.instrument is not None else None
        instrument = str(named) if named is not None and named != "" else None
        return self.book.cancel_all(route.venue.name.value, api_key, instrument)

    def _fault_reply(self, venue: Venue, fault: Fault) -> Reply:
        headers: tuple[tuple[str, str], ...] = ()
        if fault.retry_after is not None:
            seconds = fault.retry_after
            headers = (("Retry-After", str(int(seconds)) if seconds == int(seconds) else str(seconds)),)
        sim = venue.simulation
        assert sim is not None
        if fault.status in venue.rate_limit_statuses:
            body = b"" if sim.rate_limited is None else _json_reply(200, error_body(venue, sim.rate_limited)).body
            return Reply(fault.status, body, headers)
        # Gateways answer 5xx with an HTML page, not the venue's JSON.
        return Reply(fault.status, SERVER_ERROR_PAGE % fault.status, headers, "text/html")

    def _record(self, route: Route, delivery: Delivery, fault: Fault | None, detail: str | None) -> Delivery:
        status = delivery.reply.status if delivery.reply is not None else None
        entry = Exchange(
            route.venue.name.value, route.endpoint.operation.value, status, fault.kind if fault else None, detail
        )
        self._history.append(entry)
        if self._log is not None:
            extra = ", ".join(x for x in (entry.fault and f"fault {entry.fault}", detail) if x)
            where = f"{entry.venue}.{entry.operation}{': ' + extra if extra else ''}"
            self._log(f"{route.endpoint.method} {route.endpoint.path.value} -> {status or 'dropped'} ({where})")
        return delivery

    # Control API ----------------------------------------------------------------------------------

    def _control(self, request: RawRequest) -> Reply:
        refused = _control_refusal(request)
        if refused is not None:
            return refused
        action = (request.method, request.path.removeprefix(CONTROL).strip("/"))
        try:
            payload = strict.loads(request.body) if request.body else {}
            if not isinstance(payload, dict):
                raise ValueError("the body must be a JSON object")
            query = {k: v[0] for k, v in parse_qs(request.query).items()}
            return self._control_action(action, payload, query)
        except (ValueError, KeyError, TypeError) as exc:
            message = exc.args[0] if exc.args else ""
            return _json_reply(400, {"error": f"{type(exc).__name__}: {message}"})

    def _control_action(self, action: tuple[str, str], payload: dict[str, Any], query: dict[str, str]) -> Reply:
        if action == ("GET", ""):
            return _json_reply(200, {"venues": {name: self._describe(v) for name, v in self.venues.items()}})
        if action == ("POST", "orders"):
            seeded = self.seed(payload["venue"], payload.get("orders", []), api_key=payload.get("api_key"))
            return _json_reply(200, {"orders": [o.to_json() for o in seeded]})
        if action == ("GET", "orders"):
            found = self.orders(query["venue"], api_key=query.get("api_key"))
            return _json_reply(200, {"orders": [o.to_json() for o in found]})
        if action == ("POST", "faults"):
            faults = [Fault.from_json(f) for f in payload.get("faults", [])]
            self.inject(*faults)
            return _json_reply(200, {"queued": len(faults)})
        if action == ("DELETE", "faults"):
            return _json_reply(200, {"cleared": self.clear_faults()})
        if action == ("POST", "accounts"):
            fields = [payload["venue"], payload["api_key"], payload["secret"], payload.get("passphrase", "")]
            if not all(isinstance(f, str) for f in fields):
                raise TypeError("venue, api_key, secret and passphrase must be strings")
            try:
                account = self.add_account(*fields)
            except AccountExists as exc:
                return _json_reply(409, {"error": str(exc)})
            return _json_reply(200, {"venue": payload["venue"], "api_key": account.api_key})
        if action == ("POST", "reset"):
            self.reset()
            return _json_reply(200, {"reset": True})
        return _json_reply(404, {"error": f"no control action {action[0]} {CONTROL}/{action[1]}"})

    def _describe(self, venue: Venue) -> dict[str, Any]:
        creds = venue.test_credentials.value if venue.test_credentials is not None else {}
        return {
            "base_url": self.base_url(venue.name.value),
            "test_api_key": creds.get("api_key"),
            "routes": [f"{e.method} {e.path.value}" for e in venue.endpoints],
        }


def _with_fault(reply: Reply, fault: Fault | None) -> Delivery:
    """The normal reply, altered by a fault that lets the venue act first."""
    if fault is None:
        return Delivery(reply)
    if fault.kind == "delay":
        return Delivery(reply, fault.seconds)
    if fault.kind == "malformed":
        return Delivery(Reply(reply.status, b"<html>not JSON", reply.headers, reply.content_type))
    if fault.kind in ("truncated", "cut"):
        half = reply.body[: len(reply.body) // 2]
        announced = len(reply.body) if fault.kind == "cut" else None
        return Delivery(Reply(reply.status, half, reply.headers, reply.content_type, announced))
    return Delivery(None)  # drop


def _loopback_name(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_of(authority: str) -> str:
    """The host of a Host header or an Origin's authority: port and IPv6 brackets removed."""
    if authority.startswith("["):
        return authority[1:].partition("]")[0]
    return authority.rpartition(":")[0] if authority.count(":") == 1 else authority


def _control_refusal(request: RawRequest) -> Reply | None:
    """Why a control request is refused, if it is: the control API has no authentication, so a web
    page must not reach it (DNS rebinding: a foreign Host; cross-site posts: an Origin, or a
    content type a form or a no-CORS fetch can send)."""
    host = request.header("Host")
    if host is None or not _loopback_name(_host_of(host.strip().lower())):
        return _json_reply(403, {"error": "the control API answers only requests to a loopback Host"})
    origin = request.header("Origin")
    if origin is not None:
        scheme, _, authority = origin.strip().lower().partition("://")
        if scheme not in ("http", "https") or not _loopback_name(_host_of(authority)):
            return _json_reply(403, {"error": "the control API refuses requests from a web page of another origin"})
    if request.method != "GET":
        content_type = (request.header("Content-Type") or "").partition(";")[0].strip().lower()
        if content_type != "application/json":
            return _json_reply(415, {"error": "control requests must be sent as Content-Type: application/json"})
    return None


def _require_loopback(host: str) -> None:
    # The control API has no authentication: never offer it beyond this machine.
    if not _loopback_name(host):
        raise SpecError(
            host, None, "simulator", "the simulator serves on a loopback address only (127.0.0.1, ::1 or localhost)"
        )


def _require_simulation(venue: Venue) -> None:
    if venue.simulation is None:
        raise SpecError(
            venue.file,
            None,
            "simulation",
            "the venue has no simulation section (its error answers), so it cannot be simulated",
        )
    for endpoint in venue.endpoints:
        if endpoint.simulation is None:
            raise SpecError(
                endpoint.file,
                None,
                "simulation",
                "the endpoint has no simulation section (its per-order answers), so it cannot be simulated",
            )


def _routes(venues: Sequence[Venue]) -> tuple[dict[tuple[str, str], Route], tuple[str, ...]]:
    """(method, path) -> route, for every endpoint at its own path and under /<venue>/; also the shared paths."""
    routes: dict[tuple[str, str], Route] = {}
    bare: dict[tuple[str, str], list[Route]] = {}
    for venue in venues:
        for endpoint in venue.endpoints:
            route = Route(venue, endpoint, ParamReader.for_endpoint(venue, endpoint))
            routes[(endpoint.method, f"/{venue.name.value}{endpoint.path.value}")] = route
            bare.setdefault((endpoint.method, endpoint.path.value), []).append(route)
    shared = tuple(sorted(f"{m} {p}" for (m, p), found in bare.items() if len(found) > 1))
    routes.update({key: found[0] for key, found in bare.items() if len(found) == 1})
    return routes, shared


# HTTP -------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "specgen-simulator"
    sys_version = ""
    timeout = HANDLER_TIMEOUT_SECONDS

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        simulator = self.server.simulator
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True  # the body's end is unknown, so the connection cannot be reused
            self._send(_json_reply(411, {"error": "send the body with a Content-Length"}))
            return
        try:
            length = strict.content_length(self.headers.get("Content-Length"))
        except ValueError as exc:
            self.close_connection = True
            self._send(_json_reply(400, {"error": str(exc)}))
            return
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(_json_reply(413, {"error": "body too large"}))
            return
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")  # the raw target, exactly as sent
        delivery = simulator.handle(RawRequest(self.command, path, query, tuple(self.headers.items()), body))
        if delivery.delay:
            simulator.pause(delivery.delay)
        if delivery.reply is None:
            self.close_connection = True
            return
        self._send(delivery.reply)

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(reply.announced or len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
            if reply.announced is not None:
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test, say)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request line holds the query and its signature; Simulator logs without them


# The command ------------------------------------------------------------------------------------


def serve_forever(
    config: Config, *, venue: str | None = None, host: str = "127.0.0.1", port: int = 8765, rate_limits: bool = False
) -> int:
    """`specgen serve`: run until interrupted; 0 on Ctrl-C."""
    from specgen.spec.specset import read_specs

    _require_loopback(host)  # before reading the specs: fail fast
    # A shell starts a background job with SIGINT ignored, and Python keeps an inherited SIG_IGN:
    # such a simulator would outlive `kill -INT`. Ctrl-C is how it stops, wherever it was started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    venues = read_specs(config.specs, config.root, only=venue)
    simulator = Simulator(
        venues, host=host, port=port, log=lambda line: print(line, file=sys.stderr, flush=True), rate_limits=rate_limits
    )
    simulator.start()
    try:
        print(
            f"specgen simulator on {simulator.url} (control API: {simulator.url}{CONTROL}); Ctrl-C stops it", flush=True
        )
        for name, v in simulator.venues.items():
            creds = v.test_credentials.value if v.test_credentials is not None else {}
            routes = ", ".join(f"{e.method} {e.path.value}" for e in v.endpoints)
            key = creds.get("api_key")
            urls = f"{simulator.base_url(name)} (or {simulator.url} for a path no other venue serves)"
            print(f"  {name}: base_url {urls}; test api key {key!r}; {routes}", flush=True)
        for shared in simulator.shared_paths:
            print(f"  note: {shared} is served by several venues; use base_url(<venue>) for it", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("simulator stopped", file=sys.stderr)
        return 0
    finally:
        simulator.stop()


def _holds(condition: Condition, params: dict[str, Any]) -> bool:
    """Whether a request parameter has one of the condition's values (an absent one never does)."""
    wanted = {v.value if isinstance(v, Text) else v for v in condition.values}
    value = params.get(condition.param.value)
    return value is not None and (value in wanted or str(value) in {str(w) for w in wanted})


def _template_match(template: str, path: str, suffix: bool = False) -> str | None:
    """The part of path that a route template ({name} being one segment) matches: all of it,
    or with suffix=True its end; None if it does not match."""
    pattern = "".join(
        "[^/]+" if p.startswith("{") else re.escape(p) for p in re.split(r"(\{[A-Za-z0-9_]+\})", template)
    )
    found = re.search(f"({pattern})$", path) if suffix else re.fullmatch(f"({pattern})", path)
    return found.group(1) if found else None
