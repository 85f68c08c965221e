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

from generator.model import Endpoint, Field, Rule, Type, Venue
from generator.text import Text

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
DECIMAL_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _v(value: Any) -> Any:
    return value.value if isinstance(value, Text) else value


# Spec keys and the JSON Schema keywords they become.
_KEYWORDS = {"min_length": "minLength", "max_length": "maxLength", "minimum": "minimum", "maximum": "maximum", "min_items": "minItems", "max_items": "maxItems"}


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
            out["pattern"] = t.pattern.value
    elif kind == "int64":
        out = _limits(t, {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX}, "minimum", "maximum")
        out["minimum"] = max(INT64_MIN, out["minimum"])
        out["maximum"] = min(INT64_MAX, out["maximum"])
    elif kind == "decimal":
        # Requests send decimals as strings; responses may carry strings or numbers.
        out = {"type": "string", "pattern": DECIMAL_PATTERN} if strict else {"type": ["string", "number"], "pattern": DECIMAL_PATTERN}
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
        branches: list[dict[str, Any]] = []
        for v in t.variants:
            sub = type_schema(v.type, strict=strict)
            if v.when_has is not None:
                branches.append({"if": {"type": "object", "required": [v.when_has.value]}, "then": sub})
        default = type_schema(t.variants[-1].type, strict=strict)
        keys = [v.when_has.value for v in t.variants if v.when_has is not None]
        branches.append({"if": {"not": {"type": "object", "anyOf": [{"required": [k]} for k in keys]}}, "then": default})
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
    if rule.kind in ("exactly_one_of", "at_least_one_of", "at_most_one_of"):
        return _group(rule.kind, [p.value for p in rule.params])
    assert rule.param is not None
    param = rule.param.value
    if rule.kind in ("max_items_when", "item_required_when"):
        assert rule.when is not None
        cond = {"required": [rule.when.param.value], "properties": {rule.when.param.value: {"enum": [_v(v) for v in rule.when.values]}}}
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
