"""Rate limits as the spec states them: a venue's pools (some with a budget shared by every
endpoint that draws on them, counted in requests, weight or orders) and each endpoint's own
limits and weight, resolved into charges.

A Charge is the one definition the generated limiter (QUOTAS), the simulator and the reference
all read: what one request takes from which window, and whether that window belongs to the
endpoint alone or to the pool (shared across the venue's endpoints).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specgen.spec.kinds import Ctx, Field, List
from specgen.spec.loader import Location
from specgen.spec.text import Ident, Text

# Pool scopes counted per account (API key or UID); an ip pool is counted once per client process
# (the limiter) or once per venue (the simulator, whose clients share the loopback address).
ACCOUNT_SCOPES = ("uid", "api_key")


@dataclass(frozen=True)
class Budget:
    """count units (requests, weight or orders, as the pool counts) per per_seconds."""

    count: int
    per_seconds: int | float


@dataclass(frozen=True)
class Pool:
    name: Ident
    scope: str  # ip | uid | api_key
    description: Text
    unit: str = "requests"  # requests | weight | orders: what its budgets count
    budgets: tuple[Budget, ...] = ()  # shared by every endpoint that draws on the pool
    source: Text | None = None  # where the document states the budgets


@dataclass(frozen=True)
class Limit:
    pool: Ident
    requests: int | None
    per_seconds: int | float | None
    group: int | None
    orders: int | None = None  # a limit counted in orders: each order a request names counts one

    @property
    def count(self) -> int | None:
        """What the limit allows per window, requests or orders (None: the document does not say)."""
        return self.orders if self.orders is not None else self.requests

    @property
    def enforced(self) -> bool:
        """Whether the limit states its numbers, so clients and the simulator can count it."""
        return self.count is not None and self.per_seconds is not None


@dataclass(frozen=True)
class Charge:
    """What one request takes from one window: cost(orders) of count per per_seconds."""

    pool: Ident
    scope: str
    count: int
    per_seconds: int | float
    unit: str  # requests | weight | orders
    weight: int  # what one request costs in a pool counted in weight (1 otherwise)
    pool_wide: bool  # the pool's budget, counted across endpoints; else this endpoint's own limit

    @property
    def per_account(self) -> bool:
        return self.scope in ACCOUNT_SCOPES

    def cost(self, orders: int) -> int:
        """Units a request naming `orders` orders takes."""
        return orders if self.unit == "orders" else self.weight if self.unit == "weight" else 1


@dataclass(frozen=True)
class RateLimit:
    weight: int | None
    limits: tuple[Limit, ...]
    description: Text | None
    charges: tuple[Charge, ...] = ()

    def draws_on(self, pool: Pool) -> bool:
        """Whether the endpoint takes from the pool's shared budget."""
        return any(c.pool_wide and c.pool == pool.name for c in self.charges)


def build_pools(ctx: Ctx, raws: list[dict[str, Any]]) -> tuple[Pool, ...]:
    pools = []
    for i, p in enumerate(raws):
        budgets = tuple(Budget(b["count"], b["per_seconds"]) for b in p.get("budgets", []))
        if budgets and "source" not in p:
            raise ctx.fail(
                ("rate_limit_pools", i, "budgets"), "pool-source", "a pool's budgets need the source that states them"
            )
        text = p.get("source")
        pools.append(
            Pool(
                Ident(p["name"]),
                p["scope"],
                Text(p["description"]),
                p.get("unit", "requests"),
                budgets,
                None if text is None else Text(text),
            )
        )
    return tuple(pools)


def build_rate_limit(ctx: Ctx, raw: dict[str, Any], pools: tuple[Pool, ...], params: tuple[Field, ...]) -> RateLimit:
    """The endpoint's rate_limit section, with the charges every counter reads."""
    by_name = {p.name.value: p for p in pools}
    weight = raw.get("weight")
    limits: list[Limit] = []
    charges: list[Charge] = []
    has_orders = any(isinstance(p.type, List) and p.source is None for p in params)
    for i, lim in enumerate(raw.get("limits", [])):
        at: Location = ("rate_limit", "limits", i)
        pool = by_name.get(lim["pool"])
        if pool is None:
            raise ctx.fail(
                at + ("pool",), "unknown-pool", f"rate-limit pool {lim['pool']!r} is not declared by the venue"
            )
        limit = Limit(
            Ident(lim["pool"]), lim.get("requests"), lim.get("per_seconds"), lim.get("group"), lim.get("orders")
        )
        limits.append(limit)
        if "orders" in lim and not has_orders:
            raise ctx.fail(
                at + ("orders",),
                "orders-limit",
                "a limit counted in orders needs a list parameter whose items are the orders",
            )
        if limit.enforced:  # the endpoint's own limit, counted for it alone
            assert limit.count is not None and limit.per_seconds is not None
            unit = "orders" if limit.orders is not None else "requests"
            charges.append(Charge(pool.name, pool.scope, limit.count, limit.per_seconds, unit, 1, False))
        elif limit.count is None and limit.per_seconds is None and limit.group is None:
            charges.extend(_draws(ctx, at, pool, weight, has_orders))
    return RateLimit(
        weight, tuple(limits), None if "description" not in raw else Text(raw["description"]), tuple(charges)
    )


def _draws(ctx: Ctx, at: Location, pool: Pool, weight: int | None, has_orders: bool) -> list[Charge]:
    """An endpoint naming a pool without numbers takes from the pool's shared budgets."""
    if pool.unit == "weight" and weight is None:
        raise ctx.fail(at, "weight", f"pool {pool.name.value!r} is counted in weight, and the endpoint states none")
    if pool.unit == "orders" and not has_orders:
        raise ctx.fail(at, "orders-limit", f"pool {pool.name.value!r} counts orders: the endpoint needs a list of them")
    cost = weight if pool.unit == "weight" and weight is not None else 1
    return [Charge(pool.name, pool.scope, b.count, b.per_seconds, pool.unit, cost, True) for b in pool.budgets]
