"""Rules that hold unless a condition does: a parameter required, or a field of the items of a
list refused, except while a parameter has one of some values (an absent parameter never does,
so a rule about a venue's default mode holds when the caller leaves the mode out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.emit.literal import literal, member
from specgen.spec.kinds.base import (
    Case,
    Condition,
    Ctx,
    Lines,
    Members,
    Rule,
    at_member,
    rule_kind,
    text_or_none,
    violation,
)
from specgen.spec.kinds.rules.common import (
    CONDITION,
    WIRE_NAME,
    ItemFieldRule,
    check_condition,
    check_item_field,
    condition,
    condition_schema,
    every_key_required,
    off_values,
)
from specgen.spec.loader import Location
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit, Scope


def _unless_words(unless: Condition) -> str:
    return f"unless {unless.words}"


@rule_kind
@dataclass(frozen=True)
class RequiredUnless(Rule):
    kind = "required_unless"
    summary = (
        "The parameter `param` is required unless the condition `unless` holds (an absent parameter never meets it)."
    )

    param: Text
    unless: Condition

    @classmethod
    def language(cls, scope: str) -> dict[str, Any]:
        return every_key_required({"param": WIRE_NAME, "unless": CONDITION})

    @classmethod
    def build(cls, ctx: Ctx, raw: dict[str, Any], at: Location, members: Members) -> Rule:
        members.need(at + ("param",), raw["param"], cls.kind)
        unless = condition(ctx, raw["unless"], at + ("unless",), members, cls.kind)
        return cls(text_or_none(raw.get("description")), Text(raw["param"]), unless)

    @property
    def message(self) -> Text:
        return Text(f"{self.param.value} is required {_unless_words(self.unless)}")

    def json_schema(self) -> dict[str, Any]:
        return {"if": {"not": condition_schema(self.unless)}, "then": {"required": [self.param.value]}}

    def check(self, w: Lines, var: str, path: str) -> None:
        test = f"not {check_condition(self.unless, var)} and {literal(self.param)} not in {var}"
        with w.block(f"if {test}:"):
            w.add(violation(at_member(path, member(self.param)), self.kind, self.message))

    def cases(self, kit: CaseKit, scope: Scope) -> list[Case]:
        name, cond = self.param.value, self.unless.param.value
        without = {k: v for k, v in kit.base.items() if k not in (name, cond)}
        on = kit.plain(self.unless.values[0])
        out = [
            kit.case(f"{name}_missing_without_{cond}", without, False, self.kind, f"$.{name}"),
            kit.case(f"{name}_missing_when_{cond}_{on}", {**without, cond: on}, True),
        ]
        for off in off_values(kit.endpoint.param(cond), self.unless)[:1]:
            out.append(
                kit.case(f"{name}_missing_when_{cond}_{off}", {**without, cond: off}, False, self.kind, f"$.{name}")
            )
        return out


@rule_kind
@dataclass(frozen=True)
class ItemFieldRefusedUnless(ItemFieldRule):
    kind = "item_field_refused_unless"
    summary = (
        "No item of the list parameter `param` has the field `field` unless the condition `unless` holds "
        "(for a field the venue ignores otherwise)."
    )

    condition_key = "unless"

    @property
    def message(self) -> Text:
        return Text(f"no item may have {self.field.value} {_unless_words(self.condition)}")

    def json_schema(self) -> dict[str, Any]:
        then = {"properties": {self.param.value: {"items": {"not": {"required": [self.field.value]}}}}}
        return {"if": {"not": condition_schema(self.condition)}, "then": then}

    def check(self, w: Lines, var: str, path: str) -> None:
        guard = f"not {check_condition(self.condition, var)}"
        check_item_field(w, var, path, self, self.param, self.field, guard, present=True)

    def cases(self, kit: CaseKit, scope: Scope) -> list[Case]:
        name, cond, field = self.param.value, self.condition.param.value, self.field.value
        first = kit.first_item(name)
        sample = kit.field_sample(field)
        if not isinstance(first, dict) or sample is None:
            return []
        with_field = {**first, field: sample}
        without_cond = {k: v for k, v in kit.base.items() if k != cond}
        on = kit.plain(self.condition.values[0])
        return [
            kit.case(
                f"{name}_item_with_{field}_without_{cond}",
                kit.using(without_cond, name, [with_field]),
                False,
                self.kind,
                f"$.{name}[0].{field}",
            ),
            kit.case(
                f"{name}_item_with_{field}_when_{cond}_{on}",
                kit.using({**without_cond, cond: on}, name, [with_field]),
                True,
            ),
        ]
