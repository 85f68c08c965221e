"""Wire helpers: JSON, query strings, decimals and validation results.

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

JSON = Any
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (a JSON path such as $.items[3].name), which rule, and why."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


def compact_json(value: JSON) -> str:
    """JSON with no spaces, keys in the order given, non-ASCII kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _reject_constant(name: str) -> JSON:
    raise ValueError(f"{name} is not valid JSON")


def loads(body: bytes) -> JSON:
    """Decode a JSON body; every number with a fraction or exponent becomes a Decimal."""
    return json.loads(body.decode("utf-8"), parse_float=Decimal, parse_constant=_reject_constant)


def decimal_text(value: Decimal) -> str:
    """Plain digits, never an exponent: Decimal('1E+2') -> '100'."""
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value}")
    return format(value, "f")


def to_decimal(value: JSON) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        try:
            parsed = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a decimal: {value!r}") from None
        if not parsed.is_finite():
            raise ValueError(f"not a finite decimal: {value!r}")
        return parsed
    raise ValueError(f"not a decimal: {type(value).__name__}")


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_integral(value: object) -> bool:
    """An integer as JSON means it: 7, or 7.0 (which the decoder reads as Decimal('7.0'))."""
    if isinstance(value, Decimal):
        return value.is_finite() and value == value.to_integral_value()
    return is_int(value)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def in_enum(value: object, allowed: tuple[object, ...]) -> bool:
    """Membership without True == 1 and 1.0 == 1 confusions."""
    return any(type(value) is type(a) and value == a for a in allowed)


def query_scalar(value: JSON) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def query_string(pairs: list[tuple[str, str]], safe: str) -> str:
    """name=value pairs joined by &, every reserved character of a value percent-encoded (except
    safe). Names are the spec's wire names, which the spec language limits to [A-Za-z0-9_-]."""
    return "&".join(f"{k}={quote(v, safe=safe)}" for k, v in pairs)


def query_value(value: JSON, encoding: str | None) -> str:
    """One parameter's text before percent-encoding: lists as compact JSON or comma-joined."""
    if isinstance(value, list):
        if encoding == "comma":
            return ",".join(query_scalar(v) for v in value)
        return compact_json(value)
    return query_scalar(value)


def has_key(value: JSON, key: str) -> bool:
    return isinstance(value, dict) and key in value


# Narrowing helpers for parsing values the validators have already checked.
def as_dict(value: JSON) -> Mapping[str, JSON]:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, got {type(value).__name__}")
    return value


def as_list(value: JSON) -> list[JSON]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return value


def as_str(value: JSON) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def as_int(value: JSON) -> int:
    if not is_integral(value):
        raise ValueError(f"expected an integer, got {type(value).__name__}")
    return int(value)


def as_float(value: JSON) -> float:
    if not is_number(value):
        raise ValueError(f"expected a number, got {type(value).__name__}")
    return float(value)


def as_bool(value: JSON) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {type(value).__name__}")
    return value
