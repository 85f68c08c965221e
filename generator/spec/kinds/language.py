"""The rule and type parts of the spec language's JSON Schema, assembled from the kind definitions.

generator/spec.schema.json is committed (it documents the language and is what `validate`
checks specs against); its `rule`, `itemRule` and `typeBody` definitions are written from the registered
kinds, and its auth definitions from the signing steps (specgen.spec.signing), by
`python -m specgen.spec.kinds`; a test fails when the committed file is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from specgen.spec import signing
from specgen.spec.kinds.base import RULE_KINDS, TYPE_KINDS

# The versions of the spec language this specgen reads; every spec file states one (`language:`).
LANGUAGE = "specgen/2"
KNOWN_LANGUAGES = (LANGUAGE,)
LANGUAGE_KEY = {
    "enum": list(KNOWN_LANGUAGES),
    "description": "The version of the spec language the file is written in; specgen refuses one it does not know.",
}

NULLABLE = {"type": "boolean", "description": "null is a value too (None in Python)."}

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "spec.schema.json"


def rule_schema(scope: str) -> dict[str, Any]:
    """A rule in scope (params: an endpoint's `rules`; item: an object type's `rules`)."""
    kinds = [k for k in sorted(RULE_KINDS) if scope in RULE_KINDS[k].scopes]
    branches = []
    for name in kinds:
        fragment = RULE_KINDS[name].language(scope)
        branches.append(
            {
                "if": {"properties": {"kind": {"const": name}}},
                "then": {"description": RULE_KINDS[name].summary, **fragment},
            }
        )
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": kinds}, "description": {"$ref": "#/$defs/text"}},
        "allOf": branches,
        "unevaluatedProperties": False,
    }


def type_body_schema(current: dict[str, Any]) -> dict[str, Any]:
    """A type, and (in a field) the field's own keys; the field keys are kept from current."""
    owned = {"type", "nullable"} | {key for cls in TYPE_KINDS.values() for key in cls.keys}
    common = {k: v for k, v in current["properties"].items() if k not in owned}
    properties: dict[str, Any] = {"type": {"enum": sorted(TYPE_KINDS)}, "nullable": NULLABLE}
    for name in sorted(TYPE_KINDS):
        for key, schema in TYPE_KINDS[name].keys.items():
            if properties.setdefault(key, schema) != schema:
                raise ValueError(f"type kinds define the key {key!r} differently")
    branches = []
    for name in sorted(TYPE_KINDS):
        cls = TYPE_KINDS[name]
        then: dict[str, Any] = {
            "description": cls.summary,
            "propertyNames": {"enum": ["type", *common, "nullable", *cls.keys]},
        }
        if cls.required_keys:
            then["required"] = list(cls.required_keys)
        branches.append({"if": {"properties": {"type": {"const": name}}}, "then": then})
    return {
        "description": current["description"],
        "type": "object",
        "required": ["type"],
        "properties": {**properties, **common},
        "additionalProperties": False,
        "allOf": branches,
    }


def assemble(schema: dict[str, Any]) -> dict[str, Any]:
    """The language schema with its rule and type definitions derived from the kinds."""
    defs = dict(schema["$defs"])
    defs["rule"] = rule_schema("params")
    defs["itemRule"] = rule_schema("item")
    defs["typeBody"] = type_body_schema(defs["typeBody"])
    defs.update(signing.schema_defs())  # the auth section, from the signing steps
    for document in ("venue", "endpoint"):
        doc = dict(defs[document])
        doc["properties"] = {"kind": doc["properties"]["kind"], "language": LANGUAGE_KEY, **doc["properties"]}
        doc["required"] = ["kind", "language", *(k for k in doc["required"] if k not in ("kind", "language"))]
        defs[document] = doc
    return {**schema, "$defs": defs}


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write(path: Path = SCHEMA_FILE) -> bool:
    """Rewrite the committed language schema; True when it changed."""
    old = path.read_text("utf-8")
    new = dumps(assemble(json.loads(old)))
    if new != old:
        path.write_text(new, "utf-8")
    return new != old
