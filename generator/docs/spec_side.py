"""The facts a spec states about its document, read from the spec file itself (with lines), not the model.

The spec is read raw so that `docs check` works while its recorded digest is stale, which is exactly
when it is needed; the language schema is still checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specgen.errors import SpecError, SpecErrors
from specgen.spec.kinds import TYPE_KINDS, List, Type
from specgen.spec.loader import Document, Location, load_file
from specgen.spec.validate import check_document

VENUE_FILE = "venue.yaml"


@dataclass
class SpecField:
    name: str
    at: Location  # where the field is defined in the spec file
    kind: str  # the spec's type: string, int64, decimal, float, bool, enum, list, object, one_of
    required: bool = False
    facts: dict[str, Any] = field(default_factory=dict)  # max_items, min_length, minimum, values, encoding ...
    item_kind: str | None = None  # a list's item type
    children: dict[str, SpecField] = field(default_factory=dict)

    @property
    def type_kind(self) -> type[Type]:
        """The definition of the spec's type kind (the spec passed the language schema: it exists)."""
        return TYPE_KINDS[self.kind]

    @property
    def is_list(self) -> bool:
        return issubclass(self.type_kind, List)


@dataclass
class SpecEndpoint:
    doc: Document
    folder: Path
    params: dict[str, SpecField]
    response: SpecField  # the whole body
    snapshot: Path

    @property
    def data(self) -> Any:
        return self.doc.data


LIMIT_KEYS = ("max_items", "min_items", "max_length", "min_length", "maximum", "minimum")


def endpoint_files(specs: Path, only: str | None = None) -> list[Path]:
    if not specs.is_dir():
        raise SpecErrors([SpecError(str(specs), None, "config", "specs folder does not exist")])
    folders = sorted(p for p in specs.iterdir() if p.is_dir() and not p.name.startswith("."))
    if only is not None:
        if only not in [f.name for f in folders]:
            known = ", ".join(f.name for f in folders)
            raise SpecErrors([SpecError(str(specs), None, "unknown-venue", f"no venue {only!r} (known: {known})")])
        folders = [f for f in folders if f.name == only]
    return [p for f in folders for p in sorted(f.glob("*.yaml")) if p.name != VENUE_FILE]


def read_endpoint(path: Path, display: str) -> SpecEndpoint:
    doc = load_file(path, display)
    problems = check_document(doc, "endpoint")
    if problems:
        raise SpecErrors(problems)
    data = doc.data
    params = {_doc_name(p): _field(p, ("params", i)) for i, p in enumerate(data["params"])}
    response = _field({"name": "", **data["response"]["body"]}, ("response", "body"))
    snapshot = path.parent / data["source"]["snapshot"]
    return SpecEndpoint(doc, path.parent, params, response, snapshot)


def _doc_name(raw: dict[str, Any]) -> str:
    """The name the document gives a field: its document_name where the spec renames it."""
    return str(raw.get("document_name", raw.get("name", "")))


def _field(raw: dict[str, Any], at: Location) -> SpecField:
    kind = raw["type"]
    f = SpecField(_doc_name(raw), at, kind, bool(raw.get("required", False)))
    for key in LIMIT_KEYS + ("values", "encoding", "default", "pattern"):
        if key in raw:
            f.facts[key] = raw[key]
    f.children = _children(raw, at)
    if f.is_list:
        f.item_kind = raw["items"]["type"]
        for key in LIMIT_KEYS + ("values",):
            if key in raw["items"]:
                f.facts["items." + key] = raw["items"][key]
    return f


def _children(raw: dict[str, Any], at: Location) -> dict[str, SpecField]:
    """The fields inside raw (an object's, its list items', its variants', merged by name), as its kind finds them."""
    merged: dict[str, SpecField] = {}
    for child, where in TYPE_KINDS[raw["type"]].raw_fields(raw, at):
        merged.setdefault(_doc_name(child), _field(child, where))
    return merged


def departures(doc: Document) -> dict[str, Location]:
    """Fact keys the spec's notes depart from on purpose, each with where the note says so."""
    out: dict[str, Location] = {}
    for i, note in enumerate(doc.data.get("notes", []) or []):
        for j, key in enumerate(note.get("departs", []) or []):
            out[" ".join(str(key).split())] = ("notes", i, "departs", j)
    return out
