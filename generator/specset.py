"""Find, load, validate and model every spec under the specs folder.

Layout: specs/<venue>/venue.yaml holds what a venue shares; every other *.yaml in that folder is
one endpoint; specs/<venue>/sources/ holds the document snapshots the endpoints cite.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from generator.errors import SpecError, SpecErrors
from generator.loader import load_file
from generator.model import Endpoint, Venue, build_endpoint, build_venue_header
from generator.validate import check_document

VENUE_FILE = "venue.yaml"


def spec_files(specs_dir: Path) -> list[Path]:
    return sorted(p for p in specs_dir.glob("*/*.yaml") if p.is_file())


def read_specs(specs_dir: Path, display_root: Path | None = None, only: str | None = None) -> tuple[Venue, ...]:
    """All venues, sorted by name; raises SpecErrors listing every problem found."""
    if not specs_dir.is_dir():
        raise SpecErrors([SpecError(str(specs_dir), None, "config", "specs folder does not exist")])
    root = display_root or Path.cwd()
    errors: list[SpecError] = []
    venues: list[Venue] = []
    folders = sorted(p for p in specs_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    if only is not None:
        if only not in [f.name for f in folders]:
            known = ", ".join(f.name for f in folders)
            raise SpecErrors([SpecError(str(specs_dir), None, "unknown-venue", f"no venue {only!r} (known: {known})")])
        folders = [f for f in folders if f.name == only]
    for folder in folders:
        try:
            venue = _read_venue(folder, root, errors)
        except SpecError as exc:
            errors.append(exc)
            continue
        if venue is not None:
            venues.append(venue)
    if errors:
        raise SpecErrors(errors)
    return tuple(venues)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _read_venue(folder: Path, root: Path, errors: list[SpecError]) -> Venue | None:
    venue_path = folder / VENUE_FILE
    if not venue_path.is_file():
        raise SpecError(_display(folder, root), None, "venue-file", f"every venue folder needs a {VENUE_FILE}")
    doc = load_file(venue_path, _display(venue_path, root))
    problems = check_document(doc, "venue")
    if problems:
        errors.extend(problems)
        return None
    venue = build_venue_header(doc, folder.name)
    endpoints: list[Endpoint] = []
    operations: dict[str, str] = {}
    models: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == VENUE_FILE:
            continue
        try:
            doc = load_file(path, _display(path, root))
            problems = check_document(doc, "endpoint")
            if problems:
                errors.extend(problems)
                continue
            endpoint = build_endpoint(doc, venue, folder)
        except SpecError as exc:
            errors.append(exc)
            continue
        op = endpoint.operation.value
        if op in operations:
            errors.append(SpecError(doc.path, doc.line_of(("operation",)), "duplicate-operation", f"operation {op!r} is already defined in {operations[op]}"))
            continue
        operations[op] = doc.path
        for t in endpoint.request_objects + endpoint.response_objects:
            assert t.model is not None
            name = t.model.value
            if name in models:
                errors.append(SpecError(doc.path, None, "duplicate-model", f"model {name!r} is already defined in {models[name]}"))
            models[name] = doc.path
        endpoints.append(endpoint)
    return replace(venue, endpoints=tuple(sorted(endpoints, key=lambda e: e.operation.value)))
