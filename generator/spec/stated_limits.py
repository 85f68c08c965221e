"""Numbers in a spec's prose agree with its values: a summary or a parameter's description that
states a limit ("up to 50", "max length 10", read the way `docs check` reads a document) must
state one the spec gives that parameter, so that no docstring or reference repeats a stale number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from specgen.docs.prose import limits_in
from specgen.spec.kinds.base import Ctx, Rule
from specgen.spec.kinds.fields import Field

Bounds = dict[str, set[float]]  # "min" / "max" -> every value the spec gives that bound


def _bounds(param: Field, rules: Sequence[Rule]) -> Bounds:
    low, high = param.type.bounds()
    found: Bounds = {"min": set(), "max": set()}
    if low is not None:
        found["min"].add(low)
    if high is not None:
        found["max"].add(high)
    for rule in rules:
        limit = rule.conditional_limit()
        if limit is not None and limit.param == param.wire:
            found["max"].add(limit.max)
    return found


def _contradiction(text: str, bounds: Bounds) -> str | None:
    """The first limit text states that the spec gives none like (None when all agree)."""
    for limit in limits_in(text, 0):
        spec = bounds[limit.bound]
        if spec and limit.n not in spec:
            shown = ", ".join(str(v) for v in sorted(spec))
            return f'says "{limit.words.strip(" ,;")}", while the spec\'s {limit.bound} is {shown}'
    return None


def check_stated_limits(ctx: Ctx, raw: dict[str, Any], params: Sequence[Field], rules: Sequence[Rule]) -> None:
    """Raise a [prose-limit] error where the summary or a description contradicts a limit."""
    by_param = {p.wire.value: _bounds(p, rules) for p in params}
    for i, p in enumerate(raw["params"]):
        if p["name"] in by_param and isinstance(p.get("description"), str):
            problem = _contradiction(p["description"], by_param[p["name"]])
            if problem:
                raise ctx.fail(("params", i, "description"), "prose-limit", f"the description of {p['name']} {problem}")
    # A summary speaks of the request as a whole: its limits must be some parameter's.
    every: Bounds = {"min": set(), "max": set()}
    for bounds in by_param.values():
        every["min"] |= bounds["min"]
        every["max"] |= bounds["max"]
    problem = _contradiction(raw["summary"], every)
    if problem:
        raise ctx.fail(("summary",), "prose-limit", f"the summary {problem} (of any parameter)")
