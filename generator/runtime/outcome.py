"""One order's outcome in a batch: the same type for every venue.

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

from enum import Enum

from ._wire import Record, init_field

__all__ = ["Answered", "CancelOrdersResult", "OrderOutcome", "OutcomeState"]


class OutcomeState(str, Enum):  # noqa: UP042  (str() stays "OutcomeState.X", as it was)
    """What happened to one order of a batch."""

    CANCELLED = "cancelled"
    "The venue confirms the order is cancelled."
    ACCEPTED = "accepted"
    "The venue accepted the cancel and says the final state comes later."
    FAILED = "failed"
    "The venue did not cancel it: error_code and error_message say why."
    UNKNOWN = "unknown"
    "The response does not account for the order: reason says why."


class OrderOutcome(Record):
    """What happened to one order of a batch: the same shape for every venue.

    Every order sent gets exactly one, in request order; nothing is dropped. reason says why an
    order is unknown, or which contradictory reports the venue gave for it.
    """

    __slots__ = (
        "order_id",
        "client_id",
        "state",
        "status",
        "error_code",
        "error_message",
        "reason",
    )
    order_id: str | None
    client_id: str | None
    state: OutcomeState
    status: str | None
    error_code: str | None
    error_message: str | None
    reason: str | None

    def __init__(
        self,
        order_id: str | None,
        client_id: str | None,
        state: OutcomeState,
        status: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        reason: str | None = None,
    ) -> None:
        init_field(self, "order_id", order_id)
        init_field(self, "client_id", client_id)
        init_field(self, "state", state)
        init_field(self, "status", status)
        init_field(self, "error_code", error_code)
        init_field(self, "error_message", error_message)
        init_field(self, "reason", reason)

    @property
    def cancelled(self) -> bool:
        """True only when the venue confirms the cancel (not when it merely accepted it)."""
        return self.state is OutcomeState.CANCELLED


class Answered(Record):
    """What every endpoint's result offers: its outcomes sorted by state (one per order sent).

    Attributes:
        outcomes: exactly one per order sent, in request order.
        warnings: what the response said that does not fit: contradictory reports, values kept
            as raw text.
    """

    __slots__ = ()
    outcomes: tuple[OrderOutcome, ...]
    warnings: tuple[str, ...]

    def in_state(self, state: OutcomeState) -> tuple[OrderOutcome, ...]:
        """The outcomes in state, in request order."""
        return tuple(o for o in self.outcomes if o.state is state)

    @property
    def cancelled(self) -> tuple[OrderOutcome, ...]:
        """The orders the venue confirms cancelled."""
        return self.in_state(OutcomeState.CANCELLED)

    @property
    def accepted(self) -> tuple[OrderOutcome, ...]:
        """The orders whose cancel the venue accepted, to be done later."""
        return self.in_state(OutcomeState.ACCEPTED)

    @property
    def failed(self) -> tuple[OrderOutcome, ...]:
        """The orders the venue did not cancel (error_code and error_message say why)."""
        return self.in_state(OutcomeState.FAILED)

    @property
    def unknown(self) -> tuple[OrderOutcome, ...]:
        """The orders the response does not account for (reason says why)."""
        return self.in_state(OutcomeState.UNKNOWN)


class CancelOrdersResult(Record):
    """What a unified cancel_orders call did: the same type for every venue.

    outcomes holds one outcome per id passed, in the order passed (order ids, then client ids),
    however many requests the ids took; results holds each request's own typed result, in the
    order sent (where the venue cancels one order per request, the ApiError that refused one
    order stands as its request's result), and warnings what reading them found worth saying.
    """

    __slots__ = ("outcomes", "results", "warnings")
    outcomes: tuple[OrderOutcome, ...]
    results: tuple[object, ...]
    warnings: tuple[str, ...]

    def __init__(
        self,
        outcomes: tuple[OrderOutcome, ...],
        results: tuple[object, ...],
        warnings: tuple[str, ...] = (),
    ) -> None:
        init_field(self, "outcomes", outcomes)
        init_field(self, "results", results)
        init_field(self, "warnings", warnings)

    @property
    def requests(self) -> int:
        """How many requests the call took (the ids split into the venue's batch size)."""
        return len(self.results)
