"""int_string: an integer written as a JSON string ("42"), a Python int."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.spec.kinds.base import Case, Lines, type_kind
from specgen.spec.kinds.fields import Put, Type
from specgen.spec.kinds.types.string import check_number_in_text, pattern_schema

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit

INTEGER_PATTERN = r"^-?(0|[1-9][0-9]*)$"


@type_kind
@dataclass(frozen=True)
class IntString(Type):
    kind = "int_string"
    holds_ids = True
    summary = 'An integer written as a JSON string ("42"); the Python value is an int.'
    document_classes = frozenset(["integer", "numeric", "string"])
    example_classes = frozenset(["string"])

    def own_schema(self, strict: bool) -> dict[str, Any]:
        return pattern_schema({"type": "string"}, INTEGER_PATTERN)

    def own_pytype(self) -> str:
        return "int"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        check_number_in_text(w, var, path, "_INTEGER", "an integer", "42")

    def own_to_wire(self, expr: str, depth: int) -> str:
        return f"str({expr})"

    def own_from_json(self, expr: str, depth: int) -> str:
        return f"int(as_str({expr}))"

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        return [
            kit.case(f"{label}_fraction", put("1.5"), False, "pattern", path),
            kit.case(f"{label}_leading_zero", put("01"), False, "pattern", path),
            kit.case(f"{label}_number_not_string", put(42), False, "type", path),
        ]
