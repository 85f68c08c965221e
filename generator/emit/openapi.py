"""OpenAPI 3.1 documents, one per venue, from the same models the clients are generated from.

Request and response schemas are the emitted JSON Schemas (emit/json_schema.py), so an outside
tool (a fuzzer, a gateway, a viewer) sees exactly what the clients and the simulator check. What
OpenAPI cannot state natively rides in `x-specgen-*` extensions: the signing recipe, conditional
limits and rules across parameters, rate limits. Error answers are documented with the venue's
error shape, under each HTTP status the venue (per its simulation section) uses for them; where a
venue answers errors with HTTP 200, the 200 response is the success body or the error shape.
"""

from __future__ import annotations

from typing import Any

from specgen.emit.json_schema import DIALECT, request_schema, response_schema
from specgen.emit.json_text import dumps
from specgen.spec.model import Endpoint, Field, Venue
from specgen.spec.ratelimits import Charge, Pool

JSON = Any
SIMULATOR_URL = "http://127.0.0.1:8765"  # `specgen serve`'s default address


def document(venue: Venue) -> dict[str, JSON]:
    """The OpenAPI 3.1 document of one venue."""
    name = venue.name.value
    servers = [{"url": venue.production_url.value, "description": "production"}]
    if venue.testnet_url is not None:
        servers.append({"url": venue.testnet_url.value, "description": "testnet"})
    servers.append({"url": f"{SIMULATOR_URL}/{name}", "description": "specgen serve (the loopback simulator)"})
    paths: dict[str, JSON] = {}
    for endpoint in venue.endpoints:
        paths.setdefault(endpoint.path.value, {})[endpoint.method.lower()] = _operation(venue, endpoint)
    doc: dict[str, JSON] = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": DIALECT,
        "info": {
            "title": venue.title.value,
            "version": "specgen",
            "description": f"Written by specgen from specs/{name}/; the source documents are linked per operation.",
        },
        "servers": servers,
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": _security_schemes(venue),
            "schemas": {"Error": _error_schema(venue)},
        },
    }
    if venue.docs is not None:
        doc["externalDocs"] = {"url": venue.docs.value}
    if venue.pools:
        doc["x-specgen-rate-limit-pools"] = [_pool(p) for p in venue.pools]
    return doc


# Security -----------------------------------------------------------------------------------------


def _security_schemes(venue: Venue) -> dict[str, JSON]:
    schemes: dict[str, JSON] = {}
    if venue.api_key is not None:
        schemes["apiKey"] = {
            "type": "apiKey",
            "in": venue.api_key.where,
            "name": venue.api_key.name.value,
            "description": "The API key; every signed request also carries a signature (x-specgen-signature).",
            "x-specgen-signature": _signature(venue),
        }
    if venue.passphrase is not None:
        schemes["passphrase"] = {
            "type": "apiKey",
            "in": venue.passphrase.where,
            "name": venue.passphrase.name.value,
            "description": (
                "The passphrase chosen when the API key was created"
                + ("." if venue.passphrase.signed is None else ", sent signed with the secret (as the signature is).")
            ),
        }
    return schemes


def _signature(venue: Venue) -> dict[str, JSON]:
    """The signing recipe as data (OpenAPI has no way to say it)."""
    sig = venue.signature
    recipe: dict[str, JSON] = {
        "algorithm": sig.algorithm,
        "encoding": sig.encoding,
        "parts": [_part(p) for p in sig.parts],
        "in": sig.where,
        "name": sig.name.value,
    }
    if venue.timestamp is not None:
        recipe["timestamp"] = {"in": venue.timestamp.where, "name": venue.timestamp.name.value}
    if venue.recv_window is not None:
        recipe["recv_window"] = {"in": venue.recv_window.where, "name": venue.recv_window.name.value}
    return recipe


def _part(part: Any) -> JSON:
    """One part of the string to sign: its word (timestamp, body, ...), else its kind and fields."""
    word = getattr(part, "word", None)
    if isinstance(word, str):
        return word
    fields = {k: v for k, v in vars(part).items() if isinstance(v, (str, int, bool))}
    return {"kind": type(part).__name__.lower(), **fields}


def _security(venue: Venue) -> list[dict[str, list[str]]]:
    both: dict[str, list[str]] = {"apiKey": []} if venue.api_key is not None else {}
    if venue.passphrase is not None:
        both["passphrase"] = []
    return [both]


# Operations ---------------------------------------------------------------------------------------


def _operation(venue: Venue, endpoint: Endpoint) -> dict[str, JSON]:
    op: dict[str, JSON] = {
        "operationId": endpoint.operation.value,
        "summary": endpoint.summary.value,
    }
    if endpoint.response_description is not None:
        op["description"] = endpoint.response_description.value
    if endpoint.source_url is not None:
        op["externalDocs"] = {"url": endpoint.source_url.value}
    request = request_schema(venue, endpoint)
    in_path = [p for p in endpoint.params if p.location == "path"]
    if endpoint.params_in == "query":
        op["parameters"] = _query_parameters(endpoint, request)
    else:
        op["parameters"] = _query_parameters(endpoint, request, only=in_path)
        media = "application/json" if endpoint.params_in == "body" else "application/x-www-form-urlencoded"
        body = _without(request, {p.wire.value for p in in_path})
        op["requestBody"] = {"required": True, "content": {media: {"schema": body}}}
        if endpoint.params_in == "form":
            op["requestBody"]["content"][media]["encoding"] = _form_encoding(endpoint)
    op["parameters"] = op.get("parameters", []) + _auth_parameters(venue, endpoint)
    op["responses"] = _responses(venue, endpoint)
    if endpoint.signed:
        op["security"] = _security(venue)
    extensions = _extensions(endpoint)
    op.update(extensions)
    return op


def _query_parameters(
    endpoint: Endpoint, request: dict[str, JSON], only: list[Field] | None = None
) -> list[dict[str, JSON]]:
    """Each parameter in the query or the path; lists as the venue writes them (a JSON value, or
    comma-joined)."""
    required = set(request.get("required", []))
    out = []
    for param in endpoint.params if only is None else only:
        name = param.wire.value
        schema = request["properties"][name]
        where = "path" if param.location == "path" else "query"  # a path parameter is always required
        entry: dict[str, JSON] = {"name": name, "in": where, "required": where == "path" or name in required}
        if param.description.value:
            entry["description"] = param.description.value
        if param.type.query_encoding == "json":
            entry["content"] = {"application/json": {"schema": schema}}
        else:
            entry["schema"] = schema
            if param.type.query_encoding == "comma":
                entry["style"], entry["explode"] = "form", False  # comma-joined
        out.append(entry)
    return out


def _without(request: dict[str, JSON], names: set[str]) -> dict[str, JSON]:
    """The request schema as a body schema: without its $schema and $id, nor the path's parameters."""
    body = {k: v for k, v in request.items() if k not in ("$schema", "$id")}
    if names:
        body["properties"] = {k: v for k, v in request["properties"].items() if k not in names}
        body["required"] = [n for n in request.get("required", []) if n not in names]
    return body


def _form_encoding(endpoint: Endpoint) -> dict[str, JSON]:
    found: dict[str, JSON] = {}
    for param in endpoint.params:
        if param.type.query_encoding == "json":
            found[param.wire.value] = {"contentType": "application/json"}
        elif param.type.query_encoding == "comma":
            found[param.wire.value] = {"style": "form", "explode": False}
    return found


def _auth_parameters(venue: Venue, endpoint: Endpoint) -> list[dict[str, JSON]]:
    """Signature, timestamp and receive window where they travel as headers (query ones are params already)."""
    if not endpoint.signed:
        return []
    out: list[dict[str, JSON]] = []
    named = {p.wire.value for p in endpoint.params}
    places = [(venue.timestamp, True), (venue.auth.nonce, True), (venue.recv_window, False)]
    for value, required in places:
        if value is not None and value.where == "header":
            schema = {"type": "string", "pattern": value.wire_pattern}
            out.append({"name": value.name.value, "in": "header", "required": required, "schema": schema})
    sig = venue.signature
    if sig.where in ("header", "query") and sig.name.value not in named:
        described = "The signature (x-specgen-signature in the apiKey scheme says how it is made)."
        out.append(
            {
                "name": sig.name.value,
                "in": sig.where,
                "required": True,
                "schema": {"type": "string"},
                "description": described,
            }
        )
    return out


def _responses(venue: Venue, endpoint: Endpoint) -> dict[str, JSON]:
    success = {k: v for k, v in response_schema(venue, endpoint).items() if k not in ("$schema", "$id")}
    error_ref = {"$ref": "#/components/schemas/Error"}
    statuses = _error_statuses(venue)
    ok_schema = {"anyOf": [success, error_ref]} if 200 in statuses else success
    out: dict[str, JSON] = {
        "200": {
            "description": "The answer" + (" (the venue also answers errors with HTTP 200)" if 200 in statuses else ""),
            "content": {"application/json": {"schema": ok_schema}},
        }
    }
    for status in sorted(s for s in statuses if s != 200):
        out[str(status)] = {"description": "The venue's error", "content": {"application/json": {"schema": error_ref}}}
    for status in venue.rate_limit_statuses:
        out.setdefault(
            str(status),
            {"description": "Rate limited (Retry-After)", "content": {"application/json": {"schema": error_ref}}},
        )
    return out


def _error_statuses(venue: Venue) -> set[int]:
    sim = venue.simulation
    if sim is None:
        return {400}
    answers = [sim.bad_api_key, sim.bad_signature, sim.expired_timestamp, sim.invalid_params, sim.rate_limited]
    found = {a.http_status for a in answers if a is not None} | {500}  # 500: the simulator's internal_error
    for endpoint in venue.endpoints:
        whole = endpoint.simulation.all_or_nothing if endpoint.simulation is not None else None
        if whole is not None:
            found.add(whole.answer.http_status)
        rules = endpoint.outcome_rules
        if endpoint.simulation is not None and endpoint.simulation.failed is not None and rules and rules.one_order:
            found.add(200)  # a one-order request's refusal: the envelope's failure code, nothing else, at HTTP 200
    return found


def _error_schema(venue: Venue) -> dict[str, JSON]:
    code = venue.error_code.value
    message = venue.error_message.value
    kinds = {type(a.code) for a in _answers(venue)}
    code_type = ["integer"] if kinds == {int} else ["string"] if kinds and int not in kinds else ["integer", "string"]
    return {
        "type": "object",
        "description": "The venue's error body (errors.code / errors.message).",
        "required": [code, message],
        "properties": {code: {"type": code_type if len(code_type) > 1 else code_type[0]}, message: {"type": "string"}},
    }


def _answers(venue: Venue) -> list[Any]:
    sim = venue.simulation
    if sim is None:
        return []
    found = [sim.bad_api_key, sim.bad_signature, sim.expired_timestamp, sim.invalid_params, sim.rate_limited]
    return [a for a in found + [sim.internal_error] if a is not None]


def _extensions(endpoint: Endpoint) -> dict[str, JSON]:
    """What OpenAPI cannot say: rules across parameters, conditional limits, rate limits, batch size."""
    out: dict[str, JSON] = {}
    if endpoint.rules:
        out["x-specgen-rules"] = [
            {
                k: v
                for k, v in {"kind": r.kind, "message": r.message.value, "description": _text(r.description)}.items()
                if v
            }
            for r in endpoint.rules
        ]
    limits = endpoint.rate_limit
    if limits.weight is not None or limits.limits or limits.description is not None:
        out["x-specgen-rate-limit"] = {
            k: v
            for k, v in {
                "weight": limits.weight,
                "limits": [
                    {
                        k2: v2
                        for k2, v2 in {
                            "pool": lim.pool.value,
                            "requests": lim.requests,
                            "per_seconds": lim.per_seconds,
                        }.items()
                        if v2 is not None
                    }
                    for lim in limits.limits
                ],
                "charges": [_charge(c) for c in limits.charges],
                "description": _text(limits.description),
            }.items()
            if v not in (None, [])
        }
    if endpoint.max_batch is not None:
        out["x-specgen-max-batch"] = endpoint.max_batch
    return out


def _pool(pool: Pool) -> dict[str, JSON]:
    """A rate-limit pool: its budgets are one window each, shared by every operation that draws on it."""
    out: dict[str, JSON] = {"name": pool.name.value, "scope": pool.scope, "unit": pool.unit}
    if pool.budgets:
        out["budgets"] = [{"count": b.count, "per_seconds": b.per_seconds} for b in pool.budgets]
    out["description"] = pool.description.value
    if pool.source is not None:
        out["source"] = pool.source.value
    return out


def _charge(charge: Charge) -> dict[str, JSON]:
    """What one request of the operation takes from one window (spec/ratelimits.py's Charge):
    its cost in the unit, of count per per_seconds, from the pool's shared budget (pool_wide) or the
    operation's own limit."""
    out: dict[str, JSON] = {
        "pool": charge.pool.value,
        "scope": charge.scope,
        "unit": charge.unit,
        "count": charge.count,
        "per_seconds": charge.per_seconds,
        "pool_wide": charge.pool_wide,
    }
    if charge.unit == "weight":  # requests cost one each, orders one per order named
        out["weight"] = charge.weight
    return out


def _text(value: Any) -> str | None:
    return value.value if value is not None else None


__all__ = ["document", "dumps"]
