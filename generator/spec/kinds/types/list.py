"""list: a JSON array of one item type, with optional length limits and a query encoding."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.spec.kinds.base import TYPE_KINDS, Case, Ctx, Lines, Where, type_kind, violation
from specgen.spec.kinds.fields import Put, Type, between, build_type
from specgen.spec.loader import Location

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit

COUNT = {"type": "integer", "minimum": 0}


@type_kind
@dataclass(frozen=True)
class List(Type):
    kind = "list"
    scalar = False
    summary = "A JSON array of `items`; in a query it is written as JSON or joined with commas (`encoding`)."
    keys = {
        "items": {"$ref": "#/$defs/type"},
        "min_items": COUNT,
        "max_items": COUNT,
        "encoding": {"enum": ["json", "comma"], "description": "How the list is written as one query value."},
    }
    required_keys = ("items",)
    document_classes = frozenset(["list"])
    example_classes = frozenset(["list"])
    limit_measure = "items"

    items: Type | None = None
    min_items: int | None = None
    max_items: int | None = None
    encoding: str | None = None  # json | comma, for a list sent as one query value

    @classmethod
    def own(cls, ctx: Ctx, raw: dict[str, Any], at: Location) -> dict[str, Any]:
        items = build_type(ctx, raw["items"], at + ("items",))
        if raw.get("encoding") == "comma" and not items.scalar:
            raise ctx.fail(at + ("encoding",), "encoding", "a comma-joined list holds scalars only")
        return {
            "items": items,
            "min_items": raw.get("min_items"),
            "max_items": raw.get("max_items"),
            "encoding": raw.get("encoding"),
        }

    @property
    def item(self) -> Type:
        assert self.items is not None
        return self.items

    def children(self) -> tuple[Type, ...]:
        return (self.item,)

    @classmethod
    def raw_fields(cls, raw: dict[str, Any], at: Location) -> list[tuple[dict[str, Any], Location]]:
        items = raw["items"]
        return TYPE_KINDS[items["type"]].raw_fields(items, at + ("items",))

    def list_items(self) -> Type | None:
        return self.item

    @property
    def query_encoding(self) -> str | None:
        return self.encoding or "json"

    def from_text(self, text: str) -> Any:
        if self.query_encoding == "comma":
            return [self.item.read_text(part) for part in text.split(",")]
        return super().from_text(text)

    def own_schema(self, strict: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.json_schema(strict)}
        if self.min_items is not None:
            out["minItems"] = self.min_items
        if self.max_items is not None:
            out["maxItems"] = self.max_items
        if self.encoding == "comma":
            # A comma inside an id would split it in two on the wire.
            out["items"] = {"allOf": [out["items"], {"not": {"type": "string", "pattern": ","}}]}
        return out

    def own_pytype(self) -> str:
        return f"tuple[{self.item.pytype()}, ...]"

    def own_check(self, w: Lines, var: str, path: str, strict: bool, depth: int) -> None:
        with w.block(f"if not isinstance({var}, list):"):
            w.add(violation(path, "type", "expected a list"))
        with w.block("else:"):
            if self.min_items is not None:
                with w.block(f"if len({var}) < {self.min_items}:"):
                    w.add(violation(path, "minItems", f"fewer than {self.min_items} items"))
            if self.max_items is not None:
                with w.block(f"if len({var}) > {self.max_items}:"):
                    w.add(violation(path, "maxItems", f"more than {self.max_items} items"))
            i, v, at = f"i{depth}", f"v{depth}", f"at{depth}"
            if self.item.scalar:
                # Scalar items only report: the list's path is made for a violation, not ahead.
                where = Where(str(path), i)
            else:
                w.add(f"{at} = {path}")
                where = Where(at, i)
            with w.block(f"for {i}, {v} in enumerate({var}):"):
                if self.encoding == "comma":
                    with w.block(f'if isinstance({v}, str) and "," in {v}:'):
                        w.add(violation(where, "comma", "a comma-joined item cannot contain a comma"))
                self.item.check(w, v, where, strict, depth + 1)

    def own_to_wire(self, expr: str, depth: int) -> str:
        v = f"v{depth}"
        inner = self.item.to_wire(v, depth + 1)
        return f"list({expr})" if inner == v else f"[{inner} for {v} in {expr}]"

    def own_from_json(self, expr: str, depth: int) -> str:
        v = f"v{depth}"
        return f"tuple({self.item.from_json(v, depth + 1)} for {v} in as_list({expr}))"

    def wrong_value(self) -> tuple[Any, str]:
        return "not-a-list", "type"

    def own_cases(self, kit: CaseKit, value: Any, path: str, put: Put, label: str) -> list[Case]:
        if not isinstance(value, list) or not value:
            return []
        first = value[0]

        def of(n: int) -> list[Any]:
            return [copy.deepcopy(first) for _ in range(n)]

        out = []
        if self.max_items is not None:
            n = self.max_items
            out.append(kit.case(f"{label}_at_max_{n}", put(of(n)), True))
            out.append(kit.case(f"{label}_over_max_{n + 1}", put(of(n + 1)), False, "maxItems", path))
        if self.min_items is not None and self.min_items > 0:
            n = self.min_items
            out.append(kit.case(f"{label}_at_min_{n}", put(of(n)), True))
            out.append(kit.case(f"{label}_below_min", put(of(n - 1)), False, "minItems", path))
        elif self.min_items is None:
            out.append(kit.case(f"{label}_empty", put([]), True))
        return out + self.item.value_cases(kit, first, f"{path}[0]", lambda v: put([v]), f"{label}_item")

    def limits(self) -> list[str]:
        count = between(self.min_items, self.max_items, "items")
        return [count] if count else []

    def bounds(self) -> tuple[int | float | None, int | float | None]:
        return self.min_items, self.max_items
