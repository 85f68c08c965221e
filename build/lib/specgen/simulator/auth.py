"""Authentication as the venue checks it, from the venue spec's recipe and the raw request.

Independent of the generated clients on purpose: the signature is recomputed here from the model
(prehash parts, algorithm, encoding, placement) over the bytes received, so a client that signs
one thing and sends another is caught.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from specgen.simulator import strict
from specgen.simulator.book import Account
from specgen.spec.model import DEFAULT_CLOCK, Placement, Venue


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


def placed(request: RawRequest, placement: Placement) -> str | None:
    if placement.where == "header":
        return request.header(placement.name.value)
    return request.query_param(placement.name.value)


def unsigned_query(request: RawRequest, signature_name: str) -> str:
    """The raw query string minus the signature parameter, every other byte as sent."""
    kept = [p for p in request.query.split("&") if p and unquote(p.partition("=")[0]) != signature_name]
    return "&".join(kept)


def authenticate(venue: Venue, request: RawRequest, accounts: Callable[[str], Account | None], now_ms: int) -> Account:
    """The account a signed request belongs to; raises Rejection as the venue would answer."""
    api_key = placed(request, venue.api_key)
    account = accounts(api_key) if api_key else None
    if account is None:
        raise Rejection("bad_api_key", "unknown or missing API key")
    if venue.passphrase is not None and placed(request, venue.passphrase) != account.passphrase:
        raise Rejection("bad_api_key", "wrong or missing passphrase")
    _check_timestamp(venue, request, now_ms)
    _check_signature(venue, request, account)
    return account


def _integer(text: str | None, what: str) -> int:
    try:
        return strict.integer(text, what)
    except ValueError as exc:
        raise Rejection("invalid_params", str(exc)) from None


def _check_timestamp(venue: Venue, request: RawRequest, now_ms: int) -> None:
    timestamp = _integer(placed(request, venue.timestamp), "the timestamp")
    sent = placed(request, venue.recv_window) if venue.recv_window is not None else None
    window = window_ms(venue, None if sent is None else _integer(sent, "the recv window"))
    future = venue.simulation.clock.future_ms if venue.simulation is not None else DEFAULT_CLOCK.future_ms
    if now_ms - timestamp > window or timestamp - now_ms > future:
        raise Rejection("expired_timestamp", f"timestamp is {now_ms - timestamp} ms old; the window is {window} ms")


def window_ms(venue: Venue, sent: int | None) -> int:
    """The receive window a request gets: the one it sends (within the venue's cap), else the default."""
    clock = venue.simulation.clock if venue.simulation is not None else DEFAULT_CLOCK
    default = clock.window_ms or (venue.recv_window.default if venue.recv_window is not None else None)
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


def _check_signature(venue: Venue, request: RawRequest, account: Account) -> None:
    sig = venue.signature
    sent = placed(request, Placement(sig.where, sig.name, None))
    if not sent:
        raise Rejection("bad_signature", "no signature")
    text = prehash(venue, request)
    expected = sign(sig.algorithm, sig.encoding, account.secret.encode("utf-8"), text)
    # Hex is compared case-insensitively (a digest is a number); base64 byte for byte.
    got = sent.lower() if sig.encoding == "hex" else sent
    if not hmac.compare_digest(got.encode("utf-8"), expected.encode("utf-8")):
        raise Rejection("bad_signature", "the signature does not match the bytes received")


def _raw(text: str) -> bytes:
    # http.server decodes the request line and headers as latin-1: this gives back the bytes sent.
    return text.encode("latin-1", errors="replace")


def prehash(venue: Venue, request: RawRequest) -> bytes:
    """The signed bytes: the recipe's parts, in order, taken from the request as received."""
    sig = venue.signature
    query = unsigned_query(request, sig.name.value) if sig.where == "query" else request.query
    recv_window = placed(request, venue.recv_window) if venue.recv_window is not None else None
    parts = {
        "timestamp": _raw(placed(request, venue.timestamp) or ""),
        "method": request.method.upper().encode("ascii"),
        "path": _raw(request.path),
        "query": _raw(query),
        "query_with_mark": _raw(f"?{query}" if query else ""),
        "body": request.body,
        "api_key": _raw(placed(request, venue.api_key) or ""),
        "recv_window": _raw(recv_window or ""),
    }
    return b"".join(parts[name] for name in sig.prehash)


def sign(algorithm: str, encoding: str, secret: bytes, text: bytes) -> str:
    if algorithm != "hmac-sha256":
        raise ValueError(f"unsupported signature algorithm {algorithm!r}")
    digest = hmac.new(secret, text, hashlib.sha256).digest()
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")
