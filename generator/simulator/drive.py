"""Cancel calls for any simulated endpoint, built from its spec alone (for tests, soaks and fuzzing).

The endpoint's first pinned request case is a call the venue documents; the simulation section
says where that call names its orders (request_ids) and its instrument. A call for other orders
is the case with those ids swapped in: whatever else the venue needs (a product line, a
batch mode) stays as documented.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from specgen.spec.model import Endpoint, RequestIds, Type, Venue
from specgen.spec.text import Text

JSON = Any


@dataclass(frozen=True)
class CancelCall:
    venue: Venue
    endpoint: Endpoint
    template: dict[str, JSON]  # the pinned case's parameters, without those the client fills in
    instrument: str | None  # the instrument the template names (the one to seed orders in)

    @classmethod
    def of(cls, venue: Venue, endpoint: Endpoint) -> CancelCall | None:
        """None when the endpoint has no simulation section or no pinned request case."""
        sim = endpoint.simulation
        cases = [c.value for c in endpoint.tests.request]
        if sim is None or not cases:
            return None
        sourced = {p.wire.value for p in endpoint.params if p.source is not None}
        template = {k: v for k, v in cases[0]["params"].items() if k not in sourced}
        return cls(venue, endpoint, template, _instrument_in(template, endpoint))

    @property
    def name(self) -> str:
        return f"{self.venue.name.value}.{self.endpoint.operation.value}"

    @property
    def cancels_all(self) -> bool:
        """The endpoint names no order: it cancels every open one (of the template's instrument, if any)."""
        sim = self.endpoint.simulation
        return sim is not None and sim.cancel_all is not None

    @property
    def one_order(self) -> bool:
        """Each request names exactly one order (by an id in the path, say)."""
        rules = self.endpoint.outcome_rules
        return rules is not None and rules.one_order

    def ways(self) -> tuple[str, ...]:
        """How this endpoint can name orders: order_id, client_id or both."""
        sim = self.endpoint.simulation
        assert sim is not None
        found = (("order_id", sim.request_order_ids), ("client_id", sim.request_client_ids))
        return tuple(way for way, ids in found if ids is not None)

    def params(self, ids: Sequence[str], by: str = "order_id", per_order: bool = True) -> dict[str, JSON]:
        """Wire parameters cancelling these orders, named by order id or client id. per_order: where
        the venue refuses a whole batch for one bad order unless a parameter says otherwise, say it."""
        sim = self.endpoint.simulation
        assert sim is not None
        wanted = sim.request_order_ids if by == "order_id" else sim.request_client_ids
        other = sim.request_client_ids if by == "order_id" else sim.request_order_ids
        if wanted is None:
            raise ValueError(f"{self.name} cannot name orders by {by}")
        params = copy.deepcopy(self.template)
        whole = sim.all_or_nothing
        if whole is not None:
            if per_order:
                first = whole.unless.values[0]
                params[whole.unless.param.value] = first.value if isinstance(first, Text) else first
            else:
                params.pop(whole.unless.param.value, None)
        instrument = sim.instrument.value if sim.instrument is not None else None
        if instrument is not None and instrument in params and self.instrument is not None:
            params[instrument] = self.instrument
        if wanted.one:  # one id per request (in the path, say)
            if len(ids) != 1:
                raise ValueError(f"{self.name} names one order per request, not {len(ids)}")
            param = self.endpoint.param(wanted.param.value)
            params[wanted.param.value] = _typed(ids[0], param.type if param is not None else None)
            return params
        if wanted.field is None:
            if other is not None and other.param != wanted.param:
                params.pop(other.param.value, None)
            params[wanted.param.value] = [_typed(i, self._items(wanted)) for i in ids]
            return params
        base = dict((params.get(wanted.param.value) or [{}])[0])
        for ref in (wanted, other):
            if ref is not None and ref.field is not None and ref.param == wanted.param:
                base.pop(ref.field.value, None)
        if instrument is not None and instrument in base and self.instrument is not None:
            base[instrument] = self.instrument
        item_type = self._items(wanted)
        field = item_type.field_named(wanted.field.value) if item_type is not None else None
        params[wanted.param.value] = [
            {**base, wanted.field.value: _typed(i, field.type if field is not None else None)} for i in ids
        ]
        return params

    def _items(self, ids: RequestIds) -> Type | None:
        param = self.endpoint.param(ids.param.value)
        return param.type.list_items() if param is not None else None


def _typed(value: str, type_: Type | None) -> JSON:
    """An id as the request's id field has it on the wire (a number where the field is an integer)."""
    return value if type_ is None else type_.read_text(value)


def _instrument_in(template: dict[str, JSON], endpoint: Endpoint) -> str | None:
    """The first non-empty instrument the template names, outside or in its order items."""
    sim = endpoint.simulation
    if sim is not None and sim.cancel_all is not None:
        found = template.get(sim.cancel_all.instrument.value) if sim.cancel_all.instrument is not None else None
        return found if isinstance(found, str) and found else None
    if sim is None or sim.instrument is None:
        return None
    name = sim.instrument.value
    candidates = [template.get(name)]
    for ids in (sim.request_order_ids, sim.request_client_ids):
        if ids is not None and ids.field is not None:
            items = template.get(ids.param.value)
            candidates += [i.get(name) for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    return next((c for c in candidates if isinstance(c, str) and c), None)


def calls(venues: Sequence[Venue]) -> list[CancelCall]:
    """A cancel call for every simulated endpoint that has a pinned request case."""
    found = [CancelCall.of(v, e) for v in venues for e in v.endpoints]
    return [c for c in found if c is not None]
