"""Client-side rate limiting from the spec's pools: token buckets, shared by every client of one
account, that wait (sync or async) or raise RateLimitExceeded before a request is sent.

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from .errors import ClientError

__all__ = ["Limiter", "Quota", "RateLimitExceeded"]

# Pools counted per account; any other scope (ip) is counted once per process for the venue.
_ACCOUNT_SCOPES = ("uid", "api_key", "account", "key")


class RateLimitExceeded(ClientError):
    """Sending now would exceed a rate-limit pool, and the limiter was told not to wait.

    pool: the pool's name in the venue spec; wait: seconds until the request would fit.
    """

    def __init__(self, pool: str, wait: float) -> None:
        super().__init__(
            f"rate-limit pool {pool!r} is exhausted for {wait:.3f} s more; nothing was sent"
        )
        self.pool = pool
        self.wait = wait


@dataclass(frozen=True)
class Quota:
    """At most `requests` requests per `per_seconds` seconds in `pool`, counted by `scope`."""

    pool: str
    scope: str
    requests: int
    per_seconds: float


class _Bucket:
    """requests tokens, refilled continuously over per_seconds; one token per request."""

    def __init__(self, quota: Quota, now: float) -> None:
        self.capacity = float(quota.requests)
        self.rate = quota.requests / quota.per_seconds
        self.tokens = self.capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = max(self.stamp, now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class _Registry:
    """Buckets by (venue, operation, pool, account digest): every limiter of one account shares them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.buckets: dict[tuple[str, str, str, str], _Bucket] = {}


_SHARED = _Registry()


class Limiter:
    """Token buckets for one account of one venue, built from the spec's rate limits.

    quotas maps each operation to its quotas (a client passes its venue's, from OPERATIONS);
    an operation without quotas is not limited, since a pool the document does not state is not
    guessed. wait=True sleeps until a request fits (sleep, or async_sleep in AsyncClient); wait=False
    raises RateLimitExceeded instead. Limiters of the same venue and API key share their buckets
    (the key is kept only as a digest, and never shown).
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
        async_sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        registry: _Registry | None = None,
    ) -> None:
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
        """Buckets of their own (for tests, or limiters that must not share)."""
        return _Registry()

    def _take(self, operation: str) -> tuple[str, float]:
        """Take a token from every bucket of operation if all have one: ('', 0.0); otherwise
        take nothing and say which pool is short and for how long."""
        quotas = self.quotas.get(operation, ())
        if not quotas:
            return "", 0.0
        now = self._clock()
        with self._registry.lock:
            buckets = []
            for q in quotas:
                who = self._account if q.scope in _ACCOUNT_SCOPES else ""
                key = (self.venue, operation, q.pool, who)
                bucket = self._registry.buckets.get(key)
                if bucket is None:
                    bucket = self._registry.buckets[key] = _Bucket(q, now)
                buckets.append((q.pool, bucket))
            waits = [(bucket.wait(now), pool) for pool, bucket in buckets]
            longest, pool = max(waits)
            if longest > 0.0:
                return pool, longest
            for _, bucket in buckets:
                bucket.tokens -= 1.0
            return "", 0.0

    def acquire(self, operation: str) -> None:
        """Block (or raise RateLimitExceeded) until operation may send one request."""
        while True:
            pool, wait = self._take(operation)
            if wait <= 0.0:
                return
            if not self.wait:
                raise RateLimitExceeded(pool, wait)
            self._sleep(wait)

    async def async_acquire(self, operation: str) -> None:
        """acquire, awaiting instead of blocking."""
        while True:
            pool, wait = self._take(operation)
            if wait <= 0.0:
                return
            if not self.wait:
                raise RateLimitExceeded(pool, wait)
            await self._async_sleep(wait)
