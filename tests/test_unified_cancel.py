"""Issue 16 item 3: one call for one action. Every venue discovered from specs/ offers
cancel_orders(symbol, order_ids=..., client_ids=...) mapped to its own parameters by the spec's
actions: section; ids are strings everywhere, lists longer than the venue's batch size are split
(conditional limits respected) and the outcomes merged in request order; sync and async, against
the loopback simulator."""

from __future__ import annotations

import asyncio
import importlib
import itertools
import math
import sys
from typing import Any

import pytest
from specgen.simulator import Fault, Simulator
from specgen.simulator.answers import plain
from specgen.spec.model import Endpoint, Field, Venue
from specgen.spec.specset import read_specs

from tests.helpers import GENERATED, ROOT, run_cli, scratch_project

sys.path.insert(0, str(GENERATED))  # the product packages, as test_client_faults imports them

SYMBOL = "BTCUSDT"
TIMEOUT = 5.0
VENUES = read_specs(ROOT / "specs", ROOT)
# The unified call exists where an endpoint's actions: section maps it (a cancel-all names no order: none).
PRODUCT = tuple(v for v in VENUES if v.cancel_endpoint is not None)


def _cancel(venue: Venue) -> Endpoint:
    endpoint = venue.cancel_endpoint
    assert endpoint is not None and endpoint.cancel_orders is not None
    return endpoint


def _choices(p: Field) -> list[Any]:
    """Values of a passed-through parameter worth trying: every enum value when required (each
    may set another batch size), nothing (None, not passed) when optional."""
    if not p.required:
        return [None]
    assert p.type.kind == "enum", "extend _choices for this parameter kind"
    return [v.value if hasattr(v, "value") else v for v in p.type.values]  # type: ignore[attr-defined]


def _cases() -> list[Any]:
    cases = []
    for venue in PRODUCT:
        params = _cancel(venue).cancel_orders.params  # type: ignore[union-attr]
        for combo in itertools.product(*(_choices(p) for p in params)):
            extras = {p.python.value: v for p, v in zip(params, combo, strict=True) if v is not None}
            label = ",".join(f"{k}={v}" for k, v in extras.items())
            cases.append(pytest.param(venue, extras, id=f"{venue.name.value}[{label}]"))
    return cases


def _client(simulator: Simulator, venue: Venue, *, is_async: bool = False, transport: Any = None) -> Any:
    name = venue.name.value
    package = importlib.import_module(name)
    account = simulator.credentials(name)
    creds = {"api_key": account.api_key, "secret": account.secret}
    if account.passphrase:
        creds["passphrase"] = account.passphrase
    kind = package.AsyncClient if is_async else package.Client
    extra = {"transport": transport} if transport is not None else {"timeout": TIMEOUT}
    return kind(**creds, base_url=simulator.base_url(name), **extra)


def test_the_unified_call_is_offered_exactly_where_the_specs_map_it() -> None:
    assert PRODUCT
    for venue in VENUES:
        package = importlib.import_module(venue.name.value)
        offered = hasattr(package.Client, "cancel_orders") and hasattr(package.AsyncClient, "cancel_orders")
        assert offered == (venue in PRODUCT), venue.name.value
        if offered:
            assert callable(package.Client.cancel_orders) and callable(package.AsyncClient.cancel_orders)


def test_every_bundled_venue_offers_the_unified_call() -> None:
    """Issue 16: a venue that cancels one order per request offers it too (one request per id)."""
    assert {v.name.value for v in PRODUCT} == {v.name.value for v in VENUES}


ONE_BY_ONE = [pytest.param(v, id=v.name.value) for v in PRODUCT if _cancel(v).cancel_orders.one_by_one]  # type: ignore[union-attr]


@pytest.mark.parametrize("venue", ONE_BY_ONE)
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_one_request_per_id_where_the_venue_cancels_one_order_at_a_time(
    simulator: Simulator, venue: Venue, is_async: bool
) -> None:
    """Each id its own request, in the order passed; the venue's refusal of one order (unknown,
    already filled) is that id's failed outcome, with the venue's code, and the call goes on."""
    name = venue.name.value
    package = importlib.import_module(name)
    endpoint = _cancel(venue)
    sim = endpoint.simulation
    assert sim is not None and sim.unknown_order is not None and endpoint.max_batch == 1
    live_a, filled, live_b = simulator.seed(
        name, [{"instrument": SYMBOL}, {"instrument": SYMBOL, "status": "filled"}, {"instrument": SYMBOL}]
    )
    ids = [live_a.order_id, "99999999", filled.order_id, live_b.order_id]
    extras = _cases_for(venue)[0]

    if is_async:

        async def run() -> Any:
            async with _client(simulator, venue, is_async=True) as client:
                return await client.cancel_orders(SYMBOL, order_ids=ids, **extras)

        result = asyncio.run(run())
    else:
        with _client(simulator, venue) as client:
            result = client.cancel_orders(SYMBOL, order_ids=ids, **extras)
    assert [o.order_id for o in result.outcomes] == ids
    states = [o.state.value for o in result.outcomes]
    assert states[0] in ("cancelled", "accepted") and states[3] == states[0]
    assert states[1:3] == ["failed", "failed"]
    code = str(plain(sim.unknown_order.code))
    assert [o.error_code for o in result.outcomes[1:3]] == [code, code]
    assert result.requests == len(ids) == len(simulator.history)
    assert isinstance(result.results[1], package.ApiError) and not isinstance(result.results[0], Exception)
    assert simulator.order(name, live_b.order_id).status == "cancelled"
    assert simulator.order(name, filled.order_id).status == "filled"
    if any(t.arg == "client_ids" for _, t in venue.cancel_targets):  # through its own endpoint, where one takes them
        [by_client] = simulator.seed(name, [{"instrument": SYMBOL, "client_id": "cid-1"}])
        with _client(simulator, venue) as client:
            mixed = client.cancel_orders(SYMBOL, order_ids=["99999999"], client_ids=["cid-1", "no-such-cid"], **extras)
        assert [(o.order_id, o.client_id, o.state.value) for o in mixed.outcomes] == [
            ("99999999", None, "failed"),
            (by_client.order_id if mixed.outcomes[1].order_id else None, "cid-1", states[0]),
            (None, "no-such-cid", "failed"),
        ]
        assert simulator.order(name, by_client.order_id).status == "cancelled"


@pytest.mark.parametrize("venue", ONE_BY_ONE)
def test_one_request_per_id_still_stops_at_an_authentication_error(simulator: Simulator, venue: Venue) -> None:
    """A refusal of the caller, not of the order, ends the call: every id after it unsent."""
    name = venue.name.value
    package = importlib.import_module(name)
    orders = simulator.seed(name, [{"instrument": SYMBOL} for _ in range(3)])
    ids = [o.order_id for o in orders]
    account = simulator.credentials(name)
    creds = {"api_key": "not-a-known-key", "secret": account.secret}
    if account.passphrase:
        creds["passphrase"] = account.passphrase
    client = package.Client(**creds, base_url=simulator.base_url(name), timeout=TIMEOUT)
    with pytest.raises(package.AuthenticationError) as caught:
        client.cancel_orders(SYMBOL, order_ids=ids, **_cases_for(venue)[0])
    assert [o.state.value for o in caught.value.outcomes] == ["failed", "unknown", "unknown"]
    assert len(simulator.history) == 1 and all(simulator.order(name, i).status == "open" for i in ids)


@pytest.mark.parametrize(("venue", "extras"), _cases())
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_cancel_orders_splits_into_batches_and_merges_outcomes_in_order(
    simulator: Simulator, venue: Venue, extras: dict[str, Any], is_async: bool
) -> None:
    name = venue.name.value
    package = importlib.import_module(name)
    endpoint = _cancel(venue)
    size = package.OPERATIONS[endpoint.operation.value].batch_size(**extras)
    count = 2 * size + 1 if size is not None else 5
    by_id = simulator.seed(name, [{"instrument": SYMBOL} for _ in range(count)])
    by_client = simulator.seed(name, [{"instrument": SYMBOL, "client_id": f"cid-{i}"} for i in range(3)])
    order_ids = [o.order_id for o in by_id]
    client_ids = [str(o.client_id) for o in by_client]
    ids_kinds = {t.arg for _, t in venue.cancel_targets}
    call: dict[str, Any] = {"order_ids": order_ids} if "order_ids" in ids_kinds else {}
    if "client_ids" in ids_kinds:
        call["client_ids"] = client_ids

    if is_async:

        async def run() -> Any:
            async with _client(simulator, venue, is_async=True) as client:
                return await client.cancel_orders(SYMBOL, **call, **extras)

        result = asyncio.run(run())
    else:
        with _client(simulator, venue) as client:
            result = client.cancel_orders(SYMBOL, **call, **extras)

    assert isinstance(result, package.CancelOrdersResult)
    sent_ids = call.get("order_ids", [])
    assert [o.order_id for o in result.outcomes[: len(sent_ids)]] == sent_ids  # in the order passed
    assert [o.client_id for o in result.outcomes[len(sent_ids) :]] == call.get("client_ids", [])
    assert {o.state.value for o in result.outcomes} <= {"cancelled", "accepted"}, result.outcomes
    per_list = [len(call.get(k, [])) for k in ("order_ids", "client_ids")]
    requests = sum(math.ceil(n / size) if size else 1 for n in per_list if n)
    assert result.requests == requests == len(simulator.history)
    for sent in result.results:
        assert len(sent.outcomes) <= (size or count)
    if "order_ids" in call:
        assert all(simulator.order(name, i).status != "open" for i in order_ids)


@pytest.mark.parametrize("venue", PRODUCT, ids=lambda v: v.name.value)
def test_string_ids_are_converted_or_refused_before_anything_is_sent(simulator: Simulator, venue: Venue) -> None:
    package = importlib.import_module(venue.name.value)
    extras = _cases_for(venue)[0]
    target = next(t for _, t in venue.cancel_targets if t.arg == "order_ids")
    with _client(simulator, venue) as client:
        with pytest.raises(package.ValidationError) as caught:
            client.cancel_orders(SYMBOL, order_ids="12345", **extras)  # a single string, not a list
        assert caught.value.violations[0].path == "$.order_ids"
        with pytest.raises(package.ValidationError):
            client.cancel_orders(SYMBOL, **extras)  # no ids at all
        calls = client._cancel_orders_calls(SYMBOL, ["10000001", "007"], [], **extras)
        wired = [call.to_wire()[target.param.wire.value] for call, _ in calls]
        sent = [w for v in wired for w in (v if isinstance(v, list) else [v])]  # one id per request, or a list
        assert len(calls) == (2 if target.one else 1)
        if target.integer:
            assert [w if target.item_field is None else w[target.item_field.wire.value] for w in sent] == [10000001, 7]
            with pytest.raises(package.ValidationError) as refused:
                client.cancel_orders(SYMBOL, order_ids=["10000001", "12a"], **extras)
            [violation] = refused.value.violations
            assert violation.path == "$.order_ids[1]" and "not a number" in violation.message
        else:
            assert [w if target.item_field is None else w[target.item_field.wire.value] for w in sent] == [
                "10000001",
                "007",
            ]
    assert simulator.history == ()  # every refusal came before sending


def _cases_for(venue: Venue) -> list[dict[str, Any]]:
    return [p.values[1] for p in _cases() if p.values[0] is venue]


class _FailingSecond:
    """The simulator's transport, with the venue rate-limiting the second request."""

    def __init__(self, simulator: Simulator, venue: str, inner: Any) -> None:
        self.simulator, self.venue, self.inner, self.sent = simulator, venue, inner, 0

    def send(self, request: Any) -> Any:
        self.sent += 1
        if self.sent == 2:
            self.simulator.inject(Fault.rate_limited(3, venue=self.venue))
        return self.inner.send(request)


@pytest.mark.parametrize("venue", [v for v in PRODUCT if _cancel(v).max_batch is not None], ids=lambda v: v.name.value)
def test_an_error_midway_carries_every_ids_outcome(simulator: Simulator, venue: Venue) -> None:
    name = venue.name.value
    package = importlib.import_module(name)
    extras = _cases_for(venue)[0]
    size = package.OPERATIONS[_cancel(venue).operation.value].batch_size(**extras)
    assert size is not None
    orders = simulator.seed(name, [{"instrument": SYMBOL} for _ in range(2 * size + 1)])
    ids = [o.order_id for o in orders]
    with package.HttpxTransport(timeout=TIMEOUT) as inner:
        client = _client(simulator, venue, transport=_FailingSecond(simulator, name, inner))
        with pytest.raises(package.RateLimitError) as caught:
            client.cancel_orders(SYMBOL, order_ids=ids, **extras)
    outcomes = caught.value.outcomes
    assert [o.order_id for o in outcomes] == ids
    states = [o.state.value for o in outcomes]
    assert set(states[:size]) <= {"cancelled", "accepted"}
    assert states[size : 2 * size] == ["failed"] * size
    assert states[2 * size :] == ["unknown"] and "not sent" in str(outcomes[-1].reason)


ACTION_ERRORS = [
    ("{symbol: nosuch}", "unknown-param", "actions:"),
    ("{symbol: symbol, params: [timestamp]}", "actions", "actions:"),
    ("{symbol: symbol, bogus: 1}", "", "actions:"),  # the language schema: no such key
    ("{symbol: symbol}", "reserved-name", "operation: cancel_orders"),  # shadowed by the operation's name
]


@pytest.mark.parametrize(("action", "rule", "line_of"), ACTION_ERRORS)
def test_bad_actions_are_refused_with_file_and_line(tmp_path: Any, action: str, rule: str, line_of: str) -> None:
    # The frozen fixture fx_comma: its operation is itself named cancel_orders.
    project = scratch_project(tmp_path, with_generated=False)
    spec = project / "specs" / "fx_comma" / "cancel_orders.yaml"
    text = spec.read_text("utf-8").replace("\nnotes:\n", f"\nactions:\n  cancel_orders: {action}\nnotes:\n", 1)
    spec.write_text(text, "utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(line_of))
    result = run_cli(project, "validate")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "specs/fx_comma/cancel_orders.yaml:" in result.stderr
    if rule:  # the model's own checks name their rule and the line they are about
        assert f"[{rule}]" in result.stderr
        assert any(f"cancel_orders.yaml:{n}:" in result.stderr for n in (line, line + 1)), result.stderr


class _FaultOnSecond:
    """The simulator's transport, with a fault striking the second request."""

    def __init__(self, simulator: Simulator, fault: Fault, inner: Any) -> None:
        self.simulator, self.fault, self.inner, self.sent = simulator, fault, inner, 0

    def _count(self) -> None:
        self.sent += 1
        if self.sent == 2:
            self.simulator.inject(self.fault)

    def send(self, request: Any) -> Any:
        self._count()
        return self.inner.send(request)


class _AsyncFaultOnSecond(_FaultOnSecond):
    async def send(self, request: Any) -> Any:  # type: ignore[override]
        self._count()
        return await self.inner.send(request)


TRANSPORT_FAULTS = [
    pytest.param("drop", False, id="reset-sync"),
    pytest.param("drop", True, id="reset-async"),
    pytest.param("delay", False, id="timeout-sync"),
]


@pytest.mark.parametrize("venue", [v for v in PRODUCT if _cancel(v).max_batch is not None], ids=lambda v: v.name.value)
@pytest.mark.parametrize(("kind", "is_async"), TRANSPORT_FAULTS)
def test_a_transport_error_midway_carries_every_ids_outcome(
    simulator: Simulator, venue: Venue, kind: str, is_async: bool
) -> None:
    """A reset or a timeout leaves the interrupted request's orders unknown (the venue may have
    acted: the simulator did), the earlier ones as answered, the later ones unknown and unsent."""
    name = venue.name.value
    package = importlib.import_module(name)
    extras = _cases_for(venue)[0]
    size = package.OPERATIONS[_cancel(venue).operation.value].batch_size(**extras)
    assert size is not None
    ids = [o.order_id for o in simulator.seed(name, [{"instrument": SYMBOL} for _ in range(2 * size + 1)])]
    timeout = 2.0
    fault = Fault("drop", venue=name) if kind == "drop" else Fault.slow(2 * timeout, venue=name)
    account = simulator.credentials(name)
    creds = {"api_key": account.api_key, "secret": account.secret}
    if account.passphrase:
        creds["passphrase"] = account.passphrase

    if is_async:

        async def run() -> Any:
            async with package.AsyncHttpxTransport(timeout=timeout) as inner:
                transport = _AsyncFaultOnSecond(simulator, fault, inner)
                client = package.AsyncClient(**creds, base_url=simulator.base_url(name), transport=transport)
                with pytest.raises(package.TransportError) as caught:
                    await client.cancel_orders(SYMBOL, order_ids=ids, **extras)
                return caught.value

        error = asyncio.run(run())
    else:
        with package.HttpxTransport(timeout=timeout) as inner:
            client = _client(simulator, venue, transport=_FaultOnSecond(simulator, fault, inner))
            with pytest.raises(package.TransportError) as caught:
                client.cancel_orders(SYMBOL, order_ids=ids, **extras)
        error = caught.value
    outcomes = error.outcomes
    assert [o.order_id for o in outcomes] == ids
    states = [o.state.value for o in outcomes]
    assert set(states[:size]) <= {"cancelled", "accepted"}
    assert states[size:] == ["unknown"] * (size + 1)
    # The interrupted request's own outcomes name the transport error; the unsent one says so.
    assert all(str(error) in str(o.reason) for o in outcomes[size : 2 * size])
    assert "not sent" in str(outcomes[-1].reason)
    assert any(e.fault == kind for e in simulator.history)  # the simulator acted, then failed to answer
