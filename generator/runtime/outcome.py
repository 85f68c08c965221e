"""One order's outcome in a batch: the same type for every venue.

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["CancelOrdersResult", "OrderOutcome", "OutcomeState"]


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


@dataclass(frozen=True)
class OrderOutcome:
    """What happened to one order of a batch: the same shape for every venue.

    Every order sent gets exactly one, in request order; nothing is dropped. reason says why an
    order is unknown, or which contradictory reports the venue gave for it.
    """

    order_id: str | None
    client_id: str | None
    state: OutcomeState
    status: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    reason: str | None = None

    @property
    def cancelled(self) -> bool:
        """True only when the venue confirms the cancel (not when it merely accepted it)."""
        return self.state is OutcomeState.CANCELLED


@dataclass(frozen=True)
class CancelOrdersResult:
    """What a unified cancel_orders call did: the same type for every venue.

    outcomes holds one outcome per id passed, in the order passed (order ids, then client ids),
    however many requests the ids took; results holds each request's own typed result, in the
    order sent, and warnings what reading them found worth saying.
    """

    outcomes: tuple[OrderOutcome, ...]
    results: tuple[object, ...]
    warnings: tuple[str, ...] = ()

    @property
    def requests(self) -> int:
        """How many requests the call took (the ids split into the venue's batch size)."""
        return len(self.results)
