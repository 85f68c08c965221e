"""Write a spec set's endpoints as one OpenAPI 3.1 document, for the generators users would pick
instead (openapi-python-client, datamodel-code-generator).

What OpenAPI says the same way is carried over: paths, methods, query parameters (lists as
form/explode=false arrays; OpenAPI has no JSON-in-a-query-value style that these tools read, so
JSON-encoded lists become arrays too), JSON bodies, every response body with its nested objects
as named components, one_of as oneOf, enums, patterns, lengths, ranges and item counts.
What it cannot say is left out: the cross-parameter rules (exactly/at least one of, conditional
limits, same fields across items), the signing recipe and the outcome mapping. The peers
therefore generate less than specgen does from the same endpoints, never more.

    python benchmarks/to_openapi.py SPECS_DIR OUT.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

DECIMAL_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", name) if part)


class Converter:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def schema(self, raw: dict[str, Any], *, request: bool) -> dict[str, Any]:
        kind = raw["type"]
        out: dict[str, Any]
        if kind == "string":
            out = {"type": "string"}
            for src, dst in (("min_length", "minLength"), ("max_length", "maxLength"), ("pattern", "pattern")):
                if src in raw:
                    out[dst] = raw[src]
        elif kind == "int64":
            out = {"type": "integer", "format": "int64"}
            for src, dst in (("minimum", "minimum"), ("maximum", "maximum")):
                if src in raw:
                    out[dst] = raw[src]
        elif kind == "decimal":
            out = {"type": "string", "pattern": DECIMAL_PATTERN} if request else {"type": ["string", "number"]}
        elif kind == "float":
            out = {"type": "number"}
        elif kind == "bool":
            out = {"type": "boolean"}
        elif kind == "enum":
            values = raw["values"]
            out = {"type": "string" if all(isinstance(v, str) for v in values) else "integer", "enum": values}
        elif kind == "list":
            out = {"type": "array", "items": self.schema(raw["items"], request=request)}
            for src, dst in (("min_items", "minItems"), ("max_items", "maxItems")):
                if src in raw:
                    out[dst] = raw[src]
        elif kind == "object":
            body = self.object_schema(raw.get("fields", []), request=request)
            if "model" not in raw:
                return body
            self.components[raw["model"]] = body
            return {"$ref": f"#/components/schemas/{raw['model']}"}
        elif kind == "one_of":
            out = {"oneOf": [self.schema(v["type"], request=request) for v in raw["variants"]]}
        else:
            raise ValueError(kind)
        return out

    def object_schema(self, fields: list[dict[str, Any]], *, request: bool) -> dict[str, Any]:
        props = {}
        for f in fields:
            s = self.schema(f, request=request)
            if f.get("description") and "$ref" not in s:
                s["description"] = f["description"]
            props[f["name"]] = s
        out: dict[str, Any] = {"type": "object", "properties": props}
        required = [f["name"] for f in fields if f.get("required")]
        if required:
            out["required"] = required
        return out


def convert(specs: Path) -> dict[str, Any]:
    conv = Converter()
    paths: dict[str, Any] = {}
    for venue_dir in sorted(p for p in specs.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for spec_path in sorted(venue_dir.glob("*.yaml")):
            if spec_path.name == "venue.yaml":
                continue
            raw = yaml.load(spec_path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            op = raw["operation"]
            stem = raw.get("model") or _pascal(op)
            http = raw["http"]
            operation: dict[str, Any] = {
                "operationId": f"{venue_dir.name}_{op}",
                "summary": raw["summary"],
                "tags": [venue_dir.name],
            }
            if http["params_in"] == "query":
                params = []
                for p in raw["params"]:
                    param: dict[str, Any] = {
                        "name": p["name"],
                        "in": "query",
                        "required": bool(p.get("required")),
                        "schema": conv.schema(p, request=True),
                    }
                    if p.get("description"):
                        param["description"] = p["description"]
                    if p["type"] == "list":
                        param["style"], param["explode"] = "form", False
                    params.append(param)
                operation["parameters"] = params
            else:
                media = "application/json" if http["params_in"] == "body" else "application/x-www-form-urlencoded"
                conv.components[f"{stem}Request"] = conv.object_schema(raw["params"], request=True)
                operation["requestBody"] = {
                    "required": True,
                    "content": {media: {"schema": {"$ref": f"#/components/schemas/{stem}Request"}}},
                }
            operation["responses"] = {
                "200": {
                    "description": raw["response"].get("description", "Success"),
                    "content": {"application/json": {"schema": conv.schema(raw["response"]["body"], request=False)}},
                }
            }
            paths.setdefault(f"/{venue_dir.name}{http['path']}", {})[http["method"].lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "specgen synthetic endpoints", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": dict(sorted(conv.components.items()))},
    }


def main() -> None:
    specs, out = Path(sys.argv[1]), Path(sys.argv[2])
    doc = convert(specs)
    out.write_text(json.dumps(doc, indent=1) + "\n", "utf-8")
    print(f"{len(doc['paths'])} paths, {len(doc['components']['schemas'])} schemas -> {out}")


if __name__ == "__main__":
    main()
