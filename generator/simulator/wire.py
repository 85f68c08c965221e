"""Parameters as the venue reads them off the wire, checked against the endpoint spec.

Path, query and form values are percent-decoded and read as their type kind reads a text
(`Type.read_text`: a list by its encoding, json or comma); JSON bodies are an object of
parameters or, for body: array, one list. The result is validated with the endpoint's request
JSON Schema (the one emitted to generated/<venue>/schemas/), so the simulator and the clients
share one definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import jsonschema
from specgen.emit import json_schema
from specgen.simulator.auth import RawRequest, Rejection
from specgen.simulator.book import Target
from specgen.spec import strict
from specgen.spec.model import Endpoint, Venue
from specgen.spec.outcomes import RequestIds

JSON = Any


@dataclass(frozen=True)
class ParamReader:
    """Decodes and validates one endpoint's parameters."""

    venue: Venue
    endpoint: Endpoint
    validator: Any  # jsonschema.Draft202012Validator

    @classmethod
    def for_endpoint(cls, venue: Venue, endpoint: Endpoint) -> ParamReader:
        schema = json_schema.request_schema(venue, endpoint)
        return cls(venue, endpoint, jsonschema.Draft202012Validator(schema))

    def read(self, request: RawRequest) -> dict[str, JSON]:
        """The wire parameters; raises Rejection('invalid_params') naming the first problem."""
        params = self.decode(request)
        error = next(iter(sorted(self.validator.iter_errors(params), key=lambda e: list(e.absolute_path))), None)
        if error is not None:
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            raise Rejection("invalid_params", f"{where}: {error.message}")
        return params

    def decode(self, request: RawRequest) -> dict[str, JSON]:
        """The parameters from where the endpoint sends each: path, query and body (by its kind)."""
        endpoint = self.endpoint
        sig = self.venue.auth.signature.placement
        params: dict[str, JSON] = {}
        found = match_path(endpoint, request.path)
        for name, value in (found or {}).items():
            param = endpoint.param(name)
            params[name] = value if param is None else param.type.read_text(value)
        self._pairs(request.query, sig.name.value if sig.where == "query" else None, params)
        kind = endpoint.body_kind
        if kind == "json":
            body = _json_object(request.body) if request.body else {}
            if sig.where == "body":
                body.pop(sig.name.value, None)
            _merge(params, body)
        elif kind == "array":
            value = _json_value(request.body)
            if not isinstance(value, list):
                raise Rejection("invalid_params", "the body is not a JSON array")
            params[endpoint.params_in_place("body")[0].wire.value] = value
        elif kind == "form":
            text = request.body.decode("utf-8", errors="replace")
            self._pairs(text, sig.name.value if sig.where == "body" else None, params)
        elif request.body.strip():
            raise Rejection("invalid_params", "this endpoint takes no body")
        return params

    def _pairs(self, text: str, skip: str | None, params: dict[str, JSON]) -> None:
        for pair in text.split("&") if text else []:
            raw_name, _, raw_value = pair.partition("=")
            name, value = unquote(raw_name), unquote(raw_value)
            if name == skip:
                continue
            param = self.endpoint.param(name)
            _merge(params, {name: value if param is None else param.type.read_text(value)})


def _merge(params: dict[str, JSON], more: dict[str, JSON]) -> None:
    for name, value in more.items():
        if name in params:
            raise Rejection("invalid_params", f"parameter {name!r} is sent twice")
        params[name] = value


def match_path(endpoint: Endpoint, path: str) -> dict[str, str] | None:
    """The path parameters of a request path under the endpoint's template, or None if it does not match."""
    pattern = "".join(
        f"(?P<p{i}>[^/]+)" if kind == "param" else re.escape(piece.value)  # type: ignore[union-attr]
        for i, (kind, piece) in enumerate(endpoint.path_template)
    )
    found = re.fullmatch(pattern, path)
    if found is None:
        return None
    return {
        piece.wire.value: unquote(found.group(f"p{i}"))  # type: ignore[union-attr]
        for i, (kind, piece) in enumerate(endpoint.path_template)
        if kind == "param"
    }


def _json_value(body: bytes) -> JSON:
    try:
        return strict.loads(body)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError included
        raise Rejection("invalid_params", "the body is not JSON") from None


def _json_object(body: bytes) -> dict[str, JSON]:
    value = _json_value(body)
    if not isinstance(value, dict):
        raise Rejection("invalid_params", "the body is not a JSON object")
    return value


def targets(endpoint: Endpoint, params: dict[str, JSON]) -> tuple[Target, ...]:
    """The orders a (valid) cancel request names, in the order it names them."""
    sim = endpoint.simulation
    assert sim is not None
    instrument = sim.instrument.value if sim.instrument is not None else None
    named = _instrument(params, instrument)
    by_order = _ids(params, sim.request_order_ids)
    by_client = _ids(params, sim.request_client_ids)
    if _same_list(sim.request_order_ids, sim.request_client_ids):
        # One list of objects, each naming its order by an id or a client id.
        assert sim.request_order_ids is not None
        items = params.get(sim.request_order_ids.param.value) or []
        return tuple(
            Target(order_id, client_id, _instrument(item, instrument) or named)
            for item, order_id, client_id in zip(items, by_order, by_client, strict=False)
        )
    return tuple(Target(i, None, named) for i in by_order) + tuple(Target(None, c, named) for c in by_client)


def _same_list(a: RequestIds | None, b: RequestIds | None) -> bool:
    return a is not None and b is not None and a.param == b.param and a.field is not None


def _ids(params: dict[str, JSON], where: RequestIds | None) -> list[str | None]:
    if where is None:
        return []
    sent = params.get(where.param.value)
    if where.one:  # the request names one order by this parameter (its path, say)
        return [] if sent is None or sent == "" or isinstance(sent, (list, dict)) else [str(sent)]
    if not isinstance(sent, list):
        return []
    values = [v.get(where.field.value) if where.field is not None and isinstance(v, dict) else v for v in sent]
    return [None if v is None or v == "" else str(v) for v in values]


def _instrument(where: JSON, name: str | None) -> str | None:
    """The instrument a request (or one of its items) names in the spec's instrument field."""
    value = where.get(name) if name is not None and isinstance(where, dict) else None
    return value if isinstance(value, str) and value else None
