"""Issue 16 item 2: rate limits from the spec. A Limiter built from a venue's quotas (the rate
limits its spec states in numbers) is shared by every client of one account and waits (sync and
async) or raises RateLimitExceeded before anything is sent; tested with a fake clock, no sleeps,
on every venue discovered from specs/ whose spec states a quota."""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import Any

import pytest
from specgen.simulator import Simulator
from specgen.spec.model import Venue
from specgen.spec.specset import read_specs

from tests.helpers import GENERATED, ROOT

sys.path.insert(0, str(GENERATED))  # the product packages, as test_client_faults imports them

PRODUCT = read_specs(ROOT / "specs", ROOT)
LIMITED = [v for v in PRODUCT if any(lim.enforced for e in v.endpoints for lim in e.rate_limit.limits)]
SYMBOL = "BTCUSDT"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def _quota(venue: Venue) -> tuple[str, Any]:
    package = importlib.import_module(venue.name.value)
    [(operation, quotas)] = [(op, q) for op, q in package.QUOTAS.items() if q][:1]
    return operation, min(quotas, key=lambda q: q.count / q.per_seconds)


def _extras(venue: Venue) -> dict[str, Any]:
    endpoint = venue.cancel_endpoint
    assert endpoint is not None and endpoint.cancel_orders is not None
    out: dict[str, Any] = {}
    for p in endpoint.cancel_orders.params:
        if p.required:
            first = p.type.values[0]  # type: ignore[attr-defined]
            out[p.python.value] = first.value if hasattr(first, "value") else first
    return out


def _client(simulator: Simulator, venue: Venue, limiter: Any, *, is_async: bool = False, api_key: str = "") -> Any:
    name = venue.name.value
    package = importlib.import_module(name)
    account = simulator.credentials(name)
    creds = {"api_key": account.api_key, "secret": account.secret}
    if account.passphrase:
        creds["passphrase"] = account.passphrase
    kind = package.AsyncClient if is_async else package.Client
    return kind(**creds, base_url=simulator.base_url(name), timeout=5.0, limiter=limiter)


def test_quotas_come_from_the_specs_and_unstated_ones_are_absent() -> None:
    assert LIMITED, "no product spec states a quota in numbers"
    for venue in PRODUCT:
        package = importlib.import_module(venue.name.value)
        for e in venue.endpoints:
            stated = [lim for lim in e.rate_limit.limits if lim.enforced]
            quotas = package.QUOTAS[e.operation.value]
            assert [(q.pool, q.count, q.per_seconds, q.per_order) for q in quotas] == [
                (lim.pool.value, lim.count, lim.per_seconds, lim.orders is not None) for lim in stated
            ]


@pytest.mark.parametrize("venue", LIMITED, ids=lambda v: v.name.value)
def test_the_limiter_raises_before_sending_and_is_shared_by_one_account(simulator: Simulator, venue: Venue) -> None:
    package = importlib.import_module(venue.name.value)
    clock = FakeClock()
    registry = package.Limiter.private_registry()
    operation, quota = _quota(venue)
    key = simulator.credentials(venue.name.value).api_key
    first = package.make_limiter(key, wait=False, clock=clock, sleep=clock.sleep, registry=registry)
    second = package.make_limiter(key, wait=False, clock=clock, sleep=clock.sleep, registry=registry)
    other = package.make_limiter("another-key", wait=False, clock=clock, registry=registry)
    assert key not in repr(first) and "redacted" in repr(first)
    for _ in range(quota.count):
        first.acquire(operation)
    with pytest.raises(package.RateLimitExceeded) as caught:
        second.acquire(operation)  # the same account: the same bucket
    # Every token was spent at this instant, so none returns before a whole window has passed.
    assert caught.value.pool == quota.pool and caught.value.wait == pytest.approx(quota.per_seconds)
    assert key not in str(caught.value)
    if quota.scope != "ip":
        other.acquire(operation)  # another account has its own
    # A client with the exhausted limiter refuses before sending: the simulator sees nothing.
    with _client(simulator, venue, second) as client:
        with pytest.raises(package.RateLimitExceeded):
            client.cancel_orders(SYMBOL, order_ids=["10000001"], **_extras(venue))
    assert simulator.history == ()
    clock.now += quota.per_seconds / 2
    with pytest.raises(package.RateLimitExceeded):
        second.acquire(operation)  # half a window later: still full (a refilling bucket would let one through)
    clock.now += quota.per_seconds / 2
    for _ in range(quota.count):
        second.acquire(operation)  # a window after they were spent, every token is back


@pytest.mark.parametrize("venue", LIMITED, ids=lambda v: v.name.value)
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_the_limiter_waits_on_the_fake_clock(simulator: Simulator, venue: Venue, is_async: bool) -> None:
    package = importlib.import_module(venue.name.value)
    clock = FakeClock()
    operation, quota = _quota(venue)
    key = simulator.credentials(venue.name.value).api_key
    limiter = package.make_limiter(
        key, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep, registry=package.Limiter.private_registry()
    )
    sends = 2 * quota.count + 1
    ids = [o.order_id for o in simulator.seed(venue.name.value, [{"instrument": SYMBOL} for _ in range(sends)])]
    if is_async:

        async def run() -> None:
            async with _client(simulator, venue, limiter, is_async=True) as client:
                for order_id in ids:
                    await client.cancel_orders(SYMBOL, order_ids=[order_id], **_extras(venue))

        asyncio.run(run())
    else:
        with _client(simulator, venue, limiter) as client:
            for order_id in ids:
                client.cancel_orders(SYMBOL, order_ids=[order_id], **_extras(venue))
    assert len(simulator.history) == sends
    # The first count went at once; the next count waited one window; the last one more.
    assert clock.slept == pytest.approx([quota.per_seconds, quota.per_seconds])
