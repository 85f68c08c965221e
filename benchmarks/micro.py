"""In-process micro-benchmarks: building one signed batch-cancel request, and validating response
bodies. Run by benchmarks/run.py with the peers' interpreter (benchmarks/.venv), the generated
packages on sys.path; prints one JSON object.

Request building, per venue, with the same inputs (the spec's first request case, a fixed clock,
the test keys):
  specgen  client.build_<op>(request): validate + encode + sign, nothing sent
  floor    a minimal hand-written standard-library version producing the same bytes (asserted)
  ccxt     exchange.sign(path, api, method, params), the same parameters, ccxt's own encoding
Validation, per venue, from bytes (JSON decoding included):
  specgen       validators.validate_<op>_response(_wire.loads(raw))
  jsonschema    a reused Draft202012Validator on schemas/<op>.response.json, is_valid(json.loads(raw))
  fastjsonschema the same schema compiled once (fastjsonschema implements drafts 4-7)
on the spec's success response example and on a 10-item batch (every list of objects in the
example grown to 10 items by repeating its items).

    python benchmarks/micro.py GENERATED_DIR SPECS_DIR
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import importlib
import inspect
import json
import statistics
import sys
import time
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

TS = 1672223356634
KEY, SECRET, PASSPHRASE = "test-api-key", "test-secret-not-a-real-key", "test-passphrase"

# venue -> (operation, ccxt class, ccxt path, ccxt api, method)
VENUES: dict[str, tuple[str, str | None, str, list[str], str]] = {
    "binance_coinm": ("cancel_multiple_orders", "binancecoinm", "batchOrders", ["dapiPrivate"], "DELETE"),
    "bingx_spot": ("cancel_multiple_orders", "bingx", "trade/cancelOrders", ["spot", "v1", "private"], "POST"),
    "bitget_spot": ("batch_cancel_order", "bitget", "v2/spot/trade/batch-cancel-order", ["private", "spot"], "POST"),
    "bybit_v5": ("cancel_batch", "bybit", "v5/order/cancel-batch", ["private"], "POST"),
    "ztdx_futures": ("batch_cancel_orders", None, "", [], "DELETE"),  # not in ccxt
}


def per_call_us(fn: Callable[[], Any], repeats: int = 7, min_time: float = 0.05) -> float:
    """Median over repeats of the mean time of one call, in µs (each repeat runs >= min_time)."""
    fn()
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - t0 >= min_time / 4:
            break
        number *= 2
    number = max(1, int(number * 4 * min_time / max(time.perf_counter() - t0, 1e-9) / 4))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number * 1e6)
    return statistics.median(samples)


# -- the hand-written floors: the same request, standard library only ---------------------------

_SECRET = SECRET.encode()


def _hex(text: str) -> str:
    return hmac.new(_SECRET, text.encode(), hashlib.sha256).hexdigest()


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def floor_binance_like(
    base: str, path: str
) -> Callable[[dict[str, Any]], tuple[str, str, tuple[tuple[str, str], ...], bytes]]:
    def build(p: dict[str, Any]) -> tuple[str, str, tuple[tuple[str, str], ...], bytes]:
        q = f"symbol={quote(p['symbol'], safe='')}"
        for name in ("orderIdList", "origClientOrderIdList"):
            if name in p:
                q += f"&{name}={quote(_compact(p[name]), safe='')}"
        q += f"&timestamp={TS}"
        return "DELETE", f"{base}{path}?{q}&signature={_hex(q)}", (("X-MBX-APIKEY", KEY),), b""

    return build


def floor_bingx(p: dict[str, Any]) -> tuple[str, str, tuple[tuple[str, str], ...], bytes]:
    q = f"symbol={quote(p['symbol'], safe='')}"
    for name in ("orderIds", "clientOrderIDs"):
        if name in p:
            q += f"&{name}={quote(','.join(p[name]), safe=',')}"
    q += f"&timestamp={TS}"
    url = f"https://open-api.bingx.com/openApi/spot/v1/trade/cancelOrders?{q}&signature={_hex(q)}"
    return "POST", url, (("X-BX-APIKEY", KEY),), b""


def floor_bitget(p: dict[str, Any]) -> tuple[str, str, tuple[tuple[str, str], ...], bytes]:
    path = "/api/v2/spot/trade/batch-cancel-order"
    body = _compact(p)
    sig = base64.b64encode(hmac.new(_SECRET, f"{TS}POST{path}{body}".encode(), hashlib.sha256).digest()).decode()
    headers = (
        ("Content-Type", "application/json"),
        ("locale", "en-US"),
        ("ACCESS-KEY", KEY),
        ("ACCESS-PASSPHRASE", PASSPHRASE),
        ("ACCESS-TIMESTAMP", str(TS)),
        ("ACCESS-SIGN", sig),
    )
    return "POST", "https://api.bitget.com" + path, headers, body.encode()


def floor_bybit(p: dict[str, Any]) -> tuple[str, str, tuple[tuple[str, str], ...], bytes]:
    body = _compact(p)
    headers = (
        ("Content-Type", "application/json"),
        ("X-BAPI-API-KEY", KEY),
        ("X-BAPI-TIMESTAMP", str(TS)),
        ("X-BAPI-RECV-WINDOW", "5000"),
        ("X-BAPI-SIGN", _hex(f"{TS}{KEY}5000{body}")),
    )
    return "POST", "https://api.bybit.com/v5/order/cancel-batch", headers, body.encode()


FLOORS = {
    "binance_coinm": floor_binance_like("https://dapi.binance.com", "/dapi/v1/batchOrders"),
    "bingx_spot": floor_bingx,
    "bitget_spot": floor_bitget,
    "bybit_v5": floor_bybit,
    "ztdx_futures": floor_binance_like("https://api.ztdx.io", "/fapi/v1/batchOrders"),
}


def load_yaml(path: Path) -> Any:
    import yaml

    return yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def request_bench(venue: str, spec: dict[str, Any], profile: bool) -> dict[str, Any]:
    op, ccxt_name, ccxt_path, ccxt_api, ccxt_method = VENUES[venue]
    pkg = importlib.import_module(venue)
    client_mod = importlib.import_module(f"{venue}.client")
    params = spec["tests"]["request"][0]["params"]
    sources = {p["name"] for p in spec["params"] if p.get("source")}
    wire = {k: v for k, v in params.items() if k not in sources}
    build = getattr(pkg.Client, f"build_{op}")
    request_class = typing.get_type_hints(build, globalns=vars(client_mod))["call"]
    kwargs: dict[str, Any] = {"api_key": KEY, "secret": SECRET, "clock": lambda: TS}
    if "passphrase" in inspect.signature(pkg.Client).parameters:
        kwargs["passphrase"] = PASSPHRASE
    client = pkg.Client(**kwargs)
    call = request_class.from_json(copy.deepcopy(wire))
    bound = getattr(client, f"build_{op}")
    got = bound(call)
    floor = FLOORS[venue]
    want = floor(wire)
    assert (got.method, got.url, got.headers, got.body) == want, (venue, got, want)
    out: dict[str, Any] = {
        "specgen_us": per_call_us(lambda: bound(call)),
        "floor_us": per_call_us(lambda: floor(wire)),
    }
    if ccxt_name is None:
        out["ccxt"] = "not in ccxt"
    else:
        try:
            import ccxt  # type: ignore[import-not-found]
        except ImportError:
            out["ccxt"] = "not installed"
        else:
            exchange = getattr(ccxt, ccxt_name)({"apiKey": KEY, "secret": SECRET, "password": PASSPHRASE})
            exchange.milliseconds = lambda: TS
            ccxt_params = dict(wire)
            if venue == "bingx_spot":  # ccxt passes BingX's id lists as the joined string
                ccxt_params = {k: ",".join(v) if isinstance(v, list) else v for k, v in wire.items()}
            exchange.sign(ccxt_path, ccxt_api, ccxt_method, copy.deepcopy(ccxt_params))
            out["ccxt_us"] = per_call_us(lambda: exchange.sign(ccxt_path, ccxt_api, ccxt_method, dict(ccxt_params)))
    if profile:
        out["profile"] = _profile(lambda: bound(call))
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


def validation_bench(venue: str, spec: dict[str, Any], generated: Path) -> dict[str, Any]:
    op = VENUES[venue][0]
    validators = importlib.import_module(f"{venue}.validators")
    wire = importlib.import_module(f"{venue}._wire")
    validate = getattr(validators, f"validate_{op}_response")
    loads = wire.loads
    case = next(c for c in spec["tests"]["response"] if c.get("status", 200) == 200 and "error" not in c)
    example = case["body"].encode()
    batch = json.dumps(_grow(json.loads(example), 10)).encode()
    schema = json.loads((generated / venue / "schemas" / f"{op}.response.json").read_text("utf-8"))
    out: dict[str, Any] = {}
    for label, raw in (("example", example), ("batch10", batch)):
        assert validate(loads(raw)) == [], (venue, label)
        row: dict[str, Any] = {"bytes": len(raw), "specgen_us": per_call_us(lambda raw=raw: validate(loads(raw)))}
        try:
            import jsonschema
        except ImportError:
            row["jsonschema"] = "not installed"
        else:
            v = jsonschema.Draft202012Validator(schema)
            assert v.is_valid(json.loads(raw)), (venue, label)
            row["jsonschema_us"] = per_call_us(lambda raw=raw, v=v: v.is_valid(json.loads(raw)))
        try:
            import fastjsonschema  # type: ignore[import-not-found]
        except ImportError:
            row["fastjsonschema"] = "not installed"
        else:
            try:
                check = fastjsonschema.compile(schema)
                check(json.loads(raw))
            except Exception as exc:  # a schema it cannot compile, or a verdict that differs
                row["fastjsonschema"] = f"failed: {type(exc).__name__}"
            else:
                row["fastjsonschema_us"] = per_call_us(lambda raw=raw, check=check: check(json.loads(raw)))
        out[label] = row
    return out


def main() -> None:
    generated, specs = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    profile = "--profile" in sys.argv
    sys.path.insert(0, str(generated))
    results: dict[str, Any] = {"request": {}, "validation": {}}
    for venue, (op, *_rest) in VENUES.items():
        spec = load_yaml(specs / venue / f"{op}.yaml")
        try:
            results["request"][venue] = request_bench(venue, spec, profile)
        except Exception as exc:
            results["request"][venue] = {"error": f"{type(exc).__name__}: {exc}"}
        try:
            results["validation"][venue] = validation_bench(venue, spec, generated)
        except Exception as exc:
            results["validation"][venue] = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
