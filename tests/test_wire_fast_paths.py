"""The runtime's fast paths give exactly what the standard library gives (issue 15 items 4-5).

compact_json, loads, percent_encoded, query_text, hmac_signer and hmac_hex_signer skip work the
standard library repeats on every call (building an encoder or decoder, percent-encoding text
that needs none, a decoder's whitespace searches around a body that has none); the bytes
sent and the values read must not change. Each is compared with the plain call it stands for,
on generated values that include the awkward cases (non-ASCII, reserved characters, deep
nesting, numbers with fractions and exponents).
"""

from __future__ import annotations

import hmac
import json
import sys
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import GENERATED

sys.path.insert(0, str(GENERATED))
from specgen_runtime import _wire  # noqa: E402

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
SAFE = st.sampled_from(["", ",", "/", ",:", "-._~", "é,", "[]^\\"])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=20
)


@given(JSON_VALUES)
def test_compact_json_is_json_dumps(value: Any) -> None:
    assert _wire.compact_json(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@given(JSON_VALUES)
def test_loads_is_json_loads_with_decimals(value: Any) -> None:
    raw = json.dumps(value).encode("utf-8")
    assert _wire.loads(raw) == json.loads(raw, parse_float=Decimal)


@pytest.mark.parametrize(
    "raw", [b"NaN", b"[Infinity]", b"\xef\xbb\xbf{}", b"{} x", b"", b"\xff", b" ", b"{} \x0c", b"\x0c{}", b"[1,]"]
)
def test_loads_refuses_what_json_loads_refuses(raw: bytes) -> None:
    with pytest.raises(ValueError):
        _wire.loads(raw)


def _reject(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# Around a value: JSON's own whitespace, and characters that are space to str but not to JSON.
AROUND = st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\u2028x", max_size=3)


BODIES = JSON_VALUES.map(json.dumps) | st.sampled_from(["NaN", "1.5e3", "[1,", '"a', "{}x", '{"a":[1,2]}'])


@given(AROUND, BODIES, AROUND)
def test_loads_reads_and_refuses_as_the_decoder_does(before: str, body: str, after: str) -> None:
    """Scanning the value straight gives json.loads's value or its very error, spaces or not."""
    text = before + body + after
    try:
        expected = json.loads(text, parse_float=Decimal, parse_constant=_reject)
    except ValueError as exc:
        with pytest.raises(type(exc)) as got:
            _wire.loads(text.encode("utf-8"))
        assert str(got.value) == str(exc)
    else:
        assert _wire.loads(text.encode("utf-8")) == expected


@given(TEXT, SAFE)
@settings(max_examples=300)
def test_percent_encoded_is_quote(text: str, safe: str) -> None:
    assert _wire.percent_encoded(text, safe) == quote(text, safe=safe)


@given(st.dictionaries(st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True), TEXT | st.integers()), SAFE)
def test_query_text_is_each_pair_quoted(params: dict[str, Any], safe: str) -> None:
    names = frozenset(list(params)[::2])
    expected = "&".join(f"{k}={quote(str(v), safe=safe)}" for k, v in params.items() if k in names)
    assert _wire.query_text(params, names, {}, safe) == expected


def test_query_text_writes_lists_in_their_encoding() -> None:
    params = {"symbol": "BTC-USD", "ids": ["1", "a,b"], "list": [1, 2], "flag": True, "price": Decimal("1E+2")}
    got = _wire.query_text(params, frozenset(params), {"ids": "comma"}, ",")
    assert got == "symbol=BTC-USD&ids=1,a,b&list=%5B1,2%5D&flag=true&price=100"


# Keys around each hash's block size (64 bytes for SHA-256, 128 for SHA-384/512): longer keys are hashed first.
KEYS = st.binary(max_size=300) | st.sampled_from([b"k" * n for n in (63, 64, 65, 127, 128, 129)])


@given(KEYS, st.lists(st.binary(max_size=300), min_size=1, max_size=3), st.sampled_from(["sha256", "sha384", "sha512"]))
def test_hmac_signer_is_hmac_new(key: bytes, messages: list[bytes], hash_name: str) -> None:
    sign = _wire.hmac_signer(key, hash_name)
    sign_hex = _wire.hmac_hex_signer(key, hash_name)
    for message in messages:  # the kept state is copied, never used up
        assert sign(message) == hmac.new(key, message, hash_name).digest()
        assert sign_hex(message) == hmac.new(key, message, hash_name).hexdigest()
