"""What every venue's Client and AsyncClient share.

Their life cycle, sending under the retry policy, checking the ids a unified cancel is given,
and merging its requests' outcomes. Part of specgen's runtime, copied verbatim into every
generated package (and into the shared specgen_runtime package); do not edit. Standard
library only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from ._wire import JSON, Violation
from .accounting import Plan, unanswered, unreadable
from .errors import ApiError, ClientError, ResponseError, TransportError, ValidationError
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
    "Named",
    "cancel_in_requests",
    "cancel_in_requests_async",
    "numeric_ids",
    "sequence",
    "string_ids",
]

# (order id, client id) of each order one request of a cancel_orders call names.
Named = tuple[tuple[str | None, str | None], ...]

TYPE_CHECKING = False  # typing stays unimported at run time (see _wire.py)
if TYPE_CHECKING:
    from typing import ClassVar, Protocol, TypeVar

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
    Prepare = Callable[[], tuple[HttpRequest, dict[str, JSON]]]


def sequence(name: str, value: Sequence[T]) -> tuple[T, ...]:
    """A list parameter as a tuple; a single string is refused, not split into characters."""
    if isinstance(value, (str, bytes)):
        problem = "expected a list, not a single string"
        raise ValidationError([Violation("$." + name, "type", problem)])
    return tuple(value)


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
    results: Sequence[_Answered],
    calls: Sequence[tuple[object, Named]],
    refused: tuple[OrderOutcome, ...],
) -> tuple[OrderOutcome, ...]:
    """Every id's outcome when request len(results) raised: the answered ones, the refused
    request's own (unknown if the error gave none), and unknown for the ids not sent."""
    done = tuple(o for r in results for o in r.outcomes)
    failed = len(results)
    if not refused:
        why = "the request naming this order raised without outcomes"
        refused = _unknown(calls[failed][1], why)
    why = "not sent: an earlier request of this call raised"
    later = tuple(o for _, named in calls[failed + 1 :] for o in _unknown(named, why))
    return done + refused + later


def _merged(results: Sequence[_Answered]) -> CancelOrdersResult:
    return CancelOrdersResult(
        outcomes=tuple(o for r in results for o in r.outcomes),
        results=tuple(results),
        warnings=tuple(w for r in results for w in r.warnings),
    )


def cancel_in_requests(
    calls: Sequence[tuple[C, Named]], send: Callable[[C], R]
) -> CancelOrdersResult:
    """Send each request of a unified cancel in turn and merge their outcomes in request order.

    An ApiError, ResponseError or TransportError from one request carries every id's outcome:
    the requests before it, its own (unknown when no answer came), and unknown for the ids not
    sent.
    """
    results: list[R] = []
    for call, _ in calls:
        try:
            results.append(send(call))
        except (ApiError, ResponseError, TransportError) as exc:
            exc.outcomes = _so_far(results, calls, exc.outcomes)
            raise
    return _merged(results)


async def cancel_in_requests_async(
    calls: Sequence[tuple[C, Named]], send: Callable[[C], Awaitable[R]]
) -> CancelOrdersResult:
    """cancel_in_requests, awaiting each request."""
    results: list[R] = []
    for call, _ in calls:
        try:
            results.append(await send(call))
        except (ApiError, ResponseError, TransportError) as exc:
            exc.outcomes = _so_far(results, calls, exc.outcomes)
            raise
    return _merged(results)


class ClientCore:
    """The state both clients of a venue keep besides credentials.

    The base URL, the retry policy and whether the client is closed. Secrets never appear in
    its repr.
    """

    # From the venue spec: its addresses, and which statuses a RetryPolicy may resend
    # (status -> only when the answer carries Retry-After).
    production_url: ClassVar[str]
    testnet_url: ClassVar[str | None]
    retry_statuses: ClassVar[Mapping[int, bool]]
    # Where a refusal says how long to wait (the venue's header, then Retry-After).
    wait_headers: ClassVar[tuple[str, ...]]
    base_url: str
    retry: RetryPolicy | None
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
