"""Issue 16 item 2, the other side: the simulator enforces the spec's rate limits (when asked:
Simulator(rate_limits=True), `specgen serve --rate-limits`) and answers as the venue does, and the
generated limiter keeps a client inside them. The simulator, the limiter and the client's signing
clock all run on one fake clock, so nothing sleeps. Product venues are discovered from specs/
(their windows filled in place, so budgets in the thousands cost nothing); a pool counted in
weight and shared by two methods, and limits counted in orders, are tested on frozen fixture
copies with small numbers."""

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

from tests import rate_limit_kit as kit
from tests.helpers import FIXTURE_SPECS, GENERATED, ROOT, scratch_project

sys.path.insert(0, str(GENERATED))  # the product packages, as test_client_faults imports them

PRODUCT = read_specs(ROOT / "specs", ROOT)
LIMITED = kit.limited(PRODUCT)
SYMBOL = kit.SYMBOL
FakeClock = kit.FakeClock
_client = kit.client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limited(clock: FakeClock) -> Iterator[Simulator]:
    with Simulator(PRODUCT, clock=clock.ms, rate_limits=True) as sim:
        yield sim


def _limited(sim: Simulator) -> list[str]:
    return [e.detail or "" for e in sim.history if (e.detail or "").startswith("rate limit")]


@pytest.mark.parametrize("venue", LIMITED, ids=lambda v: v.name.value)
def test_a_client_over_a_pool_gets_the_venues_rate_limit_answer(
    limited: Simulator, clock: FakeClock, venue: Venue
) -> None:
    package = importlib.import_module(venue.name.value)
    quota = kit.binding(venue)
    kit.fill(limited, venue, kit.room(quota) - 1, clock.ms())  # room for one request left
    orders = limited.seed(venue.name.value, [{"instrument": SYMBOL}] * 3)
    recording = kit.Recording(package.UrllibTransport(5.0))
    with _client(limited, venue, clock, transport=recording) as client:
        kit.call(client, venue, orders[0].order_id)
        with pytest.raises(package.RateLimitError) as caught:
            kit.call(client, venue, orders[1].order_id)
        sim = venue.simulation
        assert sim is not None
        if sim.rate_limited is not None:  # the venue's own code and status
            code = sim.rate_limited.code
            assert caught.value.code == str(getattr(code, "value", code))  # codes reach callers as text
            assert caught.value.http_status == sim.rate_limited.http_status
        else:
            assert caught.value.http_status in venue.rate_limit_statuses
        # The wait, in whole seconds, where the venue's document says its answer gives it (and the
        # client reads it from there); else nothing.
        refused = recording.answers[-1]
        if venue.retry_after_header is not None:
            assert refused.header(venue.retry_after_header.value) == f"{quota.per_seconds:g}"
            assert caught.value.retry_after == quota.per_seconds
        else:
            assert refused.header("Retry-After") is None and caught.value.retry_after is None
        if kit.limited_endpoint(venue).cancel_orders is not None:  # refused: nothing done
            assert limited.order(venue.name.value, orders[1].order_id).status == "open"
        clock.now += quota.per_seconds  # a window later the pool has room again
        kit.call(client, venue, orders[2].order_id)
    unit = "" if quota.unit == "requests" else f" {quota.unit}"
    assert _limited(limited) == [
        f"rate limit: pool {quota.pool} allows {quota.count}{unit} per {quota.per_seconds:g} s"
    ]


@pytest.mark.parametrize("venue", LIMITED, ids=lambda v: v.name.value)
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_the_generated_limiter_keeps_a_client_inside_the_pools(
    limited: Simulator, clock: FakeClock, venue: Venue, is_async: bool
) -> None:
    quota = kit.binding(venue)
    operation = kit.limited_endpoint(venue).operation.value
    limiter = kit.limiter(limited, venue.name.value, clock)
    # The same spends on both sides at one instant, leaving room for one request: the limiter must
    # wait exactly until the simulator's window lets the next one in, never less.
    kit.fill(limited, venue, kit.room(quota) - 1, clock.ms())
    for _ in range(kit.room(quota) - 1):
        limiter.acquire(operation, orders=1 if kit.limited_endpoint(venue).order_lists else 0)
    orders = limited.seed(venue.name.value, [{"instrument": SYMBOL}] * 3)
    if is_async:

        async def run() -> list[Any]:
            async with _client(limited, venue, clock, limiter, is_async=True) as client:
                return [await kit.call(client, venue, o.order_id) for o in orders]

        results = asyncio.run(run())
    else:
        with _client(limited, venue, clock, limiter) as client:
            results = [kit.call(client, venue, o.order_id) for o in orders]
    assert _limited(limited) == [] and len(results) == 3
    assert clock.slept == pytest.approx([quota.per_seconds])


def _generated(root: Path, specs: Path, name: str) -> Iterator[tuple[Venue, Any]]:
    """The one venue of specs, generated into a scratch project under root and importable meanwhile."""
    project = scratch_project(root, specs=specs)
    generated = project / "generated"
    sys.path.insert(0, str(generated))
    try:
        [venue] = read_specs(project / "specs", project)
        yield venue, importlib.import_module(name)
    finally:
        sys.path.remove(str(generated))


# A pool counted in weight, shared by two methods: a frozen fixture copy -------------------------

WEIGHT_VENUE = "fx_weights"
BUDGET = 10  # weight per second, shared
WEIGHTS = {"batch_cancel_order": 3, "batch_cancel_order_b": 4}
WAIT_HEADER = "X-Wait-Seconds"  # the venue's own name for Retry-After


@pytest.fixture(scope="module")
def weight_venue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Venue, Any]]:
    """fx_passphrase with a second method on another path, both drawing on one pool counted in
    weight (10 per second per UID), at weights 3 and 4; its refusals say how long to wait in a
    header of its own, and a 429 may be resent only when it says."""
    root = tmp_path_factory.mktemp("weights")
    specs = root / "specs"
    folder = specs / WEIGHT_VENUE
    shutil.copytree(FIXTURE_SPECS / "fx_passphrase", folder)
    [spec] = [p for p in folder.glob("*.yaml") if p.name != "venue.yaml"]
    text = spec.read_text("utf-8")
    own = "  limits:\n    - {pool: uid, requests: 10, per_seconds: 1}\n"
    assert own in text and "weight:" not in text
    for operation, weight in WEIGHTS.items():
        drawn = text.replace(own, f"  weight: {weight}\n  limits:\n    - {{pool: group}}\n")
        if operation != "batch_cancel_order":  # the same shape on its own path, with its own models
            drawn = drawn.replace("operation: batch_cancel_order", f"operation: {operation}")
            drawn = drawn.replace("/batch-cancel-order", "/batch-cancel-order-b").replace(
                "model: Batch", "model: BBatch"
            )
        (folder / f"{operation}.yaml").write_text(drawn, "utf-8")
    venue_yaml = folder / "venue.yaml"
    text = venue_yaml.read_text("utf-8").replace("fx_passphrase", WEIGHT_VENUE)
    pools = "rate_limit_pools:\n"
    assert text.count(pools) == 1 and text.count("\nsimulation:\n") == 1
    text = text.replace(
        pools,
        pools + "  - name: group\n    scope: uid\n    unit: weight\n"
        f"    budgets: [{{count: {BUDGET}, per_seconds: 1}}]\n"
        "    source: A test budget.\n    description: Weight per UID, shared by both methods.\n",
    )
    statuses = "  rate_limit_statuses: [429, 418]\n"
    assert text.count(statuses) == 1 and "retry:" not in text
    text = text.replace(
        statuses,
        statuses + f"  retry_after: {{header: {WAIT_HEADER}, source: A test header.}}\n"
        "  retry:\n    - {status: 429, only_with_retry_after: true}\n",
    )
    venue_yaml.write_text(text, "utf-8")
    yield from _generated(root, specs, WEIGHT_VENUE)


def _cancel(package: Any, client: Any, operation: str, order_id: str) -> Any:
    item = package.BatchCancelItem if operation == "batch_cancel_order" else package.BBatchCancelItem
    return getattr(client, operation)(symbol=SYMBOL, order_list=[item(order_id=order_id)])


def test_a_pool_in_weight_is_one_window_for_every_method_that_draws_on_it(
    weight_venue: tuple[Venue, Any], clock: FakeClock
) -> None:
    venue, package = weight_venue
    assert {op: [(q.pool, q.count, q.unit, q.weight, q.pool_wide) for q in package.QUOTAS[op]] for op in WEIGHTS} == {
        op: [("group", BUDGET, "weight", w, True)] for op, w in WEIGHTS.items()
    }
    first, second = WEIGHTS
    registry = package.Limiter.private_registry()
    limiter = package.make_limiter("k", wait=False, clock=clock, registry=registry)
    limiter.acquire(first)  # 3
    limiter.acquire(second)  # 7
    limiter.acquire(first)  # 10: the budget, spent by two methods
    with pytest.raises(package.RateLimitExceeded) as caught:
        limiter.acquire(first)
    assert caught.value.pool == "group" and caught.value.wait == pytest.approx(1.0)
    other = package.make_limiter("other-key", wait=False, clock=clock, registry=registry)
    other.acquire(second)  # a uid pool: another account has its own window
    clock.now += 1.0
    limiter.acquire(second)
    limiter.acquire(second)  # 8 of 10: a window later all came back
    with pytest.raises(package.RateLimitExceeded):
        limiter.acquire(first)  # 3 more would be 11
    waiting = package.make_limiter("k", clock=clock, sleep=clock.sleep, registry=registry)  # the same window
    waiting.acquire(first)
    assert clock.slept == pytest.approx([1.0])
    heavier = {first: (package.Quota("group", "uid", BUDGET, 1, unit="weight", weight=BUDGET + 1, pool_wide=True),)}
    with pytest.raises(package.RateLimitExceeded) as too_big:
        package.Limiter(WEIGHT_VENUE, "k", heavier, clock=clock, sleep=clock.sleep).acquire(first)
    assert "larger than" in str(too_big.value)  # a weight above the whole budget never fits: refused, not waited


def test_the_simulator_counts_the_shared_weight_only_when_asked(
    weight_venue: tuple[Venue, Any], clock: FakeClock
) -> None:
    venue, package = weight_venue
    first, second = WEIGHTS
    with Simulator([venue], clock=clock.ms) as sim:
        ids = [o.order_id for o in sim.seed(WEIGHT_VENUE, [{"instrument": SYMBOL}] * 6)]
        with _client(sim, venue, clock) as client:
            for i, operation in enumerate([first, second, first, second, first, second]):
                _cancel(package, client, operation, ids[i])  # 21 weight in one second: not counted
        assert _limited(sim) == [] and len(sim.history) == 6


def test_the_simulator_and_the_limiter_agree_on_a_shared_weight_pool(
    weight_venue: tuple[Venue, Any], clock: FakeClock
) -> None:
    venue, package = weight_venue
    first, second = WEIGHTS
    with Simulator([venue], clock=clock.ms, rate_limits=True) as sim:
        ids = [o.order_id for o in sim.seed(WEIGHT_VENUE, [{"instrument": SYMBOL}] * 12)]
        recording = kit.Recording(package.UrllibTransport(5.0))
        # Without a limiter: 3 + 4 + 3 fit the second; 4 more is over, refused with Retry-After.
        with _client(sim, venue, clock, transport=recording) as client:
            for i, operation in enumerate([first, second, first]):
                _cancel(package, client, operation, ids[i])
            with pytest.raises(package.RateLimitError) as caught:
                _cancel(package, client, second, ids[3])
        assert caught.value.retry_after == 1.0 and recording.answers[-1].header(WAIT_HEADER) == "1"
        assert sim.order(WEIGHT_VENUE, ids[3]).status == "open"
        assert _limited(sim) == [f"rate limit: pool group allows {BUDGET} weight per 1 s"]
        # A RetryPolicy honours the wait the venue's header gave: it waits that long, then succeeds.
        policy = package.RetryPolicy(sleep=clock.sleep)
        with _client(sim, venue, clock, retry=policy) as client:
            _cancel(package, client, second, ids[3])
        assert clock.slept == [1.0] and sim.order(WEIGHT_VENUE, ids[3]).status == "cancelled"
        clock.now += 1.0
        clock.slept.clear()
        # With a limiter: the same mix goes through without a refusal, waiting where the pool is full.
        limiter = kit.limiter(sim, WEIGHT_VENUE, clock)
        with _client(sim, venue, clock, limiter) as client:
            for i, operation in enumerate([first, second, first, second, first, second], start=4):
                _cancel(package, client, operation, ids[i])
        assert len(_limited(sim)) == 2  # only the two refusals without the limiter
        assert clock.slept == pytest.approx([1.0, 1.0])  # 3+4+3 at once, 4+3 a window later, 4 after another


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
    yield from _generated(root, specs, ORDERS_VENUE)


def test_a_limit_counted_in_orders_takes_one_token_per_order(orders_venue: tuple[Venue, Any], clock: FakeClock) -> None:
    venue, package = orders_venue
    operation = venue.endpoints[0].operation.value
    assert [(q.count, q.unit) for q in package.QUOTAS[operation]] == [(10, "requests"), (ORDERS_PER_SECOND, "orders")]
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
        assert [d for d in _limited(sim)] == [f"rate limit: pool uid allows {ORDERS_PER_SECOND} orders per 1 s"]
        clock.now += 1
        # With one: the second call waits a window, since it names more orders than are left.
        limiter = kit.limiter(sim, ORDERS_VENUE, clock)
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


@pytest.mark.parametrize(
    ("venue_edit", "spec_edit", "rule"),
    [
        # a pool counted in weight, drawn on by an endpoint that states no weight
        (
            "  - name: uid\n    scope: uid\n",
            "  - name: uid\n    scope: uid\n    unit: weight\n"
            "    budgets: [{count: 10, per_seconds: 1}]\n    source: A test budget.\n",
            "[weight]",
        ),
        # budgets without the source that states them
        (
            "  - name: uid\n    scope: uid\n",
            "  - name: uid\n    scope: uid\n" "    budgets: [{count: 10, per_seconds: 1}]\n",
            "[pool-source]",
        ),
    ],
    ids=["weight-without-weight", "budget-without-source"],
)
def test_a_pool_budget_is_checked_against_what_draws_on_it(
    tmp_path: Path, venue_edit: str, spec_edit: str, rule: str
) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(FIXTURE_SPECS / "fx_passphrase", specs / "fx_passphrase")
    venue_yaml = specs / "fx_passphrase" / "venue.yaml"
    text = venue_yaml.read_text("utf-8")
    assert text.count(venue_edit) == 1
    venue_yaml.write_text(text.replace(venue_edit, spec_edit), "utf-8")
    [spec] = [p for p in (specs / "fx_passphrase").glob("*.yaml") if p.name != "venue.yaml"]
    own = "{pool: uid, requests: 10, per_seconds: 1}"
    spec.write_text(spec.read_text("utf-8").replace(own, "{pool: uid}"), "utf-8")  # draws on the pool
    from specgen.errors import SpecErrors

    with pytest.raises(SpecErrors) as caught:
        read_specs(specs, tmp_path)
    assert any(rule in e.render() for e in caught.value.errors), [e.render() for e in caught.value.errors]
