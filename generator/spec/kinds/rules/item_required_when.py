"""item_required_when: every item of a list parameter needs a field while a condition holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.spec.kinds.base import Case, Condition, Ctx, Lines, Members, Rule, rule_kind, text_or_none
from specgen.spec.kinds.rules.common import (
    CONDITION,
    WIRE_NAME,
    check_condition,
    check_item_field,
    condition,
    condition_schema,
    list_param,
    off_values,
)
from specgen.spec.loader import Location
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit, Scope


@rule_kind
@dataclass(frozen=True)
class ItemRequiredWhen(Rule):
    kind = "item_required_when"
    summary = "Every item of the list parameter `param` has the field `field` while the condition `when` holds."

    param: Text
    field: Text
    when: Condition

    @classmethod
    def language(cls, scope: str) -> dict[str, Any]:
        return {
            "properties": {"param": WIRE_NAME, "field": WIRE_NAME, "when": CONDITION},
            "required": ["param", "field", "when"],
        }

    @classmethod
    def build(cls, ctx: Ctx, raw: dict[str, Any], at: Location, members: Members) -> Rule:
        when = condition(ctx, raw["when"], at + ("when",), members, cls.kind)
        list_param(ctx, raw, at, members, cls.kind, [raw["field"]])
        return cls(text_or_none(raw.get("description")), Text(raw["param"]), Text(raw["field"]), when)

    @property
    def message(self) -> Text:
        return Text(f"every item needs {self.field.value} when {self.when.words}")

    def json_schema(self) -> dict[str, Any]:
        then = {"properties": {self.param.value: {"items": {"required": [self.field.value]}}}}
        return {"if": condition_schema(self.when), "then": then}

    def check(self, w: Lines, var: str, path: str) -> None:
        guard = check_condition(self.when, var)
        check_item_field(w, var, path, self, self.param, self.field, guard, present=False)

    def cases(self, kit: CaseKit, scope: Scope) -> list[Case]:
        name, cond, field = self.param.value, self.when.param.value, self.field.value
        first = kit.first_item(name)
        if first is None:
            return []
        on = kit.plain(self.when.values[0])
        without = {k: v for k, v in first.items() if k != field} if isinstance(first, dict) else first
        out = [
            kit.case(
                f"{name}_item_without_{field}_when_{cond}_{on}",
                kit.using({**kit.base, cond: on}, name, [without]),
                False,
                self.kind,
                f"$.{name}[0].{field}",
            )
        ]
        off = off_values(kit.endpoint.param(cond), self.when)
        if off:
            out.append(
                kit.case(
                    f"{name}_item_without_{field}_when_{cond}_{off[0]}",
                    kit.using({**kit.base, cond: off[0]}, name, [without]),
                    True,
                )
            )
        return out
