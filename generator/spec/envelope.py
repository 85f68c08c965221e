"""How a venue says success or failure: the envelope around a payload, and what its error codes mean.

The envelope's success predicate is one of: the code field's value in a set (with codes that
mean partial success or that every order failed, whose bodies still carry per-order answers),
a boolean flag, or an error list that is empty on success; a venue with no envelope is judged by
the HTTP status alone. The error-code map lets clients raise a subclass of ApiError that says
what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from specgen.errors import SpecError
from specgen.spec.text import Text

Location = tuple[str | int, ...]
Fail = Callable[[Location, str, str], SpecError]
Scalar = Text | int | bool

# The meanings an error code can have, each with the ApiError subclass a client raises for it.
MEANINGS = {
    "authentication": "AuthenticationError",
    "unknown_order": "OrderNotFoundError",
    "invalid_parameter": "InvalidParameterError",
    "rate_limited": "RateLimitError",
}


@dataclass(frozen=True)
class Envelope:
    data: Text
    message: Text | None
    code: Text | None = None  # success: the code is one of success_codes
    success_codes: tuple[Scalar, ...] = ()
    partial_codes: tuple[Scalar, ...] = ()  # some orders failed: the body still says which
    failure_codes: tuple[Scalar, ...] = ()  # every order failed: orders the body does not name failed too
    success_flag: Text | None = None  # success: this field is true
    error_list: Text | None = None  # success: this list of error texts is empty or absent

    @property
    def answered_codes(self) -> tuple[Scalar, ...]:
        """Codes whose bodies carry per-order answers (the client parses them, never raises)."""
        return self.success_codes + self.partial_codes + self.failure_codes


@dataclass(frozen=True)
class ErrorMeaning:
    meaning: str  # a key of MEANINGS
    error_class: str
    codes: tuple[Scalar, ...]

    @property
    def keys(self) -> tuple[Text, ...]:
        """The codes as the client compares them: as text (a code may arrive as 10001 or "10001")."""
        return tuple(Text(c.value if isinstance(c, Text) else str(c)) for c in self.codes)


def _scalar(value: Any) -> Scalar:
    return Text(value) if isinstance(value, str) else value


def build_envelope(fail: Fail, raw: dict[str, Any] | None, at: Location) -> Envelope | None:
    if raw is None:
        return None
    codes = {k: tuple(_scalar(c) for c in raw.get(k, [])) for k in ("success_codes", "partial_codes", "failure_codes")}
    seen: dict[Any, str] = {}
    for key, values in codes.items():
        for v in values:
            plain = v.value if isinstance(v, Text) else v
            if plain in seen:
                raise fail(at + (key,), "envelope", f"code {plain!r} is in both {seen[plain]} and {key}")
            seen[plain] = key
    return Envelope(
        data=Text(raw["data"]),
        message=Text(raw["message"]) if "message" in raw else None,
        code=Text(raw["code"]) if "code" in raw else None,
        success_codes=codes["success_codes"],
        partial_codes=codes["partial_codes"],
        failure_codes=codes["failure_codes"],
        success_flag=Text(raw["success_flag"]) if "success_flag" in raw else None,
        error_list=Text(raw["error_list"]) if "error_list" in raw else None,
    )


def build_error_meanings(fail: Fail, raw: dict[str, Any], at: Location) -> tuple[ErrorMeaning, ...]:
    """The venue's error codes by meaning; a code has one meaning (any other code means 'other')."""
    out: list[ErrorMeaning] = []
    seen: dict[str, str] = {}
    for meaning, codes in raw.items():
        for code in codes:
            key = str(code)
            if key in seen:
                raise fail(
                    at + (meaning,), "error-meaning", f"code {code!r} is listed under both {seen[key]} and {meaning}"
                )
            seen[key] = meaning
        out.append(ErrorMeaning(meaning, MEANINGS[meaning], tuple(_scalar(c) for c in codes)))
    return tuple(out)
