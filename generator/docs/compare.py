"""Compare what a page states with what its spec says: one Finding per fact they disagree on.

Each finding has a key (`param request max`, `field data.failed presence`) that a spec note names
under `departs:` to say the spec departs from the document on purpose; that silences exactly it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specgen.docs.page import DocField, Page, View
from specgen.docs.prose import Limit
from specgen.docs.spec_side import SpecEndpoint, SpecField
from specgen.spec.kinds import RULE_KINDS, TYPE_KINDS
from specgen.spec.loader import Location

# The classes a document's type words are read as (type_class), and the kinds of value its JSON
# examples show; each type kind says which of them agree with it (Type.document_classes,
# Type.example_classes). A class outside these is not compared.
_DOCUMENT_CLASSES = frozenset({"string", "integer", "number", "numeric", "bool", "list", "object", "enum"})
_EXAMPLE_CLASSES = frozenset({"string", "integer", "number", "bool", "list", "object"})


@dataclass(frozen=True)
class Finding:
    key: str  # e.g. "param request max"
    message: str
    doc_line: int | None
    spec_at: Location


def type_class(word: str | None) -> str | None:
    """ "LIST<LONG>" -> "list", "float64" -> "number", "Object" -> "object"; None when unknown."""
    if not word:
        return None
    w = word.lower()
    if re.search(r"list|array|\[\]", w):
        return "list"
    if re.search(r"object|map|dict|struct", w):
        return "object"
    if re.search(r"bool", w):
        return "bool"
    if re.search(r"float|double|decimal", w):
        return "number"
    if re.search(r"\b(int|integer|long|int32|int64|short)\b", w):
        return "integer"
    if w.strip() == "number":
        return "numeric"
    if re.search(r"enum", w):
        return "enum"
    if re.search(r"str|text|char", w):
        return "string"
    return None


def item_class(word: str | None) -> str | None:
    m = re.search(r"<\s*([^>]+)>|^\s*(\w+)\s*\[\]", word or "")
    return type_class(m.group(1) or m.group(2)) if m else None


def compare(page: Page, spec: SpecEndpoint) -> list[Finding]:
    out: list[Finding] = []
    if page.request_line is not None or spec.params:
        _compare_level(page.request, spec.params, "param", "", ("params",), page.request_line, spec, out)
        _unstated_maxima(page, spec, out)
    _endpoint_limits(page, spec, out)
    _compare_response(page, spec, out)
    return out


def _compare_level(
    docs: dict[str, DocField],
    specs: dict[str, SpecField],
    kind: str,
    prefix: str,
    at: Location,
    table_line: int | None,
    spec: SpecEndpoint,
    out: list[Finding],
    query: bool | None = None,
) -> None:
    query = spec.data["http"].get("params_in") == "query" if query is None else query
    for name, d in docs.items():
        path = prefix + name
        s = specs.get(name)
        if s is None:
            out.append(Finding(f"{kind} {path} presence", f"the document lists {path}; the spec does not", d.line, at))
            continue
        _compare_field(d, s, kind, path, spec, out, query and not prefix)
        _compare_level(d.children, s.children, kind, path + ".", s.at, d.line, spec, out, query)
    for name, s in specs.items():
        if name not in docs:
            path = prefix + name
            out.append(
                Finding(f"{kind} {path} presence", f"the spec has {path}; the document does not", table_line, s.at)
            )


def _compare_field(
    d: DocField, s: SpecField, kind: str, path: str, spec: SpecEndpoint, out: list[Finding], query: bool
) -> None:
    key = f"{kind} {path}"
    if d.required is not None and d.required != s.required:
        said = "required" if d.required else "optional"
        out.append(
            Finding(
                f"{key} required",
                f"the document marks {path} {said}; the spec {'requires it' if s.required else 'does not require it'}",
                d.line,
                s.at + ("required",) if s.required else s.at,
            )
        )
    cls = d.type if d.from_example else type_class(d.type)
    spec_kind = s.type_kind
    known, agree = (
        (_EXAMPLE_CLASSES, spec_kind.example_classes)
        if d.from_example
        else (_DOCUMENT_CLASSES, spec_kind.document_classes)
    )
    # ids=1,2,3 is a list sent as one string
    wire_string = s.is_list and cls == "string" and ("encoding" in s.facts or d.encoding == "comma")
    if cls in known and cls not in agree and not wire_string:
        out.append(
            Finding(f"{key} type", f"the document types {path} {d.type}; the spec {s.kind}", d.line, s.at + ("type",))
        )
    items = item_class(d.type)
    item_kind = TYPE_KINDS.get(s.item_kind or "")
    if item_kind is not None and items in _DOCUMENT_CLASSES and items not in item_kind.document_classes:
        out.append(
            Finding(
                f"{key} items",
                f"the document lists {path} as {d.type}; the spec's items are {s.item_kind}",
                d.line,
                s.at + ("items",),
            )
        )
    for lim in d.limits:
        _compare_limit(lim, s, key, path, out)
    booleans = "bool" in spec_kind.document_classes and {v.lower() for v in d.values} <= {"true", "false"}
    if d.values and not booleans:  # true, false listed for a boolean is the type's own two values
        have = tuple(s.facts.get("values", ()))
        if not have:
            out.append(
                Finding(
                    f"{key} values",
                    f"the document lists values {', '.join(d.values)} for {path}; the spec has no enum",
                    d.line,
                    s.at + ("type",),
                )
            )
        else:
            extra = [v for v in d.values if v not in have]
            missing = [v for v in have if v not in d.values]
            if extra or missing:
                said = "; ".join(
                    x
                    for x in (
                        f"the document adds {', '.join(extra)}" if extra else "",
                        f"the spec adds {', '.join(str(m) for m in missing)}" if missing else "",
                    )
                    if x
                )
                out.append(Finding(f"{key} values", f"values of {path} differ: {said}", d.line, s.at + ("values",)))
    if query and s.is_list and d.encoding and s.facts.get("encoding") not in (None, d.encoding):
        out.append(
            Finding(
                f"{key} encoding",
                f"the document writes {path} as {d.encoding}; the spec encodes it {s.facts['encoding']}",
                d.line,
                s.at + ("encoding",),
            )
        )


def _limit_key(lim: Limit, s: SpecField) -> str | None:
    """Which spec key a stated limit is about, from the parameter's type."""
    return s.type_kind.limit_key(lim.bound, lim.measure)


def _compare_limit(lim: Limit, s: SpecField, key: str, path: str, out: list[Finding]) -> None:
    spec_key = _limit_key(lim, s)
    if spec_key is None:
        return
    have = s.facts.get(spec_key)
    if have != lim.n:
        said = f"{spec_key} {have}" if have is not None else f"no {spec_key}"
        out.append(
            Finding(
                f"{key} {lim.bound}",
                f'the document says "{lim.words}" for {path}; the spec has {said}',
                lim.line,
                s.at + ((spec_key,) if have is not None else ()),
            )
        )


_MAXIMA = ("max_items", "max_length", "maximum")
# Constraints a spec may add that a document rarely states: each must come from the document or
# from a note (departs), so that no assumption goes unmarked.
_ADDED = {"min_items": "min", "min_length": "min", "minimum": "min", "pattern": "pattern"}
_ADDED_ITEMS = {"items.min_length": "item_min", "items.minimum": "item_min", "items.pattern": "item_pattern"}


def _unstated_maxima(page: Page, spec: SpecEndpoint, out: list[Finding]) -> None:
    """A maximum the spec sets on a documented parameter but the document states nowhere (it was
    removed from the page, or never there): the spec may be refusing calls the venue accepts."""
    prose = [lim for lim in page.limits if lim.bound == "max" and lim.measure == "count"]

    def walk(docs: dict[str, DocField], specs: dict[str, SpecField], prefix: str, top: bool) -> None:
        for name, d in docs.items():
            s = specs.get(name)
            if s is None:
                continue
            stated = {_limit_key(lim, s) for lim in d.limits if lim.bound == "max"}
            if top and s.is_list and prose:
                stated.add("max_items")
            stated_min = {_limit_key(lim, s) for lim in d.limits if lim.bound == "min"}
            for key, fact in {**_ADDED, **_ADDED_ITEMS}.items():
                if key in s.facts and key not in stated_min:
                    out.append(
                        Finding(
                            f"param {prefix}{name} {fact}",
                            f"the spec sets {key} {s.facts[key]} on {prefix}{name}; the document does not state it",
                            d.line,
                            s.at + tuple(key.split(".")),
                        )
                    )
            for key in _MAXIMA:
                if key in s.facts and key not in stated:
                    out.append(
                        Finding(
                            f"param {prefix}{name} max",
                            f"the spec has {key} {s.facts[key]} for {prefix}{name}; the document states no maximum",
                            d.line,
                            s.at + (key,),
                        )
                    )
            walk(d.children, s.children, f"{prefix}{name}.", False)

    walk(page.request, spec.params, "", True)


def _endpoint_limits(page: Page, spec: SpecEndpoint, out: list[Finding]) -> None:
    """Limits the prose states for the request as a whole: about its list parameters."""
    lists = [s for name, s in spec.params.items() if s.is_list and (name in page.request or not page.request)]
    for lim in page.limits:
        if lim.measure != "count":
            continue  # a number in prose that counts nothing ("a maximum value of 60") is not a list's size
        for s in lists:
            if not lim.when:
                _compare_limit(lim, s, f"param {s.name}", s.name, out)
                continue
            for value in lim.when:
                have, at = _effective_max(spec, s, value)
                if have != lim.n:
                    out.append(
                        Finding(
                            f"param {s.name} max when {value}",
                            f'the document says "{lim.words}"; the spec allows {have} items of {s.name} for {value}',
                            lim.line,
                            at,
                        )
                    )


def _effective_max(spec: SpecEndpoint, s: SpecField, value: str) -> tuple[object, Location]:
    """The largest list a call may send when some parameter has this value: conditional rules first."""
    best: tuple[object, Location] = (s.facts.get("max_items"), s.at + ("max_items",))
    for i, rule in enumerate(spec.data.get("rules", []) or []):
        kind = RULE_KINDS.get(rule.get("kind"))
        limit = None if kind is None else kind.spec_limit(rule, s.name, value)
        if limit is not None and (not isinstance(best[0], int) or limit < best[0]):
            best = (limit, ("rules", i, "max"))
    return best


def _nodes(f: SpecField, path: str, depth: int) -> list[tuple[int, str, SpecField]]:
    out = [(depth, path, f)]
    for name, child in f.children.items():
        out.extend(_nodes(child, f"{path}{name}.", depth + 1))
    return out


def _compare_response(page: Page, spec: SpecEndpoint, out: list[Finding]) -> None:
    if not page.responses:
        return
    nodes = _nodes(spec.response, "", 0)
    stated: set[str] = set()
    for view in page.responses:
        depth, prefix, anchor = max(nodes, key=lambda n: (len(set(view.fields) & set(n[2].children)), -n[0]))
        _compare_view(view, view.fields, anchor.children, prefix, spec, out, stated, anchor.at)
    for _, prefix, node in nodes:
        for name, child in node.children.items():
            path = prefix + name
            if path not in stated and _parent(path) in stated | {""}:
                out.append(
                    Finding(
                        f"field {path} presence",
                        f"the spec has response field {path}; the document does not show it",
                        page.responses[0].line,
                        child.at,
                    )
                )


def _parent(path: str) -> str:
    return path.rpartition(".")[0]


def _compare_view(
    view: View,
    docs: dict[str, DocField],
    specs: dict[str, SpecField],
    prefix: str,
    spec: SpecEndpoint,
    out: list[Finding],
    stated: set[str],
    parent_at: Location,
) -> None:
    for name, d in docs.items():
        path = prefix + name
        s = specs.get(name)
        if s is None:
            what = "example" if view.kind == "example" else "table"
            out.append(
                Finding(
                    f"field {path} presence",
                    f"the document's response {what} shows {path}; the spec does not",
                    d.line,
                    parent_at,
                )
            )
            continue
        stated.update(_ancestors(path))
        _compare_field(d, s, "field", path, spec, out, False)
        _compare_view(view, d.children, s.children, path + ".", spec, out, stated, s.at)


def _ancestors(path: str) -> list[str]:
    parts = path.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]
