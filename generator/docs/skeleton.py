"""`specgen new endpoint VENUE --from PAGE.md`: a spec to start from, written from the page's tables.

Everything the page states is carried over (parameters with types, required-ness, nesting, limits,
listed values; the response's fields from its example or table); everything it does not is given
a safe default and a note saying so, for the author to decide. The result passes `validate`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml
from specgen.config import Config
from specgen.docs.compare import item_class, type_class
from specgen.docs.page import DocField, Page, read_page
from specgen.errors import SpecError, SpecErrors
from specgen.spec.kinds import TYPE_KINDS
from specgen.spec.kinds.language import LANGUAGE
from specgen.spec.kinds.rules.max_items_when import MaxItemsWhen
from specgen.spec.naming import pascal

_SCALAR = {"string": "string", "integer": "int64", "number": "decimal", "numeric": "decimal", "bool": "bool"}
_EXAMPLE = {"string": "string", "integer": "int64", "number": "decimal", "bool": "bool"}


class _Notes:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, about: str, decision: str, departs: list[str] | None = None) -> None:
        self.items.append({"about": about, "decision": decision, **({"departs": departs} if departs else {})})


def operation_name(page: Page) -> str:
    words = re.sub(r"\([^)]*\)", " ", page.title)
    name = "_".join(w.lower() for w in re.findall(r"[A-Za-z0-9]+", words))
    if not name or not name[0].isalpha():
        tail = (page.path or "/endpoint").rstrip("/").rsplit("/", 1)[-1]
        name = "_".join(w.lower() for w in re.findall(r"[A-Za-z][a-z0-9]*", tail)) or "endpoint"
    return name


def skeleton(page: Page, venue: dict[str, Any], snapshot: str, digest: str, operation: str) -> dict[str, Any]:
    notes = _Notes()
    notes.add(
        f"This spec was started by `specgen new endpoint` from {Path(snapshot).name}.",
        "Review every fact against the document; add rules, outcomes, tests and a summary in your own words.",
    )
    method = page.method or "POST"
    path = page.path or ""
    if page.method is None:
        notes.add("The page names no HTTP method and path.", "POST is a placeholder: set http.method and http.path.")
    if not re.fullmatch(r"(/([A-Za-z0-9._-]+|\{[A-Za-z0-9_]+\}))+", path):  # /orders/{id}: path templating
        if path:
            notes.add(f"The page's path {path} has parts the spec language cannot express.", "Set http.path.")
        path = f"/{operation}"
    params_in = "query" if method in ("GET", "DELETE") else "body"
    notes.add(
        f"The page does not say plainly where the parameters travel; the method is {method}.",
        f"params_in: {params_in}, as is usual for {method}: check the page's examples.",
    )
    text = "\n".join(page.lines)
    signed = bool(re.search(r"sign|HMAC|TRADE|private|authenticat|API[- ]?KEY", text, re.I))
    notes.add(
        "Whether the endpoint is signed is read from words such as signature, HMAC, TRADE or private.",
        f"signed: {str(signed).lower()}; check it.",
    )
    stem = pascal(operation)
    params = [_param(d, stem, notes, params_in == "query") for d in page.request.values()]
    for name in re.findall(r"\{([A-Za-z0-9_]+)\}", path):  # a parameter the path carries is required there
        named = next((p for p in params if p["name"] == name), None)
        if named is None:
            named = {"name": name, "type": "string"}
            params.insert(0, named)
            notes.add(
                f"The path names {name}, which no parameter table lists.",
                "It is a required string.",
                [f"param {name} presence"],
            )
        named["required"] = True
    _signing_params(params, venue, signed, notes)
    rules = _request_limits(page, params, notes)
    if not page.request:
        notes.add("The page has no parameter table that could be read.", "The spec lists no parameters.")
    spec: dict[str, Any] = {
        "kind": "endpoint",
        "language": LANGUAGE,
        "operation": operation,
        "summary": page.title or operation.replace("_", " "),
        "source": {"snapshot": snapshot, "sha256": digest},
        "http": {"method": method, "path": path, "params_in": params_in},
        "signed": signed,
        "params": params,
        **({"rules": rules} if rules else {}),
        "response": {"body": _response(page, stem, notes)},
    }
    spec["notes"] = notes.items
    return spec


def _request_limits(page: Page, params: list[dict[str, Any]], notes: _Notes) -> list[dict[str, Any]]:
    """Limits the prose states for the whole request: on its lists, conditional ones as rules."""
    lists = [p for p in params if p["type"] == "list"]
    rules: list[dict[str, Any]] = []
    by_n: dict[int, list[str]] = {}
    for lim in page.limits:
        if lim.measure == "value":
            continue
        if not lim.when:
            for p in lists:
                p.setdefault(f"{lim.bound}_items", lim.n)
        elif lim.bound == "max":
            by_n.setdefault(lim.n, []).extend(lim.when)
    if not by_n or not lists:
        return rules
    top = max(by_n)
    for p in lists:
        p.setdefault("max_items", top)
    for n, values in sorted(by_n.items()):
        if n == top:
            continue
        on = next((q for q in params if q["type"] == "enum" and set(values) <= set(q["values"])), None)
        if on is None:
            notes.add(f"The page limits lists to {n} items for {', '.join(values)}.", "Not expressed: add a rule.")
            continue
        for p in lists:
            rules.append(MaxItemsWhen.spec(p["name"], n, on["name"], values))
    return rules


def _param(d: DocField, model: str, notes: _Notes, query: bool) -> dict[str, Any]:
    out = _value(d, model, notes, query)
    if d.required is None:
        notes.add(f"The page does not say whether {d.name} is required.", "It is optional here.")
    return {"name": d.name, **out, **({"required": True} if d.required else {}), **_description(d)}


def _description(d: DocField) -> dict[str, str]:
    return {"description": d.description} if d.description else {}


def _value(d: DocField, model: str, notes: _Notes, query: bool, prefix: str = "") -> dict[str, Any]:
    """The type of one documented value, with its limits."""
    cls = type_class(d.type)
    if d.values and cls in (None, "string", "enum"):
        return {"type": "enum", "values": list(d.values)}
    if cls == "string" and d.encoding == "comma":
        cls = "list"  # ids=1,2,3: a list written as one string
    out: dict[str, Any]
    if cls == "list" or (cls is None and d.children):
        items: dict[str, Any]
        if d.children:
            item_model = f"{model}{pascal(d.name)}Item"
            items = {"type": "object", "model": item_model, "fields": _fields(d, item_model, notes, prefix)}
        else:
            item = item_class(d.type)
            items = {"type": _SCALAR.get(item or "", "string")}
            if item is None:
                notes.add(f"The page does not type the items of {d.name} ({d.type}).", "They are strings here.")
        out = {"type": "list", "items": items}
        if query:
            out["encoding"] = d.encoding or "json"
            if d.encoding is None:
                notes.add(f"The page does not show how {d.name} is written in a query.", "encoding: json here.")
    elif cls == "object" or d.children:
        sub = f"{model}{pascal(d.name)}"
        out = {"type": "object", "model": sub, "fields": _fields(d, sub, notes, prefix)}
    else:
        out = {"type": _SCALAR.get(cls or "", "string")}
        if cls is None:
            notes.add(f"The page types {d.name} as {d.type!r}, which was not recognised.", "It is a string here.")
    for lim in d.limits:
        if lim.when:
            continue
        key = TYPE_KINDS[out["type"]].limit_key(lim.bound, lim.measure)
        if key is not None:
            out[key] = lim.n
    if out.get("type") == "list" and "min_items" not in out:
        out["min_items"] = 1
        notes.add(
            f"The page gives no minimum for {prefix}{d.name}.",
            "At least one item (an empty list names nothing).",
            [f"param {prefix}{d.name} min"],
        )
    return out


def _fields(d: DocField, model: str, notes: _Notes, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            **_value(c, model, notes, False, f"{prefix}{d.name}."),
            **({"required": True} if c.required else {}),
            **_description(c),
        }
        for c in d.children.values()
    ]


def _signing_params(params: list[dict[str, Any]], venue: dict[str, Any], signed: bool, notes: _Notes) -> None:
    """The values the client fills in (timestamp, nonce, receive window, the signing's extra values),
    where the venue's signing sends them among the parameters (the query, or the body)."""
    auth = venue.get("auth", {})
    # (source, its placement, listed when the page leaves it out, required, an extra value: text, not a time)
    wanted = [
        (k, auth.get(k), k != "recv_window", k == "timestamp", False) for k in ("timestamp", "nonce", "recv_window")
    ]
    wanted += [(x["name"], x, True, False, True) for x in auth.get("extra", [])]
    for source, place, listed, required, extra in wanted:
        if not signed or not place or place.get("in") not in ("query", "body"):
            continue
        found = next((p for p in params if p["name"] == place["name"]), None)
        if found is None and listed:
            found = {
                "name": place["name"],
                "type": "string" if extra else "int64",
                **({"required": True} if required else {}),
            }
            params.append(found)
            notes.add(
                f"The page does not list {place['name']}, which the venue's signing sends in the {place['in']}.",
                "It is listed, filled in by the client.",
                [f"param {place['name']} presence"],
            )
        if found is not None and extra:
            found.update({"type": "string", "source": source})
            found.pop("required", None)
        elif found is not None:
            if found["type"] != "int64":
                notes.add(
                    f"The page types {place['name']} {found['type']}; the client fills it in as milliseconds.",
                    "int64, as the venue's signing sends it.",
                    [f"param {place['name']} type"],
                )
            found.update({"type": "int64", "source": source})
            if required:
                found["required"] = True


def _response(page: Page, stem: str, notes: _Notes) -> dict[str, Any]:
    example = next((v for v in page.responses if v.kind == "example"), None)
    view = example or next(iter(page.responses), None)
    if view is None:
        notes.add("The page shows no response.", "The body is any object; describe it before use.")
        return {"type": "object", "model": f"{stem}Response", "fields": []}
    if example is None:
        notes.add(
            "The page tabulates response fields but shows no example, so their envelope is unknown.",
            "The body is taken to be the tabulated object; check a live response.",
        )
    tree = dict(view.fields)
    for other in page.responses:
        if other is not view:
            _graft(tree, other.fields)
    fields = [_response_field(c, f"{stem}Response", notes) for c in tree.values()]
    body: dict[str, Any] = {"type": "object", "model": f"{stem}Response", "fields": fields}
    if view.root == "list":
        body = {"type": "list", "items": {**body, "model": f"{stem}Entry"}}
    notes.add(
        "The response fields come from the page; whether each is always present is not stated.",
        "Every response field is optional.",
    )
    return body


def _graft(tree: dict[str, DocField], view: dict[str, DocField]) -> None:
    """Add a table's fields to an example's tree, where the table's names fit best (a table may
    describe only the inside of the envelope the example shows)."""

    def nodes(level: dict[str, DocField], depth: int) -> list[tuple[int, dict[str, DocField]]]:
        out = [(depth, level)]
        for child in level.values():
            out.extend(nodes(child.children, depth + 1))
        return out

    _, anchor = max(nodes(tree, 0), key=lambda n: (len(set(view) & set(n[1])), -n[0]))
    merge(anchor, view)


def merge(into: dict[str, DocField], extra: dict[str, DocField]) -> None:
    for name, d in extra.items():
        if name not in into:
            into[name] = d
        else:
            merge(into[name].children, d.children)


def _response_field(d: DocField, model: str, notes: _Notes) -> dict[str, Any]:
    cls = d.type if d.from_example else type_class(d.type)
    sub = f"{model}{pascal(d.name)}"
    if d.children:
        obj = {"type": "object", "model": sub, "fields": [_response_field(c, sub, notes) for c in d.children.values()]}
        kind: dict[str, Any] = {"type": "list", "items": obj} if cls == "list" else obj
    elif cls == "list":
        kind = {"type": "list", "items": {"type": "string"}}
    else:
        kind = {"type": (_EXAMPLE if d.from_example else _SCALAR).get(cls or "", "string")}
    return {"name": d.name, **kind, **_description(d)}


def new_endpoint(config: Config, venue_name: str, page_path: Path, operation: str | None) -> int:
    from specgen.docs.check import display
    from specgen.spec.loader import load_file

    folder = config.specs / venue_name
    venue_file = folder / "venue.yaml"
    if not venue_file.is_file():
        known = ", ".join(sorted(p.name for p in config.specs.iterdir() if (p / "venue.yaml").is_file()))
        raise SpecError(str(config.specs), None, "unknown-venue", f"no venue {venue_name!r} (known: {known})")
    try:
        raw = page_path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(str(page_path), None, "io", f"cannot read the page: {exc}") from None
    venue = load_file(venue_file, str(venue_file)).data
    page = read_page(text)
    operation = operation or operation_name(page)
    target = folder / f"{operation}.yaml"
    if target.exists():
        raise SpecError(
            display(target, config.root),
            None,
            "exists",
            "a spec of that name exists; pass --operation to choose another",
        )
    snapshot = folder / "sources" / page_path.name
    copied = False
    if not snapshot.exists():
        snapshot.parent.mkdir(exist_ok=True)
        shutil.copyfile(page_path, snapshot)
        copied = True
    elif snapshot.read_bytes() != raw:
        raise SpecError(display(snapshot, config.root), None, "exists", "a different snapshot of that name exists")
    spec = skeleton(page, venue, f"sources/{page_path.name}", hashlib.sha256(raw).hexdigest(), operation)
    target.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100), "utf-8")
    try:
        from specgen.spec.specset import read_specs

        read_specs(config.specs, config.root, only=venue_name)
    except (SpecErrors, SpecError):
        target.unlink()
        if copied:
            snapshot.unlink()
        raise
    print(
        f"wrote {display(target, config.root)} ({len(spec['params'])} parameters, {len(spec['notes'])} notes to review)"
    )
    print("next: specgen docs check --venue " + venue_name, file=sys.stderr)
    return 0
