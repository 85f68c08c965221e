"""Limits and value lists stated in words: "max length 10", "maximum length: 50", "Maximum 10 orders per
request", "A maximum of 20 orders (linear), 10 orders (spot)", "0 or 1", "`single` ... `multiple`"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_N = r"(\d[\d,]*)"
_MAX = [
    rf"\bmax(?:imum)?\b\.?[^\d\n.;|()]{{0,30}}?[\s:：]{_N}",
    rf"\bup to {_N}",
    rf"\bat most {_N}",
    rf"\bno more than {_N}",
    rf"\bnot (?:more than|exceed(?:ing)?) {_N}",
    rf"\blimit(?:ed)?(?: is| of| to)? {_N}\b",
    rf"\b{_N} at most\b",
    rf"\b{_N}\s*max\b",
]
_MIN = [
    rf"\bmin(?:imum)?\b\.?[^\d\n.;|()]{{0,30}}?[\s:：]{_N}",
    rf"\bat least {_N}",
]
_RANGE = [r"\bbetween (-?\d+) and (-?\d+)", r"^(-?\d+) or (-?\d+)\b", r"\bfrom (-?\d+) to (-?\d+)"]
_COUNT_WORDS = r"length|size|count|items?|orders?|elements?|ids?|entries|records|symbols?"
_RATE = re.compile(
    r"^\s*(?:\w+\s+)?(?:times|requests?|calls?|/\s*s|per (?:second|minute)|ms\b|seconds?|minutes?)", re.I
)
_CONDITIONAL = re.compile(r"(\d+)\s+[A-Za-z]+\s*\(([^)]+)\)")
_BACKTICK = re.compile(r"`([^`\s]+)`")
_EXAMPLE_WORDS = re.compile(r"\b(?:like|e\.g\.|eg|example|for example|such as)\b", re.I)


@dataclass(frozen=True)
class Limit:
    bound: str  # "max" or "min"
    n: int
    measure: str | None  # "count" (items or characters), "value" (a numeric range), None (decide by type)
    line: int
    words: str  # the words that state it
    when: tuple[str, ...] = ()  # values of some parameter this limit applies to ("spot",)


def limits_in(text: str, line: int) -> list[Limit]:
    """Every limit stated in one line or cell of text."""
    found: list[Limit] = []
    text = text.replace("`", "")
    for bound, patterns in (("max", _MAX), ("min", _MIN)):
        for pattern in patterns:
            for m in re.finditer(pattern, text, re.I):
                after = text[m.end() :]
                if _RATE.match(after):
                    continue  # a rate limit ("10 times/1s"), not a size
                measure = "count" if re.search(rf"\b(?:{_COUNT_WORDS})\b", m.group(0) + after[:20], re.I) else None
                n = int(m.group(1).replace(",", ""))
                conditional = [c for c in _CONDITIONAL.finditer(text) if c.start() >= m.start()]
                if bound == "max" and conditional:
                    for c in conditional:
                        values = tuple(v.strip() for v in re.split(r",|/|\band\b", c.group(2)) if v.strip())
                        found.append(Limit("max", int(c.group(1)), "count", line, c.group(0), values))
                else:
                    found.append(Limit(bound, n, measure, line, m.group(0).strip()))
    for pattern in _RANGE:
        for m in re.finditer(pattern, text, re.I):
            low, high = sorted((int(m.group(1)), int(m.group(2))))
            found.append(Limit("min", low, "value", line, m.group(0)))
            found.append(Limit("max", high, "value", line, m.group(0)))
    return _unique(found)


def _unique(limits: list[Limit]) -> list[Limit]:
    seen: set[tuple[str, int, tuple[str, ...]]] = set()
    out = []
    for lim in limits:
        key = (lim.bound, lim.n, lim.when)
        if key not in seen:
            seen.add(key)
            out.append(lim)
    return out


_MEANING = re.compile(r"\bmeans?\s*$", re.I)


def values_in(text: str, names: set[str]) -> tuple[str, ...]:
    """The values a cell lists in code marks (`linear`, `spot`), leaving out parameter names and examples."""
    values: list[str] = []
    for clause in re.split(r"[.;:](?:\s|$)|\n", text):
        for m in _BACKTICK.finditer(clause):
            before = clause[: m.start()]
            # "0 means `success`": the marked word is what a value means, not a value
            if _EXAMPLE_WORDS.search(before) or _MEANING.search(before) or m.group(1) in names:
                continue
            if m.group(1) not in values:
                values.append(m.group(1))
    return tuple(values) if len(values) >= 2 else ()


def encoding_in(type_word: str | None, text: str) -> str | None:
    """How a list is written in a query, when the document shows it: `ids=1,2,3` or a JSON list."""
    if re.search(r"\w=[\w-]+,[\w-]+", text):
        return "comma"
    if (type_word and "json" in type_word.lower()) or re.search(r"\[\s*[\"\d]", text):
        return "json"
    return None
