"""The generated clients against the spec-driven simulator, over real sockets, for every venue in specs/.

Each test seeds orders, calls a generated client with base_url pointing at the simulator on
127.0.0.1, and checks the typed result and the uniform outcome list against the simulator's order
book afterwards. Venues and endpoints are discovered from specs/; the call is the endpoint's
pinned request case with the seeded ids swapped in (specgen.simulator.drive), and the expected
codes are the spec's simulation answers. Each answer is also held to the endpoint's emitted
response JSON Schema, which is independent of the simulator's code.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
import time
import urllib.request
from typing import Any

import jsonschema
import pytest
from specgen.simulator import Fault, Simulator
from specgen.simulator.answers import plain
from specgen.simulator.drive import CancelCall, calls
from specgen.spec.model import SimAnswer, Venue
from specgen.spec.specset import read_specs

from tests.helpers import GENERATED, ROOT

sys.path.insert(0, str(GENERATED))

CALLS = calls(read_specs(ROOT / "specs", ROOT))
BY_ID = [pytest.param(c, id=c.name) for c in CALLS if "order_id" in c.ways()]
BY_CLIENT = [pytest.param(c, id=c.name) for c in CALLS if "client_id" in c.ways()]
ANY = [pytest.param(c, id=c.name) for c in CALLS]


def test_every_simulated_venue_is_driven() -> None:
    venues = read_specs(ROOT / "specs", ROOT)
    simulated = {v.name.value for v in venues if v.simulation is not None}
    assert simulated and {c.venue.name.value for c in CALLS} == simulated


def pkg(call: CancelCall) -> Any:
    return importlib.import_module(call.venue.name.value)


def make_client(sim: Simulator, call: CancelCall, **options: Any) -> Any:
    account = sim.credentials(call.venue.name.value)
    creds: dict[str, Any] = {"api_key": account.api_key, "secret": account.secret}
    if account.passphrase:
        creds["passphrase"] = account.passphrase
    return pkg(call).Client(**{**creds, "base_url": sim.base_url(call.venue.name.value), "timeout": 5.0, **options})


def cancel(client: Any, call: CancelCall, ids: list[str], by: str = "order_id") -> Any:
    module = pkg(call)
    request = getattr(module, f"{call.endpoint.stem.value}Request").from_json(call.params(ids, by))
    return getattr(client, f"send_{call.endpoint.operation.value}")(request)


def outcomes_of(client: Any, call: CancelCall, ids: list[str], by: str = "order_id") -> list[Any]:
    """Every id's outcome: from one request, or (an endpoint naming one order per request) from one
    request per id, where the venue's refusal of an order is an ApiError carrying its outcome."""
    if not call.one_order:
        return list(cancel(client, call, ids, by).outcomes)
    found: list[Any] = []
    for i in ids:
        try:
            found.extend(cancel(client, call, [i], by).outcomes)
        except pkg(call).ApiError as refused:
            assert len(refused.outcomes) == 1, refused
            found.extend(refused.outcomes)
    return found


def seed(sim: Simulator, call: CancelCall, *orders: dict[str, Any]) -> Any:
    return sim.seed(call.venue.name.value, [{"instrument": call.instrument or "X", **o} for o in orders])


def state(sim: Simulator, call: CancelCall, order_id: str) -> str:
    return sim.order(call.venue.name.value, order_id).status


def code_of(answer: SimAnswer) -> str:
    return str(plain(answer.code))


def error_source_reads(call: CancelCall, what: str) -> bool:
    """Whether the list holding failed orders reads their error code (or message)."""
    failing = [o for o in call.endpoint.outcomes if o.cancelled_constant is not True]
    return any(getattr(o, what) is not None for o in failing)


def done(outcome: Any) -> bool:
    """The venue took the cancel: cancelled, or accepted with the final state to come."""
    return outcome.state.value in ("cancelled", "accepted")


def success_state(call: CancelCall) -> str:
    rules = call.endpoint.outcome_rules
    return rules.success if rules is not None else "cancelled"


def response_schema(call: CancelCall) -> jsonschema.Draft202012Validator:
    path = GENERATED / call.venue.name.value / "schemas" / f"{call.endpoint.operation.value}.response.json"
    return jsonschema.Draft202012Validator(json.loads(path.read_text("utf-8")))


class Recording:
    """A transport that keeps every answer body, to hold it to the response schema."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.bodies = inner, []  # type: ignore[var-annotated]

    def send(self, request: Any) -> Any:
        response = self.inner.send(request)
        self.bodies.append(response.body)
        return response


# The mixed batch ----------------------------------------------------------------------------------


@pytest.mark.parametrize("call", BY_ID)
def test_mixed_batch_cancels_live_orders_and_reports_the_rest(simulator: Simulator, call: CancelCall) -> None:
    sim = call.endpoint.simulation
    assert sim is not None
    live_a, live_b, closed, filled = seed(
        simulator,
        call,
        {"client_id": "live-a"},
        {},
        {"status": "cancelled", "client_id": "done-c"},
        {"status": "filled"},
    )
    unknown = "99999999"
    ids = [live_a.order_id, unknown, closed.order_id, live_b.order_id, filled.order_id]
    recording = Recording(pkg(call).UrllibTransport(5.0))
    result = outcomes_of(make_client(simulator, call, transport=recording), call, ids)

    answered = [json.loads(b) for b in recording.bodies]
    if call.one_order:  # a refused order's answer is the venue's error envelope, not the response's shape
        envelope = call.venue.envelope
        assert envelope is not None and envelope.code is not None
        answered = [a for a in answered if a.get(envelope.code.value) in [plain(c) for c in envelope.success_codes]]
        assert len(recording.bodies) == len(ids) and len(answered) == 2
    assert [e for a in answered for e in response_schema(call).iter_errors(a)] == []
    outcomes = {o.order_id: o for o in result}
    assert set(ids) <= set(outcomes), f"an order got no outcome: {sorted(set(ids) - set(outcomes))}"
    for live in (live_a, live_b):
        o = outcomes[live.order_id]
        assert (o.state.value, o.error_code) == (success_state(call), None)
        assert state(simulator, call, live.order_id) == "cancelled"
    assert outcomes[live_a.order_id].client_id in ("live-a", None)  # the client id, where the answer carries one
    missing = outcomes[unknown]
    assert missing.state.value == "failed"
    if error_source_reads(call, "error_code") or call.one_order:
        assert missing.error_code == code_of(sim.unknown_order)
    if error_source_reads(call, "error_message"):
        assert missing.error_message == sim.unknown_order.message.value
    if sim.terminal_orders == "status":
        # Terminal orders come back with their status, not as errors; a cancelled one reads as cancelled.
        assert (outcomes[closed.order_id].state.value, outcomes[closed.order_id].error_code) == ("cancelled", None)
        o = outcomes[filled.order_id]
        assert (o.state.value, o.status, o.error_code) == ("failed", str(plain(sim.status_word("filled"))), None)
    else:
        for o in (outcomes[closed.order_id], outcomes[filled.order_id]):
            assert o.state.value == "failed"
            if error_source_reads(call, "error_code") or call.one_order:
                assert o.error_code == code_of(sim.unknown_order)
    assert (
        state(simulator, call, closed.order_id) == "cancelled" and state(simulator, call, filled.order_id) == "filled"
    )


@pytest.mark.parametrize(
    "call",
    [pytest.param(c, id=c.name) for c in CALLS if c.endpoint.simulation and c.endpoint.simulation.all_or_nothing],
)
def test_an_all_or_nothing_batch_with_one_bad_order_cancels_none(simulator: Simulator, call: CancelCall) -> None:
    sim = call.endpoint.simulation
    assert sim is not None and sim.all_or_nothing is not None
    [live] = seed(simulator, call, {})
    module = pkg(call)
    request = getattr(module, f"{call.endpoint.stem.value}Request").from_json(
        call.params([live.order_id, "99999999"], per_order=False)
    )
    answer = sim.all_or_nothing.answer
    try:
        result = getattr(make_client(simulator, call), f"send_{call.endpoint.operation.value}")(request)
    except module.ApiError as caught:  # the venue's code for a refused batch
        assert (caught.code, caught.http_status) == (code_of(answer), answer.http_status)
    else:  # or an answered body in which no order was cancelled
        assert not any(done(o) for o in result.outcomes)
    assert state(simulator, call, live.order_id) == "open"
    assert simulator.history[-1].detail == "the whole batch was refused"


@pytest.mark.parametrize("call", BY_CLIENT)
def test_cancel_by_client_ids_with_reserved_characters(simulator: Simulator, call: CancelCall) -> None:
    # Ids that need percent-encoding prove the signature is checked over the raw bytes sent.
    odd = "a:b/c x+y"
    client_ids = call.endpoint.simulation.request_client_ids  # type: ignore[union-attr]
    holder = call.endpoint.param(client_ids.param.value) if client_ids is not None else None
    if holder is not None and holder.type.scalar and holder.type.patterns:  # an id in the path, say
        odd = "a-b_c"  # what the spec's pattern admits: the path still carries it percent-encoded
    [order] = seed(simulator, call, {"client_id": odd})
    result = outcomes_of(make_client(simulator, call), call, [odd, "no-such-client-id"], by="client_id")
    outcomes = {o.client_id: o for o in result}
    assert done(outcomes[odd]) and outcomes[odd].order_id in (order.order_id, None)
    # Failed, or unknown where the venue's failure entries name no client id.
    assert outcomes["no-such-client-id"].state.value in ("failed", "unknown")
    assert state(simulator, call, order.order_id) == "cancelled"


@pytest.mark.parametrize("call", BY_ID)
def test_accounts_do_not_see_each_others_orders(simulator: Simulator, call: CancelCall) -> None:
    name = call.venue.name.value
    other = simulator.add_account(name, "other-key", "other-secret", simulator.credentials(name).passphrase)
    [order] = seed(simulator, call, {})
    stranger = make_client(simulator, call, api_key=other.api_key, secret=other.secret)
    [outcome] = outcomes_of(stranger, call, [order.order_id])
    assert not done(outcome) and state(simulator, call, order.order_id) == "open"
    assert done(cancel(make_client(simulator, call), call, [order.order_id]).outcomes[0])


@pytest.mark.parametrize(
    "call", [pytest.param(c, id=c.name) for c in CALLS if "order_id" in c.ways() and c.instrument is not None]
)
def test_an_order_of_another_instrument_is_not_cancelled(simulator: Simulator, call: CancelCall) -> None:
    [order] = simulator.seed(call.venue.name.value, [{"instrument": f"{call.instrument}X"}])
    [outcome] = outcomes_of(make_client(simulator, call), call, [order.order_id])
    assert not done(outcome) and state(simulator, call, order.order_id) == "open"


def test_bare_url_and_httpx_transport(simulator: Simulator) -> None:
    # An endpoint whose path no other venue serves also answers at its own path.
    served = {(c.endpoint.method, c.endpoint.path.value) for c in CALLS}
    call = next(
        c
        for c in CALLS
        if "order_id" in c.ways() and f"{c.endpoint.method} {c.endpoint.path.value}" not in simulator.shared_paths
    )
    assert served
    transport = pkg(call).HttpxTransport(timeout=5.0)
    try:
        client = make_client(simulator, call, base_url=simulator.url, transport=transport)
        [order] = seed(simulator, call, {})
        [outcome] = cancel(client, call, [order.order_id]).outcomes
    finally:
        transport.close()
    assert done(outcome) and state(simulator, call, order.order_id) == "cancelled"


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
            if self.needle in url:  # in the query, or in the path (an id the path carries)
                url = url.replace(self.needle, changed, 1)
            else:
                assert self.needle.encode() in body
                body = body.replace(self.needle.encode(), changed.encode(), 1)
            request = type(request)(
                request.method, url, request.headers, body, request.secret_headers, request.secret_params
            )
            self.altered = True
        return self.inner.send(request)


def venue_error(caught: Any, venue: Venue, kind: str) -> None:
    assert venue.simulation is not None
    answer = getattr(venue.simulation, kind)
    assert (caught.code, caught.message, caught.http_status) == (
        code_of(answer),
        answer.message.value,
        answer.http_status,
    )


@pytest.mark.parametrize("call", BY_ID)
def test_signature_over_other_bytes_than_sent_is_rejected(simulator: Simulator, call: CancelCall) -> None:
    [order] = seed(simulator, call, {})
    transport = AlteringTransport(pkg(call).UrllibTransport(5.0), order.order_id)
    with pytest.raises(pkg(call).ApiError) as caught:
        cancel(make_client(simulator, call, transport=transport), call, [order.order_id])
    assert transport.altered
    venue_error(caught.value, call.venue, "bad_signature")
    assert not isinstance(caught.value, pkg(call).RateLimitError)
    # a payload carried in a header is checked against the body first: either says the bytes changed
    details = {"the signature does not match the bytes received"}
    if call.venue.auth.payload is not None:
        details.add("the payload does not decode to the body received")
    assert simulator.history[-1].detail in details
    assert state(simulator, call, order.order_id) == "open"


@pytest.mark.parametrize("call", BY_ID)
def test_the_same_transport_unaltered_is_accepted(simulator: Simulator, call: CancelCall) -> None:
    # The control for the test above: the wrapper itself changes nothing.
    [order] = seed(simulator, call, {})
    transport = AlteringTransport(pkg(call).UrllibTransport(5.0), order.order_id, alter=False)
    assert cancel(make_client(simulator, call, transport=transport), call, [order.order_id]).outcomes[
        0
    ].state.value in ("cancelled", "accepted")


@pytest.mark.parametrize("call", BY_ID)
def test_wrong_secret_unknown_key_passphrase_and_stale_timestamp(simulator: Simulator, call: CancelCall) -> None:
    [order] = seed(simulator, call, {})
    api_error = pkg(call).ApiError
    account = simulator.credentials(call.venue.name.value)
    # A passphrase signed with the secret is checked first: another secret changes it too.
    signed_passphrase = (p := call.venue.auth.value("passphrase")) is not None and p.signed is not None
    attempts: list[tuple[str, dict[str, Any]]] = [
        # Another secret of the same length and alphabet: one that still decodes (base64 secrets).
        (
            "bad_api_key" if signed_passphrase else "bad_signature",
            {"secret": ("B" if account.secret[0] == "A" else "A") + account.secret[1:]},
        ),
        ("bad_api_key", {"api_key": "not-a-known-key"}),
        ("expired_timestamp", {"clock": lambda: time.time_ns() // 1_000_000 - 24 * 3600 * 1000}),
    ]
    if account.passphrase:
        attempts.append(("bad_api_key", {"passphrase": account.passphrase + "x"}))
    for kind, options in attempts:
        with pytest.raises(api_error) as caught:
            cancel(make_client(simulator, call, **options), call, [order.order_id])
        venue_error(caught.value, call.venue, kind)
    assert state(simulator, call, order.order_id) == "open"


def _sends_a_window(call: CancelCall) -> bool:
    placement = call.venue.recv_window
    if placement is None:
        return False
    return placement.where == "header" or any(p.source == "recv_window" for p in call.endpoint.params)


def _recv_window_calls() -> list[Any]:
    return [pytest.param(c, id=c.name) for c in CALLS if _sends_a_window(c) and "order_id" in c.ways()]


@pytest.mark.parametrize("call", _recv_window_calls())
def test_the_receive_window_is_the_request_s_within_the_venue_cap(simulator: Simulator, call: CancelCall) -> None:
    venue = call.venue
    assert venue.simulation is not None and venue.recv_window is not None
    clock = venue.simulation.clock
    default = clock.window_ms or venue.recv_window.default
    assert default is not None
    assert "recv_window" in inspect.signature(pkg(call).Client).parameters
    now = time.time_ns() // 1_000_000
    [order] = seed(simulator, call, {})
    wider = default + 10_000
    stale = now - default - 5_000
    with pytest.raises(pkg(call).ApiError) as caught:
        cancel(make_client(simulator, call, clock=lambda: stale, recv_window=None), call, [order.order_id])
    venue_error(caught.value, venue, "expired_timestamp")
    if clock.max_window_ms is None or wider <= clock.max_window_ms:
        result = cancel(make_client(simulator, call, clock=lambda: stale, recv_window=wider), call, [order.order_id])
        assert result.outcomes[0].state.value in ("cancelled", "accepted")
    # A window beyond the cap never admits a day-old request.
    day_old = now - 86_400_000
    with pytest.raises(pkg(call).ApiError) as capped:
        cancel(make_client(simulator, call, clock=lambda: day_old, recv_window=10**12), call, [order.order_id])
    venue_error(capped.value, venue, "invalid_params" if clock.beyond_max == "refuse" else "expired_timestamp")


# Faults --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "status"),
    [  # each status the venue's spec counts as rate limiting
        pytest.param(c, status, id=f"{status}-{c.name}")
        for c in CALLS
        if "order_id" in c.ways()
        for status in c.venue.rate_limit_statuses
    ],
)
def test_rate_limits_raise_rate_limit_error_with_retry_after(
    simulator: Simulator, call: CancelCall, status: int
) -> None:
    [order] = seed(simulator, call, {})
    simulator.inject(Fault.rate_limited(retry_after=7, status=status))
    with pytest.raises(pkg(call).RateLimitError) as caught:
        cancel(make_client(simulator, call), call, [order.order_id])
    assert call.venue.simulation is not None
    declared = call.venue.simulation.rate_limited
    expected_code = code_of(declared) if declared is not None else str(status)  # no body declared: an empty one
    assert (caught.value.http_status, caught.value.retry_after, caught.value.code) == (status, 7.0, expected_code)
    assert state(simulator, call, order.order_id) == "open"  # refused before the venue acted


@pytest.mark.parametrize("call", BY_ID)
def test_5xx_html_page_raises_response_error(simulator: Simulator, call: CancelCall) -> None:
    [order] = seed(simulator, call, {})
    simulator.inject(Fault.server_error(503))
    with pytest.raises(pkg(call).ResponseError) as caught:
        cancel(make_client(simulator, call), call, [order.order_id])
    assert caught.value.http_status == 503 and "not JSON" in str(caught.value)
    assert not isinstance(caught.value, pkg(call).ApiError)
    assert state(simulator, call, order.order_id) == "open"


@pytest.mark.parametrize("call", BY_ID)
def test_slow_response_raises_transport_error_though_the_venue_acted(simulator: Simulator, call: CancelCall) -> None:
    [order] = seed(simulator, call, {})
    simulator.inject(Fault.slow(3.0))
    started = time.monotonic()
    with pytest.raises(pkg(call).TransportError) as caught:
        cancel(make_client(simulator, call, timeout=0.3), call, [order.order_id])
    assert time.monotonic() - started < 2.5 and "timed out" in str(caught.value)
    # The order was cancelled before the answer was delayed: a timeout leaves the outcome unknown.
    assert state(simulator, call, order.order_id) == "cancelled"


@pytest.mark.parametrize("call", BY_ID)
@pytest.mark.parametrize("kind", ["malformed", "truncated"])
def test_broken_json_body_raises_response_error(simulator: Simulator, call: CancelCall, kind: str) -> None:
    [order] = seed(simulator, call, {})
    simulator.inject(Fault(kind))
    with pytest.raises(pkg(call).ResponseError) as caught:
        cancel(make_client(simulator, call), call, [order.order_id])
    assert caught.value.http_status == 200 and "expected JSON" in str(caught.value)
    assert simulator.history[-1].fault == kind


@pytest.mark.parametrize("call", BY_ID)
@pytest.mark.parametrize("kind", ["cut", "drop"])
def test_a_dying_connection_raises_transport_error(simulator: Simulator, call: CancelCall, kind: str) -> None:
    simulator.inject(Fault(kind))
    with pytest.raises(pkg(call).TransportError):
        cancel(make_client(simulator, call), call, ["1"])
    assert simulator.history[-1].fault == kind


def test_a_fault_lasts_times_requests_and_only_for_its_venue(simulator: Simulator) -> None:
    first, second = (next(c for c in CALLS if c.venue.name.value == v) for v in sorted(simulator.venues)[:2])
    simulator.inject(Fault.rate_limited(retry_after=1, times=2, venue=second.venue.name.value))
    assert cancel(make_client(simulator, first), first, ["1"]).outcomes[0].state.value not in (
        "cancelled",
        "accepted",
    )  # not rate limited
    client = make_client(simulator, second)
    for _ in range(2):
        with pytest.raises(pkg(second).RateLimitError):
            cancel(client, second, ["1"])
    assert cancel(client, second, ["1"]).outcomes[0].state.value not in ("cancelled", "accepted")


def _control(sim: Simulator, method: str, path: str, payload: Any = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        sim.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("call", BY_ID)
def test_faults_and_orders_through_the_http_control_api(simulator: Simulator, call: CancelCall) -> None:
    name = call.venue.name.value
    seeded = _control(
        simulator,
        "POST",
        "/__sim__/orders",
        {"venue": name, "orders": [{"instrument": call.instrument or "X", "order_id": "42"}]},
    )
    assert seeded["orders"][0]["order_id"] == "42"
    queued = _control(
        simulator, "POST", "/__sim__/faults", {"faults": [{"kind": "status", "status": 429, "retry_after": 3}]}
    )
    assert queued == {"queued": 1}
    client = make_client(simulator, call)
    with pytest.raises(pkg(call).RateLimitError) as caught:
        cancel(client, call, ["42"])
    assert caught.value.retry_after == 3.0
    assert cancel(client, call, ["42"]).outcomes[0].state.value in ("cancelled", "accepted")
    listed = _control(simulator, "GET", f"/__sim__/orders?venue={name}")
    assert [(o["order_id"], o["status"]) for o in listed["orders"]] == [("42", "cancelled")]
