"""The optional retry policy (off unless passed as Client(retry=...)).

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from ._wire import Record, init_field
from .errors import TransportError
from .transport import (
    RETRY_AFTER,
    AsyncTransport,
    HttpRequest,
    HttpResponse,
    Transport,
    refuse_redirect,
)

__all__ = ["NO_RETRY", "RetryPolicy", "async_send_with_retry", "send_with_retry"]

TYPE_CHECKING = False  # typing stays unimported at run time (see _wire.py)
if TYPE_CHECKING:
    from typing import TypeVar

    P = TypeVar("P")


class RetryPolicy(Record):
    """Send a request again only when doing so cannot act twice.

    Retried: a transport failure where the request surely never reached the server (connection
    refused, host not found), and the answers the venue's spec lists as safe to retry (its
    `errors.retry`, in each package's RETRY_STATUSES): for each such status, either always (a
    rate limit, which the venue refused without acting) or only when it carries Retry-After
    (the venue asks to come back). Never retried: a timeout, a reset connection or any other
    answer, since the venue may have acted.

    The wait is the answer's Retry-After when it gives one, else backoff * 2 ** (attempt - 1).
    A Retry-After longer than max_wait is not waited for: the error is raised at once. Each
    attempt is built and signed again, with a fresh timestamp.
    """

    __slots__ = ("attempts", "backoff", "max_wait", "sleep")
    _hidden = ("sleep",)
    attempts: int  # tries in all, the first included
    backoff: float
    max_wait: float
    sleep: Callable[[float], None]

    def __init__(
        self,
        attempts: int = 3,
        backoff: float = 0.5,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not (backoff >= 0 and max_wait >= 0):
            raise ValueError("backoff and max_wait must not be negative")
        init_field(self, "attempts", attempts)
        init_field(self, "backoff", backoff)
        init_field(self, "max_wait", max_wait)
        init_field(self, "sleep", sleep)

    def after_error(self, error: TransportError, attempt: int) -> float | None:
        """Seconds to wait before trying again after a failed attempt, or None to give up."""
        return self._wait(attempt, None) if error.unsent else None

    def after_answer(
        self, status: int, retry_after: float | None, attempt: int, rules: Mapping[int, bool]
    ) -> float | None:
        """Seconds to wait before trying again after an answer, or None to accept it.

        rules maps each status the venue allows retrying to whether it needs Retry-After.
        """
        needs_retry_after = rules.get(status)
        if needs_retry_after is None or (needs_retry_after and retry_after is None):
            return None
        return self._wait(attempt, retry_after)

    def _wait(self, attempt: int, retry_after: float | None) -> float | None:
        if attempt >= self.attempts:
            return None
        wait = self.backoff * 2 ** (attempt - 1) if retry_after is None else retry_after
        return wait if wait <= self.max_wait else None


NO_RETRY = RetryPolicy(attempts=1)


class _Retrying:
    """The retry loop without its I/O: it judges each attempt's answer and keeps the count, so
    that the sync and asyncio drivers below only build, send and sleep."""

    response: HttpResponse  # the last answer judged

    def __init__(
        self, policy: RetryPolicy | None, rules: Mapping[int, bool], waits: tuple[str, ...]
    ) -> None:
        self.policy = policy or NO_RETRY
        self.rules = rules
        self.waits = waits  # the headers that may say how long to wait, first found wins
        self.attempt = 0

    def wait(self, request: HttpRequest, answer: HttpResponse | TransportError) -> float | None:
        """Seconds to wait before the next attempt, or None when answer is the result.

        A redirect is refused (RedirectError), and a failure not to retry is raised as it is.
        """
        self.attempt += 1
        if isinstance(answer, TransportError):
            wait = self.policy.after_error(answer, self.attempt)
            if wait is None:
                raise answer
            return wait
        refuse_redirect(request, answer.status, answer.headers)
        self.response = answer
        if answer.status not in self.rules:  # most answers: no wait header to read
            return None
        wait = answer.wait_in(self.waits)
        return self.policy.after_answer(answer.status, wait, self.attempt, self.rules)


def send_with_retry(
    transport: Transport,
    prepare: Callable[[], tuple[HttpRequest, P]],
    policy: RetryPolicy | None,
    rules: Mapping[int, bool],
    waits: tuple[str, ...] = RETRY_AFTER,
) -> tuple[HttpResponse, P]:
    """Send what prepare builds; under a retry policy, build, sign and send again what is safe to."""
    retrying = _Retrying(policy, rules, waits)
    request, params = prepare()
    while (wait := retrying.wait(request, _sent(transport, request))) is not None:
        retrying.policy.sleep(wait)
        request, params = prepare()  # each attempt is signed afresh, with a new timestamp
    return retrying.response, params


async def async_send_with_retry(
    transport: AsyncTransport,
    prepare: Callable[[], tuple[HttpRequest, P]],
    policy: RetryPolicy | None,
    rules: Mapping[int, bool],
    waits: tuple[str, ...] = RETRY_AFTER,
) -> tuple[HttpResponse, P]:
    """send_with_retry for asyncio: the same decisions, awaiting the transport and the waits.

    The policy's sleep is used as is when it is not time.sleep (a test's fake), else the wait
    is asyncio.sleep, which blocks no other task.
    """
    retrying = _Retrying(policy, rules, waits)
    request, params = prepare()
    while (wait := retrying.wait(request, await _async_sent(transport, request))) is not None:
        if retrying.policy.sleep is time.sleep:
            import asyncio  # here: only a wait needs it, and every request runs the lines above

            await asyncio.sleep(wait)
        else:
            retrying.policy.sleep(wait)
        request, params = prepare()
    return retrying.response, params


def _sent(transport: Transport, request: HttpRequest) -> HttpResponse | TransportError:
    """The answer, or the TransportError that came instead (the retry loop judges both)."""
    try:
        return transport.send(request)
    except TransportError as exc:
        return exc


async def _async_sent(
    transport: AsyncTransport, request: HttpRequest
) -> HttpResponse | TransportError:
    """_sent, awaiting the transport."""
    try:
        return await transport.send(request)
    except TransportError as exc:
        return exc
