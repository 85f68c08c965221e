"""Types and fields: the shapes of parameters, items and response bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from specgen.spec.kinds.base import Ctx, Members, Rule, build_rule, scalar, text_or_none
from specgen.spec.loader import Location
from specgen.spec.naming import safe, snake
from specgen.spec.text import Ident, Text

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Type:
    kind: str  # string int64 decimal float bool enum list object one_of
    min_length: int | None = None
    max_length: int | None = None
    pattern: Text | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    values: tuple[Any, ...] = ()
    items: Type | None = None
    min_items: int | None = None
    max_items: int | None = None
    encoding: str | None = None  # json | comma, for a list sent as one query value
    model: Ident | None = None
    fields: tuple[Field, ...] = ()
    rules: tuple[Rule, ...] = ()
    variants: tuple[Variant, ...] = ()

    @property
    def objects(self) -> tuple[Type, ...]:
        """Every object type in this tree, innermost first (the order classes are defined in)."""
        found: list[Type] = []
        for child in self._children():
            found.extend(child.objects)
        if self.kind == "object":
            found.append(self)
        return tuple(found)

    def _children(self) -> tuple[Type, ...]:
        kids: list[Type] = []
        if self.items is not None:
            kids.append(self.items)
        kids.extend(f.type for f in self.fields)
        kids.extend(v.type for v in self.variants)
        return tuple(kids)

    @property
    def int_bounds(self) -> tuple[int | float, int | float]:
        """An int64's effective range: its own limits within the int64 range."""
        low = INT64_MIN if self.minimum is None else max(INT64_MIN, self.minimum)
        high = INT64_MAX if self.maximum is None else min(INT64_MAX, self.maximum)
        return low, high

    @property
    def patterns(self) -> tuple[Text, ...]:
        own = (self.pattern,) if self.pattern is not None else ()
        return own + tuple(p for child in self._children() for p in child.patterns)

    def allowed_values(self) -> list[Any] | None:
        """Every value the type admits, when they can be listed (a condition may only name these)."""
        if self.kind == "enum":
            return [v.value if isinstance(v, Text) else v for v in self.values]
        return None

    def field_named(self, wire: str) -> Field | None:
        return next((f for f in self.fields if f.wire.value == wire), None)

    def has_field(self, wire: str) -> bool:
        """An object with this field, or a one_of with a variant that has it."""
        if self.kind == "one_of":
            return any(v.type.has_field(wire) for v in self.variants)
        return self.field_named(wire) is not None

    def list_items_at(self, path: tuple[Text, ...]) -> Type | None:
        """The item type of the list at path (field names from here), or None if there is none."""
        here: Type | None = self
        for step in path:
            found = here.field_named(step.value) if here is not None else None
            here = found.type if found is not None else None
        return here.items if here is not None and here.kind == "list" else None


@dataclass(frozen=True)
class Variant:
    when_has: Text | None
    type: Type


@dataclass(frozen=True)
class Field:
    wire: Text
    python: Ident
    type: Type
    required: bool
    default: Any
    description: Text
    source: str | None  # timestamp | recv_window: filled in by the client


def build_type(ctx: Ctx, raw: dict[str, Any], at: Location) -> Type:
    kind = raw["type"]
    items = build_type(ctx, raw["items"], at + ("items",)) if "items" in raw else None
    fields = build_fields(ctx, raw.get("fields", []), at + ("fields",)) if kind == "object" else ()
    members = Members(ctx, "item", fields)
    rules = tuple(build_rule(ctx, r, at + ("rules", i), members) for i, r in enumerate(raw.get("rules", [])))
    variants = tuple(
        Variant(text_or_none(v.get("when_has")), build_type(ctx, v["type"], at + ("variants", i, "type")))
        for i, v in enumerate(raw.get("variants", []))
    )
    if variants and (variants[-1].when_has is not None or any(v.when_has is None for v in variants[:-1])):
        raise ctx.fail(
            at + ("variants",),
            "one-of",
            "every variant but the last needs when_has; the last is the default and has none",
        )
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ctx.fail(at + ("pattern",), "pattern", f"not a valid regular expression: {exc}") from None
    for low, high in (("min_length", "max_length"), ("minimum", "maximum"), ("min_items", "max_items")):
        if raw.get(low) is not None and raw.get(high) is not None and raw[high] < raw[low]:
            raise ctx.fail(at + (high,), "min-max", f"{high} ({raw[high]}) is below {low} ({raw[low]})")
    if raw.get("encoding") == "comma" and items is not None and items.kind in ("list", "object"):
        raise ctx.fail(at + ("encoding",), "encoding", "a comma-joined list holds scalars only")
    return Type(
        kind=kind,
        min_length=raw.get("min_length"),
        max_length=raw.get("max_length"),
        pattern=text_or_none(pattern),
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        values=tuple(scalar(v) for v in raw.get("values", [])),
        items=items,
        min_items=raw.get("min_items"),
        max_items=raw.get("max_items"),
        encoding=raw.get("encoding"),
        model=Ident(raw["model"]) if "model" in raw else None,
        fields=fields,
        rules=rules,
        variants=variants,
    )


def build_fields(ctx: Ctx, raws: list[dict[str, Any]], at: Location) -> tuple[Field, ...]:
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
        if default is not None and type_.kind == "enum" and default not in raw["values"]:
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
            )
        )
    return tuple(out)
