"""A bounded soak: N clients x M cancels against the simulator over loopback, per venue.

Every order is aimed at by two requests from two different clients that run at the same time, so
cancels race. Afterwards the simulator's book must show each order cancelled, moved there once,
and at least one request's outcome must say it was taken (cancelled, or accepted): an order no
request took, or that the book holds open, is lost; an order the book cancelled twice, or that two
requests both took where the venue answers a second cancel as an error, is doubly cancelled.
Both counts must be 0 (exit 1 otherwise). Requests go through each venue's generated client, signed, over
real sockets on 127.0.0.1; nothing else is contacted, and the run stops by itself.

    python benchmarks/soak.py [--clients N] [--cancels M] [--venue V] [--json FILE]

Reports requests per second, p50 and p99 latency (the whole client call: build, sign, send,
parse) and the lost and doubled counts, as a Markdown table.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generated"))

from specgen.simulator import Simulator  # noqa: E402
from specgen.simulator.drive import CancelCall, calls  # noqa: E402
from specgen.spec.specset import read_specs  # noqa: E402

MAX_SECONDS = 300.0  # the soak gives up (and says so) rather than run on


@dataclass
class Figures:
    venue: str
    clients: int
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # requests that raised (the venue refused, a transport failed; not a one-order request's refusal)
    lost: int
    doubled: int


def soak(sim: Simulator, call: CancelCall, clients: int, cancels: int) -> Figures:
    """clients threads, cancels requests each; every order is the target of two requests."""
    if clients < 2:
        raise ValueError("a soak needs at least two clients: orders are raced by two of them")
    if "order_id" not in call.ways():
        raise ValueError(f"{call.name} cannot name orders by id")
    name = call.venue.name.value
    total = clients * cancels
    orders = sim.seed(name, [{"instrument": call.instrument or "X"} for _ in range(total // 2 + total % 2)])
    # Request r (client r % clients) aims at order r // 2: the pair 2k, 2k+1 comes from two clients.
    plan: list[list[str]] = [[] for _ in range(clients)]
    for r in range(total):
        plan[r % clients].append(orders[r // 2].order_id)
    package = importlib.import_module(name)
    request_class = getattr(package, f"{call.endpoint.stem.value}Request")
    account = sim.credentials(name)
    credentials: dict[str, Any] = {"api_key": account.api_key, "secret": account.secret}
    if account.passphrase:
        credentials["passphrase"] = account.passphrase
    taken: dict[str, int] = {}
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = time.monotonic() + MAX_SECONDS

    def client(ids: list[str]) -> None:
        nonlocal errors
        api = package.Client(**credentials, base_url=sim.base_url(name), timeout=10.0)
        send = getattr(api, f"send_{call.endpoint.operation.value}")
        start.wait()
        for order_id in ids:
            if time.monotonic() > deadline:
                return
            request = request_class.from_json(call.params([order_id]))
            began = time.perf_counter()
            try:
                outcomes = send(request).outcomes
            except package.ApiError as refused:
                if not (call.one_order and refused.outcomes):
                    with lock:
                        errors += 1
                    continue
                outcomes = refused.outcomes  # a one-order request's refusal is its order's answer
            except package.ClientError:
                with lock:
                    errors += 1
                continue
            elapsed = time.perf_counter() - began
            took = [o for o in outcomes if o.state.value in ("cancelled", "accepted")]
            with lock:
                latencies.append(elapsed)
                for outcome in took:
                    taken[str(outcome.order_id)] = taken.get(str(outcome.order_id), 0) + 1

    threads = [threading.Thread(target=client, args=(ids,), name=f"soak-{i}") for i, ids in enumerate(plan)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    book = {o.order_id: o.status for o in sim.orders(name)}
    lost = sum(1 for o in orders if taken.get(o.order_id, 0) == 0 or book.get(o.order_id) != "cancelled")
    assert call.endpoint.simulation is not None
    second_is_error = call.endpoint.simulation.terminal_orders == "error"  # else a second cancel reads as cancelled
    key = account.api_key
    doubled = sum(
        1
        for o in orders
        if sim.book.times_cancelled(name, key, o.order_id) > 1 or (second_is_error and taken.get(o.order_id, 0) > 1)
    )
    ordered = sorted(latencies) or [0.0]
    return Figures(
        venue=name,
        clients=clients,
        requests=len(latencies) + errors,
        seconds=round(seconds, 3),
        requests_per_second=round((len(latencies) + errors) / seconds, 1) if seconds else 0.0,
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p99_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
        errors=errors,
        lost=lost,
        doubled=doubled,
    )


def run(clients: int, cancels: int, venue: str | None = None) -> list[Figures]:
    venues = read_specs(ROOT / "specs", ROOT, only=venue)
    # A venue whose nonce must rise with every request of a key forbids concurrent requests on one key
    # (the simulator refuses the late ones, as the venue does): such venues are not raced.
    found = [c for c in calls(venues) if "order_id" in c.ways() and c.venue.auth.nonce is None]
    with Simulator(venues) as sim:
        return [soak(sim, call, clients, cancels) for call in found]


def table(figures: list[Figures]) -> str:
    lines = [
        "| venue | clients × cancels | requests/s | p50 ms | p99 ms | errors | lost | doubly cancelled |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for f in figures:
        per_client = f.requests // f.clients if f.clients else 0
        lines.append(
            f"| {f.venue} | {f.clients} × {per_client} | {f.requests_per_second} | {f.p50_ms} | {f.p99_ms}"
            f" | {f.errors} | {f.lost} | {f.doubled} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cancels", type=int, default=50, help="requests per client")
    parser.add_argument("--venue")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    figures = run(args.clients, args.cancels, args.venue)
    print(table(figures))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n", "utf-8")
    bad = [f for f in figures if f.lost or f.doubled or f.errors]
    if bad:
        print(f"FAILED: lost, doubly cancelled or refused orders at {', '.join(f.venue for f in bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
