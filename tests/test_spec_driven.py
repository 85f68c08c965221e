"""Issue 10: specgen is driven by the specs alone: generator/ and templates/ name no venue, no
venue's header and no request wire name; those live in specs/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import FIXTURE_SPECS, ROOT, venue_names

# Words a venue's spec may use that are also the generator's own vocabulary (HTTP and signing
# concepts every venue has); naming them in generator/ is not venue knowledge.
# "Signature" is also RFC 9421's own header name, and the class of the signing step; "orders" is the
# unified cancel_orders call's and the order book's own word, "market" an order type (limit, market);
# "text" is a common word (and a parameter's wire name at one venue).
GENERIC = {"request", "timestamp", "signature", "Signature", "nonce", "process", "Content-Type", "locale"}
GENERIC |= {"orders", "market", "text"}
# The unified call's own parameter, `cancel_orders(symbol, order_ids=, client_ids=)` (issue 16), is
# specgen's vocabulary: each spec maps it to its own wire name in its `actions:` section.
UNIFIED = {"symbol"}


def _spec_files(specs: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for venue in venue_names(specs):
        for path in sorted((specs / venue).glob("*.yaml")):
            found.append((path, yaml.safe_load(path.read_text("utf-8"))))
    return found


def _header_names(value: Any, out: set[str]) -> None:
    """Every header and parameter name a venue's auth section places something under."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "name" and isinstance(item, str):
                out.add(item)
            elif key == "headers" and isinstance(item, dict):
                out.update(str(k) for k in item)
            else:
                _header_names(item, out)
    elif isinstance(value, list):
        for item in value:
            _header_names(item, out)


def _wire_names(value: Any, out: set[str]) -> None:
    """The wire names of every request parameter and of the fields of its items, recursively."""
    if isinstance(value, dict):
        if isinstance(value.get("name"), str):
            out.add(value["name"])
        for key in ("items", "fields", "variants", "type"):
            if key in value:
                _wire_names(value[key], out)
    elif isinstance(value, list):
        for item in value:
            _wire_names(item, out)


def venue_facts() -> dict[str, str]:
    """word -> where it comes from, for every venue in specs/ and in the test fixtures."""
    facts: dict[str, str] = {}
    for specs in (ROOT / "specs", FIXTURE_SPECS):
        for path, doc in _spec_files(specs):
            where = path.relative_to(ROOT).as_posix()
            words: set[str] = set()
            if doc.get("kind") == "venue":
                words.add(path.parent.name)
                brand = str(doc.get("title", "")).split(" ")[0]
                words.update({brand, brand.lower()})  # "Binance" in prose, "binance" in a name
                _header_names(doc.get("auth"), words)
            else:
                _wire_names(doc.get("params"), words)
            for word in words - GENERIC - UNIFIED - {""}:
                facts.setdefault(word, where)
    return facts


def _generator_sources() -> list[Path]:
    paths = sorted((ROOT / "generator").rglob("*.py")) + sorted((ROOT / "templates").rglob("*.j2"))
    return [p for p in paths if "__pycache__" not in p.parts]


def test_generator_and_templates_name_no_venue_fact() -> None:
    facts = venue_facts()
    assert {"orderId", "category"} & set(facts), "the product specs still name these wire names"
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(facts, key=len, reverse=True)) + r")(?![\w-])"
    )
    found = []
    for path in _generator_sources():
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for match in pattern.finditer(line):
                word = match.group(1)
                found.append(f"{path.relative_to(ROOT)}:{number}: {word!r} (from {facts[word]})")
    assert not found, "venue facts belong in specs/:\n" + "\n".join(found)
