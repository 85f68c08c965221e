"""Issue 16 item 2, the other side: the simulator enforces the spec's rate-limit pools (when asked:
Simulator(rate_limits=True), `specgen serve --rate-limits`) and answers as the venue does, and the
generated limiter keeps a client inside them. The simulator, the limiter and the client's signing
clock all run on one fake clock, so nothing sleeps. Product venues are discovered from specs/;
limits counted in orders are tested on a frozen fixture copy (no product document states one)."""

from __future__ import annotations

import asyncio
import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from specgen.simulator import Simulator
from specgen.spec.model import Venue
from specgen.spec.specset import read_specs

from tests.helpers import FIXTURE_SPECS, GENERATED, ROOT, scratch_project

sys.path.insert(0, str(GENERATED))  # the product packages, as test_client_faults imports them

PRODUCT = read_specs(ROOT / "specs", ROOT)
LIMITED = [v for v in PRODUCT if any(lim.enforced for e in v.endpoints for lim in e.rate_limit.limits)]
SYMBOL = "BTCUSDT"
TICKS_PER_SECOND = {"s": 1, "ms": 1000, "us": 1_000_000}


class FakeClock:
    """Seconds for the limiter; the simulator reads it in ms and the client in its venue's unit."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def ms(self) -> int:
        return round(self.now * 1000)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limited(clock: FakeClock) -> Iterator[Simulator]:
    with Simulator(PRODUCT, clock=clock.ms, rate_limits=True) as sim:
        yield sim


def _extras(venue: Venue) -> dict[str, Any]:
    endpoint = venue.cancel_endpoint
    assert endpoint is not None and endpoint.cancel_orders is not None
    out: dict[str, Any] = {}
    for p in endpoint.cancel_orders.params:
        if p.required:
            first = p.type.values[0]  # type: ignore[attr-defined]
            out[p.python.value] = first.value if hasattr(first, "value") else first
    return out


def _client(sim: Simulator, venue: Venue, clock: FakeClock, limiter: Any = None, *, is_async: bool = False) -> Any:
    name = venue.name.value
    package = importlib.import_module(name)
    account = sim.credentials(name)
    creds = {"api_key": account.api_key, "secret": account.secret}
    if account.passphrase:
        creds["passphrase"] = account.passphrase
    ticks = TICKS_PER_SECOND[venue.auth.clock_unit]
    kind = package.AsyncClient if is_async else package.Client
    return kind(
        **creds,
        base_url=sim.base_url(name),
        timeout=5.0,
        limiter=limiter,
        clock=lambda: round(clock.now * ticks),
    )


def _quota(venue: Venue) -> tuple[str, Any]:
    package = importlib.import_module(venue.name.value)
    operation, quotas = next((op, q) for op, q in package.QUOTAS.items() if q)
    return operation, min(quotas, key=lambda q: q.count / q.per_seconds)


def _limited(sim: Simulator) -> list[str]:
    return [e.detail or "" for e in sim.history if (e.detail or "").startswith("rate limit")]


def test_the_simulator_does_not_count_unless_asked(clock: FakeClock) -> None:
    assert LIMITED, "no product spec states a rate limit in numbers"
    with Simulator(PRODUCT, clock=clock.ms) as simulator:
        for venue in LIMITED:
            _, quota = _quota(venue)
            with _client(simulator, venue, clock) as client:
                for order in simulator.seed(venue.name.value, [{"instrument": SYMBOL}] * (quota.count + 1)):
                    client.cancel_orders(SYMBOL, order_ids=[order.order_id], **_extras(venue))
        assert _limited(simulator) == [] and len(simulator.history) == sum(_quota(v)[1].count + 1 for v in LIMITED)


@pytest.mark.parametrize("venue", LIMITED, ids=lambda v: v.name.value)
def test_a_client_over_a_pool_gets_the_venues_rate_limit_answer(
    limited: Simulator, clock: FakeClock, venue: Venue
) -> None:
    package = importlib.import_module(venue.name.value)
    _, quota = _quota(venue)
    orders = limited.seed(venue.name.value, [{"instrument": SYMBOL}] * (quota.count + 2))
    with _client(limited, venue, clock) as client:
        for order in orders[: quota.count]:
            client.cancel_orders(SYMBOL, order_ids=[order.order_id], **_extras(venue))
        with pytest.raises(package.RateLimitError) as caught:
            client.cancel_orders(SYMBOL, order_ids=[orders[quota.count].order_id], **_extras(venue))
        sim = venue.simulation
        assert sim is not None
        if sim.rate_limited is not None:  # the venue's own code and status
            assert caught.value.code == sim.rate_limited.code
            assert caught.value.http_status == sim.rate_limited.http_status
        else:
            assert caught.value.http_status in venue.rate_limit_statuses
        assert limited.order(venue.name.value, orders[quota.count].order_id).status == "open"  # refused: nothing done
        clock.now += quota.per_seconds  # a window later the pool has room again
        client.cancel_orders(SYMBOL, order_ids=[orders[quota.count + 1].order_id], **_extras(venue))
    assert len(_limited(limited)) == 1


@pytest.mark.parametrize("venue", LIMITED, ids=lambda v: v.name.value)
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_the_generated_limiter_keeps_a_client_inside_the_pools(
    limited: Simulator, clock: FakeClock, venue: Venue, is_async: bool
) -> None:
    package = importlib.import_module(venue.name.value)
    _, quota = _quota(venue)
    limiter = package.make_limiter(
        limited.credentials(venue.name.value).api_key,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
        registry=package.Limiter.private_registry(),
    )
    # An idle spell first: a token bucket would be full again and let a second burst through.
    sends = 3 * quota.count + 1
    orders = limited.seed(venue.name.value, [{"instrument": SYMBOL}] * sends)
    if is_async:

        async def run() -> list[Any]:
            async with _client(limited, venue, clock, limiter, is_async=True) as client:
                return [await client.cancel_orders(SYMBOL, order_ids=[o.order_id], **_extras(venue)) for o in orders]

        results = asyncio.run(run())
    else:
        with _client(limited, venue, clock, limiter) as client:
            results = [client.cancel_orders(SYMBOL, order_ids=[o.order_id], **_extras(venue)) for o in orders]
    assert _limited(limited) == []
    assert [r.outcomes[0].state.value for r in results] == ["cancelled"] * sends
    assert clock.slept == pytest.approx([quota.per_seconds] * 3)


# Limits counted in orders: a frozen fixture copy that states one ----------------------------------

ORDERS_VENUE = "fx_orders"
ORDERS_PER_SECOND = 5


@pytest.fixture(scope="module")
def orders_venue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Venue, Any]]:
    """fx_passphrase (10 requests/s per UID) with a second limit of 5 orders/s, generated and importable."""
    root = tmp_path_factory.mktemp("orders-limit")
    specs = root / "specs"
    shutil.copytree(FIXTURE_SPECS / "fx_passphrase", specs / ORDERS_VENUE)
    [spec] = [p for p in (specs / ORDERS_VENUE).glob("*.yaml") if p.name != "venue.yaml"]
    raw = yaml.safe_load(spec.read_text("utf-8"))
    text = spec.read_text("utf-8")
    assert raw["rate_limit"]["limits"] == [{"pool": "uid", "requests": 10, "per_seconds": 1}]
    text = text.replace(
        "    - {pool: uid, requests: 10, per_seconds: 1}\n",
        "    - {pool: uid, requests: 10, per_seconds: 1}\n"
        f"    - {{pool: uid, orders: {ORDERS_PER_SECOND}, per_seconds: 1}}\n",
    )
    spec.write_text(text, "utf-8")
    venue_yaml = specs / ORDERS_VENUE / "venue.yaml"
    venue_yaml.write_text(venue_yaml.read_text("utf-8").replace("fx_passphrase", ORDERS_VENUE), "utf-8")
    project = scratch_project(root, specs=specs)
    generated = project / "generated"
    sys.path.insert(0, str(generated))
    try:
        [venue] = read_specs(project / "specs", project)
        yield venue, importlib.import_module(ORDERS_VENUE)
    finally:
        sys.path.remove(str(generated))


def test_a_limit_counted_in_orders_takes_one_token_per_order(orders_venue: tuple[Venue, Any], clock: FakeClock) -> None:
    venue, package = orders_venue
    operation = venue.endpoints[0].operation.value
    assert [(q.count, q.per_order) for q in package.QUOTAS[operation]] == [(10, False), (ORDERS_PER_SECOND, True)]
    with Simulator([venue], clock=clock.ms, rate_limits=True) as sim:
        seeded = sim.seed(ORDERS_VENUE, [{"instrument": SYMBOL}] * 12)
        ids = [o.order_id for o in seeded]

        def cancel(client: Any, chosen: list[str]) -> Any:
            items = [package.BatchCancelItem(order_id=i) for i in chosen]
            return client.batch_cancel_order(symbol=SYMBOL, order_list=items)

        # Without a limiter: 3 orders, then 3 more in the same second are one order too many.
        with _client(sim, venue, clock) as client:
            cancel(client, ids[:3])
            with pytest.raises(package.RateLimitError):
                cancel(client, ids[3:6])
        assert [d for d in _limited(sim)] == [f"rate limit: pool uid allows {ORDERS_PER_SECOND} per 1 s"]
        clock.now += 1
        # With one: the second call waits a window, since it names more orders than are left.
        limiter = package.make_limiter(
            sim.credentials(ORDERS_VENUE).api_key,
            clock=clock,
            sleep=clock.sleep,
            registry=package.Limiter.private_registry(),
        )
        with _client(sim, venue, clock, limiter) as client:
            cancel(client, ids[3:6])
            cancel(client, ids[6:9])
            with pytest.raises(package.RateLimitExceeded) as caught:
                limiter.acquire(operation, orders=ORDERS_PER_SECOND + 1)  # more than a whole window allows
            assert "larger than" in str(caught.value)
        assert clock.slept == pytest.approx([1.0])
        assert len(_limited(sim)) == 1


def test_a_limit_in_orders_needs_a_list_of_orders(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(FIXTURE_SPECS / "fx_passphrase", specs / "fx_passphrase")
    [spec] = [p for p in (specs / "fx_passphrase").glob("*.yaml") if p.name != "venue.yaml"]
    text = spec.read_text("utf-8")
    spec.write_text(text.replace("{pool: uid, requests: 10, per_seconds: 1}", "{pool: uid, requests: 10, orders: 5}"))
    from specgen.errors import SpecErrors

    with pytest.raises(SpecErrors) as caught:
        read_specs(specs, tmp_path)
    assert any(str(spec.name) in e.render() for e in caught.value.errors)
