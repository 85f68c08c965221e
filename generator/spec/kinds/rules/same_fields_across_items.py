"""same_fields_across_items: every item of a list uses the same ones of some fields (never mixes them)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

from specgen.emit.literal import literal, member
from specgen.spec.kinds.base import (
    Case,
    Ctx,
    Lines,
    Members,
    Rule,
    at_member,
    names,
    rule_kind,
    text_or_none,
    violation,
)
from specgen.spec.kinds.rules.common import WIRE_NAME, WIRE_NAMES, every_key_required, list_param
from specgen.spec.loader import Location
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit, Scope


@rule_kind
@dataclass(frozen=True)
class SameFieldsAcrossItems(Rule):
    kind = "same_fields_across_items"
    summary = "Every item of the list parameter `param` has the same subset of `fields`."

    param: Text
    fields: tuple[Text, ...]

    @classmethod
    def language(cls, scope: str) -> dict[str, Any]:
        return every_key_required({"param": WIRE_NAME, "fields": WIRE_NAMES})

    @classmethod
    def build(cls, ctx: Ctx, raw: dict[str, Any], at: Location, members: Members) -> Rule:
        list_param(ctx, raw, at, members, cls.kind, list(raw["fields"]))
        return cls(text_or_none(raw.get("description")), Text(raw["param"]), tuple(Text(f) for f in raw["fields"]))

    @property
    def message(self) -> Text:
        return Text(f"every item must use the same identifiers among: {names(self.fields)} (never mix them)")

    def json_schema(self) -> dict[str, Any]:
        wanted = [f.value for f in self.fields]
        shapes: list[dict[str, Any]] = []
        for size in range(len(wanted) + 1):
            for chosen in combinations(wanted, size):
                absent = [n for n in wanted if n not in chosen]
                item: dict[str, Any] = {"required": list(chosen)}
                if absent:
                    item["not"] = {"anyOf": [{"required": [n]} for n in absent]}
                shapes.append({"properties": {self.param.value: {"items": item}}})
        return {"anyOf": shapes}

    def check(self, w: Lines, var: str, path: str) -> None:
        w.add(f"items = {var}.get({literal(self.param)})")
        items = "items"
        with w.block(f"if isinstance({items}, list):"):
            shape = f"tuple(k in item for k in {literal(self.fields)})"
            w.add(f"shapes = {{{shape} for item in {items} if isinstance(item, dict)}}")
            with w.block("if len(shapes) > 1:"):
                w.add(violation(at_member(path, member(self.param)), self.kind, self.message))

    def cases(self, kit: CaseKit, scope: Scope) -> list[Case]:
        name = self.param.value
        first = kit.first_item(name)
        wanted = [f.value for f in self.fields]
        samples = {n: kit.field_sample(n) for n in wanted}
        if first is None or any(s is None for s in samples.values()) or not isinstance(first, dict):
            return []
        keep = {k: v for k, v in first.items() if k not in wanted}
        a = {**keep, wanted[0]: samples[wanted[0]]}
        b = {**keep, wanted[1]: samples[wanted[1]]}
        every = {**keep, **samples}
        return [
            kit.case(f"{name}_mixed_identifiers", kit.using(kit.base, name, [a, b]), False, self.kind, f"$.{name}"),
            kit.case(f"{name}_same_identifiers", kit.using(kit.base, name, [a, dict(a)]), True),
            kit.case(f"{name}_all_identifiers_everywhere", kit.using(kit.base, name, [every, dict(every)]), True),
        ]
