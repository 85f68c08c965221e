"""The normalised, validated model that templates read: frozen dataclasses, no raw spec strings.

build_venue() turns schema-valid documents into a Venue and checks what a JSON Schema cannot:
references between parameters, min <= max, unique names, the recorded document digest.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from specgen.errors import SpecError
from specgen.spec.actions import CancelOrders, IdsTarget, build_cancel_orders
from specgen.spec.envelope import Envelope, ErrorMeaning, build_envelope, build_error_meanings
from specgen.spec.kinds import (
    INT64_MAX,
    INT64_MIN,
    Condition,
    ConditionalLimit,
    Ctx,
    Field,
    List,
    Members,
    Object,
    Rule,
    Type,
    Variant,
    build_fields,
    build_rule,
    build_type,
)
from specgen.spec.loader import SNAPSHOT_MAX_BYTES, Document, Location, read_bounded
from specgen.spec.naming import pascal, safe
from specgen.spec.outcomes import (
    OutcomeRules,
    OutcomeSource,
    RequestIds,
    build_outcomes,
    checked_request_ids,
    critical_paths,
)
from specgen.spec.outcomes import path as outcome_path
from specgen.spec.ratelimits import Limit, Pool, RateLimit, build_pools, build_rate_limit
from specgen.spec.signing import Auth, AuthValue, Signature, build_auth
from specgen.spec.stated_limits import check_stated_limits
from specgen.spec.text import Data, Ident, Text

# Re-exported: the model's parts that live with their kind definitions.
__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "Condition",
    "Data",
    "Field",
    "Limit",
    "Object",
    "Pool",
    "RateLimit",
    "RequestIds",
    "Rule",
    "Type",
    "Variant",
]

Scalar = Text | int | bool


def _text(value: str | None) -> Text | None:
    return None if value is None else Text(value)


def _scalar(value: Any) -> Scalar:
    return Text(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Note:
    about: Text
    decision: Text


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


# The simulator's order book speaks one neutral vocabulary; simulation.statuses maps it to the venue's words.
ORDER_STATES = ("open", "partially_filled", "cancelled", "filled", "expired")
ORDER_ATTRIBUTES = ("order_id", "client_id", "instrument", "status", "side", "type", "price", "quantity")
COUNTS = ("requested", "cancelled", "failed")


@dataclass(frozen=True)
class AnswerField:
    """A value the simulator writes into an answer: from the order (order.price), the request
    (request.kind), a count of the batch (count.cancelled) or a literal; words translate it."""

    name: Text  # an item's field, or a dotted path in the body
    source: str  # order | request | count | value
    key: Text | None  # the order attribute, request parameter or count; None for a literal
    value: Scalar | None = None
    words: tuple[tuple[Text, Scalar], ...] = ()


@dataclass(frozen=True)
class CancelAll:
    """An endpoint that names no order and cancels every open one (of one instrument, when asked)."""

    instrument: Text | None  # the parameter that narrows the cancel to one instrument; absent: every one
    ids: tuple[Text, ...] | None  # the response list that receives the cancelled orders' ids
    ids_by_instrument: tuple[Text, ...] | None  # the response map: instrument -> list of the cancelled ids
    nothing_when: Condition | None  # requests that cancel nothing the simulator's book holds
    source: Text


@dataclass(frozen=True)
class EndpointSimulation:
    unknown_order: SimAnswer | None  # None only for a cancel-all endpoint
    terminal_orders: str  # error | status
    accepted: SimAnswer | None
    request_order_ids: RequestIds | None
    request_client_ids: RequestIds | None
    all_or_nothing: AllOrNothing | None = None
    instrument: Text | None = None  # the parameter (and request-item field) naming the instrument
    id_precedence: str | None = None  # order_id | client_id | both: which id finds an order named by both
    statuses: tuple[tuple[str, Scalar], ...] = ()  # book state -> the venue's word
    answer_fields: tuple[AnswerField, ...] = ()
    body_fields: tuple[AnswerField, ...] = ()
    partial: SimAnswer | None = None  # the envelope's code when some orders were not cancelled
    failed: SimAnswer | None = None  # ... when none was
    cancel_all: CancelAll | None = None

    def status_word(self, state: str) -> Scalar | None:
        return next((word for s, word in self.statuses if s == state), None)


@dataclass(frozen=True)
class AllOrNothing:
    """A batch the venue refuses whole when one order cannot be cancelled, unless a parameter says otherwise."""

    unless: Condition
    answer: SimAnswer


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
    params_in: str  # query | body | form: where parameters go unless they say (`in:`)
    body_kind: str  # json | array | form | none
    content_type: Text | None
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
    outcome_rules: OutcomeRules | None = None
    cancel_orders: CancelOrders | None = None  # the unified cancel_orders call, when actions: name it

    @property
    def caller_params(self) -> tuple[Field, ...]:
        """Parameters the caller passes (the client fills in timestamp and recv_window)."""
        return tuple(p for p in self.params if p.source is None)

    @property
    def request_objects(self) -> tuple[Object, ...]:
        return tuple(t for p in self.params for t in p.type.objects)

    @property
    def response_objects(self) -> tuple[Object, ...]:
        return self.response.objects

    @property
    def max_batch(self) -> int | None:
        """The largest list a call may send (unconditional maximum), for batching helpers; 1 where
        each request names one order (its id a scalar parameter, in the path say)."""
        if self.outcome_rules is not None and self.outcome_rules.one_order:
            return 1
        sizes = [p.type.max_items for p in self.params if isinstance(p.type, List) and p.type.max_items is not None]
        return max(sizes) if sizes else None

    @property
    def order_lists(self) -> tuple[Field, ...]:
        """The list parameters a caller fills; their items are the orders a request names (what a
        rate limit counted in orders counts, in the client's limiter and in the simulator)."""
        return tuple(p for p in self.caller_params if isinstance(p.type, List))

    @property
    def counts_orders(self) -> bool:
        """Whether a rate limit of this endpoint (its own, or a pool's it draws on) counts orders."""
        return any(c.unit == "orders" for c in self.rate_limit.charges)

    @property
    def conditional_limits(self) -> tuple[ConditionalLimit, ...]:
        """Lower limits on lists that hold while a condition does (the rules say which)."""
        return tuple(limit for r in self.rules if (limit := r.conditional_limit()) is not None)

    @property
    def params_type(self) -> Type:
        """The parameters as one object, so validators treat them like any other object."""
        return Object(model=Ident(self.stem.value + "Params"), fields=self.params, rules=self.rules)

    @property
    def list_encodings(self) -> dict[Text, str]:
        """How each list parameter is written as one query or form value."""
        return {p.wire: p.type.encoding or "json" for p in self.params if isinstance(p.type, List)}

    @property
    def request_type(self) -> Type:
        """What the caller passes, as the operation's Request dataclass."""
        return Object(model=Ident(self.stem.value + "Request"), fields=self.caller_params)

    @property
    def patterns(self) -> tuple[Text, ...]:
        """Every distinct regular expression this endpoint's validators use, in a stable order."""
        return tuple(dict.fromkeys(self.params_type.patterns + self.response.patterns))

    def data_field(self, venue: Venue) -> Field | None:
        """The body field an envelope wraps the payload in (None: the body is the payload)."""
        if venue.envelope is None:
            return None
        return self.response.field_named(venue.envelope.data.value)

    def critical_paths(self, venue: Venue) -> tuple[Text, ...]:
        """Response fields parsed strictly: what the outcomes and the envelope depend on."""
        env = venue.envelope
        fields = () if env is None else tuple(f for f in (env.code, env.success_flag, env.error_list) if f is not None)
        return critical_paths(self.outcomes, self.outcome_rules, fields)

    def where(self, p: Field) -> str:
        """Where a parameter is sent: path, query or body."""
        if p.location is not None:
            return p.location
        return "query" if self.params_in == "query" else "body"

    def params_in_place(self, where: str) -> tuple[Field, ...]:
        return tuple(p for p in self.params if self.where(p) == where)

    @property
    def path_params(self) -> tuple[Field, ...]:
        return self.params_in_place("path")

    @property
    def path_template(self) -> tuple[tuple[str, Text | Field], ...]:
        """The path as ('text', Text) and ('param', Field) pieces, in order."""
        out: list[tuple[str, Text | Field]] = []
        for piece in re.split(r"(\{[A-Za-z0-9_]+\})", self.path.value):
            if piece.startswith("{"):
                found = self.param(piece[1:-1])
                assert found is not None
                out.append(("param", found))
            elif piece:
                out.append(("text", Text(piece)))
        return tuple(out)

    def param(self, wire: str) -> Field | None:
        return next((p for p in self.params if p.wire.value == wire), None)


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
    auth: Auth
    envelope: Envelope | None
    error_meanings: tuple[ErrorMeaning, ...]
    error_code: Text
    error_message: Text
    rate_limit_statuses: tuple[int, ...]
    retry_statuses: tuple[tuple[int, bool], ...]  # status -> retried only with Retry-After
    pools: tuple[Pool, ...]
    test_credentials: Data | None
    signing_examples: Data
    notes: tuple[Note, ...]
    endpoints: tuple[Endpoint, ...] = field(default=())
    simulation: VenueSimulation | None = None
    retry_after_header: Text | None = None  # where a rate-limited answer says how long to wait, if not Retry-After

    @property
    def wait_headers(self) -> tuple[str, ...]:
        """Where clients read how long to wait: the venue's own header first, then Retry-After."""
        own = () if self.retry_after_header is None else (self.retry_after_header.value,)
        return tuple(dict.fromkeys(own + ("Retry-After",)))

    @property
    def retry_rules(self) -> dict[int, bool]:
        """Status -> whether a RetryPolicy resends it only when the answer carries Retry-After."""
        return dict(self.retry_statuses)

    @property
    def secret_headers(self) -> tuple[Text, ...]:
        """Headers whose values must never be shown: the key, the passphrase, the signature."""
        return self.auth.secret_in("header")

    # The recipe's parts most code asks for, by their usual names.
    @property
    def signature(self) -> Signature:
        return self.auth.signature

    @property
    def timestamp(self) -> AuthValue | None:
        return self.auth.timestamp

    @property
    def recv_window(self) -> AuthValue | None:
        return self.auth.recv_window

    @property
    def api_key(self) -> AuthValue | None:
        return self.auth.value("api_key")

    @property
    def passphrase(self) -> AuthValue | None:
        return self.auth.value("passphrase")

    @property
    def extra_credentials(self) -> tuple[Ident, ...]:
        """Credentials besides the API key, secret and passphrase (each a Client argument)."""
        return tuple(Ident(c) for c in self.credentials if c not in ("api_key", "secret", "passphrase"))

    @property
    def cancel_endpoint(self) -> Endpoint | None:
        """The endpoint behind the unified cancel_orders call: the first that declares it (a venue
        whose single-order cancels take one kind of id each declares it on each)."""
        return next((e for e in self.endpoints if e.cancel_orders is not None), None)

    @property
    def cancel_endpoints(self) -> tuple[Endpoint, ...]:
        """Every endpoint the unified cancel_orders call sends through."""
        return tuple(e for e in self.endpoints if e.cancel_orders is not None)

    @property
    def cancel_targets(self) -> tuple[tuple[Endpoint, IdsTarget], ...]:
        """(endpoint, where the ids go) for each kind of id cancel_orders takes: order ids first."""
        found = [(e, t) for e in self.endpoints if e.cancel_orders is not None for t in e.cancel_orders.targets]
        return tuple(sorted(found, key=lambda pair: pair[1].arg != "order_ids"))

    @property
    def cancel_one_by_one(self) -> bool:
        """Every request of cancel_orders names one order: the venue's refusal of one is its outcome."""
        return all(e.cancel_orders is not None and e.cancel_orders.one_by_one for e in self.cancel_endpoints)


# ---------------------------------------------------------------------------------------------
# Building


def _notes(raws: list[dict[str, Any]]) -> tuple[Note, ...]:
    return tuple(Note(Text(n["about"]), Text(n["decision"])) for n in raws)


# Folders of generated/ that are not venue packages (the contract tests, the shared runtime).
RESERVED_VENUES = frozenset({"contract_tests", "specgen_runtime"})


def build_venue_header(doc: Document, folder: str) -> Venue:
    ctx = Ctx(doc)
    raw = doc.data
    if raw["venue"] != folder:
        raise ctx.fail(("venue",), "venue-name", f"venue {raw['venue']!r} must match its folder name {folder!r}")
    if raw["venue"] in RESERVED_VENUES:
        raise ctx.fail(("venue",), "reserved-name", f"venue {raw['venue']!r} names a folder of generated/ of its own")
    auth = build_auth(raw["auth"], tuple(raw["credentials"]), ctx.fail)
    env = raw.get("envelope")
    errors = raw["errors"]
    simulation = _venue_simulation(raw.get("simulation"))
    recv_window = auth.recv_window
    if simulation is not None:
        _check_clock(ctx, simulation.clock, recv_window)
    retry: dict[int, bool] = {}
    for i, rule in enumerate(errors.get("retry", [])):
        if rule["status"] in retry:
            where = ("errors", "retry", i, "status")
            raise ctx.fail(where, "duplicate-status", f"status {rule['status']} is listed twice")
        retry[rule["status"]] = rule.get("only_with_retry_after", False)
    return Venue(
        file=doc.path,
        name=Ident(raw["venue"]),
        title=Text(raw["title"]),
        docs=_text(raw.get("docs")),
        production_url=Text(raw["base_urls"]["production"]),
        testnet_url=_text(raw["base_urls"].get("testnet")),
        credentials=tuple(raw["credentials"]),
        query_safe=Text(raw.get("query", {}).get("safe", "")),
        auth=auth,
        envelope=build_envelope(ctx.fail, env, ("envelope",)),
        error_meanings=build_error_meanings(ctx.fail, errors.get("meanings", {}), ("errors", "meanings")),
        error_code=Text(errors["code"]),
        error_message=Text(errors["message"]),
        rate_limit_statuses=tuple(errors.get("rate_limit_statuses", [429])),
        retry_statuses=tuple(sorted(retry.items())),
        pools=build_pools(ctx, raw.get("rate_limit_pools", [])),
        test_credentials=Data(raw["test_credentials"]) if "test_credentials" in raw else None,
        signing_examples=Data(raw.get("signing_examples", [])),
        notes=_notes(raw.get("notes", [])),
        simulation=simulation,
        retry_after_header=Text(errors["retry_after"]["header"]) if "retry_after" in errors else None,
    )


def _check_clock(ctx: Ctx, clock: SimClock, recv_window: AuthValue | None) -> None:
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


def build_endpoint(doc: Document, venue: Venue, spec_dir: Path) -> Endpoint:
    ctx = Ctx(doc)
    raw = doc.data
    params = build_fields(ctx, raw["params"], ("params",))
    by_wire = {p.wire.value: p for p in params}

    params_in = raw["http"]["params_in"]
    path_names = re.findall(r"\{([A-Za-z0-9_]+)\}", raw["http"]["path"])
    for name in path_names:
        p = _need(ctx, ("http", "path"), by_wire, name, "the path")
        if p.location not in (None, "path") or not p.type.scalar or not p.required:
            raise ctx.fail(
                ("http", "path"), "path-param", f"{name!r} fills the path, so it must be a required scalar in: path"
            )
    params = tuple(replace(p, location="path") if p.wire.value in path_names else p for p in params)
    for i, p in enumerate(params):
        if p.location == "path" and p.wire.value not in path_names:
            raise ctx.fail(
                ("params", i, "in"),
                "path-param",
                f"{p.wire.value!r} is in: path but the path has no {{{p.wire.value}}}",
            )
    by_wire = {p.wire.value: p for p in params}

    def where(p: Field) -> str:
        return p.location or ("query" if params_in == "query" else "body")

    # The client fills in the auth values the venue sends among the parameters (query or body).
    sources = {p.source: i for i, p in enumerate(params) if p.source}
    if raw["signed"]:
        for value in venue.auth.values:
            # recv_window is optional: an endpoint that does not list it never sends it.
            if value.placement.where in ("query", "body") and value.key not in sources and value.key != "recv_window":
                raise ctx.fail(
                    ("params",),
                    "source",
                    f"{venue.name.value} sends {value.key} in the {value.placement.where}; "
                    f"list it as a parameter with source: {value.key}",
                )
    for src, i in sources.items():
        sent = venue.auth.value(src)
        # A value the venue takes among the parameters goes where the endpoint sends them (query or body).
        if sent is None or sent.placement.where not in ("query", "body") or sent.placement.name != params[i].wire:
            raise ctx.fail(
                ("params", i, "source"),
                "source",
                f"the venue does not send {src} as the parameter {params[i].wire.value!r}",
            )
    for i, p in enumerate(params):
        if isinstance(p.type, List) and where(p) == "query" and p.type.encoding is None:
            raise ctx.fail(
                ("params", i),
                "encoding",
                f"list {p.wire.value!r} travels in the query, so it needs an encoding (json or comma)",
            )
        for f in (p, *(g for t in p.type.objects if isinstance(t, Object) for g in t.fields)):
            if f.type.nullable and not f.required:
                raise ctx.fail(
                    ("params", i),
                    "nullable",
                    f"request field {f.wire.value!r} is nullable but optional: a caller's None already means "
                    "'not sent', so null could not be sent; make it required",
                )

    members = Members(ctx, "params", params)
    rules = tuple(build_rule(ctx, r, ("rules", i), members) for i, r in enumerate(raw.get("rules", [])))
    check_stated_limits(ctx, raw, params, rules)
    response = build_type(ctx, raw["response"]["body"], ("response", "body"))
    outcomes, outcome_rules = build_outcomes(
        ctx.fail, raw.get("outcomes"), ("outcomes",), by_wire, response, raw.get("simulation", {}).get("request_ids")
    )
    simulation = _endpoint_simulation(ctx, raw.get("simulation"), by_wire, outcomes, outcome_rules)
    cancel_orders = build_cancel_orders(
        ctx, raw.get("actions", {}).get("cancel_orders"), ("actions", "cancel_orders"), params, outcome_rules
    )

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
    rate_limit = build_rate_limit(ctx, raw.get("rate_limit", {}), venue.pools, params)
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
        body_kind=_body_kind(ctx, raw["http"], params),
        content_type=_text(raw["http"].get("content_type")),
        signed=raw["signed"],
        rate_limit=rate_limit,
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
        outcome_rules=outcome_rules,
        cancel_orders=cancel_orders,
    )


def _body_kind(ctx: Ctx, http: dict[str, Any], params: tuple[Field, ...]) -> str:
    """How the body is written: json (an object of the body parameters), array (one list
    parameter is the whole body), form (name=value pairs), or none."""
    default = "query" if http["params_in"] == "query" else "body"
    in_body = [p for p in params if (p.location or default) == "body"]
    kind = http.get("body") or ("form" if http["params_in"] == "form" else "json" if in_body else "none")
    if kind == "none" and in_body:
        raise ctx.fail(("http", "body"), "body", "body: none, but parameters are sent in the body")
    if kind == "array" and (len(in_body) != 1 or in_body[0].type.list_items() is None):
        raise ctx.fail(("http", "body"), "body", "body: array sends one list parameter as the whole body")
    if kind == "form" and any(isinstance(p.type, List) and p.type.encoding is None for p in in_body):
        raise ctx.fail(("http", "body"), "encoding", "lists in a form body need an encoding (json or comma)")
    return str(kind)


def _need(ctx: Ctx, at: Location, by_wire: dict[str, Field], name: str, what: str) -> Field:
    found = by_wire.get(name)
    if found is None:
        raise ctx.fail(at, "unknown-param", f"{what} names {name!r}, which is not a parameter of this endpoint")
    return found


def _endpoint_simulation(
    ctx: Ctx,
    raw: dict[str, Any] | None,
    by_wire: dict[str, Field],
    outcomes: tuple[OutcomeSource, ...],
    rules: OutcomeRules | None,
) -> EndpointSimulation | None:
    if raw is None:
        return None
    at: Location = ("simulation",)
    if "cancel_all" in raw:
        return _cancel_all_simulation(ctx, raw, by_wire, outcomes if rules is None or not rules.from_answer else ())
    if "unknown_order" not in raw:
        raise ctx.fail(at, "simulation", "say how an unknown order is answered: set simulation.unknown_order")
    if "request_ids" in raw:
        ids = checked_request_ids(
            ctx.fail, raw["request_ids"], at + ("request_ids",), by_wire, ("order_id", "client_id")
        )
    else:
        ids = {
            "order_id": rules.request_order_ids if rules else None,
            "client_id": rules.request_client_ids if rules else None,
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
    whole = raw.get("all_or_nothing")
    if whole is not None:
        unless = _need(
            ctx, at + ("all_or_nothing", "unless", "param"), by_wire, whole["unless"]["param"], "all_or_nothing.unless"
        )
    envelope = raw.get("envelope", {})
    return EndpointSimulation(
        unknown_order=_sim_answer(raw["unknown_order"]),
        terminal_orders=terminal,
        accepted=_sim_answer(raw["accepted"]) if "accepted" in raw else None,
        request_order_ids=ids["order_id"],
        request_client_ids=ids["client_id"],
        all_or_nothing=(
            None
            if whole is None
            else AllOrNothing(
                Condition(unless.wire, unless.python.value, tuple(_scalar(v) for v in whole["unless"]["in"])),
                _sim_answer(whole["answer"]),
            )
        ),
        instrument=_text(raw.get("instrument")),
        id_precedence=raw.get("id_precedence", {}).get("use"),
        statuses=tuple((state, _scalar(word)) for state, word in raw.get("statuses", {}).items() if state != "source"),
        answer_fields=tuple(_answer_field(k, v) for k, v in raw.get("answer_fields", {}).items()),
        body_fields=tuple(_answer_field(k, v) for k, v in raw.get("body_fields", {}).items()),
        partial=_sim_answer(envelope["partial"]) if "partial" in envelope else None,
        failed=_sim_answer(envelope["failed"]) if "failed" in envelope else None,
    )


# Keys of a per-order simulation that a cancel-all endpoint, naming no order, has no use for.
_PER_ORDER_KEYS = (
    "unknown_order",
    "terminal_orders",
    "accepted",
    "request_ids",
    "all_or_nothing",
    "instrument",
    "id_precedence",
    "answer_fields",
    "envelope",
)


def _cancel_all_simulation(
    ctx: Ctx, raw: dict[str, Any], by_wire: dict[str, Field], outcomes: tuple[OutcomeSource, ...]
) -> EndpointSimulation:
    at: Location = ("simulation", "cancel_all")
    spec = raw["cancel_all"]
    if outcomes:
        raise ctx.fail(
            at, "simulation", "a cancel-all names no order: its outcomes, if any, are from_answer (the ids it lists)"
        )
    extra = [k for k in _PER_ORDER_KEYS if k in raw]
    if extra:
        raise ctx.fail(
            ("simulation", extra[0]), "simulation", f"{extra[0]} answers named orders; a cancel-all names none"
        )
    instrument = spec.get("instrument")
    if instrument is not None:
        param = _need(ctx, at + ("instrument",), by_wire, instrument, "cancel_all.instrument")
        if not param.type.scalar:
            raise ctx.fail(at + ("instrument",), "simulation", f"instrument {instrument!r} is not a scalar parameter")
    nothing = spec.get("nothing_when")
    when = None
    if nothing is not None:
        param = _need(ctx, at + ("nothing_when", "param"), by_wire, nothing["param"], "cancel_all.nothing_when")
        when = Condition(param.wire, param.python.value, tuple(_scalar(v) for v in nothing["in"]))
    return EndpointSimulation(
        unknown_order=None,
        terminal_orders="error",
        accepted=None,
        request_order_ids=None,
        request_client_ids=None,
        statuses=tuple((state, _scalar(word)) for state, word in raw.get("statuses", {}).items() if state != "source"),
        body_fields=tuple(_answer_field(k, v) for k, v in raw.get("body_fields", {}).items()),
        cancel_all=CancelAll(
            instrument=_text(instrument),
            ids=outcome_path(spec.get("ids")),
            ids_by_instrument=outcome_path(spec.get("ids_by_instrument")),
            nothing_when=when,
            source=Text(spec["source"]),
        ),
    )


def _answer_field(name: str, raw: Any) -> AnswerField:
    """`order.price`, `request.kind`, `count.cancelled`, or {from: ..., words: {...}}, or {value: literal}."""
    if isinstance(raw, dict) and "value" in raw:
        return AnswerField(Text(name), "value", None, _scalar(raw["value"]))
    where = raw["from"] if isinstance(raw, dict) else raw
    source, _, key = where.partition(".")
    words = raw.get("words", {}) if isinstance(raw, dict) else {}
    return AnswerField(Text(name), source, Text(key), None, tuple((Text(k), _scalar(v)) for k, v in words.items()))
