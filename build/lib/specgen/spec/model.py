"""The normalised, validated model that templates read: frozen dataclasses, no raw spec strings.

build_venue() turns schema-valid documents into a Venue and checks what a JSON Schema cannot:
references between parameters, min <= max, unique names, the recorded document digest.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specgen.errors import SpecError
from specgen.spec.loader import SNAPSHOT_MAX_BYTES, Document, Location, read_bounded
from specgen.spec.naming import pascal, safe, snake
from specgen.spec.text import Ident, Text

Scalar = Text | int | bool
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def _text(value: str | None) -> Text | None:
    return None if value is None else Text(value)


def _scalar(value: Any) -> Scalar:
    return Text(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Data:
    """Arbitrary JSON-like data from a spec (test cases); printable only through |py."""

    value: Any

    def __str__(self) -> str:
        raise TypeError("spec data cannot be printed raw; use the |py filter")


@dataclass(frozen=True)
class Type:
    kind: str  # string int64 decimal float bool enum list object one_of
    min_length: int | None = None
    max_length: int | None = None
    pattern: Text | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    values: tuple[Scalar, ...] = ()
    items: Type | None = None
    min_items: int | None = None
    max_items: int | None = None
    encoding: str | None = None  # json | comma, for a list sent as one query value
    model: Ident | None = None
    fields: tuple[Field, ...] = ()
    rules: tuple[ItemRule, ...] = ()
    variants: tuple[Variant, ...] = ()

    @property
    def objects(self) -> tuple[Type, ...]:
        """Every object type in this tree, innermost first (the order classes are defined in)."""
        found: list[Type] = []
        for child in self._children():
            found.extend(child.objects)
        if self.kind == "object":
            found.append(self)
        return tuple(found)

    def _children(self) -> tuple[Type, ...]:
        kids: list[Type] = []
        if self.items is not None:
            kids.append(self.items)
        kids.extend(f.type for f in self.fields)
        kids.extend(v.type for v in self.variants)
        return tuple(kids)

    @property
    def int_bounds(self) -> tuple[int | float, int | float]:
        """An int64's effective range: its own limits within the int64 range."""
        low = INT64_MIN if self.minimum is None else max(INT64_MIN, self.minimum)
        high = INT64_MAX if self.maximum is None else min(INT64_MAX, self.maximum)
        return low, high

    @property
    def patterns(self) -> tuple[Text, ...]:
        own = (self.pattern,) if self.pattern is not None else ()
        return own + tuple(p for child in self._children() for p in child.patterns)

    def field_named(self, wire: str) -> Field | None:
        return next((f for f in self.fields if f.wire.value == wire), None)

    def has_field(self, wire: str) -> bool:
        """An object with this field, or a one_of with a variant that has it."""
        if self.kind == "one_of":
            return any(v.type.has_field(wire) for v in self.variants)
        return self.field_named(wire) is not None

    def list_items_at(self, path: tuple[Text, ...]) -> Type | None:
        """The item type of the list at path (field names from here), or None if there is none."""
        here: Type | None = self
        for step in path:
            found = here.field_named(step.value) if here is not None else None
            here = found.type if found is not None else None
        return here.items if here is not None and here.kind == "list" else None


@dataclass(frozen=True)
class Variant:
    when_has: Text | None
    type: Type


@dataclass(frozen=True)
class Field:
    wire: Text
    python: Ident
    type: Type
    required: bool
    default: Scalar | None
    description: Text
    source: str | None  # timestamp | recv_window: filled in by the client


_GROUP_WORDS = {
    "exactly_one_of": "exactly one of",
    "at_least_one_of": "at least one of",
    "at_most_one_of": "at most one of",
}
# How many members of a group may be present, for each group kind.
_GROUP_COUNTS = {"exactly_one_of": "n == 1", "at_least_one_of": "n >= 1", "at_most_one_of": "n <= 1"}


def _names(names: tuple[Text, ...]) -> str:
    return ", ".join(n.value for n in names)


@dataclass(frozen=True)
class ItemRule:
    kind: str
    fields: tuple[Text, ...]
    description: Text | None

    @property
    def message(self) -> Text:
        return Text(f"needs {_GROUP_WORDS[self.kind]}: {_names(self.fields)}")

    @property
    def count_test(self) -> str:
        """A Python test of n, the number of the group's members present."""
        return _GROUP_COUNTS[self.kind]


@dataclass(frozen=True)
class Condition:
    param: Text
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class Rule:
    kind: str
    params: tuple[Text, ...] = ()
    param: Text | None = None
    field: Text | None = None
    fields: tuple[Text, ...] = ()
    max: int | None = None
    when: Condition | None = None
    description: Text | None = None

    @property
    def is_group(self) -> bool:
        """A rule on how many of several parameters are present."""
        return self.kind in _GROUP_WORDS

    @property
    def count_test(self) -> str:
        return _GROUP_COUNTS[self.kind]

    @property
    def message(self) -> Text:
        if self.kind in _GROUP_WORDS:
            return Text(f"send {_GROUP_WORDS[self.kind]}: {_names(self.params)}")
        if self.kind == "same_fields_across_items":
            return Text(f"every item must use the same identifiers among: {_names(self.fields)} (never mix them)")
        assert self.when is not None and self.param is not None
        cond = f"{self.when.param.value} is " + " or ".join(
            repr(v.value if isinstance(v, Text) else v) for v in self.when.values
        )
        if self.kind == "max_items_when":
            return Text(f"at most {self.max} items when {cond}")
        if self.kind == "item_required_when":
            assert self.field is not None
            return Text(f"every item needs {self.field.value} when {cond}")
        raise ValueError(self.kind)


@dataclass(frozen=True)
class Ref:
    """A field of an outcome item ('item') or of the entry aligned with it ('aligned')."""

    source: str
    name: Text


@dataclass(frozen=True)
class RequestIds:
    param: Text
    field: Text | None


@dataclass(frozen=True)
class OutcomeSource:
    items: tuple[Text, ...]
    aligned_with: tuple[Text, ...] | None
    order_id: Ref | None
    client_id: Ref | None
    status: Ref | None
    error_code: Ref | None
    error_message: Ref | None
    cancelled_constant: bool | None  # every item of the source is (True) or is not (False) cancelled
    cancelled_when: Ref | None
    cancelled_values: tuple[Scalar, ...]
    not_cancelled_message: Text | None
    request_order_ids: RequestIds | None
    request_client_ids: RequestIds | None


@dataclass(frozen=True)
class Note:
    about: Text
    decision: Text


@dataclass(frozen=True)
class Limit:
    pool: Ident
    requests: int | None
    per_seconds: int | float | None
    group: int | None


@dataclass(frozen=True)
class RateLimit:
    weight: int | None
    limits: tuple[Limit, ...]
    description: Text | None


@dataclass(frozen=True)
class Tests:
    request: tuple[Data, ...]
    malformed: tuple[Data, ...]
    response: tuple[Data, ...]


@dataclass(frozen=True)
class SimAnswer:
    """A venue's answer that the documents do not state, for the simulator; source says where it is from."""

    code: Scalar
    message: Text
    source: Text
    http_status: int = 200


@dataclass(frozen=True)
class EndpointSimulation:
    unknown_order: SimAnswer
    terminal_orders: str  # error | status
    accepted: SimAnswer | None
    request_order_ids: RequestIds | None
    request_client_ids: RequestIds | None


@dataclass(frozen=True)
class Endpoint:
    file: str
    operation: Ident
    stem: Ident  # PascalCase stem of class names: CancelBatch -> CancelBatchRequest
    summary: Text
    source_url: Text | None
    snapshot: str
    sha256: str
    method: str
    path: Text
    params_in: str
    signed: bool
    rate_limit: RateLimit
    params: tuple[Field, ...]
    rules: tuple[Rule, ...]
    response: Type
    response_description: Text | None
    outcomes: tuple[OutcomeSource, ...]
    notes: tuple[Note, ...]
    tests: Tests
    simulation: EndpointSimulation | None = None

    @property
    def caller_params(self) -> tuple[Field, ...]:
        """Parameters the caller passes (the client fills in timestamp and recv_window)."""
        return tuple(p for p in self.params if p.source is None)

    @property
    def request_objects(self) -> tuple[Type, ...]:
        return tuple(t for p in self.params for t in p.type.objects)

    @property
    def response_objects(self) -> tuple[Type, ...]:
        return self.response.objects

    @property
    def max_batch(self) -> int | None:
        """The largest list a call may send (unconditional maximum), for batching helpers."""
        sizes = [p.type.max_items for p in self.params if p.type.kind == "list" and p.type.max_items is not None]
        return max(sizes) if sizes else None

    @property
    def conditional_limits(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == "max_items_when")

    @property
    def params_type(self) -> Type:
        """The parameters as one object, so validators treat them like any other object."""
        return Type(kind="object", model=Ident(self.stem.value + "Params"), fields=self.params)

    @property
    def list_encodings(self) -> dict[Text, str]:
        """How each list parameter is written as one query or form value."""
        return {p.wire: p.type.encoding or "json" for p in self.params if p.type.kind == "list"}

    @property
    def request_type(self) -> Type:
        """What the caller passes, as the operation's Request dataclass."""
        return Type(kind="object", model=Ident(self.stem.value + "Request"), fields=self.caller_params)

    def data_field(self, venue: Venue) -> Field | None:
        """The body field an envelope wraps the payload in (None: the body is the payload)."""
        if venue.envelope is None:
            return None
        return self.response.field_named(venue.envelope.data.value)

    def param(self, wire: str) -> Field | None:
        return next((p for p in self.params if p.wire.value == wire), None)


@dataclass(frozen=True)
class Placement:
    where: str  # query | header
    name: Text
    default: int | None


@dataclass(frozen=True)
class Signature:
    algorithm: str
    encoding: str
    prehash: tuple[str, ...]
    where: str
    name: Text


@dataclass(frozen=True)
class Envelope:
    code: Text
    message: Text
    success_codes: tuple[Scalar, ...]
    data: Text


@dataclass(frozen=True)
class Pool:
    name: Ident
    scope: str
    description: Text


@dataclass(frozen=True)
class SimClock:
    """How far a request's timestamp may stray from the simulator's clock, as the venue checks it."""

    window_ms: int | None  # the receive window when the request sends none (None: auth.recv_window.default)
    max_window_ms: int | None  # the largest receive window a request may ask for (None: no limit)
    beyond_max: str  # refuse | cap: what a larger window gets
    future_ms: int  # a timestamp this far ahead of the clock is still accepted
    source: Text | None


DEFAULT_CLOCK = SimClock(None, 60_000, "refuse", 1000, None)


@dataclass(frozen=True)
class VenueSimulation:
    bad_api_key: SimAnswer
    bad_signature: SimAnswer
    expired_timestamp: SimAnswer
    invalid_params: SimAnswer
    rate_limited: SimAnswer | None
    success_message: Text | None
    internal_error: SimAnswer | None = None
    clock: SimClock = DEFAULT_CLOCK


@dataclass(frozen=True)
class Venue:
    file: str
    name: Ident
    title: Text
    docs: Text | None
    production_url: Text
    testnet_url: Text | None
    credentials: tuple[str, ...]
    query_safe: Text
    timestamp: Placement
    recv_window: Placement | None
    api_key: Placement
    passphrase: Placement | None
    signature: Signature
    static_headers: tuple[tuple[Text, Text], ...]
    envelope: Envelope | None
    error_code: Text
    error_message: Text
    rate_limit_statuses: tuple[int, ...]
    pools: tuple[Pool, ...]
    test_credentials: Data | None
    signing_examples: Data
    notes: tuple[Note, ...]
    endpoints: tuple[Endpoint, ...] = field(default=())
    simulation: VenueSimulation | None = None

    @property
    def secret_headers(self) -> tuple[Text, ...]:
        """Headers whose values must never be shown: the key, the passphrase, the signature."""
        names = [self.api_key.name] if self.api_key.where == "header" else []
        if self.passphrase is not None and self.passphrase.where == "header":
            names.append(self.passphrase.name)
        if self.signature.where == "header":
            names.append(self.signature.name)
        return tuple(names)

    @property
    def patterns(self) -> tuple[Text, ...]:
        """Every distinct regular expression the venue's validators use, in a stable order."""
        found = [p for e in self.endpoints for p in e.params_type.patterns + e.response.patterns]
        return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------------------------------------
# Building


class _Ctx:
    """Where we are in which document, so every error can name its line."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def fail(self, at: Location, rule: str, message: str) -> SpecError:
        return SpecError(self.doc.path, self.doc.line_of(at), rule, message)


def build_type(ctx: _Ctx, raw: dict[str, Any], at: Location) -> Type:
    kind = raw["type"]
    items = build_type(ctx, raw["items"], at + ("items",)) if "items" in raw else None
    fields = build_fields(ctx, raw.get("fields", []), at + ("fields",)) if kind == "object" else ()
    rules = tuple(
        ItemRule(r["kind"], tuple(Text(f) for f in r["fields"]), _text(r.get("description")))
        for r in raw.get("rules", [])
    )
    for i, rule in enumerate(rules):
        for name in rule.fields:
            if not any(f.wire == name for f in fields):
                raise ctx.fail(
                    at + ("rules", i),
                    "unknown-field",
                    f"rule {rule.kind} names {name.value!r}, which is not a field of this object",
                )
    variants = tuple(
        Variant(_text(v.get("when_has")), build_type(ctx, v["type"], at + ("variants", i, "type")))
        for i, v in enumerate(raw.get("variants", []))
    )
    if variants and (variants[-1].when_has is not None or any(v.when_has is None for v in variants[:-1])):
        raise ctx.fail(
            at + ("variants",),
            "one-of",
            "every variant but the last needs when_has; the last is the default and has none",
        )
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ctx.fail(at + ("pattern",), "pattern", f"not a valid regular expression: {exc}") from None
    for low, high in (("min_length", "max_length"), ("minimum", "maximum"), ("min_items", "max_items")):
        if raw.get(low) is not None and raw.get(high) is not None and raw[high] < raw[low]:
            raise ctx.fail(at + (high,), "min-max", f"{high} ({raw[high]}) is below {low} ({raw[low]})")
    if raw.get("encoding") == "comma" and items is not None and items.kind in ("list", "object"):
        raise ctx.fail(at + ("encoding",), "encoding", "a comma-joined list holds scalars only")
    return Type(
        kind=kind,
        min_length=raw.get("min_length"),
        max_length=raw.get("max_length"),
        pattern=_text(pattern),
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        values=tuple(_scalar(v) for v in raw.get("values", [])),
        items=items,
        min_items=raw.get("min_items"),
        max_items=raw.get("max_items"),
        encoding=raw.get("encoding"),
        model=Ident(raw["model"]) if "model" in raw else None,
        fields=fields,
        rules=rules,
        variants=variants,
    )


def build_fields(ctx: _Ctx, raws: list[dict[str, Any]], at: Location) -> tuple[Field, ...]:
    out: list[Field] = []
    seen_wire: dict[str, int] = {}
    seen_python: dict[str, str] = {}
    for i, raw in enumerate(raws):
        here = at + (i,)
        wire = raw["name"]
        python = safe(raw["python"]) if "python" in raw else snake(wire)
        if wire in seen_wire:
            raise ctx.fail(here + ("name",), "duplicate-name", f"{wire!r} is declared twice")
        if python in seen_python:
            raise ctx.fail(
                here + ("name",),
                "name-collision",
                f"{wire!r} and {seen_python[python]!r} both become the Python name {python!r}; "
                "set 'python' on one of them",
            )
        seen_wire[wire] = i
        seen_python[python] = wire
        type_ = build_type(ctx, raw, here)
        default = raw.get("default")
        if default is not None and type_.kind == "enum" and default not in raw["values"]:
            raise ctx.fail(here + ("default",), "default", f"default {default!r} is not one of the enum's values")
        out.append(
            Field(
                wire=Text(wire),
                python=Ident(python),
                type=type_,
                required=bool(raw.get("required", False)),
                default=None if default is None else _scalar(default),
                description=Text(raw.get("description", "")),
                source=raw.get("source"),
            )
        )
    return tuple(out)


def _placement(raw: dict[str, Any] | None) -> Placement | None:
    if raw is None:
        return None
    return Placement(raw["in"], Text(raw["name"]), raw.get("default"))


def _notes(raws: list[dict[str, Any]]) -> tuple[Note, ...]:
    return tuple(Note(Text(n["about"]), Text(n["decision"])) for n in raws)


def build_venue_header(doc: Document, folder: str) -> Venue:
    ctx = _Ctx(doc)
    raw = doc.data
    if raw["venue"] != folder:
        raise ctx.fail(("venue",), "venue-name", f"venue {raw['venue']!r} must match its folder name {folder!r}")
    auth = raw["auth"]
    sig = auth["signature"]
    if "passphrase" in raw["credentials"] and "passphrase" not in auth:
        raise ctx.fail(("auth",), "passphrase", "credentials name a passphrase, so auth must say where it goes")
    if "recv_window" in sig["prehash"] and "recv_window" not in auth:
        raise ctx.fail(
            ("auth", "signature", "prehash"), "recv-window", "the prehash uses recv_window, so auth must place it"
        )
    env = raw.get("envelope")
    errors = raw["errors"]
    simulation = _venue_simulation(raw.get("simulation"))
    recv_window = _placement(auth.get("recv_window"))
    if simulation is not None:
        _check_clock(ctx, simulation.clock, recv_window)
    return Venue(
        file=doc.path,
        name=Ident(raw["venue"]),
        title=Text(raw["title"]),
        docs=_text(raw.get("docs")),
        production_url=Text(raw["base_urls"]["production"]),
        testnet_url=_text(raw["base_urls"].get("testnet")),
        credentials=tuple(raw["credentials"]),
        query_safe=Text(raw.get("query", {}).get("safe", "")),
        timestamp=_placement(auth["timestamp"]),  # type: ignore[arg-type]
        recv_window=recv_window,
        api_key=_placement(auth["api_key"]),  # type: ignore[arg-type]
        passphrase=_placement(auth.get("passphrase")),
        signature=Signature(sig["algorithm"], sig["encoding"], tuple(sig["prehash"]), sig["in"], Text(sig["name"])),
        static_headers=tuple((Text(k), Text(v)) for k, v in auth.get("headers", {}).items()),
        envelope=(
            None
            if env is None
            else Envelope(
                Text(env["code"]),
                Text(env["message"]),
                tuple(_scalar(c) for c in env["success_codes"]),
                Text(env["data"]),
            )
        ),
        error_code=Text(errors["code"]),
        error_message=Text(errors["message"]),
        rate_limit_statuses=tuple(errors.get("rate_limit_statuses", [429, 418])),
        pools=tuple(
            Pool(Ident(p["name"]), p["scope"], Text(p["description"])) for p in raw.get("rate_limit_pools", [])
        ),
        test_credentials=Data(raw["test_credentials"]) if "test_credentials" in raw else None,
        signing_examples=Data(raw.get("signing_examples", [])),
        notes=_notes(raw.get("notes", [])),
        simulation=simulation,
    )


def _check_clock(ctx: _Ctx, clock: SimClock, recv_window: Placement | None) -> None:
    """The simulator must know the window of a request that sends none, before any request comes."""
    at: Location = ("simulation",)
    if clock.window_ms is None and (recv_window is None or recv_window.default is None):
        raise ctx.fail(
            at,
            "simulation",
            "the receive window of a request that sends none is unknown: set simulation.clock.window_ms"
            " (or auth.recv_window.default)",
        )
    window = clock.window_ms if clock.window_ms is not None else recv_window.default if recv_window else None
    if window is not None and clock.max_window_ms is not None and window > clock.max_window_ms:
        raise ctx.fail(
            at + ("clock",),
            "simulation",
            f"the default receive window ({window} ms) is above simulation.clock.max_window_ms ({clock.max_window_ms})",
        )


def _sim_answer(raw: dict[str, Any]) -> SimAnswer:
    return SimAnswer(_scalar(raw["code"]), Text(raw["message"]), Text(raw["source"]), raw.get("http_status", 200))


def _venue_simulation(raw: dict[str, Any] | None) -> VenueSimulation | None:
    if raw is None:
        return None
    errors = raw["errors"]
    return VenueSimulation(
        bad_api_key=_sim_answer(errors["bad_api_key"]),
        bad_signature=_sim_answer(errors["bad_signature"]),
        expired_timestamp=_sim_answer(errors["expired_timestamp"]),
        invalid_params=_sim_answer(errors["invalid_params"]),
        rate_limited=_sim_answer(errors["rate_limited"]) if "rate_limited" in errors else None,
        success_message=_text(raw.get("success_message")),
        internal_error=_sim_answer(errors["internal_error"]) if "internal_error" in errors else None,
        clock=_sim_clock(raw.get("clock")),
    )


def _sim_clock(raw: dict[str, Any] | None) -> SimClock:
    if raw is None:
        return DEFAULT_CLOCK
    return SimClock(
        window_ms=raw.get("window_ms"),
        max_window_ms=raw.get("max_window_ms", DEFAULT_CLOCK.max_window_ms),
        beyond_max=raw.get("beyond_max", DEFAULT_CLOCK.beyond_max),
        future_ms=raw.get("future_ms", DEFAULT_CLOCK.future_ms),
        source=_text(raw.get("source")),
    )


def _ref(raw: str | None) -> Ref | None:
    if raw is None:
        return None
    source, _, name = raw.rpartition(".")
    return Ref(source or "item", Text(name))


def _request_ids(raw: str | None) -> RequestIds | None:
    if raw is None:
        return None
    param, _, field_ = raw.partition(".")
    return RequestIds(Text(param), Text(field_) if field_ else None)


def _path(raw: str | None) -> tuple[Text, ...] | None:
    if raw is None:
        return None
    return tuple(Text(p) for p in raw.split(".")) if raw else ()


def build_endpoint(doc: Document, venue: Venue, spec_dir: Path) -> Endpoint:
    ctx = _Ctx(doc)
    raw = doc.data
    params = build_fields(ctx, raw["params"], ("params",))
    by_wire = {p.wire.value: p for p in params}

    # The client fills in the timestamp and recv window where the venue sends them in the query.
    sources = {p.source: i for i, p in enumerate(params) if p.source}
    if raw["signed"] and venue.timestamp.where == "query" and "timestamp" not in sources:
        raise ctx.fail(
            ("params",),
            "timestamp",
            f"{venue.name.value} sends the timestamp in the query; list it as a parameter with source: timestamp",
        )
    for src, i in sources.items():
        placement = venue.timestamp if src == "timestamp" else venue.recv_window
        if placement is None or placement.where != "query" or placement.name != params[i].wire:
            raise ctx.fail(
                ("params", i, "source"),
                "source",
                f"the venue does not send {src} as the query parameter {params[i].wire.value!r}",
            )
    for i, p in enumerate(params):
        if p.type.kind == "list" and raw["http"]["params_in"] == "query" and p.type.encoding is None:
            raise ctx.fail(
                ("params", i),
                "encoding",
                f"list {p.wire.value!r} travels in the query, so it needs an encoding (json or comma)",
            )

    rules = tuple(_build_rule(ctx, r, ("rules", i), by_wire) for i, r in enumerate(raw.get("rules", [])))
    response = build_type(ctx, raw["response"]["body"], ("response", "body"))
    outcomes = tuple(
        _build_outcome(ctx, o, ("outcomes", i), by_wire, response) for i, o in enumerate(raw.get("outcomes", []))
    )
    simulation = _endpoint_simulation(ctx, raw.get("simulation"), by_wire, outcomes)

    source = raw["source"]
    snapshot = spec_dir / source["snapshot"]
    if not snapshot.exists():
        raise ctx.fail(("source", "snapshot"), "snapshot", f"document snapshot {source['snapshot']!r} is missing")
    try:  # a regular file inside the specs folder, of bounded size (links, FIFOs, devices refused)
        data = read_bounded(snapshot, spec_dir.parent, source["snapshot"], SNAPSHOT_MAX_BYTES, "snapshot")
    except SpecError as exc:
        raise ctx.fail(("source", "snapshot"), exc.rule, exc.message) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != source["sha256"]:
        raise ctx.fail(
            ("source", "sha256"),
            "digest",
            f"{source['snapshot']} has sha256 {digest}; the spec records {source['sha256']}. "
            "Review the document's changes, then update the spec and its digest",
        )

    tests = raw.get("tests", {})
    rl = raw.get("rate_limit", {})
    for i, lim in enumerate(rl.get("limits", [])):
        if lim["pool"] not in {p.name.value for p in venue.pools}:
            raise ctx.fail(
                ("rate_limit", "limits", i, "pool"),
                "unknown-pool",
                f"rate-limit pool {lim['pool']!r} is not declared by the venue",
            )
    return Endpoint(
        file=doc.path,
        operation=Ident(safe(raw["operation"])),
        stem=Ident(raw.get("model") or pascal(raw["operation"])),
        summary=Text(raw["summary"]),
        source_url=_text(source.get("url")),
        snapshot=source["snapshot"],
        sha256=source["sha256"],
        method=raw["http"]["method"],
        path=Text(raw["http"]["path"]),
        params_in=raw["http"]["params_in"],
        signed=raw["signed"],
        rate_limit=RateLimit(
            rl.get("weight"),
            tuple(
                Limit(Ident(x["pool"]), x.get("requests"), x.get("per_seconds"), x.get("group"))
                for x in rl.get("limits", [])
            ),
            _text(rl.get("description")),
        ),
        params=params,
        rules=rules,
        response=response,
        response_description=_text(raw["response"].get("description")),
        outcomes=outcomes,
        notes=_notes(raw.get("notes", [])),
        tests=Tests(
            tuple(Data(c) for c in tests.get("request", [])),
            tuple(Data(c) for c in tests.get("malformed", [])),
            tuple(Data(c) for c in tests.get("response", [])),
        ),
        simulation=simulation,
    )


def _need(ctx: _Ctx, at: Location, by_wire: dict[str, Field], name: str, what: str) -> Field:
    found = by_wire.get(name)
    if found is None:
        raise ctx.fail(at, "unknown-param", f"{what} names {name!r}, which is not a parameter of this endpoint")
    return found


def _build_rule(ctx: _Ctx, raw: dict[str, Any], at: Location, by_wire: dict[str, Field]) -> Rule:
    kind = raw["kind"]
    for name in raw.get("params", []):
        _need(ctx, at + ("params",), by_wire, name, kind)
    when = None
    if "when" in raw:
        cond = _need(ctx, at + ("when", "param"), by_wire, raw["when"]["param"], f"{kind}.when")
        if cond.type.kind in ("list", "object"):
            raise ctx.fail(
                at + ("when", "param"),
                "condition",
                f"a condition needs a scalar parameter; {cond.wire.value!r} is a {cond.type.kind}",
            )
        if cond.type.kind == "enum":
            for v in raw["when"]["in"]:
                if v not in [x.value if isinstance(x, Text) else x for x in cond.type.values]:
                    raise ctx.fail(at + ("when", "in"), "condition", f"{v!r} is not a value of {cond.wire.value!r}")
        when = Condition(Text(raw["when"]["param"]), tuple(_scalar(v) for v in raw["when"]["in"]))
    if "param" in raw:
        target = _need(ctx, at + ("param",), by_wire, raw["param"], kind)
        if target.type.kind != "list":
            raise ctx.fail(
                at + ("param",), "not-a-list", f"{kind} applies to lists; {target.wire.value!r} is a {target.type.kind}"
            )
        item = target.type.items
        names = raw.get("fields", []) + ([raw["field"]] if "field" in raw else [])
        for name in names:
            if item is None or item.kind != "object" or item.field_named(name) is None:
                raise ctx.fail(
                    at,
                    "unknown-field",
                    f"{kind} names {name!r}, which is not a field of the items of {target.wire.value!r}",
                )
        if kind == "max_items_when" and target.type.max_items is not None and raw["max"] > target.type.max_items:
            raise ctx.fail(
                at + ("max",),
                "min-max",
                f"conditional max {raw['max']} is above the list's own max_items {target.type.max_items}",
            )
    return Rule(
        kind=kind,
        params=tuple(Text(p) for p in raw.get("params", [])),
        param=_text(raw.get("param")),
        field=_text(raw.get("field")),
        fields=tuple(Text(f) for f in raw.get("fields", [])),
        max=raw.get("max"),
        when=when,
        description=_text(raw.get("description")),
    )


def _checked_request_ids(
    ctx: _Ctx, raw: dict[str, Any], at: Location, by_wire: dict[str, Field]
) -> dict[str, RequestIds | None]:
    ids = {k: _request_ids(raw.get(k)) for k in ("order_id", "client_id")}
    for k, rid in ids.items():
        if rid is not None:
            p = _need(ctx, at + (k,), by_wire, rid.param.value, "request_ids")
            if p.type.kind != "list" or p.type.items is None:
                raise ctx.fail(at + (k,), "not-a-list", f"request_ids.{k} must name a list parameter")
            if rid.field is not None and not p.type.items.has_field(rid.field.value):
                raise ctx.fail(
                    at + (k,), "unknown-field", f"the items of {rid.param.value!r} have no field {rid.field.value!r}"
                )
    return ids


def _endpoint_simulation(
    ctx: _Ctx, raw: dict[str, Any] | None, by_wire: dict[str, Field], outcomes: tuple[OutcomeSource, ...]
) -> EndpointSimulation | None:
    if raw is None:
        return None
    at: Location = ("simulation",)
    if "request_ids" in raw:
        ids = _checked_request_ids(ctx, raw["request_ids"], at + ("request_ids",), by_wire)
    else:
        first = outcomes[0] if outcomes else None
        ids = {
            "order_id": first.request_order_ids if first else None,
            "client_id": first.request_client_ids if first else None,
        }
    if ids["order_id"] is None and ids["client_id"] is None:
        raise ctx.fail(
            at,
            "request-ids",
            "the simulator needs to know where the request names its orders: set simulation.request_ids",
        )
    terminal = raw.get("terminal_orders", "error")
    if terminal == "status" and not any(o.status is not None for o in outcomes):
        raise ctx.fail(
            at + ("terminal_orders",),
            "terminal-orders",
            "terminal_orders: status needs an outcome source that reads a status",
        )
    return EndpointSimulation(
        unknown_order=_sim_answer(raw["unknown_order"]),
        terminal_orders=terminal,
        accepted=_sim_answer(raw["accepted"]) if "accepted" in raw else None,
        request_order_ids=ids["order_id"],
        request_client_ids=ids["client_id"],
    )


def _build_outcome(
    ctx: _Ctx, raw: dict[str, Any], at: Location, by_wire: dict[str, Field], response: Type
) -> OutcomeSource:
    """An outcome source, every path and field of which must exist in the response spec."""
    items = _path(raw["items"]) or ()
    aligned = _path(raw.get("aligned_with"))
    lists = {
        "item": response.list_items_at(items),
        "aligned": None if aligned is None else response.list_items_at(aligned),
    }
    for key, path in (("items", items), ("aligned_with", aligned)):
        if path is not None and lists["item" if key == "items" else "aligned"] is None:
            shown = ".".join(p.value for p in path) or "(the body)"
            raise ctx.fail(at + (key,), "unknown-field", f"{key} {shown} is not a list in the response spec")
    refs = {k: _ref(raw.get(k)) for k in ("order_id", "client_id", "status", "error_code", "error_message")}
    cancelled = raw["cancelled"]
    when = _ref(cancelled["field"]) if isinstance(cancelled, dict) else None
    for name, ref in list(refs.items()) + [("cancelled", when)]:
        if ref is None:
            continue
        if ref.source == "aligned" and aligned is None:
            raise ctx.fail(
                at + (name,), "aligned", f"{name} refers to aligned.{ref.name.value} but the source has no aligned_with"
            )
        owner = lists[ref.source]
        if owner is None or not owner.has_field(ref.name.value):
            raise ctx.fail(
                at + (name,),
                "unknown-field",
                f"{name} reads {ref.name.value!r}, which the response spec's {ref.source}s do not have",
            )
    ids = _checked_request_ids(ctx, raw.get("request_ids", {}), at + ("request_ids",), by_wire)
    return OutcomeSource(
        items=items,
        aligned_with=_path(raw.get("aligned_with")),
        order_id=refs["order_id"],
        client_id=refs["client_id"],
        status=refs["status"],
        error_code=refs["error_code"],
        error_message=refs["error_message"],
        cancelled_constant=cancelled if isinstance(cancelled, bool) else None,
        cancelled_when=when,
        cancelled_values=tuple(_scalar(v) for v in cancelled["in"]) if isinstance(cancelled, dict) else (),
        not_cancelled_message=_text(raw.get("not_cancelled_message")),
        request_order_ids=ids["order_id"],
        request_client_ids=ids["client_id"],
    )
