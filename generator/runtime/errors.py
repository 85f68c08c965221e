"""Errors raised by the client.

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

from ._wire import Violation

TYPE_CHECKING = False  # typing stays unimported at run time (see _wire.py)
if TYPE_CHECKING:
    from .outcome import OrderOutcome


class ClientError(Exception):
    """Base of every error this package raises."""


class ValidationError(ClientError, ValueError):
    """The call breaks the spec; nothing was sent. `violations` lists every broken rule."""

    def __init__(self, violations: list[Violation] | tuple[Violation, ...]) -> None:
        self.violations = tuple(violations)
        first = self.violations[0] if self.violations else Violation("$", "unknown", "invalid")
        self.param = first.path
        self.rule = first.rule
        more = f" (+{len(self.violations) - 1} more)" if len(self.violations) > 1 else ""
        super().__init__(f"{first}{more}")


class ApiError(ClientError):
    """The venue answered with an error code (a subclass says what it means, where the spec knows).

    outcomes: for a batch call, one outcome per order sent: failed with this code, since the
    venue refused the request; unknown after an HTTP 5xx, which may have been acted on.
    """

    outcomes: tuple[OrderOutcome, ...] = ()

    def __init__(self, code: str, message: str, http_status: int) -> None:
        self.code = code
        self.message = message
        self.http_status = http_status
        super().__init__(f"venue error {code}: {message} (HTTP {http_status})")


class AuthenticationError(ApiError):
    """The venue refused the credentials: key, signature, passphrase, timestamp or permission."""


class OrderNotFoundError(ApiError):
    """The venue knows no such order, or no longer an open one."""


class InvalidParameterError(ApiError):
    """The venue refused a parameter of the call."""


class RateLimitError(ApiError):
    """HTTP 429 or 418: slow down. retry_after is in seconds when the venue says."""

    def __init__(
        self, http_status: int, retry_after: float | None, code: str = "", message: str = ""
    ) -> None:
        self.retry_after = retry_after
        super().__init__(code or str(http_status), message or "rate limited", http_status)


class ResponseError(ClientError):
    """The response could not be understood: not JSON, truncated, or not the documented shape.

    outcomes: for a batch call, one unknown outcome per order sent (its reason is this error).
    """

    outcomes: tuple[OrderOutcome, ...] = ()

    def __init__(
        self, message: str, http_status: int, violations: tuple[Violation, ...] = ()
    ) -> None:
        self.http_status = http_status
        self.violations = violations
        super().__init__(f"{message} (HTTP {http_status})")


class TransportError(ClientError):
    """The request did not complete: connection refused or reset, timeout, TLS failure.

    unsent is True only when the request surely never reached the server (the connection was
    refused or the host not found), so that sending it again cannot act twice.
    outcomes: for a batch call, one unknown outcome per order sent (the venue may have acted).
    """

    outcomes: tuple[OrderOutcome, ...] = ()

    def __init__(self, message: str, *, unsent: bool = False) -> None:
        self.unsent = unsent
        super().__init__(message)


class RedirectError(ResponseError):
    """The answer was a redirect (HTTP 3xx), which is never followed.

    So no request, key or signature goes anywhere but where it was sent; target_host is where
    it pointed.
    """

    def __init__(self, http_status: int, target_host: str | None) -> None:
        self.target_host = target_host
        where = f"to {target_host}" if target_host else "without a Location"
        super().__init__(f"redirect {where} not followed", http_status)


class ResponseTooLargeError(ResponseError):
    """The body (decompressed) is longer than the transport's max_body; it was not read further."""

    def __init__(self, limit: int, http_status: int) -> None:
        self.limit = limit
        super().__init__(f"response body larger than {limit} bytes", http_status)
