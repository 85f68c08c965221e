"""Endpoints that name no order (cancel-all) against the simulator, for every such endpoint in specs/.

A cancel-all cancels every open order of the account, or of the one instrument the request names;
its spec's `simulation.cancel_all` says which parameter names the instrument and where the answer
lists the cancelled ids (a list, or lists by instrument). The calls are the endpoints' pinned
request cases; every answer is held to the endpoint's emitted response JSON Schema, and the book
is checked afterwards. Authentication failures and faults leave the orders as they were.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import pytest
from specgen.simulator import Fault, Simulator
from specgen.simulator.auth import RawRequest, prehash
from specgen.simulator.drive import CancelCall

from tests.test_simulator_e2e import CALLS, Recording, make_client, pkg, response_schema, venue_error

ALL = [pytest.param(c, id=c.name) for c in CALLS if c.cancels_all]
WITH_NOTHING = [
    pytest.param(c, id=c.name)
    for c in CALLS
    if c.endpoint.simulation is not None
    and c.endpoint.simulation.cancel_all is not None
    and c.endpoint.simulation.cancel_all.nothing_when is not None
]
WITH_INSTRUMENT = [pytest.param(c, id=c.name) for c in CALLS if c.cancels_all and c.instrument is not None]


def test_every_cancel_all_endpoint_is_driven(spec_venues: Any) -> None:
    declared = {
        f"{v.name.value}.{e.operation.value}"
        for v in spec_venues
        for e in v.endpoints
        if e.simulation is not None and e.simulation.cancel_all is not None
    }
    assert {c.name for c in CALLS if c.cancels_all} == declared


def send(client: Any, call: CancelCall, **override: Any) -> Any:
    request = getattr(pkg(call), f"{call.endpoint.stem.value}Request").from_json({**call.template, **override})
    return getattr(client, f"send_{call.endpoint.operation.value}")(request)


def at(body: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        body = body[step.value]
    return body


def listed(call: CancelCall, body: Any) -> dict[str, list[str]] | list[str] | None:
    """The cancelled ids the answer lists (by instrument, where it groups them); None where it lists none."""
    sim = call.endpoint.simulation
    assert sim is not None and sim.cancel_all is not None
    if sim.cancel_all.ids is not None:
        return sorted(str(i) for i in at(body, sim.cancel_all.ids))
    if sim.cancel_all.ids_by_instrument is not None:
        return {k: sorted(str(i) for i in v) for k, v in at(body, sim.cancel_all.ids_by_instrument).items()}
    return None


def expected_listing(call: CancelCall, orders: list[Any]) -> dict[str, list[str]] | list[str] | None:
    sim = call.endpoint.simulation
    assert sim is not None and sim.cancel_all is not None
    if sim.cancel_all.ids is not None:
        return sorted(o.order_id for o in orders)
    if sim.cancel_all.ids_by_instrument is not None:
        grouped: dict[str, list[str]] = {}
        for o in orders:
            grouped.setdefault(o.instrument, []).append(o.order_id)
        return {k: sorted(v) for k, v in grouped.items()}
    return None


def seed_four(simulator: Simulator, call: CancelCall) -> tuple[Any, ...]:
    """Open and partially filled orders of the call's instrument, a filled one, and an open one elsewhere."""
    here = call.instrument or "AAA_BBB"
    return simulator.seed(
        call.venue.name.value,
        [
            {"instrument": here},
            {"instrument": here, "status": "partially_filled"},
            {"instrument": here, "status": "filled"},
            {"instrument": here + "X"},
        ],
    )


def states(simulator: Simulator, call: CancelCall, *orders: Any) -> list[str]:
    return [simulator.order(call.venue.name.value, o.order_id).status for o in orders]


@pytest.mark.parametrize("call", ALL)
def test_cancel_all_cancels_the_open_orders_it_covers_and_lists_them(simulator: Simulator, call: CancelCall) -> None:
    live, partial, filled, elsewhere = seed_four(simulator, call)
    recording = Recording(pkg(call).UrllibTransport(5.0))
    client = make_client(simulator, call, transport=recording)
    result = send(client, call)
    covered = [live, partial] + ([] if call.instrument is not None else [elsewhere])

    body = json.loads(recording.bodies[-1])
    assert list(response_schema(call).iter_errors(body)) == []
    rules = call.endpoint.outcome_rules
    if rules is None:  # the request names no order: none to account for
        assert result.outcomes == ()
    else:  # from_answer: one outcome per order the answer lists, in its state
        assert rules.from_answer
        assert sorted((o.order_id, o.state.value) for o in result.outcomes) == sorted(
            (o.order_id, rules.success) for o in covered
        )
    assert listed(call, body) == expected_listing(call, covered)
    assert states(simulator, call, live, partial, filled) == ["cancelled", "cancelled", "filled"]
    assert states(simulator, call, elsewhere) == ["open" if call.instrument is not None else "cancelled"]

    # Again: nothing is left to cancel, and the answer says so.
    send(client, call)
    assert listed(call, json.loads(recording.bodies[-1])) in (None, [], {})


@pytest.mark.parametrize("call", WITH_NOTHING)
def test_a_request_for_orders_the_book_does_not_keep_cancels_nothing(simulator: Simulator, call: CancelCall) -> None:
    sim = call.endpoint.simulation
    assert sim is not None and sim.cancel_all is not None and sim.cancel_all.nothing_when is not None
    live, *_ = seed_four(simulator, call)
    first = sim.cancel_all.nothing_when.values[0]
    send(
        make_client(simulator, call), call, **{sim.cancel_all.nothing_when.param.value: getattr(first, "value", first)}
    )
    assert states(simulator, call, live) == ["open"]


@pytest.mark.parametrize("call", ALL)
def test_an_account_cancels_only_its_own_orders(simulator: Simulator, call: CancelCall) -> None:
    name = call.venue.name.value
    other = simulator.add_account(name, "other-key", "other-secret", simulator.credentials(name).passphrase)
    live, *_ = seed_four(simulator, call)
    send(make_client(simulator, call, api_key=other.api_key, secret=other.secret), call)
    assert states(simulator, call, live) == ["open"]
    send(make_client(simulator, call), call)
    assert states(simulator, call, live) == ["cancelled"]


@pytest.mark.parametrize("call", ALL)
def test_authentication_failures_cancel_nothing(simulator: Simulator, call: CancelCall) -> None:
    send(make_client(simulator, call), call)  # a first request: a nonce venue now has a last nonce
    live, *_ = seed_four(simulator, call)
    account = simulator.credentials(call.venue.name.value)
    day_old = time.time_ns() // 1_000_000 - 24 * 3600 * 1000
    passphrase = call.venue.auth.value("passphrase")
    # A passphrase signed with the secret is checked first: another secret shows as a wrong passphrase.
    wrong_secret = "bad_api_key" if passphrase is not None and passphrase.signed is not None else "bad_signature"
    attempts: list[tuple[str, dict[str, Any]]] = [
        # Another secret of the same length and alphabet: one that still decodes (base64 secrets).
        (wrong_secret, {"secret": ("B" if account.secret[0] == "A" else "A") + account.secret[1:]}),
        ("bad_api_key", {"api_key": "not-a-known-key"}),
        ("expired_timestamp", {"clock": lambda: day_old // (1000 if call.venue.auth.clock_unit == "s" else 1)}),
    ]
    if account.passphrase:
        attempts.append(("bad_api_key", {"passphrase": account.passphrase + "x"}))
    for kind, options in attempts:
        with pytest.raises(pkg(call).ApiError) as caught:
            send(make_client(simulator, call, **options), call)
        venue_error(caught.value, call.venue, kind)
    assert states(simulator, call, live) == ["open"]


class Retarget:
    """Sends the signed request with its instrument swapped for another in the URL (query or path)."""

    def __init__(self, inner: Any, instrument: str) -> None:
        self.inner, self.old, self.new = inner, quote(instrument, safe=""), quote(instrument + "X", safe="")

    def send(self, request: Any) -> Any:
        assert self.old in request.url
        url = request.url.replace(self.old, self.new)
        changed = type(request)(
            request.method, url, request.headers, request.body, request.secret_headers, request.secret_params
        )
        return self.inner.send(changed)


@pytest.mark.parametrize("call", WITH_INSTRUMENT)
def test_the_instrument_is_signed_where_the_recipe_covers_it(simulator: Simulator, call: CancelCall) -> None:
    """Swapping the instrument after signing is refused where the string to sign holds it; where
    the venue's recipe does not sign it (a payload of credentials alone), the swap goes through."""
    assert call.instrument is not None
    live, _, _, elsewhere = seed_four(simulator, call)
    client = make_client(simulator, call, transport=Retarget(pkg(call).UrllibTransport(5.0), call.instrument))
    built = getattr(make_client(simulator, call), f"build_{call.endpoint.operation.value}")(
        getattr(pkg(call), f"{call.endpoint.stem.value}Request").from_json(call.template)
    )
    target = built.url.partition("://")[2].partition("/")[2]  # <venue>/<path>?<query>: the venue sees /<path>
    path, _, query = target.partition("/")[2].partition("?")
    raw = RawRequest(built.method, "/" + path, query, built.headers, built.body)
    if quote(call.instrument, safe="").encode() in prehash(call.venue, raw):
        with pytest.raises(pkg(call).ApiError) as caught:
            send(client, call)
        venue_error(caught.value, call.venue, "bad_signature")
        assert states(simulator, call, live, elsewhere) == ["open", "open"]
    else:
        send(client, call)
        assert states(simulator, call, live, elsewhere) == ["open", "cancelled"]


@pytest.mark.parametrize("call", ALL)
def test_faults_leave_the_book_as_the_venue_left_it(simulator: Simulator, call: CancelCall) -> None:
    module = pkg(call)
    live, *_ = seed_four(simulator, call)
    simulator.inject(Fault.rate_limited(retry_after=7))
    with pytest.raises(module.RateLimitError) as limited:
        send(make_client(simulator, call), call)
    assert (limited.value.http_status, limited.value.retry_after) == (429, 7.0)
    simulator.inject(Fault.server_error(503))
    with pytest.raises(module.ResponseError) as gateway:
        send(make_client(simulator, call), call)
    assert gateway.value.http_status == 503 and not isinstance(gateway.value, module.ApiError)
    assert states(simulator, call, live) == ["open"]  # refused before the venue acted
    for kind, error in (("drop", module.TransportError), ("malformed", module.ResponseError)):
        [order] = simulator.seed(call.venue.name.value, [{"instrument": call.instrument or "AAA_BBB"}])
        simulator.inject(Fault(kind))
        with pytest.raises(error):
            send(make_client(simulator, call), call)
        assert states(simulator, call, order) == ["cancelled"]  # the venue acted, then its answer was lost
