"""Reading a venue's answer: its envelope, its error codes, and the typed result.

Each venue package states its envelope and error codes as data (an Envelope in its client.py)
and reads every endpoint's answer with read(). Part of specgen's runtime, copied verbatim into
every generated package (and into the shared specgen_runtime package); do not edit. Standard
library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ._wire import JSON, Record, Violation, has_key, in_enum, init_field, loads
from .accounting import Contradiction, Plan, account, refused, tolerate, unreadable
from .errors import ApiError, RateLimitError, ResponseError
from .outcome import OrderOutcome
from .transport import RETRY_AFTER, HttpResponse

__all__ = ["Envelope", "api_error", "decode", "read"]

TYPE_CHECKING = False  # typing stays unimported at run time (see _wire.py)
if TYPE_CHECKING:
    from typing import TypeVar

    M = TypeVar("M")


class Envelope(Record):
    """How a venue's answers say success or failure (the venue spec's envelope and errors).

    Success is judged by the first of these the venue has: code (its value one of
    answered_codes), success_flag (true), error_list (empty or absent); with none of them, by
    the HTTP status alone.
    """

    __slots__ = (
        "error_code",
        "error_message",
        "error_classes",
        "rate_limit_statuses",
        "message",
        "code",
        "answered_codes",
        "failure_codes",
        "success_flag",
        "error_list",
        "wait_headers",
    )
    error_code: str  # where an error body carries its code ...
    error_message: str  # ... and its message
    error_classes: Mapping[str, type[ApiError]]  # codes (as text) by meaning
    rate_limit_statuses: tuple[int, ...]
    message: str | None  # the envelope's message field
    code: str | None
    answered_codes: tuple[JSON, ...]  # success, partial success, every order failed
    failure_codes: tuple[JSON, ...]  # every order failed
    success_flag: str | None
    error_list: str | None
    wait_headers: tuple[str, ...]  # where a refusal says how long to wait, first found wins

    def __init__(
        self,
        *,
        error_code: str,
        error_message: str,
        error_classes: Mapping[str, type[ApiError]],
        rate_limit_statuses: tuple[int, ...],
        message: str | None = None,
        code: str | None = None,
        answered_codes: tuple[JSON, ...] = (),
        failure_codes: tuple[JSON, ...] = (),
        success_flag: str | None = None,
        error_list: str | None = None,
        wait_headers: tuple[str, ...] = RETRY_AFTER,
    ) -> None:
        init_field(self, "error_code", error_code)
        init_field(self, "error_message", error_message)
        init_field(self, "error_classes", error_classes)
        init_field(self, "rate_limit_statuses", rate_limit_statuses)
        init_field(self, "message", message)
        init_field(self, "code", code)
        init_field(self, "answered_codes", answered_codes)
        init_field(self, "failure_codes", failure_codes)
        init_field(self, "success_flag", success_flag)
        init_field(self, "error_list", error_list)
        init_field(self, "wait_headers", wait_headers)


def api_error(
    envelope: Envelope,
    code: str,
    message: str,
    status: int,
    retry_after: float | None = None,
) -> ApiError:
    """The ApiError subclass the venue's error-code map chooses for code (ApiError for any other)."""
    kind = envelope.error_classes.get(code)
    if kind is RateLimitError or status in envelope.rate_limit_statuses:
        return RateLimitError(status, retry_after, code, message)
    return (kind or ApiError)(code, message, status)


def _text(value: JSON) -> str:
    if isinstance(value, list):  # a list of texts, or of lists of texts
        return "; ".join(_text(v) for v in value if v is not None)
    return "" if value is None else str(value)


def decode(envelope: Envelope, response: HttpResponse) -> tuple[JSON, tuple[str, str] | None]:
    """The decoded body of a success, and the envelope's code and message if every order failed.

    Every other answer becomes the matching typed error.
    """
    status = response.status
    body: JSON = None
    decoded = False
    try:
        body = loads(response.body)
        decoded = True
    except (ValueError, UnicodeDecodeError, RecursionError):
        pass
    code = body.get(envelope.error_code) if isinstance(body, dict) else None
    message = body.get(envelope.error_message) if isinstance(body, dict) else None
    if status in envelope.rate_limit_statuses:
        raise api_error(
            envelope,
            "" if code is None else _text(code),
            _text(message),
            status,
            response.wait_in(envelope.wait_headers),
        )
    if not decoded:
        kind = response.header("Content-Type") or "no content type"
        if response.body.strip():
            what = f"a body that is not JSON ({kind}, {len(response.body)} bytes)"
        else:
            what = "an empty body"
        raise ResponseError(f"expected JSON, got {what}", status)
    content_type = response.header("Content-Type")
    if content_type is not None and "json" not in content_type.lower():
        raise ResponseError(f"expected a JSON content type, got {content_type!r}", status)
    if status >= 400 or status < 200:
        if code is not None or message is not None:  # some venues' errors carry a message alone
            raise api_error(envelope, "" if code is None else _text(code), _text(message), status)
        raise ResponseError("HTTP error without the venue's error body", status)
    if envelope.message is not None:
        message = body.get(envelope.message) if isinstance(body, dict) else None
    if envelope.code is not None:
        if not has_key(body, envelope.code):
            what = f"a body without {envelope.code}"
            raise ResponseError(f"expected the venue's envelope, got {what}", status)
        code = body[envelope.code]
        if not in_enum(code, envelope.answered_codes):
            raise api_error(envelope, _text(code), _text(message), status)
        if in_enum(code, envelope.failure_codes):
            return body, (_text(code), _text(message))
    elif envelope.success_flag is not None:
        flag = body.get(envelope.success_flag) if isinstance(body, dict) else None
        if not isinstance(flag, bool):
            what = f"a body without a true or false {envelope.success_flag}"
            raise ResponseError(f"expected the venue's envelope, got {what}", status)
        if not flag:
            raise api_error(envelope, _text(code), _text(message), status)
    elif envelope.error_list is not None:
        errors = body.get(envelope.error_list) if isinstance(body, dict) else None
        if errors is not None and not isinstance(errors, list):
            what = f"a {envelope.error_list} that is not a list"
            raise ResponseError(f"expected the venue's envelope, got {what}", status)
        if errors:
            raise api_error(envelope, _text(errors[0]), _text(errors), status)
    return body, None


def read(
    envelope: Envelope,
    response: HttpResponse,
    params: Mapping[str, JSON],
    plan: Plan | None,
    critical: tuple[str, ...],
    validate: Callable[[JSON], list[Violation]],
    parse: Callable[[JSON], M],
) -> tuple[M, tuple[OrderOutcome, ...], tuple[str, ...]]:
    """The typed answer to a request, its outcomes (one per order sent) and warnings.

    params are the request's wire parameters. With a plan, an ApiError carries every order's
    outcome as refused, a ResponseError every order as unknown. A body breaking its documented
    types is read all the same when the broken fields are not among the critical paths (ids,
    status, codes) the outcomes need.
    """
    try:
        body, failed = decode(envelope, response)
        problems = validate(body)
        tolerated: tuple[str, ...] = ()
        if problems:
            # Strict where the outcomes depend on it, tolerant elsewhere: a price that is not a
            # decimal is no reason to lose what the venue says it did with every order.
            kept = tolerate(body, problems, critical)
            if kept is None:
                raise ResponseError(
                    f"response does not match the spec: {problems[0]}",
                    response.status,
                    tuple(problems),
                )
            body, tolerated = kept
        try:
            parsed = parse(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise ResponseError(
                f"response does not match the spec: {exc}", response.status, tuple(problems)
            ) from None
        if plan is None:
            return parsed, (), tolerated
        try:
            accounting = account(plan, body, params, failed)
        except Contradiction as exc:
            raise ResponseError(
                f"the response contradicts the request: {exc}", response.status
            ) from None
        return parsed, accounting.outcomes, tolerated + accounting.warnings
    except ApiError as exc:  # the venue refused the request (only decode raises it)
        if plan is not None:
            exc.outcomes = refused(plan, params, exc.code, exc.message, exc.http_status)
        raise
    except ResponseError as exc:
        if plan is not None:
            exc.outcomes = unreadable(plan, params, str(exc))
        raise
