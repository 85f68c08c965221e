"""string: text, with optional length limits (in characters) and an ECMA-262 pattern."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.emit.literal import ends_at_end, literal
from specgen.spec.kinds.base import Case, Ctx, Lines, type_kind, violation
from specgen.spec.kinds.fields import Put, Type, between, valid_pattern
from specgen.spec.loader import Location
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit

LENGTH = {"type": "integer", "minimum": 0}


def pattern_schema(out: dict[str, Any], pattern: str) -> dict[str, Any]:
    out["pattern"] = pattern
    if ends_at_end(pattern):
        # ECMA-262's `$` never matches before a final newline; Python's (which the jsonschema
        # library uses) does. Saying so keeps both engines to the ECMA meaning.
        out["not"] = {"type": "string", "pattern": "\\n$"}
    return out


def check_number_in_text(w: Lines, var: str, path: str, regex: str, what: str, example: str) -> None:
    """The check of a number written as a JSON string (int_string, decimal_string): a string, then
    one the validators module's test `regex` (a compiled pattern's bound search) accepts."""
    with w.block(f"if not isinstance({var}, str):"):
        w.add(violation(path, "type", f"expected {what} in a string"))
    with w.block(f"elif not {regex}({var}):"):
        w.add(violation(path, "pattern", f'expected {what} such as "{example}"'))


def near_miss(pattern: str, value: str) -> str | None:
    """A string close to value that the pattern rejects."""
    rx = re.compile(pattern)
    for candidate in (
        value.lower(),
        value.upper(),
        value + " ",
        " " + value,
        value + "!",
        value + "\n",
        "é" + value,
        "",
    ):
        if candidate != value and not rx.search(candidate):
            return candidate
    return None


@type_kind
@dataclass(frozen=True)
class String(Type):
    kind = "string"
    holds_ids = True
    summary = "Text; lengths count characters, the pattern is ECMA-262."
    keys = {"min_length": LENGTH, "max_length": LENGTH, "pattern": {"type": "string", "format": "regex"}}
    document_classes = frozenset(["enum", "string"])
    example_classes = frozenset(["string"])
    limit_measure = "length"

    min_length: int | None = None
    max_length: int | None = None
    pattern: Text | None = None

    @classmethod
    def own(cls, ctx: Ctx, raw: dict[str, Any], at: Location) -> dict[str, Any]:
        return {
            "min_length": raw.get("min_length"),
            "max_length": raw.get("max_length"),
            "pattern": valid_pattern(ctx, raw, at),
        }

    @property
    def patterns(self) -> tuple[Text, ...]:
        return (self.pattern,) if self.pattern is not None else ()

    def own_schema(self, strict: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string"}
        if self.min_length is not None:
            out["minLength"] = self.min_length
        if self.max_length is not None:
            out["maxLength"] = self.max_length
        return out if self.pattern is None else pattern_schema(out, self.pattern.value)

    def own_pytype(self) -> str:
        return "str"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        with w.block(f"if not isinstance({var}, str):"):
            w.add(violation(path, "type", "expected a string"))
        checks = []  # (broken when, rule, message): each reported, so one `if` apiece
        if self.min_length is not None:
            checks.append(
                (f"len({var}) < {self.min_length}", "minLength", f"shorter than {self.min_length} characters")
            )
        if self.max_length is not None:
            checks.append((f"len({var}) > {self.max_length}", "maxLength", f"longer than {self.max_length} characters"))
        if self.pattern is not None:
            message = "does not match " + literal(self.pattern)
            checks.append((f"not _PATTERNS[{literal(self.pattern)}]({var})", "pattern", message))
        if len(checks) == 1:  # a string's only other check: `elif`, not `else:` around one `if`
            with w.block(f"elif {checks[0][0]}:"):
                w.add(violation(path, checks[0][1], checks[0][2]))
        elif checks:
            with w.block("else:"):
                for test, rule, message in checks:
                    with w.block(f"if {test}:"):
                        w.add(violation(path, rule, message))

    def own_from_json(self, expr: str, depth: int) -> str:
        return f"as_str({expr})"

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        if not isinstance(value, str):
            return []
        out = []
        if self.pattern is not None:
            pattern = self.pattern.value
            miss = near_miss(pattern, value)
            if miss is not None:
                out.append(kit.case(f"{label}_pattern_near_miss", put(miss), False, "pattern", path))
            if ends_at_end(pattern) and re.search(pattern, value):
                # Python's `$` would let this through; ECMA-262's (and the venue's) would not.
                out.append(kit.case(f"{label}_pattern_trailing_newline", put(value + "\n"), False, "pattern", path))
        if self.min_length is not None and self.min_length > 0:
            out.append(
                kit.case(f"{label}_below_min_length", put("é" * (self.min_length - 1)), False, "minLength", path)
            )
            if self.pattern is None:
                out.append(kit.case(f"{label}_at_min_length_unicode", put("é" * self.min_length), True))
        if self.max_length is not None:
            if self.pattern is None:
                out.append(kit.case(f"{label}_at_max_length_unicode", put("€" * self.max_length), True))
            out.append(kit.case(f"{label}_over_max_length", put("€" * (self.max_length + 1)), False, "maxLength", path))
        return out

    def bounds(self) -> tuple[int | float | None, int | float | None]:
        return self.min_length, self.max_length

    def limits(self) -> list[str]:
        length = between(self.min_length, self.max_length, "characters")
        return ([length] if length else []) + ([f"matches {self.pattern.value}"] if self.pattern else [])
