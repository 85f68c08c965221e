"""Strict readers for what arrives over the wire: lengths, integers, JSON (the simulator's, and
the type kinds' reading of a query value).

Hostile input must get a clean answer, never a traceback: each reader raises ValueError with a
short message (no input echoed back beyond a few characters), which the server turns into the
venue's invalid-parameters answer or a plain 4xx.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_DEPTH = 64  # deeper nesting is refused before Python's recursion limit is near
MAX_INTEGER_DIGITS = 19  # int64 range; a 5,000-digit "timestamp" is not parsed at all
_INTEGER = re.compile(rf"-?[0-9]{{1,{MAX_INTEGER_DIGITS}}}")
_LENGTH = re.compile(r"[0-9]{1,12}")


def integer(text: str | None, what: str) -> int:
    """A decimal integer of at most 19 digits with an optional leading minus; nothing else."""
    if text is None or not _INTEGER.fullmatch(text):
        raise ValueError(f"{what} is missing or not an integer")
    return int(text)


def content_length(text: str | None) -> int:
    """The Content-Length header: absent means 0; anything but plain digits is refused."""
    if text is None:
        return 0
    if not _LENGTH.fullmatch(text.strip()):
        raise ValueError("Content-Length is not a number")
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def finite_float(text: str) -> float:
    """A float that is a number: nan, inf and overflowing exponents (1e999) are refused."""
    value = float(text)
    if value != value:
        raise ValueError("not a number")
    if value in (float("inf"), float("-inf")):
        raise ValueError("a number is out of range")
    return value


def loads(raw: bytes | str) -> Any:
    """JSON as RFC 8259 has it: no NaN or Infinity, no number that overflows a float, bounded depth."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if _depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return json.loads(text, parse_constant=_refuse_constant, parse_float=finite_float)


def _depth(text: str) -> int:
    """The deepest bracket nesting, strings skipped: a cheap scan before the recursive parser runs."""
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
