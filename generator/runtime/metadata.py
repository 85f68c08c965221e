"""What the specs say of each operation besides its parameters.

Method and path, rate limits, the largest batch (conditional limits included), and splitting
ids into batches. Each venue package's operations.py holds its operations as data of these
types. Part of specgen's runtime, copied verbatim into every generated package (and into the
shared specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ._wire import Record, in_enum, init_field

__all__ = ["ConditionalLimit", "Operation", "RateLimit", "RateLimitPool", "batches"]

TYPE_CHECKING = False  # typing stays unimported at run time (see _wire.py)
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")


class RateLimitPool(Record):
    """A budget the venue counts per IP, account or key (its spec's rate_limit_pools).

    unit: what the budgets count (requests, weight or orders); budgets: (count, per_seconds)
    pairs shared by every operation that draws on the pool, empty where the document gives none.
    """

    __slots__ = ("name", "scope", "description", "unit", "budgets")
    name: str
    scope: str  # ip | uid | api_key
    description: str
    unit: str
    budgets: tuple[tuple[int, float], ...]

    def __init__(
        self,
        name: str,
        scope: str,
        description: str,
        unit: str = "requests",
        budgets: tuple[tuple[int, float], ...] = (),
    ) -> None:
        init_field(self, "name", name)
        init_field(self, "scope", scope)
        init_field(self, "description", description)
        init_field(self, "unit", unit)
        init_field(self, "budgets", budgets)


class RateLimit(Record):
    """requests (or orders) per per_seconds in pool; None where the venue's document does not say."""

    __slots__ = ("pool", "requests", "per_seconds", "group", "orders")
    pool: str
    requests: int | None
    per_seconds: float | None
    group: int | None
    orders: int | None

    def __init__(
        self,
        pool: str,
        requests: int | None,
        per_seconds: float | None,
        group: int | None = None,
        orders: int | None = None,
    ) -> None:
        init_field(self, "pool", pool)
        init_field(self, "requests", requests)
        init_field(self, "per_seconds", per_seconds)
        init_field(self, "group", group)
        init_field(self, "orders", orders)


class ConditionalLimit(Record):
    """At most `max_items` in `param` when `when_param` is one of `when_values` (Python names)."""

    __slots__ = ("param", "max_items", "when_param", "when_values")
    param: str
    max_items: int
    when_param: str
    when_values: tuple[object, ...]

    def __init__(
        self, param: str, max_items: int, when_param: str, when_values: tuple[object, ...]
    ) -> None:
        init_field(self, "param", param)
        init_field(self, "max_items", max_items)
        init_field(self, "when_param", when_param)
        init_field(self, "when_values", when_values)


class Operation(Record):
    """One endpoint as its spec describes it, besides its parameters."""

    __slots__ = (
        "name",
        "method",
        "path",
        "signed",
        "weight",
        "rate_limits",
        "max_items",
        "conditional_limits",
        "source_url",
    )
    name: str
    method: str
    path: str
    signed: bool
    weight: int | None
    rate_limits: tuple[RateLimit, ...]
    max_items: int | None
    conditional_limits: tuple[ConditionalLimit, ...]
    source_url: str | None

    def __init__(
        self,
        name: str,
        method: str,
        path: str,
        *,
        signed: bool = True,
        weight: int | None = None,
        rate_limits: tuple[RateLimit, ...] = (),
        max_items: int | None = None,
        conditional_limits: tuple[ConditionalLimit, ...] = (),
        source_url: str | None = None,
    ) -> None:
        init_field(self, "name", name)
        init_field(self, "method", method)
        init_field(self, "path", path)
        init_field(self, "signed", signed)
        init_field(self, "weight", weight)
        init_field(self, "rate_limits", rate_limits)
        init_field(self, "max_items", max_items)
        init_field(self, "conditional_limits", conditional_limits)
        init_field(self, "source_url", source_url)

    def batch_size(self, **params: object) -> int | None:
        """The largest list one call may send, given its other parameters by their Python names."""
        size = self.max_items
        for limit in self.conditional_limits:
            value = params.get(limit.when_param)
            if in_enum(value, limit.when_values):
                size = limit.max_items if size is None else min(size, limit.max_items)
        return size


def batches(items: Sequence[T], size: int) -> Iterator[tuple[T, ...]]:
    """Split items into consecutive batches of at most size, keeping their order."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    if isinstance(items, (str, bytes)):
        raise TypeError("pass a sequence of ids, not a single string")
    for start in range(0, len(items), size):
        yield tuple(items[start : start + size])
