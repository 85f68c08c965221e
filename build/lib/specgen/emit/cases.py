"""Contract cases derived from a spec: every limit at its boundary, every group with none, one
and both, every enum and pattern with a near miss, wrong types, and response variants.

Derived at generation time and written into the contract-test modules as data, so a reviewer
sees in the diff exactly which cases a spec change adds, and no template knows any limit.
Each case is a dict: name, params (wire-level), valid, and for invalid ones the rule and JSON
path the validator must report.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from specgen.emit.json_schema import ends_at_end
from specgen.spec.model import Endpoint, Field, Rule, Type
from specgen.spec.text import unwrap

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


def _group_of(endpoint: Endpoint, name: str) -> list[str]:
    """The other members of exclusive groups name belongs to (they must be absent to use it)."""
    others: list[str] = []
    for r in endpoint.rules:
        if r.kind in ("exactly_one_of", "at_most_one_of") and any(p.value == name for p in r.params):
            others += [p.value for p in r.params if p.value != name]
    return others


def _using(endpoint: Endpoint, base: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    params = copy.deepcopy(base)
    for other in _group_of(endpoint, name):
        params.pop(other, None)
    params[name] = value
    return _ordered(endpoint, params)


def _case(name: str, params: dict[str, Any], valid: bool, rule: str | None = None, path: str | None = None) -> Case:
    case: Case = {"name": name, "params": params, "valid": valid}
    if not valid:
        case["rule"] = rule
        case["path"] = path
    return case


def _wrong_type(t: Type) -> tuple[Any, str]:
    if t.kind in ("string", "decimal"):
        return 12345, "type"
    if t.kind == "enum":
        return [], "enum"
    if t.kind in ("int64", "float", "bool"):
        return "1", "type"
    if t.kind == "list":
        return "not-a-list", "type"
    return "not-an-object", "type"


def _outside_enum(t: Type) -> Any:
    values: list[Any] = [_v(v) for v in t.values]
    if all(isinstance(v, int) for v in values):
        return max(values) + 1
    candidate = f"{values[0]}_x"
    while candidate in values:
        candidate += "x"
    return candidate


def near_miss(pattern: str, value: str) -> str | None:
    """A string close to value that the pattern rejects."""
    rx = re.compile(pattern)
    for candidate in (
        value.lower(),
        value.upper(),
        value + " ",
        " " + value,
        value + "!",
        value + "\n",
        "é" + value,
        "",
    ):
        if candidate != value and not rx.search(candidate):
            return candidate
    return None


def _list_cases(endpoint: Endpoint, base: dict[str, Any], p: Field, cases: list[Case]) -> None:
    name = p.wire.value
    t = p.type
    item = sample(endpoint, name)
    if not isinstance(item, list) or not item:
        return
    first = item[0]
    path = f"$.{name}"
    # Test the list's own limits where no conditional limit lowers them.
    for r in endpoint.conditional_limits:
        if (
            r.param is not None
            and r.param.value == name
            and r.when is not None
            and _v(base.get(r.when.param.value)) in [_v(v) for v in r.when.values]
        ):
            cond_type = endpoint.param(r.when.param.value).type  # type: ignore[union-attr]
            off = [_v(v) for v in cond_type.values if v not in r.when.values]
            if off:
                base = {**base, r.when.param.value: off[0]}

    def of(n: int) -> list[Any]:
        return [copy.deepcopy(first) for _ in range(n)]

    if t.max_items is not None:
        cases.append(_case(f"{name}_at_max_{t.max_items}", _using(endpoint, base, name, of(t.max_items)), True))
        cases.append(
            _case(
                f"{name}_over_max_{t.max_items + 1}",
                _using(endpoint, base, name, of(t.max_items + 1)),
                False,
                "maxItems",
                path,
            )
        )
    if t.min_items is not None and t.min_items > 0:
        cases.append(_case(f"{name}_at_min_{t.min_items}", _using(endpoint, base, name, of(t.min_items)), True))
        cases.append(
            _case(f"{name}_below_min", _using(endpoint, base, name, of(t.min_items - 1)), False, "minItems", path)
        )
    elif t.min_items is None:
        cases.append(_case(f"{name}_empty", _using(endpoint, base, name, []), True))
    items = t.items
    assert items is not None
    _value_cases(
        endpoint, base, items, first, f"{path}[0]", lambda v: _using(endpoint, base, name, [v]), f"{name}_item", cases
    )


def _value_cases(
    endpoint: Endpoint, base: dict[str, Any], t: Type, value: Any, path: str, put: Any, label: str, cases: list[Case]
) -> None:
    """Near misses for one value (a parameter, a list item or an object field)."""
    if t.kind == "enum":
        cases.append(_case(f"{label}_outside_enum", put(_outside_enum(t)), False, "enum", path))
    if t.kind == "string" and isinstance(value, str):
        if t.pattern is not None:
            miss = near_miss(t.pattern.value, value)
            if miss is not None:
                cases.append(_case(f"{label}_pattern_near_miss", put(miss), False, "pattern", path))
            if ends_at_end(t.pattern.value) and re.search(t.pattern.value, value):
                # Python's `$` would let this through; ECMA-262's (and the venue's) would not.
                cases.append(_case(f"{label}_pattern_trailing_newline", put(value + "\n"), False, "pattern", path))
        if t.min_length is not None and t.min_length > 0:
            cases.append(_case(f"{label}_below_min_length", put("é" * (t.min_length - 1)), False, "minLength", path))
            if t.pattern is None:
                cases.append(_case(f"{label}_at_min_length_unicode", put("é" * t.min_length), True))
        if t.max_length is not None:
            if t.pattern is None:
                cases.append(_case(f"{label}_at_max_length_unicode", put("€" * t.max_length), True))
            cases.append(_case(f"{label}_over_max_length", put("€" * (t.max_length + 1)), False, "maxLength", path))
    if t.kind in ("int64", "float"):
        if t.minimum is not None:
            cases.append(_case(f"{label}_at_minimum", put(t.minimum), True))
            cases.append(_case(f"{label}_below_minimum", put(t.minimum - 1), False, "range", path))
        if t.maximum is not None:
            cases.append(_case(f"{label}_at_maximum", put(t.maximum), True))
            cases.append(_case(f"{label}_above_maximum", put(t.maximum + 1), False, "range", path))
    if t.kind == "object" and isinstance(value, dict):
        for f in t.fields:
            fname = f.wire.value
            if f.required:
                item = {k: v for k, v in value.items() if k != fname}
                cases.append(_case(f"{label}_without_{fname}", put(item), False, "required", f"{path}.{fname}"))
            fval = value.get(fname, _field_sample_by_name(endpoint, fname))
            if fval is not None:
                wrong, rule = _wrong_type(f.type)
                cases.append(
                    _case(f"{label}_{fname}_wrong_type", put({**value, fname: wrong}), False, rule, f"{path}.{fname}")
                )
                _value_cases(
                    endpoint,
                    base,
                    f.type,
                    fval,
                    f"{path}.{fname}",
                    lambda v, fname=fname: put({**value, fname: v}),
                    f"{label}_{fname}",
                    cases,
                )
        cases.append(
            _case(
                f"{label}_unknown_field",
                put({**value, "unknownField": "x"}),
                False,
                "additionalProperties",
                f"{path}.unknownField",
            )
        )
        for r in t.rules:
            _item_group_cases(endpoint, r.kind, [f.value for f in r.fields], value, path, put, label, cases)


def _item_group_cases(
    endpoint: Endpoint,
    kind: str,
    names: list[str],
    value: dict[str, Any],
    path: str,
    put: Any,
    label: str,
    cases: list[Case],
) -> None:
    stripped = {k: v for k, v in value.items() if k not in names}
    samples = {n: value.get(n, _field_sample_by_name(endpoint, n)) for n in names}
    if any(s is None for s in samples.values()):
        return
    cases.append(
        _case(
            f"{label}_{kind}_none",
            put(stripped),
            kind == "at_most_one_of",
            None if kind == "at_most_one_of" else kind,
            path,
        )
    )
    cases.append(_case(f"{label}_{kind}_one", put({**stripped, names[0]: samples[names[0]]}), True))
    both = {**stripped, **samples}
    cases.append(
        _case(
            f"{label}_{kind}_all",
            put(both),
            kind == "at_least_one_of",
            None if kind == "at_least_one_of" else kind,
            path,
        )
    )


def _field_sample_by_name(endpoint: Endpoint, name: str) -> Any:
    for params in _all_param_sets(endpoint):
        for v in params.values():
            if isinstance(v, list):
                for item in v:
                    if isinstance(item, dict) and item.get(name) is not None:
                        return item[name]
    return None


def _rule_cases(endpoint: Endpoint, base: dict[str, Any], r: Rule, cases: list[Case]) -> None:
    if r.is_group:
        names = [p.value for p in r.params]
        samples = {n: sample(endpoint, n) for n in names}
        if any(s is None for s in samples.values()):
            return
        stripped = {k: v for k, v in base.items() if k not in names}
        none_ok = r.kind == "at_most_one_of"
        all_ok = r.kind == "at_least_one_of"
        cases.append(_case(f"{r.kind}_none", _ordered(endpoint, stripped), none_ok, None if none_ok else r.kind, "$"))
        for n in names:
            cases.append(_case(f"{r.kind}_only_{n}", _ordered(endpoint, {**stripped, n: samples[n]}), True))
        cases.append(
            _case(f"{r.kind}_all", _ordered(endpoint, {**stripped, **samples}), all_ok, None if all_ok else r.kind, "$")
        )
        return
    assert r.param is not None
    name = r.param.value
    item = sample(endpoint, name)
    if not isinstance(item, list) or not item:
        return
    first = item[0]
    if r.kind == "max_items_when":
        assert r.when is not None and r.max is not None
        cond = r.when.param.value
        on = _v(r.when.values[0])
        limit = endpoint.param(name).type.max_items  # type: ignore[union-attr]
        on_params = {**base, cond: on}
        cases.append(
            _case(
                f"{name}_at_max_when_{cond}_{on}",
                _using(endpoint, on_params, name, [copy.deepcopy(first) for _ in range(r.max)]),
                True,
            )
        )
        cases.append(
            _case(
                f"{name}_over_max_when_{cond}_{on}",
                _using(endpoint, on_params, name, [copy.deepcopy(first) for _ in range(r.max + 1)]),
                False,
                "max_items_when",
                f"$.{name}",
            )
        )
        cond_type = endpoint.param(cond).type  # type: ignore[union-attr]
        off = [_v(v) for v in cond_type.values if v not in r.when.values] if cond_type.kind == "enum" else []
        if off and (limit is None or limit > r.max):
            count = r.max + 1
            cases.append(
                _case(
                    f"{name}_{count}_when_{cond}_{off[0]}",
                    _using(endpoint, {**base, cond: off[0]}, name, [copy.deepcopy(first) for _ in range(count)]),
                    True,
                )
            )
    elif r.kind == "item_required_when":
        assert r.when is not None and r.field is not None
        cond, field = r.when.param.value, r.field.value
        on = _v(r.when.values[0])
        without = {k: v for k, v in first.items() if k != field} if isinstance(first, dict) else first
        cases.append(
            _case(
                f"{name}_item_without_{field}_when_{cond}_{on}",
                _using(endpoint, {**base, cond: on}, name, [without]),
                False,
                "item_required_when",
                f"$.{name}[0].{field}",
            )
        )
        cond_type = endpoint.param(cond).type  # type: ignore[union-attr]
        off = [_v(v) for v in cond_type.values if v not in r.when.values] if cond_type.kind == "enum" else []
        if off:
            cases.append(
                _case(
                    f"{name}_item_without_{field}_when_{cond}_{off[0]}",
                    _using(endpoint, {**base, cond: off[0]}, name, [without]),
                    True,
                )
            )
    elif r.kind == "same_fields_across_items":
        names = [f.value for f in r.fields]
        samples = {n: _field_sample_by_name(endpoint, n) for n in names}
        if any(s is None for s in samples.values()) or not isinstance(first, dict):
            return
        keep = {k: v for k, v in first.items() if k not in names}
        a = {**keep, names[0]: samples[names[0]]}
        b = {**keep, names[1]: samples[names[1]]}
        cases.append(
            _case(
                f"{name}_mixed_identifiers",
                _using(endpoint, base, name, [a, b]),
                False,
                "same_fields_across_items",
                f"$.{name}",
            )
        )
        cases.append(_case(f"{name}_same_identifiers", _using(endpoint, base, name, [a, copy.deepcopy(a)]), True))
        cases.append(
            _case(
                f"{name}_all_identifiers_everywhere",
                _using(endpoint, base, name, [{**keep, **samples}, {**keep, **samples}]),
                True,
            )
        )


def request_cases(endpoint: Endpoint) -> list[Case]:
    base = base_params(endpoint)
    if base is None:
        return []
    cases: list[Case] = [_case("base", base, True)]
    for p in endpoint.params:
        name = p.wire.value
        if p.required:
            cases.append(
                _case(
                    f"{name}_missing",
                    _ordered(endpoint, {k: v for k, v in base.items() if k != name}),
                    False,
                    "required",
                    f"$.{name}",
                )
            )
        value = base.get(name, sample(endpoint, name))
        if value is None and p.type.kind not in ("int64",):
            continue
        wrong, rule = _wrong_type(p.type)
        cases.append(_case(f"{name}_wrong_type", _using(endpoint, base, name, wrong), False, rule, f"$.{name}"))
        if p.type.kind == "list":
            _list_cases(endpoint, base, p, cases)
        else:
            _value_cases(
                endpoint,
                base,
                p.type,
                value,
                f"$.{name}",
                lambda v, name=name: _using(endpoint, base, name, v),
                name,
                cases,
            )
    cases.append(
        _case("unknown_parameter", {**base, "unknownParam": 1}, False, "additionalProperties", "$.unknownParam")
    )
    for r in endpoint.rules:
        _rule_cases(endpoint, base, r, cases)
    seen: set[str] = set()
    unique: list[Case] = []
    for c in cases:
        if c["name"] not in seen:
            seen.add(c["name"])
            unique.append(c)
    return unique


def response_variants(endpoint: Endpoint) -> list[Case]:
    """From each success response case: extra unknown fields (still valid) and each required
    field of the top-level object removed (reported)."""
    import json

    out: list[Case] = []
    for c in endpoint.tests.response:
        raw = c.value
        if "error" in raw or not 200 <= raw["status"] < 300:
            continue
        body = json.loads(raw["body"])
        out.append({"name": f"{raw['name']}_with_unknown_fields", "body": _add_unknown(body), "valid": True})
        if endpoint.response.kind == "object" and isinstance(body, dict):
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
        if endpoint.response.kind == "list" and isinstance(body, list):
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


def _add_unknown(value: Any) -> Any:
    if isinstance(value, dict):
        return {**{k: _add_unknown(v) for k, v in value.items()}, "fieldAddedLater": {"nested": [1, "x"]}}
    if isinstance(value, list):
        return [_add_unknown(v) for v in value]
    return value
