"""Issue 6: no secret, API key, passphrase or signature ever appears in what a client shows.

Every generated client is driven into every error it can raise, over both transports, with
logging captured at DEBUG; then every exception's str, repr and formatted traceback (with its
chained causes), every repr a user may print, and every log line are scanned for the credential
values and for the signature the client computed.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.helpers import VENUES
from tests.test_client_faults import HANG, HTML, Answer, Venue, closed_port, hang, raw_server, scripted, venue

SECRETS = {
    "api_key": "AK-7f3a9c1e5b-apikey",
    "secret": "SK-2d8e6b4f0a-secret",
    "passphrase": "PP-91c7e3a5d1-passphrase",
}
NOW = 1700000000123


def with_secrets(v: Venue) -> Venue:
    return replace(v, credentials={k: SECRETS[k] for k in v.credentials})


def signature_of(request: Any, v: Venue) -> str:
    """The signature the client put on the wire (the venue's signature header or query parameter)."""
    name = v.signature_name
    secret = {h.lower() for h in request.secret_headers}
    found = [val for k, val in request.headers if k.lower() == name.lower() and k.lower() in secret]
    found += [val for k, val in parse_qsl(urlsplit(request.url).query) if k == name and k in request.secret_params]
    [signature] = found
    return signature


def typed_or_none(kind: Any) -> Any:
    def build(params: dict[str, Any]) -> Any:
        try:
            return kind.from_json(params)
        except (ValueError, TypeError, KeyError):
            return None  # a case of wrong JSON types: no typed request holds it

    return build


def chain(exc: BaseException) -> list[BaseException]:
    out = [exc]
    while (inner := out[-1].__cause__ or out[-1].__context__) is not None and inner not in out:
        out.append(inner)
    return out


def shown(exc: BaseException) -> list[str]:
    """Everything a user or an error reporter could print for exc."""
    texts = ["".join(traceback.format_exception(exc))]
    for e in chain(exc):
        texts += [str(e), repr(e), repr(vars(e))]
    return texts


def make_clients(v: Venue, base_url: str, timeout: float = 5.0, **extra: Any) -> list[Any]:
    package = v.package
    return [
        v.client(package.UrllibTransport(timeout=timeout), base_url=base_url, clock=lambda: NOW, **extra),
        v.client(package.HttpxTransport(timeout=timeout), base_url=base_url, clock=lambda: NOW, **extra),
    ]


@pytest.mark.parametrize("name", VENUES)
def test_no_secret_in_any_error_repr_or_log_line(name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    v = with_secrets(venue(name))
    package = v.package
    texts: list[str] = []
    errors: list[BaseException] = []

    def attempt(client: Any, call: Any = None) -> None:
        try:
            getattr(client, f"send_{v.operation}")(call or v.request())
        except package.ClientError as exc:
            errors.append(exc)
        else:
            raise AssertionError("the call was expected to fail")

    probe = v.client(clock=lambda: NOW)
    request = getattr(probe, f"build_{v.operation}")(v.request())
    signature = signature_of(request, v)
    texts += [repr(probe), str(probe), repr(vars(probe)), repr(request), str(request), repr(package.RetryPolicy())]

    # A call that breaks the spec (the first malformed case a typed request can hold): nothing is sent.
    bad = next(b for b in map(typed_or_none(type(v.request())), v.malformed) if b is not None)
    attempt(probe, bad)
    # The network fails: refused, and (through a tiny timeout) a server that never answers.
    for client in make_clients(v, closed_port()):
        attempt(client)
    with raw_server(hang) as url:
        for client in make_clients(v, url, HANG):
            attempt(client)
    # The venue answers with every kind of error; the TLS case speaks plain HTTP to https://.
    answers = [
        Answer(500, b"<html>oops</html>", HTML),
        Answer(400, v.error_body(-2014, "API-key format invalid.")),
        Answer(429, b"", (("Retry-After", "3"),)),
        Answer(200, b"{truncated"),
    ]
    for answer in answers:
        with scripted(answer) as server:
            for client in make_clients(v, server.url):
                attempt(client)
                texts.append(repr(client))
    with scripted(Answer(429, b"", (("Retry-After", "0"),)), Answer(200, v.success)) as server:
        for client in make_clients(v, server.url.replace("http://", "https://")):
            attempt(client)
        # Successes too, after a retry: their log lines are scanned like the rest.
        retry = package.RetryPolicy(sleep=lambda seconds: None)
        for client in make_clients(v, server.url, retry=retry):
            texts.append(repr(getattr(client, f"send_{v.operation}")(v.request())))
        assert len(server.received) == 3
        sent = server.received[-1]
        assert signature in sent[1] or signature in sent[2].values()  # the scan looks for a real value

    wanted = {"ValidationError", "TransportError", "ResponseError", "ApiError", "RateLimitError"}
    # Each error as the nearest of these classes (an ApiError may be a subclass its code's meaning chose).
    kinds = {next(c.__name__ for c in type(e).__mro__ if c.__name__ in wanted) for e in errors}
    assert kinds == wanted
    for exc in errors:
        texts += shown(exc)
    texts += [record.getMessage() for record in caplog.records]
    texts.append(caplog.text)
    assert any("HTTP Request" in r.getMessage() for r in caplog.records)  # httpx did log each request

    for label, value in {**{k: SECRETS[k] for k in v.credentials}, "signature": signature}.items():
        leaks = [t for t in texts if value in t]
        assert not leaks, f"{label} shown in: {leaks[0][:300]}"


@pytest.mark.parametrize("name", VENUES)
def test_the_scan_would_catch_a_leak(name: str) -> None:
    """The values scanned for are really there to be found: on the wire, under the redaction."""
    v = with_secrets(venue(name))
    request = getattr(v.client(clock=lambda: NOW), f"build_{v.operation}")(v.request())
    wire = request.url + "".join(f"{k}: {val}" for k, val in request.headers)
    assert SECRETS["api_key"] in wire
    assert signature_of(request, v) in wire
    assert signature_of(request, v) not in repr(request) and SECRETS["api_key"] not in repr(request)


@pytest.mark.parametrize("name", VENUES)
def test_no_secret_in_redirects_or_async_errors(name: str, caplog: pytest.LogCaptureFixture) -> None:
    """A redirect whose Location echoes the signed URL (as an http -> https redirect does), and the
    async client's errors:
    neither the key nor the signature reaches a message, a repr or a log line."""
    import asyncio

    caplog.set_level(logging.DEBUG)
    v = with_secrets(venue(name))
    package = v.package
    errors: list[BaseException] = []
    texts: list[str] = []
    with scripted(Answer(200, v.success)) as server:
        request = getattr(v.client(base_url=server.url, clock=lambda: NOW), f"build_{v.operation}")(v.request())
    signature = signature_of(request, v)
    echo = request.url.replace("127.0.0.1", "evil.example")  # the signed URL, its query signature included

    async def async_attempt(url: str) -> None:
        async with package.AsyncClient(base_url=url, clock=lambda: NOW, timeout=5.0, **v.credentials) as client:
            texts.append(repr(client))
            await getattr(client, f"send_{v.operation}")(v.request())

    answers = [
        Answer(302, b"", (("Location", echo),)),
        Answer(400, v.error_body(-2014, "API-key format invalid.")),
        Answer(429, b"", (("Retry-After", "3"),)),
    ]
    for answer in answers:
        with scripted(answer) as server:
            for client in make_clients(v, server.url):
                try:
                    getattr(client, f"send_{v.operation}")(v.request())
                except package.ClientError as exc:
                    errors.append(exc)
            try:
                asyncio.run(async_attempt(server.url))
            except package.ClientError as exc:
                errors.append(exc)
    try:
        asyncio.run(async_attempt(closed_port()))
    except package.ClientError as exc:
        errors.append(exc)
    kinds = sorted(type(e).__name__ for e in errors)
    assert kinds.count("RedirectError") == 3 and "TransportError" in kinds and kinds.count("RateLimitError") == 3
    assert any(getattr(e, "target_host", None) == "evil.example" for e in errors)
    for exc in errors:
        texts += shown(exc)
    texts += [record.getMessage() for record in caplog.records]
    texts.append(caplog.text)
    for label, value in {**{k: SECRETS[k] for k in v.credentials}, "signature": signature}.items():
        leaks = [t for t in texts if value in t]
        assert not leaks, f"{label} shown in: {leaks[0][:300]}"
