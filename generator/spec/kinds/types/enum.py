"""enum: one of the listed values, all strings or all integers (integer enums)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.emit.literal import literal
from specgen.spec.kinds.base import Case, Ctx, Lines, scalar, type_kind, violation
from specgen.spec.kinds.fields import Put, Type
from specgen.spec.loader import Location
from specgen.spec.strict import integer
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit


@type_kind
@dataclass(frozen=True)
class Enum(Type):
    kind = "enum"
    summary = "One of `values`: all strings, or all integers."
    keys = {"values": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": ["string", "integer"]}}}
    required_keys = ("values",)
    document_classes = frozenset(["enum", "string"])
    example_classes = frozenset(["integer", "string"])

    values: tuple[Any, ...] = ()

    @classmethod
    def own(cls, ctx: Ctx, raw: dict[str, Any], at: Location) -> dict[str, Any]:
        kinds = {type(v) for v in raw["values"]}
        if len(kinds) > 1:
            raise ctx.fail(at + ("values",), "enum", "an enum's values are all strings or all integers, not a mix")
        return {"values": tuple(scalar(v) for v in raw["values"])}

    def plain_values(self) -> list[Any]:
        return [v.value if isinstance(v, Text) else v for v in self.values]

    def allowed_values(self) -> list[Any] | None:
        return self.plain_values()

    @property
    def json_integer(self) -> bool:
        return all(isinstance(v, int) for v in self.values)

    def from_text(self, text: str) -> Any:
        return integer(text, "a value") if self.json_integer else text

    def own_schema(self, strict: bool) -> dict[str, Any]:
        return {"enum": self.plain_values()}

    def own_pytype(self) -> str:
        return "Literal[" + ", ".join(literal(v) for v in self.values) + "]"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        with w.block(f"if not in_enum({var}, {literal(self.values)}):"):
            w.add(violation(path, "enum", "must be one of " + literal(self.values)))

    def own_from_json(self, expr: str, depth: int) -> str:
        return f"cast({literal(self.own_pytype())}, {expr})"

    def wrong_value(self) -> tuple[Any, str]:
        return [], "enum"

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        values = self.plain_values()
        if all(isinstance(v, int) for v in values):
            outside: Any = max(values) + 1
        else:
            outside = f"{values[0]}_x"
            while outside in values:
                outside += "x"
        return [kit.case(f"{label}_outside_enum", put(outside), False, "enum", path)]

    def limits(self) -> list[str]:
        return ["one of " + ", ".join(literal(v) for v in self.values)]
