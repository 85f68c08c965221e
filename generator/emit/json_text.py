"""JSON documents as text for review: indented by two like json.dumps(indent=2), but a small
container (at most one level of containers inside, short enough for one line) is written on one
line, as `{"type": "string", "maxLength": 32}` or `"required": ["name", "side"]`.

The same value always gives the same text, and a change to a leaf rewrites only its line or the
few lines of its container, so a diff stays as readable as with one value a line.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["WIDTH", "dumps"]

WIDTH = 100  # a container goes on one line only if the line, indent and key included, fits


def dumps(doc: Any) -> bytes:
    """The document's text, UTF-8, ending with a newline; the top level is always expanded."""
    return (_expanded(doc, 0) + "\n").encode("utf-8")


def _one_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _nesting(value: Any) -> int:
    """0 for a scalar or an empty container, else 1 + the deepest nesting inside."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return 1 + max((_nesting(v) for v in items), default=0) if items else 0


def _text(value: Any, indent: int, lead: int) -> str:
    """value at indent, its first line starting `lead` characters after the indent."""
    if _nesting(value) <= 2:
        line = _one_line(value)
        if indent + lead + len(line) <= WIDTH:
            return line
    return _expanded(value, indent)


def _expanded(value: Any, indent: int) -> str:
    if not isinstance(value, (dict, list)) or not value:
        return _one_line(value)
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        keys = [(_one_line(str(k)) + ": ", v) for k, v in value.items()]
        parts = [key + _text(v, indent + 2, len(key)) for key, v in keys]
        opening, closing = "{", "}"
    else:
        parts = [_text(v, indent + 2, 0) for v in value]
        opening, closing = "[", "]"
    inner = ",\n".join(pad + part for part in parts)
    return f"{opening}\n{inner}\n{' ' * indent}{closing}"
