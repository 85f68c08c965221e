"""item_required_when: every item of a list parameter needs a field while a condition holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.spec.kinds.base import Case, Lines, rule_kind
from specgen.spec.kinds.rules.common import (
    ItemFieldRule,
    check_condition,
    check_item_field,
    condition_schema,
    off_values,
)
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit, Scope


@rule_kind
@dataclass(frozen=True)
class ItemRequiredWhen(ItemFieldRule):
    kind = "item_required_when"
    summary = "Every item of the list parameter `param` has the field `field` while the condition `when` holds."

    condition_key = "when"

    @property
    def message(self) -> Text:
        return Text(f"every item needs {self.field.value} when {self.condition.words}")

    def json_schema(self) -> dict[str, Any]:
        then = {"properties": {self.param.value: {"items": {"required": [self.field.value]}}}}
        return {"if": condition_schema(self.condition), "then": then}

    def check(self, w: Lines, var: str, path: str) -> None:
        guard = check_condition(self.condition, var)
        check_item_field(w, var, path, self, self.param, self.field, guard, present=False)

    def cases(self, kit: CaseKit, scope: Scope) -> list[Case]:
        name, cond, field = self.param.value, self.condition.param.value, self.field.value
        first = kit.first_item(name)
        if first is None:
            return []
        on = kit.plain(self.condition.values[0])
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
        off = off_values(kit.endpoint.param(cond), self.condition)
        if off:
            out.append(
                kit.case(
                    f"{name}_item_without_{field}_when_{cond}_{off[0]}",
                    kit.using({**kit.base, cond: off[0]}, name, [without]),
                    True,
                )
            )
        return out
