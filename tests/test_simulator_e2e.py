"""Issue 5: the five generated clients against the spec-driven simulator, over real sockets.

Each test seeds orders, calls a client with base_url pointing at the simulator on 127.0.0.1, and
checks the typed result, the uniform outcome list and the simulator's order book afterwards.
The expected venue answers are written out here, not read from the specs' simulation sections.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from specgen.simulator import Fault, Simulator

from tests.helpers import GENERATED, VENUES

sys.path.insert(0, str(GENERATED))


def pkg(venue: str) -> Any:
    return importlib.import_module(venue)


@dataclass(frozen=True)
class Driver:
    """How a test calls one venue's cancel, and what that venue answers for a failed order."""

    symbol: str
    by_order_ids: Callable[[Any, list[str]], Any]
    by_client_ids: Callable[[Any, list[str]], Any]
    unknown_code: str | None
    unknown_message: str | None
    status_on_success: str | None  # the status a cancelled order's outcome carries, when the venue sends one
    terminal_as_status: bool = False  # ztdx: terminal orders come back with their status, not as errors
    success: str = "cancelled"  # the outcome state of a live order (Bybit: accepted, the result is asynchronous)
    unknown_client_id: str = "failed"  # BingX: a fails entry names no client id, so that order is unknown
    success: str = "cancelled"  # the outcome state of a live order (Bybit: accepted, the result is asynchronous)
    unknown_client_id: str = "failed"  # BingX: a fails entry names no client id, so that order is unknown


def _bybit_items(client_ids: bool) -> Callable[[Any, list[str]], Any]:
    def call(client: Any, ids: list[str]) -> Any:
        item = pkg("bybit_v5").CancelBatchOrder
        request = [item(symbol="BTCUSDT", **({"order_link_id": i} if client_ids else {"order_id": i})) for i in ids]
        return client.cancel_batch(category="linear", request=request)

    return call


def _bitget_items(client_ids: bool) -> Callable[[Any, list[str]], Any]:
    def call(client: Any, ids: list[str]) -> Any:
        item = pkg("bitget_spot").BatchCancelItem
        order_list = [item(**({"client_oid": i} if client_ids else {"order_id": i})) for i in ids]
        return client.batch_cancel_order(symbol="BTCUSDT", order_list=order_list)

    return call


DRIVERS: dict[str, Driver] = {
    "binance_coinm": Driver(
        "BTCUSD_PERP",
        lambda c, ids: c.cancel_multiple_orders(symbol="BTCUSD_PERP", order_id_list=[int(i) for i in ids]),
        lambda c, ids: c.cancel_multiple_orders(symbol="BTCUSD_PERP", orig_client_order_id_list=ids),
        "-2011",
        "Unknown order sent.",
        "CANCELED",
    ),
    "bingx_spot": Driver(
        "BTC-USDT",
        lambda c, ids: c.cancel_orders(symbol="BTC-USDT", process=1, order_ids=ids),
        lambda c, ids: c.cancel_orders(symbol="BTC-USDT", process=1, client_order_ids=ids),
        None,
        "order not exist",
        "CANCELED",
        unknown_client_id="unknown",
    ),
    "bitget_spot": Driver(
        "BTCUSDT", _bitget_items(False), _bitget_items(True), "43001", "The order does not exist", None
    ),
    "bybit_v5": Driver(
        "BTCUSDT", _bybit_items(False), _bybit_items(True), "170213", "Order does not exist.", None, success="accepted"
    ),
    "ztdx_futures": Driver(
        "BTCUSDT",
        lambda c, ids: c.batch_cancel_orders(symbol="BTCUSDT", order_id_list=[int(i) for i in ids]),
        lambda c, ids: c.batch_cancel_orders(symbol="BTCUSDT", orig_client_order_id_list=ids),
        "-2011",
        "Unknown order sent.",
        "CANCELED",
        terminal_as_status=True,
    ),
}

# The venues' error answers to a rejected request: (bad signature, bad key, expired timestamp), HTTP status.
AUTH_ERRORS: dict[str, tuple[tuple[str, str, str], tuple[int, int, int]]] = {
    "binance_coinm": (("-1022", "-2015", "-1021"), (400, 401, 400)),
    "bingx_spot": (("100001", "100413", "100421"), (200, 200, 200)),
    "bitget_spot": (("40009", "40012", "40008"), (400, 400, 400)),
    "bybit_v5": (("10004", "10003", "10002"), (200, 200, 200)),
    "ztdx_futures": (("-1022", "-2015", "-1021"), (400, 401, 400)),
}


def make_client(sim: Simulator, venue: str, **options: Any) -> Any:
    account = sim.credentials(venue)
    creds: dict[str, Any] = {"api_key": account.api_key, "secret": account.secret}
    if account.passphrase:
        creds["passphrase"] = account.passphrase
    return pkg(venue).Client(**{**creds, "base_url": sim.base_url(venue), "timeout": 5.0, **options})


def done(outcome: Any) -> bool:
    """The venue took the cancel: cancelled, or accepted with the final state later."""
    return outcome.state.value in ("cancelled", "accepted")


def by_order_id(outcomes: Any) -> dict[str | None, Any]:
    return {o.order_id: o for o in outcomes}


def seed_batch(sim: Simulator, venue: str) -> dict[str, Any]:
    symbol = DRIVERS[venue].symbol
    live_a, live_b, cancelled, filled = sim.seed(
        venue,
        [
            {"symbol": symbol, "client_id": "live-a"},
            {"symbol": symbol},
            {"symbol": symbol, "status": "CANCELED", "client_id": "done-c"},
            {"symbol": symbol, "status": "FILLED"},
        ],
    )
    return {"live_a": live_a, "live_b": live_b, "cancelled": cancelled, "filled": filled}


# The mixed batch ----------------------------------------------------------------------------------


@pytest.mark.parametrize("venue", VENUES)
def test_mixed_batch_cancels_live_orders_and_reports_the_rest(simulator: Simulator, venue: str) -> None:
    d = DRIVERS[venue]
    seeded = seed_batch(simulator, venue)
    unknown = "99999999"
    ids = [
        seeded["live_a"].order_id,
        unknown,
        seeded["cancelled"].order_id,
        seeded["live_b"].order_id,
        seeded["filled"].order_id,
    ]

    result = d.by_order_ids(make_client(simulator, venue), ids)

    outcomes = by_order_id(result.outcomes)
    assert len(result.outcomes) == 5 and set(outcomes) == set(ids)
    for live in ("live_a", "live_b"):
        o = outcomes[seeded[live].order_id]
        assert (o.state.value, o.status, o.error_code, o.error_message) == (d.success, d.status_on_success, None, None)
    assert outcomes[seeded["live_a"].order_id].client_id == "live-a"
    missing = outcomes[unknown]
    assert (missing.state.value, missing.error_code, missing.error_message) == (
        "failed",
        d.unknown_code,
        d.unknown_message,
    )
    done, filled = outcomes[seeded["cancelled"].order_id], outcomes[seeded["filled"].order_id]
    if d.terminal_as_status:
        # ztdx: terminal orders come back with their status; a cancelled one reads as cancelled.
        assert (done.state.value, done.status, done.error_code) == ("cancelled", "CANCELED", None)
        assert (filled.state.value, filled.status, filled.error_code, filled.error_message) == (
            "failed",
            "FILLED",
            None,
            "order was already FILLED",
        )
    else:
        for o in (done, filled):
            assert (o.state.value, o.error_code, o.error_message) == ("failed", d.unknown_code, d.unknown_message)

    book = {o.order_id: o.status for o in simulator.orders(venue)}
    assert book == {
        seeded["live_a"].order_id: "CANCELED",
        seeded["live_b"].order_id: "CANCELED",
        seeded["cancelled"].order_id: "CANCELED",
        seeded["filled"].order_id: "FILLED",
    }
    TYPED_CHECKS[venue](result, seeded, unknown)


def _binance_like(result: Any, seeded: dict[str, Any], unknown: str, venue: str) -> None:
    data = result.data
    assert [type(x).__name__ for x in data][:2] == ["CancelledOrder", "BatchOrderError"]
    assert data[0].order_id == int(seeded["live_a"].order_id) and data[0].status == "CANCELED"
    assert data[0].symbol == DRIVERS[venue].symbol and data[0].client_order_id == "live-a"
    assert data[1].code == -2011


def _check_bingx(result: Any, seeded: dict[str, Any], unknown: str) -> None:
    assert result.response.code == 0
    assert sorted(o.order_id for o in result.data.orders) == sorted(
        [int(seeded["live_a"].order_id), int(seeded["live_b"].order_id)]
    )
    assert all(o.status == "CANCELED" and o.symbol == "BTC-USDT" for o in result.data.orders)
    assert [f.order_id for f in result.data.fails] == [
        int(unknown),
        int(seeded["cancelled"].order_id),
        int(seeded["filled"].order_id),
    ]
    assert {f.error for f in result.data.fails} == {"order not exist"}


def _check_bitget(result: Any, seeded: dict[str, Any], unknown: str) -> None:
    assert result.response.code == "00000" and result.response.msg == "success"
    assert [s.order_id for s in result.data.success_list] == [seeded["live_a"].order_id, seeded["live_b"].order_id]
    assert [(f.order_id, f.error_code) for f in result.data.failure_list] == [
        (unknown, "43001"),
        (seeded["cancelled"].order_id, "43001"),
        (seeded["filled"].order_id, "43001"),
    ]


def _check_bybit(result: Any, seeded: dict[str, Any], unknown: str) -> None:
    assert result.response.ret_code == 0 and result.response.ret_msg == "OK"
    assert [a.order_id for a in result.data.list] == [
        seeded["live_a"].order_id,
        unknown,
        seeded["cancelled"].order_id,
        seeded["live_b"].order_id,
        seeded["filled"].order_id,
    ]
    assert [s.code for s in result.response.ret_ext_info.list] == [0, 170213, 170213, 0, 170213]
    assert result.data.list[0].category == "linear" and result.data.list[0].symbol == "BTCUSDT"


def _check_ztdx(result: Any, seeded: dict[str, Any], unknown: str) -> None:
    data = result.data
    assert [type(x).__name__ for x in data] == [
        "CancelledOrder",
        "BatchOrderError",
        "CancelledOrder",
        "CancelledOrder",
        "CancelledOrder",
    ]
    assert [getattr(x, "status", None) for x in data] == ["CANCELED", None, "CANCELED", "CANCELED", "FILLED"]


TYPED_CHECKS: dict[str, Callable[[Any, dict[str, Any], str], None]] = {
    "binance_coinm": lambda r, s, u: _binance_like(r, s, u, "binance_coinm"),
    "bingx_spot": _check_bingx,
    "bitget_spot": _check_bitget,
    "bybit_v5": _check_bybit,
    "ztdx_futures": _check_ztdx,
}


@pytest.mark.parametrize("venue", VENUES)
def test_cancel_by_client_ids_with_reserved_characters(simulator: Simulator, venue: str) -> None:
    # Ids that need percent-encoding prove the signature is checked over the raw bytes sent.
    d = DRIVERS[venue]
    odd = "a:b/c x+y" if venue != "bingx_spot" else "id 2+3"  # BingX's comma-joined list cannot hold a comma
    [order] = simulator.seed(venue, [{"symbol": d.symbol, "client_id": odd}])
    result = d.by_client_ids(make_client(simulator, venue), [odd, "no-such-client-id"])
    outcomes = {o.client_id: o for o in result.outcomes}
    assert done(outcomes[odd]) and outcomes[odd].order_id == order.order_id
    missing = outcomes["no-such-client-id"]
    assert missing.state.value == d.unknown_client_id
    assert missing.error_code == (d.unknown_code if d.unknown_client_id == "failed" else None)
    assert simulator.order(venue, order.order_id).status == "CANCELED"


def test_accounts_do_not_see_each_others_orders(simulator: Simulator) -> None:
    other = simulator.add_account("bybit_v5", "other-key", "other-secret")
    [order] = simulator.seed("bybit_v5", [{"symbol": "BTCUSDT"}])
    stranger = pkg("bybit_v5").Client(api_key=other.api_key, secret=other.secret, base_url=simulator.url)
    [outcome] = DRIVERS["bybit_v5"].by_order_ids(stranger, [order.order_id]).outcomes
    assert (outcome.cancelled, outcome.error_code) == (False, "170213")
    assert simulator.order("bybit_v5", order.order_id).status == "NEW"
    owner = make_client(simulator, "bybit_v5")
    assert done(DRIVERS["bybit_v5"].by_order_ids(owner, [order.order_id]).outcomes[0])


def test_bare_url_and_httpx_transport(simulator: Simulator) -> None:
    # Every endpoint also answers at its own path: base_url can be the simulator's URL itself.
    transport = pkg("binance_coinm").HttpxTransport(timeout=5.0)
    try:
        client = make_client(simulator, "binance_coinm", base_url=simulator.url, transport=transport)
        [order] = simulator.seed("binance_coinm", [{"symbol": "BTCUSD_PERP"}])
        [outcome] = DRIVERS["binance_coinm"].by_order_ids(client, [order.order_id]).outcomes
    finally:
        transport.close()
    assert outcome.cancelled and simulator.order("binance_coinm", order.order_id).status == "CANCELED"


# Authentication -----------------------------------------------------------------------------------


class AlteringTransport:
    """Sends the signed request with one byte of the seeded id changed (in the query or the body)."""

    def __init__(self, inner: Any, needle: str, alter: bool = True) -> None:
        self.inner, self.needle, self.alter = inner, needle, alter
        self.altered = False

    def send(self, request: Any) -> Any:
        if self.alter:
            changed = self.needle[:-1] + ("7" if self.needle[-1] != "7" else "8")
            url, body = request.url, request.body
            if self.needle in request.query:
                url = url.replace(self.needle, changed, 1)
            else:
                assert self.needle.encode() in body
                body = body.replace(self.needle.encode(), changed.encode(), 1)
            request = type(request)(
                request.method, url, request.headers, body, request.secret_headers, request.secret_params
            )
            self.altered = True
        return self.inner.send(request)


@pytest.mark.parametrize("venue", VENUES)
def test_signature_over_other_bytes_than_sent_is_rejected(simulator: Simulator, venue: str) -> None:
    [order] = simulator.seed(venue, [{"symbol": DRIVERS[venue].symbol}])
    transport = AlteringTransport(pkg(venue).UrllibTransport(5.0), order.order_id)
    client = make_client(simulator, venue, transport=transport)
    with pytest.raises(pkg(venue).ApiError) as caught:
        DRIVERS[venue].by_order_ids(client, [order.order_id])
    (sig_code, _, _), (sig_status, _, _) = AUTH_ERRORS[venue]
    assert transport.altered
    assert (caught.value.code, caught.value.http_status) == (sig_code, sig_status)
    assert not isinstance(caught.value, pkg(venue).RateLimitError)
    assert simulator.history[-1].detail == "the signature does not match the bytes received"
    assert simulator.order(venue, order.order_id).status == "NEW"


@pytest.mark.parametrize("venue", VENUES)
def test_the_same_transport_unaltered_is_accepted(simulator: Simulator, venue: str) -> None:
    # The control for the test above: the wrapper itself changes nothing.
    [order] = simulator.seed(venue, [{"symbol": DRIVERS[venue].symbol}])
    client = make_client(
        simulator, venue, transport=AlteringTransport(pkg(venue).UrllibTransport(5.0), order.order_id, alter=False)
    )
    assert done(DRIVERS[venue].by_order_ids(client, [order.order_id]).outcomes[0])


@pytest.mark.parametrize("venue", VENUES)
def test_wrong_secret_unknown_key_and_stale_timestamp(simulator: Simulator, venue: str) -> None:
    (sig_code, key_code, time_code), (sig_status, key_status, time_status) = AUTH_ERRORS[venue]
    [order] = simulator.seed(venue, [{"symbol": DRIVERS[venue].symbol}])
    call = DRIVERS[venue].by_order_ids
    api_error = pkg(venue).ApiError
    account = simulator.credentials(venue)
    with pytest.raises(api_error) as wrong_secret:
        call(make_client(simulator, venue, secret=account.secret + "x"), [order.order_id])
    with pytest.raises(api_error) as unknown_key:
        call(make_client(simulator, venue, api_key="not-a-known-key"), [order.order_id])
    stale = time.time_ns() // 1_000_000 - 60_000
    with pytest.raises(api_error) as expired:
        call(make_client(simulator, venue, clock=lambda: stale), [order.order_id])
    assert (wrong_secret.value.code, wrong_secret.value.http_status) == (sig_code, sig_status)
    assert (unknown_key.value.code, unknown_key.value.http_status) == (key_code, key_status)
    assert (expired.value.code, expired.value.http_status) == (time_code, time_status)
    assert simulator.order(venue, order.order_id).status == "NEW"


def test_bitget_wrong_passphrase_is_refused(simulator: Simulator) -> None:
    client = make_client(simulator, "bitget_spot", passphrase="not-the-passphrase")
    with pytest.raises(pkg("bitget_spot").ApiError) as caught:
        DRIVERS["bitget_spot"].by_order_ids(client, ["1"])
    assert (caught.value.code, caught.value.message) == ("40012", "apikey/password is incorrect")


def test_a_request_recv_window_widens_the_window(simulator: Simulator) -> None:
    # Binance reads recvWindow from the request: 30 s old is fine inside a 40 s window, not inside 5 s.
    stale = time.time_ns() // 1_000_000 - 30_000
    [order] = simulator.seed("binance_coinm", [{"symbol": "BTCUSD_PERP"}])
    call = DRIVERS["binance_coinm"].by_order_ids
    with pytest.raises(pkg("binance_coinm").ApiError):
        call(make_client(simulator, "binance_coinm", clock=lambda: stale, recv_window=5000), [order.order_id])
    result = call(make_client(simulator, "binance_coinm", clock=lambda: stale, recv_window=40_000), [order.order_id])
    assert result.outcomes[0].cancelled


def test_bybit_without_a_recv_window_header_gets_the_venue_default(simulator: Simulator) -> None:
    # The spec's default for X-BAPI-RECV-WINDOW is 5000 ms: 3 s old passes, 8 s old does not.
    now = time.time_ns() // 1_000_000
    [order] = simulator.seed("bybit_v5", [{"symbol": "BTCUSDT"}])
    call = DRIVERS["bybit_v5"].by_order_ids
    with pytest.raises(pkg("bybit_v5").ApiError) as caught:
        call(make_client(simulator, "bybit_v5", recv_window=None, clock=lambda: now - 8000), [order.order_id])
    assert caught.value.code == "10002"
    late = call(make_client(simulator, "bybit_v5", recv_window=None, clock=lambda: now - 3000), [order.order_id])
    assert done(late.outcomes[0])


# Faults --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("venue", VENUES)
def test_429_raises_rate_limit_error_with_retry_after(simulator: Simulator, venue: str) -> None:
    [order] = simulator.seed(venue, [{"symbol": DRIVERS[venue].symbol}])
    simulator.inject(Fault.rate_limited(retry_after=7))
    with pytest.raises(pkg(venue).RateLimitError) as caught:
        DRIVERS[venue].by_order_ids(make_client(simulator, venue), [order.order_id])
    # Binance, ztdx and Bybit declare a rate-limit body; Bitget and BingX answer with an empty one.
    expected_code = {"binance_coinm": "-1003", "ztdx_futures": "-1003", "bybit_v5": "10006"}.get(venue, "429")
    assert (caught.value.http_status, caught.value.retry_after, caught.value.code) == (429, 7.0, expected_code)
    assert simulator.order(venue, order.order_id).status == "NEW"  # refused before the venue acted


def test_418_ban_raises_rate_limit_error(simulator: Simulator) -> None:
    simulator.inject(Fault.rate_limited(retry_after=120, status=418))
    with pytest.raises(pkg("binance_coinm").RateLimitError) as caught:
        DRIVERS["binance_coinm"].by_order_ids(make_client(simulator, "binance_coinm"), ["1"])
    assert (caught.value.http_status, caught.value.retry_after) == (418, 120.0)


def test_5xx_html_page_raises_response_error(simulator: Simulator) -> None:
    [order] = simulator.seed("bybit_v5", [{"symbol": "BTCUSDT"}])
    simulator.inject(Fault.server_error(503))
    module = pkg("bybit_v5")
    with pytest.raises(module.ResponseError) as caught:
        DRIVERS["bybit_v5"].by_order_ids(make_client(simulator, "bybit_v5"), [order.order_id])
    assert caught.value.http_status == 503 and "not JSON" in str(caught.value)
    assert not isinstance(caught.value, module.ApiError)
    assert simulator.order("bybit_v5", order.order_id).status == "NEW"


def test_slow_response_raises_transport_error_though_the_venue_acted(simulator: Simulator) -> None:
    [order] = simulator.seed("bitget_spot", [{"symbol": "BTCUSDT"}])
    simulator.inject(Fault.slow(3.0))
    client = make_client(simulator, "bitget_spot", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(pkg("bitget_spot").TransportError) as caught:
        DRIVERS["bitget_spot"].by_order_ids(client, [order.order_id])
    assert time.monotonic() - started < 2.5 and "timed out" in str(caught.value)
    # The order was cancelled before the answer was delayed: a timeout leaves the outcome unknown.
    assert simulator.order("bitget_spot", order.order_id).status == "CANCELED"


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
def test_broken_json_body_raises_response_error(simulator: Simulator, kind: str) -> None:
    [order] = simulator.seed("bingx_spot", [{"symbol": "BTC-USDT"}])
    simulator.inject(Fault(kind))
    with pytest.raises(pkg("bingx_spot").ResponseError) as caught:
        DRIVERS["bingx_spot"].by_order_ids(make_client(simulator, "bingx_spot"), [order.order_id])
    assert caught.value.http_status == 200 and "expected JSON" in str(caught.value)
    assert simulator.history[-1].fault == kind


def test_connection_dying_mid_body_raises_transport_error(simulator: Simulator) -> None:
    simulator.inject(Fault("cut"))
    with pytest.raises(pkg("bybit_v5").TransportError):
        DRIVERS["bybit_v5"].by_order_ids(make_client(simulator, "bybit_v5"), ["1"])
    assert simulator.history[-1].fault == "cut"


def test_dropped_connection_raises_transport_error(simulator: Simulator) -> None:
    simulator.inject(Fault("drop"))
    with pytest.raises(pkg("ztdx_futures").TransportError):
        DRIVERS["ztdx_futures"].by_order_ids(make_client(simulator, "ztdx_futures"), ["1"])
    assert simulator.history[-1].status is None


def test_a_fault_lasts_times_requests_and_only_for_its_venue(simulator: Simulator) -> None:
    simulator.inject(Fault.rate_limited(retry_after=1, times=2, venue="bybit_v5"))
    ztdx = DRIVERS["ztdx_futures"].by_order_ids(make_client(simulator, "ztdx_futures"), ["1"])
    assert ztdx.outcomes[0].error_code == "-2011"  # another venue: not rate limited
    bybit = make_client(simulator, "bybit_v5")
    for _ in range(2):
        with pytest.raises(pkg("bybit_v5").RateLimitError):
            DRIVERS["bybit_v5"].by_order_ids(bybit, ["1"])
    assert DRIVERS["bybit_v5"].by_order_ids(bybit, ["1"]).outcomes[0].error_code == "170213"


def _control(sim: Simulator, method: str, path: str, payload: Any = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        sim.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_faults_and_orders_through_the_http_control_api(simulator: Simulator) -> None:
    seeded = _control(
        simulator,
        "POST",
        "/__sim__/orders",
        {"venue": "binance_coinm", "orders": [{"symbol": "BTCUSD_PERP", "order_id": "42"}]},
    )
    assert seeded["orders"][0]["order_id"] == "42"
    assert _control(
        simulator, "POST", "/__sim__/faults", {"faults": [{"kind": "status", "status": 429, "retry_after": 3}]}
    ) == {"queued": 1}
    client = make_client(simulator, "binance_coinm")
    with pytest.raises(pkg("binance_coinm").RateLimitError) as caught:
        DRIVERS["binance_coinm"].by_order_ids(client, ["42"])
    assert caught.value.retry_after == 3.0
    assert DRIVERS["binance_coinm"].by_order_ids(client, ["42"]).outcomes[0].cancelled
    listed = _control(simulator, "GET", "/__sim__/orders?venue=binance_coinm")
    assert [(o["order_id"], o["status"]) for o in listed["orders"]] == [("42", "CANCELED")]
