"""What a venue's generated reference (generated/<venue>/README.md) needs beyond the filters:
example calls (an endpoint's own, the unified cancel_orders, a limiter), written from the
endpoint's first request case."""

from __future__ import annotations

from typing import Any

from specgen.emit.literal import literal
from specgen.spec.model import Endpoint, Venue
from specgen.spec.text import Code, Text


def example_call(endpoint: Endpoint, venue: Venue) -> Code:
    """Python that makes the endpoint's first documented request with a generated client."""
    request = f"{endpoint.stem.value}Request"
    call = [
        f"    call = {request}.from_json({literal(_first_params(endpoint))})",
        f"    result = client.send_{endpoint.operation.value}(call)",
        "    for outcome in result.outcomes:",
        "        print(outcome)",
    ]
    return _with_client(venue, f"Client, {request}", call)


def unified_example(venue: Venue) -> Code:
    """Python that cancels two orders with cancel_orders, the call every venue offers."""
    endpoint = venue.cancel_endpoint
    assert endpoint is not None and endpoint.cancel_orders is not None
    unified = endpoint.cancel_orders
    extras = "".join(f", {p.python.value}={literal(_first_value(p))}" for p in unified.params if p.required)
    params = _first_params(endpoint)
    symbol = _symbol(params, unified.symbol.wire.value) if unified.symbol is not None else "BTCUSDT"
    call = [
        f'    result = client.cancel_orders({literal(symbol)}, order_ids=["1001", "1002"]{extras})',
        "    for outcome in result.outcomes:  # one per id, in the order passed",
        "        print(outcome.order_id, outcome.state.value, outcome.reason)",
    ]
    return _with_client(venue, "Client", call)


def _with_client(venue: Venue, names: str, body: list[str]) -> Code:
    """The import of names from the venue's package, then body inside `with Client(...) as client:`."""
    credentials = ", ".join(f'{name}="..."' for name in venue.credentials)
    lines = [f"from {venue.name.value} import {names}", "", f"with Client({credentials}) as client:", *body]
    return Code("\n".join(lines))


def _first_params(endpoint: Endpoint) -> dict[str, Any]:
    """The parameters of the endpoint's first request case (none when it has no case)."""
    cases = endpoint.tests.request
    params: dict[str, Any] = cases[0].value.get("params", {}) if cases else {}
    return params


def limiter_example(venue: Venue) -> Code:
    """Python that gives clients of one API key a shared limiter."""
    credentials = ", ".join(f'{name}="..."' for name in venue.credentials if name != "api_key")
    lines = [
        f"from {venue.name.value} import Client, make_limiter",
        "",
        'limiter = make_limiter("my-api-key")  # wait=False: raise RateLimitExceeded instead of waiting',
        f'client = Client(api_key="my-api-key", {credentials}, limiter=limiter)',
    ]
    return Code("\n".join(lines))


def _first_value(field: Any) -> Any:
    values = getattr(field.type, "values", None)
    assert values, f"{field.python.value}: a required pass-through parameter is an enum (see the unified call)"
    first = values[0]
    return first.value if isinstance(first, Text) else first


def _symbol(params: dict[str, Any], wire: str) -> str:
    """The symbol of the first request case: a parameter, or a field of the first item of a list."""
    if isinstance(params.get(wire), str) and params[wire]:
        return str(params[wire])
    for value in params.values():
        if isinstance(value, list) and value and isinstance(value[0], dict) and isinstance(value[0].get(wire), str):
            return str(value[0][wire])
    return "BTCUSDT"


def cell(values: list[str] | tuple[Text, ...]) -> str:
    """Several values for one table cell, joined; each still goes through |md in the template."""
    return "; ".join(v.value if isinstance(v, Text) else v for v in values)
