"""The simulator's order book: orders per account (venue, API key), seeded and cancelled.

Orders use one neutral vocabulary for every venue (states open, partially_filled, cancelled,
filled, expired; sides buy and sell; types limit and market); the answers translate them into
each venue's words as its spec's simulation section says.
"""

from __future__ import annotations

import collections
import itertools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

OPEN_STATUSES = ("open", "partially_filled")
TERMINAL_STATUSES = ("cancelled", "filled", "expired")
CANCELED = "cancelled"
FIRST_ORDER_ID = 10_000_001  # numeric, so the ids fit venues whose order ids are int64


@dataclass(frozen=True, kw_only=True)
class Order:
    order_id: str
    instrument: str
    client_id: str | None = None
    status: str = "open"
    side: str = "buy"
    type: str = "limit"
    price: str = "100"
    quantity: str = "1"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "client_id": self.client_id,
            "instrument": self.instrument,
            "status": self.status,
            "side": self.side,
            "type": self.type,
            "price": self.price,
            "quantity": self.quantity,
        }


ORDER_KEYS = frozenset(Order.__dataclass_fields__)


@dataclass(frozen=True)
class Target:
    """One order a cancel request names: by order id, client id or both, maybe with its instrument."""

    order_id: str | None
    client_id: str | None
    instrument: str | None


@dataclass(frozen=True)
class Result:
    """What a cancel did to one target: cancelled (was open), terminal (already done) or unknown."""

    target: Target
    kind: str  # cancelled | terminal | unknown
    order: Order | None  # the order after the cancel; None when unknown


class AccountExists(ValueError):
    """An API key is registered already, with other credentials: they are never replaced."""


@dataclass(frozen=True)
class Account:
    api_key: str
    secret: str
    passphrase: str = ""

    def __repr__(self) -> str:
        return "Account(<redacted>)"


class Book:
    """Orders and accounts per venue, safe to use from the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[tuple[str, str], dict[str, Order]] = {}
        self._accounts: dict[tuple[str, str], Account] = {}
        self._ids = itertools.count(FIRST_ORDER_ID)
        self._cancels: collections.Counter[tuple[str, str, str]] = collections.Counter()  # for soaks: must stay <= 1

    def add_account(self, venue: str, account: Account) -> None:
        """Register an account; the same credentials again are a no-op, other ones for its key an error."""
        with self._lock:
            existing = self._accounts.get((venue, account.api_key))
            if existing is not None and existing != account:
                raise AccountExists(f"{venue} already has an account with this API key; its secret is kept")
            self._accounts[(venue, account.api_key)] = account

    def account(self, venue: str, api_key: str) -> Account | None:
        with self._lock:
            return self._accounts.get((venue, api_key))

    def seed(self, venue: str, api_key: str, orders: Iterable[Mapping[str, Any] | Order]) -> tuple[Order, ...]:
        """Add orders (Order or dicts of its fields; order_id is assigned when left out)."""
        with self._lock:
            book = self._orders.setdefault((venue, api_key), {})
            added: list[Order] = []
            for given in orders:
                order = given if isinstance(given, Order) else self._order_from(given)
                if order.order_id in book or any(o.order_id == order.order_id for o in added):
                    raise ValueError(f"order id {order.order_id!r} is already in the book")
                if order.status not in OPEN_STATUSES + TERMINAL_STATUSES:
                    raise ValueError(
                        f"unknown status {order.status!r} (known: {', '.join(OPEN_STATUSES + TERMINAL_STATUSES)})"
                    )
                added.append(order)
            book.update((o.order_id, o) for o in added)
            return tuple(added)

    def _order_from(self, raw: Mapping[str, Any]) -> Order:
        unknown = sorted(set(raw) - ORDER_KEYS)
        if unknown:
            raise ValueError(f"unknown order field(s): {', '.join(unknown)}")
        if not isinstance(raw.get("instrument"), str):
            raise ValueError("an order needs an instrument (a string)")
        fields = {k: (None if v is None else str(v)) for k, v in raw.items()}
        if fields.get("order_id") is None:
            fields["order_id"] = str(next(self._ids))
        return Order(**fields)  # type: ignore[arg-type]

    def orders(self, venue: str, api_key: str) -> tuple[Order, ...]:
        with self._lock:
            return tuple(self._orders.get((venue, api_key), {}).values())

    def cancel(
        self,
        venue: str,
        api_key: str,
        targets: Iterable[Target],
        precedence: str = "order_id",
        all_or_nothing: bool = False,
    ) -> tuple[Result, ...]:
        """Cancel each target in turn; the same order named twice is terminal the second time.
        precedence (order_id, client_id, both) says which id finds an order a target names by both;
        all_or_nothing: when any target cannot be cancelled, none is (the results say which failed)."""
        with self._lock:
            book = self._orders.setdefault((venue, api_key), {})
            trial = dict(book)
            results = tuple(self._cancel_one(trial, t, precedence) for t in targets)
            if not all_or_nothing or all(r.kind == "cancelled" for r in results):
                book.update(trial)
                self._cancels.update(
                    (venue, api_key, r.order.order_id) for r in results if r.kind == "cancelled" and r.order
                )
            return results

    def times_cancelled(self, venue: str, api_key: str, order_id: str) -> int:
        """How often the book moved this order from open to cancelled (a correct book: 0 or 1)."""
        with self._lock:
            return self._cancels[(venue, api_key, order_id)]

    def cancel_all(self, venue: str, api_key: str, instrument: str | None) -> tuple[Order, ...]:
        """Cancel every open order of the account (of instrument, when given); the orders cancelled, in book order."""
        with self._lock:
            book = self._orders.setdefault((venue, api_key), {})
            cancelled = tuple(
                replace(o, status=CANCELED)
                for o in book.values()
                if o.is_open and (instrument is None or o.instrument == instrument)
            )
            book.update((o.order_id, o) for o in cancelled)
            self._cancels.update((venue, api_key, o.order_id) for o in cancelled)
            return cancelled

    @staticmethod
    def _cancel_one(book: dict[str, Order], target: Target, precedence: str) -> Result:
        order = _find(book, target, precedence)
        if order is None:
            return Result(target, "unknown", None)
        if not order.is_open:
            return Result(target, "terminal", order)
        book[order.order_id] = replace(order, status=CANCELED)
        return Result(target, "cancelled", book[order.order_id])

    def reset(self) -> None:
        with self._lock:
            self._orders.clear()
            self._cancels.clear()


def _find(book: Mapping[str, Order], target: Target, precedence: str) -> Order | None:
    """The order a target names: by the id the spec's precedence prefers when it gives both."""
    by_id = book.get(target.order_id) if target.order_id is not None else None
    by_client = (
        next((o for o in book.values() if o.client_id == target.client_id), None)
        if target.client_id is not None
        else None
    )
    if target.order_id is None or target.client_id is None:
        order = by_id or by_client
    elif precedence == "both":
        order = by_id if by_id is not None and by_id == by_client else None
    else:
        order = by_client if precedence == "client_id" else by_id
    if order is not None and target.instrument is not None and order.instrument != target.instrument:
        return None  # an order of another instrument is not the one named
    return order
