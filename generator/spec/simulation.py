"""Model checks of an endpoint's simulation section: can the simulator answer every request?

The simulator (specgen serve) writes answers from the response spec, the outcome sources and the
simulation section alone. Whatever it would need and not find is refused here, at
`specgen validate`, with the line of the section, instead of surfacing as a broken answer at
request time: a required response field nothing fills, a status word it would have to invent, an
instrument or answer field naming nothing, envelope codes without an envelope.
"""

from __future__ import annotations

from collections.abc import Callable

from specgen.errors import SpecError
from specgen.spec.kinds import Object
from specgen.spec.kinds.types.enum import Enum
from specgen.spec.kinds.types.one_of import OneOf
from specgen.spec.loader import Document, Location
from specgen.spec.model import (
    COUNTS,
    ORDER_ATTRIBUTES,
    Endpoint,
    EndpointSimulation,
    Type,
    Venue,
)
from specgen.spec.outcomes import OutcomeSource
from specgen.spec.text import Text

AT: Location = ("simulation",)
Fail = Callable[[Location, str], SpecError]


def check_simulation(doc: Document, venue: Venue, endpoint: Endpoint) -> None:
    """Raise SpecError (rule `simulation`) when the section cannot answer a request of this endpoint."""
    sim = endpoint.simulation
    if sim is None:
        return

    def fail(at: Location, message: str) -> SpecError:
        return SpecError(doc.path, doc.line_of(AT + at) or doc.line_of(AT), "simulation", message)

    _check_cancel_all(endpoint, sim, fail)
    _check_instrument(endpoint, sim, fail)
    _check_precedence(sim, fail)
    _check_values(endpoint, sim, fail)
    _check_statuses(endpoint, sim, fail)
    if (sim.partial or sim.failed) and (venue.envelope is None or venue.envelope.code is None):
        raise fail(("envelope",), "envelope codes need the venue's envelope code field (venue.yaml has none)")
    _check_required(venue, endpoint, sim, fail)


def _check_cancel_all(endpoint: Endpoint, sim: EndpointSimulation, fail: Fail) -> None:
    """The cancelled ids go into a list of ids, or a map from instrument to such lists."""
    every = sim.cancel_all
    if every is None:
        return
    for key, path, in_map in (("ids", every.ids, False), ("ids_by_instrument", every.ids_by_instrument, True)):
        if path is None:
            continue
        found = endpoint.response.at(path)
        if in_map:
            found = found.map_values() if found is not None else None
        ids = found.list_items() if found is not None else None
        if ids is None or not ids.holds_ids:
            what = "a map from instrument to lists of ids" if in_map else "a list of ids (strings or integers)"
            raise fail(("cancel_all", key), f"{_shown(path)} is not {what} in the response")


def _check_instrument(endpoint: Endpoint, sim: EndpointSimulation, fail: Fail) -> None:
    if sim.instrument is None:
        return
    name = sim.instrument.value
    param = endpoint.param(name)
    in_items = any(
        ids is not None and ids.field is not None and _item_type(endpoint, ids.param.value).has_field(name)
        for ids in (sim.request_order_ids, sim.request_client_ids)
    )
    if (param is None or not param.type.scalar) and not in_items:
        raise fail(
            ("instrument",),
            f"instrument {name!r} is neither a scalar parameter nor a field of the items that name the orders",
        )


def _item_type(endpoint: Endpoint, param: str) -> Type:
    found = endpoint.param(param)
    items = found.type.list_items() if found is not None else None
    return items if items is not None else Object()


def _check_precedence(sim: EndpointSimulation, fail: Fail) -> None:
    ids = sim.request_order_ids, sim.request_client_ids
    one_item = ids[0] is not None and ids[1] is not None and ids[0].param == ids[1].param and ids[0].field is not None
    if one_item and sim.id_precedence is None:
        raise fail(
            (),
            "one request item can name an order by both ids, so say which wins: set simulation.id_precedence"
            " (use: order_id, client_id or both)",
        )


def _check_values(endpoint: Endpoint, sim: EndpointSimulation, fail: Fail) -> None:
    for section, values in (("answer_fields", sim.answer_fields), ("body_fields", sim.body_fields)):
        for value in values:
            at: Location = (section, value.name.value)
            if value.source == "order" and section == "body_fields":
                raise fail(at, "a body field cannot come from one order; use count.*, request.* or a value")
            if value.source == "order" and value.key is not None and value.key.value not in ORDER_ATTRIBUTES:
                raise fail(at, f"orders have no attribute {value.key.value!r}")
            if value.source == "count" and value.key is not None and value.key.value not in COUNTS:
                raise fail(at, f"no count {value.key.value!r} (known: {', '.join(COUNTS)})")
            if value.source == "request" and value.key is not None:
                param = endpoint.param(value.key.value)
                if param is None or not param.type.scalar:
                    raise fail(at, f"request.{value.key.value} is not a scalar parameter of this endpoint")
    for value in sim.answer_fields:
        if not any(_list_item(endpoint, o.items).has_field(value.name.value) for o in endpoint.outcomes):
            raise fail(
                ("answer_fields", value.name.value),
                f"no outcome source's items have a field {value.name.value!r}",
            )
    for value in sim.body_fields:
        if endpoint.response.at(tuple(Text(p) for p in value.name.value.split("."))) is None:
            raise fail(("body_fields", value.name.value), f"the response has no field {value.name.value}")


def _check_statuses(endpoint: Endpoint, sim: EndpointSimulation, fail: Fail) -> None:
    """Every status the simulator writes must have a word, and an enum status field must know it."""
    needed: set[str] = set()
    if sim.terminal_orders == "status":
        needed |= {"cancelled", "filled", "expired"}
    for source in endpoint.outcomes:
        if source.status is not None and source.cancelled_when != source.status:
            needed.add("cancelled")
    if any(v.source == "order" and v.key is not None and v.key.value == "status" for v in sim.answer_fields):
        needed |= {"open", "partially_filled", "cancelled", "filled", "expired"}
    missing = sorted(s for s in needed if sim.status_word(s) is None)
    if missing:
        raise fail(
            ("statuses",),
            f"answers carry a status, but simulation.statuses has no word for: {', '.join(missing)}",
        )
    for source in endpoint.outcomes:
        if source.status is None:
            continue
        field = _list_item(endpoint, source.items, source.status.source == "aligned", source)
        typed = _variant_field(field, source.status.name.value)
        if isinstance(typed, Enum):
            allowed = [v.value if isinstance(v, Text) else v for v in typed.values]
            for state, word in sim.statuses:
                shown = word.value if isinstance(word, Text) else word
                if shown not in allowed:
                    raise fail(
                        ("statuses", state),
                        f"{shown!r} is not a value of the status field {source.status.name.value!r}",
                    )


def _variant_field(type_: Type, name: str) -> Type | None:
    types = [v.type for v in type_.variants] if isinstance(type_, OneOf) else [type_]
    found = [t.field_named(name) for t in types]
    return next((f.type for f in found if f is not None), None)


def _list_item(
    endpoint: Endpoint, path: tuple[Text, ...], aligned: bool = False, source: OutcomeSource | None = None
) -> Type:
    if aligned and source is not None and source.aligned_with is not None:
        path = source.aligned_with
    found = endpoint.response.list_items_at(path)
    if found is None:  # one object (a source whose items name the answer's only entry)
        found = endpoint.response.at(path)
    return found if found is not None else Object()


# Required fields ------------------------------------------------------------------------------------


def _check_required(venue: Venue, endpoint: Endpoint, sim: EndpointSimulation, fail: Fail) -> None:
    """A required response field the simulator never writes would make every answer invalid."""
    written: set[tuple[str, ...]] = set()
    env = venue.envelope
    if env is not None:
        fields = (env.code, env.message, env.success_flag, env.error_list)
        written |= {(f.value,) for f in fields if f is not None}
    rules = endpoint.outcome_rules
    if rules is not None and rules.aggregate is not None:
        written.add(tuple(p.value for p in rules.aggregate.count))
    for source in endpoint.outcomes:
        written.add(tuple(p.value for p in source.items))
        if source.aligned_with is not None:
            written.add(tuple(p.value for p in source.aligned_with))
    written |= {tuple(v.name.value.split(".")) for v in sim.body_fields}
    if sim.cancel_all is not None:
        written |= {
            tuple(p.value for p in path) for path in (sim.cancel_all.ids, sim.cancel_all.ids_by_instrument) if path
        }
    prefixes = {path[:i] for path in written for i in range(len(path) + 1)}
    _walk(endpoint.response, (), prefixes, fail)
    for source in endpoint.outcomes:
        _check_items(endpoint, sim, source, fail)


def _walk(type_: Type, path: tuple[str, ...], prefixes: set[tuple[str, ...]], fail: Fail) -> None:
    if not isinstance(type_, Object) or path not in prefixes:
        return
    for field in type_.fields:
        here = path + (field.wire.value,)
        if field.required and here not in prefixes:
            raise fail(
                (),
                f"the response field {'.'.join(here)} is required, but the simulator writes nothing there:"
                " add it to simulation.body_fields",
            )
        _walk(field.type, here, prefixes, fail)


def _check_items(endpoint: Endpoint, sim: EndpointSimulation, source: OutcomeSource, fail: Fail) -> None:
    """The required fields of each item kind the source holds: a cancelled order's, a failed one's."""
    answered = {v.name.value for v in sim.answer_fields}
    refs = {
        "item": {r.value for r in _refs(source, "item")},
        "aligned": {r.value for r in _refs(source, "aligned")},
    }
    error_fields = {r.path[0] for r in (source.error_code, source.error_message) if r is not None and r.path}
    item_type = _list_item(endpoint, source.items)
    kinds = []
    if source.cancelled_constant is not False:
        kinds.append(("cancelled", False))
    if source.cancelled_constant is not True:
        kinds.append(("failed", True))
    for kind, is_error in kinds:
        variant = _variant(item_type, source, is_error)
        writes = refs["item"] | answered
        if not is_error and sim.accepted is None:
            writes -= error_fields  # no per-order code for a cancelled order
        _require(variant, writes, f"a {kind} order's item in {_shown(source.items)}", fail)
        if source.aligned_with is not None:
            aligned = _list_item(endpoint, source.aligned_with)
            writes = refs["aligned"] - (error_fields if not is_error and sim.accepted is None else set())
            hint = " (set simulation.accepted)" if not is_error else ""
            _require(aligned, writes, f"a {kind} order's entry in {_shown(source.aligned_with)}{hint}", fail)


def _refs(source: OutcomeSource, where: str) -> list[Text]:
    refs = (
        source.order_id,
        source.client_id,
        source.status,
        source.error_code,
        source.error_message,
        source.cancelled_when,
    )
    # A nested ref writes its outer field; an empty one (the entry is the id) writes none.
    return [Text(r.path[0]) for r in refs if r is not None and r.source == where and r.path]


def _variant(type_: Type, source: OutcomeSource, is_error: bool) -> Type:
    """The one_of variant the simulator picks, as answers.py does: keyed by the error code field, else the last."""
    if not isinstance(type_, OneOf):
        return type_
    if is_error and source.error_code is not None:
        for variant in type_.variants:
            if variant.when_has == source.error_code.name:
                return variant.type
    return type_.variants[-1].type


def _require(type_: Type, writes: set[str], what: str, fail: Fail) -> None:
    if not isinstance(type_, Object):
        return  # a scalar item has no fields to write
    missing = [f.wire.value for f in type_.fields if f.required and f.wire.value not in writes]
    if missing:
        raise fail(
            (),
            f"{what} requires {', '.join(missing)}, which the simulator does not write:"
            " add them to simulation.answer_fields",
        )


def _shown(path: tuple[Text, ...]) -> str:
    return ".".join(p.value for p in path) or "(the body)"


__all__ = ["check_simulation"]
