"""The signing language, recipe by recipe: each recipe below is written into a copy of a frozen
fixture venue (by YAML alone), generated, and the request the generated client puts on the wire
is checked against a signature this test computes itself with hmac, hashlib and base64 (never
with the generator's signing code); the simulator's check must accept it too. Two published
examples (KuCoin API key v2, BitoPro) are reproduced byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from specgen.simulator.auth import NonceBook, RawRequest, authenticate
from specgen.simulator.book import Account
from specgen.spec.signing import _is_atom
from specgen.spec.specset import read_specs

from tests.helpers import FIXTURE_SPECS, scratch_project

BASE = "fx_header"  # a JSON-body venue: the recipes replace its auth section
SECRET = "test-secret-not-a-real-key"
KEY = "xxxxxxxxxxxxxxxxxx"
NOW_MS = 1_607_418_537_715  # 2020-12-08T09:08:57.715Z

RECIPES: dict[str, dict[str, Any]] = {
    "sig_kucoin": {
        "credentials": ["api_key", "secret", "passphrase"],
        "auth": {
            "timestamp": {"in": "header", "name": "KC-API-TIMESTAMP"},
            "api_key": {"in": "header", "name": "KC-API-KEY"},
            "passphrase": {
                "in": "header",
                "name": "KC-API-PASSPHRASE",
                "signed": {"algorithm": "hmac-sha256", "encoding": "base64"},
            },
            "signature": {
                "algorithm": "hmac-sha256",
                "encoding": "base64",
                "prehash": ["@timestamp", "@method", "@request-target", "@body"],
                "in": "header",
                "name": "KC-API-SIGN",
            },
            "headers": {"KC-API-KEY-VERSION": "2", "Content-Type": "application/json"},
        },
    },
    "sig_payload_fields": {
        "credentials": ["api_key", "secret", "identity"],
        "auth": {
            "nonce": {"in": "payload", "name": "nonce"},
            "api_key": {"in": "header", "name": "X-P-APIKEY"},
            "payload": {"in": "header", "name": "X-P-PAYLOAD", "of": "fields"},
            "extra": [{"in": "payload", "name": "identity", "value": {"credential": "identity"}}],
            "signature": {
                "algorithm": "hmac-sha384",
                "encoding": "hex",
                "prehash": ["@payload"],
                "in": "header",
                "name": "X-P-SIGNATURE",
            },
        },
    },
    "sig_payload_body": {
        "auth": {
            "api_key": {"in": "header", "name": "X-B-APIKEY"},
            "payload": {"in": "header", "name": "X-B-PAYLOAD", "of": "body"},
            "signature": {
                "algorithm": "hmac-sha512",
                "encoding": "hex",
                "prehash": ["@payload"],
                "in": "header",
                "name": "X-B-SIGNATURE",
            },
        },
    },
    "sig_digest": {
        "auth": {
            "nonce": {"in": "header", "name": "X-D-NONCE"},
            "api_key": {"in": "header", "name": "X-D-KEY"},
            "signature": {
                "algorithm": "hmac-sha512",
                "encoding": "base64",
                "secret": "base64",
                "prehash": ["@path", {"digest": {"algorithm": "sha256", "of": ["@nonce", "@body"]}}],
                "in": "header",
                "name": "X-D-SIGN",
            },
        },
    },
    "sig_iso_lines": {
        "auth": {
            "timestamp": {"in": "header", "name": "X-I-TIME", "format": "iso8601"},
            "api_key": {"in": "header", "name": "X-I-KEY"},
            "signature": {
                "algorithm": "hmac-sha256",
                "encoding": "base64url",
                "separator": "\n",
                "prehash": ["@method", "@path", "@timestamp", {"header": "X-I-KEY"}, {"literal": "v1"}, "@body"],
                "in": "header",
                "name": "X-I-SIGN",
            },
        },
    },
    "sig_expiry": {
        "auth": {
            "timestamp": {"in": "header", "name": "X-E-EXPIRY", "unit": "s", "expires_in": 60},
            "api_key": {"in": "header", "name": "X-E-TOKEN"},
            "signature": {
                "algorithm": "hmac-sha256",
                "encoding": "hex",
                "secret": "base64url",
                "prehash": ["@path", "@query", "@timestamp", "@body"],
                "in": "header",
                "name": "X-E-SIGNATURE",
            },
        },
    },
}
B64_SECRET = base64.b64encode(b"a raw 32-byte key for the digest").decode()
B64URL_SECRET = base64.urlsafe_b64encode(b"\xfb\xff raw key bytes").decode().rstrip("=")
SECRETS = {"sig_digest": B64_SECRET, "sig_expiry": B64URL_SECRET}


@pytest.fixture(scope="module")
def recipe_packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("recipes")
    specs = root / "specs"
    for name, recipe in RECIPES.items():
        folder = specs / name
        import shutil

        shutil.copytree(FIXTURE_SPECS / BASE, folder)
        venue = yaml.safe_load((folder / "venue.yaml").read_text("utf-8"))
        venue["venue"] = name
        venue.update(recipe)
        venue["test_credentials"] = {
            "api_key": KEY,
            "secret": SECRETS.get(name, SECRET),
            **({"passphrase": "my-passphrase"} if "passphrase" in venue.get("credentials", []) else {}),
            **({"identity": "hcmlinj@gmail.com"} if "identity" in venue.get("credentials", []) else {}),
        }
        venue.pop("signing_examples", None)
        venue["simulation"]["clock"]["window_ms"] = 5000  # no recv window in these recipes
        (folder / "venue.yaml").write_text(yaml.safe_dump(venue, sort_keys=False), "utf-8")
        endpoint = yaml.safe_load((folder / "cancel_batch.yaml").read_text("utf-8"))
        endpoint.pop("tests", None)  # its pinned cases are signed by the base venue's recipe
        (folder / "cancel_batch.yaml").write_text(yaml.safe_dump(endpoint, sort_keys=False), "utf-8")
    project = scratch_project(root, specs=specs)
    generated = project / "generated"
    sys.path.insert(0, str(generated))
    try:
        yield project
    finally:
        sys.path.remove(str(generated))


def build(name: str, **extra: Any) -> Any:
    module = importlib.import_module(name)
    creds = {"api_key": KEY, "secret": SECRETS.get(name, SECRET), **extra}
    clock = {"sig_expiry": lambda: NOW_MS // 1000}.get(name, lambda: NOW_MS)
    client = module.Client(clock=clock, **creds)
    call = module.CancelBatchRequest(
        category="spot", request=(module.CancelBatchOrder(symbol="BTCUSDT", order_id="1"),)
    )
    return client.build_cancel_batch(call)


BODY = b'{"category":"spot","request":[{"symbol":"BTCUSDT","orderId":"1"}]}'
PATH = "/v5/order/cancel-batch"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


EXPECTED: dict[str, Callable[[Any], None]] = {}


def expects(name: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    def register(check: Callable[[Any], None]) -> Callable[[Any], None]:
        EXPECTED[name] = check
        return check

    return register


@expects("sig_kucoin")
def _kucoin(r: Any) -> None:
    text = f"{NOW_MS}POST{PATH}".encode() + BODY
    assert r.header("KC-API-SIGN") == b64(hmac.new(SECRET.encode(), text, hashlib.sha256).digest())
    assert r.header("KC-API-PASSPHRASE") == b64(hmac.new(SECRET.encode(), b"my-passphrase", hashlib.sha256).digest())
    assert r.header("KC-API-KEY-VERSION") == "2" and r.header("KC-API-TIMESTAMP") == str(NOW_MS)


@expects("sig_payload_fields")
def _payload_fields(r: Any) -> None:
    payload = r.header("X-P-PAYLOAD")
    assert json.loads(base64.b64decode(payload)) == {"nonce": NOW_MS, "identity": "hcmlinj@gmail.com"}
    assert base64.b64decode(payload) == f'{{"nonce":{NOW_MS},"identity":"hcmlinj@gmail.com"}}'.encode()
    assert r.header("X-P-SIGNATURE") == hmac.new(SECRET.encode(), payload.encode(), hashlib.sha384).hexdigest()


@expects("sig_payload_body")
def _payload_body(r: Any) -> None:
    assert r.header("X-B-PAYLOAD") == b64(BODY)
    assert r.header("X-B-SIGNATURE") == hmac.new(SECRET.encode(), b64(BODY).encode(), hashlib.sha512).hexdigest()


@expects("sig_digest")
def _digest(r: Any) -> None:
    inner = hashlib.sha256(str(NOW_MS).encode() + BODY).digest()
    mac = hmac.new(base64.b64decode(B64_SECRET), PATH.encode() + inner, hashlib.sha512).digest()
    assert r.header("X-D-NONCE") == str(NOW_MS) and r.header("X-D-SIGN") == b64(mac)


@expects("sig_iso_lines")
def _iso(r: Any) -> None:
    stamp = "2020-12-08T09:08:57.715Z"
    text = "\n".join(["POST", PATH, stamp, KEY, "v1"]).encode() + b"\n" + BODY
    mac = hmac.new(SECRET.encode(), text, hashlib.sha256).digest()
    assert r.header("X-I-TIME") == stamp and r.header("X-I-SIGN") == base64.urlsafe_b64encode(mac).decode()


@expects("sig_expiry")
def _expiry(r: Any) -> None:
    expiry = str(NOW_MS // 1000 + 60)
    key = base64.urlsafe_b64decode(B64URL_SECRET + "=" * (-len(B64URL_SECRET) % 4))
    text = f"{PATH}{expiry}".encode() + BODY
    assert r.header("X-E-EXPIRY") == expiry
    assert r.header("X-E-SIGNATURE") == hmac.new(key, text, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_the_wire_carries_the_signature_computed_here(recipe_packages: Path, name: str) -> None:
    extra = {"passphrase": "my-passphrase"} if name == "sig_kucoin" else {}
    extra |= {"identity": "hcmlinj@gmail.com"} if name == "sig_payload_fields" else {}
    request = build(name, **extra)
    assert request.body == BODY and urlsplit(request.url).path == PATH
    EXPECTED[name](request)
    # The simulator's check, recomputed from the recipe's steps over the request as received.
    [venue] = [v for v in read_specs(recipe_packages / "specs", recipe_packages) if v.name.value == name]
    raw = RawRequest("POST", PATH, urlsplit(request.url).query, request.headers, request.body)
    account = Account(KEY, SECRETS.get(name, SECRET), extra.get("passphrase", ""))
    found = authenticate(venue, raw, {KEY: account}.get, NOW_MS, NonceBook())
    assert found is account


def test_nonces_increase_strictly_even_when_the_clock_stalls(recipe_packages: Path) -> None:
    module = importlib.import_module("sig_digest")
    client = module.Client(api_key=KEY, secret=B64_SECRET, clock=lambda: NOW_MS)
    call = module.CancelBatchRequest(
        category="spot", request=(module.CancelBatchOrder(symbol="BTCUSDT", order_id="1"),)
    )
    import threading

    seen: list[int] = []

    def many() -> None:
        for _ in range(200):
            seen.append(int(client.build_cancel_batch(call).header("X-D-NONCE")))

    threads = [threading.Thread(target=many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 800 and min(seen) == NOW_MS


def test_published_examples_kucoin_v2_and_bitopro() -> None:
    # KuCoin's published example (API key v2 documentation): base64 HMAC-SHA256 of the string to sign.
    text = b'1547015186532POST/api/v1/deposit-addresses{"currency":"BTC"}'
    secret = b"f03a5284-5c39-4aaa-9b20-dea10bdcf8e3"
    assert b64(hmac.new(secret, text, hashlib.sha256).digest()) == "7QP/oM0ykidMdrfNEUmng8eZjg/ZvPafjIqmxiVfYu4="
    # BitoPro's published example: hex HMAC-SHA384 of the base64 payload of {identity, nonce}.
    payload = base64.b64encode(b'{"identity":"hcmlinj@gmail.com","nonce":1554380909131}')
    assert payload == b"eyJpZGVudGl0eSI6ImhjbWxpbmpAZ21haWwuY29tIiwibm9uY2UiOjE1NTQzODA5MDkxMzF9"
    assert hmac.new(b"bitopro", payload, hashlib.sha384).hexdigest() == (
        "01a85a9083db47c20da7196380598f3feacd3c76a9077aaf7ffaf08ce0091abf65b61778792607b010921adfe1c2941a"
    )


def test_bitopro_published_example_through_a_generated_client(recipe_packages: Path) -> None:
    """The payload-of-fields recipe, with BitoPro's published secret, identity and nonce."""
    module = importlib.import_module("sig_payload_fields")
    client = module.Client(api_key=KEY, secret="bitopro", identity="hcmlinj@gmail.com", clock=lambda: 1554380909131)
    call = module.CancelBatchRequest(
        category="spot", request=(module.CancelBatchOrder(symbol="BTCUSDT", order_id="1"),)
    )
    request = client.build_cancel_batch(call)
    # Key order in the recipe is nonce, then identity; BitoPro's example has identity first, so
    # only the signature over whatever payload is sent is compared here, and the payload's fields.
    payload = request.header("X-P-PAYLOAD")
    assert json.loads(base64.b64decode(payload)) == {"identity": "hcmlinj@gmail.com", "nonce": 1554380909131}
    assert request.header("X-P-SIGNATURE") == hmac.new(b"bitopro", payload.encode(), hashlib.sha384).hexdigest()


def test_every_recipe_package_passes_mypy_strict(recipe_packages: Path) -> None:
    import subprocess

    folders = [str(recipe_packages / "generated" / name) for name in sorted(RECIPES)]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *folders],
        capture_output=True,
        text=True,
        cwd=recipe_packages,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_the_openapi_export_describes_the_auth_headers_the_client_sends(recipe_packages: Path, name: str) -> None:
    from specgen.emit.openapi import document

    extra = {"passphrase": "my-passphrase"} if name == "sig_kucoin" else {}
    extra |= {"identity": "hcmlinj@gmail.com"} if name == "sig_payload_fields" else {}
    request = build(name, **extra)
    [venue] = [v for v in read_specs(recipe_packages / "specs", recipe_packages) if v.name.value == name]
    [operation] = document(venue)["paths"][PATH].values()
    described = [p for p in operation["parameters"] if p["in"] == "header" and "pattern" in p["schema"]]
    assert described or not any(v.is_time for v in venue.auth.placed("header"))
    for parameter in described:
        sent = request.header(parameter["name"])
        assert sent is not None and re.fullmatch(parameter["schema"]["pattern"], sent), (parameter, sent)


@pytest.mark.parametrize(
    ("code", "atom"),
    [
        ('r.values.get("timestamp", "")', True),
        ("(r.path + '?' + r.query if r.query else r.path)", True),
        ("(a) if b else (c)", False),
        ("(a) + (b)", False),
        ("a + b", False),
        ("'text'", True),
    ],
)
def test_a_text_part_is_bracketed_unless_it_binds_tighter_than_plus(code: str, atom: bool) -> None:
    """The string to sign adds text parts up: a part that is not one term gets its own brackets."""
    assert _is_atom(code) is atom
