"""Issue 3: the generated clients put the right bytes on the wire, signed as each venue checks them.

Run on the frozen fixture specs (tests/fixtures/specs), copies of real venues: the contract tests pin
every product request case byte for byte; here each signature is recomputed from the venue's
published rule, written out independently of the spec's recipe and the generated code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.helpers import FIXTURE_SPECS, GENERATED, ROOT, VENUES, venue_names

pytestmark = pytest.mark.usefixtures("fixture_packages")
FIXTURES = venue_names(FIXTURE_SPECS)

FIXED_MS = 1672223356634


def pkg(venue: str) -> Any:
    return importlib.import_module(venue)


def spec(venue: str) -> dict[str, Any]:
    [path] = [p for p in (FIXTURE_SPECS / venue).glob("*.yaml") if p.name != "venue.yaml"]
    return yaml.safe_load(path.read_text("utf-8"))


class Recorder:
    def __init__(self, body: bytes = b"", status: int = 200) -> None:
        self.sent: list[Any] = []
        self.body = body
        self.status = status

    def send(self, request: Any) -> Any:
        self.sent.append(request)
        return pkg("fx_header").HttpResponse(self.status, (("Content-Type", "application/json"),), self.body)


def hex_hmac(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def b64_hmac(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


# -- each venue's published signing rule, restated by hand --------------------------------------


def binance_rule(request: Any, secret: str) -> None:
    """Binance (and ztdx, BingX): hex HMAC-SHA256 of the query string; signature is the last param."""
    query = urlsplit(request.url).query
    rest, _, signature = query.rpartition("&signature=")
    assert signature == hex_hmac(secret, rest + request.body.decode())


def bitget_rule(request: Any, secret: str) -> None:
    """Bitget: base64 HMAC-SHA256 of timestamp + METHOD + requestPath + ('?' + query) + body."""
    parts = urlsplit(request.url)
    query = f"?{parts.query}" if parts.query else ""
    text = request.header("ACCESS-TIMESTAMP") + request.method.upper() + parts.path + query + request.body.decode()
    assert request.header("ACCESS-SIGN") == b64_hmac(secret, text)


def bybit_rule(request: Any, secret: str) -> None:
    """Bybit v5: hex HMAC-SHA256 of timestamp + api key + recv_window + (query | body)."""
    text = (
        request.header("X-BAPI-TIMESTAMP")
        + request.header("X-BAPI-API-KEY")
        + request.header("X-BAPI-RECV-WINDOW")
        + (urlsplit(request.url).query or request.body.decode())
    )
    assert request.header("X-BAPI-SIGN") == hex_hmac(secret, text)


RULES = {
    "fx_query": binance_rule,
    "fx_comma": binance_rule,
    "fx_passphrase": bitget_rule,
    "fx_header": bybit_rule,
}
KEY_HEADER = {
    "fx_query": "X-MBX-APIKEY",
    "fx_comma": "X-BX-APIKEY",
    "fx_passphrase": "ACCESS-KEY",
    "fx_header": "X-BAPI-API-KEY",
}
CREDS = {"api_key": "k-123", "secret": "s3cr3t-value-xyz", "passphrase": "pass-phrase-xyz"}


def make_client(venue: str, transport: Any = None, **extra: Any) -> Any:
    module = pkg(venue)
    kwargs = dict(CREDS)
    if venue != "fx_passphrase":
        kwargs.pop("passphrase")
    return module.Client(clock=lambda: FIXED_MS, transport=transport or Recorder(), **kwargs, **extra)


def request_cases() -> list[tuple[str, dict[str, Any]]]:
    return [(v, case) for v in FIXTURES for case in spec(v)["tests"]["request"]]


@pytest.mark.parametrize("venue,case", request_cases(), ids=lambda x: x if isinstance(x, str) else x["name"])
def test_document_examples_are_signed_by_the_published_rule(venue: str, case: dict[str, Any]) -> None:
    module = pkg(venue)
    client = make_client(venue, **({"recv_window": case["recv_window"]} if "recv_window" in case else {}))
    call = getattr(module, _stem(venue) + "Request").from_json(case["params"])
    request = getattr(client, f"build_{spec(venue)['operation']}")(call)
    RULES[venue](request, CREDS["secret"])
    assert request.header(KEY_HEADER[venue]) == CREDS["api_key"]
    assert request.method == case["expect"]["method"]
    assert urlsplit(request.url).path == case["expect"]["path"]
    # The same call with the spec's own test keys gives the spec's pinned bytes (contract tests check
    # all of them); here, that the pinned signature also follows the published rule.
    pinned = case["expect"]
    test_creds = yaml.safe_load((FIXTURE_SPECS / venue / "venue.yaml").read_text())["test_credentials"]
    pinned_request = module.HttpRequest(
        method=pinned["method"],
        url="https://x" + pinned["path"] + (f"?{pinned['query']}" if pinned["query"] else ""),
        headers=tuple(pinned["headers"].items()),
        body=pinned["body"].encode(),
    )
    RULES[venue](pinned_request, test_creds["secret"])


def _stem(venue: str) -> str:
    s = spec(venue)
    return s.get("model") or "".join(w.capitalize() for w in s["operation"].split("_"))


def test_binance_published_signing_example() -> None:
    venue = yaml.safe_load((FIXTURE_SPECS / "fx_query" / "venue.yaml").read_text())
    [example] = venue["signing_examples"]
    signing = importlib.import_module("fx_query.signing")
    assert signing.sign(example["secret"], example["prehash"].encode()) == example["signature"]
    signable = signing.Signable("GET", "/", example["prehash"], b"", (), ())
    assert signing.string_to_sign(signable) == example["prehash"].encode()


def test_binance_lists_are_url_encoded_compact_json() -> None:
    m = pkg("fx_query")
    client = make_client("fx_query")
    ids = client.build_cancel_multiple_orders(
        m.CancelMultipleOrdersRequest(symbol="BTCUSD_200925", order_id_list=(1234567, 2345678))
    )
    assert "orderIdList=%5B1234567%2C2345678%5D" in ids.url
    tricky = ["a b", "c:d/e", "f&g=h", "i+j%k", 'q"uote', "ünï"]
    req = client.build_cancel_multiple_orders(
        m.CancelMultipleOrdersRequest(symbol="X", orig_client_order_id_list=tuple(tricky))
    )
    value = urlsplit(req.url).query.split("origClientOrderIdList=")[1].split("&")[0]
    assert " " not in value and all(c not in value for c in ':/&=+"[],')
    from urllib.parse import unquote

    assert json.loads(unquote(value)) == tricky
    assert unquote(value) == json.dumps(tricky, separators=(",", ":"), ensure_ascii=False)


def test_parameters_without_value_are_left_out() -> None:
    m = pkg("fx_query")
    req = make_client("fx_query").build_cancel_multiple_orders(
        m.CancelMultipleOrdersRequest(symbol="X", order_id_list=(1,))
    )
    assert "recvWindow" not in req.url and "origClientOrderIdList" not in req.url
    req = make_client("fx_query", recv_window=6000).build_cancel_multiple_orders(
        m.CancelMultipleOrdersRequest(symbol="X", order_id_list=(1,))
    )
    assert "&recvWindow=6000&timestamp=" in req.url
    b = pkg("fx_passphrase")
    body = (
        make_client("fx_passphrase")
        .build_batch_cancel_order(b.BatchCancelOrderRequest(order_list=(b.BatchCancelItem(order_id="1"),)))
        .body
    )
    assert body == b'{"orderList":[{"orderId":"1"}]}'


def test_bingx_sends_comma_joined_ids_in_the_query() -> None:
    m = pkg("fx_comma")
    req = make_client("fx_comma").build_cancel_orders(
        m.CancelOrdersRequest(symbol="BTC-USDT", order_ids=("1", "2", "3"))
    )
    assert "orderIds=1,2,3&" in req.url and req.body == b""
    assert req.method == "POST"


def test_invalid_calls_raise_validation_error_and_send_nothing() -> None:
    m = pkg("fx_header")
    recorder = Recorder()
    client = make_client("fx_header", transport=recorder)
    items = [m.CancelBatchOrder(symbol="BTCUSDT", order_id=str(i)) for i in range(11)]
    with pytest.raises(m.ValidationError) as err:
        client.cancel_batch(category="spot", request=items)
    assert err.value.rule == "max_items_when" and err.value.param == "$.request"
    with pytest.raises(m.ValidationError) as err:
        client.cancel_batch(category="linear", request=[m.CancelBatchOrder(symbol="btcusdt", order_id="1")])
    assert (err.value.rule, err.value.param) == ("pattern", "$.request[0].symbol")
    with pytest.raises(m.ValidationError):
        client.cancel_batch(category="linear", request="BTCUSDT")  # type: ignore[arg-type]
    assert recorder.sent == []
    request = client.build_cancel_batch(m.CancelBatchRequest(category="linear", request=tuple(items)))
    assert request.body.count(b'"symbol"') == 11  # 11 linear orders are fine: the limit is 20


def test_results_unwrap_envelopes_and_keep_failed_items() -> None:
    m = pkg("fx_passphrase")
    body = json.dumps(
        {
            "code": "00000",
            "msg": "success",
            "requestTime": 1,
            "data": {
                "successList": [{"orderId": "1", "clientOid": "a"}],
                "failureList": [{"orderId": "2", "errorCode": "43001", "errorMsg": "order does not exist"}],
            },
        }
    ).encode()
    client = make_client("fx_passphrase", transport=Recorder(body))
    result = client.batch_cancel_order(order_list=[m.BatchCancelItem(order_id="1"), m.BatchCancelItem(order_id="2")])
    assert result.data is not None and result.data.success_list is not None
    assert [(o.order_id, o.cancelled, o.error_code) for o in result.outcomes] == [
        ("1", True, None),
        ("2", False, "43001"),
    ]
    assert [o.order_id for o in result.failed] == ["2"] and [o.order_id for o in result.cancelled] == ["1"]


def test_money_is_decimal_end_to_end() -> None:
    pkg("fx_comma")
    body = (
        b'{"code":0,"msg":"","data":{"success":[{"orderId":1,"status":"CANCELED","price":"42000.10",'
        b'"stopPrice":0.1000000000000000055511151231257827}]}}'
    )
    result = make_client("fx_comma", transport=Recorder(body)).cancel_orders(symbol="BTC-USDT", order_ids=["1"])
    order = result.data.success[0]
    assert order.price == Decimal("42000.10") and isinstance(order.price, Decimal)
    assert order.stop_price == Decimal("0.1000000000000000055511151231257827")


def test_api_errors_are_typed() -> None:
    m = pkg("fx_header")
    client = make_client(
        "fx_header",
        transport=Recorder(b'{"retCode":10004,"retMsg":"error sign!","result":{},"retExtInfo":{},"time":1}'),
    )
    with pytest.raises(m.ApiError) as err:
        client.cancel_batch(category="linear", request=[m.CancelBatchOrder(symbol="BTCUSDT", order_id="1")])
    assert (err.value.code, err.value.message) == ("10004", "error sign!")


@pytest.mark.parametrize("venue", FIXTURES)
def test_reprs_never_show_secrets(venue: str) -> None:
    client = make_client(venue)
    module = pkg(venue)
    s = spec(venue)
    call = getattr(module, _stem(venue) + "Request").from_json(s["tests"]["request"][0]["params"])
    request = getattr(client, f"build_{s['operation']}")(call)
    signature = (
        request.header({"fx_passphrase": "ACCESS-SIGN", "fx_header": "X-BAPI-SIGN"}.get(venue, "none"))
        or urlsplit(request.url).query.rpartition("signature=")[2]
    )
    assert signature
    shown = repr(client) + repr(request) + repr(client._credentials) + str(vars(client))
    for secret in (CREDS["secret"], CREDS["api_key"], CREDS["passphrase"], signature):
        assert secret not in shown


def test_batching_helpers_follow_the_spec() -> None:
    ops = pkg("fx_header").OPERATIONS["cancel_batch"]
    assert ops.batch_size(category="spot") == 10 and ops.batch_size(category="linear") == 20
    assert pkg("fx_passphrase").OPERATIONS["batch_cancel_order"].batch_size() == 50
    assert pkg("fx_query").OPERATIONS["cancel_multiple_orders"].weight == 1
    bingx = pkg("fx_comma").OPERATIONS["cancel_orders"]
    assert [(r.pool, r.requests, r.per_seconds) for r in bingx.rate_limits][0] == ("uid", 2, 1)
    assert bingx.batch_size() is None
    batches = list(pkg("fx_header").batches(list(range(23)), ops.batch_size(category="spot")))
    assert [len(b) for b in batches] == [10, 10, 3] and sum(batches, ()) == tuple(range(23))
    with pytest.raises(TypeError):
        list(pkg("fx_header").batches("12345", 2))


def test_testnet_is_selectable() -> None:
    assert make_client("fx_header", testnet=True).base_url == "https://api-testnet.bybit.com"
    with pytest.raises(ValueError):
        make_client("fx_passphrase", testnet=True)
    assert make_client("fx_passphrase", base_url="http://127.0.0.1:1/").base_url == "http://127.0.0.1:1"


VENDOR_SCRIPT = """
import importlib, json, sys
assert not any("site-packages" in p for p in sys.path), sys.path
m = importlib.import_module(sys.argv[1])
assert all(not name.startswith(("{venue}",)) for name in sys.modules), "imported under its old name"
stdlib = set(sys.stdlib_module_names)
outside = sorted({{n.split(".")[0] for n in sys.modules}} - stdlib - {{sys.argv[1], "__main__"}})
assert not outside, outside
print(json.dumps({{"client": m.Client.__name__, "ops": sorted(m.OPERATIONS)}}))
"""


@pytest.mark.parametrize("venue", VENUES)
def test_package_vendors_under_another_name_without_site_packages(tmp_path: Path, venue: str) -> None:
    target = tmp_path / "vendor" / f"my_{venue}_copy"
    shutil.copytree(GENERATED / venue, target, ignore=shutil.ignore_patterns("__pycache__"))
    script = VENDOR_SCRIPT.format(venue=venue)
    credentials = yaml.safe_load((ROOT / "specs" / venue / "venue.yaml").read_text("utf-8"))["credentials"]
    arguments = "".join(f"{name}={name[:1]!r}, " for name in credentials)
    use = f"""
import sys
sys.path.insert(0, {str(target.parent)!r})
{script}
c = m.Client({arguments}clock=lambda: 1, base_url="http://127.0.0.1:9")
print(type(c).__name__)
"""
    result = subprocess.run(
        [sys.executable, "-S", "-E", "-s", "-c", use, target.name],
        cwd=target.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"client": "Client"' in result.stdout and result.stdout.strip().endswith("Client")
