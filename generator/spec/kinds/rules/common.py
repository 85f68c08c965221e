"""Pieces several rule kinds build from: a condition on a parameter, a list parameter's items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from specgen.emit.literal import literal, member
from specgen.spec.kinds.base import (
    Condition,
    Ctx,
    Lines,
    Members,
    Rule,
    Where,
    at_member,
    scalar,
    text_or_none,
    violation,
)
from specgen.spec.kinds.fields import Field
from specgen.spec.loader import Location
from specgen.spec.text import Text

WIRE_NAMES = {"type": "array", "minItems": 2, "uniqueItems": True, "items": {"$ref": "#/$defs/wireName"}}
WIRE_NAME = {"$ref": "#/$defs/wireName"}
CONDITION = {"$ref": "#/$defs/condition"}


def every_key_required(properties: dict[str, Any]) -> dict[str, Any]:
    """A rule kind's language (Rule.language) when a spec must write every key it admits."""
    return {"properties": properties, "required": list(properties)}


def condition(ctx: Ctx, raw: dict[str, Any], at: Location, members: Members, kind: str) -> Condition:
    """`when: {param, in}`: a scalar parameter, and values it can take."""
    cond = members.need(at + ("param",), raw["param"], f"{kind}.when")
    if not cond.type.scalar:
        raise ctx.fail(
            at + ("param",),
            "condition",
            f"a condition needs a scalar parameter; {cond.wire.value!r} is a {cond.type.kind}",
        )
    allowed = cond.type.allowed_values()
    if allowed is not None:
        for v in raw["in"]:
            if v not in allowed:
                raise ctx.fail(at + ("in",), "condition", f"{v!r} is not a value of {cond.wire.value!r}")
    return Condition(Text(raw["param"]), cond.python.value, tuple(scalar(v) for v in raw["in"]))


def list_param(ctx: Ctx, raw: dict[str, Any], at: Location, members: Members, kind: str, fields: list[str]) -> Field:
    """The list parameter a rule applies to; fields are names its items must have."""
    target = members.need(at + ("param",), raw["param"], kind)
    if target.type.list_items() is None:
        raise ctx.fail(
            at + ("param",), "not-a-list", f"{kind} applies to lists; {target.wire.value!r} is a {target.type.kind}"
        )
    item = target.type.list_items()
    for name in fields:
        if item is None or item.field_named(name) is None:
            raise ctx.fail(
                at,
                "unknown-field",
                f"{kind} names {name!r}, which is not a field of the items of {target.wire.value!r}",
            )
    return target


def check_item_field(
    w: Lines, var: str, path: str, rule: Rule, param: Text, field: Text, guard: str, present: bool
) -> None:
    """Write the check that flags each item of the list `param` that has (present) or lacks `field`,
    while the guard expression holds, as a violation of the rule."""
    w.add(f"items = {var}.get({literal(param)})")
    with w.block(f"if {guard} and isinstance(items, list):"):
        with w.block("for i, item in enumerate(items):"):
            test = "in" if present else "not in"
            with w.block(f"if isinstance(item, dict) and {literal(field)} {test} item:"):
                item = Where(at_member(path, member(param)), "i", member(field))
                w.add(violation(item, rule.kind, rule.message))


def condition_schema(when: Condition) -> dict[str, Any]:
    return {
        "required": [when.param.value],
        "properties": {when.param.value: {"enum": [v.value if isinstance(v, Text) else v for v in when.values]}},
    }


def off_values(kit_param: Field | None, when: Condition) -> list[Any]:
    """Values of the condition's parameter that do not meet it (for cases on the other side)."""
    allowed = None if kit_param is None else kit_param.type.allowed_values()
    if allowed is None:
        return []
    on = [v.value if isinstance(v, Text) else v for v in when.values]
    return [v for v in allowed if v not in on]


def check_condition(when: Condition, var: str) -> str:
    """A Python test that the condition holds for the dict var."""
    from specgen.emit.literal import literal

    return f"in_enum({var}.get({literal(when.param)}), {literal(when.values)})"


@dataclass(frozen=True)
class ItemFieldRule(Rule):
    """A rule on one field of each item of the list parameter `param`, while (or unless) a
    condition holds: the keys a spec writes and how they are checked, for every such kind."""

    condition_key: ClassVar[str]  # the spec key of the condition: when | unless

    param: Text
    field: Text
    condition: Condition

    @classmethod
    def language(cls, scope: str) -> dict[str, Any]:
        return every_key_required({"param": WIRE_NAME, "field": WIRE_NAME, cls.condition_key: CONDITION})

    @classmethod
    def build(cls, ctx: Ctx, raw: dict[str, Any], at: Location, members: Members) -> Rule:
        key = cls.condition_key
        cond = condition(ctx, raw[key], at + (key,), members, cls.kind)
        list_param(ctx, raw, at, members, cls.kind, [raw["field"]])
        return cls(text_or_none(raw.get("description")), Text(raw["param"]), Text(raw["field"]), cond)
