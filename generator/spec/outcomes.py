"""How a response accounts for the orders of a batch: outcome sources and the rules around them.

An endpoint's `outcomes` says where each order's answer is (per-order lists, parallel lists,
split success/failure lists, or only a count), what the venue's
success means (cancelled, or accepted with the final state later), where the request names its
orders, and which report wins when the venue reports one order twice. The generated clients
read it to give exactly one outcome per requested order; the simulator reads it backwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specgen.errors import SpecError
from specgen.spec.kinds.types.one_of import OneOf
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.spec.model import Field, Type

Location = tuple[str | int, ...]
Fail = Callable[[Location, str, str], SpecError]
Scalar = Text | int | bool

STATES = ("cancelled", "accepted", "failed", "unknown")
SUCCESS_MEANINGS = ("cancelled", "accepted")
DUPLICATE_POLICIES = ("unknown", "first", "last", "failed", "success")


@dataclass(frozen=True)
class Ref:
    """A field of an outcome item ('item') or of the entry aligned with it ('aligned'); name may
    be a dotted path into a nested object ('result.id'), or empty: the entry itself (a list of ids)."""

    source: str
    name: Text

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.name.value.split(".")) if self.name.value else ()


@dataclass(frozen=True)
class RequestIds:
    param: Text
    field: Text | None
    one: bool = False  # the parameter is one id, not a list: each request names exactly one order


@dataclass(frozen=True)
class OutcomeSource:
    items: tuple[Text, ...]
    aligned_with: tuple[Text, ...] | None
    order_id: Ref | None
    client_id: Ref | None
    status: Ref | None
    error_code: Ref | None
    error_message: Ref | None
    cancelled_constant: bool | None  # every item of the source reports success (True) or failure (False)
    cancelled_when: Ref | None  # or success is this field's value being one of cancelled_values
    cancelled_values: tuple[Scalar, ...]
    not_cancelled_message: Text | None
    request_order_ids: RequestIds | None
    request_client_ids: RequestIds | None
    by_position: bool = False  # items without an id answer the order sent at the same position
    cancelled_present: bool = False  # success is cancelled_when's field being present (not null)
    single: bool = False  # items names one object, the answer's only entry, not a list of entries


@dataclass(frozen=True)
class Aggregate:
    """Only a count of the orders cancelled: every order then gets state, when the count covers all."""

    count: tuple[Text, ...]
    state: str


@dataclass(frozen=True)
class OutcomeRules:
    request_order_ids: RequestIds | None
    request_client_ids: RequestIds | None
    success: str  # what an item reporting success means: cancelled | accepted
    duplicates: str  # which report wins when one order is reported twice
    aggregate: Aggregate | None
    from_answer: bool = False  # the request names no order (a cancel-all): one outcome per entry listed

    @property
    def one_order(self) -> bool:
        """Each request names exactly one order: its id is a scalar parameter (in the path, say)."""
        return any(ids is not None and ids.one for ids in (self.request_order_ids, self.request_client_ids))


def _ref(raw: str | None) -> Ref | None:
    """'field', 'a.b' (nested), 'item.field' or 'aligned.field'."""
    if raw is None:
        return None
    head, _, rest = raw.partition(".")
    if rest and head in ("item", "aligned"):
        return Ref(head, Text(rest))
    return Ref("item", Text(raw))


def _has_path(owner: Type, steps: tuple[str, ...]) -> bool:
    """The field at this dotted path exists (in some variant of a one_of, at any level); the empty
    path is the entry itself, which must then be an id."""
    if not steps:
        return owner.holds_ids
    if not owner.has_field(steps[0]):
        return False
    if len(steps) == 1:
        return True
    kinds = [v.type for v in owner.variants] if isinstance(owner, OneOf) else [owner]
    found = [f for f in (t.field_named(steps[0]) for t in kinds) if f is not None]
    return any(_has_path(f.type, steps[1:]) for f in found)


def _request_ids(raw: str | None) -> RequestIds | None:
    if raw is None:
        return None
    param, _, field_ = raw.partition(".")
    return RequestIds(Text(param), Text(field_) if field_ else None)


def path(raw: str | None) -> tuple[Text, ...] | None:
    if raw is None:
        return None
    return tuple(Text(p) for p in raw.split(".")) if raw else ()


def _shown(p: tuple[Text, ...]) -> str:
    return ".".join(x.value for x in p) or "(the body)"


def checked_request_ids(
    fail: Fail, raw: dict[str, Any], at: Location, by_wire: dict[str, Field], keys: tuple[str, ...]
) -> dict[str, RequestIds | None]:
    """Where the request names its orders: 'param' (a list) or 'param.field' (a list of objects)."""
    ids = {k: _request_ids(raw.get(k)) for k in keys}
    for k, rid in ids.items():
        if rid is None:
            continue
        p = by_wire.get(rid.param.value)
        if p is None:
            raise fail(
                at + (k,),
                "unknown-param",
                f"request_ids names {rid.param.value!r}, which is not a parameter of this endpoint",
            )
        items = p.type.list_items()
        if items is None and rid.field is None and p.type.holds_ids:
            ids[k] = RequestIds(rid.param, None, one=True)  # one id: the request names one order
            continue
        if items is None:
            raise fail(
                at + (k,), "not-a-list", f"request_ids.{k} must name a list parameter, or one id (a string or integer)"
            )
        if rid.field is not None and not items.has_field(rid.field.value):
            raise fail(
                at + (k,), "unknown-field", f"the items of {rid.param.value!r} have no field {rid.field.value!r}"
            )
    return ids


def build_outcomes(
    fail: Fail, raw: Any, at: Location, by_wire: dict[str, Field], response: Type, fallback_ids: dict[str, Any] | None
) -> tuple[tuple[OutcomeSource, ...], OutcomeRules | None]:
    """The sources and rules of an endpoint's outcomes (a list of sources is the older, short form)."""
    if raw is None:
        return (), None
    short = isinstance(raw, list)
    plan: dict[str, Any] = {"sources": raw} if short else raw
    sources = tuple(
        _build_source(fail, s, at + (("sources",) if not short else ()) + (i,), by_wire, response, short)
        for i, s in enumerate(plan.get("sources", []))
    )
    from_answer = bool(plan.get("from_answer", False))
    if from_answer and ("request_ids" in plan or "aggregate" in plan):
        key = "request_ids" if "request_ids" in plan else "aggregate"
        raise fail(at + (key,), "outcomes", f"from_answer: the request names no order, so it takes no {key}")
    if from_answer:
        ids: dict[str, RequestIds | None] = {"order_id": None, "client_id": None}
    elif "request_ids" in plan:
        ids = checked_request_ids(fail, plan["request_ids"], at + ("request_ids",), by_wire, ("order_id", "client_id"))
    else:
        first = next((s for s in sources if s.request_order_ids or s.request_client_ids), None)
        ids = {
            "order_id": first.request_order_ids if first else None,
            "client_id": first.request_client_ids if first else None,
        }
        if first is None and fallback_ids:
            ids.update(
                checked_request_ids(
                    fail, fallback_ids, ("simulation", "request_ids"), by_wire, ("order_id", "client_id")
                )
            )
    if ids["order_id"] is None and ids["client_id"] is None and not from_answer:
        raise fail(
            at,
            "request-ids",
            "outcomes give one outcome per order sent, so they need to know where the request names its orders: "
            "set outcomes.request_ids (or from_answer: true where the request names none)",
        )
    if from_answer and not any(s.order_id is not None or s.client_id is not None for s in sources):
        raise fail(at, "outcomes", "from_answer: every outcome is an entry the answer lists, so a source needs an id")
    aggregate = None
    if "aggregate" in plan:
        count = path(plan["aggregate"]["count"]) or ()
        if not _is_number_at(response, count):
            raise fail(
                at + ("aggregate", "count"),
                "unknown-field",
                f"count {_shown(count)} is not an integer in the response spec",
            )
        aggregate = Aggregate(count, plan["aggregate"].get("state", "cancelled"))
    if not sources and aggregate is None:
        raise fail(at, "outcomes", "outcomes need at least one source or an aggregate count")
    rules = OutcomeRules(
        request_order_ids=ids["order_id"],
        request_client_ids=ids["client_id"],
        success=plan.get("success", "cancelled"),
        duplicates=plan.get("duplicates", "unknown"),
        aggregate=aggregate,
        from_answer=from_answer,
    )
    return sources, rules


def _is_number_at(response: Type, where: tuple[Text, ...]) -> bool:
    here = response.at(where)
    return here is not None and here.json_integer


def _build_source(
    fail: Fail, raw: dict[str, Any], at: Location, by_wire: dict[str, Field], response: Type, short: bool
) -> OutcomeSource:
    """An outcome source, every path and field of which must exist in the response spec."""
    items = path(raw["items"]) or ()
    aligned = path(raw.get("aligned_with"))
    item_type = response.list_items_at(items)
    one = response.at(items) if item_type is None and aligned is None else None
    single = one is not None and one.record is not None  # one object: the answer's only entry
    if single:
        item_type = one
    lists = {"item": item_type, "aligned": None if aligned is None else response.list_items_at(aligned)}
    if item_type is None:
        raise fail(
            at + ("items",),
            "unknown-field",
            f"items {_shown(items)} is not a list (or one object) in the response spec",
        )
    if aligned is not None and lists["aligned"] is None:
        raise fail(
            at + ("aligned_with",),
            "unknown-field",
            f"aligned_with {_shown(aligned)} is not a list in the response spec",
        )
    refs = {k: _ref(raw.get(k)) for k in ("order_id", "client_id", "status", "error_code", "error_message")}
    if "success" in raw and "cancelled" in raw:
        raise fail(at, "outcomes", "say success or its older name cancelled, not both")
    success = raw.get("success", raw.get("cancelled"))
    if success is None:
        raise fail(at, "outcomes", "an outcome source needs success: true, false, {field, in} or {present}")
    present = isinstance(success, dict) and "present" in success
    when = _ref(success["present" if present else "field"]) if isinstance(success, dict) else None
    for name, ref in list(refs.items()) + [("success", when)]:
        if ref is None:
            continue
        if ref.source == "aligned" and aligned is None:
            raise fail(
                at + (name,), "aligned", f"{name} refers to aligned.{ref.name.value} but the source has no aligned_with"
            )
        owner = lists[ref.source]
        if owner is None or not _has_path(owner, ref.path):
            raise fail(
                at + (name,),
                "unknown-field",
                f"{name} reads {ref.name.value!r}, which the response spec's {ref.source}s do not have",
            )
    ids = checked_request_ids(
        fail, raw.get("request_ids", {}), at + ("request_ids",), by_wire, ("order_id", "client_id")
    )
    by_position = raw.get("by_position", short and any(v is not None for v in ids.values()))
    return OutcomeSource(
        items=items,
        aligned_with=aligned,
        order_id=refs["order_id"],
        client_id=refs["client_id"],
        status=refs["status"],
        error_code=refs["error_code"],
        error_message=refs["error_message"],
        cancelled_constant=success if isinstance(success, bool) else None,
        cancelled_when=when,
        cancelled_values=(
            tuple(Text(v) if isinstance(v, str) else v for v in success["in"])
            if isinstance(success, dict) and not present
            else ()
        ),
        not_cancelled_message=Text(raw["not_cancelled_message"]) if "not_cancelled_message" in raw else None,
        request_order_ids=ids["order_id"],
        request_client_ids=ids["client_id"],
        by_position=bool(by_position),
        cancelled_present=present,
        single=single,
    )


def critical_paths(
    sources: tuple[OutcomeSource, ...], rules: OutcomeRules | None, envelope_fields: tuple[Text, ...]
) -> tuple[Text, ...]:
    """The response fields the outcomes depend on (ids, status, codes, counts) and the envelope's,
    as validator paths with [*] for any index: parsing is strict there and tolerant elsewhere."""
    found = ["$." + f.value for f in envelope_fields]
    for s in sources:
        bases = {"item": "$" + "".join("." + p.value for p in s.items) + ("" if s.single else "[*]")}
        if s.aligned_with is not None:
            bases["aligned"] = "$" + "".join("." + p.value for p in s.aligned_with) + "[*]"
        found.extend(bases.values())
        for ref in (s.order_id, s.client_id, s.status, s.error_code, s.error_message, s.cancelled_when):
            if ref is not None:
                found.append(bases[ref.source] + "".join("." + step for step in ref.path))
    if rules is not None and rules.aggregate is not None:
        found.append("$" + "".join("." + p.value for p in rules.aggregate.count))
    return tuple(Text(p) for p in dict.fromkeys(found))
