"""specgen_runtime: the runtime that every generated venue package carries, as one package.

Vendor it beside two or more generated venue packages and they use its modules instead of their
own copies (see _shared.py in any of them), so one `except ApiError` catches every venue's
errors. Each venue package still works alone, on its own copy. Copied verbatim from specgen's
runtime; do not edit. Standard library only.
"""

from ._wire import Violation
from .errors import (
    ApiError,
    AuthenticationError,
    ClientError,
    InvalidParameterError,
    OrderNotFoundError,
    RateLimitError,
    RedirectError,
    ResponseError,
    ResponseTooLargeError,
    TransportError,
    ValidationError,
)
from .outcome import OrderOutcome, OutcomeState
from .retry import RetryPolicy
from .transport import (
    AsyncHttpxTransport,
    AsyncTransport,
    HttpRequest,
    HttpResponse,
    HttpxTransport,
    Transport,
    UrllibTransport,
)

__all__ = [
    "ApiError",
    "AuthenticationError",
    "AsyncHttpxTransport",
    "AsyncTransport",
    "ClientError",
    "HttpRequest",
    "HttpResponse",
    "HttpxTransport",
    "InvalidParameterError",
    "OrderNotFoundError",
    "OrderOutcome",
    "OutcomeState",
    "RateLimitError",
    "RedirectError",
    "ResponseError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "Transport",
    "TransportError",
    "UrllibTransport",
    "ValidationError",
    "Violation",
]
