"""Issue 5, unit level: the simulator's signature check, wire decoding, answers, book, faults,
control API, routing, spec section and command line.

The signature check is held to the spec's pinned request cases (exact bytes and signatures) and
to Binance's published signing example, so it is tested against data, not against itself.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
import yaml
from specgen.emit import json_schema
from specgen.errors import SpecError
from specgen.simulator import Fault, Simulator
from specgen.simulator.answers import plain, success_body
from specgen.simulator.auth import RawRequest, Rejection, authenticate, prehash, sign, unsigned_query
from specgen.simulator.book import Account, Book, Target
from specgen.simulator.drive import CancelCall, calls
from specgen.simulator.faults import FaultQueue
from specgen.simulator.wire import ParamReader, targets
from specgen.spec.loader import load_text
from specgen.spec.model import AnswerField, Endpoint, SimAnswer, Venue, build_endpoint
from specgen.spec.outcomes import OutcomeSource, Ref
from specgen.spec.signing import SECRETS
from specgen.spec.simulation import check_simulation
from specgen.spec.specset import read_specs
from specgen.spec.text import Text
from specgen.spec.validate import check_document

from tests.helpers import FIXTURE_SPECS, ROOT, case_now_ms


def venue_named(venues: tuple[Venue, ...], name: str) -> Venue:
    return next(v for v in venues if v.name.value == name)


def account_of(venue: Venue) -> Account:
    assert venue.test_credentials is not None
    creds = venue.test_credentials.value
    return Account(creds["api_key"], creds["secret"], creds.get("passphrase", ""))


def request_cases(venues: tuple[Venue, ...]) -> list[tuple[Venue, Endpoint, dict[str, Any]]]:
    return [(v, e, c.value) for v in venues for e in v.endpoints for c in e.tests.request]


def order_calls(venues: tuple[Venue, ...]) -> list[CancelCall]:
    """The calls that name several orders (a cancel-all names none: tests/test_simulator_cancel_all.py;
    a call naming one order per request: the one-order tests below)."""
    return [c for c in calls(venues) if not c.cancels_all and not c.one_order]


def one_order_calls(venues: tuple[Venue, ...]) -> list[CancelCall]:
    """The calls whose request names exactly one order (by an id in the path, say)."""
    return [c for c in calls(venues) if c.one_order]


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
        got = authenticate(
            venue, raw_from_case(endpoint, case), {account.api_key: account}.get, case_now_ms(venue, case)
        )
        assert got == account, case["name"]


def test_one_changed_byte_breaks_every_pinned_signature(spec_venues: tuple[Venue, ...]) -> None:
    for venue, endpoint, case in request_cases(spec_venues):
        account = account_of(venue)
        raw = raw_from_case(endpoint, case)
        # Change a byte the signature covers but no check before it reads: the body (its symbol, else
        # its first digit), or the symbol in the query.
        if b'"symbol":"' in raw.body:
            raw = dataclasses.replace(raw, body=raw.body.replace(b'"symbol":"', b'"symbol":"X', 1))
        elif raw.body:
            digit = next(i for i, b in enumerate(raw.body) if chr(b).isdigit())
            changed = b"1" if raw.body[digit : digit + 1] != b"1" else b"2"
            raw = dataclasses.replace(raw, body=raw.body[:digit] + changed + raw.body[digit + 1 :])
        elif raw.query:
            raw = dataclasses.replace(raw, query=raw.query.replace("symbol=", "symbol=X", 1))
        else:  # everything the request says is in its path (an order id)
            raw = dataclasses.replace(raw, path=raw.path[:-1] + ("1" if raw.path[-1] != "1" else "2"))
        with pytest.raises(Rejection) as caught:
            authenticate(venue, raw, {account.api_key: account}.get, case_now_ms(venue, case))
        assert caught.value.kind == "bad_signature", case["name"]


def test_published_signing_examples(spec_venues: tuple[Venue, ...]) -> None:
    checked = 0
    for venue in spec_venues:
        sig = venue.signature
        for example in venue.signing_examples.value or ():
            if not {"secret", "prehash", "signature"} <= set(example):
                continue  # an example of another step (a signed passphrase, say)
            signed = sign(sig.algorithm, sig.encoding, example["secret"].encode(), example["prehash"].encode())
            assert signed == example["signature"], venue.name.value
            checked += 1
    assert checked >= 1, "no venue publishes a signing example"


@pytest.fixture(scope="module")
def fixture_venues() -> tuple[Venue, ...]:
    """The frozen fixture specs: venue-specific behaviour is pinned on them, never on specs/."""
    return read_specs(FIXTURE_SPECS, ROOT)


def test_header_prehash_is_timestamp_key_window_body(fixture_venues: tuple[Venue, ...]) -> None:
    venue = venue_named(fixture_venues, "fx_header")
    [case] = venue.endpoints[0].tests.request
    raw = raw_from_case(venue.endpoints[0], case.value)
    assert prehash(venue, raw) == b"1672223356634" + b"xxxxxxxxxxxxxxxxxx" + b"5000" + raw.body


def test_unsigned_query_drops_only_the_signature_and_keeps_raw_bytes() -> None:
    raw = RawRequest("GET", "/p", "a=%5B1%2C2%5D&signature=abc&b=x,y&sig=1", (), b"")
    assert unsigned_query(raw, "signature") == "a=%5B1%2C2%5D&b=x,y&sig=1"
    assert unsigned_query(dataclasses.replace(raw, query="signature=abc"), "signature") == ""


# Wire decoding and validation ------------------------------------------------------------------


def test_pinned_requests_decode_to_their_params(spec_venues: tuple[Venue, ...]) -> None:
    for venue, endpoint, case in request_cases(spec_venues):
        expected = dict(case["params"])
        if endpoint.params_in == "query":
            for p in endpoint.params:  # auth values the venue sends among the parameters
                if p.source == "timestamp":
                    expected[p.wire.value] = case["timestamp"]
                elif p.source == "recv_window" and "recv_window" in case:
                    expected[p.wire.value] = case["recv_window"]
        got = ParamReader.for_endpoint(venue, endpoint).read(raw_from_case(endpoint, case))
        if endpoint.params_in != "query":  # values the client fills in among the body's (a nonce, the path)
            for p in endpoint.params:
                if p.source is not None:
                    assert got.pop(p.wire.value) is not None, (case["name"], p.wire.value)
        assert got == expected, case["name"]


def filled_path(endpoint: Endpoint, params: dict[str, Any]) -> str:
    """The endpoint's path with its path parameters' values (percent-encoded) in place."""
    path = endpoint.path.value
    for p in endpoint.params_in_place("path"):
        path = path.replace("{" + p.wire.value + "}", quote(str(params[p.wire.value]), safe=""))
    return path


def encode(venue: Venue, endpoint: Endpoint, params: dict[str, Any]) -> tuple[str, bytes]:
    """(query, body) as a client would send params; written here, apart from the simulator."""
    params = {k: v for k, v in params.items() if k not in {p.wire.value for p in endpoint.params_in_place("path")}}
    if endpoint.params_in == "body":
        # body: array sends its one list parameter as the whole body
        whole = params[endpoint.params_in_place("body")[0].wire.value] if endpoint.body_kind == "array" else params
        return "", json.dumps(whole, separators=(",", ":")).encode()
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
    auth = venue.auth
    sig = auth.signature
    secret = SECRETS[sig.secret].apply(account.secret)
    stamp = auth.value("timestamp")
    if stamp is not None and stamp.unit == "s":  # whole seconds, maybe an expiry time
        now = now // 1000 + stamp.expires_in
    if endpoint.params_in == "query":
        stamped = [p.wire.value for p in endpoint.params if p.source == "timestamp"]
        params = {**params, **{name: now for name in stamped}}
    else:  # what the client fills in among the body's values: a timestamp or nonce, the request path
        for p in endpoint.params:
            value = auth.value(p.source) if p.source is not None else None
            if value is not None and p.wire.value not in params:
                params = {**params, p.wire.value: endpoint.path.value if value.word == "@path" else now}
    query, body = encode(venue, endpoint, params)
    passphrase = auth.value("passphrase")
    sent = {
        "api_key": account.api_key,
        "timestamp": str(now),
        "nonce": str(now),
        "passphrase": (
            account.passphrase
            if passphrase is None or passphrase.signed is None
            else sign(passphrase.signed.algorithm, passphrase.signed.encoding, secret, account.passphrase.encode())
        ),
    }
    if auth.payload is not None:  # the body, base64 in a header
        assert auth.payload.payload_of == "body" and auth.payload.payload_encoding == "base64"
        sent["payload"] = base64.b64encode(body).decode()
    headers = [(v.placement.name.value, sent[v.key]) for v in auth.placed("header") if v.key in sent]
    raw = RawRequest(endpoint.method, filled_path(endpoint, params), query, tuple(headers), body)
    signature = sign(sig.algorithm, sig.encoding, secret, prehash(venue, raw))
    if sig.placement.where == "query":
        return dataclasses.replace(raw, query=f"{query}&signature={signature}")
    return dataclasses.replace(raw, headers=raw.headers + ((sig.placement.name.value, signature),))


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
                sent_at = 1700000000000 + sum(checked.values())  # a nonce must increase from case to case
                raw = signed(venue, endpoint, params, sent_at)
                decoded = reader.decode(raw)
                decoded.pop("timestamp", None)
                for p in endpoint.params:  # filled in by the client, not the case's
                    if p.source is not None and p.wire.value not in params:
                        decoded.pop(p.wire.value, None)
                if decoded != params:
                    continue  # the wire cannot carry it (an id holding the list's comma, say)
                prefixed = dataclasses.replace(raw, path=f"/{venue.name.value}{raw.path}")  # the venue's own address
                reply = sim.handle(prefixed).reply
                assert reply is not None
                expected = sim_answers.invalid_params
                body = json.loads(reply.body)
                assert reply.status == expected.http_status, case.value["name"]
                flag = venue.envelope.success_flag if venue.envelope is not None else None
                assert body == {
                    venue.error_code.value: plain(expected.code),
                    venue.error_message.value: expected.message.value,
                    **({flag.value: False} if flag is not None else {}),
                }
                checked[venue.name.value] = checked.get(venue.name.value, 0) + 1
    simulated = {v.name.value for v in spec_venues if any(e.tests.malformed for e in v.endpoints)}
    assert set(checked) == simulated and min(checked.values()) >= 1


def test_query_values_are_typed_by_the_spec(fixture_venues: tuple[Venue, ...]) -> None:
    bingx = venue_named(fixture_venues, "fx_comma")
    reader = ParamReader.for_endpoint(bingx, bingx.endpoints[0])
    raw = RawRequest("POST", "/x", "symbol=BTC-USDT&process=1&clientOrderIDs=a%20b,c&timestamp=5", (), b"")
    assert reader.decode(raw) == {"symbol": "BTC-USDT", "process": 1, "clientOrderIDs": ["a b", "c"], "timestamp": 5}
    with pytest.raises(Rejection) as twice:
        reader.decode(dataclasses.replace(raw, query="symbol=A&symbol=B"))
    assert twice.value.kind == "invalid_params"
    with pytest.raises(Rejection) as unknown:
        reader.read(dataclasses.replace(raw, query="symbol=A&orderIds=1&timestamp=5&extra=1"))
    assert "extra" in unknown.value.detail


def test_targets_follow_the_spec_request_ids_and_instrument(spec_venues: tuple[Venue, ...]) -> None:
    for call in order_calls(spec_venues):
        for way in call.ways():
            params = call.params(["11", "12"], by=way)
            ids = [("11", None), ("12", None)] if way == "order_id" else [(None, "11"), (None, "12")]
            assert targets(call.endpoint, params) == tuple(Target(o, c, call.instrument) for o, c in ids), call.name


# Answers ------------------------------------------------------------------------------------------------


def test_answers_match_the_response_schema(spec_venues: tuple[Venue, ...]) -> None:
    for call in order_calls(spec_venues):
        venue, endpoint = call.venue, call.endpoint
        book = Book()
        book.seed(
            "v",
            "k",
            [
                {"instrument": "S", "order_id": "11", "client_id": "c11"},
                {"instrument": "S", "order_id": "12", "status": "filled"},
            ],
        )
        results = book.cancel("v", "k", [Target("11", None, "S"), Target("12", None, "S"), Target("13", "c13", "S")])
        assert [r.kind for r in results] == ["cancelled", "terminal", "unknown"]
        body = success_body(venue, endpoint, call.params(["11", "12", "13"]), results)
        errors = list(jsonschema.Draft202012Validator(json_schema.response_schema(venue, endpoint)).iter_errors(body))
        assert errors == [], call.name
        answered = sum(len(_list_at(body, [step.value for step in source.items])) for source in endpoint.outcomes)
        assert answered == 3, call.name  # one item per order named, whichever list holds it


def test_a_one_order_request_names_one_target_and_is_answered_in_the_spec_s_shape(
    spec_venues: tuple[Venue, ...],
) -> None:
    """An endpoint whose id is a scalar (in its path): one target per request; a cancelled order is
    answered in the response schema's shape, naming it once; a refused one gets the section's
    failed envelope code and no entry."""
    checked = 0
    for call in one_order_calls(spec_venues):
        venue, endpoint = call.venue, call.endpoint
        sim = endpoint.simulation
        assert sim is not None and endpoint.max_batch == 1
        for way in call.ways():
            params = call.params(["11"], by=way)
            ids = ("11", None) if way == "order_id" else (None, "11")
            assert targets(endpoint, params) == (Target(*ids, call.instrument),), call.name
            with pytest.raises(ValueError, match="one order per request"):
                call.params(["11", "12"], by=way)
        way = call.ways()[0]
        book = Book()
        book.seed("v", "k", [{"instrument": "S", "order_id": "11", "client_id": "11"}])
        [done] = book.cancel("v", "k", [Target("11", None, "S") if way == "order_id" else Target(None, "11", "S")])
        body = success_body(venue, endpoint, call.params(["11"], by=way), (done,))
        schema = jsonschema.Draft202012Validator(json_schema.response_schema(venue, endpoint))
        assert list(schema.iter_errors(body)) == [], call.name
        assert json.dumps(body).count('"11"') >= 1 and "c13" not in json.dumps(body)
        [unknown] = book.cancel("v", "k", [Target("13", "c13", "S")])
        refused = success_body(venue, endpoint, call.params(["13"], by=way), (unknown,))
        assert "13" not in json.dumps(refused), call.name  # nowhere says it was cancelled
        if sim.failed is not None and venue.envelope is not None and venue.envelope.code is not None:
            assert refused[venue.envelope.code.value] == plain(sim.failed.code)
        checked += 1
    assert checked == len(one_order_calls(spec_venues))


def _list_at(body: Any, path: list[str]) -> list[Any]:
    for step in path:
        body = body[step]
    assert isinstance(body, list)
    return body


def test_aligned_answers_pair_by_position(spec_venues: tuple[Venue, ...]) -> None:
    checked = 0
    for call in order_calls(spec_venues):
        sim = call.endpoint.simulation
        assert sim is not None
        for source in (o for o in call.endpoint.outcomes if o.aligned_with is not None and o.error_code is not None):
            book = Book()
            book.seed("v", "k", [{"instrument": "S", "order_id": "5"}])
            results = book.cancel("v", "k", [Target("4", None, None), Target("5", None, None)])
            body = success_body(call.venue, call.endpoint, call.params(["4", "5"]), results)
            items = _list_at(body, [p.value for p in source.items])
            aligned = _list_at(body, [p.value for p in source.aligned_with or ()])
            assert source.order_id is not None and [i[source.order_id.name.value] for i in items] == ["4", "5"]
            codes = [a[source.error_code.name.value] for a in aligned]
            assert codes[0] == plain(sim.unknown_order.code)
            assert sim.accepted is not None and codes[1] == plain(sim.accepted.code)
            checked += 1
    assert checked or not any(o.aligned_with for c in order_calls(spec_venues) for o in c.endpoint.outcomes)


def test_answer_fields_statuses_and_envelope_codes_come_from_the_section(spec_venues: tuple[Venue, ...]) -> None:
    """Each endpoint with its section changed in memory: the answer follows the change."""
    for call in order_calls(spec_venues):
        venue, endpoint = call.venue, call.endpoint
        sim = endpoint.simulation
        assert sim is not None
        book = Book()
        book.seed("v", "k", [{"instrument": "S", "order_id": "7", "price": "1.5", "side": "sell"}])
        results = book.cancel("v", "k", [Target("7", None, "S"), Target("8", None, "S")])
        source = next(o for o in endpoint.outcomes if o.cancelled_constant or o.cancelled_when is not None)
        item_type = endpoint.response.list_items_at(source.items)
        assert item_type is not None
        variant = item_type.variants[-1].type if item_type.kind == "one_of" else item_type
        strings = [
            f.wire for f in variant.fields if f.type.kind == "string" and Ref("item", f.wire) not in _refs(source)
        ]
        if strings:
            extra = (
                AnswerField(strings[0], "value", None, Text("from-the-section")),
                *[AnswerField(f, "order", Text("side"), None, ((Text("sell"), Text("VENDRE")),)) for f in strings[1:2]],
            )
            changed = dataclasses.replace(endpoint, simulation=dataclasses.replace(sim, answer_fields=extra))
            body = success_body(venue, changed, call.params(["7", "8"]), results)
            item = _list_at(body, [p.value for p in source.items])[0]  # the cancelled order's: it was named first
            assert item[strings[0].value] == "from-the-section"
            if len(strings) > 1:
                assert item[strings[1].value] == "VENDRE"
        if venue.envelope is not None and venue.envelope.code is not None:
            partial = SimAnswer(
                Text("P") if isinstance(venue.envelope.success_codes[0], Text) else 7, Text("some"), Text("t")
            )
            failed = SimAnswer(Text("F") if isinstance(partial.code, Text) else 8, Text("none"), Text("t"))
            changed = dataclasses.replace(endpoint, simulation=dataclasses.replace(sim, partial=partial, failed=failed))
            code = venue.envelope.code.value
            assert success_body(venue, changed, {}, results)[code] == plain(partial.code)
            assert success_body(venue, changed, {}, results[1:])[code] == plain(failed.code)
            assert success_body(venue, changed, {}, results[:1])[code] == plain(venue.envelope.success_codes[0])


def test_a_response_with_nowhere_to_put_a_cancelled_order_is_answered(spec_venues: tuple[Venue, ...]) -> None:
    """Aggregate-only answers: no outcome source holds cancelled orders; body_fields count them."""
    for call in order_calls(spec_venues):
        venue, endpoint = call.venue, call.endpoint
        sim = endpoint.simulation
        assert sim is not None
        book = Book()
        book.seed("v", "k", [{"instrument": "S", "order_id": "7"}])
        results = book.cancel("v", "k", [Target("7", None, "S"), Target("8", None, "S")])
        failures_only = tuple(o for o in endpoint.outcomes if o.cancelled_constant is False)
        counted = (AnswerField(Text("cancelledCount"), "count", Text("cancelled")),)
        changed = dataclasses.replace(
            endpoint, outcomes=failures_only, simulation=dataclasses.replace(sim, body_fields=counted)
        )
        body = success_body(venue, changed, call.params(["7", "8"]), results)
        if isinstance(body, dict):
            assert body["cancelledCount"] == 1, call.name


def _refs(source: OutcomeSource) -> list[Ref]:
    found = [source.order_id, source.client_id, source.status, source.error_code, source.error_message]
    return [r for r in found + [source.cancelled_when] if r is not None]


# Book and faults -------------------------------------------------------------------------------------


def test_book_seeding_and_cancelling_rules() -> None:
    book = Book()
    [a] = book.seed("v", "k", [{"instrument": "S", "client_id": "c"}])
    with pytest.raises(ValueError, match="already in the book"):
        book.seed("v", "k", [{"instrument": "S", "order_id": a.order_id}])
    with pytest.raises(ValueError, match="unknown status"):
        book.seed("v", "k", [{"instrument": "S", "status": "NEW"}])  # a venue's word, not the book's
    with pytest.raises(ValueError, match="unknown order field"):
        book.seed("v", "k", [{"instrument": "S", "colour": "red"}])
    assert [r.kind for r in book.cancel("v", "k", [Target(a.order_id, None, "T")])] == ["unknown"]  # other symbol
    assert [r.kind for r in book.cancel("v", "k", [Target(None, "c", None), Target(a.order_id, None, None)])] == [
        "cancelled",
        "terminal",
    ]
    assert book.orders("v", "other-key") == ()


def test_id_precedence_decides_which_order_an_item_naming_both_finds() -> None:
    for precedence, expected in (("order_id", "1"), ("client_id", "2"), ("both", None)):
        book = Book()
        book.seed(
            "v",
            "k",
            [
                {"instrument": "S", "order_id": "1", "client_id": "a"},
                {"instrument": "S", "order_id": "2", "client_id": "b"},
            ],
        )
        [result] = book.cancel("v", "k", [Target("1", "b", None)], precedence)
        assert (result.order.order_id if result.order else None) == expected, precedence
    book = Book()
    book.seed("v", "k", [{"instrument": "S", "order_id": "1", "client_id": "a"}])
    assert book.cancel("v", "k", [Target("1", "a", None)], "both")[0].kind == "cancelled"


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
    venue = next(iter(simulator.venues.values()))
    name = venue.name.value
    status, listing = _call(simulator.url + "/__sim__")
    assert status == 200 and listing["venues"][name]["routes"] == [
        f"{e.method} {e.path.value}" for e in venue.endpoints
    ]
    assert (
        _call(simulator.url + "/__sim__/accounts", "POST", {"venue": name, "api_key": "k2", "secret": "s2"})[0] == 200
    )
    assert simulator.book.account(name, "k2") == Account("k2", "s2")
    seeded = {"venue": name, "api_key": "k2", "orders": [{"instrument": "S"}]}
    assert _call(simulator.url + "/__sim__/orders", "POST", seeded)[0] == 200
    assert len(simulator.orders(name, api_key="k2")) == 1
    assert _call(simulator.url + "/__sim__/faults", "DELETE") == (200, {"cleared": 0})
    assert _call(simulator.url + "/__sim__/reset", "POST") == (200, {"reset": True})
    assert simulator.orders(name, api_key="k2") == ()
    assert _call(simulator.url + "/__sim__/orders", "POST", b"[1]")[0] == 400
    assert _call(simulator.url + "/__sim__/orders", "POST", {"venue": "nope", "orders": []})[0] == 400
    assert _call(simulator.url + "/__sim__/faults", "POST", {"faults": [{"kind": "boom"}]})[0] == 400
    assert _call(simulator.url + "/__sim__/nothing", "POST", {})[0] == 404


def test_unknown_paths_and_methods_are_404(simulator: Simulator) -> None:
    venues = list(simulator.venues.values())
    endpoint = venues[0].endpoints[0]
    path, method = endpoint.path.value, endpoint.method
    assert _call(simulator.url + path + "/nothing", method, {})[0] == 404
    other_method = "DELETE" if method != "DELETE" else "POST"
    assert _call(simulator.url + path, other_method, {})[0] == 404
    stranger = next((v for v in venues[1:] if all(e.path.value != path for e in v.endpoints)), None)
    assert stranger is not None or len(venues) == 1
    if stranger is not None:  # another venue's prefix does not serve this venue's path
        assert _call(f"{simulator.url}/{stranger.name.value}{path}", method, {})[0] == 404


def test_a_path_two_venues_share_is_served_under_their_prefixes_only(spec_venues: tuple[Venue, ...]) -> None:
    first, second = spec_venues[0], spec_venues[1]
    taken = first.endpoints[0]
    moved = dataclasses.replace(
        second, endpoints=(dataclasses.replace(second.endpoints[0], path=taken.path, method=taken.method),)
    )
    sim = Simulator([first, moved])
    shared = f"{taken.method} {taken.path.value}"
    assert sim.shared_paths == (shared,)
    assert sim.route(taken.method, taken.path.value) is None
    for venue in (first, moved):
        route = sim.route(taken.method, f"/{venue.name.value}{taken.path.value}")
        assert route is not None and route.venue.name.value == venue.name.value


def test_only_loopback_hosts_and_only_simulated_specs(spec_venues: tuple[Venue, ...]) -> None:
    with pytest.raises(SpecError, match="loopback"):
        Simulator(spec_venues, host="0.0.0.0")
    assert Simulator(spec_venues, host="::1").url == "http://[::1]:0"  # not started: IPv6 may be off here
    with pytest.raises(SpecError, match="no simulation section"):
        Simulator([dataclasses.replace(spec_venues[0], simulation=None)])


def test_the_log_never_shows_keys_signatures_or_queries(spec_venues: tuple[Venue, ...]) -> None:
    for venue, endpoint, case in request_cases(spec_venues)[:1] + request_cases(spec_venues)[-1:]:
        lines: list[str] = []
        at = case_now_ms(venue, case)
        with Simulator(spec_venues, log=lines.append, clock=lambda at=at: at) as sim:
            raw = raw_from_case(endpoint, case)
            target = f"{sim.base_url(venue.name.value)}{raw.path}" + (f"?{raw.query}" if raw.query else "")
            request = urllib.request.Request(
                target, data=raw.body or None, method=raw.method, headers=dict(raw.headers)
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.status == 200
        account = account_of(venue)
        signature = dict(raw.headers).get(venue.signature.name.value) or raw.query.rpartition("=")[2]
        params = list(case["params"])
        assert lines == [
            f"{endpoint.method} {endpoint.path.value} -> 200 ({venue.name.value}.{endpoint.operation.value})"
        ]
        assert not any(
            secret in line for line in lines for secret in (account.api_key, account.secret, signature, *params)
        )


# The spec section -----------------------------------------------------------------------------------------


def _endpoint_files(spec_venues: tuple[Venue, ...]) -> list[tuple[Venue, Path]]:
    found = []
    for venue in spec_venues:
        folder = ROOT / "specs" / venue.name.value
        found += [(venue, p) for p in sorted(folder.glob("*.yaml")) if p.name != "venue.yaml"]
    assert found
    return found


def _per_order_files(spec_venues: tuple[Venue, ...]) -> list[tuple[Venue, Path]]:
    """The endpoints whose requests name orders (the per-order section's keys apply to them)."""
    return [(v, p) for v, p in _endpoint_files(spec_venues) if "cancel_all" not in _raw_simulation(p)]


def _raw_simulation(path: Path) -> dict[str, Any]:
    found = yaml.safe_load(path.read_text("utf-8")).get("simulation", {})
    assert isinstance(found, dict)
    return found


def _built(venue: Venue, path: Path, change: Callable[[dict[str, Any]], None]) -> Endpoint:
    """The endpoint spec at path with change applied to its data: built and checked as `specgen validate` does."""
    raw = yaml.safe_load(path.read_text("utf-8"))
    change(raw)
    doc = load_text(str(path), yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    assert check_document(doc, "endpoint") == []
    endpoint = build_endpoint(doc, venue, path.parent)
    check_simulation(doc, venue, endpoint)
    return endpoint


def _refused(venue: Venue, path: Path, change: Callable[[dict[str, Any]], None], message: str) -> None:
    with pytest.raises(SpecError) as caught:
        _built(venue, path, change)
    assert caught.value.rule in ("simulation", "terminal-orders") and message in caught.value.message, caught.value
    assert caught.value.line is not None


def test_the_specs_simulation_sections_pass_their_checks(spec_venues: tuple[Venue, ...]) -> None:
    for venue, path in _endpoint_files(spec_venues):
        assert _built(venue, path, lambda raw: None).simulation is not None


def test_a_section_naming_what_does_not_exist_is_refused(spec_venues: tuple[Venue, ...]) -> None:
    def sim(**values: Any) -> Callable[[dict[str, Any]], None]:
        return lambda raw: raw["simulation"].update(values)

    for venue, path in _per_order_files(spec_venues):
        _refused(venue, path, sim(instrument="nope"), "instrument 'nope' is neither")
        _refused(
            venue, path, sim(answer_fields={"nope": "order.price"}), "no outcome source's items have a field 'nope'"
        )
        _refused(
            venue, path, sim(body_fields={"nope.deeper": "count.cancelled"}), "the response has no field nope.deeper"
        )
        _refused(
            venue,
            path,
            sim(answer_fields={}, body_fields={"x": "order.price"}),
            "a body field cannot come from one order",
        )


def test_a_section_that_would_have_to_invent_a_status_is_refused(spec_venues: tuple[Venue, ...]) -> None:
    def terminal_as_status(raw: dict[str, Any]) -> None:
        raw["simulation"]["terminal_orders"] = "status"
        raw["simulation"].pop("statuses", None)

    for venue, path in _per_order_files(spec_venues):
        reads_status = any(
            o.status is not None for e in venue.endpoints for o in e.outcomes if Path(e.file).name == path.name
        )
        message = (
            "simulation.statuses has no word for" if reads_status else "needs an outcome source that reads a status"
        )
        with pytest.raises(SpecError, match=message):
            _built(venue, path, terminal_as_status)


def test_envelope_codes_need_an_envelope(spec_venues: tuple[Venue, ...]) -> None:
    answer = {"code": 1, "message": "m", "source": "s"}

    def with_codes(raw: dict[str, Any]) -> None:
        raw["simulation"]["envelope"] = {"partial": dict(answer), "failed": dict(answer)}

    for venue, path in _per_order_files(spec_venues):
        if venue.envelope is None or venue.envelope.code is None:
            _refused(venue, path, with_codes, "envelope codes need the venue's envelope")
        else:
            assert _built(venue, path, with_codes).simulation.partial is not None  # type: ignore[union-attr]


def test_a_cancel_all_section_is_checked(spec_venues: tuple[Venue, ...]) -> None:
    """A cancel-all names no order: per-order keys and outcomes are refused, and what it names must exist."""
    files = [(v, p) for v, p in _endpoint_files(spec_venues) if "cancel_all" in _raw_simulation(p)]

    def every(**values: Any) -> Callable[[dict[str, Any]], None]:
        return lambda raw: raw["simulation"]["cancel_all"].update(values)

    def per_order(raw: dict[str, Any]) -> None:
        raw["simulation"]["unknown_order"] = {"code": 1, "message": "m", "source": "s"}

    def with_outcomes(raw: dict[str, Any]) -> None:
        raw["outcomes"] = {"request_ids": {}, "sources": [{"items": "", "cancelled": True}]}

    for venue, path in files:
        assert _built(venue, path, lambda raw: None).simulation.cancel_all is not None  # type: ignore[union-attr]
        with pytest.raises(SpecError, match="names 'nope', which is not a parameter") as unknown:
            _built(venue, path, every(instrument="nope"))
        assert unknown.value.rule == "unknown-param" and unknown.value.line is not None
        _refused(venue, path, every(ids="nope.deeper"), "nope.deeper is not a list of ids")
        _refused(venue, path, every(ids_by_instrument="nope"), "nope is not a map from instrument")
        _refused(venue, path, per_order, "unknown_order answers named orders; a cancel-all names none")
        with pytest.raises(SpecError):
            _built(venue, path, with_outcomes)


def test_a_required_field_nothing_writes_is_refused(spec_venues: tuple[Venue, ...]) -> None:
    unfilled = {"name": "zzzUnfilled", "type": "string", "required": True}

    def add_required(raw: dict[str, Any]) -> None:
        body = raw["response"]["body"]
        if body["type"] == "object":
            body["fields"].append(dict(unfilled))
            return
        item = body["items"]
        for target in [v["type"] for v in item["variants"]] if item["type"] == "one_of" else [item]:
            target["fields"].append(dict(unfilled))

    for venue, path in _endpoint_files(spec_venues):
        with pytest.raises(SpecError, match="zzzUnfilled") as caught:
            _built(venue, path, add_required)
        assert (
            caught.value.rule == "simulation"
            and "simulation.body_fields" in caught.value.message
            or ("simulation.answer_fields" in caught.value.message)
        )


def test_an_item_naming_an_order_by_both_ids_needs_a_precedence(spec_venues: tuple[Venue, ...]) -> None:
    def without(raw: dict[str, Any]) -> None:
        raw["simulation"].pop("id_precedence", None)

    for venue, path in _per_order_files(spec_venues):
        [endpoint] = [e for e in venue.endpoints if Path(e.file).name == path.name]
        sim = endpoint.simulation
        assert sim is not None
        ids = sim.request_order_ids, sim.request_client_ids
        if ids[0] is not None and ids[1] is not None and ids[0].param == ids[1].param and ids[0].field is not None:
            _refused(venue, path, without, "set simulation.id_precedence")
        else:  # separate lists: a request never names one order by both, so no precedence is needed
            assert _built(venue, path, without).simulation is not None


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
            every = endpoint.simulation.cancel_all
            if every is not None:  # a cancel-all answers no order: its behaviour names its origin
                assert any(word in every.source.value for word in ("section", "page", "document", "ssum"))
                continue
            assert endpoint.simulation.unknown_order is not None
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


@pytest.mark.parametrize("inherited", [signal.SIG_DFL, signal.SIG_IGN], ids=["foreground", "background-job"])
def test_specgen_serve_starts_in_one_command_and_stops_on_ctrl_c(inherited: signal.Handlers) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "specgen", "serve", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as a shell starts it in the foreground, or as a background job (SIGINT ignored)
        preexec_fn=lambda: signal.signal(signal.SIGINT, inherited),
    )
    try:
        first = _first_line(process.stdout, 30)
        url = first.split(" on ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        status, listing = _call(url + "/__sim__")
        assert status == 200 and sorted(listing["venues"]) == sorted(v.name.value for v in read_specs(ROOT / "specs"))
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0  # generous: the suite may run on a loaded machine
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
