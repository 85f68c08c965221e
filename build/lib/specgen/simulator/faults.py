"""Faults the simulator injects on request: rate limits, bans, 5xx, slowness, broken bodies.

A fault applies to the next `times` requests to a venue endpoint (control requests never consume
one), optionally only to one venue. Queued faults are used first in, first out.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KINDS = ("status", "delay", "malformed", "truncated", "cut", "drop")
MAX_DELAY_SECONDS = 30.0  # bounded, so a forgotten fault cannot hang a test run
MAX_TIMES = 1000
MAX_RETRY_AFTER_SECONDS = 86_400.0  # a day; also keeps nan and inf out (they fail every comparison)


@dataclass(frozen=True)
class Fault:
    """status: answer `status` (with Retry-After) without acting; delay: act, then wait `seconds`;
    malformed / truncated: act, then send a body that is not JSON / cut in half; cut: act, then
    close the connection half-way through the body it announced; drop: act, then close the
    connection without an answer."""

    kind: str
    status: int = 503
    retry_after: float | None = None
    seconds: float = 0.0
    times: int = 1
    venue: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (known: {', '.join(KINDS)})")
        if not 100 <= self.status <= 599:
            raise ValueError(f"status {self.status} is not an HTTP status")
        if not 0 <= self.seconds <= MAX_DELAY_SECONDS:
            raise ValueError(f"seconds must be between 0 and {MAX_DELAY_SECONDS}")
        if not 1 <= self.times <= MAX_TIMES:
            raise ValueError(f"times must be between 1 and {MAX_TIMES}")
        if self.retry_after is not None and not 0 <= self.retry_after <= MAX_RETRY_AFTER_SECONDS:
            raise ValueError(f"retry_after must be between 0 and {MAX_RETRY_AFTER_SECONDS}")

    @classmethod
    def rate_limited(
        cls, retry_after: float | None = 1, *, status: int = 429, times: int = 1, venue: str | None = None
    ) -> Fault:
        return cls("status", status=status, retry_after=retry_after, times=times, venue=venue)

    @classmethod
    def server_error(cls, status: int = 503, *, times: int = 1, venue: str | None = None) -> Fault:
        return cls("status", status=status, times=times, venue=venue)

    @classmethod
    def slow(cls, seconds: float, *, times: int = 1, venue: str | None = None) -> Fault:
        return cls("delay", seconds=seconds, times=times, venue=venue)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Fault:
        allowed = set(cls.__dataclass_fields__)
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(unknown)} (known: {', '.join(sorted(allowed))})")
        if "kind" not in raw:
            raise ValueError("a fault needs a kind")
        numbers = {"status": int, "times": int, "seconds": float, "retry_after": float}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key in numbers and value is not None:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    raise ValueError(f"{key} must be a finite number")
                value = numbers[key](value)
            elif key in ("kind", "venue") and value is not None and not isinstance(value, str):
                raise ValueError(f"{key} must be a string")
            values[key] = value
        return cls(**values)


class FaultQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[list[Any]] = []  # [fault, requests left]

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self._queue.extend([f, f.times] for f in faults)

    def take(self, venue: str) -> Fault | None:
        """The fault this request to venue gets, if any; it is used up after `times` requests."""
        with self._lock:
            for entry in self._queue:
                fault: Fault = entry[0]
                if fault.venue is None or fault.venue == venue:
                    entry[1] -= 1
                    if entry[1] == 0:
                        self._queue.remove(entry)
                    return fault
            return None

    def clear(self) -> int:
        with self._lock:
            count = len(self._queue)
            self._queue.clear()
            return count

    def __len__(self) -> int:
        with self._lock:
            return len(self._queue)
