"""decimal and decimal_string: exact decimals (Python Decimal), written as JSON strings.

decimal: a string in requests; a string or a number in responses (venues differ).
decimal_string: a string both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from specgen.spec.kinds.base import Case, Lines, type_kind, violation
from specgen.spec.kinds.fields import Put, Type
from specgen.spec.kinds.types.string import check_number_in_text, pattern_schema

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit

DECIMAL_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"


@type_kind
@dataclass(frozen=True)
class Decimal(Type):
    kind = "decimal"
    summary = "An exact decimal: a JSON string in requests, a string or a number in responses."
    document_classes = frozenset(["number", "numeric", "string"])
    example_classes = frozenset(["integer", "number", "string"])
    limit_measure: ClassVar[str | None] = "value"

    def own_schema(self, strict: bool) -> dict[str, Any]:
        return pattern_schema({"type": "string"} if strict else {"type": ["string", "number"]}, DECIMAL_PATTERN)

    def own_pytype(self) -> str:
        return "Decimal"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        if strict:
            with w.block(f"if not isinstance({var}, str) or not _DECIMAL({var}):"):
                w.add(violation(path, "type", 'expected a decimal string such as "0.01"'))
        else:
            # strings first: venues send decimals as strings far more often than as numbers
            with w.block(f"if not (isinstance({var}, str) and _DECIMAL({var}) or is_number({var})):"):
                w.add(violation(path, "type", "expected a decimal (string or number)"))

    def own_to_wire(self, expr: str, depth: int) -> str:
        return f"decimal_text({expr})"

    def own_from_json(self, expr: str, depth: int) -> str:
        return f"to_decimal({expr})"


@type_kind
@dataclass(frozen=True)
class DecimalString(Decimal):
    kind = "decimal_string"
    summary = 'An exact decimal written as a JSON string both ways ("0.01").'
    document_classes = frozenset(["number", "numeric", "string"])
    example_classes = frozenset(["string"])
    limit_measure = None  # a decimal string states no range

    def own_schema(self, strict: bool) -> dict[str, Any]:
        return pattern_schema({"type": "string"}, DECIMAL_PATTERN)

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        check_number_in_text(w, var, path, "_DECIMAL", "a decimal", "0.01")

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        return [
            kit.case(f"{label}_exponent", put("1e5"), False, "pattern", path),
            kit.case(f"{label}_trailing_newline", put("1.5\n"), False, "pattern", path),
        ]
