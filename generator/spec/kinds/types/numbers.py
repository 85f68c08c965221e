"""int64 and float: JSON numbers, with optional minimum and maximum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.emit.literal import literal
from specgen.spec.kinds.base import Case, Ctx, Lines, type_kind, violation
from specgen.spec.kinds.fields import INT64_MAX, INT64_MIN, Put, Type
from specgen.spec.loader import Location
from specgen.spec.strict import finite_float, integer
from specgen.spec.text import Code

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit

BOUND = {"type": "number"}


@dataclass(frozen=True)
class Number(Type):
    keys = {"minimum": BOUND, "maximum": BOUND}
    needs_sample = False

    minimum: int | float | None = None
    maximum: int | float | None = None

    @classmethod
    def own(cls, ctx: Ctx, raw: dict[str, Any], at: Location) -> dict[str, Any]:
        return {"minimum": raw.get("minimum"), "maximum": raw.get("maximum")}

    def wrong_value(self) -> tuple[Any, str]:
        return "1", "type"

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        out = []
        if self.minimum is not None:
            out.append(kit.case(f"{label}_at_minimum", put(self.minimum), True))
            out.append(kit.case(f"{label}_below_minimum", put(self.minimum - 1), False, "range", path))
        if self.maximum is not None:
            out.append(kit.case(f"{label}_at_maximum", put(self.maximum), True))
            out.append(kit.case(f"{label}_above_maximum", put(self.maximum + 1), False, "range", path))
        return out

    def bounds(self) -> tuple[int | float | None, int | float | None]:
        return self.minimum, self.maximum

    def limits(self) -> list[str]:
        if self.minimum is not None and self.maximum is not None:
            return [f"{self.minimum} to {self.maximum}"]
        if self.minimum is not None:
            return [f"at least {self.minimum}"]
        return [f"at most {self.maximum}"] if self.maximum is not None else []


@type_kind
@dataclass(frozen=True)
class Int64(Number):
    kind = "int64"
    holds_ids = True
    summary = "A JSON integer within the signed 64-bit range."
    document_classes = frozenset(["integer", "numeric"])
    example_classes = frozenset(["integer"])
    limit_measure = "value"

    @property
    def int_bounds(self) -> tuple[int | float, int | float]:
        """The effective range: the type's own limits within the int64 range."""
        low = INT64_MIN if self.minimum is None else max(INT64_MIN, self.minimum)
        high = INT64_MAX if self.maximum is None else min(INT64_MAX, self.maximum)
        return low, high

    def own_schema(self, strict: bool) -> dict[str, Any]:
        low, high = self.int_bounds
        return {"type": "integer", "minimum": low, "maximum": high}

    def own_pytype(self) -> str:
        return "int"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        low, high = self.int_bounds
        # a plain int answers at once; the call covers bool (refused), Decimal and int subclasses
        with w.block(f"if type({var}) is not int and not {'is_int' if strict else 'is_integral'}({var}):"):
            w.add(violation(path, "type", "expected an integer"))
        shown_low = "INT64_MIN" if low == INT64_MIN else literal(low)
        shown_high = "INT64_MAX" if high == INT64_MAX else literal(high)
        with w.block(f"elif {var} < {shown_low} or {var} > {shown_high}:"):
            whole = (low, high) == (INT64_MIN, INT64_MAX)  # the runtime's message, not 50 digits again
            w.add(
                violation(path, "range", Code("OUTSIDE_INT64") if whole else f"outside {literal(low)}..{literal(high)}")
            )

    def own_from_json(self, expr: str, depth: int) -> str:
        return f"as_int({expr})"

    @property
    def json_integer(self) -> bool:
        return True

    def from_text(self, text: str) -> Any:
        return integer(text, "a value")


@type_kind
@dataclass(frozen=True)
class Float(Number):
    kind = "float"
    summary = "A JSON number, read as a Python float."
    document_classes = frozenset(["number", "numeric"])
    example_classes = frozenset(["integer", "number"])
    limit_measure = "value"

    def own_schema(self, strict: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out

    def own_pytype(self) -> str:
        return "float"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        with w.block(f"if not is_number({var}):"):
            w.add(violation(path, "type", "expected a number"))
        if self.minimum is not None:
            with w.block(f"elif {var} < {literal(self.minimum)}:"):
                w.add(violation(path, "range", "below " + literal(self.minimum)))
        if self.maximum is not None:
            with w.block(f"elif {var} > {literal(self.maximum)}:"):
                w.add(violation(path, "range", "above " + literal(self.maximum)))

    def own_from_json(self, expr: str, depth: int) -> str:
        return f"as_float({expr})"

    def from_text(self, text: str) -> Any:
        return finite_float(text)
