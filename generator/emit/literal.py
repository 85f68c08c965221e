"""Python source for spec values: the one place spec text is escaped on its way into code.

Shared by the Jinja2 filters (render.py) and the kind definitions (spec/kinds/), which write
validator and conversion code themselves.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from specgen.spec.text import Code, Data, Ident, Text


def literal(value: Any) -> str:
    """A Python literal for any spec value."""
    if isinstance(value, (Text, Ident)):
        return repr(value.value)
    if isinstance(value, Data):
        return literal(value.value)
    if value is None or isinstance(value, (bool, int, str, Decimal)):
        return repr(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("non-finite numbers cannot be written as literals")
        return repr(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(literal(v) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as a Python literal")


def py(value: Any) -> Code:
    """A Python literal for any spec value: the one escaping filter."""
    return Code(literal(value))


def doc(value: Text | str) -> Code:
    r"""Text to write between a docstring's quotes, such that Python reads back exactly the text.

    repr() escapes backslashes, newlines and control characters, and double quotes are escaped
    too, so nothing can end the docstring early. Spaces at either end and a final quote become
    \x20 and \x22, since black strips a docstring's outer spaces and pads a final quote.
    """
    text = value.value if isinstance(value, Text) else value
    quoted = repr(text)
    body = quoted[1:-1] if quoted[0] == '"' else quoted[1:-1].replace('"', '\\"')
    if body.endswith('"'):
        body = body[:-2] + "\\x22"
    core = body.strip(" ")
    lead = len(body) - len(body.lstrip(" "))
    trail = len(body) - len(body.rstrip(" ")) if core else 0
    return Code("\\x20" * lead + core + "\\x20" * trail)


# Characters markdown gives a meaning to anywhere in a line, and those it reads as a list item
# or a heading only at the start of one; each is written escaped where it has that meaning.
_MARKDOWN_INLINE = set("\\`*_{}[]()<>#|~&!")
_MARKDOWN_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def md(value: Text | str) -> Code:
    """Text for a markdown paragraph or table cell that renders as exactly the text: characters
    markdown gives a meaning to are backslash-escaped, and line breaks become spaces (a table row
    is one line)."""
    text = value.value if isinstance(value, Text) else value
    flat = " ".join(text.split()) if any(c in text for c in "\r\n\t\f\v") else text
    out = "".join("\\" + c if c in _MARKDOWN_INLINE else c for c in flat if c.isprintable() or c == " ")
    return Code(_MARKDOWN_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", out, count=1))


def md_code(value: Any, language: str = "") -> Code:
    """A fenced markdown code block holding value (a literal, or code), its fence longer than any
    run of backticks inside it, so nothing in the value can end the block early."""
    text = value if isinstance(value, str) else literal(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return Code(f"{fence}{language}\n{text}\n{fence}")


def ends_at_end(pattern: str) -> bool:
    """The pattern ends with an unescaped `$` (and so must not match before a final newline)."""
    stripped = pattern.rstrip("$")
    backslashes = len(stripped) - len(stripped.rstrip("\\"))
    return pattern.endswith("$") and backslashes % 2 == 0


def python_pattern(pattern: str) -> str:
    """The pattern for Python's re with ECMA-262's meaning of a final `$` (end of text only)."""
    return pattern[:-1] + "\\Z" if ends_at_end(pattern) else pattern


def regex(pattern: Text | str) -> Code:
    """A Python literal of the pattern as Python's re must see it to match as ECMA-262 does."""
    return Code(repr(python_pattern(pattern.value if isinstance(pattern, Text) else pattern)))


def member(name: Text | Ident, base: str = "") -> Code:
    """A string literal for the JSON-path step to a member: '.itemRef' (or '$.itemRef')."""
    return Code(repr(base + "." + name.value))
