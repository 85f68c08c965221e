"""Actions every venue offers under one name and signature (an endpoint's `actions:`), mapped to
the endpoint's own parameters: which carries the symbol, which the order ids and client ids (the
latter two are where outcomes.request_ids says, so they are named once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specgen.spec.kinds import Ctx, Field, Object
from specgen.spec.kinds.types.list import List
from specgen.spec.kinds.types.string import String
from specgen.spec.loader import Location
from specgen.spec.outcomes import OutcomeRules, RequestIds
from specgen.spec.text import Ident

# The unified call's own argument names, which a passed-through parameter may not take.
CANCEL_ORDERS_ARGS = ("self", "symbol", "order_ids", "client_ids")


@dataclass(frozen=True)
class IdsTarget:
    """Where one kind of id goes: a list of ids, or a field of each item of a list of objects."""

    arg: str  # order_ids | client_ids
    param: Field  # the list parameter
    item_model: Ident | None  # the items' dataclass, when the list holds objects
    item_field: Field | None  # the item field carrying the id
    integer: bool  # the venue wants integers: string ids are converted, non-numeric ones refused
    one: bool = False  # the parameter is one id (in the path, say): one request per id


@dataclass(frozen=True)
class CancelOrders:
    """cancel_orders(symbol, order_ids=..., client_ids=..., <params>) for one endpoint."""

    symbol: Field | None  # the parameter, or the item field (symbol_in_items), carrying the symbol; None: not sent
    symbol_in_items: bool
    targets: tuple[IdsTarget, ...]  # order ids first, then client ids: the order outcomes come back in
    params: tuple[Field, ...]  # other parameters, passed through as keyword arguments

    @property
    def one_by_one(self) -> bool:
        """Each request names one order: the venue's refusal of one is that order's outcome."""
        return any(t.one for t in self.targets)


def build_cancel_orders(
    ctx: Ctx, raw: dict[str, Any] | None, at: Location, params: tuple[Field, ...], rules: OutcomeRules | None
) -> CancelOrders | None:
    if raw is None:
        return None
    by_wire = {p.wire.value: p for p in params}
    if rules is None:
        raise ctx.fail(at, "actions", "cancel_orders needs outcomes (with request_ids): it returns one outcome per id")
    targets: list[IdsTarget] = []
    used: set[str] = set()
    for arg, ids in (("order_ids", rules.request_order_ids), ("client_ids", rules.request_client_ids)):
        if ids is not None:
            targets.append(_target(arg, ids, by_wire))
            used.add(ids.param.value)
    if "symbol" not in raw:
        # The venue's ids name orders on their own: the unified call takes a symbol but sends none.
        return CancelOrders(None, False, tuple(targets), _passed(ctx, raw, at, params, used))
    symbol_at = at + ("symbol",)
    param_name, _, field_name = raw["symbol"].partition(".")
    holder = by_wire.get(param_name)
    if holder is None:
        raise ctx.fail(symbol_at, "unknown-param", f"symbol names {param_name!r}, which is not a parameter")
    symbol = holder
    if field_name:
        items = holder.type.items if isinstance(holder.type, List) else None
        found = None if items is None else items.field_named(field_name)
        if found is None or holder.wire.value not in used:
            raise ctx.fail(
                symbol_at, "unknown-field", f"symbol names {raw['symbol']!r}: no field of the list that carries the ids"
            )
        symbol = found
    elif not isinstance(holder.type, String):
        raise ctx.fail(symbol_at, "not-a-string", f"symbol names {param_name!r}, which is not a string parameter")
    else:
        used.add(param_name)
    return CancelOrders(symbol, bool(field_name), tuple(targets), _passed(ctx, raw, at, params, used))


def _passed(
    ctx: Ctx, raw: dict[str, Any], at: Location, params: tuple[Field, ...], used: set[str]
) -> tuple[Field, ...]:
    """The parameters passed through as keyword arguments; every other required one must be filled in."""
    by_wire = {p.wire.value: p for p in params}
    passed: list[Field] = []
    for i, name in enumerate(raw.get("params", [])):
        p = by_wire.get(name)
        where = at + ("params", i)
        if p is None:
            raise ctx.fail(where, "unknown-param", f"params names {name!r}, which is not a parameter")
        if p.source is not None or name in used or p.python.value in CANCEL_ORDERS_ARGS:
            raise ctx.fail(where, "actions", f"{name!r} is filled in by the unified call itself; it cannot be passed")
        passed.append(p)
        used.add(name)
    left = [p.wire.value for p in params if p.required and p.source is None and p.wire.value not in used]
    if left:
        raise ctx.fail(at, "actions", f"required parameter {left[0]!r} has no place in cancel_orders: add it to params")
    return tuple(passed)


def _target(arg: str, ids: RequestIds, by_wire: dict[str, Field]) -> IdsTarget:
    # request_ids were checked when the outcomes were built: the list and its field exist.
    param = by_wire[ids.param.value]
    if ids.one:
        return IdsTarget(arg, param, None, None, param.type.json_integer, one=True)
    assert isinstance(param.type, List) and param.type.items is not None
    items = param.type.items
    if ids.field is None:
        return IdsTarget(arg, param, None, None, items.json_integer)
    field = items.field_named(ids.field.value)
    assert field is not None and isinstance(items, Object) and items.model is not None
    return IdsTarget(arg, param, items.model, field, field.type.json_integer)
