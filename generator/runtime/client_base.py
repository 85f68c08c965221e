"""What every venue's Client and AsyncClient share.

Building, sending and reading any endpoint's request from its facts as data (Endpoint), their
life cycle, sending under the retry policy, checking the ids a unified cancel is given, and
merging its requests' outcomes. Part of specgen's runtime, copied verbatim into every
generated package (and into the shared specgen_runtime package); do not edit. Standard
library only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from ._wire import JSON, Violation, compact_json, percent_encoded, query_scalar, query_text
from .accounting import Plan, unanswered, unreadable
from .answers import Envelope, read
from .errors import (
    ApiError,
    AuthenticationError,
    ClientError,
    RateLimitError,
    ResponseError,
    TransportError,
    ValidationError,
)
from .outcome import CancelOrdersResult, OrderOutcome, OutcomeState
from .retry import RetryPolicy, async_send_with_retry, send_with_retry
from .transport import (
    AsyncHttpxTransport,
    AsyncTransport,
    HttpRequest,
    HttpResponse,
    Transport,
    UrllibTransport,
)

__all__ = [
    "AsyncClientBase",
    "ClientBase",
    "ClientCore",
    "Credentials",
    "Endpoint",
    "Named",
    "cancel_in_requests",
    "cancel_in_requests_async",
    "numeric_ids",
    "optional_sequence",
    "sequence",
    "string_ids",
]

# (order id, client id) of each order one request of a cancel_orders call names.
Named = tuple[tuple[str | None, str | None], ...]

TYPE_CHECKING = False  # typing stays unimported at run time (see _wire.py)
if TYPE_CHECKING:
    from typing import ClassVar, Protocol, TypeVar

    from ._wire import Model
    from .limiter import Limiter

    class _Wired(Protocol):
        def to_wire(self) -> dict[str, JSON]: ...

    class _Answered(Protocol):
        @property
        def outcomes(self) -> tuple[OrderOutcome, ...]: ...

        @property
        def warnings(self) -> tuple[str, ...]: ...

    T = TypeVar("T")
    C = TypeVar("C")
    S = TypeVar("S", bound="ClientBase")
    A = TypeVar("A", bound="AsyncClientBase")
    R = TypeVar("R", bound=_Answered)
    W = TypeVar("W", bound=_Wired)
    M = TypeVar("M", bound=Model)
    Prepare = Callable[[], tuple[HttpRequest, dict[str, JSON]]]
    Parse = Callable[[HttpResponse, dict[str, JSON]], R]


class Endpoint:
    """One endpoint's facts as data, from its spec: how a client builds, signs and reads it.

    params lists the wire parameters in the spec's order; sources maps those the client fills
    to (the auth value that fills it: timestamp, recv_window, ...; whether it is sent as an
    integer). query and body name the parameters each place holds (body_kind "array": the one
    list sent as the whole body); path_pieces, for a templated path, are (is parameter, text or
    wire name) in order. parse reads a validated body into the response model, and data names
    the model's field that holds the payload (None: the whole body is the payload).
    """

    __slots__ = (
        "name",
        "method",
        "path",
        "params",
        "sources",
        "filled",
        "sourced",
        "sources_last",
        "whole_body",
        "whole_query",
        "validate_request",
        "validate_response",
        "signed",
        "content_type",
        "body_kind",
        "query",
        "body",
        "list_encodings",
        "path_pieces",
        "plan",
        "critical",
        "order_lists",
        "parse",
        "data",
    )

    def __init__(
        self,
        name: str,
        method: str,
        path: str,
        params: tuple[str, ...],
        validate_request: Callable[[Mapping[str, JSON]], list[Violation]],
        validate_response: Callable[[JSON], list[Violation]],
        *,
        sources: Mapping[str, tuple[str, bool]] | None = None,
        signed: bool = True,
        content_type: str | None = None,
        body_kind: str = "json",
        query: tuple[str, ...] = (),
        body: tuple[str, ...] = (),
        list_encodings: Mapping[str, str] | None = None,
        path_pieces: tuple[tuple[bool, str], ...] = (),
        plan: Plan | None = None,
        critical: tuple[str, ...] = (),
        order_lists: tuple[str, ...] = (),
        parse: Callable[[JSON], object] = lambda body: body,
        data: str | None = None,
    ) -> None:
        self.name = name
        self.method = method
        self.path = path
        self.params = params
        self.sources = sources or {}
        # Each parameter with where its value comes from ("": the call), looked up once here.
        filled: list[tuple[str, str, bool]] = []
        for wire in params:
            source, integer = self.sources.get(wire, ("", False))
            filled.append((wire, source, integer))
        self.filled = tuple(filled)
        self.sourced = tuple(f for f in self.filled if f[1])
        # The call's own parameters come first (a model's to_wire writes them in this order):
        # the wire parameters are then the call's with the auth values added, no reordering.
        self.sources_last = all(f[1] for f in self.filled[len(params) - len(self.sourced) :])
        self.whole_body = set(params) <= set(body)  # the JSON body is every wire parameter
        self.whole_query = set(params) <= set(query)  # and the query
        self.validate_request = validate_request
        self.validate_response = validate_response
        self.signed = signed
        self.content_type = content_type
        self.body_kind = body_kind
        self.query = query
        self.body = body
        self.list_encodings = list_encodings or {}
        self.path_pieces = path_pieces
        self.plan = plan
        self.critical = critical
        self.order_lists = order_lists  # the list fields that count orders against a quota
        self.parse = parse
        self.data = data

    def orders(self, call: object) -> int:
        """How many orders call names, as a quota counts them (1 when it counts requests)."""
        if not self.order_lists:
            return 1
        return sum(len(getattr(call, name) or ()) for name in self.order_lists)

    def __repr__(self) -> str:
        return f"Endpoint({self.name!r}, {self.method!r}, {self.path!r})"


def sequence(name: str, value: Sequence[T]) -> tuple[T, ...]:
    """A list parameter as a tuple; a single string is refused, not split into characters."""
    if isinstance(value, (str, bytes)):
        problem = "expected a list, not a single string"
        raise ValidationError([Violation("$." + name, "type", problem)])
    return tuple(value)


def optional_sequence(name: str, value: Sequence[T] | None) -> tuple[T, ...] | None:
    """An optional list parameter as a tuple (None, not given, stays None)."""
    return None if value is None else sequence(name, value)


def string_ids(name: str, ids: Sequence[str]) -> tuple[str, ...]:
    """Ids as given: a list of non-empty strings."""
    found = sequence(name, ids)
    for i, value in enumerate(found):
        if not isinstance(value, str) or not value:
            problem = "expected a non-empty string id"
            raise ValidationError([Violation(f"$.{name}[{i}]", "type", problem)])
    return found


def numeric_ids(name: str, ids: tuple[str, ...]) -> tuple[int, ...]:
    """String ids as the integers a venue wants; an id that is not a number is refused."""
    for i, value in enumerate(ids):
        if not (value.isascii() and value.isdigit()):
            problem = "this venue's ids are integers; this one is not a number"
            raise ValidationError([Violation(f"$.{name}[{i}]", "type", problem)])
    return tuple(int(value) for value in ids)


def _unknown(named: Named, reason: str) -> tuple[OrderOutcome, ...]:
    return tuple(
        OrderOutcome(order_id, client_id, OutcomeState.UNKNOWN, reason=reason)
        for order_id, client_id in named
    )


def _so_far(
    done: Sequence[OrderOutcome],
    calls: Sequence[tuple[object, Named]],
    sent: int,
    refused: tuple[OrderOutcome, ...],
) -> tuple[OrderOutcome, ...]:
    """Every id's outcome when request number sent raised: the answered ones, the refused
    request's own (unknown if the error gave none), and unknown for the ids not sent."""
    if not refused:
        why = "the request naming this order raised without outcomes"
        refused = _unknown(calls[sent][1], why)
    why = "not sent: an earlier request of this call raised"
    later = tuple(o for _, named in calls[sent + 1 :] for o in _unknown(named, why))
    return tuple(done) + refused + later


def _settles(exc: Exception) -> bool:
    """Whether an error answer to a one-order request is that order's outcome.

    It is when the venue refused to cancel the order (every outcome failed; an HTTP 5xx leaves
    them unknown) and the refusal is not of the caller (authentication) nor of the pace (rate
    limit), which the next id would meet too.
    """
    return (
        isinstance(exc, ApiError)
        and not isinstance(exc, (AuthenticationError, RateLimitError))
        and bool(exc.outcomes)
        and all(o.state is OutcomeState.FAILED for o in exc.outcomes)
    )


class _Merge:
    """The outcomes, results and warnings of a unified cancel's requests, in request order."""

    def __init__(self, calls: Sequence[tuple[object, Named]], one_by_one: bool) -> None:
        self.calls = calls
        self.one_by_one = one_by_one
        self.outcomes: list[OrderOutcome] = []
        self.results: list[object] = []
        self.warnings: list[str] = []

    def add(self, result: _Answered) -> None:
        self.outcomes.extend(result.outcomes)
        self.results.append(result)
        self.warnings.extend(result.warnings)

    def refused(self, exc: ApiError | ResponseError | TransportError) -> None:
        """Keep a one-order request's refusal as its outcome, or raise it with every id's outcome."""
        if self.one_by_one and _settles(exc):
            self.outcomes.extend(exc.outcomes)
            self.results.append(exc)
            return
        exc.outcomes = _so_far(self.outcomes, self.calls, len(self.results), exc.outcomes)
        raise exc

    def merged(self) -> CancelOrdersResult:
        return CancelOrdersResult(tuple(self.outcomes), tuple(self.results), tuple(self.warnings))


def cancel_in_requests(
    calls: Sequence[tuple[C, Named]], send: Callable[[C], R], one_by_one: bool = False
) -> CancelOrdersResult:
    """Send each request of a unified cancel in turn and merge their outcomes in request order.

    An ApiError, ResponseError or TransportError from one request carries every id's outcome:
    the requests before it, its own (unknown when no answer came), and unknown for the ids not
    sent. one_by_one (each request names one order): the venue's refusal to cancel one order is
    that order's failed outcome, its ApiError its result, and the call goes on.
    """
    merge = _Merge(calls, one_by_one)
    for call, _ in calls:
        try:
            merge.add(send(call))
        except (ApiError, ResponseError, TransportError) as exc:
            merge.refused(exc)
    return merge.merged()


async def cancel_in_requests_async(
    calls: Sequence[tuple[C, Named]], send: Callable[[C], Awaitable[R]], one_by_one: bool = False
) -> CancelOrdersResult:
    """cancel_in_requests, awaiting each request."""
    merge = _Merge(calls, one_by_one)
    for call, _ in calls:
        try:
            merge.add(await send(call))
        except (ApiError, ResponseError, TransportError) as exc:
            merge.refused(exc)
    return merge.merged()


class Credentials:
    """What requests are signed with; never shown.

    sign is the signature of a message under the secret: the signer (make_signer(secret)) is
    made on the first request and kept, not redone for every request; a secret that cannot be
    decoded fails that request.
    """

    __slots__ = ("api_key", "secret", "passphrase", "sign", "_make_signer")

    def __init__(
        self,
        api_key: str,
        secret: str,
        passphrase: str,
        make_signer: Callable[[str], Callable[[bytes], str]],
    ) -> None:
        self.api_key = api_key
        self.secret = secret
        self.passphrase = passphrase
        self._make_signer = make_signer
        self.sign: Callable[[bytes], str] = self._first_sign

    def _first_sign(self, message: bytes) -> str:
        self.sign = self._make_signer(self.secret)
        return self.sign(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"


class ClientCore:
    """The state both clients of a venue keep besides credentials.

    The base URL, the retry policy and whether the client is closed. Secrets never appear in
    its repr.

    Each endpoint's module (endpoints/<operation>.py) adds, besides the call itself:

    - build_<operation>(call): the signed request for call (the whole request model), exactly
      as it would be sent; ValidationError when call breaks a rule of the spec.
    - parse_<operation>(response, params): the typed result of an answer (HttpResponse) to a
      request built from the wire parameters params (they name the orders sent), with one
      outcome per order sent; ApiError when the venue answered with an error code (a subclass
      says what it means), ResponseError when the answer is not JSON or not the documented
      shape.
    - send_<operation>(call): the call with the whole request model (built by hand or by
      from_json): sent, and its answer parsed.
    """

    # From the venue spec: its addresses, and which statuses a RetryPolicy may resend
    # (status -> only when the answer carries Retry-After).
    production_url: ClassVar[str]
    testnet_url: ClassVar[str | None]
    retry_statuses: ClassVar[Mapping[int, bool]]
    # Where a refusal says how long to wait (the venue's header, then Retry-After).
    wait_headers: ClassVar[tuple[str, ...]]
    # How the venue's answers say success or failure, and how its query text is escaped.
    envelope: ClassVar[Envelope]
    query_safe: ClassVar[str]
    base_url: str
    retry: RetryPolicy | None
    limiter: Limiter | None
    _closed: bool

    def _connect(self, base_url: str | None, testnet: bool, retry: RetryPolicy | None) -> None:
        if base_url is None:
            if testnet and self.testnet_url is None:
                raise ValueError("this venue's spec documents no testnet; pass base_url")
            base_url = self.testnet_url if testnet and self.testnet_url else self.production_url
        self.base_url = base_url.rstrip("/")
        self.retry = retry
        self._closed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<redacted>)"

    def _check_open(self) -> None:
        if self._closed:
            raise ClientError(f"this {type(self).__name__} is closed")

    # The venue's own parts: the auth values of one request, and signing it (client.py).
    def _auth_values(self, path: str) -> dict[str, str]:
        raise NotImplementedError

    def _signed(
        self, endpoint: Endpoint, path: str, query: str, body: str, values: dict[str, str]
    ) -> HttpRequest:
        """The request to send: path, query and body as built, signed if the endpoint is."""
        raise NotImplementedError

    def _prepare(self, endpoint: Endpoint, call: _Wired) -> tuple[HttpRequest, dict[str, JSON]]:
        """The signed request for call, and the wire parameters it was built from.

        Raises ValidationError, before anything is signed, when the parameters break a rule.
        """
        given = call.to_wire()
        values = self._auth_values(endpoint.path)
        if endpoint.sources_last:
            params = given
            filling = endpoint.sourced
        else:
            params = {}
            filling = endpoint.filled
        for wire, source, integer in filling:
            if not source:
                if wire in given:
                    params[wire] = given[wire]
            elif source in values:
                params[wire] = int(values[source]) if integer else values[source]
        problems = endpoint.validate_request(params)
        if problems:
            raise ValidationError(problems)
        path = endpoint.path
        if endpoint.path_pieces:
            path = "".join(
                percent_encoded(query_scalar(params[piece]), "") if is_param else piece
                for is_param, piece in endpoint.path_pieces
            )
        names = endpoint.query
        if names:
            named = None if endpoint.whole_query else names
            query = query_text(params, named, endpoint.list_encodings, self.query_safe)
        else:
            query = ""
        kind = endpoint.body_kind
        names = endpoint.body
        if kind == "json":
            body = compact_json(
                params if endpoint.whole_body else {k: v for k, v in params.items() if k in names}
            )
        elif kind == "array":
            body = compact_json(params.get(names[0], []))
        elif kind == "form":
            body = query_text(params, names, endpoint.list_encodings, self.query_safe)
        else:
            body = ""
        return self._signed(endpoint, path, query, body, values), params

    def _read(
        self,
        endpoint: Endpoint,
        response: HttpResponse,
        params: dict[str, JSON],
        parse: Callable[[JSON], T],
    ) -> tuple[T, tuple[OrderOutcome, ...], tuple[str, ...]]:
        """The typed answer, its outcomes (one per order sent) and its warnings."""
        return read(
            self.envelope,
            response,
            params,
            endpoint.plan,
            endpoint.critical,
            endpoint.validate_response,
            parse,
        )

    def _parse(
        self, endpoint: Endpoint, response: HttpResponse, params: dict[str, JSON], result: type[M]
    ) -> M:
        """An endpoint's result of response: the typed answer, its payload, outcomes, warnings."""
        parsed, outcomes, warnings = self._read(endpoint, response, params, endpoint.parse)
        data = parsed if endpoint.data is None else getattr(parsed, endpoint.data)
        return result._of(parsed, data, outcomes, warnings)


class ClientBase(ClientCore):
    """A blocking client's transport and life cycle.

    close() (or `with Client(...) as client:`) releases the transport the client made; a
    transport passed in is the caller's to close.
    """

    transport: Transport
    _owns_transport: bool

    def _use_transport(self, transport: Transport | None, timeout: float) -> None:
        self._owns_transport = transport is None
        self.transport = transport if transport is not None else UrllibTransport(timeout)

    def close(self) -> None:
        """Release the transport this client made (a transport passed in stays open)."""
        if not self._closed:
            self._closed = True
            if self._owns_transport:
                close: Callable[[], object] | None = getattr(self.transport, "close", None)
                if close is not None:
                    close()

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(
        self, prepare: Prepare, plan: Plan | None = None
    ) -> tuple[HttpResponse, dict[str, JSON]]:
        """Send under the retry policy.

        With the endpoint's plan, an error that leaves no answer to read carries every order's
        outcome (see _lost).
        """
        self._check_open()
        sent = _Sent(prepare)
        try:
            return send_with_retry(
                self.transport, sent, self.retry, self.retry_statuses, self.wait_headers
            )
        except (TransportError, ResponseError) as exc:
            _lost(exc, plan, sent.params)
            raise

    def _call(self, endpoint: Endpoint, call: W, parse: Parse[R]) -> R:
        """Wait for the limiter, send call under the retry policy and parse the answer."""
        if self.limiter is not None:
            self.limiter.acquire(endpoint.name, endpoint.orders(call))
        response, params = self._send(lambda: self._prepare(endpoint, call), endpoint.plan)
        return parse(response, params)


class AsyncClientBase(ClientCore):
    """An asyncio client's transport and life cycle.

    `async with AsyncClient(...) as client:` (or `await client.aclose()`) releases the
    transport it made; a transport passed in (any object with `async send`) stays open.
    """

    transport: AsyncTransport
    _owns_transport: bool

    def _use_transport(self, transport: AsyncTransport | None, timeout: float) -> None:
        self._owns_transport = transport is None
        self.transport = transport if transport is not None else AsyncHttpxTransport(timeout)

    async def aclose(self) -> None:
        """Release the transport this client made (a transport passed in stays open)."""
        if not self._closed:
            self._closed = True
            if self._owns_transport:
                aclose: Callable[[], Awaitable[object]] | None = getattr(
                    self.transport, "aclose", None
                )
                if aclose is not None:
                    await aclose()

    async def __aenter__(self: A) -> A:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _send(
        self, prepare: Prepare, plan: Plan | None = None
    ) -> tuple[HttpResponse, dict[str, JSON]]:
        """ClientBase._send, awaited."""
        self._check_open()
        sent = _Sent(prepare)
        try:
            return await async_send_with_retry(
                self.transport, sent, self.retry, self.retry_statuses, self.wait_headers
            )
        except (TransportError, ResponseError) as exc:
            _lost(exc, plan, sent.params)
            raise

    async def _call(self, endpoint: Endpoint, call: W, parse: Parse[R]) -> R:
        """ClientBase._call, awaited."""
        if self.limiter is not None:
            await self.limiter.async_acquire(endpoint.name, endpoint.orders(call))
        response, params = await self._send(lambda: self._prepare(endpoint, call), endpoint.plan)
        return parse(response, params)


class _Sent:
    """A request's preparation, remembering the wire parameters of the last one made."""

    def __init__(self, prepare: Prepare) -> None:
        self.prepare = prepare
        self.params: dict[str, JSON] | None = None

    def __call__(self) -> tuple[HttpRequest, dict[str, JSON]]:
        request, self.params = self.prepare()
        return request, self.params


def _lost(
    exc: TransportError | ResponseError, plan: Plan | None, params: dict[str, JSON] | None
) -> None:
    """Give an error that left no answer to read one unknown outcome per order sent.

    A request that got no answer (a timeout, a reset) or none to read (a redirect, too large a
    body) may have been acted on, unless the error already says what became of each order.
    """
    if plan is None or params is None or exc.outcomes:
        return
    why = str(exc)
    exc.outcomes = (
        unanswered(plan, params, why)
        if isinstance(exc, TransportError)
        else unreadable(plan, params, why)
    )
