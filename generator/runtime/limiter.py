"""Client-side rate limiting from the spec's pools, before a request is sent.

Windows of tokens (each returned a window after it was spent), shared by every client of one
account, that wait (sync or async) or raise RateLimitExceeded. Part of specgen's runtime,
copied verbatim into every generated package (and into the shared specgen_runtime package);
do not edit. Standard library only.
"""

from __future__ import annotations

import _thread
import collections
import math
import time
from collections.abc import Awaitable, Callable, Mapping

from ._wire import Record, init_field
from .errors import ClientError

__all__ = ["Limiter", "Quota", "RateLimitExceeded"]

# Pools counted per account; any other scope (ip) is counted once per process for the venue.
_ACCOUNT_SCOPES = ("uid", "api_key")


class RateLimitExceeded(ClientError):
    """Sending now would exceed a rate-limit pool, and the limiter was told not to wait.

    pool: the pool's name in the venue spec; wait: seconds until the request would fit (inf:
    never, the request naming more orders than the pool allows in a window).
    """

    def __init__(self, pool: str, wait: float) -> None:
        if math.isinf(wait):
            said = f"the request is larger than rate-limit pool {pool!r} allows in a whole window"
        else:
            said = f"rate-limit pool {pool!r} is exhausted for {wait:.3f} s more"
        super().__init__(f"{said}; nothing was sent")
        self.pool = pool
        self.wait = wait


class Quota(Record):
    """At most `count` units per `per_seconds` seconds in `pool`, counted by `scope`.

    unit: requests (one a request), weight (`weight` a request) or orders (one per order the
    request names). pool_wide: the pool's budget, one window for every operation that draws on it;
    otherwise the operation's own limit, a window of its own.
    """

    __slots__ = ("pool", "scope", "count", "per_seconds", "unit", "weight", "pool_wide")
    pool: str
    scope: str
    count: int
    per_seconds: float
    unit: str
    weight: int
    pool_wide: bool

    def __init__(
        self,
        pool: str,
        scope: str,
        count: int,
        per_seconds: float,
        unit: str = "requests",
        weight: int = 1,
        pool_wide: bool = False,
    ) -> None:
        init_field(self, "pool", pool)
        init_field(self, "scope", scope)
        init_field(self, "count", count)
        init_field(self, "per_seconds", per_seconds)
        init_field(self, "unit", unit)
        init_field(self, "weight", weight)
        init_field(self, "pool_wide", pool_wide)

    def cost(self, orders: int) -> int:
        """Units a request naming `orders` orders takes."""
        return orders if self.unit == "orders" else self.weight if self.unit == "weight" else 1


class _Window:
    """The spends of the last per_seconds seconds. A spend returns its tokens exactly
    per_seconds after it was made, so no window of that length (sliding, or the venue's
    fixed one) ever holds more than count; a refilling token bucket lets up to twice
    count through in one window after an idle spell."""

    def __init__(self, quota: Quota) -> None:
        self.capacity = quota.count
        self.period = float(quota.per_seconds)
        self.spends: collections.deque[tuple[float, int]] = collections.deque()
        self.used = 0

    def wait(self, now: float, cost: int) -> float:
        """Seconds until cost fits (0.0: now; inf: never, cost being more than the whole quota)."""
        while self.spends and self.spends[0][0] <= now - self.period:
            self.used -= self.spends.popleft()[1]
        free = self.capacity - self.used
        if free >= cost:
            return 0.0
        for stamp, spent in self.spends:  # oldest first: when enough has returned
            free += spent
            if free >= cost:
                return stamp + self.period - now
        return math.inf

    def spend(self, now: float, cost: int) -> None:
        self.spends.append((now, cost))
        self.used += cost


class _Registry:
    """Windows by venue, operation ('' for a pool's shared budget), quota (pool, unit, period)
    and account digest ('' for an ip pool): every limiter of one account shares them."""

    def __init__(self) -> None:
        self.lock = _thread.allocate_lock()  # threading's Lock, without importing threading
        self.windows: dict[tuple[str, str, str, str, float, str], _Window] = {}


_SHARED = _Registry()


class Limiter:
    """Rate limiting for one account of one venue, built from the spec's rate limits.

    quotas maps each operation to its quotas (a client passes its venue's QUOTAS); an operation
    without quotas is not limited, since a pool the document does not state is not guessed. A
    request takes what each quota charges it (one request, the operation's weight, or one per
    order it names), from the operation's own window or, for a pool's budget, from the window
    every operation drawing on that pool shares. wait=True sleeps until a request fits (sleep,
    or async_sleep in AsyncClient); wait=False raises RateLimitExceeded instead, as does a
    request larger than a whole quota.
    Limiters of the same venue and API key share their windows (the key is kept only as a
    digest, and never shown).
    """

    def __init__(
        self,
        venue: str,
        api_key: str,
        quotas: Mapping[str, tuple[Quota, ...]],
        *,
        wait: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        async_sleep: Callable[[float], Awaitable[object]] | None = None,
        registry: _Registry | None = None,
    ) -> None:
        # asyncio and hashlib are imported here, not at the top: they cost every import.
        import hashlib

        if async_sleep is None:
            import asyncio

            async_sleep = asyncio.sleep
        self.venue = venue
        self._account = hashlib.sha256(api_key.encode("utf-8")).hexdigest()
        self.quotas = dict(quotas)
        self.wait = wait
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._registry = registry if registry is not None else _SHARED

    def __repr__(self) -> str:
        return f"Limiter(venue={self.venue!r}, wait={self.wait!r}, account=<redacted>)"

    @staticmethod
    def private_registry() -> _Registry:
        """Windows of their own (for tests, or limiters that must not share)."""
        return _Registry()

    def _take(self, operation: str, orders: int) -> tuple[str, float]:
        """Spend on every quota of operation if all have room: ('', 0.0); otherwise spend
        nothing and say which pool is short and for how long."""
        quotas = self.quotas.get(operation, ())
        if not quotas:
            return "", 0.0
        now = self._clock()
        with self._registry.lock:
            windows = []
            for q in quotas:
                who = self._account if q.scope in _ACCOUNT_SCOPES else ""
                key = (
                    self.venue,
                    "" if q.pool_wide else operation,
                    q.pool,
                    q.unit,
                    q.per_seconds,
                    who,
                )
                window = self._registry.windows.get(key)
                if window is None:
                    window = self._registry.windows[key] = _Window(q)
                windows.append((q.pool, window, q.cost(orders)))
            longest, pool = max((window.wait(now, cost), pool) for pool, window, cost in windows)
            if longest > 0.0:
                return pool, longest
            for _, window, cost in windows:
                window.spend(now, cost)
            return "", 0.0

    def _check(self, pool: str, wait: float) -> None:
        if not self.wait or math.isinf(wait):
            raise RateLimitExceeded(pool, wait)

    def acquire(self, operation: str, orders: int = 1) -> None:
        """Block (or raise RateLimitExceeded) until operation may send one request naming orders orders."""
        while True:
            pool, wait = self._take(operation, orders)
            if wait <= 0.0:
                return
            self._check(pool, wait)
            self._sleep(wait)

    async def async_acquire(self, operation: str, orders: int = 1) -> None:
        """acquire, awaiting instead of blocking."""
        while True:
            pool, wait = self._take(operation, orders)
            if wait <= 0.0:
                return
            self._check(pool, wait)
            await self._async_sleep(wait)
