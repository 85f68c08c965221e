"""The venue's rate-limit pools as the simulator enforces them (Simulator(rate_limits=True)).

Each charge of an endpoint (spec/ratelimits.py: its own limits that state numbers, and the
budgets of the pools it draws on) is counted over a sliding window: per account for uid/api_key
pools, once for the venue for ip pools (every simulator client shares the loopback address);
an endpoint's own limit has a window of its own, a pool's budget one window for every endpoint
that draws on it. A request that would take a window past its count is refused, spends nothing,
and gets the venue's rate-limited answer. Sliding windows are the strictest reading of "N per
second": a client that passes them passes a venue that counts fixed windows too.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

from specgen.spec.model import Endpoint, Venue


@dataclass(frozen=True)
class Exceeded:
    pool: str
    count: int  # what the pool allows per window
    per_seconds: float
    unit: str  # requests | weight | orders
    retry_after_ms: int  # until the request would fit (0: never, it is larger than a whole window)


class _Window:
    def __init__(self) -> None:
        self.spends: collections.deque[tuple[int, int]] = collections.deque()  # (ms, cost)
        self.total = 0

    def used(self, now_ms: int, period_ms: int) -> int:
        """What the last period_ms hold (a spend leaves the window period_ms after it was made)."""
        while self.spends and self.spends[0][0] <= now_ms - period_ms:
            self.total -= self.spends.popleft()[1]
        return self.total

    def room_at(self, now_ms: int, period_ms: int, cost: int, count: int) -> int:
        """Milliseconds until cost fits beside what the window holds (0: never)."""
        free = count - self.total
        for stamp, spent in self.spends:  # oldest first: when enough has left the window
            free += spent
            if free >= cost:
                return stamp + period_ms - now_ms
        return 0


class RateLimits:
    """Sliding windows by venue, operation ('' for a pool's shared budget), pool, unit, period and
    account ('' for an ip pool), shared by the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str, str, str, int, str], _Window] = {}

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def spend(self, venue: Venue, endpoint: Endpoint, api_key: str, orders: int, now_ms: int) -> Exceeded | None:
        """Count one request naming `orders` orders at now_ms, unless a window has no room for it."""
        counted: list[tuple[_Window, int]] = []
        with self._lock:
            for charge in endpoint.rate_limit.charges:
                period = round(charge.per_seconds * 1000)
                key = (
                    venue.name.value,
                    "" if charge.pool_wide else endpoint.operation.value,
                    charge.pool.value,
                    charge.unit,
                    period,
                    api_key if charge.per_account else "",
                )
                window = self._windows.setdefault(key, _Window())
                cost = charge.cost(orders)
                if window.used(now_ms, period) + cost > charge.count:
                    wait = window.room_at(now_ms, period, cost, charge.count) if cost <= charge.count else 0
                    return Exceeded(charge.pool.value, charge.count, float(charge.per_seconds), charge.unit, wait)
                counted.append((window, cost))
            for window, cost in counted:
                window.spends.append((now_ms, cost))
                window.total += cost
        return None


def orders_named(endpoint: Endpoint, params: dict[str, object]) -> int:
    """How many orders a request names: the items of its order lists (Endpoint.order_lists)."""
    total = 0
    for p in endpoint.order_lists:
        sent = params.get(p.wire.value)
        total += len(sent) if isinstance(sent, list) else 0
    return total
