"""Field names, nesting and value kinds from the JSON examples of a page, comments and typos tolerated.

Documents' examples are often not JSON: `// comments`, trailing commas, full-width colons. A
forgiving scan (not json.loads) reads each key with its line, its parent keys and the kind of its
value, which is all the comparison needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Key:
    path: tuple[str, ...]  # parent keys then the key; arrays are transparent
    line: int
    kind: str  # "string", "number", "integer", "bool", "null", "object", "list"


@dataclass(frozen=True)
class Example:
    line: int  # first line of the example
    keys: tuple[Key, ...]


def json_blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(first line index, lines) of each JSON-looking block: fenced, or bare from `{`/`[` to its close."""
    blocks: list[tuple[int, list[str]]] = []
    i = 0
    while i < len(lines):
        if _FENCE.match(lines[i]):
            j = i + 1
            while j < len(lines) and not _FENCE.match(lines[j]):
                j += 1
            body = lines[i + 1 : j]
            if any(line.strip().startswith(("{", "[")) for line in body[:3]):
                blocks.append((i + 1, body))
            i = j + 1
            continue
        if lines[i].strip() in ("{", "[") or re.match(r"^\s*[\[{]\s*$|^\s*\{\s*\"", lines[i]):
            depth, j = 0, i
            while j < len(lines):
                depth += _balance(lines[j])
                if depth <= 0:
                    break
                j += 1
            blocks.append((i, lines[i : j + 1]))
            i = j + 1
            continue
        i += 1
    return blocks


def _balance(line: str) -> int:
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
    return text.count("{") + text.count("[") - text.count("}") - text.count("]")


def scan(first: int, block: list[str]) -> Example:
    """Keys of one block; first is the 0-based index of its first line in the page."""
    text = "\n".join(block)
    keys: list[Key] = []
    stack: list[tuple[str, str | None]] = []  # (container "{" or "[", key that opened it)
    pending: str | None = None  # the last key read, waiting for its value
    i, line = 0, first + 1
    while i < len(text):
        c = text[i]
        if c == "\n":
            line += 1
        elif c == "/" and text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif c == '"':
            j = i + 1
            while j < len(text) and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            word = text[i + 1 : j]
            k = j + 1
            while k < len(text) and text[k] in " \t":
                k += 1
            if k < len(text) and text[k] in ":：" and stack and stack[-1][0] == "{":
                pending = word
                parents = tuple(p for kind, p in stack if p is not None)
                keys.append(Key(parents + (word,), line, _kind(text, k + 1)))
            i = j + 1
            continue
        elif c in "{[":
            stack.append((c, pending))
            pending = None
        elif c in "}]":
            if stack:
                stack.pop()
            pending = None
        elif c == ",":
            pending = None
        i += 1
    return Example(first + 1, tuple(keys))


def _kind(text: str, i: int) -> str:
    m = re.compile(r"\s*(.)").match(text, i)
    if m is None:
        return "null"
    c = m.group(1)
    rest = text[m.start(1) :]
    if c == '"':
        return "string"
    if c == "{":
        return "object"
    if c == "[":
        return "list"
    if rest.startswith(("true", "false")):
        return "bool"
    if rest.startswith("null"):
        return "null"
    number = re.match(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", rest)
    if number:
        return "number" if number.group(1) or number.group(2) else "integer"
    return "null"
