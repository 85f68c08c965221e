"""The JSON text of generated documents: the same value as json.dumps, small containers on one line."""

from __future__ import annotations

import json

from specgen.emit.json_text import WIDTH, dumps

from tests.helpers import GENERATED


def test_the_text_holds_the_document_and_puts_small_containers_on_one_line() -> None:
    doc = {
        "type": "object",
        "properties": {"color": {"enum": ["red", "blue"]}, "name": {"type": "string", "maxLength": 32}},
        "required": ["color"],
        "allOf": [{"if": {"properties": {"color": {"enum": ["blue"]}}}, "then": {"maxItems": 10}}],
        "empty": {},
        "text": "ünïcode",
    }
    text = dumps(doc).decode("utf-8")
    assert json.loads(text) == doc
    assert text.endswith("}\n") and text.startswith("{\n  ")  # the top level is never one line
    lines = text.splitlines()
    assert '    "color": {"enum": ["red", "blue"]},' in lines
    assert '    "name": {"type": "string", "maxLength": 32}' in lines
    assert '  "required": ["color"],' in lines
    assert '  "empty": {},' in lines and '  "text": "ünïcode"' in lines
    # three levels of containers are expanded even where they would fit
    assert '      "if": {' in lines


def test_a_container_too_wide_for_one_line_is_expanded() -> None:
    words = [f"word{i:03}" for i in range(20)]
    text = dumps({"enum": words, "short": ["a", "b"]}).decode("utf-8")
    assert json.loads(text) == {"enum": words, "short": ["a", "b"]}
    assert '    "word000",' in text.splitlines() and '  "short": ["a", "b"]' in text.splitlines()
    assert all(len(line) <= WIDTH for line in text.splitlines())


def test_every_generated_schema_is_this_text_of_its_own_value() -> None:
    schemas = sorted(GENERATED.glob("*/schemas/*.json"))
    assert schemas
    for path in schemas:
        raw = path.read_bytes()
        assert dumps(json.loads(raw)) == raw, path
