"""The contract harness reads back what a built request carries, whatever shape its body has."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

from specgen.contract.harness import Contract


class _Request:
    def __init__(self, body: bytes) -> None:
        self.url = "https://example.test/p"
        self.body = body


def _contract(**kw: Any) -> Contract:
    package = types.ModuleType("fixture_package")
    return Contract(package=package, operation="op", stem="Op", schemas=Path("."), credentials={}, **kw)


def test_an_array_body_reads_back_as_its_one_list_parameter() -> None:
    contract = _contract(params_in="body", body_array="orderIds")
    sent = contract.sent_params(_Request(json.dumps([101716841474621953, 2]).encode()))
    assert sent == {"orderIds": [101716841474621953, 2]}
    assert sent == contract.as_sent({"orderIds": [101716841474621953, 2]})


def test_an_object_body_reads_back_as_its_parameters() -> None:
    contract = _contract(params_in="body")
    assert contract.sent_params(_Request(b'{"a":1,"b":[2]}')) == {"a": 1, "b": [2]}
