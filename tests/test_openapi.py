"""Issue 14 item 5: `specgen export openapi`, and schemathesis fuzzing the simulator from it.

The documents are checked against the emitted JSON Schemas and the spec's limits; then, for every
venue in specs/, schemathesis generates requests from the document and sends them to the
simulator over real HTTP. Each request is signed on its way out (a requests auth hook over the
exact bytes sent, with the venue's test credentials and the current time), so the fuzzed values
reach parameter validation and the order book instead of stopping at the signature check. Every
answer must be no 5xx, on a connection that was not dropped, and conform to the document (the
success body, or the venue's error shape under the statuses it uses). Bounded by max_examples.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from specgen.emit import json_schema
from specgen.emit.openapi import document
from specgen.simulator import Simulator
from specgen.simulator.auth import RawRequest, prehash, sign
from specgen.spec.model import Venue
from specgen.spec.signing import SECRETS
from specgen.spec.specset import read_specs

from tests.helpers import ROOT, run_cli

MAX_EXAMPLES = 100  # per operation: a few seconds a venue on 2 cores


def test_each_document_carries_the_emitted_schemas_and_limits(spec_venues: tuple[Venue, ...]) -> None:
    for venue in spec_venues:
        doc = document(venue)
        assert doc["openapi"] == "3.1.0"
        assert [s["url"] for s in doc["servers"]][0] == venue.production_url.value
        scheme = doc["components"]["securitySchemes"]["apiKey"]
        assert (scheme["in"], scheme["name"]) == (venue.api_key.where, venue.api_key.name.value)
        assert scheme["x-specgen-signature"]["algorithm"] == venue.signature.algorithm
        for endpoint in venue.endpoints:
            op = doc["paths"][endpoint.path.value][endpoint.method.lower()]
            assert op["operationId"] == endpoint.operation.value
            request = {
                k: v for k, v in json_schema.request_schema(venue, endpoint).items() if k not in ("$schema", "$id")
            }
            if endpoint.params_in == "query":
                sent = {
                    p["name"]: p.get("schema") or p["content"]["application/json"]["schema"] for p in op["parameters"]
                }
                assert all(sent[name] == schema for name, schema in request["properties"].items())
            else:
                assert next(iter(op["requestBody"]["content"].values()))["schema"] == request
            success = {
                k: v for k, v in json_schema.response_schema(venue, endpoint).items() if k not in ("$schema", "$id")
            }
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert ok == success or ok["anyOf"][0] == success
            if endpoint.max_batch is not None:
                assert op["x-specgen-max-batch"] == endpoint.max_batch
                assert str(endpoint.max_batch) in json.dumps(op)  # the list's maxItems
            limits = endpoint.rate_limit.limits
            assert len(op.get("x-specgen-rate-limit", {}).get("limits", [])) == len(limits)
            assert op["security"] if endpoint.signed else "security" not in op


def test_each_document_states_the_pool_budgets_and_what_each_operation_takes_from_them(
    spec_venues: tuple[Venue, ...],
) -> None:
    """Issue 16: the venue's pools with their budgets (read here from venue.yaml itself), and per
    operation the charges of spec/ratelimits.py: a pool-wide charge is one of its pool's budgets."""
    checked = 0
    for venue in spec_venues:
        doc = document(venue)
        raw = yaml.safe_load((ROOT / "specs" / venue.name.value / "venue.yaml").read_text("utf-8"))
        pools = raw.get("rate_limit_pools", [])
        assert [p["name"] for p in doc.get("x-specgen-rate-limit-pools", [])] == [p["name"] for p in pools]
        by_name = {p["name"]: p for p in doc.get("x-specgen-rate-limit-pools", [])}
        for written in pools:
            shown = by_name[written["name"]]
            assert (shown["scope"], shown["unit"]) == (written["scope"], written.get("unit", "requests"))
            assert shown.get("budgets", []) == written.get("budgets", []), venue.name.value
            assert shown.get("source") == written.get("source")
        for endpoint in venue.endpoints:
            op = doc["paths"][endpoint.path.value][endpoint.method.lower()]
            charges = op.get("x-specgen-rate-limit", {}).get("charges", [])
            assert len(charges) == len(endpoint.rate_limit.charges)
            for charge in charges:
                if charge["pool_wide"]:
                    budget = {"count": charge["count"], "per_seconds": charge["per_seconds"]}
                    assert budget in by_name[charge["pool"]]["budgets"], (venue.name.value, charge)
                    assert charge["unit"] == by_name[charge["pool"]]["unit"]
                    checked += 1
                if charge["unit"] == "weight":
                    assert charge["weight"] == endpoint.rate_limit.weight
    assert checked  # some venue's operations draw on a pool's budget


def test_a_path_parameter_is_in_path_and_required(spec_venues: tuple[Venue, ...]) -> None:
    # The bundled venues, and a frozen fixture venue known to cancel by an id in the path.
    fixtures = read_specs(ROOT / "tests" / "fixtures" / "outcome_specs", ROOT, only="fx_one")
    found = 0
    for venue in (*spec_venues, *fixtures):
        doc = document(venue)
        for endpoint in venue.endpoints:
            op = doc["paths"][endpoint.path.value][endpoint.method.lower()]
            for p in endpoint.params_in_place("path"):
                [entry] = [e for e in op["parameters"] if e["name"] == p.wire.value]
                assert (entry["in"], entry["required"]) == ("path", True)
                assert "{" + p.wire.value + "}" in endpoint.path.value
                found += 1
    assert found


def test_export_writes_one_document_per_venue(tmp_path: Any, spec_venues: tuple[Venue, ...]) -> None:
    out = tmp_path / "openapi"
    result = run_cli(ROOT, "export", "openapi", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{v.name.value}.openapi.json" for v in spec_venues)
    first = spec_venues[0].name.value
    only = tmp_path / "one"
    assert run_cli(ROOT, "export", "openapi", "--venue", first, "--output", str(only)).returncode == 0
    assert [p.name for p in only.iterdir()] == [f"{first}.openapi.json"]
    assert json.loads((only / f"{first}.openapi.json").read_text("utf-8")) == document(spec_venues[0])


def venue_time(venue: Venue) -> int:
    """Now as the venue's timestamp counts it: milliseconds, or whole seconds (plus an expiry window)."""
    ms = time.time_ns() // 1_000_000
    stamp = venue.timestamp
    if stamp is not None and stamp.unit == "s":
        return ms // 1000 + stamp.expires_in
    return ms


class Signed(requests.auth.AuthBase):
    """Signs a prepared request as a client of the venue would: fresh timestamp, test keys, the
    signature over the bytes about to be sent (the fuzzer cannot know the recipe)."""

    def __init__(self, venue: Venue) -> None:
        assert venue.test_credentials is not None
        self.venue = venue
        self.creds = venue.test_credentials.value
        self.last = 0  # the clock strictly increases, as a nonce must

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        venue, stamp = self.venue, venue_time(self.venue)
        # A nonce or millisecond time rises strictly; a time in seconds (an expiry) is sent as it is.
        self.last = stamp if venue.timestamp is not None and venue.timestamp.unit == "s" else max(stamp, self.last + 1)
        now = str(self.last)
        parts = urlsplit(r.url or "")
        drop = {venue.signature.name.value}
        for value in (venue.timestamp, venue.recv_window):
            if value is not None:
                drop.add(value.name.value)
        # requests writes a space as '+'; a client of these venues writes %20 (the simulator reads '+' as itself).
        pairs = [p.replace("+", "%20") for p in parts.query.split("&") if p and p.partition("=")[0] not in drop]
        if venue.timestamp is not None and venue.timestamp.where == "query":
            pairs.append(f"{venue.timestamp.name.value}={now}")
        for name in drop:
            r.headers.pop(name, None)
        if venue.timestamp is not None and venue.timestamp.where == "header":
            r.headers[venue.timestamp.name.value] = now
        r.headers[venue.api_key.name.value] = self.creds["api_key"]
        secret = SECRETS[venue.signature.secret].apply(self.creds["secret"])
        if venue.passphrase is not None:
            passphrase, signed = self.creds.get("passphrase", ""), venue.passphrase.signed
            r.headers[venue.passphrase.name.value] = (
                passphrase if signed is None else sign(signed.algorithm, signed.encoding, secret, passphrase.encode())
            )
        query = "&".join(pairs)
        body = r.body.encode() if isinstance(r.body, str) else (r.body or b"")
        path = parts.path.removeprefix(f"/{venue.name.value}")  # the simulator checks the venue's own path
        body = self._fill_body(body, path, int(now))
        r.body = body
        if body:
            r.headers["Content-Length"] = str(len(body))
        payload = venue.auth.payload
        if payload is not None and payload.payload_of == "body":  # the body, base64 in a header
            r.headers[payload.name.value] = base64.b64encode(body).decode()
        raw = RawRequest(r.method or "GET", path, query, tuple(r.headers.items()), body)
        signature = sign(venue.signature.algorithm, venue.signature.encoding, secret, prehash(venue, raw))
        if venue.signature.where == "query":
            query = (
                f"{query}&{venue.signature.name.value}={signature}"
                if query
                else f"{venue.signature.name.value}={signature}"
            )
        else:
            r.headers[venue.signature.name.value] = signature
        r.url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        return r

    def _fill_body(self, body: bytes, path: str, now: int) -> bytes:
        """A JSON object body with what the client fills in there (a nonce, the request path)."""
        placed = [v for v in self.venue.auth.placed("body") if v.key in ("timestamp", "nonce") or v.word == "@path"]
        try:
            doc = json.loads(body) if placed and body else None
        except ValueError:
            return body
        if not isinstance(doc, dict):
            return body
        for v in placed:
            doc[v.name.value] = path if v.word == "@path" else now
        return json.dumps(doc, separators=(",", ":")).encode()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize(
    "venue_name",
    [v.name.value for v in __import__("specgen.spec.specset", fromlist=["x"]).read_specs(ROOT / "specs", ROOT)],
)
def test_schemathesis_finds_no_5xx_no_drop_and_no_off_schema_answer(
    spec_venues: tuple[Venue, ...], venue_name: str
) -> None:
    venue = next(v for v in spec_venues if v.name.value == venue_name)
    schema = schemathesis.openapi.from_dict(document(venue))
    statuses: list[int] = []
    with Simulator(spec_venues) as sim:
        base_url = sim.base_url(venue_name)
        session = requests.Session()
        auth = Signed(venue)
        for result in schema.get_all_operations():
            operation = result.ok()

            @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def fuzz(case: Any) -> None:
                response = case.call(base_url=base_url, session=session, auth=auth, timeout=10)
                statuses.append(response.status_code)
                case.validate_response(response, checks=CHECKS)

            fuzz()
        session.close()
        history = sim.history
    assert statuses and all(s < 500 for s in statuses)
    # Signed as the venue wants, every request got past authentication to the parameters and the book.
    refused = [e.detail for e in history if e.detail and e.detail.startswith(AUTH_REFUSALS)]
    assert refused == [] and len(history) == len(statuses)


AUTH_REFUSALS = (
    "unknown or missing API key",
    "wrong or missing passphrase",
    "no signature",
    "the signature",
    "timestamp is",
)
