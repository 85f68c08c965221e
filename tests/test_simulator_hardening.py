"""Issue 14 item 4: the simulator under hostile input answers every request and keeps serving.

Generic over the venues in specs/: each venue's pinned request cases (exact bytes, signatures
included) are replayed over real HTTP with the simulator's clock set to the case's timestamp, then
altered one way at a time. Expected answers come from the venue's simulation section.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from specgen.simulator import Simulator
from specgen.simulator.answers import internal_error, plain
from specgen.simulator.auth import NonceBook, RawRequest, Rejection, authenticate, window_ms
from specgen.simulator.book import Account
from specgen.simulator.server import LISTEN_BACKLOG
from specgen.simulator.wire import ParamReader
from specgen.spec import strict
from specgen.spec.model import Endpoint, SimAnswer, Venue

from tests.helpers import case_now_ms, run_cli, scratch_project

JSON = Any


def pinned(venues: tuple[Venue, ...]) -> list[tuple[Venue, Endpoint, dict[str, Any]]]:
    """Every signed endpoint's first pinned request case (it carries its own timestamp)."""
    found = []
    for venue in venues:
        for endpoint in venue.endpoints:
            cases = [c.value for c in endpoint.tests.request if "timestamp" in c.value]
            if endpoint.signed and cases:
                found.append((venue, endpoint, {**cases[0], "venue": venue.name.value}))
    assert found, "no signed endpoint has a pinned request case"
    return found


def case_id(item: tuple[Venue, Endpoint, dict[str, Any]]) -> str:
    return f"{item[0].name.value}.{item[1].operation.value}"


@pytest.fixture(scope="module")
def cases(spec_venues: tuple[Venue, ...]) -> list[tuple[Venue, Endpoint, dict[str, Any]]]:
    return pinned(spec_venues)


@pytest.fixture
def frozen(spec_venues: tuple[Venue, ...]) -> Iterator[Simulator]:
    """Every venue, with a clock the tests set (to a pinned case's timestamp)."""
    now = {"ms": 0}
    with Simulator(spec_venues, clock=lambda: now["ms"]) as sim:
        sim.now = now  # type: ignore[attr-defined]
        yield sim


def send(
    sim: Simulator,
    method: str,
    target: str,
    headers: dict[str, str] | list[tuple[str, str]],
    body: bytes = b"",
) -> tuple[int, bytes]:
    """One request over a fresh connection, headers exactly as given (Host included when given)."""
    connection = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
    try:
        pairs = list(headers.items()) if isinstance(headers, dict) else headers
        connection.putrequest(
            method, target, skip_host=any(k.lower() == "host" for k, _ in pairs), skip_accept_encoding=True
        )
        for name, value in pairs:
            connection.putheader(name, value)
        if body and not any(k.lower() == "content-length" for k, _ in pairs):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def replay(sim: Simulator, case: dict[str, Any], **changes: Any) -> tuple[int, bytes]:
    expect = {**case["expect"], **changes}
    # Under the venue's prefix, as a client reaches a venue whose path another venue serves too.
    target = f"/{case['venue']}" + expect["path"] + (f"?{expect['query']}" if expect["query"] else "")
    body = expect["body"].encode() if isinstance(expect["body"], str) else expect["body"]
    return send(sim, expect["method"], target, dict(expect["headers"]), body)


def venue_answer(venue: Venue, answer: SimAnswer, status: int, body: bytes) -> bool:
    """The venue's error shape with this answer's code."""
    parsed = json.loads(body)
    return status == answer.http_status and parsed.get(venue.error_code.value) == plain(answer.code)


def with_timestamp(venue: Venue, case: dict[str, Any], value: str) -> dict[str, Any]:
    """The case's request with its timestamp (query parameter or header) replaced by value."""
    return _placed(case, venue.auth.timestamp.placement.where, venue.auth.timestamp.placement.name.value, value)


def _placed(case: dict[str, Any], where: str, name: str, value: str) -> dict[str, Any]:
    expect = case["expect"]
    if where == "header":
        return {"headers": {**expect["headers"], name: value}}
    pairs = [p.partition("=") for p in expect["query"].split("&")]
    if not any(k == name for k, _, _ in pairs):
        pairs.insert(0, (name, "=", value))
    return {"query": "&".join(f"{k}={value if k == name else v}" for k, _, v in pairs)}


# Every request gets an answer -------------------------------------------------------------------


def test_the_pinned_requests_are_answered_200(frozen: Simulator, cases: list[Any]) -> None:
    for venue, _endpoint, case in cases:
        frozen.now["ms"] = case_now_ms(venue, case)  # type: ignore[attr-defined]
        status, body = replay(frozen, case)
        assert status == 200, (case_id((venue, _endpoint, case)), body)


def test_an_exception_becomes_the_venue_error_shape_with_500_and_serving_goes_on(
    frozen: Simulator, cases: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the simulator")

    for venue, _endpoint, case in cases:
        frozen.now["ms"] = case_now_ms(venue, case)  # type: ignore[attr-defined]
        with monkeypatch.context() as patch:
            patch.setattr(frozen.book, "cancel", explode)
            patch.setattr(frozen.book, "cancel_all", explode)  # a cancel-all endpoint's
            status, body = replay(frozen, case)
        frozen.nonces = NonceBook()  # the same request again: its nonce (if any) is not a replay here
        answer = internal_error(venue)
        assert status == 500
        flag = venue.envelope.success_flag if venue.envelope is not None else None
        assert json.loads(body) == {
            venue.error_code.value: plain(answer.code),
            venue.error_message.value: answer.message.value,
            **({flag.value: False} if flag is not None else {}),
        }
        assert replay(frozen, case)[0] == 200  # the next request is served as before
    assert any(e.detail == "internal error: RuntimeError" for e in frozen.history)


@pytest.mark.parametrize("value", ["--1", "1" * 5000, "1e3", "0x10", "1 2", "+1", "١٢٣"])
def test_a_malformed_timestamp_gets_the_venue_invalid_params_answer(
    frozen: Simulator, cases: list[Any], value: str
) -> None:
    checked = 0
    for venue, _endpoint, case in cases:
        if venue.auth.timestamp is None:
            continue  # a nonce instead, inside the signed body: a changed body is the payload tests' case
        frozen.now["ms"] = case_now_ms(venue, case)  # type: ignore[attr-defined]
        assert venue.simulation is not None
        encoded = quote(value) if venue.auth.timestamp.placement.where == "query" else value
        if venue.auth.timestamp.placement.where == "header" and not value.isascii():
            continue  # http.client cannot send a non-latin-1 header; the query form covers it
        status, body = replay(frozen, case, **with_timestamp(venue, case, encoded))
        assert venue_answer(venue, venue.simulation.invalid_params, status, body), (venue.name.value, status, body)
        checked += 1
    assert checked


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "99999999999999999999", "0x10"])
def test_a_malformed_content_length_gets_400(frozen: Simulator, cases: list[Any], length: str) -> None:
    _venue, endpoint, _case = cases[0]
    status, body = send(frozen, endpoint.method, endpoint.path.value, {"Content-Length": length}, b"{}")
    assert status in (400, 413), body
    assert send(frozen, "GET", "/__sim__", {})[0] == 200


def test_a_chunked_body_is_refused_cleanly(frozen: Simulator, cases: list[Any]) -> None:
    _venue, endpoint, _case = cases[0]
    status, _ = send(
        frozen, endpoint.method, endpoint.path.value, {"Transfer-Encoding": "chunked"}, b"2\r\n{}\r\n0\r\n\r\n"
    )
    assert status == 411


@pytest.mark.parametrize(
    "text", ["[" * 100_000, '{"a":' * 100_000, "1e999", '{"x": -1e999}', "NaN", '{"x": Infinity}', "\xff"]
)
def test_strict_json_refuses_deep_nesting_and_non_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        strict.loads(text.encode("latin-1") if text == "\xff" else text)


def test_strict_json_keeps_what_is_valid() -> None:
    assert strict.loads(b'{"a": [1, 2.5, "[[[{"], "b": null}') == {"a": [1, 2.5, "[[[{"], "b": None}
    nested = "[" * strict.MAX_JSON_DEPTH + "]" * strict.MAX_JSON_DEPTH
    assert strict.loads(nested) is not None


def test_hostile_bodies_and_query_values_are_invalid_params(cases: list[Any]) -> None:
    """Each endpoint's reader, fed a body or list value of 100,000 '[' or 1e999: a Rejection, never a crash."""
    for venue, endpoint, case in cases:
        reader = ParamReader.for_endpoint(venue, endpoint)
        expect = case["expect"]
        hostile = ["[" * 100_000, '{"x":1e999}', "[1e999]"]
        for text in hostile:
            if endpoint.params_in == "body":
                request = RawRequest(expect["method"], expect["path"], "", (), text.encode())
            else:
                lists = [p.wire.value for p in endpoint.params if p.type.kind == "list"]
                query = "&".join(f"{name}={text}" for name in lists) or f"x={text}"
                request = RawRequest(expect["method"], expect["path"], query, (), b"")
            with pytest.raises(Rejection) as caught:
                reader.read(request)
            assert caught.value.kind == "invalid_params", (case_id((venue, endpoint, case)), text[:10])


# Receive windows --------------------------------------------------------------------------------


def test_a_huge_recv_window_never_admits_a_day_old_timestamp(spec_venues: tuple[Venue, ...], cases: list[Any]) -> None:
    checked = 0
    for venue, _endpoint, case in cases:
        if venue.auth.recv_window is None:
            continue
        assert venue.simulation is not None
        clock = venue.simulation.clock
        creds = venue.test_credentials.value if venue.test_credentials else {}
        account = Account(creds["api_key"], creds["secret"], creds.get("passphrase", ""))
        changes = _placed(
            case, venue.auth.recv_window.placement.where, venue.auth.recv_window.placement.name.value, str(10**12)
        )
        expect = {**case["expect"], **changes}
        raw = RawRequest(
            expect["method"], expect["path"], expect["query"], tuple(expect["headers"].items()), expect["body"].encode()
        )
        with pytest.raises(Rejection) as caught:
            authenticate(venue, raw, {account.api_key: account}.get, case_now_ms(venue, case) + 86_400_000)
        assert caught.value.kind == ("invalid_params" if clock.beyond_max == "refuse" else "expired_timestamp")
        assert clock.max_window_ms is not None
        if clock.beyond_max == "cap":
            assert window_ms(venue, 10**12) == clock.max_window_ms
        checked += 1
    assert checked or not any(v.recv_window for v in spec_venues)


def test_windows_within_the_cap_are_honoured_and_the_future_is_bounded(cases: list[Any]) -> None:
    timed = [(v, e, c) for v, e, c in cases if v.auth.timestamp is not None]  # a nonce has no window
    assert timed
    for venue, _endpoint, case in timed:
        assert venue.simulation is not None
        clock = venue.simulation.clock
        default = window_ms(venue, None)
        assert default >= 1
        creds = venue.test_credentials.value if venue.test_credentials else {}
        account = Account(creds["api_key"], creds["secret"], creds.get("passphrase", ""))
        expect = case["expect"]
        raw = RawRequest(
            expect["method"], expect["path"], expect["query"], tuple(expect["headers"].items()), expect["body"].encode()
        )
        sent = case_now_ms(venue, case)
        window = window_ms(venue, case["recv_window"]) if "recv_window" in case else default
        lookup = {account.api_key: account}.get
        authenticate(venue, raw, lookup, sent + window)  # the edge of the window
        authenticate(venue, raw, lookup, sent - clock.future_ms)  # the edge of the future tolerance
        for now in (sent + window + 1, sent - clock.future_ms - 1):
            with pytest.raises(Rejection) as caught:
                authenticate(venue, raw, lookup, now)
            assert caught.value.kind == "expired_timestamp"


# Many clients at once ---------------------------------------------------------------------------


def test_fifty_concurrent_clients_see_no_reset(frozen: Simulator, cases: list[Any]) -> None:
    assert LISTEN_BACKLOG >= 50
    clients = 50
    start = threading.Barrier(clients)
    statuses: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    venue, _endpoint, case = next(c for c in cases if c[1].method == "POST" and c[2]["expect"]["body"])
    frozen.now["ms"] = case_now_ms(venue, case)  # type: ignore[attr-defined]

    def client() -> None:
        try:
            start.wait(timeout=30)
            status, _ = replay(frozen, case)
            with lock:
                statuses.append(status)
        except BaseException as exc:  # a reset or a timeout is what this test looks for
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and statuses == [200] * clients, (venue.name.value, failures[:3])


# The control API --------------------------------------------------------------------------------


def control(
    sim: Simulator, method: str, path: str, payload: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, JSON]:
    body = b"" if payload is None else payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    sent = {"Host": f"127.0.0.1:{sim.port}", **({"Content-Type": "application/json"} if method != "GET" else {})}
    status, raw = send(sim, method, path, {**sent, **(headers or {})}, body)
    return status, json.loads(raw or b"null")


def test_control_api_accepts_json_from_loopback(frozen: Simulator) -> None:
    for host in (f"127.0.0.1:{frozen.port}", f"localhost:{frozen.port}", "localhost", f"[::1]:{frozen.port}"):
        assert control(frozen, "GET", "/__sim__", headers={"Host": host})[0] == 200, host
    for origin in (f"http://127.0.0.1:{frozen.port}", "http://localhost:3000", "https://[::1]"):
        assert control(frozen, "POST", "/__sim__/reset", {}, {"Origin": origin})[0] == 200, origin
    assert control(frozen, "POST", "/__sim__/reset", {}, {"Content-Type": "application/json; charset=utf-8"})[0] == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {"Content-Type": ""},
    ],
)
def test_control_api_refuses_what_a_web_form_can_send(frozen: Simulator, headers: dict[str, str]) -> None:
    status, _ = control(frozen, "POST", "/__sim__/faults", {"faults": [{"kind": "drop"}]}, headers)
    assert status == 415
    assert len(frozen.faults) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"Host": "evil.example:8765"},
        {"Host": "127.0.0.1.evil.example"},
        {"Host": "10.0.0.1"},
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1.evil.example"},
        {"Origin": "file://"},
    ],
)
def test_control_api_refuses_foreign_hosts_and_origins(frozen: Simulator, headers: dict[str, str]) -> None:
    status, _ = control(frozen, "POST", "/__sim__/faults", {"faults": [{"kind": "drop"}]}, headers)
    assert status == 403
    assert control(frozen, "GET", "/__sim__", headers=headers)[0] == 403
    assert len(frozen.faults) == 0


def test_control_api_without_a_host_header_is_refused(frozen: Simulator) -> None:
    with socket.create_connection((frozen.host, frozen.port), timeout=10) as conn:
        conn.sendall(b"GET /__sim__ HTTP/1.0\r\n\r\n")
        assert conn.recv(100).startswith(b"HTTP/1.0 403")


def test_an_existing_account_secret_is_never_replaced(spec_venues: tuple[Venue, ...], frozen: Simulator) -> None:
    for venue in spec_venues:
        if venue.test_credentials is None:
            continue
        name, creds = venue.name.value, venue.test_credentials.value
        status, answer = control(
            frozen, "POST", "/__sim__/accounts", {"venue": name, "api_key": creds["api_key"], "secret": "attacker"}
        )
        assert status == 409 and "attacker" not in json.dumps(answer)
        assert frozen.credentials(name).secret == creds["secret"]
        again = {"venue": name, "api_key": creds["api_key"], "secret": creds["secret"]}
        if creds.get("passphrase"):
            again["passphrase"] = creds["passphrase"]
        assert control(frozen, "POST", "/__sim__/accounts", again)[0] == 200  # the same credentials: a no-op
    assert (
        control(frozen, "POST", "/__sim__/accounts", {"venue": spec_venues[0].name.value, "api_key": 1, "secret": "s"})[
            0
        ]
        == 400
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"faults": [{"kind": "delay", "seconds": 1e999}]}',
        b'{"faults": [{"kind": "status", "status": 1e999}]}',
        b'{"faults": [{"kind": "status", "retry_after": 1e999}]}',
        b'{"faults": [{"kind": "status", "retry_after": NaN}]}',
        b'{"faults": [{"kind": "status", "times": 1e300}]}',
        b"[" * 100_000,
        b'{"faults": [' + b"[" * 100_000 + b"]}",
        b"\xff\xfe",
    ],
)
def test_hostile_control_bodies_get_400_and_serving_goes_on(frozen: Simulator, body: bytes) -> None:
    status, answer = control(frozen, "POST", "/__sim__/faults", body)
    assert status == 400, answer
    assert len(frozen.faults) == 0
    assert control(frozen, "GET", "/__sim__")[0] == 200


def test_validate_refuses_a_venue_whose_window_is_unknown(tmp_path: Path) -> None:
    """No window from the request, the clock or auth: `specgen validate` says so, before any request."""
    project = scratch_project(tmp_path, with_generated=False)
    venue_file = next(
        p
        for p in sorted((project / "specs").glob("*/venue.yaml"))
        if "simulation" in yaml.safe_load(p.read_text("utf-8"))
    )
    raw = yaml.safe_load(venue_file.read_text("utf-8"))
    raw["simulation"].get("clock", {}).pop("window_ms", None)
    (raw["auth"].get("recv_window") or {}).pop("default", None)
    venue_file.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), "utf-8")
    result = run_cli(project, "validate")
    assert result.returncode == 2, result.stdout + result.stderr
    relative = venue_file.relative_to(project).as_posix()
    assert re.search(
        rf"{re.escape(relative)}:\d+: \[simulation\] the receive window of a request that sends none is unknown",
        result.stderr,
    ), result.stderr
