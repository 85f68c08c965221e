"""Issue 16: a venue that cancels one order per request, and a cancel-all that lists what it cancelled.

The fixture venue (tests/fixtures/outcome_specs/fx_one) names its order by an id in the path
(`outcomes.request_ids` naming a scalar), answers with a list of ids (a source reading the entry
itself) or with one object (a source whose items are that object), and cancels every order with
an answer that lists the ids (`outcomes.from_answer`). Its unified cancel_orders sends one request
per id; the venue's refusal of one order is that id's failed outcome, sync and async.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.helpers import ROOT, run_cli, scratch_project

SPECS = ROOT / "tests" / "fixtures" / "outcome_specs"


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    project = scratch_project(tmp_path_factory.mktemp("one"), specs=SPECS)
    sys.path.insert(0, str(project / "generated"))
    try:
        yield importlib.import_module("fx_one")
    finally:
        sys.path.remove(str(project / "generated"))
        for name in [m for m in sys.modules if m.split(".")[0] == "fx_one"]:
            del sys.modules[name]


def answer(fx: Any, body: Any, status: int = 200) -> Any:
    return fx.HttpResponse(status, (("Content-Type", "application/json"),), json.dumps(body).encode())


def states(outcomes: Any) -> list[tuple[str | None, str | None, str]]:
    return [(o.order_id, o.client_id, o.state.value) for o in outcomes]


def test_the_id_goes_into_the_path_and_the_batch_size_is_one(fx: Any) -> None:
    client = fx.Client(api_key="k", secret="s", clock=lambda: 1)
    request = client.build_cancel_one(fx.CancelOneRequest(order_id="a b/c"))
    assert (request.method, urlsplit(request.url).path) == ("DELETE", "/orders/a%20b%2Fc")
    assert urlsplit(request.url).query == ""
    assert fx.OPERATIONS["cancel_one"].batch_size() == 1
    calls = client._cancel_orders_calls("X", ["1", "2", "3"], [])
    assert [(call.order_id, named) for call, named in calls] == [
        ("1", (("1", None),)),
        ("2", (("2", None),)),
        ("3", (("3", None),)),
    ]


def test_a_listed_id_is_its_outcome_and_an_unlisted_one_is_unknown(fx: Any) -> None:
    client = fx.Client(api_key="k", secret="s")
    listed = client.parse_cancel_one(answer(fx, {"code": "0", "data": {"ids": ["7"]}}), {"orderId": "7"})
    assert states(listed.outcomes) == [("7", None, "cancelled")]
    missing = client.parse_cancel_one(answer(fx, {"code": "0", "data": {"ids": []}}), {"orderId": "7"})
    [unknown] = missing.outcomes
    assert unknown.state.value == "unknown" and "does not mention" in str(unknown.reason)
    with pytest.raises(fx.ResponseError, match="did not send"):
        client.parse_cancel_one(answer(fx, {"code": "0", "data": {"ids": ["8"]}}), {"orderId": "7"})
    with pytest.raises(fx.OrderNotFoundError) as refused:
        client.parse_cancel_one(answer(fx, {"code": "404", "msg": "gone"}), {"orderId": "7"})
    assert [(o.order_id, o.state.value, o.error_code) for o in refused.value.outcomes] == [("7", "failed", "404")]


def test_one_object_answers_the_one_order_sent(fx: Any) -> None:
    client = fx.Client(api_key="k", secret="s")
    body = {"code": "0", "data": {"orderId": "5", "clientId": "c-1"}}
    result = client.parse_cancel_by_client(answer(fx, body), {"clientId": "c-1"})
    assert states(result.outcomes) == [("5", "c-1", "accepted")]
    empty = client.parse_cancel_by_client(answer(fx, {"code": "0"}), {"clientId": "c-1"})
    assert states(empty.outcomes) == [(None, "c-1", "unknown")]
    with pytest.raises(fx.ResponseError, match="did not send"):
        client.parse_cancel_by_client(answer(fx, {"code": "0", "data": {"clientId": "c-2"}}), {"clientId": "c-1"})


def test_a_cancel_all_gives_one_outcome_per_id_it_lists(fx: Any) -> None:
    client = fx.Client(api_key="k", secret="s")
    body = {"code": "0", "data": {"ids": ["3", "1", "3", "2"]}}
    result = client.parse_cancel_every(answer(fx, body), {})
    assert states(result.outcomes) == [("3", None, "cancelled"), ("1", None, "cancelled"), ("2", None, "cancelled")]
    assert client.parse_cancel_every(answer(fx, {"code": "0", "data": {"ids": []}}), {}).outcomes == ()
    with pytest.raises(fx.AuthenticationError) as refused:
        client.parse_cancel_every(answer(fx, {"code": "401", "msg": "who"}), {})
    assert refused.value.outcomes == ()  # the request named no order


class Venue:
    """Answers each cancel_one request by the id in its path: 'gone' is refused (code 404), 'who'
    is an authentication failure (401), anything else is listed as cancelled."""

    def __init__(self, fx: Any) -> None:
        self.fx, self.paths = fx, []  # type: ignore[var-annotated]

    def reply(self, request: Any) -> Any:
        path = urlsplit(request.url).path
        self.paths.append(path)
        last = path.rsplit("/", 1)[-1]
        if last in ("gone", "who"):
            return answer(self.fx, {"code": "404" if last == "gone" else "401", "msg": last})
        return answer(self.fx, {"code": "0", "data": {"ids": [last]}})

    def send(self, request: Any) -> Any:
        return self.reply(request)


class AsyncVenue(Venue):
    async def send(self, request: Any) -> Any:  # type: ignore[override]
        return self.reply(request)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_cancel_orders_sends_one_request_per_id_and_keeps_a_refused_order_as_its_outcome(
    fx: Any, is_async: bool
) -> None:
    ids = ["1", "gone", "2"]
    if is_async:
        venue: Venue = AsyncVenue(fx)
        client: Any = fx.AsyncClient(api_key="k", secret="s", transport=venue)
        result = asyncio.run(client.cancel_orders("X", order_ids=ids))
    else:
        venue = Venue(fx)
        result = fx.Client(api_key="k", secret="s", transport=venue).cancel_orders("X", order_ids=ids)
    assert venue.paths == ["/orders/1", "/orders/gone", "/orders/2"]
    assert [(o.order_id, o.state.value, o.error_code) for o in result.outcomes] == [
        ("1", "cancelled", None),
        ("gone", "failed", "404"),
        ("2", "cancelled", None),
    ]
    assert result.requests == 3 and isinstance(result.results[1], fx.OrderNotFoundError)


def test_a_refusal_of_the_caller_ends_the_call_with_every_ids_outcome(fx: Any) -> None:
    venue = Venue(fx)
    client = fx.Client(api_key="k", secret="s", transport=venue)
    with pytest.raises(fx.AuthenticationError) as caught:
        client.cancel_orders("X", order_ids=["1", "who", "2"])
    assert venue.paths == ["/orders/1", "/orders/who"]
    assert [(o.order_id, o.state.value) for o in caught.value.outcomes] == [
        ("1", "cancelled"),
        ("who", "failed"),
        ("2", "unknown"),
    ]
    with pytest.raises(fx.ValidationError, match="client_ids"):
        client.cancel_orders("X", client_ids=["c"])  # this venue's unified cancel names orders by id only


SPEC_ERRORS = [
    # (file, text replaced, replacement, rule)
    ("cancel_one.yaml", "request_ids: {order_id: orderId}", "request_ids: {order_id: nosuch}", "unknown-param"),
    ("cancel_every.yaml", "from_answer: true", "from_answer: true\n  request_ids: {order_id: symbol}", "schema:oneOf"),
    (
        "cancel_every.yaml",
        '{items: data.ids, order_id: "", success: true}',
        "{items: data.ids, success: true}",
        "outcomes",
    ),
    ("cancel_by_client.yaml", "items: data,", "items: code,", "unknown-field"),
    (
        "cancel_one.yaml",
        "{name: orderId, type: string, required: true, min_length: 1}",
        "{name: orderId, type: bool, required: true}",
        "not-a-list",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "rule"), SPEC_ERRORS)
def test_bad_one_order_and_from_answer_specs_are_refused(
    tmp_path: Path, name: str, old: str, new: str, rule: str
) -> None:
    project = scratch_project(tmp_path, with_generated=False, specs=SPECS)
    for other in ("fx_outcomes", "fx_flag", "fx_errors"):
        shutil.rmtree(project / "specs" / other)
    spec = project / "specs" / "fx_one" / name
    text = spec.read_text("utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), "utf-8")
    result = run_cli(project, "validate")
    assert result.returncode == 2, result.stderr
    assert f"specs/fx_one/{name}:" in result.stderr and f"[{rule}]" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("ids", "rule"), [("client_id", ""), ("order_id", "duplicate-action")])
def test_two_one_order_endpoints_may_share_the_unified_call_by_kind_of_id(tmp_path: Path, ids: str, rule: str) -> None:
    """cancel_orders may go through two endpoints, each taking its own kind of id one order per
    request (the order ids through one, the client ids through the other); never the same kind twice."""
    project = scratch_project(tmp_path, with_generated=False, specs=SPECS)
    for other in ("fx_outcomes", "fx_flag", "fx_errors"):
        shutil.rmtree(project / "specs" / other)
    spec = project / "specs" / "fx_one" / "cancel_by_client.yaml"
    text = spec.read_text("utf-8").replace("request_ids: {client_id: clientId}", f"request_ids: {{{ids}: clientId}}")
    spec.write_text(text + "actions:\n  cancel_orders: {}\n", "utf-8")
    result = run_cli(project, "validate")
    if not rule:
        assert result.returncode == 0, result.stderr
        assert run_cli(project, "generate").returncode == 0
        client = (project / "generated" / "fx_one" / "client.py").read_text("utf-8")
        assert "cancel_in_requests(calls, self._send_cancel, one_by_one=True)" in client
        assert "return self.send_cancel_by_client(call)" in client and "return self.send_cancel_one(call)" in client
        return
    assert result.returncode == 2 and f"[{rule}]" in result.stderr and "specs/fx_one/cancel_" in result.stderr
