"""Authentication as the venue checks it, from the venue spec's recipe and the raw request.

Independent of the generated clients on purpose: every value is read back from where the recipe
places it, and the signature is recomputed by the recipe's own steps (specgen.spec.signing, the
`received` side of each step) over the bytes received, so a client that signs one thing and sends
another is caught.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from specgen.simulator.book import Account
from specgen.spec import strict
from specgen.spec.model import DEFAULT_CLOCK, Venue
from specgen.spec.signing import ALGORITHMS, ENCODINGS, SECRETS, AuthValue, b64decode_any


class Rejection(Exception):
    """The venue refuses the request; kind names the answer in the venue's simulation errors."""

    def __init__(self, kind: str, detail: str) -> None:
        self.kind = kind  # bad_api_key | bad_signature | expired_timestamp | invalid_params
        self.detail = detail  # for the simulator's log and tests; never holds a secret
        super().__init__(f"{kind}: {detail}")


@dataclass(frozen=True)
class RawRequest:
    """A request as received: path and query exactly as sent (undecoded), body bytes."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def query_pairs(self) -> list[tuple[str, str]]:
        """(raw name, raw value) pairs in the order sent."""
        if not self.query:
            return []
        return [(p.partition("=")[0], p.partition("=")[2]) for p in self.query.split("&")]

    def query_param(self, name: str) -> str | None:
        """The percent-decoded value of the first parameter with this (decoded) name."""
        return next((unquote(v) for k, v in self.query_pairs() if unquote(k) == name), None)


def unsigned_query(request: RawRequest, signature_name: str) -> str:
    """The raw query string minus the signature parameter, every other byte as sent."""
    kept = [p for p in request.query.split("&") if p and unquote(p.partition("=")[0]) != signature_name]
    return "&".join(kept)


def _json_object(body: bytes) -> dict[str, object] | None:
    try:
        value = strict.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _form_value(body: bytes, name: str) -> str | None:
    text = body.decode("utf-8", errors="replace")
    pairs = [p.partition("=") for p in text.split("&") if p]
    return next((unquote(v) for k, _, v in pairs if unquote(k) == name), None)


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Received:
    """A request as the venue reads it, under the venue's recipe (the names the steps use)."""

    def __init__(self, venue: Venue, request: RawRequest) -> None:
        self.venue = venue
        self.raw = request
        self.method = request.method
        self.path = request.path
        self._payload: dict[str, object] | None = None

    def header(self, name: str) -> str | None:
        return self.raw.header(name)

    def query_text(self) -> str:
        sig = self.venue.auth.signature.placement
        return unsigned_query(self.raw, sig.name.value) if sig.where == "query" else self.raw.query

    def body_bytes(self) -> bytes:
        sig = self.venue.auth.signature.placement
        if sig.where != "body":
            return self.raw.body
        obj = _json_object(self.raw.body)
        if obj is not None:
            obj.pop(sig.name.value, None)
            return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        text = self.raw.body.decode("latin-1")
        kept = [p for p in text.split("&") if p and unquote(p.partition("=")[0]) != sig.name.value]
        return "&".join(kept).encode("latin-1")

    def signature(self) -> str | None:
        placement = self.venue.auth.signature.placement
        return self._at(placement.where, placement.name.value)

    def value(self, key: str) -> str | None:
        found = self.venue.auth.value(key)
        if found is None:
            return None
        return self._at(found.placement.where, found.placement.name.value)

    def _at(self, where: str, name: str) -> str | None:
        if where == "header":
            return self.raw.header(name)
        if where == "query":
            return self.raw.query_param(name)
        if where == "body":
            obj = _json_object(self.raw.body)
            return _text(obj.get(name)) if obj is not None else _form_value(self.raw.body, name)
        return _text(self.payload().get(name))

    def payload(self) -> dict[str, object]:
        """The JSON object an `of: fields` payload carries (empty when it does not decode)."""
        if self._payload is None:
            payload = self.venue.auth.payload
            sent = self.value("payload") if payload is not None else None
            decoded: dict[str, object] | None = None
            if payload is not None and sent is not None:
                try:
                    decoded = _json_object(b64decode_any(sent, payload.payload_encoding))
                except ValueError:
                    decoded = None
            self._payload = decoded or {}
        return self._payload


class NonceBook:
    """The last nonce seen per (venue, API key): each must be greater than the one before."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], int] = {}

    def check(self, venue: str, api_key: str, nonce: int) -> None:
        with self._lock:
            last = self._last.get((venue, api_key))
            if last is not None and nonce <= last:
                raise Rejection("expired_timestamp", f"nonce {nonce} is not above the last one, {last}")
            self._last[(venue, api_key)] = nonce


def authenticate(
    venue: Venue,
    request: RawRequest,
    accounts: Callable[[str], Account | None],
    now_ms: int,
    nonces: NonceBook | None = None,
) -> Account:
    """The account a signed request belongs to; raises Rejection as the venue would answer."""
    received = Received(venue, request)
    auth = venue.auth
    api_key = received.value("api_key")
    account = accounts(api_key) if api_key else None
    if account is None:
        raise Rejection("bad_api_key", "unknown or missing API key")
    passphrase = auth.value("passphrase")
    if passphrase is not None:
        expected = account.passphrase
        if passphrase.signed is not None:
            key = SECRETS[auth.signature.secret].apply(account.secret)
            expected = passphrase.signed.apply(key, account.passphrase)
        if received.value("passphrase") != expected:
            raise Rejection("bad_api_key", "wrong or missing passphrase")
    _check_payload(venue, received)
    if auth.timestamp is not None:
        _check_timestamp(venue, auth.timestamp, received, now_ms)
    if auth.nonce is not None:
        nonce = _integer(received.value("nonce"), "the nonce")
        if nonces is not None:
            nonces.check(venue.name.value, account.api_key, nonce)
    _check_signature(venue, received, account)
    return account


def _integer(text: str | None, what: str) -> int:
    try:
        return strict.integer(text, what)
    except ValueError as exc:
        raise Rejection("invalid_params", str(exc)) from None


def _check_payload(venue: Venue, received: Received) -> None:
    payload = venue.auth.payload
    if payload is None:
        return
    sent = received.value("payload")
    if sent is None:
        raise Rejection("bad_signature", "no payload")
    if payload.payload_of == "body":
        try:
            same = b64decode_any(sent, payload.payload_encoding) == received.raw.body
        except ValueError:
            same = False
        if not same:
            raise Rejection("bad_signature", "the payload does not decode to the body received")
    elif not received.payload():
        raise Rejection("bad_signature", "the payload is not an encoded JSON object")


def _check_timestamp(venue: Venue, stamp: AuthValue, received: Received, now_ms: int) -> None:
    text = received.value("timestamp")
    try:
        if text is None:
            raise ValueError("missing")
        sent_ms = stamp.read_time(text)
    except ValueError:
        raise Rejection("invalid_params", "the timestamp is missing or not in the venue's format") from None
    future = venue.simulation.clock.future_ms if venue.simulation is not None else DEFAULT_CLOCK.future_ms
    if stamp.expires_in:
        # An expiry time: the request is good until then, and for no longer than the venue allows.
        expiry_ms = sent_ms + stamp.expires_in * 1000
        if expiry_ms < now_ms or expiry_ms - now_ms > stamp.expires_in * 1000 + future:
            raise Rejection("expired_timestamp", f"the request expires {expiry_ms - now_ms} ms from now")
        return
    sent = received.value("recv_window") if venue.auth.recv_window is not None else None
    window = window_ms(venue, None if sent is None else _integer(sent, "the recv window"))
    if now_ms - sent_ms > window or sent_ms - now_ms > future:
        raise Rejection("expired_timestamp", f"timestamp is {now_ms - sent_ms} ms old; the window is {window} ms")


def window_ms(venue: Venue, sent: int | None) -> int:
    """The receive window a request gets: the one it sends (within the venue's cap), else the default."""
    clock = venue.simulation.clock if venue.simulation is not None else DEFAULT_CLOCK
    rw = venue.auth.recv_window
    default = clock.window_ms or (rw.default if rw is not None else None)
    if sent is None:
        assert default is not None  # the model refuses a simulated venue without one
        return default
    if sent <= 0:
        raise Rejection("invalid_params", "the recv window must be positive")
    if clock.max_window_ms is not None and sent > clock.max_window_ms:
        if clock.beyond_max == "refuse":
            raise Rejection("invalid_params", f"the recv window is above {clock.max_window_ms} ms")
        return clock.max_window_ms
    return sent


def _check_signature(venue: Venue, received: Received, account: Account) -> None:
    sig = venue.auth.signature
    sent = received.signature()
    if not sent:
        raise Rejection("bad_signature", "no signature")
    if not sig.matches(sent, sig.expected(account.secret, received)):
        raise Rejection("bad_signature", "the signature does not match the bytes received")


def prehash(venue: Venue, request: RawRequest) -> bytes:
    """The signed bytes: the recipe's parts, in order, taken from the request as received."""
    return venue.auth.signature.string_to_sign(Received(venue, request))


def sign(algorithm: str, encoding: str, secret: bytes, text: bytes) -> str:
    """One signature by the recipe's named steps (for tests that hold the simulator to examples)."""
    return ENCODINGS[encoding].apply(ALGORITHMS[algorithm].compute(secret, text))
