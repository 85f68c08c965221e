"""In-process micro-benchmarks: building one signed batch-cancel request, sending it through an
in-process fake, and validating response bodies. Run by benchmarks/run.py with the peers'
interpreter (benchmarks/.venv), the generated packages on sys.path; prints one JSON object.

Request building, per venue, with the same inputs (the spec's first request case and its
timestamp as a fixed clock, the test keys):
  specgen  client.build_<op>(request): validate + encode + sign, nothing sent
  floor    a minimal hand-written standard-library version producing the same bytes (asserted)
  ccxt     exchange.sign(path, api, method, params), the same parameters, ccxt's own encoding
Async per-request overhead, per venue: one call sent through an in-process fake that answers
the spec's success example at once (no socket, no event-loop switch):
  specgen  await AsyncClient.send_<op>(request): validate, sign, send, check and parse the
           answer, outcomes included
  ccxt     await async_support exchange.request(path, api, method, params) with fetch() replaced
           by the same fake (sign, send, json-decode the answer); rate limiting off on both
Validation, per venue, from bytes (JSON decoding included):
  specgen       validators.validate_<op>_response(_wire.loads(raw))
  jsonschema    a reused Draft202012Validator on schemas/<op>.response.json, is_valid(json.loads(raw))
  fastjsonschema the same schema compiled once (fastjsonschema implements drafts 4-7)
  msgspec       msgspec.json.Decoder(model).decode(raw), model: msgspec Structs
  pydantic      TypeAdapter(model).validate_json(raw), model: pydantic v2 BaseModels
The msgspec and pydantic models mirror the spec's response body (benchmarks/peer_models.py):
they check the same types, required fields, limits, patterns and enums, and build typed objects.
On the spec's success response example and on a 10-item batch (every list of objects in the
example grown to 10 items by repeating its items).

    python benchmarks/micro.py GENERATED_DIR SPECS_DIR [--profile] [--only VENUE,...] [--skip PART,...]
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import hmac
import importlib
import inspect
import json
import sys
import time
import typing
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peer_models import msgspec_decoder, pydantic_validator  # noqa: E402

KEY, SECRET, PASSPHRASE = "test-api-key", "test-secret-not-a-real-key", "test-passphrase"

# venue -> (operation, ccxt: (exchange class, path, api, method) or None where ccxt lacks the venue)
VENUES: dict[str, tuple[str, tuple[str, str, list[str], str] | None]] = {
    "binance_coinm": ("cancel_multiple_orders", ("binancecoinm", "batchOrders", ["dapiPrivate"], "DELETE")),
    "bingx_spot": ("cancel_multiple_orders", ("bingx", "trade/cancelOrders", ["spot", "v1", "private"], "POST")),
    "bitget_spot": ("batch_cancel_order", ("bitget", "v2/spot/trade/batch-cancel-order", ["private", "spot"], "POST")),
    "bybit_v5": ("cancel_batch", ("bybit", "v5/order/cancel-batch", ["private"], "POST")),
    "kucoin_spot": ("cancel_all_orders", ("kucoin", "orders", ["private"], "DELETE")),
    "mexc_contract": ("cancel_orders_by_id", ("mexc", "order/cancel", ["contract", "private"], "POST")),
    "phemex_contract": ("bulk_cancel_orders", ("phemex", "orders", ["private"], "DELETE")),
    "whitebit": ("cancel_bulk", ("whitebit", "order/cancel/bulk", ["v4", "private"], "POST")),
    "ztdx_futures": ("batch_cancel_orders", None),
}


def _best_us(run: Callable[[int], object], repeats: int = 31, min_time: float = 0.01) -> float:
    """The best over repeats of the mean time of one call, in µs; run(n) makes n calls, and each
    repeat lasts about min_time. The best, as timeit advises: on a shared machine the slower
    repeats measure the other processes, not the code."""
    run(1)
    number = 1
    while True:
        t0 = time.perf_counter()
        run(number)
        if time.perf_counter() - t0 >= min_time / 4:
            break
        number *= 2
    number = max(1, int(number * min_time / max(time.perf_counter() - t0, 1e-9)))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run(number)
        samples.append((time.perf_counter() - t0) / number * 1e6)
    return min(samples)


def per_call_us(fn: Callable[[], Any]) -> float:
    def run(number: int) -> None:
        for _ in range(number):
            fn()

    return _best_us(run)


def per_await_us(loop: asyncio.AbstractEventLoop, fn: Callable[[], Awaitable[Any]]) -> float:
    """per_call_us for a coroutine function: the calls are awaited in one task, in turn."""

    async def many(number: int) -> None:
        for _ in range(number):
            await fn()

    return _best_us(lambda number: loop.run_until_complete(many(number)))


# -- the hand-written floors: the same request, standard library only ---------------------------
# Each takes the wire parameters and the clock's reading, and returns (method, url, headers, body).

Built = tuple[str, str, tuple[tuple[str, str], ...], bytes]
_SECRET = SECRET.encode()


def _hex(text: str, digest: Any = hashlib.sha256) -> str:
    return hmac.new(_SECRET, text.encode(), digest).hexdigest()


def _b64(text: str) -> str:
    return base64.b64encode(hmac.new(_SECRET, text.encode(), hashlib.sha256).digest()).decode()


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def floor_binance_like(base: str, path: str) -> Callable[[dict[str, Any], int], Built]:
    def build(p: dict[str, Any], ts: int) -> Built:
        q = f"symbol={quote(p['symbol'], safe='')}"
        for name in ("orderIdList", "origClientOrderIdList"):
            if name in p:
                q += f"&{name}={quote(_compact(p[name]), safe='')}"
        q += f"&timestamp={ts}"
        return "DELETE", f"{base}{path}?{q}&signature={_hex(q)}", (("X-MBX-APIKEY", KEY),), b""

    return build


def floor_bingx(p: dict[str, Any], ts: int) -> Built:
    q = f"symbol={quote(p['symbol'], safe='')}"
    for name in ("orderIds", "clientOrderIDs"):
        if name in p:
            q += f"&{name}={quote(','.join(p[name]), safe=',')}"
    q += f"&timestamp={ts}"
    url = f"https://open-api.bingx.com/openApi/spot/v1/trade/cancelOrders?{q}&signature={_hex(q)}"
    return "POST", url, (("X-BX-APIKEY", KEY),), b""


def floor_bitget(p: dict[str, Any], ts: int) -> Built:
    path = "/api/v2/spot/trade/batch-cancel-order"
    body = _compact(p)
    headers = (
        ("Content-Type", "application/json"),
        ("locale", "en-US"),
        ("ACCESS-KEY", KEY),
        ("ACCESS-PASSPHRASE", PASSPHRASE),
        ("ACCESS-TIMESTAMP", str(ts)),
        ("ACCESS-SIGN", _b64(f"{ts}POST{path}{body}")),
    )
    return "POST", "https://api.bitget.com" + path, headers, body.encode()


def floor_bybit(p: dict[str, Any], ts: int) -> Built:
    body = _compact(p)
    headers = (
        ("Content-Type", "application/json"),
        ("X-BAPI-API-KEY", KEY),
        ("X-BAPI-TIMESTAMP", str(ts)),
        ("X-BAPI-RECV-WINDOW", "5000"),
        ("X-BAPI-SIGN", _hex(f"{ts}{KEY}5000{body}")),
    )
    return "POST", "https://api.bybit.com/v5/order/cancel-batch", headers, body.encode()


_KUCOIN_PASSPHRASE = _b64(PASSPHRASE)  # API key version 2: signed once, sent with every request


def floor_kucoin(p: dict[str, Any], ts: int) -> Built:
    target = f"/api/v1/orders?symbol={quote(p['symbol'], safe='')}&tradeType={quote(p['tradeType'], safe='')}"
    headers = (
        ("KC-API-KEY-VERSION", "2"),
        ("Content-Type", "application/json"),
        ("KC-API-KEY", KEY),
        ("KC-API-PASSPHRASE", _KUCOIN_PASSPHRASE),
        ("KC-API-TIMESTAMP", str(ts)),
        ("KC-API-SIGN", _b64(f"{ts}DELETE{target}")),
    )
    return "DELETE", "https://api.kucoin.com" + target, headers, b""


def floor_mexc(p: dict[str, Any], ts: int) -> Built:
    body = _compact(p["orderIds"])  # the body is the list of ids itself
    headers = (
        ("Content-Type", "application/json"),
        ("ApiKey", KEY),
        ("Request-Time", str(ts)),
        ("Signature", _hex(f"{KEY}{ts}{body}")),
    )
    return "POST", "https://contract.mexc.com/api/v1/private/order/cancel", headers, body.encode()


_PHEMEX_KEY = base64.urlsafe_b64decode(SECRET + "=" * (-len(SECRET) % 4))  # the secret is base64url


def floor_phemex(p: dict[str, Any], ts: int) -> Built:
    q = f"symbol={quote(p['symbol'], safe='')}&orderID={quote(','.join(p['orderID']), safe='')}"
    expiry = str(ts + 60)
    sig = hmac.new(_PHEMEX_KEY, f"/orders{q}{expiry}".encode(), hashlib.sha256).hexdigest()
    headers = (
        ("x-phemex-access-token", KEY),
        ("x-phemex-request-expiry", expiry),
        ("x-phemex-request-signature", sig),
    )
    return "DELETE", f"https://api.phemex.com/orders?{q}", headers, b""


def floor_whitebit(p: dict[str, Any], ts: int) -> Built:
    path = "/api/v4/order/cancel/bulk"
    body = _compact({**p, "request": path, "nonce": ts})
    payload = base64.b64encode(body.encode()).decode()
    headers = (
        ("Content-Type", "application/json"),
        ("X-TXC-APIKEY", KEY),
        ("X-TXC-PAYLOAD", payload),
        ("X-TXC-SIGNATURE", _hex(payload, hashlib.sha512)),
    )
    return "POST", "https://whitebit.com" + path, headers, body.encode()


FLOORS: dict[str, Callable[[dict[str, Any], int], Built]] = {
    "binance_coinm": floor_binance_like("https://dapi.binance.com", "/dapi/v1/batchOrders"),
    "bingx_spot": floor_bingx,
    "bitget_spot": floor_bitget,
    "bybit_v5": floor_bybit,
    "kucoin_spot": floor_kucoin,
    "mexc_contract": floor_mexc,
    "phemex_contract": floor_phemex,
    "whitebit": floor_whitebit,
    "ztdx_futures": floor_binance_like("https://api.ztdx.io", "/fapi/v1/batchOrders"),
}


def load_yaml(path: Path) -> Any:
    import yaml

    return yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class Setup:
    """One venue's generated client, its request object and the same request as wire parameters:
    the spec's first request case, or the request a response case answers."""

    def __init__(self, venue: str, spec: dict[str, Any], client_class: str = "Client", answered: bool = False) -> None:
        self.op = spec["operation"]
        pkg = importlib.import_module(venue)
        case = spec["tests"]["request"][0]
        self.ts: int = case["timestamp"]
        params = case["params"]
        if answered and "request" in _success_case(spec):
            params = _success_case(spec)["request"]
        sources = {p["name"] for p in spec["params"] if p.get("source")}
        self.wire = {k: v for k, v in params.items() if k not in sources}
        build = getattr(pkg.Client, f"build_{self.op}")
        request_class = typing.get_type_hints(build)["call"]  # read where the endpoint's calls are defined
        self.call = request_class.from_json(copy.deepcopy(self.wire))
        cls = getattr(pkg, client_class)
        kwargs: dict[str, Any] = {"api_key": KEY, "secret": SECRET, "clock": lambda: self.ts}
        if "passphrase" in inspect.signature(cls).parameters:
            kwargs["passphrase"] = PASSPHRASE
        self.kwargs = kwargs
        self.client_class = cls


def _ccxt(module: str, venue: str, ts: int) -> tuple[Any, tuple[str, list[str], str]] | str:
    """The ccxt exchange for venue (from ccxt or ccxt.async_support) with a fixed clock, or why not."""
    peer = VENUES[venue][1]
    if peer is None:
        return "not in ccxt"
    try:
        ccxt = importlib.import_module(module)
    except ImportError:
        return "not installed"
    name, path, api, method = peer
    exchange = getattr(ccxt, name)({"apiKey": KEY, "secret": SECRET, "password": PASSPHRASE, "enableRateLimit": False})
    exchange.milliseconds = lambda: ts
    exchange.seconds = lambda: ts // 1000
    return exchange, (path, api, method)


def _ccxt_params(venue: str, wire: dict[str, Any]) -> Any:
    if venue in ("bingx_spot", "phemex_contract"):  # ccxt passes these id lists as the joined string
        return {k: ",".join(v) if isinstance(v, list) else v for k, v in wire.items()}
    if venue == "mexc_contract":  # the body is the list of ids itself, as ccxt's cancelOrders sends it
        return wire["orderIds"]
    return wire


def request_bench(venue: str, spec: dict[str, Any], profile: bool) -> dict[str, Any]:
    s = Setup(venue, spec)
    bound = getattr(s.client_class(**s.kwargs), f"build_{s.op}")
    got = bound(s.call)
    floor, wire, ts = FLOORS[venue], s.wire, s.ts
    assert (got.method, got.url, got.headers, got.body) == floor(wire, ts), (venue, got, floor(wire, ts))
    call = s.call
    out: dict[str, Any] = {
        "specgen_us": per_call_us(lambda: bound(call)),
        "floor_us": per_call_us(lambda: floor(wire, ts)),
    }
    peer = _ccxt("ccxt", venue, ts)
    if isinstance(peer, str):
        out["ccxt"] = peer
    else:
        exchange, (path, api, method) = peer
        params = _ccxt_params(venue, wire)
        exchange.sign(path, api, method, copy.deepcopy(params))
        out["ccxt_us"] = per_call_us(lambda: exchange.sign(path, api, method, copy.copy(params)))
    if profile:
        out["profile"] = _profile(lambda: bound(call))
    return out


class FakeAsyncTransport:
    """Answers every request at once with one canned response (specgen's AsyncTransport)."""

    def __init__(self, response: Any) -> None:
        self.response = response

    async def send(self, request: Any) -> Any:
        return self.response

    async def aclose(self) -> None:
        pass


def async_bench(venue: str, spec: dict[str, Any]) -> dict[str, Any]:
    s = Setup(venue, spec, "AsyncClient", answered=True)
    body = _success_case(spec)["body"].encode()
    transport_mod = importlib.import_module(f"{venue}.transport")
    answer = transport_mod.HttpResponse(200, (("Content-Type", "application/json"),), body)
    client = s.client_class(**s.kwargs, transport=FakeAsyncTransport(answer))
    send = getattr(client, f"send_{s.op}")
    call = s.call
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(send(call))
        out: dict[str, Any] = {"specgen_us": per_await_us(loop, lambda: send(call))}
        peer = _ccxt("ccxt.async_support", venue, s.ts)
        if isinstance(peer, str):
            out["ccxt"] = peer
        else:
            exchange, (path, api, method) = peer
            text = body.decode()

            async def fetch(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
                return json.loads(text)  # what ccxt's fetch() returns for a JSON answer

            exchange.fetch = fetch
            params = _ccxt_params(venue, s.wire)
            loop.run_until_complete(exchange.request(path, api, method, copy.deepcopy(params)))
            out["ccxt_us"] = per_await_us(loop, lambda: exchange.request(path, api, method, copy.copy(params)))
            loop.run_until_complete(exchange.close())
    finally:
        loop.close()
    return out


def _profile(fn: Callable[[], Any], n: int = 20000) -> list[tuple[str, float]]:
    """Where one generated build spends its time: µs per call by function (own time), top 10."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        fn()
    prof.disable()
    stats = pstats.Stats(prof)
    rows = []
    for (file, _line, name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = Path(file).name if file.startswith("/") else file
        rows.append((f"{where}:{name}", tt / n * 1e6))
    rows.sort(key=lambda r: -r[1])
    return [(name, round(us, 2)) for name, us in rows[:10]]


def _grow(value: Any, size: int) -> Any:
    if isinstance(value, list):
        items = [_grow(v, size) for v in value]
        if items and all(isinstance(v, dict) for v in items):
            items = [copy.deepcopy(items[i % len(items)]) for i in range(size)]
        return items
    if isinstance(value, dict):
        return {k: _grow(v, size) for k, v in value.items()}
    return value


def _success_case(spec: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in spec["tests"]["response"] if c.get("status", 200) == 200 and "error" not in c)


def _peer_row(row: dict[str, Any], peer: str, make: Callable[[], Callable[[bytes], Any]], raw: bytes) -> None:
    """Time one peer on raw as row[peer + '_us'], or say in row[peer] why it has no time."""
    try:
        check = make()
        check(raw)
    except ImportError:
        row[peer] = "not installed"
    except Exception as exc:  # a schema it cannot compile, a model it cannot express, a verdict that differs
        row[peer] = f"failed: {type(exc).__name__}: {str(exc)[:80]}"
    else:
        row[f"{peer}_us"] = per_call_us(lambda: check(raw))


def _jsonschema(schema: dict[str, Any]) -> Callable[[bytes], Any]:
    import jsonschema

    v = jsonschema.Draft202012Validator(schema)

    def check(raw: bytes) -> None:
        if not v.is_valid(json.loads(raw)):
            raise ValueError("jsonschema refuses the body")

    return check


def _fastjsonschema(schema: dict[str, Any]) -> Callable[[bytes], Any]:
    import fastjsonschema  # type: ignore[import-not-found]

    compiled = fastjsonschema.compile(schema)
    return lambda raw: compiled(json.loads(raw))


def validation_bench(venue: str, spec: dict[str, Any], generated: Path) -> dict[str, Any]:
    op = spec["operation"]
    validators = importlib.import_module(f"{venue}.validators")
    wire = importlib.import_module(f"{venue}._wire")
    validate = getattr(validators, f"validate_{op}_response")
    loads = wire.loads
    example = _success_case(spec)["body"].encode()
    batch = json.dumps(_grow(json.loads(example), 10)).encode()
    schema = json.loads((generated / venue / "schemas" / f"{op}.response.json").read_text("utf-8"))
    body = spec["response"]["body"]
    out: dict[str, Any] = {}
    for label, raw in (("example", example), ("batch10", batch)):
        assert validate(loads(raw)) == [], (venue, label)
        row: dict[str, Any] = {"bytes": len(raw), "specgen_us": per_call_us(lambda raw=raw: validate(loads(raw)))}
        _peer_row(row, "jsonschema", lambda: _jsonschema(schema), raw)
        _peer_row(row, "fastjsonschema", lambda: _fastjsonschema(schema), raw)
        _peer_row(row, "msgspec", lambda: msgspec_decoder(body), raw)
        _peer_row(row, "pydantic", lambda: pydantic_validator(body), raw)
        out[label] = row
    return out


def endpoint_spec(specs: Path, venue: str) -> dict[str, Any]:
    """The venue's spec of the operation VENUES names."""
    for path in sorted((specs / venue).glob("*.yaml")):
        spec = load_yaml(path)
        if spec.get("kind") == "endpoint" and spec["operation"] == VENUES[venue][0]:
            return dict(spec)
    raise LookupError(f"no spec of {VENUES[venue][0]} in {specs / venue}")


def main() -> None:
    generated, specs = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    args = sys.argv[3:]
    profile = "--profile" in args
    only = args[args.index("--only") + 1].split(",") if "--only" in args else list(VENUES)
    skip = args[args.index("--skip") + 1].split(",") if "--skip" in args else []
    sys.path.insert(0, str(generated))
    parts: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
        "request": lambda venue, spec: request_bench(venue, spec, profile),
        "async": async_bench,
        "validation": lambda venue, spec: validation_bench(venue, spec, generated),
    }
    results: dict[str, Any] = {part: {} for part in parts if part not in skip}
    for venue in only:
        spec = endpoint_spec(specs, venue)
        for part in results:
            try:
                results[part][venue] = parts[part](venue, spec)
            except Exception as exc:
                results[part][venue] = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
