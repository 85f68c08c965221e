"""The venue's rate-limit pools as the simulator enforces them (Simulator(rate_limits=True)).

Each endpoint limit that states its numbers (requests, or orders, per per_seconds) is counted
over a sliding window per pool: per account for uid/api_key pools, once for the venue for ip
pools (every simulator client shares the loopback address). A request that would take a pool
past its number is refused, spends nothing, and gets the venue's rate-limited answer. Sliding
windows are the strictest reading of "N per second": a client that passes them passes a venue
that counts fixed windows too.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

from specgen.spec.model import Endpoint, Limit, Venue

# Pool scopes counted per account; ip pools are counted once per venue.
ACCOUNT_SCOPES = ("uid", "api_key")


@dataclass(frozen=True)
class Exceeded:
    pool: str
    count: int  # what the pool allows per window
    per_seconds: float


class _Window:
    def __init__(self) -> None:
        self.spends: collections.deque[tuple[int, int]] = collections.deque()  # (ms, cost)
        self.total = 0

    def used(self, now_ms: int, period_ms: int) -> int:
        """What the last period_ms hold (a spend leaves the window period_ms after it was made)."""
        while self.spends and self.spends[0][0] <= now_ms - period_ms:
            self.total -= self.spends.popleft()[1]
        return self.total


class RateLimits:
    """Sliding windows by venue, operation, limit (pool, unit, period) and account ('' for an ip
    pool), shared by the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str, str, bool, int, str], _Window] = {}

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def spend(self, venue: Venue, endpoint: Endpoint, api_key: str, orders: int, now_ms: int) -> Exceeded | None:
        """Count one request naming `orders` orders at now_ms, unless a pool has no room for it."""
        scopes = {p.name.value: p.scope for p in venue.pools}
        counted: list[tuple[_Window, int]] = []
        with self._lock:
            for limit in endpoint.rate_limit.limits:
                if not limit.enforced:
                    continue
                period = _period_ms(limit)
                who = api_key if scopes.get(limit.pool.value) in ACCOUNT_SCOPES else ""
                key = (
                    venue.name.value,
                    endpoint.operation.value,
                    limit.pool.value,
                    limit.orders is not None,
                    period,
                    who,
                )
                window = self._windows.setdefault(key, _Window())
                cost = orders if limit.orders is not None else 1
                if window.used(now_ms, period) + cost > _count(limit):
                    return Exceeded(limit.pool.value, _count(limit), float(limit.per_seconds or 0))
                counted.append((window, cost))
            for window, cost in counted:
                window.spends.append((now_ms, cost))
                window.total += cost
        return None


def _count(limit: Limit) -> int:
    assert limit.count is not None
    return limit.count


def _period_ms(limit: Limit) -> int:
    assert limit.per_seconds is not None
    return round(limit.per_seconds * 1000)


def orders_named(endpoint: Endpoint, params: dict[str, object]) -> int:
    """How many orders a request names: the items of its order lists (Endpoint.order_lists)."""
    total = 0
    for p in endpoint.order_lists:
        sent = params.get(p.wire.value)
        total += len(sent) if isinstance(sent, list) else 0
    return total
