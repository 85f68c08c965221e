"""The checks behind the generated contract tests (generated/contract_tests/).

Each endpoint's cases are a JSON data file (contract_tests/data/<venue>/<op>.json) that one shared
generated module reads through load_contracts and runs through these checks, so the logic is
written once and the cases come from the spec. The checks hold the generated client, the
compiled validator and the emitted JSON Schema (through jsonschema) to the same answers.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit


@lru_cache(maxsize=1)
def _json_numbers() -> Any:
    """Draft 2020-12 with JSON's numbers: the clients decode 7.0 as Decimal('7.0'), which JSON
    Schema calls an integer; the jsonschema library only knows that of floats."""
    from decimal import Decimal

    import jsonschema

    def is_integer(checker: Any, instance: Any) -> bool:
        if isinstance(instance, Decimal):
            return instance.is_finite() and instance == instance.to_integral_value()
        return bool(jsonschema.Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer"))

    checker = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", is_integer)
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft202012Validator, type_checker=checker
    )


class RecordingTransport:
    """Records what would have been sent; answers nothing (contract tests never reach a network)."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, request: Any) -> Any:
        self.sent.append(request)
        raise AssertionError("a contract test tried to send a request")


@dataclass
class Contract:
    package: ModuleType
    operation: str
    stem: str
    schemas: Path
    credentials: dict[str, str]
    request_cases: list[dict[str, Any]] = field(default_factory=list)
    malformed_cases: list[dict[str, Any]] = field(default_factory=list)
    response_cases: list[dict[str, Any]] = field(default_factory=list)
    boundary_cases: list[dict[str, Any]] = field(default_factory=list)
    response_variants: list[dict[str, Any]] = field(default_factory=list)
    source_params: dict[str, str] = field(default_factory=dict)  # wire name -> timestamp | recv_window
    params_in: str = "query"  # query | body | form
    list_encodings: dict[str, str] = field(default_factory=dict)
    body_array: str = ""  # wire name of the one list parameter sent as the whole body (body: array)
    path_template: str = ""  # a path with parameters in it (/orders/{id}), read back from the URL

    @classmethod
    def load(cls, path: Path) -> Contract:
        """The contract of one data file; its package is imported by name (it must be on sys.path)."""
        import importlib

        doc = json.loads(path.read_text("utf-8"))
        doc.pop("$comment", None)  # the provenance line
        package = importlib.import_module(doc.pop("package"))
        return cls(package=package, schemas=Path(str(package.__file__)).parent / "schemas", **doc)

    @property
    def name(self) -> str:
        return f"{self.package.__name__}.{self.operation}"

    # -- the pieces under test -------------------------------------------------------------

    @property
    def request_class(self) -> Any:
        return getattr(self.package, f"{self.stem}Request")

    def validate_request(self, params: dict[str, Any]) -> list[Any]:
        fn = getattr(self.package.validators, f"validate_{self.operation}_request")
        return list(fn(params))

    def validate_response(self, body: Any) -> list[Any]:
        fn = getattr(self.package.validators, f"validate_{self.operation}_response")
        return list(fn(body))

    @cached_property
    def request_schema(self) -> Any:
        return self._schema("request")

    @cached_property
    def response_schema(self) -> Any:
        return self._schema("response")

    def _schema(self, side: str) -> Any:
        import jsonschema

        doc = json.loads((self.schemas / f"{self.operation}.{side}.json").read_text("utf-8"))
        jsonschema.Draft202012Validator.check_schema(doc)
        return _json_numbers()(doc)

    def client(self, timestamp: int = 1700000000000, recv_window: int | None = None) -> tuple[Any, RecordingTransport]:
        transport = RecordingTransport()
        accepted = inspect.signature(self.package.Client).parameters
        kwargs: dict[str, Any] = {k: v for k, v in self.credentials.items() if k in accepted}
        if "recv_window" in accepted:
            kwargs["recv_window"] = recv_window
        client = self.package.Client(clock=lambda: timestamp, transport=transport, **kwargs)
        return client, transport

    def typed_call(self, params: dict[str, Any]) -> tuple[Any, int, int | None] | None:
        """(typed request, timestamp, recv window) for wire params, or None when the typed API
        cannot express them (wrong types, unknown keys, a non-integer client-filled value)."""
        caller = {k: v for k, v in params.items() if k not in self.source_params}
        filled = {self.source_params[k]: v for k, v in params.items() if k in self.source_params}
        if any(type(v) is not int for v in filled.values()):
            return None
        if "timestamp" in self.source_params.values() and "timestamp" not in filled:
            return None  # the client always sends one
        try:
            call = self.request_class.from_json(caller)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if call.to_wire() != caller:
            return None
        return call, filled.get("timestamp", 1700000000000), filled.get("recv_window")

    # -- checks ----------------------------------------------------------------------------

    def check_request(self, case: dict[str, Any]) -> None:
        client, transport = self.client(case["timestamp"], case.get("recv_window"))
        call = self.request_class.from_json(case["params"])
        request = getattr(client, f"build_{self.operation}")(call)
        expect = case["expect"]
        assert transport.sent == []
        assert request.method == expect["method"]
        parts = urlsplit(request.url)
        assert parts.path == expect["path"]
        assert parts.query == expect["query"], f"query:\n  got  {parts.query}\n  want {expect['query']}"
        assert dict(request.headers) == expect["headers"]
        assert len(request.headers) == len(expect["headers"]), "a header was sent twice"
        assert request.body == expect["body"].encode("utf-8")

    def assert_rejected(self, params: dict[str, Any], rule: str, path: str) -> None:
        found = [(v.rule, v.path) for v in self.validate_request(params)]
        assert (rule, path) in found, f"expected {rule} at {path}; the validator reported {found}"
        assert not self.request_schema.is_valid(params), "the JSON Schema accepts what the validator rejects"
        typed = self.typed_call(params)
        if typed is not None:
            call, timestamp, recv_window = typed
            client, transport = self.client(timestamp, recv_window)
            errors = self.package.ValidationError
            try:
                getattr(client, f"send_{self.operation}")(call)
            except errors as exc:
                assert any(v.rule == rule and v.path == path for v in exc.violations)
            else:
                raise AssertionError("the client accepted a call the spec rejects")
            assert transport.sent == [], "nothing may be sent for an invalid call"

    def check_malformed(self, case: dict[str, Any]) -> None:
        self.assert_rejected(case["params"], case["rule"], case["path"])

    def check_boundary(self, case: dict[str, Any]) -> None:
        params = case["params"]
        if case["valid"]:
            found = self.validate_request(params)
            assert found == [], f"the validator rejects a valid call: {found}"
            errors = sorted(e.message for e in self.request_schema.iter_errors(params))
            assert errors == [], f"the JSON Schema rejects a valid call: {errors}"
            typed = self.typed_call(params)
            assert typed is not None, "a valid call must be expressible with the typed request"
            call, timestamp, recv_window = typed
            client, _ = self.client(timestamp, recv_window)
            request = getattr(client, f"build_{self.operation}")(call)
            sent = self.sent_params(request)
            for name in self.source_params.keys() - params.keys():
                sent.pop(name, None)  # filled in by the client (a nonce or path in the body), not the call's
            assert sent == self.as_sent(params), "the request does not carry exactly the call's parameters"
        else:
            self.assert_rejected(params, case["rule"], case["path"])

    def sent_params(self, request: Any) -> dict[str, Any]:
        """The parameters a built request carries, decoded from its query string or body."""
        if self.params_in == "body":
            decoded = json.loads(request.body)
            # body: array sends the list itself; it reads back as that one parameter
            return {self.body_array: decoded} if self.body_array else dict(decoded)
        raw = urlsplit(request.url).query if self.params_in == "query" else request.body.decode()
        out: dict[str, Any] = self.path_params(urlsplit(request.url).path)
        for pair in raw.split("&") if raw else []:
            name, _, value = (unquote(part) for part in pair.partition("="))
            if name in self.package.client.SECRET_PARAMS:
                continue
            encoding = self.list_encodings.get(name)
            out[name] = json.loads(value) if encoding == "json" else value.split(",") if encoding == "comma" else value
        return out

    def path_params(self, path: str) -> dict[str, Any]:
        """The parameters a templated path carries, percent-decoded ({} for a plain path)."""
        pieces = re.split(r"\{([A-Za-z0-9_]+)\}", self.path_template)
        if len(pieces) == 1:
            return {}
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+)" for i, p in enumerate(pieces))
        found = re.search(pattern + "$", path)
        assert found is not None, f"{path} does not follow {self.path_template}"
        return {k: unquote(v) for k, v in found.groupdict().items()}

    def as_sent(self, params: dict[str, Any]) -> dict[str, Any]:
        """params as they read back from the wire: query values are text, JSON lists stay JSON."""
        if self.params_in == "body":
            return params

        def text(v: Any) -> str:
            return ("true" if v else "false") if isinstance(v, bool) else str(v)

        return {
            k: v if self.list_encodings.get(k) == "json" else [text(x) for x in v] if isinstance(v, list) else text(v)
            for k, v in params.items()
        }

    def check_response(self, case: dict[str, Any]) -> None:
        client, _ = self.client()
        http = self.package.HttpResponse(
            case["status"], (("Content-Type", "application/json"),), case["body"].encode("utf-8")
        )
        params = case.get("request", {})
        if "error" in case:
            err = case["error"]
            kind = getattr(self.package, err["type"])
            try:
                getattr(client, f"parse_{self.operation}")(http, params)
            except kind as exc:
                if "code" in err:
                    assert exc.code == err["code"]
                if "message" in err:
                    assert exc.message == err["message"]
            else:
                raise AssertionError(f"expected {err['type']}")
            return
        body = self.package._wire.loads(case["body"].encode("utf-8"))
        if "warnings" in case:  # a body that breaks the spec where parsing is tolerant
            assert (self.validate_response(body) == []) == self.response_schema.is_valid(body)
        else:
            assert self.validate_response(body) == []
            assert self.response_schema.is_valid(body)
        result = getattr(client, f"parse_{self.operation}")(http, params)
        for attr_path, expected in case.get("fields", {}).items():
            value: Any = result.response
            for step in attr_path.split("."):
                value = value[int(step)] if step.isdigit() else getattr(value, step)
            assert (None if value is None else str(value)) == expected, f"{attr_path}: {value!r}"
        if "outcomes" in case:
            assert len(result.outcomes) == len(case["outcomes"]), [o.state.value for o in result.outcomes]
            for got, want in zip(result.outcomes, case["outcomes"], strict=True):
                self.check_outcome(got, want)
        for i, text in enumerate(case.get("warnings", [])):
            assert i < len(result.warnings) and text in result.warnings[i], f"warning {text!r}: {result.warnings}"
        if "warnings" in case:
            assert len(result.warnings) == len(case["warnings"]), result.warnings

    @staticmethod
    def check_outcome(got: Any, want: dict[str, Any]) -> None:
        """One outcome against a spec's expected outcome: state (or the older cancelled flag),
        ids, status, code and message exactly; reason contains the given text (none when not given)."""
        keys = ("order_id", "client_id", "status", "error_code", "error_message")
        actual = {k: getattr(got, k) for k in keys}
        expected = {k: want.get(k) for k in keys}
        if "state" in want:
            actual["state"], expected["state"] = got.state.value, want["state"]
        else:
            actual["cancelled"], expected["cancelled"] = got.cancelled, want["cancelled"]
        assert actual == expected, f"outcome:\n  got  {actual}\n  want {expected}"
        if want.get("reason") is None:
            assert got.reason is None, f"unexpected reason: {got.reason}"
        else:
            assert got.reason is not None and want["reason"] in got.reason, f"reason: {got.reason!r}"

    def check_response_variant(self, case: dict[str, Any]) -> None:
        raw = json.dumps(case["body"]).encode("utf-8")
        body = self.package._wire.loads(raw)
        found = [(v.rule, v.path) for v in self.validate_response(body)]
        assert self.response_schema.is_valid(body) == case["valid"]
        client, _ = self.client()
        http = self.package.HttpResponse(200, (("Content-Type", "application/json"),), raw)
        parse = getattr(client, f"parse_{self.operation}")
        if case["valid"]:
            assert found == []
            request = case.get("request", {})
            result = parse(http, request)
            # The outcomes agree with the runtime's interpreter reading the endpoint's plan directly; an
            # endpoint whose spec declares no outcomes (a cancel-all) names no order: none to account for.
            endpoint = importlib.import_module(f"{self.package.__name__}.endpoints.{self.operation}")
            plan = endpoint.__dict__.get("PLAN")
            expected = () if plan is None else self.package.accounting.account(plan, body, request).outcomes
            assert result.response is not None and result.outcomes == expected
        else:
            assert (case["rule"], case["path"]) in found, found
            try:
                parse(http, {})
            except self.package.ResponseError as exc:
                # Refused either by the envelope check (no violations) or by the validator.
                assert not exc.violations or (case["rule"], case["path"]) in [(v.rule, v.path) for v in exc.violations]
            else:
                raise AssertionError("the client parsed a body its spec rejects")

    def check_response_agreement(self, body: Any) -> None:
        """The compiled response validator and the JSON Schema agree on a decoded body."""
        compiled = self.validate_response(body) == []
        schema = self.response_schema.is_valid(body)
        assert compiled == schema, f"validator says {compiled}, schema says {schema}: {body!r}"

    def check_agreement(self, params: Any) -> None:
        """The compiled validator and the JSON Schema agree on whether params are valid."""
        compiled = self.validate_request(params) == [] if isinstance(params, dict) else None
        schema = self.request_schema.is_valid(params)
        if compiled is None:
            assert not schema
        else:
            assert compiled == schema, f"validator says {compiled}, schema says {schema}: {params!r}"


_DROP = object()


def load_contracts(data: Path) -> list[Contract]:
    """Every endpoint's contract under data/ (one folder a venue), in a stable order."""
    return [Contract.load(path) for path in sorted(data.glob("*/*.json"))]


def random_params(contract: Contract) -> Any:
    """A seeded hypothesis strategy: the spec's own cases with random keys dropped or replaced
    by random JSON (unicode strings, big and negative integers, lists and objects), and random
    items of lists replaced, so that many paths and rules are exercised at once."""
    from hypothesis import strategies as st

    seeds = [c["params"] for c in contract.boundary_cases] or [{}]
    keys = sorted(
        {k for p in seeds for k in p}
        | {k for p in seeds for v in p.values() if isinstance(v, list) for i in v if isinstance(i, dict) for k in i}
    )
    words = sorted({v for p in seeds for v in _strings(p)})
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**64), max_value=2**64),
        st.text(max_size=6),
        st.sampled_from(words or ["x"]),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=12) | st.dictionaries(st.sampled_from(keys or ["k"]), inner, max_size=4),
        max_leaves=24,
    )
    edits = st.lists(
        st.tuples(st.sampled_from(keys or ["k"]), st.one_of(st.just(_DROP), values), st.integers(0, 60)), max_size=3
    )
    return st.builds(_mutate, st.sampled_from(seeds), edits)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _mutate(seed: dict[str, Any], edits: list[tuple[str, Any, int]]) -> dict[str, Any]:
    params: dict[str, Any] = json.loads(json.dumps(seed))
    for key, value, index in edits:
        target = params
        lists = [v for v in params.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if key not in params and lists:
            items = lists[0]
            target = items[index % len(items)]
        if not isinstance(target, dict):
            continue
        if value is _DROP:
            target.pop(key, None)
        else:
            target[key] = value
    return params


def random_bodies(contract: Contract) -> Any:
    """A seeded hypothesis strategy of response bodies: the spec's success bodies with values
    anywhere in them replaced or dropped, by random JSON including decimals, integral decimals
    (7.0), huge integers and strings ending in a newline."""
    from decimal import Decimal

    from hypothesis import strategies as st

    seeds = [
        contract.package._wire.loads(c["body"].encode())
        for c in contract.response_cases
        if "error" not in c and 200 <= c["status"] < 300
    ]
    seeds += [v["body"] for v in contract.response_variants]
    if not seeds:
        seeds = [{}]
    keys = sorted({k for s in seeds for k in _keys(s)}) or ["k"]
    words = sorted({w for s in seeds for w in _strings(s)}) or ["x"]
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.decimals(allow_nan=False, allow_infinity=False, places=2),
        st.integers(-5, 5).map(lambda i: Decimal(f"{i}.0")),
        st.sampled_from(words),
        st.sampled_from(words).map(lambda w: w + "\n"),
        st.text(max_size=5),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(keys), inner, max_size=4),
        max_leaves=12,
    )
    edits = st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(keys), st.one_of(st.just(_DROP), values)), max_size=4
    )
    return st.builds(_mutate_deep, st.sampled_from(seeds), edits)


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return list(value) + [k for v in value.values() for k in _keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def _containers(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value] + [c for v in value.values() for c in _containers(v)]
    if isinstance(value, list):
        return [value] + [c for v in value for c in _containers(v)]
    return []


def _mutate_deep(seed: Any, edits: list[tuple[int, str, Any]]) -> Any:
    import copy

    body = copy.deepcopy(seed)
    for where, key, value in edits:
        containers = _containers(body)
        if not containers:
            return value if value is not _DROP else body
        target = containers[where % len(containers)]
        if isinstance(target, dict):
            if value is _DROP:
                target.pop(key, None)
            else:
                target[key] = value
        elif target:
            index = where % len(target)
            if value is _DROP:
                del target[index]
            else:
                target[index] = value
    return body
