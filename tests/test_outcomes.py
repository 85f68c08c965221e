"""Issues 10 (item 5), 14 (item 1) and 17: every order sent gets exactly one outcome, in request order.

The fixture venue (tests/fixtures/outcome_specs/fx_outcomes) answers in the shapes real venues
use: only a count, a list of results whose errors are lists of texts (entries without an id
answered by position), and the same list where one order may be reported twice, once per
duplicate policy. Each test parses a body as the answer to a request and checks the outcomes.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from specgen.simulator import Simulator
from specgen.spec.model import Endpoint, Venue
from specgen.spec.specset import read_specs
from specgen.spec.text import Text

from tests.helpers import ROOT, run_cli, scratch_project

SPECS = ROOT / "tests" / "fixtures" / "outcome_specs"


FIXTURES = ("fx_outcomes", "fx_flag", "fx_errors")


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    project = scratch_project(tmp_path_factory.mktemp("outcomes"), specs=SPECS)
    sys.path.insert(0, str(project / "generated"))
    try:
        yield {name: importlib.import_module(name) for name in FIXTURES}
    finally:
        sys.path.remove(str(project / "generated"))
        for name in [m for m in sys.modules if m.split(".")[0] in FIXTURES]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def fx(packages: dict[str, Any]) -> Any:
    return packages["fx_outcomes"]


def parse(fx: Any, operation: str, body: Any, status: int = 200, **params: Any) -> Any:
    client = fx.Client(api_key="k", secret="s")
    response = fx.HttpResponse(status, (("Content-Type", "application/json"),), json.dumps(body).encode())
    wire = {"symbol": "X", **params}
    return getattr(client, f"parse_{operation}")(response, wire)


def results(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"code": 0, "msg": "", "data": {"results": list(entries)}}


def states(result: Any) -> list[tuple[str | None, str]]:
    return [(o.order_id or o.client_id, o.state.value) for o in result.outcomes]


# The four states and the structural guarantee -------------------------------------------------


def test_each_order_sent_gets_one_outcome_in_request_order(fx: Any) -> None:
    body = results({"id": "c", "ok": True}, {"id": "a", "ok": False, "errors": ["E1", "E2"]})
    result = parse(fx, "cancel_listed", body, orderIds=["a", "b", "c"])
    assert states(result) == [("a", "failed"), ("b", "unknown"), ("c", "cancelled")]
    a, b, c = result.outcomes
    assert (a.error_code, a.error_message, a.reason) == (None, "E1; E2", None)  # error text from a list
    assert b.reason == "the response does not mention this order"
    assert c.cancelled and not a.cancelled and not b.cancelled  # the backwards-compatible flag
    assert (result.cancelled, result.failed, result.unknown, result.accepted) == ((c,), (a,), (b,), ())
    assert isinstance(a.state, fx.OutcomeState) and a.state == "failed"  # a str enum
    assert result.warnings == ()


def test_entries_are_matched_by_client_id_and_carry_the_venues_order_id(fx: Any) -> None:
    body = results({"id": "9", "clientId": "y", "ok": True}, {"id": "8", "clientId": "x", "ok": True})
    result = parse(fx, "cancel_listed", body, clientIds=["x", "y"])
    assert [(o.client_id, o.order_id, o.state.value) for o in result.outcomes] == [
        ("x", "8", "cancelled"),
        ("y", "9", "cancelled"),
    ]


def test_an_entry_without_an_id_answers_by_position_when_there_is_one_per_order(fx: Any) -> None:
    body = results({"ok": True}, {"ok": False, "errors": ["gone"]})
    result = parse(fx, "cancel_listed", body, orderIds=["a", "b"])
    assert states(result) == [("a", "cancelled"), ("b", "failed")]
    assert result.outcomes[1].error_message == "gone"


def test_a_shortened_list_is_never_attributed_by_position(fx: Any) -> None:
    # Issue 17: request [11, 12, 13], body [error, 13 cancelled]: the error is not blamed on 11.
    body = results({"ok": False, "errors": ["Unknown order sent."]}, {"id": "13", "ok": True})
    result = parse(fx, "cancel_listed", body, orderIds=["11", "12", "13"])
    assert states(result) == [("11", "unknown"), ("12", "unknown"), ("13", "cancelled")]
    for o in result.outcomes[:2]:
        assert o.error_code is None and o.error_message is None
        assert "does not have one entry per order sent" in (o.reason or "")
        assert "Unknown order sent." in (o.reason or "")


def test_an_unreadable_response_leaves_every_order_unknown_and_says_why(fx: Any) -> None:
    client = fx.Client(api_key="k", secret="s")
    response = fx.HttpResponse(200, (("Content-Type", "application/json"),), b'{"code": 0, "data": {"resu')
    with pytest.raises(fx.ResponseError) as caught:
        client.parse_cancel_listed(response, {"symbol": "X", "orderIds": ["a", "b"]})
    assert [(o.order_id, o.state.value) for o in caught.value.outcomes] == [("a", "unknown"), ("b", "unknown")]
    assert all(o.reason == f"the response could not be read: {caught.value}" for o in caught.value.outcomes)


@pytest.mark.parametrize(
    ("operation", "body", "sent", "says"),
    [
        ("cancel_listed", results({"id": "z", "ok": True}), ["a"], "names order id z, which the request did not send"),
        ("cancel_listed", results({"ok": False}, {"ok": False}), ["a"], "has 2 entries for 1 order sent"),
        ("cancel_dup_first", results({"id": "a", "ok": True}, {"id": "b", "ok": True}), ["a"], "names order id b"),
        ("cancel_dup_first", results({"ok": True}, {"ok": True}), ["a"], "more entries than the 1 order sent"),
    ],
)
def test_a_response_that_contradicts_the_request_is_a_response_error(
    fx: Any, operation: str, body: dict[str, Any], sent: list[str], says: str
) -> None:
    with pytest.raises(fx.ResponseError, match="contradicts the request") as caught:
        parse(fx, operation, body, orderIds=sent)
    assert says in str(caught.value)
    assert [o.state.value for o in caught.value.outcomes] == ["unknown"] * len(sent)


def test_ids_of_a_kind_not_sent_are_entries_without_an_id(fx: Any) -> None:
    # Orders named by client id; the venue answers with order ids only: nothing to match them by.
    body = results({"id": "8", "ok": True})
    result = parse(fx, "cancel_listed", body, clientIds=["x", "y"])
    assert states(result) == [("x", "unknown"), ("y", "unknown")]
    assert "cannot be attributed" in (result.outcomes[0].reason or "")


def test_an_empty_answer_leaves_every_order_unknown(fx: Any) -> None:
    result = parse(fx, "cancel_listed", results(), orderIds=["a", "b"])
    assert states(result) == [("a", "unknown"), ("b", "unknown")]


# One order reported twice -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "state", "verdict"),
    [
        ("unknown", "unknown", "so it is unknown"),
        ("first", "cancelled", "the first report wins"),
        ("last", "failed", "the last report wins"),
        ("success", "cancelled", "the success report wins"),
    ],
)
def test_one_order_never_gets_two_outcomes(fx: Any, policy: str, state: str, verdict: str) -> None:
    body = results({"id": "a", "ok": True}, {"id": "a", "ok": False, "errors": ["duplicate"]}, {"id": "b", "ok": True})
    result = parse(fx, f"cancel_dup_{policy}", body, orderIds=["a", "b"])
    assert states(result) == [("a", state), ("b", "cancelled")]
    reason = result.outcomes[0].reason or ""
    assert "reported this order 2 times: cancelled; failed (no code: duplicate)" in reason and verdict in reason
    assert len(result.warnings) == 1 and result.warnings[0].startswith("order a: ") and reason in result.warnings[0]
    assert result.outcomes[1].reason is None


def test_agreeing_reports_are_no_contradiction(fx: Any) -> None:
    body = results({"id": "a", "ok": True}, {"id": "a", "ok": True})
    result = parse(fx, "cancel_dup_unknown", body, orderIds=["a"])
    assert states(result) == [("a", "cancelled")] and result.warnings == () and result.outcomes[0].reason is None


# Only a count ---------------------------------------------------------------------------------------


def count(n: int | None) -> dict[str, Any]:
    return {"code": 0, "msg": "", "data": {} if n is None else {"count": n}}


def test_a_count_of_every_order_gives_each_the_spec_state(fx: Any) -> None:
    result = parse(fx, "cancel_count", count(3), orderIds=["a", "b", "c"])
    assert states(result) == [("a", "accepted"), ("b", "accepted"), ("c", "accepted")]
    assert [o.cancelled for o in result.outcomes] == [False] * 3  # accepted is not (yet) cancelled


def test_a_partial_count_leaves_every_order_unknown_and_says_why(fx: Any) -> None:
    result = parse(fx, "cancel_count", count(1), clientIds=["a", "b", "c"])
    assert [o.state.value for o in result.outcomes] == ["unknown"] * 3
    assert result.outcomes[0].reason == "the venue counts 1 of 3 orders cancelled without saying which"
    assert [o.client_id for o in result.outcomes] == ["a", "b", "c"]


def test_a_zero_count_fails_every_order_and_a_missing_one_says_so(fx: Any) -> None:
    assert [o.state.value for o in parse(fx, "cancel_count", count(0), orderIds=["a", "b"]).outcomes] == ["failed"] * 2
    missing = parse(fx, "cancel_count", count(None), orderIds=["a"]).outcomes[0]
    assert (missing.state.value, missing.reason) == ("unknown", "the response carries no count at data.count")


def test_a_count_above_the_orders_sent_contradicts_the_request(fx: Any) -> None:
    with pytest.raises(fx.ResponseError, match="counts 3 orders cancelled of 2 orders sent"):
        parse(fx, "cancel_count", count(3), orderIds=["a", "b"])


# Tolerant parsing -------------------------------------------------------------------------------------


def test_a_field_the_outcome_does_not_depend_on_is_kept_as_raw_text_with_a_warning(fx: Any) -> None:
    body = results({"id": "a", "ok": True, "price": "abc"}, {"id": "b", "ok": True, "price": ""})
    result = parse(fx, "cancel_listed", body, orderIds=["a", "b"])
    assert states(result) == [("a", "cancelled"), ("b", "cancelled")]
    assert [r.price for r in result.data.results] == [None, None]
    assert len(result.warnings) == 1  # "" is no value, not a problem
    assert result.warnings[0].startswith("$.data.results[0].price: ") and "'abc'" in result.warnings[0]


@pytest.mark.parametrize(
    "item",
    [{"id": "a", "ok": "yes"}, {"id": 5, "ok": True}, {"id": "a"}],
    ids=["success field", "id", "required"],
)
def test_parsing_stays_strict_where_the_outcome_depends_on_it(fx: Any, item: dict[str, Any]) -> None:
    with pytest.raises(fx.ResponseError, match="does not match the spec"):
        parse(fx, "cancel_listed", results(item), orderIds=["a"])


# Envelopes: codes in sets, a boolean flag, an error list --------------------------------------------


def test_a_failure_code_fails_every_order_the_body_does_not_name(fx: Any) -> None:
    body = {"code": 1, "msg": "all failed", "data": {"results": [{"id": "b", "ok": False, "errors": ["gone"]}]}}
    result = parse(fx, "cancel_listed", body, orderIds=["a", "b"])
    assert [(o.state.value, o.error_code, o.error_message) for o in result.outcomes] == [
        ("failed", "1", "all failed"),
        ("failed", None, "gone"),
    ]


def test_a_partial_code_is_read_like_a_success(fx: Any) -> None:
    body = {"code": 2, "msg": "partial", "data": {"results": [{"id": "a", "ok": True}]}}
    assert states(parse(fx, "cancel_listed", body, orderIds=["a", "b"])) == [("a", "cancelled"), ("b", "unknown")]


def test_any_other_code_raises_with_failed_outcomes(fx: Any) -> None:
    with pytest.raises(fx.ApiError) as caught:
        parse(fx, "cancel_listed", {"code": 7, "msg": "no", "data": {}}, orderIds=["a"])
    assert (caught.value.code, caught.value.message) == ("7", "no")
    assert [(o.order_id, o.state.value, o.error_code) for o in caught.value.outcomes] == [("a", "failed", "7")]


def test_nested_fields_and_a_present_result_mean_success(fx: Any) -> None:
    entries = [{"result": {"id": "1"}, "error": None}, {"result": None, "error": {"code": 404, "text": "gone"}}]
    got = parse(fx, "cancel_nested", {"code": 0, "data": entries}, orderIds=["1", "2"])
    assert [(o.order_id, o.state.value, o.error_code, o.error_message) for o in got.outcomes] == [
        ("1", "cancelled", None, None),
        ("2", "failed", "404", "gone"),  # no id of its own: the order sent at its position
    ]
    # an empty result object is there, so it is a success; an entry with neither is a failure without a code
    got = parse(fx, "cancel_nested", {"code": 0, "data": [{"result": {}}, {}]}, orderIds=["1", "2"])
    assert [o.state.value for o in got.outcomes] == ["cancelled", "failed"]


def test_an_outcome_field_must_exist_at_its_nested_path(tmp_path: Path) -> None:
    project = scratch_project(tmp_path, with_generated=False, specs=SPECS)
    spec = project / "specs" / "fx_outcomes" / "cancel_nested.yaml"
    spec.write_text(spec.read_text("utf-8").replace("order_id: result.id", "order_id: result.nosuch"), "utf-8")
    done = run_cli(project, "validate")
    assert done.returncode == 2
    assert "cancel_nested.yaml:" in done.stderr and "[unknown-field]" in done.stderr and "nosuch" in done.stderr


def test_a_success_flag(packages: dict[str, Any]) -> None:
    fx = packages["fx_flag"]
    ok = parse(fx, "cancel_count", {"ok": True, "data": {"count": 1}}, orderIds=["a"])
    assert states(ok) == [("a", "accepted")]
    with pytest.raises(fx.ApiError) as caught:
        parse(fx, "cancel_count", {"ok": False, "code": "E9", "msg": "refused"}, orderIds=["a"])
    assert (caught.value.code, caught.value.message) == ("E9", "refused")
    with pytest.raises(fx.ResponseError, match="without a true or false ok"):
        parse(fx, "cancel_count", {"data": {"count": 1}}, orderIds=["a"])


def test_the_simulators_error_body_carries_the_success_flag_false(packages: dict[str, Any]) -> None:
    from specgen.simulator.answers import error_body
    from specgen.spec.model import SimAnswer

    fx = packages["fx_flag"]
    [venue] = [v for v in read_specs(SPECS, ROOT) if v.name.value == "fx_flag"]
    body = error_body(venue, SimAnswer(Text("E9"), Text("refused"), Text("test")))
    assert body == {"code": "E9", "msg": "refused", "ok": False}
    with pytest.raises(fx.ApiError) as caught:  # a body without the flag would be a ResponseError
        parse(fx, "cancel_count", body, orderIds=["a"])
    assert (caught.value.code, caught.value.message) == ("E9", "refused")


def test_an_error_list_that_is_empty_on_success(packages: dict[str, Any]) -> None:
    fx = packages["fx_errors"]
    ok = parse(fx, "cancel_count", {"error": [], "result": {"count": 2}}, clientIds=["a", "b"])
    assert states(ok) == [("a", "accepted"), ("b", "accepted")]
    errors = ["EOrder:Unknown order", "EGeneral:Invalid arguments"]
    with pytest.raises(fx.ApiError) as caught:
        parse(fx, "cancel_count", {"error": errors}, orderIds=["a"])
    assert caught.value.code == "EOrder:Unknown order"
    assert caught.value.message == "EOrder:Unknown order; EGeneral:Invalid arguments"  # the text from a list
    with pytest.raises(fx.ApiError) as http:
        parse(fx, "cancel_count", {"error": errors[1:]}, status=400, orderIds=["a"])
    assert (http.value.code, http.value.http_status) == ("EGeneral:Invalid arguments", 400)


# The spec side ------------------------------------------------------------------------------------


def _validate_with(tmp_path: Path, name: str, old: str, new: str) -> str:
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    path = specs / "fx_outcomes" / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    result = run_cli(tmp_path, "validate", "--specs", str(specs))
    assert result.returncode == 2, result.stdout
    return result.stderr


def test_outcomes_must_say_where_the_request_names_its_orders(tmp_path: Path) -> None:
    # The short form (a list of sources) with no request_ids anywhere.
    err = _validate_with(
        tmp_path,
        "cancel_listed.yaml",
        "outcomes:\n  request_ids: {order_id: orderIds, client_id: clientIds}\n  sources:\n",
        "outcomes:\n",
    )
    assert "cancel_listed.yaml:" in err and "[request-ids]" in err and "set outcomes.request_ids" in err


def test_an_aggregate_count_must_be_an_integer_of_the_response(tmp_path: Path) -> None:
    err = _validate_with(tmp_path, "cancel_count.yaml", "count: data.count", "count: data.nothing")
    assert "[unknown-field] count data.nothing is not an integer in the response spec" in err


def test_an_unknown_duplicate_policy_is_refused(tmp_path: Path) -> None:
    err = _validate_with(tmp_path, "cancel_dup_first.yaml", "duplicates: first", "duplicates: both")
    assert "cancel_dup_first.yaml:" in err and "[schema:" in err


# The product venues: error meanings and all-or-nothing batches, read from each spec ---------------


def _product(venue: Venue) -> Any:
    sys.path.insert(0, str(ROOT / "generated"))
    return importlib.import_module(venue.name.value)


def _template(endpoint: Endpoint) -> dict[str, Any]:
    """The call a success response case of the spec answers, without the client-filled parameters."""
    sourced = {p.wire.value for p in endpoint.params if p.source}
    case = next(c.value for c in endpoint.tests.response if "request" in c.value and "error" not in c.value)
    return {k: v for k, v in case["request"].items() if k not in sourced}


def _meanings(venues: tuple[Venue, ...]) -> list[Any]:
    return [
        pytest.param(
            v,
            e,
            m,
            code.value if isinstance(code, Text) else code,
            id=f"{v.name.value}-{code.value if isinstance(code, Text) else code}",
        )
        for v in venues
        for e in v.endpoints
        if e.outcome_rules is not None and any("request" in c.value for c in e.tests.response)
        for m in v.error_meanings
        for code in m.codes
    ]


PRODUCT = read_specs(ROOT / "specs", ROOT)


@pytest.mark.parametrize(("venue", "endpoint", "meaning", "code"), _meanings(PRODUCT))
def test_each_error_code_raises_the_class_its_meaning_names(
    venue: Venue, endpoint: Endpoint, meaning: Any, code: str | int
) -> None:
    package = _product(venue)
    params = _template(endpoint)
    client = package.Client(**{**dict(venue.test_credentials.value), "api_key": "k"})  # type: ignore[union-attr]
    raw = str(code)  # as the spec writes it: a number or a string, as the venue sends it
    body = json.dumps({venue.error_code.value: code, venue.error_message.value: "refused"}).encode()
    for status, state in ((400, "failed"), (503, "unknown")):
        response = package.HttpResponse(status, (("Content-Type", "application/json"),), body)
        with pytest.raises(getattr(package, meaning.error_class)) as caught:
            getattr(client, f"parse_{endpoint.operation.value}")(response, params)
        assert caught.value.code == raw and isinstance(caught.value, package.ApiError)
        outcomes = caught.value.outcomes
        assert outcomes and {o.state.value for o in outcomes} == {state}
        if state == "failed":
            assert {(o.error_code, o.error_message) for o in outcomes} == {(raw, "refused")}
        else:
            assert all("may have acted" in (o.reason or "") for o in outcomes)


def test_a_code_no_meaning_names_is_a_plain_api_error() -> None:
    for venue in PRODUCT:
        package = _product(venue)
        client = package.Client(**{**dict(venue.test_credentials.value), "api_key": "k"})  # type: ignore[union-attr]
        body = json.dumps({venue.error_code.value: 987654321, venue.error_message.value: "odd"}).encode()
        response = package.HttpResponse(400, (("Content-Type", "application/json"),), body)
        with pytest.raises(package.ApiError) as caught:
            getattr(client, f"parse_{venue.endpoints[0].operation.value}")(response, {})
        assert type(caught.value) is package.ApiError, venue.name


def _whole_batch(venues: tuple[Venue, ...]) -> list[Any]:
    return [
        pytest.param(v, e, id=v.name.value)
        for v in venues
        for e in v.endpoints
        if e.simulation is not None and e.simulation.all_or_nothing is not None
    ]


@pytest.mark.parametrize(("venue", "endpoint"), _whole_batch(PRODUCT))
def test_an_all_or_nothing_batch_with_one_bad_id_fails_whole(
    simulator: Simulator, venue: Venue, endpoint: Endpoint
) -> None:
    # Issue 17: BingX's default process=0: one invalid id and every order fails, none is cancelled.
    sim = endpoint.simulation
    assert sim is not None and sim.all_or_nothing is not None and sim.request_order_ids is not None
    assert sim.request_order_ids.field is None  # a list of ids
    package = _product(venue)
    name = venue.name.value
    unless = sim.all_or_nothing.unless
    params = {k: v for k, v in _template(endpoint).items() if k != unless.param.value}
    instrument = next(v for v in params.values() if isinstance(v, str))
    [order] = simulator.seed(name, [{"instrument": instrument}])
    ids_param = sim.request_order_ids.param.value
    item_type = endpoint.param(ids_param).type.items  # type: ignore[union-attr]
    params[ids_param] = [order.order_id, "99999999"] if item_type.kind == "string" else [int(order.order_id), 99999999]
    account = simulator.credentials(name)
    creds = {"api_key": account.api_key, "secret": account.secret}
    if account.passphrase:
        creds["passphrase"] = account.passphrase
    client = package.Client(**creds, base_url=simulator.base_url(name), timeout=5.0)
    request = getattr(package, endpoint.stem.value + "Request")
    send = getattr(client, f"send_{endpoint.operation.value}")
    answer = sim.all_or_nothing.answer
    with pytest.raises(package.ApiError) as caught:
        send(request.from_json(params))
    assert caught.value.code == str(answer.code.value if isinstance(answer.code, Text) else answer.code)
    assert [(o.order_id, o.state.value, o.error_code) for o in caught.value.outcomes] == [
        (str(order.order_id), "failed", caught.value.code),
        ("99999999", "failed", caught.value.code),
    ]
    assert simulator.order(name, order.order_id).status == "open"  # nothing was cancelled
    # The parameter that lifts it: the valid id is cancelled, the invalid one reported on its own.
    lifted = send(request.from_json({**params, unless.param.value: unless.values[0]}))
    assert [o.state.value for o in lifted.outcomes][0] in ("cancelled", "accepted")
    assert lifted.outcomes[1].state.value in ("failed", "unknown")
    assert simulator.order(name, order.order_id).status != "open"
