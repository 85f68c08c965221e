"""Contract cases derived from a spec: every limit at its boundary, every group with none, one
and both, every enum and pattern with a near miss, wrong types, and response variants.

Derived at generation time and written as JSON (generated/contract_tests/data/<venue>/<op>.json,
one case a line) beside the spec's own cases, so a reviewer sees in the diff exactly which cases
a spec change adds, no template knows any limit, and one shared test module reads them all.
Each case is a dict: name, params (wire-level), valid, and for invalid ones the rule and JSON
path the validator must report.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from specgen.spec.kinds.rules.common import off_values
from specgen.spec.model import Endpoint, Object, Type, Venue
from specgen.spec.text import Data, Ident, Text, unwrap

Case = dict[str, Any]


_v = unwrap


def _all_param_sets(endpoint: Endpoint) -> list[dict[str, Any]]:
    sets = [dict(c.value["params"]) for c in endpoint.tests.request]
    sets += [dict(c.value["params"]) for c in endpoint.tests.malformed]
    sets += [dict(c.value.get("request", {})) for c in endpoint.tests.response]
    return sets


def base_params(endpoint: Endpoint) -> dict[str, Any] | None:
    """A valid call: the first request case, with the client-filled parameters added."""
    if not endpoint.tests.request:
        return None
    params = copy.deepcopy(dict(endpoint.tests.request[0].value["params"]))
    return _with_sources(endpoint, params)


def _with_sources(endpoint: Endpoint, params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in endpoint.params:
        name = p.wire.value
        if p.source == "timestamp":
            out[name] = 1700000000000
        elif name in params:
            out[name] = params[name]
    return out


def sample(endpoint: Endpoint, name: str) -> Any:
    """A value some case of the spec gives this parameter (None if no case does)."""
    for params in _all_param_sets(endpoint):
        value = params.get(name)
        if value is not None and value != []:
            return copy.deepcopy(value)
    return None


def _ordered(endpoint: Endpoint, params: dict[str, Any]) -> dict[str, Any]:
    order = [p.wire.value for p in endpoint.params]
    return {k: params[k] for k in order if k in params} | {k: v for k, v in params.items() if k not in order}


def _using(endpoint: Endpoint, base: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    params = copy.deepcopy(base)
    for other in (o for r in endpoint.rules for o in r.exclusive_with(name)):
        params.pop(other, None)
    params[name] = value
    return _ordered(endpoint, params)


def _case(name: str, params: dict[str, Any], valid: bool, rule: str | None = None, path: str | None = None) -> Case:
    case: Case = {"name": name, "params": params, "valid": valid}
    if not valid:
        case["rule"] = rule
        case["path"] = path
    return case


def _field_sample_by_name(endpoint: Endpoint, name: str) -> Any:
    for params in _all_param_sets(endpoint):
        for v in params.values():
            if isinstance(v, list):
                for item in v:
                    if isinstance(item, dict) and item.get(name) is not None:
                        return item[name]
    return None


@dataclass(frozen=True)
class Scope:
    """The object a rule's cases vary: the call's parameters, or one sample item of a list."""

    value: dict[str, Any]
    put: Callable[[Any], dict[str, Any]]  # the whole call's parameters with the object replaced
    path: str
    label: str  # prefix of case names ("" for the parameters)
    sample: Callable[[str], Any]  # a value some case gives a member

    def name(self, rest: str) -> str:
        return f"{self.label}_{rest}" if self.label else rest


@dataclass(frozen=True)
class CaseKit:
    """What rule kinds build their cases from: a valid call and samples from the spec's cases."""

    endpoint: Endpoint
    base: dict[str, Any]

    def case(
        self, name: str, params: dict[str, Any], valid: bool, rule: str | None = None, path: str | None = None
    ) -> Case:
        return _case(name, params, valid, rule, path)

    def using(self, params: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
        """params with name set to value (and members exclusive with it removed)."""
        return _using(self.endpoint, params, name, value)

    def first_item(self, name: str) -> Any:
        """The first item of a sample of the list parameter name (None when no case gives one)."""
        item = sample(self.endpoint, name)
        return item[0] if isinstance(item, list) and item else None

    def field_sample(self, name: str) -> Any:
        return _field_sample_by_name(self.endpoint, name)

    def param_type(self, name: str) -> Type:
        param = self.endpoint.param(name)
        assert param is not None
        return param.type

    @staticmethod
    def plain(value: Any) -> Any:
        return _v(value)

    @staticmethod
    def copies(value: Any, n: int) -> list[Any]:
        return [copy.deepcopy(value) for _ in range(n)]

    def scope(
        self,
        value: dict[str, Any],
        put: Callable[[Any], dict[str, Any]],
        path: str,
        label: str,
        sample: Callable[[str], Any],
    ) -> Scope:
        return Scope(value, put, path, label, sample)

    def params_scope(self) -> Scope:
        return Scope(self.base, lambda v: _ordered(self.endpoint, v), "$", "", lambda n: sample(self.endpoint, n))


def request_cases(endpoint: Endpoint) -> list[Case]:
    base = base_params(endpoint)
    if base is None:
        return []
    kit = CaseKit(endpoint, base)
    cases: list[Case] = [_case("base", base, True)]
    for p in endpoint.params:
        name = p.wire.value
        if p.required:
            without = _ordered(endpoint, {k: v for k, v in base.items() if k != name})
            cases.append(_case(f"{name}_missing", without, False, "required", f"$.{name}"))
        value = base.get(name, sample(endpoint, name))
        if value is None and p.type.needs_sample:
            continue
        wrong, rule = p.type.wrong_value()
        cases.append(_case(f"{name}_wrong_type", _using(endpoint, base, name, wrong), False, rule, f"$.{name}"))
        free = _unconstrained(endpoint, base, name)
        put = lambda v, name=name, free=free: _using(endpoint, free, name, v)  # noqa: E731
        cases += p.type.value_cases(kit, value, f"$.{name}", put, name)
    cases.append(
        _case("unknown_parameter", {**base, "unknownParam": 1}, False, "additionalProperties", "$.unknownParam")
    )
    for r in endpoint.rules:
        cases += r.cases(kit, kit.params_scope())
    seen: set[str] = set()
    unique: list[Case] = []
    for c in cases:
        if c["name"] not in seen:
            seen.add(c["name"])
            unique.append(c)
    return unique


def _unconstrained(endpoint: Endpoint, base: dict[str, Any], name: str) -> dict[str, Any]:
    """base, moved off any condition that lowers the limits of name (so its own limits are tested)."""
    for limit in endpoint.conditional_limits:
        cond = limit.when.param.value
        if limit.param.value == name and _v(base.get(cond)) in [_v(v) for v in limit.when.values]:
            off = off_values(endpoint.param(cond), limit.when)
            if off:
                base = {**base, cond: off[0]}
    return base


def response_variants(endpoint: Endpoint) -> list[Case]:
    """From each success response case: extra unknown fields (still valid) and each required
    field of the top-level object removed (reported)."""
    out: list[Case] = []
    for c in endpoint.tests.response:
        raw = c.value
        if "error" in raw or "warnings" in raw or not 200 <= raw["status"] < 300:
            continue  # errors, and bodies that break the spec where parsing is tolerant
        body = json.loads(raw["body"])
        request = raw.get("request", {})  # the orders the body answers: outcomes are one per order sent
        out.append(
            {
                "name": f"{raw['name']}_with_unknown_fields",
                "body": _add_unknown(body, endpoint.response),
                "request": request,
                "valid": True,
            }
        )
        if isinstance(endpoint.response, Object) and isinstance(body, dict):
            for f in endpoint.response.fields:
                if f.required and f.wire.value in body:
                    trimmed = {k: v for k, v in body.items() if k != f.wire.value}
                    out.append(
                        {
                            "name": f"{raw['name']}_without_{f.wire.value}",
                            "body": trimmed,
                            "valid": False,
                            "rule": "required",
                            "path": f"$.{f.wire.value}",
                        }
                    )
        if endpoint.response.list_items() is not None and isinstance(body, list):
            out.append(
                {
                    "name": f"{raw['name']}_not_a_list",
                    "body": {"unexpected": body},
                    "valid": False,
                    "rule": "type",
                    "path": "$",
                }
            )
    return out


def _add_unknown(value: Any, type_: Type | None) -> Any:
    """value with a field the spec does not know added to each object in it. Led by the type where it
    is known: a map's keys are data, so an entry added there would be a wrong value, not an unknown field."""
    if isinstance(value, list):
        items = type_.list_items() if type_ is not None else None
        return [_add_unknown(v, items) for v in value]
    if not isinstance(value, dict):
        return value
    entries = type_.map_values() if type_ is not None else None
    if entries is not None:
        return {k: _add_unknown(v, entries) for k, v in value.items()}

    def child(name: str) -> Type | None:
        found = type_.field_named(name) if type_ is not None else None
        return found.type if found is not None else None

    return {**{k: _add_unknown(v, child(k)) for k, v in value.items()}, "fieldAddedLater": {"nested": [1, "x"]}}


def contract_data(venue: Venue, endpoint: Endpoint, provenance: Callable[[], str]) -> bytes:
    """The data file of one endpoint's contract tests: what specgen.contract.Contract.load reads
    (its provenance line is `$comment`, as in the JSON Schemas: asked for once the cases are made,
    since what it digests depends on what making them read)."""
    doc: dict[str, Any] = {
        "package": venue.name.value,
        "operation": endpoint.operation.value,
        "stem": endpoint.stem.value,
        "credentials": _plain(venue.test_credentials),
        "source_params": {p.wire.value: p.source for p in endpoint.params if p.source},
        "params_in": endpoint.params_in,
        "list_encodings": _plain(endpoint.list_encodings),
        **_body_array(endpoint),
        **_path_template(endpoint),
        "request_cases": _plain(endpoint.tests.request),
        "malformed_cases": _plain(endpoint.tests.malformed),
        "response_cases": _plain(endpoint.tests.response),
        "boundary_cases": request_cases(endpoint),
        "response_variants": response_variants(endpoint),
    }
    return _dump({"$comment": provenance(), **doc}).encode("utf-8")


def _path_template(endpoint: Endpoint) -> dict[str, str]:
    """A path with parameters in it (/orders/{id}): the harness reads them back from the URL."""
    if not endpoint.params_in_place("path"):
        return {}
    return {"path_template": endpoint.path.value}


def _body_array(endpoint: Endpoint) -> dict[str, str]:
    """body: array sends its one list parameter as the whole body; the harness reads it back under that name."""
    if endpoint.body_kind != "array":
        return {}
    return {"body_array": endpoint.params_in_place("body")[0].wire.value}


def _plain(value: Any) -> Any:
    """JSON's values for model data (Text, Ident, Data, tuples); anything else JSON cannot carry is an error."""
    if isinstance(value, (Text, Ident, Data)):
        return _plain(value.value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = _plain(k)
            if not isinstance(key, str):
                raise TypeError(f"contract data keys must be strings, not {type(key).__name__}")
            out[key] = _plain(v)
        return out
    # JSON's scalars as json.dumps(allow_nan=False) takes them, without writing each one out.
    if value is None or isinstance(value, (str, int)):  # bool is an int
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"contract data cannot hold {value!r}")
        return value
    raise TypeError(f"contract data cannot hold a {type(value).__name__}")


def _dump(doc: dict[str, Any]) -> str:
    """One key a line and one case a line: small files whose diffs show each case that changed."""

    def one(value: Any) -> str:
        return json.dumps(_plain(value), ensure_ascii=False, allow_nan=False)

    lines = []
    for key, value in doc.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {one(v)}" for v in value)
            lines.append(f"  {one(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
