"""What a venue's generated reference (generated/<venue>/README.md) needs beyond the filters:
an example call, written from the endpoint's first request case."""

from __future__ import annotations

from specgen.emit.literal import literal
from specgen.spec.model import Endpoint, Venue
from specgen.spec.text import Code, Text


def example_call(endpoint: Endpoint, venue: Venue) -> Code:
    """Python that makes the endpoint's first documented request with a generated client."""
    package = venue.name.value
    request = f"{endpoint.stem.value}Request"
    cases = endpoint.tests.request
    params = cases[0].value.get("params", {}) if cases else {}
    credentials = ", ".join(f'{name}="..."' for name in venue.credentials)
    lines = [
        f"from {package} import Client, {request}",
        "",
        f"with Client({credentials}) as client:",
        f"    call = {request}.from_json({literal(params)})",
        f"    result = client.send_{endpoint.operation.value}(call)",
        "    for outcome in result.outcomes:",
        "        print(outcome)",
    ]
    return Code("\n".join(lines))


def cell(values: list[str] | tuple[Text, ...]) -> str:
    """Several values for one table cell, joined; each still goes through |md in the template."""
    return "; ".join(v.value if isinstance(v, Text) else v for v in values)
