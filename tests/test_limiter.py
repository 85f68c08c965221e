"""Issue 16 item 2: rate limits from the spec. A Limiter built from a venue's quotas (each
method's own limits stated in numbers, and the budgets of the pools it draws on) is shared by
every client of one account and waits (sync and async) or raises RateLimitExceeded before
anything is sent; tested with a fake clock, no sleeps, on every venue discovered from specs/
whose spec states a quota. Windows are filled through the limiter itself (no request sent), so
a budget of thousands costs no more than one of ten."""

from __future__ import annotations

import asyncio
import importlib
import sys

import pytest
from specgen.simulator import Simulator
from specgen.spec.model import Venue
from specgen.spec.specset import read_specs

from tests import rate_limit_kit as kit
from tests.helpers import GENERATED, ROOT

sys.path.insert(0, str(GENERATED))  # the product packages, as test_client_faults imports them

PRODUCT = read_specs(ROOT / "specs", ROOT)
LIMITED = kit.limited(PRODUCT)


def test_quotas_come_from_the_specs_and_unstated_ones_are_absent() -> None:
    assert LIMITED, "no product spec states a quota in numbers"
    assert any(c.pool_wide for v in LIMITED for e in v.endpoints for c in e.rate_limit.charges), "no pool budget"
    for venue in PRODUCT:
        package = importlib.import_module(venue.name.value)
        for e in venue.endpoints:
            quotas = package.QUOTAS[e.operation.value]
            assert [(q.pool, q.scope, q.count, q.per_seconds, q.unit, q.weight, q.pool_wide) for q in quotas] == [
                (c.pool.value, c.scope, c.count, c.per_seconds, c.unit, c.weight, c.pool_wide)
                for c in e.rate_limit.charges
            ]
            # Own limits stated in numbers, and the budgets of the pools named without numbers.
            own = [lim for lim in e.rate_limit.limits if lim.enforced]
            assert [q.pool for q in quotas if not q.pool_wide] == [lim.pool.value for lim in own]
            drawn = [
                p
                for lim in e.rate_limit.limits
                if lim.count is None and lim.group is None
                for p in venue.pools
                if p.name == lim.pool
            ]
            assert [q.pool for q in quotas if q.pool_wide] == [p.name.value for p in drawn for _ in p.budgets]


@pytest.mark.parametrize("venue", LIMITED, ids=lambda v: v.name.value)
def test_the_limiter_raises_before_sending_and_is_shared_by_one_account(simulator: Simulator, venue: Venue) -> None:
    package = importlib.import_module(venue.name.value)
    clock = kit.FakeClock()
    registry = package.Limiter.private_registry()
    operation = kit.limited_endpoint(venue).operation.value
    quota = kit.binding(venue)
    key = simulator.credentials(venue.name.value).api_key
    first = package.make_limiter(key, wait=False, clock=clock, sleep=clock.sleep, registry=registry)
    second = package.make_limiter(key, wait=False, clock=clock, sleep=clock.sleep, registry=registry)
    other = package.make_limiter("another-key", wait=False, clock=clock, registry=registry)
    assert key not in repr(first) and "redacted" in repr(first)
    for _ in range(kit.room(quota)):
        first.acquire(operation)
    with pytest.raises(package.RateLimitExceeded) as caught:
        second.acquire(operation)  # the same account: the same bucket
    # Every token was spent at this instant, so none returns before a whole window has passed.
    assert caught.value.pool == quota.pool and caught.value.wait == pytest.approx(quota.per_seconds)
    assert key not in str(caught.value)
    if quota.scope != "ip":
        other.acquire(operation)  # another account has its own
    # A client with the exhausted limiter refuses before sending: the simulator sees nothing.
    with kit.client(simulator, venue, limiter=second) as client:
        with pytest.raises(package.RateLimitExceeded):
            kit.call(client, venue, "10000001")
    assert simulator.history == ()
    clock.now += quota.per_seconds / 2
    with pytest.raises(package.RateLimitExceeded):
        second.acquire(operation)  # half a window later: still full (a refilling bucket would let one through)
    clock.now += quota.per_seconds / 2
    for _ in range(kit.room(quota)):
        second.acquire(operation)  # a window after they were spent, every token is back


@pytest.mark.parametrize("venue", LIMITED, ids=lambda v: v.name.value)
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_the_limiter_waits_on_the_fake_clock(simulator: Simulator, venue: Venue, is_async: bool) -> None:
    package = importlib.import_module(venue.name.value)
    clock = kit.FakeClock()
    operation = kit.limited_endpoint(venue).operation.value
    quota = kit.binding(venue)
    key = simulator.credentials(venue.name.value).api_key
    limiter = package.make_limiter(
        key, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep, registry=package.Limiter.private_registry()
    )
    for _ in range(kit.room(quota) - 1):  # all but one request's room, spent at this instant
        limiter.acquire(operation)
    ids = [o.order_id for o in simulator.seed(venue.name.value, [{"instrument": kit.SYMBOL} for _ in range(3)])]
    if is_async:

        async def run() -> None:
            async with kit.client(simulator, venue, limiter=limiter, is_async=True) as client:
                for order_id in ids:
                    await kit.call(client, venue, order_id)

        asyncio.run(run())
    else:
        with kit.client(simulator, venue, limiter=limiter) as client:
            for order_id in ids:
                kit.call(client, venue, order_id)
    assert len(simulator.history) == 3
    # The first went at once; the second waited until the window's spends came back; the third fitted.
    assert clock.slept == pytest.approx([quota.per_seconds])
