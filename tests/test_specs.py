"""Issue 2: the five specs are faithful to their documents, and the documents are pinned."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import ROOT

SPECS = ROOT / "specs"
SHARED_DOCS = ROOT.parent / "shared" / "docs"


def endpoint_specs() -> list[Path]:
    return sorted(p for p in SPECS.glob("*/*.yaml") if p.name != "venue.yaml")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


@pytest.mark.parametrize("path", endpoint_specs(), ids=lambda p: p.parent.name)
def test_recorded_digest_matches_the_snapshot(path: Path) -> None:
    spec = load(path)
    snapshot = path.parent / spec["source"]["snapshot"]
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == spec["source"]["sha256"]


@pytest.mark.parametrize("path", endpoint_specs(), ids=lambda p: p.parent.name)
def test_snapshot_is_the_shared_document(path: Path) -> None:
    """The snapshot is byte-for-byte the captured document in ../shared/docs (CI has it beside the clone)."""
    snapshot = path.parent / load(path)["source"]["snapshot"]
    original = SHARED_DOCS / snapshot.name
    if not SHARED_DOCS.is_dir():
        pytest.fail(f"{SHARED_DOCS} is missing; CI runs with shared/ beside the clone")
    assert original.read_bytes() == snapshot.read_bytes()


def _walk_names(t: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for f in t.get("fields", []):
        names.add(f["name"])
        names |= _walk_names(f)
    if "items" in t:
        names |= _walk_names(t["items"])
    for v in t.get("variants", []):
        names |= _walk_names(v["type"])
    return names


# What each document tabulates or shows: request parameters, response fields, and the limits and
# encodings stated in its prose. Each name is checked against the document too, so this list
# cannot drift from what the document says.
INVENTORY: dict[str, dict[str, Any]] = {
    "binance_coinm": {
        "params": ["symbol", "orderIdList", "origClientOrderIdList", "recvWindow", "timestamp"],
        "response": [
            "avgPrice",
            "clientOrderId",
            "cumQty",
            "cumBase",
            "executedQty",
            "orderId",
            "origQty",
            "origType",
            "price",
            "reduceOnly",
            "side",
            "positionSide",
            "status",
            "stopPrice",
            "closePosition",
            "symbol",
            "timeInForce",
            "type",
            "activatePrice",
            "priceRate",
            "workingType",
            "priceProtect",
            "priceMatch",
            "selfTradePreventionMode",
            "updateTime",
            "code",
            "msg",
        ],
        "limits": {"orderIdList": 10, "origClientOrderIdList": 10},
        "encodings": {"orderIdList": "json", "origClientOrderIdList": "json"},
        "prose": [
            "max length 10",
            "Either `orderIdList` or `origClientOrderIdList` must be sent",
            "No space after comma",
        ],
    },
    "ztdx_futures": {
        "params": ["symbol", "orderIdList", "origClientOrderIdList", "timestamp"],
        "response": [
            "clientOrderId",
            "cumQty",
            "cumQuote",
            "executedQty",
            "orderId",
            "origQty",
            "origType",
            "price",
            "reduceOnly",
            "side",
            "positionSide",
            "status",
            "stopPrice",
            "closePosition",
            "symbol",
            "timeInForce",
            "type",
            "activatePrice",
            "priceRate",
            "updateTime",
            "workingType",
            "priceProtect",
        ],
        "limits": {"orderIdList": 10, "origClientOrderIdList": 10},
        "encodings": {"orderIdList": "json", "origClientOrderIdList": "json"},
        "prose": ["Maximum 10 orders per request", "Either orderIdList or origClientOrderIdList must be sent"],
    },
    "bingx_spot": {
        "params": ["symbol", "process", "orderIds", "clientOrderIDs", "recvWindow", "timestamp"],
        "response": [
            "symbol",
            "orderId",
            "price",
            "origQty",
            "executedQty",
            "cummulativeQuoteQty",
            "status",
            "type",
            "side",
            "clientOrderID",
            "stopPrice",
        ],
        "limits": {},
        "encodings": {"orderIds": "comma", "clientOrderIDs": "comma"},
        "prose": ["orderIds=id1,id2,id3", "rate limitation by UID: 2/s"],
    },
    "bitget_spot": {
        "params": ["symbol", "batchMode", "orderList"],
        "items": ["symbol", "orderId", "clientOid"],
        "response": [
            "successList",
            "failureList",
            "orderId",
            "clientOid",
            "errorMsg",
            "errorCode",
            "code",
            "msg",
            "requestTime",
        ],
        "limits": {"orderList": 50},
        "encodings": {},
        "prose": ["maximum length: 50", "not permitted to mix the use of orderId and clientOid", "10 times/1s (UID)"],
    },
    "bybit_v5": {
        "params": ["category", "request"],
        "items": ["symbol", "orderId", "orderLinkId"],
        "response": [
            "retCode",
            "retMsg",
            "result",
            "list",
            "category",
            "symbol",
            "orderId",
            "orderLinkId",
            "retExtInfo",
            "code",
            "msg",
            "time",
        ],
        "limits": {"request": 20},
        "encodings": {},
        "prose": [
            "20 orders (linear), 10 orders (spot)",
            "uppercase only",
            "You must specify `orderId` or `orderLinkId`",
        ],
    },
}


@pytest.mark.parametrize("venue", sorted(INVENTORY))
def test_every_documented_name_and_limit_is_in_the_spec(venue: str) -> None:
    inv = INVENTORY[venue]
    [path] = [p for p in endpoint_specs() if p.parent.name == venue]
    spec = load(path)
    doc = (path.parent / spec["source"]["snapshot"]).read_text("utf-8")
    params = {p["name"]: p for p in spec["params"]}
    for name in inv["params"] + inv.get("items", []) + inv["response"]:
        assert re.search(rf"\b{re.escape(name)}\b", doc), f"inventory name {name!r} is not in the document"
    for phrase in inv["prose"]:
        assert phrase in doc, f"inventory phrase {phrase!r} is not in the document"
    assert list(params) == inv["params"], "parameters, in the document's order"
    if "items" in inv:
        [lst] = [p for p in spec["params"] if p["type"] == "list"]
        assert [f["name"] for f in lst["items"]["fields"]] == inv["items"]
    assert set(inv["response"]) <= _walk_names(spec["response"]["body"])
    for name, limit in inv["limits"].items():
        assert params[name]["max_items"] == limit
    for name, encoding in inv["encodings"].items():
        assert params[name]["encoding"] == encoding


def test_conditional_and_group_rules_are_declared() -> None:
    by_venue = {p.parent.name: load(p) for p in endpoint_specs()}
    bybit = by_venue["bybit_v5"]["rules"]
    assert {
        "kind": "max_items_when",
        "param": "request",
        "max": 10,
        "when": {"param": "category", "in": ["spot"]},
    }.items() <= bybit[0].items()
    assert any(
        r["kind"] == "exactly_one_of" and r["params"] == ["orderIdList", "origClientOrderIdList"]
        for r in by_venue["binance_coinm"]["rules"]
    )
    kinds = {r["kind"] for r in by_venue["bitget_spot"]["rules"]}
    assert {"same_fields_across_items", "item_required_when"} <= kinds


@pytest.mark.parametrize("path", endpoint_specs(), ids=lambda p: p.parent.name)
def test_every_spec_records_its_decisions(path: Path) -> None:
    spec = load(path)
    assert len(spec.get("notes", [])) >= 3
    for note in spec["notes"]:
        assert note["about"].strip() and note["decision"].strip()


NAMED_AMBIGUITIES = [
    ("bingx_spot", "recvWindow is typed float64", "int64"),
    ("bingx_spot", "orderIds is marked required", "exactly_one_of"),
    ("bingx_spot", "sample code", "params_in: query"),
    ("ztdx_futures", "Python sample sends strings", "int64"),
    ("bybit_v5", "uppercase only", "^[A-Z0-9-]+$"),
    ("binance_coinm", "Either orderIdList or origClientOrderIdList must be sent", "exactly_one_of"),
]


@pytest.mark.parametrize("venue,about,decided", NAMED_AMBIGUITIES)
def test_named_ambiguities_have_notes_with_decisions(venue: str, about: str, decided: str) -> None:
    """Each ambiguity the issue names is a note whose decision says what the spec chose, and the
    spec itself does what the decision says."""
    [path] = [p for p in endpoint_specs() if p.parent.name == venue]
    spec = load(path)
    notes = [n for n in spec["notes"] if about in n["about"]]
    assert notes, f"no note about {about!r}"
    assert any(decided.removeprefix("params_in: ") in n["decision"] for n in notes)
    assert decided in path.read_text("utf-8").split("\nnotes:")[0]


@pytest.mark.parametrize("path", endpoint_specs(), ids=lambda p: p.parent.name)
def test_response_bodies_in_specs_are_valid_json(path: Path) -> None:
    import json

    for case in load(path).get("tests", {}).get("response", []):
        json.loads(case["body"])
