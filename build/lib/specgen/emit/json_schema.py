"""JSON Schema (2020-12) documents for an endpoint's request parameters and success body.

The request schema describes the wire-level parameters (wire names, lists before they are
joined or JSON-encoded into a query value), the same instance the compiled validators check, so
the two can be compared case by case. Requests reject unknown keys; responses allow them
(venues add fields).
"""

from __future__ import annotations

import json
from itertools import combinations
from typing import Any

from specgen.spec.model import Endpoint, Field, Rule, Type, Venue
from specgen.spec.text import unwrap

DECIMAL_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


_v = unwrap


# Spec keys and the JSON Schema keywords they become.
_KEYWORDS = {
    "min_length": "minLength",
    "max_length": "maxLength",
    "minimum": "minimum",
    "maximum": "maximum",
    "min_items": "minItems",
    "max_items": "maxItems",
}


def ends_at_end(pattern: str) -> bool:
    """The pattern ends with an unescaped `$` (and so must not match before a final newline)."""
    stripped = pattern.rstrip("$")
    backslashes = len(stripped) - len(stripped.rstrip("\\"))
    return pattern.endswith("$") and backslashes % 2 == 0


def python_pattern(pattern: str) -> str:
    """The pattern for Python's re with ECMA-262's meaning of a final `$` (end of text only)."""
    return pattern[:-1] + "\\Z" if ends_at_end(pattern) else pattern


def _pattern(out: dict[str, Any], pattern: str) -> dict[str, Any]:
    out["pattern"] = pattern
    if ends_at_end(pattern):
        # ECMA-262's `$` never matches before a final newline; Python's (which the jsonschema
        # library uses) does. Saying so keeps both engines to the ECMA meaning.
        out["not"] = {"type": "string", "pattern": "\\n$"}
    return out


def _limits(t: Type, out: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        value = getattr(t, name)
        if value is not None:
            out[_KEYWORDS[name]] = value
    return out


def type_schema(t: Type, *, strict: bool) -> dict[str, Any]:
    kind = t.kind
    out: dict[str, Any]
    if kind == "string":
        out = _limits(t, {"type": "string"}, "min_length", "max_length")
        if t.pattern is not None:
            _pattern(out, t.pattern.value)
    elif kind == "int64":
        low, high = t.int_bounds
        out = {"type": "integer", "minimum": low, "maximum": high}
    elif kind == "decimal":
        # Requests send decimals as strings; responses may carry strings or numbers.
        out = _pattern({"type": "string"} if strict else {"type": ["string", "number"]}, DECIMAL_PATTERN)
    elif kind == "float":
        out = _limits(t, {"type": "number"}, "minimum", "maximum")
    elif kind == "bool":
        out = {"type": "boolean"}
    elif kind == "enum":
        out = {"enum": [_v(v) for v in t.values]}
    elif kind == "list":
        assert t.items is not None
        out = _limits(t, {"type": "array", "items": type_schema(t.items, strict=strict)}, "min_items", "max_items")
        if t.encoding == "comma":
            # A comma inside an id would split it in two on the wire.
            out["items"] = {"allOf": [out["items"], {"not": {"type": "string", "pattern": ","}}]}
    elif kind == "object":
        out = object_schema(t.fields, strict=strict)
        groups = [_group(r.kind, [f.value for f in r.fields]) for r in t.rules]
        if groups:
            out["allOf"] = groups
    elif kind == "one_of":
        # The first variant whose key the value has applies, as in the validators; the last
        # variant applies to anything that has none of the keys.
        branches: list[dict[str, Any]] = []
        earlier: list[dict[str, Any]] = []
        for v in t.variants:
            if v.when_has is not None:
                applies: dict[str, Any] = {"type": "object", "required": [v.when_has.value]}
                if earlier:
                    applies["not"] = {"anyOf": list(earlier)}
                earlier.append({"required": [v.when_has.value]})
            else:
                applies = {"not": {"type": "object", "anyOf": list(earlier)}}
            branches.append({"if": applies, "then": type_schema(v.type, strict=strict)})
        out = {"allOf": branches}
    else:
        raise ValueError(kind)
    return out


def object_schema(fields: tuple[Field, ...], *, strict: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {f.wire.value: _field_schema(f, strict) for f in fields},
        "required": [f.wire.value for f in fields if f.required],
    }
    if strict:
        out["additionalProperties"] = False
    return out


def _field_schema(f: Field, strict: bool) -> dict[str, Any]:
    out = type_schema(f.type, strict=strict)
    if f.description.value:
        out = {"description": f.description.value, **out}
    if f.default is not None:
        out["default"] = _v(f.default)
    return out


def _group(kind: str, names: list[str]) -> dict[str, Any]:
    branches = [{"required": [n]} for n in names]
    if kind == "exactly_one_of":
        return {"oneOf": branches}
    if kind == "at_least_one_of":
        return {"anyOf": branches}
    if kind == "at_most_one_of":
        return {"not": {"anyOf": [{"required": [a, b]} for a, b in combinations(names, 2)]}}
    raise ValueError(kind)


def _rule(rule: Rule) -> dict[str, Any]:
    if rule.is_group:
        return _group(rule.kind, [p.value for p in rule.params])
    assert rule.param is not None
    param = rule.param.value
    if rule.kind in ("max_items_when", "item_required_when"):
        assert rule.when is not None
        cond = {
            "required": [rule.when.param.value],
            "properties": {rule.when.param.value: {"enum": [_v(v) for v in rule.when.values]}},
        }
        if rule.kind == "max_items_when":
            then: dict[str, Any] = {"properties": {param: {"maxItems": rule.max}}}
        else:
            assert rule.field is not None
            then = {"properties": {param: {"items": {"required": [rule.field.value]}}}}
        return {"if": cond, "then": then}
    if rule.kind == "same_fields_across_items":
        names = [f.value for f in rule.fields]
        shapes: list[dict[str, Any]] = []
        for size in range(len(names) + 1):
            for chosen in combinations(names, size):
                absent = [n for n in names if n not in chosen]
                item: dict[str, Any] = {"required": list(chosen)}
                if absent:
                    item["not"] = {"anyOf": [{"required": [n]} for n in absent]}
                shapes.append({"properties": {param: {"items": item}}})
        return {"anyOf": shapes}
    raise ValueError(rule.kind)


def request_schema(venue: Venue, endpoint: Endpoint) -> dict[str, Any]:
    body = object_schema(endpoint.params, strict=True)
    rules = [_rule(r) for r in endpoint.rules]
    doc: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"specgen:{venue.name.value}/{endpoint.operation.value}/request",
        "title": f"{venue.title.value}: {endpoint.operation.value} request parameters",
        "description": endpoint.summary.value,
        **body,
    }
    if rules:
        doc["allOf"] = rules
    return doc


def response_schema(venue: Venue, endpoint: Endpoint) -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": f"specgen:{venue.name.value}/{endpoint.operation.value}/response",
        "title": f"{venue.title.value}: {endpoint.operation.value} success body",
        **type_schema(endpoint.response, strict=False),
    }


def dumps(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
