"""Per-order outcomes from a venue's answer: exactly one per order sent, in request order.

Each venue package describes, per endpoint, where its responses name orders (a Plan, data in
its endpoints/<operation>.py); this module reads any response by such a plan. Part of specgen's runtime,
copied verbatim into every generated package (and into the shared specgen_runtime package);
do not edit. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import zip_longest

from ._wire import JSON, Record, Violation, in_enum, init_field
from .outcome import OrderOutcome, OutcomeState

__all__ = [
    "Accounting",
    "Contradiction",
    "Plan",
    "Source",
    "account",
    "refused",
    "tolerate",
    "unanswered",
    "unreadable",
]


class Contradiction(ValueError):
    """The response contradicts the request: more entries than orders sent, or ids never sent."""


class Accounting(Record):
    """One outcome per order sent, and what the reading of the response found worth saying."""

    __slots__ = ("outcomes", "warnings")
    outcomes: tuple[OrderOutcome, ...]
    warnings: tuple[str, ...]

    def __init__(self, outcomes: tuple[OrderOutcome, ...], warnings: tuple[str, ...] = ()) -> None:
        init_field(self, "outcomes", outcomes)
        init_field(self, "warnings", warnings)


Ref = tuple[str, str]  # ("item" | "aligned", field name or dotted path into a nested object)
Ids = tuple[str, str | None]  # (parameter, field of its items or None)


class Source(Record):
    """A list of entries in the response, each answering one order (see the spec's outcomes)."""

    __slots__ = (
        "items",
        "aligned",
        "order_id",
        "client_id",
        "status",
        "error_code",
        "error_message",
        "success",
        "success_field",
        "success_values",
        "failure_message",
        "by_position",
        "success_present",
    )
    items: tuple[str, ...]
    aligned: tuple[str, ...] | None
    order_id: Ref | None
    client_id: Ref | None
    status: Ref | None
    error_code: Ref | None
    error_message: Ref | None
    success: bool | None
    success_field: Ref | None
    success_values: tuple[JSON, ...]
    failure_message: str | None
    by_position: bool
    success_present: bool  # success is success_field being there and not null

    def __init__(
        self,
        *,
        items: tuple[str, ...],
        aligned: tuple[str, ...] | None = None,
        order_id: Ref | None = None,
        client_id: Ref | None = None,
        status: Ref | None = None,
        error_code: Ref | None = None,
        error_message: Ref | None = None,
        success: bool | None = None,
        success_field: Ref | None = None,
        success_values: tuple[JSON, ...] = (),
        failure_message: str | None = None,
        by_position: bool = False,
        success_present: bool = False,
    ) -> None:
        init_field(self, "items", items)
        init_field(self, "aligned", aligned)
        init_field(self, "order_id", order_id)
        init_field(self, "client_id", client_id)
        init_field(self, "status", status)
        init_field(self, "error_code", error_code)
        init_field(self, "error_message", error_message)
        init_field(self, "success", success)
        init_field(self, "success_field", success_field)
        init_field(self, "success_values", success_values)
        init_field(self, "failure_message", failure_message)
        init_field(self, "by_position", by_position)
        init_field(self, "success_present", success_present)


class Plan(Record):
    """Where one endpoint's request names its orders and its response answers them."""

    __slots__ = ("order_ids", "client_ids", "success", "duplicates", "sources", "aggregate")
    order_ids: Ids | None
    client_ids: Ids | None
    success: OutcomeState
    duplicates: str  # unknown | first | last | failed | success
    sources: tuple[Source, ...]
    aggregate: tuple[tuple[str, ...], OutcomeState] | None

    def __init__(
        self,
        *,
        success: OutcomeState,
        sources: tuple[Source, ...],
        order_ids: Ids | None = None,
        client_ids: Ids | None = None,
        duplicates: str = "unknown",
        aggregate: tuple[tuple[str, ...], OutcomeState] | None = None,
    ) -> None:
        init_field(self, "order_ids", order_ids)
        init_field(self, "client_ids", client_ids)
        init_field(self, "success", success)
        init_field(self, "duplicates", duplicates)
        init_field(self, "sources", sources)
        init_field(self, "aggregate", aggregate)


class _Report:
    """What one entry of the response says of one order."""

    __slots__ = ("order_id", "client_id", "state", "status", "error_code", "error_message")

    def __init__(
        self,
        order_id: str | None,
        client_id: str | None,
        state: OutcomeState,
        status: str | None,
        error_code: str | None,
        error_message: str | None,
    ) -> None:
        self.order_id = order_id
        self.client_id = client_id
        self.state = state
        self.status = status
        self.error_code = error_code
        self.error_message = error_message

    def describe(self) -> str:
        if self.state is OutcomeState.FAILED:
            code = self.error_code or "no code"
            return f"failed ({code}: {self.error_message or 'no message'})"
        if self.status:
            return f"{self.state.value} (status {self.status})"
        return f"{self.state.value}"


def value_at(body: JSON, path: tuple[str, ...]) -> JSON:
    """The value at a dotted path, or None where the body has none (an error envelope, say)."""
    value = body
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def text(value: JSON) -> str | None:
    """Ids, codes and messages as text; '' and null mean absent, a list of texts is joined."""
    if type(value) is str:  # the usual case
        return value or None
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value if v is not None and v != "")
    if value is None or value == "":
        return None
    return str(value)


def sent_ids(params: Mapping[str, JSON], ids: Ids | None) -> list[str | None]:
    """The ids a request sent, by position: a list of ids, a list of objects, or one id.

    One id is the whole of a request that names one order (an id in its path, say).
    """
    sent = params.get(ids[0]) if ids is not None else None
    if isinstance(sent, (str, int)) and not isinstance(sent, bool):
        return [text(sent)]
    if ids is None or not isinstance(sent, list):
        return []
    key = ids[1]
    if key is None:
        return [text(v) for v in sent]
    return [text(v.get(key) if isinstance(v, dict) else None) for v in sent]


Getter = Callable[[JSON, JSON], JSON]  # (entry, its aligned entry) -> a field's value or None


def _absent(item: JSON, side: JSON) -> JSON:
    return None


def _getter(ref: Ref | None) -> Getter:
    """How one field a Ref names is read from an entry and its aligned entry."""
    if ref is None:
        return _absent
    aligned = ref[0] == "aligned"
    if not ref[1]:  # the entry itself: a list of ids
        return (lambda item, side: side) if aligned else (lambda item, side: item)
    if "." in ref[1]:  # a dotted path into a nested object
        path = tuple(ref[1].split("."))
        return lambda item, side: value_at(side if aligned else item, path)
    name = ref[1]  # a field of the entry itself, as most are
    if aligned:
        return lambda item, side: side.get(name) if isinstance(side, dict) else None
    return lambda item, side: item.get(name) if isinstance(item, dict) else None


# Each source's getters (order id, client id, status, error code, error message, success field),
# worked out on its first response: a source is a module constant, read for every answer (the
# entry keeps its source alive, so an id is never reused for another).
_GETTERS: dict[int, tuple[Source, tuple[Getter, ...]]] = {}


def _getters(source: Source) -> tuple[Getter, ...]:
    found = _GETTERS.get(id(source))
    if found is None or found[0] is not source:
        ids = (source.order_id, source.client_id)
        refs = ids + (source.status, source.error_code, source.error_message, source.success_field)
        found = _GETTERS[id(source)] = (source, tuple(_getter(ref) for ref in refs))
    return found[1]


def _reports(source: Source, body: JSON, success: OutcomeState) -> list[_Report]:
    items = value_at(body, source.items)
    # A list of entries, or the one object of an answer about one order.
    entries = items if isinstance(items, list) else [items] if isinstance(items, dict) else []
    sides: list[JSON] = []
    if source.aligned is not None:
        aligned = value_at(body, source.aligned)
        sides = aligned if isinstance(aligned, list) else []
        if len(sides) != len(entries):
            where = ".".join(source.items), ".".join(source.aligned)
            raise Contradiction(
                f"{where[0]} has {len(entries)} entries but {where[1]} has {len(sides)}"
            )
    order_id, client_id, status_of, code_of, message_of, success_of = _getters(source)
    fixed, present, values = source.success, source.success_present, source.success_values
    failed = OutcomeState.FAILED
    out: list[_Report] = []
    for i, item in enumerate(entries):
        side = sides[i] if i < len(sides) else None
        if fixed is not None:
            ok = fixed
        elif present:
            ok = success_of(item, side) is not None
        else:
            ok = in_enum(success_of(item, side), values)
        status = text(status_of(item, side))
        code = message = None
        if not ok:
            code = text(code_of(item, side))
            message = text(message_of(item, side))
            if message is None and source.failure_message is not None:
                message = source.failure_message.replace("{status}", status or "unknown")
        oid, cid = text(order_id(item, side)), text(client_id(item, side))
        out.append(_Report(oid, cid, success if ok else failed, status, code, message))
    return out


def _where(source: Source) -> str:
    return ".".join(source.items) or "the body"


def _orders(n: int) -> str:
    return "1 order" if n == 1 else f"{n} orders"


def _entries(n: int) -> str:
    return "1 entry" if n == 1 else f"{n} entries"


def _choose(reports: list[_Report], policy: str) -> _Report | None:
    """The report that wins when the venue reported one order more than once (None: unknown)."""
    if policy == "first":
        return reports[0]
    if policy == "last":
        return reports[-1]
    wanted = [r for r in reports if (r.state is OutcomeState.FAILED) == (policy == "failed")]
    return wanted[0] if policy in ("failed", "success") and wanted else None


def _sent(plan: Plan, params: Mapping[str, JSON]) -> list[tuple[str | None, str | None]]:
    """(order id, client id) of each order the request sent, in request order."""
    return list(zip_longest(sent_ids(params, plan.order_ids), sent_ids(params, plan.client_ids)))


def refused(
    plan: Plan, params: Mapping[str, JSON], code: str, message: str, http_status: int
) -> tuple[OrderOutcome, ...]:
    """The outcomes of a request the venue answered with an error.

    Every order failed with the error's code, or is unknown after an HTTP 5xx (the venue may
    have acted before failing).
    """
    sent = _sent(plan, params)
    if http_status >= 500:
        why = (
            f"the venue answered HTTP {http_status} ({code}: {message});"
            " it may have acted on the order"
        )
        return tuple(OrderOutcome(oid, cid, OutcomeState.UNKNOWN, reason=why) for oid, cid in sent)
    return tuple(
        OrderOutcome(
            oid,
            cid,
            OutcomeState.FAILED,
            error_code=code or None,
            error_message=message or None,
        )
        for oid, cid in sent
    )


def unanswered(plan: Plan, params: Mapping[str, JSON], why: str) -> tuple[OrderOutcome, ...]:
    """The outcomes of a request whose answer never came: every order unknown.

    A timeout or a reset leaves the venue free to have acted on the request.
    """
    reason = f"no answer came, so the venue may have acted: {why}"
    return tuple(
        OrderOutcome(oid, cid, OutcomeState.UNKNOWN, reason=reason)
        for oid, cid in _sent(plan, params)
    )


def unreadable(plan: Plan, params: Mapping[str, JSON], why: str) -> tuple[OrderOutcome, ...]:
    """The outcomes of a response that could not be read: every order unknown, saying why."""
    reason = f"the response could not be read: {why}"
    return tuple(
        OrderOutcome(oid, cid, OutcomeState.UNKNOWN, reason=reason)
        for oid, cid in _sent(plan, params)
    )


def account(
    plan: Plan,
    body: JSON,
    params: Mapping[str, JSON],
    failed: tuple[str, str] | None = None,
) -> Accounting:
    """Exactly one outcome per order sent, in request order; raises Contradiction.

    failed is the envelope's code and message when it says every order failed: an order the
    body does not name then failed with them, rather than being unknown.
    """
    if plan.order_ids is None and plan.client_ids is None:
        return _listed(plan, body)
    sent = _sent(plan, params)
    count = len(sent)
    by_order: dict[str, int] = {}  # each id's first position
    by_client: dict[str, int] = {}
    for i, (oid, cid) in enumerate(sent):
        if oid is not None:
            by_order.setdefault(oid, i)
        if cid is not None:
            by_client.setdefault(cid, i)
    found: list[list[_Report]] = [[] for _ in sent]
    stray: list[_Report] = []
    for source in plan.sources:
        reports = _reports(source, body, plan.success)
        if source.by_position and len(reports) > count:
            raise Contradiction(
                f"{_where(source)} has {_entries(len(reports))} for {_orders(count)} sent"
            )
        positional = source.by_position and len(reports) == count
        for i, report in enumerate(reports):
            at = by_order.get(report.order_id or "")
            if at is None:
                at = by_client.get(report.client_id or "")
            if at is None:
                # An id of a kind every order was sent with must be one of them.
                if report.order_id is not None and count and len(by_order) == count:
                    raise Contradiction(
                        f"{_where(source)} names order id {report.order_id},"
                        " which the request did not send"
                    )
                if report.client_id is not None and count and len(by_client) == count:
                    raise Contradiction(
                        f"{_where(source)} names client id {report.client_id},"
                        " which the request did not send"
                    )
                anonymous = report.order_id is None and report.client_id is None
                at = i if positional and anonymous else None
            if at is None:
                stray.append(report)
            else:
                found[at].append(report)
    if stray and sum(1 for reports in found if reports) + len(stray) > count:
        raise Contradiction(f"the response has more entries than the {_orders(count)} sent")
    why_unknown = "the response does not mention this order"
    if stray:
        shown = "; ".join(r.describe() for r in stray)
        why_unknown = (
            "the response does not have one entry per order sent, and"
            f" {_entries(len(stray))} without an id cannot be attributed to an order ({shown})"
        )
    outcomes: list[OrderOutcome] = []
    warnings: list[str] = []
    for i, (oid, cid) in enumerate(sent):
        reports = found[i]
        if not reports and failed is not None:
            outcomes.append(
                OrderOutcome(
                    oid,
                    cid,
                    OutcomeState.FAILED,
                    error_code=failed[0] or None,
                    error_message=failed[1] or None,
                )
            )
            continue
        if not reports:
            outcomes.append(_unmentioned(plan, body, oid, cid, count, why_unknown))
            continue
        reason = None
        chosen: _Report | None = reports[0]
        if (
            len(reports) > 1
            and len({(r.state, r.error_code, r.error_message) for r in reports}) > 1
        ):
            chosen = _choose(reports, plan.duplicates)
            told = "; ".join(r.describe() for r in reports)
            if chosen is not None:
                verdict = f"the {plan.duplicates} report wins"
            else:
                verdict = "so it is unknown"
            reason = f"the venue reported this order {len(reports)} times: {told}; {verdict}"
            warnings.append(f"order {oid or cid or '#' + str(i + 1)}: {reason}")
        if chosen is None:
            outcomes.append(
                OrderOutcome(
                    oid or reports[0].order_id,
                    cid or reports[0].client_id,
                    OutcomeState.UNKNOWN,
                    reason=reason,
                )
            )
            continue
        oid, cid = oid or chosen.order_id, cid or chosen.client_id
        status, code, message = chosen.status, chosen.error_code, chosen.error_message
        outcomes.append(OrderOutcome(oid, cid, chosen.state, status, code, message, reason))
    return Accounting(tuple(outcomes), tuple(warnings))


def _listed(plan: Plan, body: JSON) -> Accounting:
    """The outcomes of a request that names no order (a cancel-all): one per order the answer
    lists, in its order; an order listed twice is one outcome."""
    outcomes: list[OrderOutcome] = []
    seen: set[tuple[str | None, str | None]] = set()
    for source in plan.sources:
        for report in _reports(source, body, plan.success):
            key = (report.order_id, report.client_id)
            if key in seen or key == (None, None):
                continue
            seen.add(key)
            outcomes.append(
                OrderOutcome(
                    report.order_id,
                    report.client_id,
                    report.state,
                    status=report.status,
                    error_code=report.error_code,
                    error_message=report.error_message,
                )
            )
    return Accounting(tuple(outcomes))


def _unmentioned(
    plan: Plan, body: JSON, oid: str | None, cid: str | None, count: int, why: str
) -> OrderOutcome:
    """An order no entry answers: from the aggregate count when there is one, else unknown."""
    if plan.aggregate is None:
        return OrderOutcome(oid, cid, OutcomeState.UNKNOWN, reason=why)
    path, state = plan.aggregate
    done = value_at(body, path)
    if not isinstance(done, int) or isinstance(done, bool):
        why = f"the response carries no count at {'.'.join(path)}"
        return OrderOutcome(oid, cid, OutcomeState.UNKNOWN, reason=why)
    if done > count:
        raise Contradiction(f"the venue counts {done} orders cancelled of {_orders(count)} sent")
    if done == count:
        return OrderOutcome(oid, cid, state)
    if done == 0:
        why = "the venue reports no order cancelled"
        return OrderOutcome(oid, cid, OutcomeState.FAILED, error_message=why)
    why = f"the venue counts {done} of {count} orders cancelled without saying which"
    return OrderOutcome(oid, cid, OutcomeState.UNKNOWN, reason=why)


_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_INDEX = re.compile(r"\[\d+\]")


def tolerate(
    body: JSON, problems: Sequence[Violation], critical: tuple[str, ...]
) -> tuple[JSON, tuple[str, ...]] | None:
    """The body with every field that breaks its documented type emptied, and warnings.

    Each warning keeps a field's raw text ('' means no value and needs none). None when a
    problem touches what the outcomes depend on (ids, status, codes: the paths in critical), a
    required field, or the shape of the body.
    """
    import copy  # here, not at the top: only a body that breaks its types needs it
    import json

    fixed = copy.deepcopy(body)
    warnings: list[str] = []
    for problem in problems:
        shape = _INDEX.sub("[*]", problem.path)
        inside = (shape + ".", shape + "[")
        if problem.rule == "required" or any(c == shape or c.startswith(inside) for c in critical):
            return None
        steps = [name if name else int(index) for name, index in _STEP.findall(problem.path[1:])]
        parent = fixed
        for step in steps[:-1]:
            parent = parent[step] if isinstance(parent, (dict, list)) else None
        last = steps[-1] if steps else None
        if not isinstance(parent, dict) or not isinstance(last, str) or last not in parent:
            return None  # an item of a list, or the body itself: nothing to empty
        raw = parent[last]
        parent[last] = None
        if raw != "":
            shown = raw if isinstance(raw, str) else json.dumps(raw, default=str)
            warnings.append(
                f"{problem.path}: {problem.message}; left empty, the raw value was {shown!r}"
            )
    return fixed, tuple(warnings)
