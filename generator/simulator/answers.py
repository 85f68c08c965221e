"""Response bodies built from the spec: the outcome sources say where each order's answer goes.

The same declarations the clients read outcomes from are read backwards here: which list holds
successes and which failures, whether a parallel list is aligned with it, which field carries the
id, status, code and message, and which value means cancelled. Everything else comes from the
spec's simulation section: codes of unknown orders, status words, the fields of an answered
order (answer_fields), body fields such as counts (body_fields), envelope codes of a partial or
total failure. No venue, field name or word is written here; `specgen validate` has already
refused a section that could not answer (spec/simulation.py).
"""

from __future__ import annotations

from typing import Any

from specgen.simulator.book import CANCELED, Order, Result
from specgen.spec.envelope import Envelope
from specgen.spec.kinds.types.one_of import OneOf
from specgen.spec.model import AnswerField, Endpoint, EndpointSimulation, Scalar, SimAnswer, Type, Venue
from specgen.spec.outcomes import OutcomeSource, Ref
from specgen.spec.text import Text

JSON = Any


def plain(value: Any) -> JSON:
    """A model scalar (Text, int, bool) as a JSON value."""
    return value.value if isinstance(value, Text) else value


def error_body(venue: Venue, answer: SimAnswer) -> dict[str, JSON]:
    """The venue's error shape (errors.code / errors.message), with the envelope's success flag
    false where the venue has one (a client reads a body without it as no envelope at all)."""
    body: dict[str, JSON] = {
        venue.error_code.value: plain(answer.code),
        venue.error_message.value: answer.message.value,
    }
    env = venue.envelope
    if env is not None and env.success_flag is not None:
        body[env.success_flag.value] = False
    return body


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
    sim = endpoint.simulation
    assert sim is not None
    ok_source = _success_source(endpoint)
    # A source whose every entry means success has no place for a failure (the envelope tells of it).
    can_fail = ok_source if ok_source is not None and ok_source.cancelled_constant is not True else None
    failed_source = next((o for o in endpoint.outcomes if o.cancelled_constant is False), can_fail)
    lists: dict[OutcomeSource, tuple[list[JSON], list[JSON]]] = {o: ([], []) for o in endpoint.outcomes}
    for result in results:
        source = ok_source if result.kind == "cancelled" else failed_source
        if source is None:
            continue  # the response has nowhere to put this order: only counts (body_fields) tell of it
        item, aligned = _answer(endpoint, sim, source, result, params)
        lists[source][0].append(item)
        lists[source][1].append(aligned)
    body: JSON = _envelope(venue, sim, results)
    for source, (items, aligned) in lists.items():
        if source.single:  # one object answers the one order a request names, when it was cancelled
            if items:
                body = _put(body, source.items, items[0])
            continue
        body = _put(body, source.items, items)
        if source.aligned_with is not None:
            body = _put(body, source.aligned_with, aligned)
    counts = _counts(results)
    rules = endpoint.outcome_rules
    if rules is not None and rules.aggregate is not None:  # the venue answers with a count alone
        count = _as_type(counts["cancelled"], endpoint.response.at(rules.aggregate.count))
        body = _put(body, rules.aggregate.count, count)
    for field in sim.body_fields:
        value = _value(field, None, params, counts, sim)
        if value is not None:
            body = _put(body, tuple(Text(p) for p in field.name.value.split(".")), value)
    return body


def cancel_all_body(venue: Venue, endpoint: Endpoint, params: dict[str, JSON], cancelled: tuple[Order, ...]) -> JSON:
    """The answer to a cancel-all: the envelope's success, the cancelled ids where the section puts
    them (a list, or lists by instrument) and the body fields."""
    sim = endpoint.simulation
    assert sim is not None and sim.cancel_all is not None
    every = sim.cancel_all
    body: JSON = _envelope(venue, sim, ())
    if every.ids is not None:
        items = _list_items(endpoint.response, every.ids)
        body = _put(body, every.ids, [_as_type(o.order_id, items) for o in cancelled])
    if every.ids_by_instrument is not None:
        lists = endpoint.response.at(every.ids_by_instrument)
        ids = lists.map_values() if lists is not None else None
        id_type = ids.list_items() if ids is not None else None
        by_instrument: dict[str, list[JSON]] = {}
        for order in cancelled:
            by_instrument.setdefault(order.instrument, []).append(_as_type(order.order_id, id_type))
        body = _put(body, every.ids_by_instrument, by_instrument)
    n = len(cancelled)
    counts = {"requested": n, "cancelled": n, "failed": 0}
    for field in sim.body_fields:
        value = _value(field, None, params, counts, sim)
        if value is not None:
            body = _put(body, tuple(Text(p) for p in field.name.value.split(".")), value)
    return body


def _success_source(endpoint: Endpoint) -> OutcomeSource | None:
    """The outcome source that holds cancelled orders; None when the response has none."""
    return next((o for o in endpoint.outcomes if o.cancelled_constant or o.cancelled_when is not None), None)


def _counts(results: tuple[Result, ...]) -> dict[str, int]:
    cancelled = sum(1 for r in results if r.kind == "cancelled")
    return {"requested": len(results), "cancelled": cancelled, "failed": len(results) - cancelled}


def _envelope(venue: Venue, sim: EndpointSimulation, results: tuple[Result, ...]) -> JSON:
    """The envelope's code and message: success, or the section's partial / failed answer."""
    env = venue.envelope
    if env is None:
        return {}
    failures = sum(1 for r in results if r.kind != "cancelled")
    code, answer = _failure_answer(env, sim, failures, len(results))
    vsim = venue.simulation
    message = vsim.success_message.value if vsim is not None and vsim.success_message is not None else ""
    body: dict[str, JSON] = {}
    if env.code is not None:
        body[env.code.value] = plain(code)
    if env.message is not None:
        body[env.message.value] = answer.message.value if answer is not None else message
    if env.success_flag is not None:
        body[env.success_flag.value] = True
    if env.error_list is not None:
        body[env.error_list.value] = []
    return body


def _failure_answer(
    env: Envelope, sim: EndpointSimulation, failures: int, total: int
) -> tuple[Scalar, SimAnswer | None]:
    """The envelope code (and the section's answer, for its message) of a batch with failures:
    the section's partial / failed answer, else the envelope's first partial / failure code."""
    if failures and failures == total:
        if sim.failed is not None:
            return sim.failed.code, sim.failed
        if env.failure_codes:
            return env.failure_codes[0], None
    if failures:
        if sim.partial is not None:
            return sim.partial.code, sim.partial
        if env.partial_codes:
            return env.partial_codes[0], None
    return env.success_codes[0] if env.success_codes else 0, None


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


def _answer(
    endpoint: Endpoint, sim: EndpointSimulation, source: OutcomeSource, result: Result, params: dict[str, JSON]
) -> tuple[JSON, JSON]:
    """The item for result in source's list, and its aligned entry (when the source has one)."""
    values = _values(sim, source, result)
    one = endpoint.response.at(source.items) if source.single else None  # the answer's only entry
    item_type = _choose_variant(one or _list_items(endpoint.response, source.items), source, values)
    aligned_type = _list_items(endpoint.response, source.aligned_with) if source.aligned_with is not None else None
    whole = next((v for ref, v in values if ref.source == "item" and not ref.path), None)
    if whole is not None:  # the entry is the id itself (a list of ids)
        return _as_type(whole, item_type), None
    item: dict[str, JSON] = {}
    aligned: dict[str, JSON] = {}
    for ref, value in values:
        if ref.source == "aligned":
            _set(aligned, aligned_type, ref.name.value, value)
        else:
            _set(item, item_type, ref.name.value, value)
    for field in sim.answer_fields:
        name = field.name.value
        if name not in item:
            _set(item, item_type, name, _value(field, result.order, params, None, sim))
    return item, aligned


def _values(sim: EndpointSimulation, source: OutcomeSource, result: Result) -> list[tuple[Ref, JSON]]:
    """(where, value) for every field the outcome source reads, as this result answers it."""
    order, target = result.order, result.target
    cancelled = result.kind == "cancelled"
    as_status = result.kind == "terminal" and sim.terminal_orders == "status"
    error = None if cancelled or as_status else sim.unknown_order
    status = None
    if cancelled:
        status = _cancelled_value(source, source.status) or plain(sim.status_word(CANCELED))
    elif as_status and order is not None:
        status = plain(sim.status_word(order.status))
    code_message = error if error is not None else (sim.accepted if cancelled else None)
    pairs: list[tuple[Ref | None, JSON]] = [
        (source.order_id, order.order_id if order else target.order_id),
        (source.client_id, order.client_id if order else target.client_id),
        (source.status, status),
        (source.error_code, plain(code_message.code) if code_message else None),
        (source.error_message, code_message.message.value if code_message else None),
    ]
    if cancelled and source.cancelled_when is not None and source.cancelled_values:
        pairs.append((source.cancelled_when, plain(source.cancelled_values[0])))
    found = [(ref, value) for ref, value in pairs if ref is not None and value is not None]
    if source.cancelled_present and source.cancelled_when is not None:
        present = source.cancelled_when
        under = [r for r, _ in found if r.source == present.source and r.path[: len(present.path)] == present.path]
        if not cancelled:  # success is that field being there: a failed entry has nothing under it
            found = [(r, v) for r, v in found if r not in under]
        elif not under:
            found.append((present, {}))
    return found


def _value(
    field: AnswerField,
    order: Order | None,
    params: dict[str, JSON],
    counts: dict[str, int] | None,
    sim: EndpointSimulation,
) -> JSON:
    """An answer_fields / body_fields value: None when this answer has none (no order, say)."""
    key = field.key.value if field.key is not None else ""
    if field.source == "value":
        return plain(field.value)
    if field.source == "order":
        value = getattr(order, key) if order is not None else None
        if key == "status" and order is not None:
            return plain(sim.status_word(order.status))  # the model made sure every state has a word
    elif field.source == "request":
        value = params.get(key)
        if isinstance(value, (bool, list, dict)):
            return None
    else:
        value = counts.get(key) if counts is not None else None
    for word, translated in field.words:
        if value == word.value:
            return plain(translated)
    return value


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
    if not isinstance(type_, OneOf):
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
    """target[name] = value in the field's wire type (a dotted name goes into nested objects);
    skipped when the object has no such field."""
    *outer, name = name.split(".")
    for step in outer:
        holder = type_.field_named(step) if type_ is not None else None
        if holder is None or value is None:
            return
        target = target.setdefault(step, {})
        type_ = holder.type
    field = type_.field_named(name) if type_ is not None else None
    if field is None or value is None:
        return
    converted = _as_type(value, field.type)
    if converted is not None:
        target[name] = converted


def _as_type(value: JSON, type_: Type | None) -> JSON:
    """A value (an id from the book, a count, a request value) as the field's scalar type has it on
    the wire: read from its text as the type reads a query value, None when it is no value of the
    type; kept as it is for a structured type, a boolean, or no type known."""
    if type_ is None or not type_.scalar or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return value
    try:
        return type_.from_text(str(value))
    except ValueError:
        return None
