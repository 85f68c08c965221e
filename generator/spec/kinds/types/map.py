"""map: a JSON object whose keys are data (a pair, an asset), each value of one type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.spec.kinds.base import Case, Ctx, Lines, at_member, type_kind, violation
from specgen.spec.kinds.fields import Put, Type, between, build_type
from specgen.spec.loader import Location

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit

COUNT = {"type": "integer", "minimum": 0}


@type_kind
@dataclass(frozen=True)
class Map(Type):
    kind = "map"
    scalar = False
    summary = (
        "A JSON object with arbitrary keys (names that are data, such as trading pairs), each value of"
        " the type `items`; `min_items` / `max_items` count its entries. A dict in Python."
    )
    keys = {"items": {"$ref": "#/$defs/type"}, "min_items": COUNT, "max_items": COUNT}
    required_keys = ("items",)
    document_classes = frozenset(["object"])
    example_classes = frozenset(["object"])

    items: Type | None = None
    min_entries: int | None = None
    max_entries: int | None = None

    @classmethod
    def own(cls, ctx: Ctx, raw: dict[str, Any], at: Location) -> dict[str, Any]:
        items = build_type(ctx, raw["items"], at + ("items",))
        return {"items": items, "min_entries": raw.get("min_items"), "max_entries": raw.get("max_items")}

    @property
    def value(self) -> Type:
        assert self.items is not None
        return self.items

    def children(self) -> tuple[Type, ...]:
        return (self.value,)

    def map_values(self) -> Type | None:
        return self.value

    def own_schema(self, strict: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "additionalProperties": self.value.json_schema(strict)}
        if self.min_entries is not None:
            out["minProperties"] = self.min_entries
        if self.max_entries is not None:
            out["maxProperties"] = self.max_entries
        return out

    def own_pytype(self) -> str:
        return f"dict[str, {self.value.pytype()}]"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        with w.block(f"if not isinstance({var}, dict):"):
            w.add(violation(path, "type", "expected an object"))
        with w.block("else:"):
            if self.min_entries is not None:
                with w.block(f"if len({var}) < {self.min_entries}:"):
                    w.add(violation(path, "minProperties", f"fewer than {self.min_entries} entries"))
            if self.max_entries is not None:
                with w.block(f"if len({var}) > {self.max_entries}:"):
                    w.add(violation(path, "maxProperties", f"more than {self.max_entries} entries"))
            k, v = f"k{depth}", f"v{depth}"
            with w.block(f"for {k}, {v} in {var}.items():"):
                self.value.check(w, v, at_member(path, f'"." + {k}'), strict, depth + 1)

    def own_to_wire(self, expr: str, depth: int) -> str:
        k, v = f"k{depth}", f"v{depth}"
        inner = self.value.to_wire(v, depth + 1)
        return f"dict({expr})" if inner == v else f"{{{k}: {inner} for {k}, {v} in {expr}.items()}}"

    def own_from_json(self, expr: str, depth: int) -> str:
        k, v = f"k{depth}", f"v{depth}"
        return f"{{{k}: {self.value.from_json(v, depth + 1)} for {k}, {v} in as_dict({expr}).items()}}"

    def wrong_value(self) -> tuple[Any, str]:
        return "not-an-object", "type"

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        if not isinstance(value, dict) or not value:
            return []
        key, first = next(iter(value.items()))

        def of(n: int) -> dict[str, Any]:
            return {f"{key}{i}" if i else key: first for i in range(n)}

        out = []
        if self.max_entries is not None:
            n = self.max_entries
            out.append(kit.case(f"{label}_at_max_{n}", put(of(n)), True))
            out.append(kit.case(f"{label}_over_max_{n + 1}", put(of(n + 1)), False, "maxProperties", path))
        if self.min_entries is not None and self.min_entries > 0:
            n = self.min_entries
            out.append(kit.case(f"{label}_at_min_{n}", put(of(n)), True))
            out.append(kit.case(f"{label}_below_min", put(of(n - 1)), False, "minProperties", path))
        elif self.min_entries is None:
            out.append(kit.case(f"{label}_empty", put({}), True))
        return out + self.value.value_cases(
            kit, first, f"{path}.{key}", lambda v: put({**value, key: v}), f"{label}_value"
        )

    def limits(self) -> list[str]:
        count = between(self.min_entries, self.max_entries, "entries")
        return [count] if count else []
