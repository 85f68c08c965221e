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

from tests.helpers import ROOT, run_cli, scratch_project

SPECS = ROOT / "tests" / "fixtures" / "outcome_specs"


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    project = scratch_project(tmp_path_factory.mktemp("outcomes"), specs=SPECS)
    sys.path.insert(0, str(project / "generated"))
    try:
        yield importlib.import_module("fx_outcomes")
    finally:
        sys.path.remove(str(project / "generated"))
        for name in [m for m in sys.modules if m == "fx_outcomes" or m.startswith("fx_outcomes.")]:
            del sys.modules[name]


def parse(fx: Any, operation: str, body: Any, **params: Any) -> Any:
    client = fx.Client(api_key="k", secret="s")
    response = fx.HttpResponse(200, (("Content-Type", "application/json"),), json.dumps(body).encode())
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
