"""Refuse spec patterns whose matching can take exponential time (catastrophic backtracking).

A generated validator runs a spec's pattern on every call; Python's backtracking engine takes
seconds on `^(a+)+$` against 26 a's and a b. Two shapes cause it, and both are refused: a
repetition of something that itself repeats by a variable count (`(a+)+`, `(\\d{1,3})*`), and a
repetition of alternatives that can begin with the same character (`(a|ab)*`, `(\\w|_)+`).
Possessive repetitions and atomic groups never backtrack, so they are allowed everywhere.
Patterns are read with Python's own parser, so this judges exactly what will run.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

with warnings.catch_warnings():  # the public names of re's parser, deprecated since 3.11 but typed
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as C
    import sre_parse as P

# \d, \w and \s as ASCII sets, plus negative numbers standing for their characters beyond ASCII
# (non-ASCII digits are word characters too; spaces are never word characters).
_CATEGORIES = {
    C.CATEGORY_DIGIT: frozenset([*range(48, 58), -1]),
    C.CATEGORY_WORD: frozenset([*range(48, 58), *range(65, 91), *range(97, 123), 95, -1, -2]),
    C.CATEGORY_SPACE: frozenset([9, 10, 11, 12, 13, 28, 29, 30, 31, 32, -3]),
}
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT}
_ANY = None  # "could start with any character"


def catastrophic(pattern: str) -> str | None:
    """Why pattern can backtrack exponentially, or None when it cannot (or does not compile)."""
    try:
        parsed = P.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None  # the caller reports patterns that do not compile
    return _walk(list(parsed.data))


Items = list[tuple[Any, Any]]
Chars = frozenset[int] | None  # None: could be any character


def _walk(items: Items) -> str | None:
    """Find every unbounded repetition and check that its body splits a text in one way only."""
    for op, av in items:
        if op in _REPEATS:
            _low, high, sub = av
            if high > 1:
                body = _flatten(list(sub))
                why = _check_seq(body, _first(body))
                if why:
                    return why
            why = _walk(list(sub))
        elif op == C.SUBPATTERN:
            why = _walk(list(av[-1]))
        elif op == C.BRANCH:
            why = next((w for b in av[1] if (w := _walk(list(b)))), None)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            why = _walk(list(av[1]))
        else:  # POSSESSIVE_REPEAT and ATOMIC_GROUP never backtrack into themselves
            why = None
        if why:
            return why
    return None


def _check_seq(seq: Items, follow: Chars) -> str | None:
    """Inside a repeated body: a variable repetition, or a choice, whose text could also be taken
    by what follows it (the rest of the body, then the next round) is ambiguous."""
    for k, (op, av) in enumerate(seq):
        rest = seq[k + 1 :]
        after = _union(_first(rest), follow) if _can_be_empty(rest) else _first(rest)
        if op in _REPEATS:
            low, high, sub = av
            inner = _flatten(list(sub))
            if low != high and _overlap(_first(inner), after):
                return "a repetition inside a repetition can split the same text in many ways (nested quantifiers)"
            why = _check_seq(inner, _union(_first(inner), after) if low != high else after)
            if why:
                return why
        elif op == C.BRANCH:
            branches = [_flatten(list(b)) for b in av[1]]
            firsts = [_union(_first(b), after) if _can_be_empty(b) else _first(b) for b in branches]
            for i, a in enumerate(firsts):
                if any(_overlap(a, b) for b in firsts[i + 1 :]):
                    return "a repetition of alternatives that can begin with the same character"
            for b in branches:
                why = _check_seq(b, after)
                if why:
                    return why
    return None


def _flatten(items: Items) -> Items:
    """Groups spliced into the sequence around them (a group does not change what matches)."""
    out: Items = []
    for op, av in items:
        if op == C.SUBPATTERN:
            out.extend(_flatten(list(av[-1])))
        else:
            out.append((op, av))
    return out


def _can_be_empty(items: Items) -> bool:
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op in _REPEATS or op == C.POSSESSIVE_REPEAT:
            if av[0] == 0 or _can_be_empty(list(av[2])):
                continue
            return False
        if op == C.SUBPATTERN:
            if _can_be_empty(list(av[-1])):
                continue
            return False
        if op == C.BRANCH:
            if any(_can_be_empty(list(b)) for b in av[1]):
                continue
            return False
        return False
    return True


def _union(a: Chars, b: Chars) -> Chars:
    return None if a is None or b is None else a | b


def _overlap(a: Chars, b: Chars) -> bool:
    if a is not None and not a or b is not None and not b:
        return False
    return a is None or b is None or bool(a & b)


def _first(items: Items) -> Chars:
    """The characters a match of items can begin with (None: could be anything)."""
    found: frozenset[int] = frozenset()
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op == C.LITERAL:
            return found | {av}
        if op == C.IN:
            chars: set[int] = set()
            for kind, value in av:
                if kind == C.LITERAL:
                    chars.add(value)
                elif kind == C.RANGE and value[1] - value[0] < 256:
                    chars.update(range(value[0], value[1] + 1))
                elif kind == C.CATEGORY and value in _CATEGORIES:
                    chars.update(_CATEGORIES[value])
                else:  # negation, wide ranges, other categories: assume anything
                    return None
            return found | chars
        if op in (C.SUBPATTERN, *_REPEATS, C.POSSESSIVE_REPEAT, C.BRANCH):
            inner = (
                [list(av[-1])] if op == C.SUBPATTERN else [list(b) for b in av[1]] if op == C.BRANCH else [list(av[2])]
            )
            for part in inner:
                got = _first(part)
                if got is None:
                    return None
                found |= got
            if not _can_be_empty([(op, av)]):
                return found
            continue
        return None
    return found
