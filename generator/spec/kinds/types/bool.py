"""bool and bool_string: true or false, as a JSON boolean or as the strings "true" / "false"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.spec.kinds.base import Case, Lines, type_kind, violation
from specgen.spec.kinds.fields import Put, Type

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit


@type_kind
@dataclass(frozen=True)
class Bool(Type):
    kind = "bool"
    summary = "A JSON boolean."
    document_classes = frozenset(["bool"])
    example_classes = frozenset(["bool"])

    def own_schema(self, strict: bool) -> dict[str, Any]:
        return {"type": "boolean"}

    def own_pytype(self) -> str:
        return "bool"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        with w.block(f"if not isinstance({var}, bool):"):
            w.add(violation(path, "type", "expected true or false"))

    def own_from_json(self, expr: str, depth: int) -> str:
        return f"as_bool({expr})"

    def from_text(self, text: str) -> Any:
        if text not in ("true", "false"):
            raise ValueError("not true or false")
        return text == "true"

    def wrong_value(self) -> tuple[Any, str]:
        return "1", "type"

    def allowed_values(self) -> list[Any] | None:
        return [True, False]


@type_kind
@dataclass(frozen=True)
class BoolString(Type):
    kind = "bool_string"
    summary = 'A boolean written as the JSON string "true" or "false"; the Python value is a bool.'
    document_classes = frozenset(["bool", "string"])
    example_classes = frozenset(["string"])

    def own_schema(self, strict: bool) -> dict[str, Any]:
        return {"type": "string", "enum": ["true", "false"]}

    def own_pytype(self) -> str:
        return "bool"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        with w.block(f"if not isinstance({var}, str):"):
            w.add(violation(path, "type", 'expected "true" or "false"'))
        with w.block(f'elif {var} not in ("true", "false"):'):
            w.add(violation(path, "enum", 'must be "true" or "false"'))

    def own_to_wire(self, expr: str, depth: int) -> str:
        return f'("true" if {expr} else "false")'

    def own_from_json(self, expr: str, depth: int) -> str:
        return f'({expr} == "true")'

    def wrong_value(self) -> tuple[Any, str]:
        return True, "type"

    def allowed_values(self) -> list[Any] | None:
        return ["true", "false"]

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        return [
            kit.case(f"{label}_true", put("true"), True),
            kit.case(f"{label}_false", put("false"), True),
            kit.case(f"{label}_capitalised", put("True"), False, "enum", path),
        ]
