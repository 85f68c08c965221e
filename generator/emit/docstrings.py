"""Docstrings of the generated clients' public methods, from the spec (PEP 257, Google style).

The summary line is the spec's summary; each parameter is described by the spec's description
and its limits in words, taken from the spec's values (never written by hand), so raising a
limit in the spec changes the docstring with it. Spec text passes through `doc` (the escaping
filter) line by line after wrapping, so nothing in it can end the docstring early.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from specgen.emit.literal import doc
from specgen.spec.kinds.fields import Field
from specgen.spec.model import Endpoint, Venue
from specgen.spec.text import Code, Text

WIDTH = 100  # black's line length for generated code
Entry = tuple[str, str]  # (name, text) of an Args/Returns/Raises entry


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."


def _wrapped(text: str, indent: int, hanging: int = 0) -> list[str]:
    lines = textwrap.wrap(text, WIDTH - indent - hanging, break_long_words=False, break_on_hyphens=False)
    return [doc(line) for line in lines] or [""]


def docstring(
    summary: str, paragraphs: Sequence[str], sections: Sequence[tuple[str, Sequence[Entry]]], indent: int
) -> Code:
    """A docstring literal: summary line, paragraphs, then sections (`Args:` ...) of entries."""
    pad = " " * indent
    out: list[str] = [doc(summary if summary.endswith((".", "!", "?")) else summary + ".")]  # kept as the spec wrote it
    for paragraph in paragraphs:
        out += [""] + _wrapped(paragraph, indent)
    for title, entries in sections:
        if not entries:
            continue
        out += ["", title + ":"]
        for name, text in entries:
            first, *rest = _wrapped(f"{name}: {_sentence(text)}", indent + 4, 4)
            out += ["    " + first] + ["        " + line for line in rest]
    body = "\n".join((pad + line) if line and i else line for i, line in enumerate(out))
    return Code(f'"""{body}\n{pad}"""' if len(out) > 1 else f'"""{body}"""')


def _param(p: Field, endpoint: Endpoint) -> str:
    conditional = [r.prose() for r in endpoint.rules if (c := r.conditional_limit()) is not None and c.param == p.wire]
    text = _field(p)
    return f"{text[:-1]}; {'; '.join(conditional)}." if conditional else text


def _field(f: Field) -> str:
    description = _sentence(f.description.value) if f.description.value.strip() else ""
    facts = ["Required" if f.required else "Optional"] + f.type.limits()
    return f"{description} {'; '.join(facts)}.".strip()


def model_doc(summary: Text | str, fields: Sequence[Field], indent: int) -> Code:
    """The docstring of a model: its summary, then each field the spec describes or limits, with
    its description and limits (the annotation alone says what `x: Optional.` would)."""
    text = summary.value if isinstance(summary, Text) else summary
    said = [(f.python.value, _field(f)) for f in fields if f.description.value.strip() or f.type.limits()]
    return docstring(text, [], [("Attributes", said)], indent)


def request_doc(endpoint: Endpoint, indent: int) -> Code:
    """The docstring of an endpoint's request model: its fields are the Client method's keyword
    arguments, whose docstring states each in full (written once)."""
    where = f"Its fields are the keyword arguments of Client.{endpoint.operation.value}, described there."
    return docstring(endpoint.summary.value, [where], [], indent)


def result_doc(endpoint: Endpoint, venue: Venue, indent: int) -> Code:
    """The docstring of an endpoint's result: the spec's response description and where the
    payload is; outcomes and warnings are Answered's (described there)."""
    summary = endpoint.response_description
    text = summary.value if summary is not None else "The parsed response: the whole body, its payload, and outcomes."
    data = endpoint.data_field(venue)
    where = f" (response.{data.python.value})" if data is not None else ""
    fields = [("response", "the whole body, envelope included"), ("data", f"the payload{where}")]
    return docstring(text, ["Outcomes and warnings as in Answered."], [("Attributes", fields)], indent)


def _raises(venue: Venue) -> list[Entry]:
    meanings = ", ".join(sorted({m.error_class for m in venue.error_meanings if m.error_class != "RateLimitError"}))
    api = "the venue answered with an error code" + (
        f" (a subclass where the code has a meaning: {meanings})" if meanings else ""
    )
    return [
        ("ValidationError", "the call breaks a rule of the spec; nothing was sent"),
        ("ApiError", api),
        (
            "RateLimitError",
            "the venue asks to slow down (HTTP " + ", ".join(str(s) for s in venue.rate_limit_statuses) + ")",
        ),
        ("ResponseError", "the answer is not JSON or not the documented shape"),
        ("TransportError", "no answer: refused, reset, timed out, redirected or too large"),
    ]


def method_doc(endpoint: Endpoint, venue: Venue, indent: int) -> Code:
    """The docstring of an endpoint's method: each parameter with its description and limits."""
    group_rules = [r.prose() for r in endpoint.rules if r.conditional_limit() is None]
    paragraphs = ["Rules across parameters: " + "; ".join(group_rules) + "."] if group_rules else []
    args = [(p.python.value, _param(p, endpoint)) for p in endpoint.caller_params]
    outcome = " and one outcome per order sent, in request order" if endpoint.outcome_rules is not None else ""
    returns = [(f"{endpoint.stem.value}Result", f"the parsed response{outcome}")]
    return docstring(endpoint.summary.value, paragraphs, [("Args", args), ("Returns", returns)], indent)


def client_doc(venue: Venue, indent: int) -> Code:
    """The docstring of a venue's Client: what every call does, and the errors every call raises
    (written here once, not in each call's docstring)."""
    paragraphs = [
        "Every call is validated against the spec before anything is sent, signed over exactly the"
        " bytes that are sent, and parsed into typed models with one outcome per order. close() (or"
        " `with Client(...) as client:`) releases the transport the client made; a transport passed"
        " in is the caller's to close."
    ]
    summary = f"'{venue.title.value}' REST client generated from its specs"
    return docstring(summary, paragraphs, [("Raises (every call)", _raises(venue))], indent)


def awaited_doc(endpoint: Endpoint, indent: int) -> Code:
    """The docstring of an AsyncClient method: the summary, and the Client method whose docstring
    states the arguments, result and errors in full (written once)."""
    op = endpoint.operation.value
    paragraphs = [f"Client.{op}, awaited: the same arguments, result and errors (see there)."]
    return docstring(endpoint.summary.value, paragraphs, [], indent)


def init_doc(venue: Venue, asynchronous: bool, indent: int) -> Code:
    """The docstring of a client's __init__: every parameter, with the venue's own defaults."""
    auth = venue.auth
    args: list[Entry] = [
        ("api_key", "the API key"),
        ("secret", "the API secret; it is never shown in a repr, log or error"),
    ]
    if "passphrase" in venue.credentials:
        args.append(("passphrase", "the passphrase chosen with the API key; never shown either"))
    args += [
        (c.value, f"the account's {c.value}, a credential the venue signs with; never shown")
        for c in venue.extra_credentials
    ]
    args.append(("base_url", f"where to send requests instead of {venue.production_url.value}"))
    if venue.testnet_url is not None:
        args.append(("testnet", f"send to the venue's testnet, {venue.testnet_url.value}"))
    else:
        args.append(("testnet", "the spec documents no testnet: True raises ValueError unless base_url is given"))
    rw = auth.recv_window
    if rw is not None:
        args.append(
            (
                "recv_window",
                f"how long after its timestamp the venue may accept a request (default {rw.default}; None sends none)",
            )
        )
    args.append(
        ("clock", f"the time as an integer count of {auth.clock_unit} since the epoch (default: the system clock)")
    )
    args.append(
        (
            "limiter",
            "a Limiter (make_limiter) that waits for, or refuses, a request the venue's quotas"
            " have no room for (default: none)",
        )
    )
    summary = f"A client of {venue.title.value}; nothing is sent until a call"
    if asynchronous:  # Client.__init__'s arguments, written there once, but for the transport
        transport = "what sends the requests (default: a new AsyncHttpxTransport (needs httpx), released by aclose)"
        paragraphs = ["The arguments of Client.__init__ (see there), but for the transport."]
        return docstring(summary, paragraphs, [("Args", [("transport", transport)])], indent)
    args += [
        ("transport", "what sends the requests (default: a new UrllibTransport, released by close)"),
        ("timeout", "seconds a whole call may take on the default transport"),
        ("retry", "a RetryPolicy that resends what is safe to (default: no retries)"),
    ]
    return docstring(summary, [], [("Args", args)], indent)
