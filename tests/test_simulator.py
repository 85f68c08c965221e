"""Issue 5, unit level: the simulator's signature check, wire decoding, answers, book, faults,
control API, routing, spec section and command line.

The signature check is held to the spec's pinned request cases (exact bytes and signatures) and
to Binance's published signing example, so it is tested against data, not against itself.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
from specgen.emit import json_schema
from specgen.errors import SpecError
from specgen.simulator import Fault, Simulator
from specgen.simulator.answers import plain, success_body
from specgen.simulator.auth import RawRequest, Rejection, authenticate, prehash, sign, unsigned_query
from specgen.simulator.book import Account, Book, Target
from specgen.simulator.faults import FaultQueue
from specgen.simulator.wire import ParamReader, targets
from specgen.spec.loader import load_text
from specgen.spec.model import Endpoint, Venue, build_endpoint
from specgen.spec.validate import check_document

from tests.helpers import ROOT, VENUES


def venue_named(venues: tuple[Venue, ...], name: str) -> Venue:
    return next(v for v in venues if v.name.value == name)


def account_of(venue: Venue) -> Account:
    assert venue.test_credentials is not None
    creds = venue.test_credentials.value
    return Account(creds["api_key"], creds["secret"], creds.get("passphrase", ""))


def request_cases(venues: tuple[Venue, ...]) -> list[tuple[Venue, Endpoint, dict[str, Any]]]:
    return [(v, e, c.value) for v in venues for e in v.endpoints for c in e.tests.request]


def raw_from_case(endpoint: Endpoint, case: dict[str, Any]) -> RawRequest:
    expect = case["expect"]
    return RawRequest(
        expect["method"], expect["path"], expect["query"], tuple(expect["headers"].items()), expect["body"].encode()
    )


# Signatures -----------------------------------------------------------------------------------------


def test_every_pinned_request_case_authenticates(spec_venues: tuple[Venue, ...]) -> None:
    cases = request_cases(spec_venues)
    assert len(cases) >= 9  # every venue pins at least one signed request
    for venue, endpoint, case in cases:
        account = account_of(venue)
        got = authenticate(venue, raw_from_case(endpoint, case), {account.api_key: account}.get, case["timestamp"])
        assert got == account, case["name"]


def test_one_changed_byte_breaks_every_pinned_signature(spec_venues: tuple[Venue, ...]) -> None:
    for venue, endpoint, case in request_cases(spec_venues):
        account = account_of(venue)
        raw = raw_from_case(endpoint, case)
        # Change a byte the signature covers but no check before it reads: the body, or the symbol in the query.
        if raw.body:
            raw = dataclasses.replace(raw, body=raw.body.replace(b'"symbol":"', b'"symbol":"X', 1))
        else:
            raw = dataclasses.replace(raw, query=raw.query.replace("symbol=", "symbol=X", 1))
        with pytest.raises(Rejection) as caught:
            authenticate(venue, raw, {account.api_key: account}.get, case["timestamp"])
        assert caught.value.kind == "bad_signature", case["name"]


def test_binance_published_signing_example(spec_venues: tuple[Venue, ...]) -> None:
    [example] = venue_named(spec_venues, "binance_coinm").signing_examples.value
    assert sign("hmac-sha256", "hex", example["secret"].encode(), example["prehash"].encode()) == example["signature"]


def test_bybit_prehash_is_timestamp_key_window_body(spec_venues: tuple[Venue, ...]) -> None:
    venue = venue_named(spec_venues, "bybit_v5")
    [case] = venue.endpoints[0].tests.request
    raw = raw_from_case(venue.endpoints[0], case.value)
    assert prehash(venue, raw) == b"1672223356634" + b"xxxxxxxxxxxxxxxxxx" + b"5000" + raw.body


def test_unsigned_query_drops_only_the_signature_and_keeps_raw_bytes() -> None:
    raw = RawRequest("GET", "/p", "a=%5B1%2C2%5D&signature=abc&b=x,y&sig=1", (), b"")
    assert unsigned_query(raw, "signature") == "a=%5B1%2C2%5D&b=x,y&sig=1"
    assert unsigned_query(dataclasses.replace(raw, query="signature=abc"), "signature") == ""


def test_timestamp_window_and_future_tolerance(spec_venues: tuple[Venue, ...]) -> None:
    venue = venue_named(spec_venues, "bybit_v5")
    [case] = venue.endpoints[0].tests.request
    raw, account = raw_from_case(venue.endpoints[0], case.value), account_of(venue)
    sent = case.value["timestamp"]
    lookup = {account.api_key: account}.get
    authenticate(venue, raw, lookup, sent + 5000)  # the edge of the 5000 ms window
    authenticate(venue, raw, lookup, sent - 1000)  # 1 s in the future is tolerated
    for now in (sent + 5001, sent - 1001):
        with pytest.raises(Rejection) as caught:
            authenticate(venue, raw, lookup, now)
        assert caught.value.kind == "expired_timestamp"


# Wire decoding and validation ------------------------------------------------------------------


def test_pinned_requests_decode_to_their_params(spec_venues: tuple[Venue, ...]) -> None:
    for venue, endpoint, case in request_cases(spec_venues):
        expected = dict(case["params"])
        if endpoint.params_in == "query":
            expected["timestamp"] = case["timestamp"]
            if "recv_window" in case:
                expected["recvWindow"] = case["recv_window"]
        assert ParamReader.for_endpoint(venue, endpoint).read(raw_from_case(endpoint, case)) == expected, case["name"]


def encode(venue: Venue, endpoint: Endpoint, params: dict[str, Any]) -> tuple[str, bytes]:
    """(query, body) as a client would send params; written here, apart from the simulator."""
    if endpoint.params_in == "body":
        return "", json.dumps(params, separators=(",", ":")).encode()
    pairs = []
    for name, value in params.items():
        param = endpoint.param(name)
        if isinstance(value, list):
            text = (
                ",".join(str(v) for v in value)
                if param and param.type.encoding == "comma"
                else json.dumps(value, separators=(",", ":"))
            )
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
        pairs.append(f"{quote(name, safe='')}={quote(text, safe=venue.query_safe.value)}")
    return "&".join(pairs), b""


def signed(venue: Venue, endpoint: Endpoint, params: dict[str, Any], now: int) -> RawRequest:
    account = account_of(venue)
    if endpoint.params_in == "query":
        params = {**params, "timestamp": now}
    query, body = encode(venue, endpoint, params)
    headers = [(venue.api_key.name.value, account.api_key)]
    if venue.timestamp.where == "header":
        headers.append((venue.timestamp.name.value, str(now)))
    if venue.passphrase is not None:
        headers.append((venue.passphrase.name.value, account.passphrase))
    raw = RawRequest(endpoint.method, endpoint.path.value, query, tuple(headers), body)
    signature = sign("hmac-sha256", venue.signature.encoding, account.secret.encode(), prehash(venue, raw))
    if venue.signature.where == "query":
        return dataclasses.replace(raw, query=f"{query}&signature={signature}")
    return dataclasses.replace(raw, headers=raw.headers + ((venue.signature.name.value, signature),))


def test_wire_representable_malformed_cases_get_the_venue_invalid_params_answer(spec_venues: tuple[Venue, ...]) -> None:
    sim = Simulator(spec_venues, clock=lambda: 1700000000000)
    checked: dict[str, int] = {}
    for venue in spec_venues:
        sim_answers = venue.simulation
        assert sim_answers is not None
        for endpoint in venue.endpoints:
            reader = ParamReader.for_endpoint(venue, endpoint)
            for case in endpoint.tests.malformed:
                params = {k: v for k, v in case.value["params"].items() if k != "timestamp"}
                raw = signed(venue, endpoint, params, 1700000000000)
                decoded = reader.decode(raw)
                decoded.pop("timestamp", None)
                if decoded != params:
                    continue  # the wire cannot carry it (an id holding the list's comma, say)
                reply = sim.handle(raw).reply
                assert reply is not None
                expected = sim_answers.invalid_params
                body = json.loads(reply.body)
                assert reply.status == expected.http_status, case.value["name"]
                assert body == {
                    venue.error_code.value: plain(expected.code),
                    venue.error_message.value: expected.message.value,
                }
                checked[venue.name.value] = checked.get(venue.name.value, 0) + 1
    assert sorted(checked) == sorted(VENUES) and min(checked.values()) >= 2


def test_query_values_are_typed_by_the_spec(spec_venues: tuple[Venue, ...]) -> None:
    bingx = venue_named(spec_venues, "bingx_spot")
    reader = ParamReader.for_endpoint(bingx, bingx.endpoints[0])
    raw = RawRequest("POST", "/x", "symbol=BTC-USDT&process=1&clientOrderIDs=a%20b,c&timestamp=5", (), b"")
    assert reader.decode(raw) == {"symbol": "BTC-USDT", "process": 1, "clientOrderIDs": ["a b", "c"], "timestamp": 5}
    with pytest.raises(Rejection) as twice:
        reader.decode(dataclasses.replace(raw, query="symbol=A&symbol=B"))
    assert twice.value.kind == "invalid_params"
    with pytest.raises(Rejection) as unknown:
        reader.read(dataclasses.replace(raw, query="symbol=A&orderIds=1&timestamp=5&extra=1"))
    assert "extra" in unknown.value.detail


def test_targets_follow_the_spec_request_ids(spec_venues: tuple[Venue, ...]) -> None:
    bitget = venue_named(spec_venues, "bitget_spot").endpoints[0]
    params = {"symbol": "BTCUSDT", "orderList": [{"orderId": "1"}, {"orderId": "2", "symbol": "ETHUSDT"}]}
    assert targets(bitget, params) == (Target("1", None, "BTCUSDT"), Target("2", None, "ETHUSDT"))
    binance = venue_named(spec_venues, "binance_coinm").endpoints[0]
    assert targets(binance, {"symbol": "S", "origClientOrderIdList": ["a", "b"]}) == (
        Target(None, "a", "S"),
        Target(None, "b", "S"),
    )


# Answers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("venue_name", VENUES)
def test_answers_match_the_response_schema(spec_venues: tuple[Venue, ...], venue_name: str) -> None:
    venue = venue_named(spec_venues, venue_name)
    [endpoint] = venue.endpoints
    book = Book()
    book.seed(
        venue_name,
        "k",
        [{"symbol": "S", "order_id": "11", "client_id": "c11"}, {"symbol": "S", "order_id": "12", "status": "FILLED"}],
    )
    results = book.cancel(venue_name, "k", [Target("11", None, "S"), Target("12", None, "S"), Target("13", "c13", "S")])
    assert [r.kind for r in results] == ["cancelled", "terminal", "unknown"]
    body = success_body(venue, endpoint, {"symbol": "S", "category": "spot"}, results)
    errors = list(jsonschema.Draft202012Validator(json_schema.response_schema(venue, endpoint)).iter_errors(body))
    assert errors == []
    answered = sum(len(_list_at(body, [step.value for step in source.items])) for source in endpoint.outcomes)
    assert answered == 3  # one item per order named, whichever list holds it


def _list_at(body: Any, path: list[str]) -> list[Any]:
    for step in path:
        body = body[step]
    assert isinstance(body, list)
    return body


def test_bybit_answer_is_aligned_by_position(spec_venues: tuple[Venue, ...]) -> None:
    venue = venue_named(spec_venues, "bybit_v5")
    book = Book()
    book.seed("bybit_v5", "k", [{"symbol": "BTCUSDT", "order_id": "5"}])
    results = book.cancel("bybit_v5", "k", [Target("4", None, None), Target("5", None, None)])
    body = success_body(venue, venue.endpoints[0], {"category": "spot"}, results)
    assert body["retCode"] == 0 and body["retMsg"] == "OK"
    assert [i["orderId"] for i in body["result"]["list"]] == ["4", "5"]
    assert body["retExtInfo"]["list"] == [{"code": 170213, "msg": "Order does not exist."}, {"code": 0, "msg": "OK"}]


# Book and faults -------------------------------------------------------------------------------------


def test_book_seeding_and_cancelling_rules() -> None:
    book = Book()
    [a] = book.seed("v", "k", [{"symbol": "S", "client_id": "c"}])
    with pytest.raises(ValueError, match="already in the book"):
        book.seed("v", "k", [{"symbol": "S", "order_id": a.order_id}])
    with pytest.raises(ValueError, match="unknown status"):
        book.seed("v", "k", [{"symbol": "S", "status": "OPEN"}])
    with pytest.raises(ValueError, match="unknown order field"):
        book.seed("v", "k", [{"symbol": "S", "colour": "red"}])
    assert [r.kind for r in book.cancel("v", "k", [Target(a.order_id, None, "T")])] == ["unknown"]  # other symbol
    assert [r.kind for r in book.cancel("v", "k", [Target(None, "c", None), Target(a.order_id, None, None)])] == [
        "cancelled",
        "terminal",
    ]
    assert book.orders("v", "other-key") == ()


def test_fault_validation_and_queue_order() -> None:
    for bad in (
        {"kind": "explode"},
        {"kind": "delay", "seconds": 31},
        {"kind": "status", "status": 42},
        {"kind": "status", "times": 0},
        {"kind": "status", "colour": 1},
        {"kind": "status", "status": "429"},
    ):
        with pytest.raises(ValueError):
            Fault.from_json(bad)
    queue = FaultQueue()
    first, second = Fault.server_error(500, venue="a"), Fault.rate_limited(times=2)
    queue.add(first, second)
    assert [queue.take("b"), queue.take("a"), queue.take("a"), queue.take("a")] == [second, first, second, None]
    assert len(queue) == 0


# Control API, routing, safety ----------------------------------------------------------------------------


def _call(url: str, method: str = "GET", payload: Any = None) -> tuple[int, Any]:
    data = None if payload is None else (payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    headers = {} if method == "GET" else {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_control_api(simulator: Simulator) -> None:
    status, listing = _call(simulator.url + "/__sim__")
    assert status == 200 and listing["venues"]["bybit_v5"]["routes"] == ["POST /v5/order/cancel-batch"]
    assert (
        _call(simulator.url + "/__sim__/accounts", "POST", {"venue": "bybit_v5", "api_key": "k2", "secret": "s2"})[0]
        == 200
    )
    assert simulator.book.account("bybit_v5", "k2") == Account("k2", "s2")
    assert (
        _call(
            simulator.url + "/__sim__/orders",
            "POST",
            {"venue": "bybit_v5", "api_key": "k2", "orders": [{"symbol": "S"}]},
        )[0]
        == 200
    )
    assert len(simulator.orders("bybit_v5", api_key="k2")) == 1
    assert _call(simulator.url + "/__sim__/faults", "DELETE") == (200, {"cleared": 0})
    assert _call(simulator.url + "/__sim__/reset", "POST") == (200, {"reset": True})
    assert simulator.orders("bybit_v5", api_key="k2") == ()
    assert _call(simulator.url + "/__sim__/orders", "POST", b"[1]")[0] == 400
    assert _call(simulator.url + "/__sim__/orders", "POST", {"venue": "nope", "orders": []})[0] == 400
    assert _call(simulator.url + "/__sim__/faults", "POST", {"faults": [{"kind": "boom"}]})[0] == 400
    assert _call(simulator.url + "/__sim__/nothing", "POST", {})[0] == 404


def test_unknown_paths_and_methods_are_404(simulator: Simulator) -> None:
    assert _call(simulator.url + "/v5/order/nothing", "POST", {})[0] == 404
    assert _call(simulator.url + "/v5/order/cancel-batch")[0] == 404  # GET on a POST endpoint
    assert _call(simulator.url + "/bybit_v5/dapi/v1/batchOrders", "DELETE")[0] == 404  # another venue's path


def test_a_path_two_venues_share_is_served_under_their_prefixes_only(spec_venues: tuple[Venue, ...]) -> None:
    binance, ztdx = venue_named(spec_venues, "binance_coinm"), venue_named(spec_venues, "ztdx_futures")
    moved = dataclasses.replace(
        ztdx, endpoints=(dataclasses.replace(ztdx.endpoints[0], path=binance.endpoints[0].path),)
    )
    sim = Simulator([binance, moved])
    assert sim.shared_paths == ("DELETE /dapi/v1/batchOrders",)
    assert sim.route("DELETE", "/dapi/v1/batchOrders") is None
    assert sim.route("DELETE", "/ztdx_futures/dapi/v1/batchOrders").venue.name.value == "ztdx_futures"  # type: ignore[union-attr]


def test_only_loopback_hosts_and_only_simulated_specs(spec_venues: tuple[Venue, ...]) -> None:
    with pytest.raises(SpecError, match="loopback"):
        Simulator(spec_venues, host="0.0.0.0")
    assert Simulator(spec_venues, host="::1").url == "http://[::1]:0"  # not started: IPv6 may be off here
    with pytest.raises(SpecError, match="no simulation section"):
        Simulator([dataclasses.replace(spec_venues[0], simulation=None)])


def test_the_log_never_shows_keys_signatures_or_queries(spec_venues: tuple[Venue, ...]) -> None:
    lines: list[str] = []
    venue = venue_named(spec_venues, "binance_coinm")
    with Simulator(spec_venues, log=lines.append, clock=lambda: 1700000000000) as sim:
        raw = signed(venue, venue.endpoints[0], {"symbol": "BTCUSD_PERP", "orderIdList": [1]}, 1700000000000)
        headers = dict(raw.headers)
        request = urllib.request.Request(f"{sim.url}{raw.path}?{raw.query}", method=raw.method, headers=headers)
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
    account = account_of(venue)
    signature = raw.query.rpartition("signature=")[2]
    assert lines == ["DELETE /dapi/v1/batchOrders -> 200 (binance_coinm.cancel_multiple_orders)"]
    assert not any(
        secret in line for line in lines for secret in (account.api_key, account.secret, signature, "orderIdList")
    )


# The spec section -----------------------------------------------------------------------------------------


def _endpoint_with(spec_venues: tuple[Venue, ...], venue_name: str, old: str, new: str) -> Endpoint:
    venue = venue_named(spec_venues, venue_name)
    [path] = [p for p in (ROOT / "specs" / venue_name).glob("*.yaml") if p.name != "venue.yaml"]
    text = path.read_text("utf-8")
    assert old in text
    doc = load_text(str(path), text.replace(old, new))
    assert check_document(doc, "endpoint") == []
    return build_endpoint(doc, venue, path.parent)


def test_the_simulation_section_is_checked(spec_venues: tuple[Venue, ...]) -> None:
    bitget = _endpoint_with(spec_venues, "bitget_spot", "terminal_orders: error", "terminal_orders: error")
    assert bitget.simulation is not None and bitget.simulation.request_client_ids is not None
    # (An endpoint whose outcomes do not say where the request names its orders is refused by
    # the outcomes themselves: tests/test_outcomes.py.)
    with pytest.raises(SpecError, match="needs an outcome source that reads a status"):
        _endpoint_with(spec_venues, "bitget_spot", "terminal_orders: error", "terminal_orders: status")
    with pytest.raises(SpecError, match="must name a list parameter"):
        _endpoint_with(
            spec_venues, "bingx_spot", "request_ids: {order_id: orderIds,", "request_ids: {order_id: symbol,"
        )


def test_every_simulated_value_says_where_it_comes_from(spec_venues: tuple[Venue, ...]) -> None:
    for venue in spec_venues:
        assert venue.simulation is not None
        answers = [
            venue.simulation.bad_api_key,
            venue.simulation.bad_signature,
            venue.simulation.expired_timestamp,
            venue.simulation.invalid_params,
            *[a for a in (venue.simulation.rate_limited, venue.simulation.internal_error) if a is not None],
        ]
        clock = venue.simulation.clock.source
        assert clock is None or any(word in clock.value for word in ("guide", "section", "document", "ssum")), clock
        for endpoint in venue.endpoints:
            assert endpoint.simulation is not None
            answers.append(endpoint.simulation.unknown_order)
        for a in answers:
            source = a.source.value
            # Names its origin: a venue's error-code list, the document, or an explicit assumption.
            assert any(word in source for word in ("error-code page", "error codes", "document", "ssum")), source
            if "error-code page" in source or "error codes" in source:
                code = a.code.value if hasattr(a.code, "value") else a.code
                assert str(code) in source, f"{venue.name.value}: {source!r} does not cite code {code}"


# The command ------------------------------------------------------------------------------------------------


def _first_line(stream: Any, seconds: float) -> str:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    assert line, "specgen serve printed nothing"
    return line[0]


def test_specgen_serve_starts_in_one_command_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "specgen", "serve", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = _first_line(process.stdout, 30)
        url = first.split(" on ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        status, listing = _call(url + "/__sim__")
        assert status == 200 and sorted(listing["venues"]) == sorted(VENUES)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_specgen_serve_refuses_a_public_host() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "specgen", "serve", "--host", "0.0.0.0", "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "loopback" in done.stderr
