"""Find, load, validate and model every spec under the specs folder.

Layout: specs/<venue>/venue.yaml holds what a venue shares; every other *.yaml in that folder is
one endpoint; specs/<venue>/sources/ holds the document snapshots the endpoints cite.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from specgen.errors import SpecError, SpecErrors
from specgen.spec.loader import MAX_BYTES, Document, DocumentCache, load_bytes, load_file, read_bounded
from specgen.spec.model import Endpoint, Venue, build_endpoint, build_venue_header
from specgen.spec.naming import pascal
from specgen.spec.patterns import catastrophic
from specgen.spec.simulation import check_simulation
from specgen.spec.validate import check_document

VENUE_FILE = "venue.yaml"

# Names the generated modules define or import themselves; a spec model or operation by one of
# these names would shadow it.
RESERVED_MODELS = frozenset(
    {
        "Client",
        "OrderOutcome",
        "CancelOrdersResult",
        "Violation",
        "Decimal",
        "Literal",
        "Mapping",
        "Sequence",
        "Callable",
        "JSON",
        "Any",
        "TypeVar",
        "HttpRequest",
        "HttpResponse",
        "Transport",
        "UrllibTransport",
        "HttpxTransport",
        "Operation",
        "RateLimit",
        "RateLimitPool",
        "ConditionalLimit",
        "ApiError",
        "ClientError",
        "RateLimitError",
        "ResponseError",
        "TransportError",
        "ValidationError",
        "RetryPolicy",
        "AsyncClient",
        "AsyncTransport",
        "AsyncHttpxTransport",
        "AnswerRules",
        "RedirectError",
        "ResponseTooLargeError",
        "T",
        "OPERATIONS",
    }
)
# A venue package named specgen would shadow specgen itself (the output's own folders, such as
# contract_tests, are refused by model.RESERVED_VENUES).
RESERVED_VENUES = frozenset({"specgen"})
# Attributes the client template sets itself, besides those of the runtime's client classes.
CLIENT_ATTRIBUTES = frozenset({"recv_window", "limiter"})


def _client_names() -> frozenset[str]:
    """Public names a generated client has before any operation: an operation by one would shadow it."""
    from specgen.runtime import client_base

    names = set(CLIENT_ATTRIBUTES)
    for cls in (client_base.ClientCore, client_base.ClientBase, client_base.AsyncClientBase):
        names.update(n for n in [*vars(cls), *cls.__annotations__] if not n.startswith("_"))
    return frozenset(names)


RESERVED_OPERATIONS = _client_names()
# The client's methods for an operation op: op, then these prefixed to it.
METHOD_PREFIXES = ("", "build_", "send_", "parse_")


def spec_files(specs_dir: Path) -> list[Path]:
    return sorted(p for p in specs_dir.glob("*/*.yaml") if p.is_file())


def venue_folders(specs_dir: Path) -> list[Path]:
    """The venue folders: every folder in specs/ not starting with a dot (a link to one counts)."""
    return sorted(p for p in specs_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def venue_name_problem(name: str) -> str | None:
    """Why a venue folder's name cannot be the generated package's name, or None."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or "__" in name or name.endswith("_"):
        shown = name.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        return (
            f"venue folder {shown!r} cannot name a Python package: use lowercase letters, digits and single "
            "underscores, starting with a letter"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"venue folder {name!r} is a Python keyword, so its package could not be imported; rename the folder"
    if name in sys.stdlib_module_names or name in RESERVED_VENUES:
        return f"venue folder {name!r} would shadow the module of that name; rename the folder"
    return None


def read_specs(
    specs_dir: Path,
    display_root: Path | None = None,
    only: str | None = None,
    skip: frozenset[str] = frozenset(),
    documents: DocumentCache | None = None,
) -> tuple[Venue, ...]:
    """All venues, sorted by name; raises SpecErrors listing every problem found. Spec files
    whose bytes the document cache knows are not parsed or checked against the schema again."""
    if not specs_dir.is_dir():
        raise SpecErrors([SpecError(str(specs_dir), None, "config", "specs folder does not exist")])
    root = display_root or Path.cwd()
    errors: list[SpecError] = []
    venues: list[Venue] = []
    folders = venue_folders(specs_dir)
    if only is not None:
        if only not in [f.name for f in folders]:
            known = ", ".join(f.name for f in folders)
            raise SpecErrors([SpecError(str(specs_dir), None, "unknown-venue", f"no venue {only!r} (known: {known})")])
        folders = [f for f in folders if f.name == only]
    folders = [f for f in folders if f.name not in skip]
    for folder in folders:
        problem = venue_name_problem(folder.name)
        if problem is None and folder.is_symlink() and specs_dir.resolve() not in folder.resolve().parents:
            problem = f"venue folder is a link to {folder.resolve()}, outside {specs_dir}; links must stay inside it"
        if problem is not None:
            errors.append(SpecError(_display(folder, root), None, "venue-name", problem))
            continue
        try:
            venue = _read_venue(folder, root, errors, documents)
        except SpecError as exc:
            errors.append(exc)
            continue
        if venue is not None:
            venues.append(venue)
    if errors:
        raise SpecErrors(errors)
    return tuple(venues)


def _display(path: Path, root: Path) -> str:
    """path as users know it: relative to the project, as written (a link is named, not its target)."""
    for candidate, base in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
        try:
            return str(candidate.relative_to(base))
        except ValueError:
            continue
    return str(path)


def _operation_refused(op: str, operations: dict[str, str], methods: dict[str, str]) -> tuple[str, str] | None:
    """The rule and message refusing an operation name (reserved, taken, or making a client method
    another operation makes), or None."""
    if op in RESERVED_OPERATIONS:
        return "reserved-name", f"operation {op!r} would shadow the client's own attribute; choose another name"
    if op in operations:
        return "duplicate-operation", f"operation {op!r} is already defined in {operations[op]}"
    method = next((prefix + op for prefix in METHOD_PREFIXES if prefix + op in methods), None)
    if method is not None:
        return (
            "name-collision",
            f"the client method {method!r} of operation {op!r} is already made for operation {methods[method]!r}",
        )
    return None


def _checked(
    path: Path, display: str, within: Path, kind: str, documents: DocumentCache | None
) -> tuple[Document, list[SpecError]]:
    """A spec file loaded, and what the language schema says of it (from the cache when it knows the bytes)."""
    if documents is None:
        doc = load_file(path, display, within)
        return doc, check_document(doc, kind)
    raw = read_bounded(path, within, display, MAX_BYTES)
    key = documents.key(kind, display, raw)
    cached = documents.get(key, display)
    if cached is not None:
        return cached, []
    doc = load_bytes(display, raw)
    problems = check_document(doc, kind)
    if not problems:
        documents.put(key, doc)
    return doc, problems


def _read_venue(folder: Path, root: Path, errors: list[SpecError], documents: DocumentCache | None) -> Venue | None:
    venue_path = folder / VENUE_FILE
    if not venue_path.exists():
        raise SpecError(_display(folder, root), None, "venue-file", f"every venue folder needs a {VENUE_FILE}")
    within = folder.parent  # the specs folder: no spec is read from outside it
    doc, problems = _checked(venue_path, _display(venue_path, root), within, "venue", documents)
    if problems:
        errors.extend(problems)
        return None
    venue = build_venue_header(doc, folder.name)
    endpoints: list[Endpoint] = []
    operations: dict[str, str] = {}
    models: dict[str, str] = {}
    methods: dict[str, str] = {}
    shadowing: tuple[str, int | None] | None = None  # an operation named like the unified cancel_orders call
    for path in sorted(folder.glob("*.yaml")):
        if path.name == VENUE_FILE:
            continue
        try:
            doc, problems = _checked(path, _display(path, root), within, "endpoint", documents)
            if problems:
                errors.extend(problems)
                continue
            _check_names(doc)
            _check_patterns(doc)
            endpoint = build_endpoint(doc, venue, folder)
            check_simulation(doc, venue, endpoint)
        except SpecError as exc:
            errors.append(exc)
            continue
        op = endpoint.operation.value
        refused = _operation_refused(op, operations, methods)
        if refused is not None:
            errors.append(SpecError(doc.path, doc.line_of(("operation",)), *refused))
            if refused[0] != "name-collision":
                continue
        operations[op] = doc.path
        methods.update(dict.fromkeys((prefix + op for prefix in METHOD_PREFIXES), op))
        own = [endpoint.stem.value + suffix for suffix in ("Request", "Result", "Params")]  # every operation's classes
        clash = next((name for name in own if name in models), None)
        if clash is not None:
            message = (
                f"class {clash!r} of operation {op!r} is already defined in {models[clash]}; set model to another stem"
            )
            errors.append(SpecError(doc.path, doc.line_of(("operation",)), "duplicate-model", message))
        models.update(dict.fromkeys(own, doc.path))
        for t in endpoint.request_objects + endpoint.response_objects:
            assert t.model is not None
            name = t.model.value
            line = _model_line(doc, name)
            if name in RESERVED_MODELS:
                errors.append(
                    SpecError(
                        doc.path,
                        line,
                        "reserved-name",
                        f"model {name!r} would shadow a name the generated package defines; choose another name",
                    )
                )
            if name in models:
                errors.append(
                    SpecError(doc.path, line, "duplicate-model", f"model {name!r} is already defined in {models[name]}")
                )
            models[name] = doc.path
        if endpoint.operation.value == "cancel_orders":
            shadowing = (doc.path, doc.line_of(("operation",)))
        clash = _cancel_clash(endpoint, endpoints)
        if clash is not None:
            errors.append(SpecError(doc.path, doc.line_of(("actions", "cancel_orders")), "duplicate-action", clash))
        endpoints.append(endpoint)
    if shadowing is not None and any(e.cancel_orders for e in endpoints):
        errors.append(
            SpecError(
                *shadowing,
                "reserved-name",
                "operation 'cancel_orders' would shadow the unified cancel_orders call another endpoint declares; "
                "choose another operation name",
            )
        )
    return replace(venue, endpoints=tuple(sorted(endpoints, key=lambda e: e.operation.value)))


def _cancel_clash(endpoint: Endpoint, others: list[Endpoint]) -> str | None:
    """Why endpoint cannot also serve cancel_orders: several endpoints may, each taking its own
    kind of id one order per request (by order id, by client id), with the same other arguments."""
    mine = endpoint.cancel_orders
    declared = [e.cancel_orders for e in others if e.cancel_orders is not None]
    if mine is None or not declared:
        return None
    taken = {t.arg for co in declared for t in co.targets}
    if not (mine.one_by_one and all(co.one_by_one for co in declared)) or taken & {t.arg for t in mine.targets}:
        return "another endpoint of this venue already offers cancel_orders"
    passed = {tuple(p.python.value for p in co.params) for co in declared + [mine]}
    if len(passed) > 1:
        return "every endpoint behind cancel_orders must pass through the same params"
    return None


def _check_names(doc: Document) -> None:
    """Refuse operation names whose methods or class names the generated code cannot use."""
    op = doc.data["operation"]
    if op.startswith("_"):
        raise SpecError(
            doc.path,
            doc.line_of(("operation",)),
            "reserved-name",
            f"operation {op!r} would make private or special client methods; start it with a letter",
        )
    for at, name in _models_declared(doc.data, ()):
        if keyword.iskeyword(name):
            raise SpecError(
                doc.path,
                doc.line_of(at),
                "reserved-name",
                f"model {name!r} is a Python keyword, so no class can have that name; choose another name",
            )
    stem = doc.data.get("model") or pascal(op)
    if keyword.iskeyword(stem):
        at = ("model",) if "model" in doc.data else ("operation",)
        raise SpecError(
            doc.path,
            doc.line_of(at),
            "reserved-name",
            f"operation {op!r} gives its classes the stem {stem!r}, a Python keyword; set model to another stem",
        )


def _models_declared(value: Any, at: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, name) of every `model: Name` of an object type in a document."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(value, dict):
        if isinstance(value.get("model"), str) and value.get("type") == "object":
            found.append((at + ("model",), value["model"]))
        for key, child in value.items():
            found.extend(_models_declared(child, at + (key,)))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found.extend(_models_declared(child, at + (i,)))
    return found


def _check_patterns(doc: Document) -> None:
    """Refuse every `pattern` whose matching can take exponential time in the generated validator."""

    def walk(value: Any, at: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            pattern = value.get("pattern")
            if isinstance(pattern, str):
                why = catastrophic(pattern)
                if why is not None:
                    raise SpecError(
                        doc.path,
                        doc.line_of(at + ("pattern",)),
                        "pattern",
                        f"{pattern!r} can take exponential time to match: {why}; "
                        "rewrite it so that each text splits one way only (or use a possessive ++ or atomic (?>...))",
                    )
            for key, child in value.items():
                if at or key not in ("tests", "notes"):  # test data may name a parameter "pattern"
                    walk(child, at + (key,))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, at + (i,))

    walk(doc.data, ())


def _model_line(doc: Document, name: str) -> int | None:
    """The line of the `model: name` that declares a model, searched for in the document."""

    def find(value: Any, at: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
        if isinstance(value, dict):
            if value.get("model") == name and value.get("type") == "object":
                return at + ("model",)
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            return None
        for key, child in items:
            found = find(child, at + (key,))
            if found is not None:
                return found
        return None

    where = find(doc.data, ())
    return None if where is None else doc.line_of(where)
