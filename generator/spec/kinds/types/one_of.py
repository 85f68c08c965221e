"""one_of: the first variant whose key the value has applies; the last applies to anything else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specgen.emit.literal import literal
from specgen.spec.kinds.base import TYPE_KINDS, Ctx, Lines, text_or_none, type_kind
from specgen.spec.kinds.fields import Type, Variant, build_type
from specgen.spec.loader import Location


@type_kind
@dataclass(frozen=True)
class OneOf(Type):
    kind = "one_of"
    scalar = False
    summary = "One of several `variants`, told apart by a key each has (`when_has`); the last is the default."
    keys = {
        "variants": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "required": ["type"],
                "additionalProperties": False,
                "properties": {
                    "when_has": {
                        "$ref": "#/$defs/wireName",
                        "description": "This variant applies when the value is an object with this key; "
                        "the last variant has none.",
                    },
                    "type": {"$ref": "#/$defs/type"},
                },
            },
        }
    }
    required_keys = ("variants",)
    document_classes = frozenset(["object"])
    example_classes = frozenset(["object"])

    variants: tuple[Variant, ...] = ()

    @classmethod
    def own(cls, ctx: Ctx, raw: dict[str, Any], at: Location) -> dict[str, Any]:
        variants = tuple(
            Variant(text_or_none(v.get("when_has")), build_type(ctx, v["type"], at + ("variants", i, "type")))
            for i, v in enumerate(raw["variants"])
        )
        if variants[-1].when_has is not None or any(v.when_has is None for v in variants[:-1]):
            raise ctx.fail(
                at + ("variants",),
                "one-of",
                "every variant but the last needs when_has; the last is the default and has none",
            )
        return {"variants": variants}

    def children(self) -> tuple[Type, ...]:
        return tuple(v.type for v in self.variants)

    @classmethod
    def raw_fields(cls, raw: dict[str, Any], at: Location) -> list[tuple[dict[str, Any], Location]]:
        return [
            field
            for i, v in enumerate(raw.get("variants", []))
            for field in TYPE_KINDS[v["type"]["type"]].raw_fields(v["type"], at + ("variants", i, "type"))
        ]

    def has_field(self, wire: str) -> bool:
        return any(v.type.has_field(wire) for v in self.variants)

    def own_schema(self, strict: bool) -> dict[str, Any]:
        branches: list[dict[str, Any]] = []
        earlier: list[dict[str, Any]] = []
        for v in self.variants:
            if v.when_has is not None:
                applies: dict[str, Any] = {"type": "object", "required": [v.when_has.value]}
                if earlier:
                    applies["not"] = {"anyOf": list(earlier)}
                earlier.append({"required": [v.when_has.value]})
            else:
                applies = {"not": {"type": "object", "anyOf": list(earlier)}}
            branches.append({"if": applies, "then": v.type.json_schema(strict)})
        return {"allOf": branches}

    def own_pytype(self) -> str:
        return " | ".join(v.type.pytype() for v in self.variants)

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        for i, v in enumerate(self.variants):
            header = (
                "else:"
                if v.when_has is None
                else f"{'if' if i == 0 else 'elif'} has_key({var}, {literal(v.when_has)}):"
            )
            with w.block(header):
                v.type.check(w, var, path, strict, depth)

    def own_from_json(self, expr: str, depth: int) -> str:
        parts = [
            f"{v.type.from_json(expr, depth)} if has_key({expr}, {literal(v.when_has)}) else "
            for v in self.variants
            if v.when_has is not None
        ]
        return "".join(parts) + self.variants[-1].type.from_json(expr, depth)

    def wrong_value(self) -> tuple[Any, str]:
        return "not-an-object", "type"
