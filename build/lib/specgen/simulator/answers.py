"""Response bodies built from the spec: the outcome sources say where each order's answer goes.

The same declarations the clients read outcomes from are read backwards here: which list holds
successes and which failures, whether a parallel list is aligned with it, which field carries the
id, status, code and message, and which value means cancelled. Only values the documents do not
state (codes of unknown orders, success messages) come from the spec's simulation sections.
"""

from __future__ import annotations

from typing import Any

from specgen.simulator.book import CANCELED, Order, Result
from specgen.spec.model import Endpoint, OutcomeSource, Ref, SimAnswer, Type, Venue
from specgen.spec.text import Text

JSON = Any


def plain(value: Any) -> JSON:
    """A model scalar (Text, int, bool) as a JSON value."""
    return value.value if isinstance(value, Text) else value


def error_body(venue: Venue, answer: SimAnswer) -> dict[str, JSON]:
    """The venue's error shape (errors.code / errors.message)."""
    return {venue.error_code.value: plain(answer.code), venue.error_message.value: answer.message.value}


def internal_error(venue: Venue) -> SimAnswer:
    """What a request the simulator fails on gets: the spec's internal_error, else code 500 in the
    JSON type of the venue's codes."""
    sim = venue.simulation
    assert sim is not None
    if sim.internal_error is not None:
        return sim.internal_error
    code = 500 if isinstance(sim.invalid_params.code, int) else Text("500")
    return SimAnswer(code, Text("internal error"), Text("the simulator's own fallback"), 500)


def success_body(venue: Venue, endpoint: Endpoint, params: dict[str, JSON], results: tuple[Result, ...]) -> JSON:
    ok_source = _success_source(endpoint)
    failed_source = next((o for o in endpoint.outcomes if o.cancelled_constant is False), ok_source)
    lists: dict[OutcomeSource, tuple[list[JSON], list[JSON]]] = {o: ([], []) for o in endpoint.outcomes}
    for result in results:
        source = ok_source if result.kind == "cancelled" else failed_source
        item, aligned = _answer(endpoint, source, result, params)
        lists[source][0].append(item)
        lists[source][1].append(aligned)
    body: JSON = _envelope(venue)
    for source, (items, aligned) in lists.items():
        body = _put(body, source.items, items)
        if source.aligned_with is not None:
            body = _put(body, source.aligned_with, aligned)
    return body


def _success_source(endpoint: Endpoint) -> OutcomeSource:
    found = next((o for o in endpoint.outcomes if o.cancelled_constant or o.cancelled_when is not None), None)
    if found is None:
        raise ValueError(f"{endpoint.file}: no outcome source can hold a cancelled order")
    return found


def _envelope(venue: Venue) -> JSON:
    env = venue.envelope
    if env is None:
        return {}
    sim = venue.simulation
    message = sim.success_message.value if sim is not None and sim.success_message is not None else ""
    return {env.code.value: plain(env.success_codes[0]), env.message.value: message}


def _put(body: JSON, path: tuple[Text, ...], value: JSON) -> JSON:
    """body with value at the dotted path (the empty path replaces the body itself)."""
    if not path:
        return value
    here = body
    for step in path[:-1]:
        here = here.setdefault(step.value, {})
    here[path[-1].value] = value
    return body


# One order's answer -----------------------------------------------------------------------------


def _answer(endpoint: Endpoint, source: OutcomeSource, result: Result, params: dict[str, JSON]) -> tuple[JSON, JSON]:
    """The item for result in source's list, and its aligned entry (when the source has one)."""
    values = _values(endpoint, source, result)
    item_type = _choose_variant(_list_items(endpoint.response, source.items), source, values)
    aligned_type = _list_items(endpoint.response, source.aligned_with) if source.aligned_with is not None else None
    item: dict[str, JSON] = {}
    aligned: dict[str, JSON] = {}
    for ref, value in values:
        if ref.source == "aligned":
            _set(aligned, aligned_type, ref.name.value, value)
        else:
            _set(item, item_type, ref.name.value, value)
    if result.order is not None:
        _fill_from_order(item, item_type, result.order, params)
    return item, aligned


def _values(endpoint: Endpoint, source: OutcomeSource, result: Result) -> list[tuple[Ref, JSON]]:
    """(where, value) for every field the outcome source reads, as this result answers it."""
    sim = endpoint.simulation
    assert sim is not None
    order, target = result.order, result.target
    cancelled = result.kind == "cancelled"
    as_status = result.kind == "terminal" and sim.terminal_orders == "status"
    error = None if cancelled or as_status else sim.unknown_order
    status = None
    if cancelled:
        status = _cancelled_value(source, source.status) or CANCELED
    elif as_status and order is not None:
        status = order.status
    code_message = error if error is not None else (sim.accepted if cancelled else None)
    pairs: list[tuple[Ref | None, JSON]] = [
        (source.order_id, order.order_id if order else target.order_id),
        (source.client_id, order.client_id if order else target.client_id),
        (source.status, status),
        (source.error_code, plain(code_message.code) if code_message else None),
        (source.error_message, code_message.message.value if code_message else None),
    ]
    if cancelled and source.cancelled_when is not None:
        pairs.append((source.cancelled_when, plain(source.cancelled_values[0])))
    return [(ref, value) for ref, value in pairs if ref is not None and value is not None]


def _cancelled_value(source: OutcomeSource, ref: Ref | None) -> JSON:
    """The value that means cancelled, when ref is the field the source decides it by."""
    if ref is not None and source.cancelled_when == ref and source.cancelled_values:
        return plain(source.cancelled_values[0])
    return None


def _list_items(root: Type, path: tuple[Text, ...]) -> Type:
    items = root.list_items_at(path)
    if items is None:  # the model checks every outcome path, so this means a bug here
        raise ValueError("an outcome source does not name a list")
    return items


def _choose_variant(type_: Type, source: OutcomeSource, values: list[tuple[Ref, JSON]]) -> Type:
    """For a one_of item: the error variant (keyed by the error code field) when the answer is an error."""
    if type_.kind != "one_of":
        return type_
    has_error = any(ref == source.error_code for ref, _ in values) and source.error_code is not None
    if has_error:
        for variant in type_.variants:
            if (
                variant.when_has is not None
                and source.error_code is not None
                and variant.when_has == source.error_code.name
            ):
                return variant.type
    return type_.variants[-1].type


def _set(target: dict[str, JSON], type_: Type | None, name: str, value: JSON) -> None:
    """target[name] = value in the field's wire type; skipped when the object has no such field."""
    field = type_.field_named(name) if type_ is not None else None
    if field is None:
        return
    converted = _as_kind(value, field.type.kind)
    if converted is not None:
        target[name] = converted


def _as_kind(value: JSON, kind: str) -> JSON:
    if kind == "int64":
        text = str(value)
        return int(text) if text.lstrip("-").isdigit() else None  # a non-numeric id cannot be sent as int64
    if kind in ("string", "decimal"):
        return str(value)
    return value


def _fill_from_order(item: dict[str, JSON], type_: Type, order: Order, params: dict[str, JSON]) -> None:
    """Order details the item has a field for (symbol, side, price...), and scalar request params (Bybit's category)."""
    details = {
        "symbol": order.symbol,
        "side": order.side,
        "type": order.type,
        "origType": order.type,
        "price": order.price,
        "origQty": order.quantity,
        "executedQty": "0",
    }
    for field in type_.fields:
        name = field.wire.value
        if name in item:
            continue
        if name in details:
            _set(item, type_, name, details[name])
        elif isinstance(params.get(name), (str, int)) and not isinstance(params.get(name), bool):
            _set(item, type_, name, params[name])
