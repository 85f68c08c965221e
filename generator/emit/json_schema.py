"""JSON Schema (2020-12) documents for an endpoint's request parameters and success body.

The request schema describes the wire-level parameters (wire names, lists before they are
joined or JSON-encoded into a query value), the same instance the compiled validators check, so
the two can be compared case by case. Requests reject unknown keys; responses allow them
(venues add fields).
"""

from __future__ import annotations

from typing import Any

from specgen.emit.json_text import dumps
from specgen.emit.literal import ends_at_end, python_pattern
from specgen.spec.kinds.types.decimal import DECIMAL_PATTERN
from specgen.spec.model import Endpoint, Type, Venue

__all__ = [
    "DECIMAL_PATTERN",
    "ends_at_end",
    "python_pattern",
    "dumps",
    "request_schema",
    "response_schema",
    "type_schema",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def type_schema(t: Type, *, strict: bool) -> dict[str, Any]:
    """The JSON Schema of a type, as its kind defines it."""
    return t.json_schema(strict)


def request_schema(venue: Venue, endpoint: Endpoint) -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": f"specgen:{venue.name.value}/{endpoint.operation.value}/request",
        "title": f"{venue.title.value}: {endpoint.operation.value} request parameters",
        "description": endpoint.summary.value,
        **type_schema(endpoint.params_type, strict=True),
    }


def response_schema(venue: Venue, endpoint: Endpoint) -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": f"specgen:{venue.name.value}/{endpoint.operation.value}/response",
        "title": f"{venue.title.value}: {endpoint.operation.value} success body",
        **type_schema(endpoint.response, strict=False),
    }
