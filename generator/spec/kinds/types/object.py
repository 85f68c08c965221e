"""object: a JSON object of named fields, a frozen dataclass in Python, with per-object rules."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.emit.literal import literal, member
from specgen.spec.kinds.base import Case, Ctx, Lines, Members, Rule, Where, build_rule, type_kind, violation
from specgen.spec.kinds.fields import Field, Put, Type, build_fields
from specgen.spec.loader import Location
from specgen.spec.naming import snake
from specgen.spec.text import Ident

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit


@type_kind
@dataclass(frozen=True)
class Object(Type):
    kind = "object"
    scalar = False
    summary = "A JSON object of `fields`; `model` names its dataclass; `rules` hold per object."
    keys = {
        "model": {"$ref": "#/$defs/modelName"},
        "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}},
        "rules": {"type": "array", "items": {"$ref": "#/$defs/itemRule"}},
    }
    required_keys = ("model", "fields")
    document_classes = frozenset(["object"])
    example_classes = frozenset(["object"])

    model: Ident | None = None
    fields: tuple[Field, ...] = ()
    rules: tuple[Rule, ...] = ()

    @classmethod
    def own(cls, ctx: Ctx, raw: dict[str, Any], at: Location) -> dict[str, Any]:
        fields = build_fields(ctx, raw.get("fields", []), at + ("fields",))
        members = Members(ctx, "item", fields)
        rules = tuple(build_rule(ctx, r, at + ("rules", i), members) for i, r in enumerate(raw.get("rules", [])))
        return {"model": Ident(raw["model"]), "fields": fields, "rules": rules}

    @property
    def name(self) -> Ident:
        assert self.model is not None
        return self.model

    @property
    def checker(self) -> str:
        """The function that checks this object: _check_cancel_batch_order."""
        return "_check_" + snake(self.name.value)

    def children(self) -> tuple[Type, ...]:
        return tuple(f.type for f in self.fields)

    @classmethod
    def raw_fields(cls, raw: dict[str, Any], at: Location) -> list[tuple[dict[str, Any], Location]]:
        return [(field, at + ("fields", i)) for i, field in enumerate(raw.get("fields", []))]

    @property
    def objects(self) -> tuple[Object, ...]:
        return super().objects + (self,)

    @property
    def record(self) -> Ident | None:
        return self.model

    def field_named(self, wire: str) -> Field | None:
        return next((f for f in self.fields if f.wire.value == wire), None)

    def own_schema(self, strict: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "object",
            "properties": {f.wire.value: field_schema(f, strict) for f in self.fields},
            "required": [f.wire.value for f in self.fields if f.required],
        }
        if strict:
            out["additionalProperties"] = False
        if self.rules:
            out["allOf"] = [r.json_schema() for r in self.rules]
        return out

    def own_pytype(self) -> str:
        return self.name.value

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        if isinstance(path, Where) and path.suffix == '""':
            w.add(f"{self.checker}({var}, {path.base}, out, {path.counter})")
        else:
            w.add(f"{self.checker}({var}, {path}, out)")

    def checker_function(self, strict: bool) -> str:
        """The function that appends a Violation for each rule a JSON value breaks as this object.

        A list item's checker is given the list's path and the item's index, and makes the item's
        path (item_path) only for a violation.
        """
        w = Lines()
        here = Where("path", "index")
        with w.block(f"def {self.checker}(value: JSON, path: str, out: Out, index: int = -1) -> None:"):
            with w.block("if not isinstance(value, dict):"):
                w.add(violation(here, "type", "expected an object"))
                w.add("return")
            # One test of every required field (as fast as one each); missing() says which lack.
            required = tuple(f.wire for f in self.fields if f.required)
            if required:
                with w.block("if " + " or ".join(f"{literal(name)} not in value" for name in required) + ":"):
                    w.add(f"missing(out, {here.base}, {here.counter}, value, {literal(required)})")
            if strict:
                known = literal(tuple(f.wire for f in self.fields))
                # One subset test in C for the usual object; the loop names the unknown fields.
                with w.block(f"if not value.keys() <= {self.checker}_fields:"):
                    with w.block("for key in value:"):
                        with w.block(f"if key not in {known}:"):
                            w.add(violation(here.member('"." + key'), "additionalProperties", "is not a known field"))
            for f in self.fields:
                field_check(w, f, here.member(member(f.wire)), strict)
            for rule in self.rules:
                rule.check(w, "value", here)
        if strict:
            fields = literal(tuple(f.wire for f in self.fields))
            return f"{self.checker}_fields: frozenset[str] = frozenset({fields})\n\n\n{w.text()}"
        return w.text()

    def own_to_wire(self, expr: str, depth: int) -> str:
        return f"{expr}.to_wire()"

    def own_from_json(self, expr: str, depth: int) -> str:
        return f"{self.name.value}.from_json({expr})"

    def wrong_value(self) -> tuple[Any, str]:
        return "not-an-object", "type"

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        if not isinstance(value, dict):
            return []
        out = []
        for f in self.fields:
            name = f.wire.value
            at = f"{path}.{name}"
            if f.required:
                without = {k: v for k, v in value.items() if k != name}
                out.append(kit.case(f"{label}_without_{name}", put(without), False, "required", at))
            sample = value.get(name, kit.field_sample(name))
            if sample is None:
                continue
            # the item with this field set, and the fields a rule makes exclusive with it removed
            exclusive = {o for r in self.rules for o in r.exclusive_with(name)}
            alone = {k: v for k, v in value.items() if k not in exclusive}
            wrong, rule = f.type.wrong_value()
            out.append(kit.case(f"{label}_{name}_wrong_type", put({**alone, name: wrong}), False, rule, at))
            out += f.type.value_cases(kit, sample, at, _put_field(put, alone, name), f"{label}_{name}")
        unknown = {**value, "unknownField": "x"}
        out.append(
            kit.case(f"{label}_unknown_field", put(unknown), False, "additionalProperties", f"{path}.unknownField")
        )
        scope = kit.scope(value, put, path, label, lambda n: value.get(n, kit.field_sample(n)))
        for r in self.rules:
            out += r.cases(kit, scope)
        return out


def _put_field(put: Put, value: dict[str, Any], name: str) -> Put:
    """Put the object with one field replaced (a closure per field: the loop variable is bound now)."""
    return lambda v: put({**value, name: v})


def field_schema(f: Field, strict: bool) -> dict[str, Any]:
    out = f.type.json_schema(strict)
    if f.description.value:
        out = {"description": f.description.value, **out}
    if f.default is not None:
        out["default"] = f.default.value if hasattr(f.default, "value") else f.default
    return out


def field_check(w: Lines, f: Field, path: Where, strict: bool) -> None:
    """The check of a field of `value` when present. A check that is one test and one report
    reading the value once is written as one `if`, the field looked up in it; any other reads
    the value into `v` first."""
    key = literal(f.wire)
    probe = Lines()
    f.type.check(probe, _PROBE, path, strict)
    test, *body = probe.text().split("\n")
    if len(body) == 1 and test.startswith("if ") and probe.text().count(_PROBE) == 1:
        inline = test[3:-1].replace(_PROBE, f"value[{key}]")
        with w.block(f"if {key} in value and {conjunct(inline)}:"):
            w.add(body[0].strip())
        return
    with w.block(f"if {key} in value:"):
        w.add(f"v = value[{key}]")
        f.type.check(w, "v", path, strict)


_PROBE = "__value__"  # stands for the field's value while deciding how to write its check


def conjunct(test: str) -> str:
    """test as the right operand of `and`: bracketed unless `and` binds it already."""
    expr = ast.parse(test, mode="eval").body
    binds = isinstance(expr, (ast.Call, ast.Compare, ast.UnaryOp, ast.Name, ast.Subscript, ast.Attribute))
    return test if binds or isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.And) else f"({test})"
