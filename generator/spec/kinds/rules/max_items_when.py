"""max_items_when: a list parameter's limit is lower while another parameter has certain values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.emit.literal import literal, member
from specgen.spec.kinds.base import (
    Case,
    Condition,
    ConditionalLimit,
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
    check_condition,
    condition,
    every_key_required,
    list_param,
    off_values,
)
from specgen.spec.kinds.types.list import List
from specgen.spec.loader import Location
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit, Scope


@rule_kind
@dataclass(frozen=True)
class MaxItemsWhen(Rule):
    kind = "max_items_when"
    summary = "The list parameter `param` holds at most `max` items while the condition `when` holds."

    param: Text
    python: str
    max: int
    when: Condition

    @classmethod
    def language(cls, scope: str) -> dict[str, Any]:
        return every_key_required({"param": WIRE_NAME, "max": {"type": "integer", "minimum": 0}, "when": CONDITION})

    @classmethod
    def build(cls, ctx: Ctx, raw: dict[str, Any], at: Location, members: Members) -> Rule:
        when = condition(ctx, raw["when"], at + ("when",), members, cls.kind)
        target = list_param(ctx, raw, at, members, cls.kind, [])
        own = target.type.max_items if isinstance(target.type, List) else None
        if own is not None and raw["max"] > own:
            raise ctx.fail(
                at + ("max",), "min-max", f"conditional max {raw['max']} is above the list's own max_items {own}"
            )
        return cls(text_or_none(raw.get("description")), Text(raw["param"]), target.python.value, raw["max"], when)

    @classmethod
    def spec(cls, param: str, max_items: int, when_param: str, values: list[Any]) -> dict[str, Any]:
        """The rule as a spec writes it (for spec skeletons)."""
        return {"kind": cls.kind, "param": param, "max": max_items, "when": {"param": when_param, "in": values}}

    @classmethod
    def spec_limit(cls, raw: dict[str, Any], param: str, value: Any) -> int | None:
        if raw.get("param") == param and value in (raw.get("when") or {}).get("in", []):
            return int(raw["max"])
        return None

    @property
    def message(self) -> Text:
        return Text(f"at most {self.max} items when {self.when.words}")

    def json_schema(self) -> dict[str, Any]:
        from specgen.spec.kinds.rules.common import condition_schema

        return {"if": condition_schema(self.when), "then": {"properties": {self.param.value: {"maxItems": self.max}}}}

    def check(self, w: Lines, var: str, path: str) -> None:
        w.add(f"items = {var}.get({literal(self.param)})")
        items = "items"
        test = f"{check_condition(self.when, var)} and isinstance({items}, list) and len({items}) > {self.max}"
        with w.block(f"if {test}:"):
            w.add(violation(at_member(path, member(self.param)), self.kind, self.message))

    def conditional_limit(self) -> ConditionalLimit | None:
        return ConditionalLimit(self.param, self.python, self.max, self.when)

    def cases(self, kit: CaseKit, scope: Scope) -> list[Case]:
        name, cond = self.param.value, self.when.param.value
        first = kit.first_item(name)
        if first is None:
            return []
        on = kit.plain(self.when.values[0])
        on_params = {**kit.base, cond: on}
        out = [
            kit.case(f"{name}_at_max_when_{cond}_{on}", kit.using(on_params, name, kit.copies(first, self.max)), True),
            kit.case(
                f"{name}_over_max_when_{cond}_{on}",
                kit.using(on_params, name, kit.copies(first, self.max + 1)),
                False,
                self.kind,
                f"$.{name}",
            ),
        ]
        param_type = kit.param_type(name)
        limit = param_type.max_items if isinstance(param_type, List) else None
        off = off_values(kit.endpoint.param(cond), self.when)
        if off and (limit is None or limit > self.max):
            n = self.max + 1
            off_params = {**kit.base, cond: off[0]}
            out.append(
                kit.case(f"{name}_{n}_when_{cond}_{off[0]}", kit.using(off_params, name, kit.copies(first, n)), True)
            )
        return out
