"""Types and fields: the shapes of parameters, items and response bodies.

Type is the base of every type kind (types/); a kind overrides what is its own and inherits the
rest. Any type may be `nullable: true`: the base class wraps each kind's own schema, check,
annotation and conversions so that null is accepted (and None is its Python value).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from specgen.spec.kinds.base import TYPE_KINDS, Case, Ctx, Lines
from specgen.spec.loader import Location
from specgen.spec.naming import safe, snake
from specgen.spec.strict import loads
from specgen.spec.text import Ident, Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit
    from specgen.spec.kinds.types.object import Object

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

Put = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Type:
    """A type kind's definition and, as an instance, one type of a spec."""

    kind: ClassVar[str]
    summary: ClassVar[str]  # one line for the language schema
    keys: ClassVar[dict[str, Any]] = {}  # the spec keys this kind admits, with their JSON Schemas
    required_keys: ClassVar[tuple[str, ...]] = ()
    needs_sample: ClassVar[bool] = True  # contract cases vary a value only when the spec's cases give one
    scalar: ClassVar[bool] = True  # one JSON value on the wire, not an array or an object of them
    holds_ids: ClassVar[bool] = False  # its values can be order ids (strings or integers)
    # How a venue's page may type this kind (`docs check`): the page's type words, read as classes
    # (docs/compare.py: string, integer, number, numeric, bool, list, object, enum), and the kinds
    # of value its JSON examples show, that agree with it; and what a limit the page states counts.
    document_classes: ClassVar[frozenset[str]] = frozenset()
    example_classes: ClassVar[frozenset[str]] = frozenset()
    limit_measure: ClassVar[str | None] = None  # items | length | value (None: no stated limit applies)

    @classmethod
    def limit_key(cls, bound: str, measure: str | None) -> str | None:
        """The spec key a limit a page states is about (max_items, min_length, maximum, ...), from its
        bound (max or min) and what it counts (count, value, or None when the page does not say)."""
        own = cls.limit_measure
        if own in ("items", "length"):
            return None if measure == "value" else f"{bound}_{own}"
        if own == "value":
            return None if measure == "count" else ("maximum" if bound == "max" else "minimum")
        return None

    nullable: bool = False

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def build(cls, ctx: Ctx, raw: dict[str, Any], at: Location) -> Type:
        for low, high in (("min_length", "max_length"), ("minimum", "maximum"), ("min_items", "max_items")):
            if raw.get(low) is not None and raw.get(high) is not None and raw[high] < raw[low]:
                raise ctx.fail(at + (high,), "min-max", f"{high} ({raw[high]}) is below {low} ({raw[low]})")
        return cls(nullable=bool(raw.get("nullable", False)), **cls.own(ctx, raw, at))

    @classmethod
    def own(cls, ctx: Ctx, raw: dict[str, Any], at: Location) -> dict[str, Any]:
        """The kind's own attributes from its spec keys, cross-checked."""
        return {}

    # -- the tree ----------------------------------------------------------------------------

    def children(self) -> tuple[Type, ...]:
        return ()

    @classmethod
    def raw_fields(cls, raw: dict[str, Any], at: Location) -> list[tuple[dict[str, Any], Location]]:
        """The fields a spec file writes inside a type of this kind (through list items and
        variants), each with where it stands: for readers of the raw file (docs check)."""
        return []

    @property
    def objects(self) -> tuple[Object, ...]:
        """Every object type in this tree, innermost first (the order classes are defined in)."""
        return tuple(o for child in self.children() for o in child.objects)

    @property
    def patterns(self) -> tuple[Text, ...]:
        return tuple(p for child in self.children() for p in child.patterns)

    def allowed_values(self) -> list[Any] | None:
        """Every value the type admits, when they can be listed (a condition may only name these)."""
        return None

    def field_named(self, wire: str) -> Field | None:
        return None

    @property
    def record(self) -> Ident | None:
        """The record class a value of this type is read into (an object's model), if it is one."""
        return None

    def has_field(self, wire: str) -> bool:
        """An object with this field, or a one_of with a variant that has it."""
        return self.field_named(wire) is not None

    def at(self, path: tuple[Text, ...]) -> Type | None:
        """The type of the field at path (field names from here, through nested objects), if there is one."""
        here: Type | None = self
        for step in path:
            found = here.field_named(step.value) if here is not None else None
            here = found.type if found is not None else None
        return here

    def list_items_at(self, path: tuple[Text, ...]) -> Type | None:
        """The item type of the list at path (field names from here), or None if there is none."""
        here = self.at(path)
        return here.list_items() if here is not None else None

    def list_items(self) -> Type | None:
        return None

    def map_values(self) -> Type | None:
        """The type of each value, for a map."""
        return None

    @property
    def json_integer(self) -> bool:
        """Its JSON value is an integer (ids of such a type are sent as numbers)."""
        return False

    # -- reading the wire ----------------------------------------------------------------------

    @property
    def query_encoding(self) -> str | None:
        """How a value is written as one query value: its text (None, a scalar), json or comma."""
        return None if self.scalar else "json"

    def from_text(self, text: str) -> Any:
        """The JSON value text stands for, written as one query, path or form value; ValueError
        when it is no value of this type. A scalar is its text unless its kind reads it; an array
        or an object is JSON (read strictly: bounded depth, no NaN)."""
        return loads(text) if self.query_encoding == "json" else text

    def read_text(self, text: str) -> Any:
        """from_text, keeping a text that is no value of this type as it is (for the schema to refuse)."""
        try:
            return self.from_text(text)
        except ValueError:
            return text

    # -- outputs -----------------------------------------------------------------------------

    def json_schema(self, strict: bool) -> dict[str, Any]:
        """JSON Schema of the wire value; strict for requests (responses allow unknown fields)."""
        own = self.own_schema(strict)
        return {"anyOf": [own, {"type": "null"}]} if self.nullable else own

    def own_schema(self, strict: bool) -> dict[str, Any]:
        raise NotImplementedError

    def pytype(self) -> str:
        """The Python annotation of the typed value."""
        own = self.own_pytype()
        return f"{own} | None" if self.nullable else own

    def own_pytype(self) -> str:
        raise NotImplementedError

    def check(self, w: Lines, var: str, path: str, strict: bool, depth: int = 0) -> None:
        """Statements appending a Violation to `out` for each rule the JSON value `var` breaks."""
        if self.nullable:
            with w.block(f"if {var} is not None:"):
                self.own_check(w, var, path, strict, depth)
        else:
            self.own_check(w, var, path, strict, depth)

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        raise NotImplementedError

    def to_wire(self, expr: str, depth: int = 0) -> str:
        """An expression for the JSON value of the typed value expr."""
        own = self.own_to_wire(expr, depth)
        return f"(None if {expr} is None else {own})" if self.nullable and own != expr else own

    def own_to_wire(self, expr: str, depth: int) -> str:
        return expr

    def from_json(self, expr: str, depth: int = 0, present: bool = False) -> str:
        """An expression for the typed value of the (validated) JSON value expr; present: expr is
        known not to be null (no test for null written)."""
        own = self.own_from_json(expr, depth)
        return f"(None if {expr} is None else {own})" if self.nullable and not present else own

    def own_from_json(self, expr: str, depth: int) -> str:
        raise NotImplementedError

    # -- contract cases ----------------------------------------------------------------------

    def wrong_value(self) -> tuple[Any, str]:
        """A JSON value of the wrong type, and the rule the validator reports for it."""
        return 12345, "type"

    def value_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        """Cases near this type's edges, for a value at path (put places a value in a whole call)."""
        cases = [kit.case(f"{label}_null", put(None), True)] if self.nullable else []
        return cases + self.own_cases(kit, value, path, put, label)

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        return []

    # -- prose -------------------------------------------------------------------------------

    def limits(self) -> list[str]:
        """The type's limits in words, for docstrings ("1 to 20 items")."""
        return []

    def bounds(self) -> tuple[int | float | None, int | float | None]:
        """The type's lower and upper limit as numbers (items, characters or value), if it states them."""
        return None, None


def between(low: Any, high: Any, unit: str) -> str | None:
    """'1 to 20 items', 'at least 1 items', 'at most 20 items' (None when neither bound is set)."""
    if low is not None and high is not None:
        return f"{low} to {high} {unit}"
    if low is not None:
        return f"at least {low} {unit}"
    if high is not None:
        return f"at most {high} {unit}"
    return None


@dataclass(frozen=True)
class Field:
    wire: Text
    python: Ident
    type: Type
    required: bool
    default: Any
    description: Text
    source: str | None  # an auth value (timestamp, nonce, recv_window, ...): filled in by the client
    location: str | None = None  # path | query | body (`in:`); None: where the endpoint's params_in says


def build_type(ctx: Ctx, raw: dict[str, Any], at: Location) -> Type:
    return TYPE_KINDS[raw["type"]].build(ctx, raw, at)


def valid_pattern(ctx: Ctx, raw: dict[str, Any], at: Location) -> Text | None:
    pattern = raw.get("pattern")
    if pattern is None:
        return None
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ctx.fail(at + ("pattern",), "pattern", f"not a valid regular expression: {exc}") from None
    return Text(pattern)


def build_fields(ctx: Ctx, raws: list[dict[str, Any]], at: Location) -> tuple[Field, ...]:
    from specgen.spec.kinds.base import scalar

    out: list[Field] = []
    seen_wire: dict[str, int] = {}
    seen_python: dict[str, str] = {}
    for i, raw in enumerate(raws):
        here = at + (i,)
        wire = raw["name"]
        python = safe(raw["python"]) if "python" in raw else snake(wire)
        if wire in seen_wire:
            raise ctx.fail(here + ("name",), "duplicate-name", f"{wire!r} is declared twice")
        if python in seen_python:
            raise ctx.fail(
                here + ("name",),
                "name-collision",
                f"{wire!r} and {seen_python[python]!r} both become the Python name {python!r}; "
                "set 'python' on one of them",
            )
        seen_wire[wire] = i
        seen_python[python] = wire
        type_ = build_type(ctx, raw, here)
        default = raw.get("default")
        allowed = type_.allowed_values()
        if default is not None and allowed is not None and default not in allowed:
            raise ctx.fail(here + ("default",), "default", f"default {default!r} is not one of the enum's values")
        out.append(
            Field(
                wire=Text(wire),
                python=Ident(python),
                type=type_,
                required=bool(raw.get("required", False)),
                default=None if default is None else scalar(default),
                description=Text(raw.get("description", "")),
                source=raw.get("source"),
                location=raw.get("in"),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Variant:
    when_has: Text | None
    type: Type
