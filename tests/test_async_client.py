"""Issue 16 item 1: an AsyncClient per venue, on httpx.AsyncClient, sharing Client's validation,
signing and parsing code, so that both send byte-identical requests; run against the loopback
simulator (async, as a context manager, with retry) and the loopback fault servers."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from typing import Any

import pytest
from specgen.simulator import Fault, Simulator
from specgen.simulator.auth import NonceBook, RawRequest

from tests.helpers import GENERATED, VENUES
from tests.test_client_faults import TIMEOUT, Answer, Fake, drip, raw_server, response, scripted, venue


class AsyncFake:
    """Fake's script, awaited."""

    def __init__(self, inner: Fake) -> None:
        self.inner = inner

    async def send(self, request: Any) -> Any:
        return self.inner.send(request)


def frozen_clock(v: Any = None) -> Any:
    now = time.time_ns() // 1_000_000  # real time (the simulator checks it), the same for every call
    if v is not None and v.clock_unit == "s":  # counted as the venue's timestamp counts
        now //= 1000
    return lambda: now


def recorded(simulator: Simulator) -> list[RawRequest]:
    """Every request the simulator receives, as received."""
    seen: list[RawRequest] = []
    handle = simulator.handle

    def recording(request: RawRequest) -> Any:
        seen.append(request)
        return handle(request)

    simulator.handle = recording  # type: ignore[method-assign]
    return seen


@pytest.mark.parametrize("name", VENUES)
def test_async_and_sync_build_the_same_request(name: str) -> None:
    v = venue(name)
    clock = frozen_clock(v)
    sync_fake = Fake(v, response(v, 200, v.success))
    async_fake = AsyncFake(Fake(v, response(v, 200, v.success)))
    sync_result = v.send(v.client(sync_fake, clock=clock))
    client = v.package.AsyncClient(transport=async_fake, clock=clock, **v.credentials)
    async_result = asyncio.run(getattr(client, f"send_{v.operation}")(v.request()))
    [sent] = sync_fake.sent
    [async_sent] = async_fake.inner.sent
    assert sent == async_sent  # method, URL, headers (signature included) and body bytes
    assert async_result == sync_result and v.parsed(async_result)


@pytest.mark.parametrize("name", VENUES)
def test_async_against_the_simulator_sends_the_same_bytes_as_sync(simulator: Simulator, name: str) -> None:
    v = venue(name)
    seen = recorded(simulator)
    clock = frozen_clock(v)
    with v.package.HttpxTransport(timeout=TIMEOUT) as transport:
        sync_result = v.send(v.client(transport, base_url=simulator.base_url(name), clock=clock))
    # The async client sends the same nonce at the same frozen clock: the simulator forgets the first.
    simulator.nonces = NonceBook()

    async def run() -> Any:
        async with v.package.AsyncClient(
            base_url=simulator.base_url(name), clock=clock, timeout=TIMEOUT, **v.credentials
        ) as client:
            return await getattr(client, f"send_{v.operation}")(v.request())

    async_result = asyncio.run(run())
    first, second = seen
    assert (first.method, first.path, first.query, first.body) == (
        second.method,
        second.path,
        second.query,
        second.body,
    )
    assert first.headers == second.headers  # both through httpx: every header, the signature's included
    assert async_result == sync_result and v.parsed(async_result)
    assert [e.status for e in simulator.history] == [200, 200]


@pytest.mark.parametrize("name", VENUES)
def test_async_context_manager_and_retry_against_the_simulator(simulator: Simulator, name: str) -> None:
    v = venue(name)
    sleeps: list[float] = []
    simulator.inject(Fault.rate_limited(0, venue=name))

    async def run() -> tuple[Any, Any]:
        retry = v.package.RetryPolicy(sleep=sleeps.append)
        async with v.package.AsyncClient(
            base_url=simulator.base_url(name), timeout=TIMEOUT, retry=retry, **v.credentials
        ) as client:
            result = await getattr(client, f"send_{v.operation}")(v.request())
        return client, result

    client, result = asyncio.run(run())
    assert v.parsed(result) and sleeps == [0.0]
    assert [e.status for e in simulator.history] == [429, 200]
    assert client.transport._client.is_closed  # the transport it made is closed on leaving
    with pytest.raises(v.package.ClientError, match="closed"):
        asyncio.run(getattr(client, f"send_{v.operation}")(v.request()))


@pytest.mark.parametrize("name", VENUES)
def test_async_raises_the_same_typed_errors(simulator: Simulator, name: str) -> None:
    v = venue(name)
    simulator.inject(Fault.rate_limited(7, venue=name))

    async def run() -> None:
        async with v.package.AsyncClient(base_url=simulator.base_url(name), timeout=TIMEOUT, **v.credentials) as c:
            await getattr(c, f"send_{v.operation}")(v.request())

    with pytest.raises(v.package.RateLimitError) as info:
        asyncio.run(run())
    assert (info.value.http_status, info.value.retry_after) == (429, 7.0)


def test_async_redirects_are_not_followed_and_the_deadline_holds() -> None:
    v = venue(VENUES[0])

    async def send(url: str, timeout: float = TIMEOUT) -> Any:
        async with v.package.AsyncHttpxTransport(timeout=timeout) as transport:
            return await transport.send(v.package.HttpRequest("POST", url, (), b"{}"))

    with scripted(Answer(302, b"", (("Location", "http://localhost:1/x"),))) as server:
        with pytest.raises(v.package.RedirectError) as info:
            asyncio.run(send(server.url + "/a"))
    assert (info.value.http_status, info.value.target_host, len(server.received)) == (302, "localhost", 1)
    with raw_server(drip) as url:
        start = time.monotonic()
        with pytest.raises(v.package.TransportError, match="timed out after 2.0 s"):
            asyncio.run(send(url, 2.0))
        assert 1.9 <= time.monotonic() - start < 3.5


def test_async_takes_the_callers_own_httpx_client() -> None:
    import httpx

    v = venue(VENUES[0])

    async def run(url: str) -> tuple[Any, bool]:
        async with httpx.AsyncClient() as mine:
            transport = v.package.AsyncHttpxTransport(client=mine)
            async with v.package.AsyncClient(transport=transport, base_url=url, **v.credentials) as client:
                result = await getattr(client, f"send_{v.operation}")(v.request())
            await transport.aclose()
            return result, mine.is_closed

    with scripted(Answer(200, v.success)) as server:
        result, closed = asyncio.run(run(server.url))
    assert v.parsed(result) and not closed  # neither the client nor the transport closed the caller's


def test_without_httpx_the_async_client_says_what_is_missing(tmp_path: Any) -> None:
    name = VENUES[0]
    v = venue(name)
    shutil.copytree(GENERATED / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        f"import {name} as p\n"
        f"try:\n    p.AsyncClient(**{v.credentials!r})\n"
        "except ImportError as exc:\n    print(exc)\n"
        "else:\n    raise SystemExit('no error')\n"
    )
    result = subprocess.run([sys.executable, "-S", "-E", "-s", "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "AsyncHttpxTransport needs httpx, which is not installed: pip install httpx"
