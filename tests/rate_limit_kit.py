"""What the rate-limit tests share: one fake clock for the limiter (seconds), the simulator (ms)
and the client's signing clock (its venue's unit); a client of a product venue; one request of a
venue's rate-limited method (the unified cancel_orders where the venue has it, else the method
with the spec's first request case); and the quota that binds first when its window is filled
at one instant. Everything is read from the specs and the generated packages: no venue named."""

from __future__ import annotations

import importlib
from typing import Any

from specgen.simulator import Simulator
from specgen.spec.model import Endpoint, Venue

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


def limited(venues: tuple[Venue, ...] | list[Venue]) -> list[Venue]:
    """The venues whose specs give some method a limit in numbers (its own, or a pool's budget)."""
    return [v for v in venues if any(e.rate_limit.charges for e in v.endpoints)]


def limited_endpoint(venue: Venue) -> Endpoint:
    """The method the tests send: the unified call's endpoint when it is limited, else the first limited one."""
    cancel = venue.cancel_endpoint
    if cancel is not None and cancel.rate_limit.charges:
        return cancel
    return next(e for e in venue.endpoints if e.rate_limit.charges)


def binding(venue: Venue) -> Any:
    """The quota of the limited method that the fewest one-order requests fill."""
    package = importlib.import_module(venue.name.value)
    quotas = package.QUOTAS[limited_endpoint(venue).operation.value]
    return min(quotas, key=room)


def room(quota: Any) -> int:
    """How many one-order requests fit in an empty window of quota."""
    return int(quota.count // max(quota.cost(1), 1))


def limiter(sim: Simulator, name: str, clock: FakeClock) -> Any:
    """A waiting limiter of the simulator's account at venue name, on the fake clock, with windows of its own."""
    package = importlib.import_module(name)
    return package.make_limiter(
        sim.credentials(name).api_key,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
        registry=package.Limiter.private_registry(),
    )


def client(
    sim: Simulator,
    venue: Venue,
    clock: FakeClock | None = None,
    limiter: Any = None,
    *,
    is_async: bool = False,
    transport: Any = None,
    retry: Any = None,
) -> Any:
    name = venue.name.value
    package = importlib.import_module(name)
    account = sim.credentials(name)
    creds = {"api_key": account.api_key, "secret": account.secret}
    if account.passphrase:
        creds["passphrase"] = account.passphrase
    extra: dict[str, Any] = {}
    if clock is not None:
        ticks = TICKS_PER_SECOND[venue.auth.clock_unit]
        extra["clock"] = lambda: round(clock.now * ticks)
    if transport is not None:
        extra["transport"] = transport
    if retry is not None:
        extra["retry"] = retry
    kind = package.AsyncClient if is_async else package.Client
    return kind(**creds, base_url=sim.base_url(name), timeout=5.0, limiter=limiter, **extra)


def call(client: Any, venue: Venue, order_id: str) -> Any:
    """One request of the venue's limited method naming order_id (awaitable for an AsyncClient)."""
    endpoint = limited_endpoint(venue)
    if endpoint.cancel_orders is not None:
        extras: dict[str, Any] = {}
        for p in endpoint.cancel_orders.params:
            if p.required:
                first = p.type.values[0]  # type: ignore[attr-defined]
                extras[p.python.value] = first.value if hasattr(first, "value") else first
        return client.cancel_orders(SYMBOL, order_ids=[order_id], **extras)
    # A method without ids (a cancel-all): the spec's own first request case, by Python names.
    python = {p.wire.value: p.python.value for p in endpoint.params}
    case = endpoint.tests.request[0].value
    return getattr(client, endpoint.operation.value)(**{python[k]: v for k, v in case["params"].items()})


def fill(sim: Simulator, venue: Venue, times: int, now_ms: int) -> None:
    """Spend `times` one-order requests of the limited method in the simulator's windows at now_ms."""
    assert sim.rate_limits is not None
    key = sim.credentials(venue.name.value).api_key
    endpoint = limited_endpoint(venue)
    orders = 1 if endpoint.order_lists else 0
    for _ in range(times):
        assert sim.rate_limits.spend(venue, endpoint, key, orders, now_ms) is None


class Recording:
    """A transport that keeps every answer, to read the headers a client does not show."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.answers: list[Any] = []

    def send(self, request: Any) -> Any:
        answer = self.inner.send(request)
        self.answers.append(answer)
        return answer

    def close(self) -> None:
        self.inner.close()
