"""The signing language: every step of a venue's recipe (venue.yaml `auth:`), each defined once.

A step is one entry of a table below: a part of the string to sign (`@method`, `{digest: ...}`),
a digest or signature algorithm, an output encoding, a secret decoding, a time format, a
placement. Each entry owns, in one place:

- its fragment of the spec language (`schema_defs()`; spec.schema.json holds exactly these:
  `python -m specgen.spec.kinds` rewrites them with the kinds' parts, and a test checks),
- the Python it puts into the generated signing and client modules (`code`), over a `Signable`
  (the request as it will be sent: method, path, query, body, auth values, headers),
- how the simulator computes it from a request as received (`received`), over the same names,
  so the venue's check is recomputed from the bytes on the wire, never from the client's code.
"""

from __future__ import annotations

import ast
import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from specgen.emit.literal import py
from specgen.spec.text import Code, Text

In = TypeVar("In")
Out = TypeVar("Out")

# ---------------------------------------------------------------------------------------------
# What a part reads: the request as it is sent (client) or as it was received (simulator).


class Received(Protocol):
    """The simulator's view of a request (simulator/auth.py), named as the generated Signable is."""

    method: str
    path: str

    def query_text(self) -> str: ...  # the query as received, without a query-placed signature

    def body_bytes(self) -> bytes: ...  # the body as received, without a body-placed signature

    def value(self, key: str) -> str | None: ...  # an auth value as placed

    def header(self, name: str) -> str | None: ...


def _raw(text: str) -> bytes:
    # The simulator's server decodes the request line and headers as latin-1: this gives back the bytes sent.
    return text.encode("latin-1", errors="replace")


# ---------------------------------------------------------------------------------------------
# Parts of the string to sign. Words are modelled on RFC 9421's derived components.


class Part:
    """One piece of the string to sign; concatenated as bytes, in order."""

    def code(self) -> Code:
        """A Python expression of type bytes over `r: Signable` in the generated signing module."""
        raise NotImplementedError

    def text_code(self) -> Code | None:
        """The same part as a str expression whose UTF-8 encoding is code()'s bytes, or None for
        parts that are bytes only (the body, a digest): see joined_code."""
        return None

    def received(self, request: Received) -> bytes:
        raise NotImplementedError

    def values_used(self) -> tuple[str, ...]:
        """The auth values (timestamp, nonce, ...) this part reads; each must be placed."""
        return ()


@dataclass(frozen=True)
class Word(Part):
    """A derived component such as `@method`: one entry of WORDS."""

    word: str

    def code(self) -> Code:
        text = self.text_code()
        if text is None:
            return Code(WORDS[self.word][1])  # already bytes
        return Code(f'{text if _is_atom(text) else f"({text})"}.encode("utf-8")')

    def text_code(self) -> Code | None:
        return None if self.word in BYTES_WORDS else Code(WORDS[self.word][1])

    def received(self, request: Received) -> bytes:
        return WORDS[self.word][2](request)

    def values_used(self) -> tuple[str, ...]:
        return (VALUE_WORDS[self.word],) if self.word in VALUE_WORDS else ()


def _target(request: Received) -> bytes:
    query = request.query_text()
    return _raw(request.path + (f"?{query}" if query else ""))


# word -> (description, generated expression over r: Signable, the simulator's bytes). The
# expression is the word's text (str; sent as UTF-8), except for the BYTES_WORDS.
WORDS: dict[str, tuple[str, str, Callable[[Received], bytes]]] = {
    "@method": (
        "The HTTP method, upper case.",
        "r.method.upper()",  # a spec's methods are ASCII words
        lambda q: q.method.upper().encode("ascii"),
    ),
    "@path": (
        "The request path as sent (path parameters filled in and percent-encoded), without the query.",
        "r.path",
        lambda q: _raw(q.path),
    ),
    "@query": (
        "The query string as sent, without '?' and without a query-placed signature; empty if none.",
        "r.query",
        lambda q: _raw(q.query_text()),
    ),
    "@request-target": (
        "The path, then '?' and the query string when there is one (RFC 9421 @request-target).",
        'r.path + "?" + r.query if r.query else r.path',
        _target,
    ),
    "@body": (
        "The body bytes as sent (without a body-placed signature); empty if none.",
        "r.body",
        lambda q: q.body_bytes(),
    ),
}
BYTES_WORDS = {"@body"}
# Words for the auth values, each as sent (its text on the wire).
VALUE_WORDS = {
    "@timestamp": "timestamp",
    "@nonce": "nonce",
    "@api-key": "api_key",
    "@recv-window": "recv_window",
    "@passphrase": "passphrase",
    "@payload": "payload",
}


def _value_reader(key: str) -> Callable[[Received], bytes]:
    """The simulator's reading of one auth value as sent."""
    return lambda q: _raw(q.value(key) or "")


for _word, _key in VALUE_WORDS.items():
    WORDS[_word] = (
        f"The {_key.replace('_', ' ')} exactly as sent (auth.{_key}); empty if it is not sent.",
        f'r.values.get("{_key}", "")',
        _value_reader(_key),
    )


@dataclass(frozen=True)
class Literal(Part):
    """Fixed text, such as a separator."""

    text: Text

    def code(self) -> Code:
        return Code(f'{py(self.text)}.encode("utf-8")')

    def text_code(self) -> Code | None:
        return Code(py(self.text))

    def received(self, request: Received) -> bytes:
        return self.text.value.encode("utf-8")


@dataclass(frozen=True)
class HeaderValue(Part):
    """A header's value as sent (a static header, or one an auth value is placed in)."""

    name: Text

    def code(self) -> Code:
        return Code(f'r.header({py(self.name)}).encode("utf-8")')

    def text_code(self) -> Code | None:
        return Code(f"r.header({py(self.name)})")

    def received(self, request: Received) -> bytes:
        return _raw(request.header(self.name.value) or "")


@dataclass(frozen=True)
class Digest(Part):
    """A digest of other parts, as raw bytes or encoded (Kraken: SHA-256(nonce + body), raw)."""

    algorithm: str  # a keyless entry of ALGORITHMS
    encoding: str  # raw or an entry of ENCODINGS
    parts: tuple[Part, ...]

    def code(self) -> Code:
        digest = ALGORITHMS[self.algorithm].code(Code("b''"), joined_code(self.parts))
        return digest if self.encoding == "raw" else Code(f'{ENCODINGS[self.encoding].code(digest)}.encode("ascii")')

    def received(self, request: Received) -> bytes:
        digest = ALGORITHMS[self.algorithm].compute(b"", b"".join(p.received(request) for p in self.parts))
        return digest if self.encoding == "raw" else ENCODINGS[self.encoding].apply(digest).encode("ascii")

    def values_used(self) -> tuple[str, ...]:
        return tuple(v for p in self.parts for v in p.values_used())


def _is_atom(code: str) -> bool:
    """The expression binds tighter than + (a name, call, attribute, literal, or one expression in
    parentheses: `(a) if b else (c)` starts and ends with one but is not)."""
    tree = ast.parse(code, mode="eval").body
    if isinstance(tree, (ast.Name, ast.Attribute, ast.Call, ast.Constant, ast.Subscript)):
        return True
    if not (code.startswith("(") and code.endswith(")")):
        return False
    try:
        inner = ast.parse(code[1:-1], mode="eval").body
    except SyntaxError:
        return False
    return ast.dump(inner) == ast.dump(tree)


def joined_code(parts: tuple[Part, ...]) -> Code:
    """The parts concatenated as bytes, as generated code: each run of text parts is added up as
    str and encoded once (a request's string to sign is made for every request; an encode and
    a join per part cost more than the concatenation)."""
    pieces: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            text = run[0] if len(run) == 1 else "(" + " + ".join(run) + ")"
            pieces.append(f'{text}.encode("utf-8")')
            run.clear()

    for part in parts:
        text = part.text_code()
        if text is None:
            close_run()
            pieces.append(part.code())
        else:
            run.append(text if _is_atom(text) else f"({text})")
    close_run()
    if not pieces:
        return Code('b""')
    return Code(" + ".join(pieces))


# ---------------------------------------------------------------------------------------------
# Algorithms, encodings, secret decodings, time formats.


@dataclass(frozen=True)
class Algorithm:
    name: str
    description: str
    keyed: bool  # HMAC and signatures take the secret; plain digests do not
    hash_name: str | None  # hashlib's name
    asymmetric: bool = False

    def code(self, key: Code, message: Code) -> Code:
        """Raw signature or digest bytes, as generated code."""
        if self.asymmetric:
            return Code(f"_private_sign({key}, {message})")
        if self.keyed:
            return Code(f"hmac.new({key}, {message}, hashlib.{self.hash_name}).digest()")
        return Code(f"hashlib.{self.hash_name}({message}).digest()")

    def signer_code(self, key: Code) -> Code:
        """A function of the message giving code()'s bytes under a fixed key, as generated code:
        an HMAC's keyed state is made once (the runtime's hmac_signer)."""
        if self.asymmetric:
            return Code(f"lambda message: {self.code(key, Code('message'))}")
        assert self.keyed, "a signature's algorithm is keyed (build_auth refuses others)"
        return Code(f"hmac_signer({key}, {py(self.hash_name)})")

    def compute(self, key: bytes, message: bytes) -> bytes:
        if self.asymmetric:
            return _private_sign(self.name, key, message)
        assert self.hash_name is not None
        if self.keyed:
            return hmac.new(key, message, self.hash_name).digest()
        return hashlib.new(self.hash_name, message).digest()


def _private_sign(algorithm: str, pem: bytes, message: bytes) -> bytes:
    """The simulator's own Ed25519 / RSA signing (both deterministic), through cryptography."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key: Any = serialization.load_pem_private_key(pem, password=None)
    if algorithm == "rsa-pkcs1v15-sha256":
        return bytes(key.sign(message, padding.PKCS1v15(), hashes.SHA256()))
    return bytes(key.sign(message))


ALGORITHMS = {
    a.name: a
    for a in (
        Algorithm("hmac-sha256", "HMAC with SHA-256, keyed with the secret.", True, "sha256"),
        Algorithm("hmac-sha384", "HMAC with SHA-384, keyed with the secret.", True, "sha384"),
        Algorithm("hmac-sha512", "HMAC with SHA-512, keyed with the secret.", True, "sha512"),
        Algorithm("sha256", "A plain SHA-256 digest (no key).", False, "sha256"),
        Algorithm("sha512", "A plain SHA-512 digest (no key).", False, "sha512"),
        Algorithm(
            "ed25519",
            "An Ed25519 signature with the private key (secret: pem). Needs the optional 'cryptography' package.",
            True,
            None,
            asymmetric=True,
        ),
        Algorithm(
            "rsa-pkcs1v15-sha256",
            "An RSA PKCS#1 v1.5 signature over SHA-256 with the private key (secret: pem). "
            "Needs the optional 'cryptography' package.",
            True,
            None,
            asymmetric=True,
        ),
    )
}


@dataclass(frozen=True)
class Conversion(Generic[In, Out]):
    """A named step from one value to another, both as generated code and as the simulator runs it."""

    name: str
    description: str
    template: str  # generated code, {} being the input expression
    apply: Callable[[In], Out]

    def code(self, value: Code) -> Code:
        return Code(self.template.format(value))


Encoding = Conversion[bytes, str]  # how raw bytes become text
SecretDecoding = Conversion[str, bytes]  # how the secret the user holds becomes the key bytes

ENCODINGS = {
    e.name: e
    for e in (
        Encoding("hex", "Lower-case hexadecimal.", "{}.hex()", lambda b: b.hex()),
        Encoding(
            "base64",
            "Standard base64 with padding.",
            'binascii.b2a_base64({}, newline=False).decode("ascii")',  # base64.b64encode's own call
            lambda b: base64.b64encode(b).decode("ascii"),
        ),
        Encoding(
            "base64url",
            "URL-safe base64 with padding.",
            'base64.urlsafe_b64encode({}).decode("ascii")',
            lambda b: base64.urlsafe_b64encode(b).decode("ascii"),
        ),
    )
}


# The encodings whose text is left as it is by percent-encoding (RFC 3986 unreserved characters).
URL_SAFE_ENCODINGS = frozenset({"hex"})

SECRETS = {
    s.name: s
    for s in (
        SecretDecoding("text", "The secret's UTF-8 bytes, as written.", '{}.encode("utf-8")', lambda s: s.encode()),
        SecretDecoding(
            "base64", "The secret is base64: its decoded bytes.", "base64.b64decode({})", lambda s: base64.b64decode(s)
        ),
        SecretDecoding(
            "base64url",
            "The secret is URL-safe base64 (padding optional): its decoded bytes.",
            "_b64url_decode({})",
            lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)),
        ),
        SecretDecoding(
            "pem",
            "A PEM private key (Ed25519 or RSA), for the asymmetric algorithms.",
            '{}.encode("utf-8")',
            lambda s: s.encode(),
        ),
    )
}

UNITS = {"s": 1, "ms": 1_000, "us": 1_000_000}  # counts per second
NS_PER = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000}


def _iso(count: int, unit: str) -> str:
    per = UNITS[unit]
    seconds, fraction = divmod(count, per)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digits = len(str(per)) - 1
    return stamp + (f".{fraction:0{digits}d}" if digits else "") + "Z"


def _decimal_seconds(count: int, unit: str) -> str:
    per = UNITS[unit]
    digits = len(str(per)) - 1
    seconds, fraction = divmod(count, per)
    return f"{seconds}.{fraction:0{digits}d}" if digits else str(seconds)


def _parse_iso(text: str, unit: str) -> int:
    if not text.endswith("Z"):
        raise ValueError("not UTC")
    main, _, fraction = text[:-1].partition(".")
    moment = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    per = UNITS[unit]
    digits = len(str(per)) - 1
    if len(fraction) != digits or (fraction and not fraction.isdigit()):
        raise ValueError("wrong fraction")
    return int(moment.timestamp()) * per + (int(fraction) if fraction else 0)


def _parse_decimal_seconds(text: str, unit: str) -> int:
    whole, _, fraction = text.partition(".")
    digits = len(str(UNITS[unit])) - 1
    if not whole.isdigit() or len(fraction) != digits or (fraction and not fraction.isdigit()):
        raise ValueError("not seconds with the stated fraction")
    return int(whole) * UNITS[unit] + (int(fraction) if fraction else 0)


def _parse_integer(text: str, unit: str) -> int:
    if not text.isascii() or not text.lstrip("-").isdigit():
        raise ValueError("not an integer")
    return int(text)


@dataclass(frozen=True)
class TimeFormat:
    """How a count of units since the epoch is written."""

    name: str
    description: str
    template: str  # generated code: {count} and {unit} (a string literal)
    write: Callable[[int, str], str]
    read: Callable[[str, str], int]
    json_number: bool  # in a JSON body or payload: a number, not a string
    pattern: str  # what the text on the wire looks like (a JSON Schema pattern, for the OpenAPI export)


TIME_FORMATS = {
    t.name: t
    for t in (
        TimeFormat(
            "integer",
            "The count as a decimal integer: 1607418537715 (ms).",
            "str({count})",
            lambda c, u: str(c),
            _parse_integer,
            True,
            "^[0-9]+$",
        ),
        TimeFormat(
            "iso8601",
            "ISO-8601 UTC with the unit's fraction: 2020-12-08T09:08:57.715Z (ms), no fraction for s.",
            "iso8601({count}, {unit})",
            _iso,
            _parse_iso,
            False,
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$",
        ),
        TimeFormat(
            "seconds",
            "Seconds with the unit's fraction: 1607418537.715 (ms), 1607418537 (s).",
            "decimal_seconds({count}, {unit})",
            _decimal_seconds,
            _parse_decimal_seconds,
            False,
            "^[0-9]+(\\.[0-9]+)?$",
        ),
    )
}

PLACES = {
    "header": "An HTTP header named `name`.",
    "query": "A query parameter named `name` (list it among the endpoint's params with `source:` to fix its position).",
    "body": "A field of the body named `name` (list it among the endpoint's params with `source:`).",
    "payload": "A field of the JSON object carried by auth.payload (`of: fields`).",
}

# ---------------------------------------------------------------------------------------------
# The model: what a venue's auth section becomes.


@dataclass(frozen=True)
class Placement:
    where: str  # an entry of PLACES
    name: Text


@dataclass(frozen=True)
class AuthValue:
    """A value the client fills in and sends: timestamp, nonce, recv window, credentials, payload, extras."""

    key: str  # timestamp | nonce | recv_window | api_key | passphrase | payload | an extra's wire name
    placement: Placement
    unit: str = "ms"  # time values
    format: str = "integer"  # time values: an entry of TIME_FORMATS
    expires_in: int = 0  # time values: seconds added to the clock (an expiry time)
    default: int | None = None  # recv_window
    signed: SignedCredential | None = None  # passphrase: sent as a signature of itself
    payload_of: str | None = None  # payload: body | fields
    payload_encoding: str = "base64"
    credential: str | None = None  # an extra: this credential's value
    word: str | None = None  # an extra: this derived component (@path)
    literal: Text | None = None  # an extra: this text

    @property
    def where(self) -> str:
        return self.placement.where

    @property
    def name(self) -> Text:
        return self.placement.name

    @property
    def is_time(self) -> bool:
        return self.key in ("timestamp", "nonce") and self.credential is None and self.word is None

    @property
    def wire_pattern(self) -> str:
        """What this value looks like on the wire: a time value in its format, else a count (recv window)."""
        return TIME_FORMATS[self.format].pattern if self.is_time else TIME_FORMATS["integer"].pattern

    @property
    def json_number(self) -> bool:
        """Written as a JSON number in a JSON body or payload."""
        return self.is_time and TIME_FORMATS[self.format].json_number

    def count_code(self, clock_unit: str) -> Code:
        """The generated expression of this value's count, from `count` (the clock, in clock_unit)."""
        mine, clock = UNITS[self.unit], UNITS[clock_unit]
        count = (
            "count" if mine == clock else f"count * {mine // clock}" if mine > clock else f"count // {clock // mine}"
        )
        return Code(count + (f" + {self.expires_in * mine}" if self.expires_in else ""))

    def code(self, clock_unit: str) -> Code:
        """The generated client's expression for this value's text, in Client._auth_values
        (where self is the client, count the clock's reading, creds the credentials, path the path)."""
        if self.key == "timestamp":
            return Code(
                TIME_FORMATS[self.format].template.format(count=self.count_code(clock_unit), unit=py(self.unit))
            )
        if self.key == "nonce":
            return Code(f"str(self._nonce.next({self.count_code(clock_unit)}))")
        if self.key == "recv_window":
            return Code("str(self.recv_window)")
        if self.key == "passphrase" and self.signed is not None:
            return Code("creds.signed_passphrase")  # signed on the first request, then kept
        if self.key in ("api_key", "passphrase"):
            return Code(f"creds.{self.key}")
        if self.credential is not None:
            return Code(f"creds.{self.credential}")
        if self.word == "@path":
            return Code("path")
        assert self.literal is not None
        return py(self.literal)

    @property
    def condition(self) -> Code | None:
        """When the value is sent only sometimes: the generated condition."""
        return Code("self.recv_window is not None") if self.key == "recv_window" else None

    def as_json(self, text: str) -> object:
        """A value as the JSON of a payload or body holds it."""
        return int(text) if self.json_number else text

    def read_time(self, text: str) -> int:
        """The simulator's reading of a sent time value: a count in ms, expires_in taken off."""
        count = TIME_FORMATS[self.format].read(text, self.unit) - self.expires_in * UNITS[self.unit]
        return count * 1000 // UNITS[self.unit]

    def payload_code(self) -> Code:
        """The generated expression of the payload's text from `payload` (its bytes)."""
        return ENCODINGS[self.payload_encoding].code(Code("payload"))

    def typed_code(self, text: Code) -> Code:
        """The value as JSON: a number for integer times, else the text."""
        return Code(f"int({text})") if self.json_number else text


@dataclass(frozen=True)
class SignedCredential:
    """A credential sent as encode(algorithm(secret, credential)): a passphrase signed with the secret."""

    algorithm: str
    encoding: str

    def code(self, key: Code, value: Code) -> Code:
        raw = ALGORITHMS[self.algorithm].code(key, Code(f'{value}.encode("utf-8")'))
        return ENCODINGS[self.encoding].code(raw)

    def apply(self, key: bytes, value: str) -> str:
        return ENCODINGS[self.encoding].apply(ALGORITHMS[self.algorithm].compute(key, value.encode("utf-8")))


@dataclass(frozen=True)
class Signature:
    algorithm: str
    encoding: str
    secret: str  # an entry of SECRETS
    parts: tuple[Part, ...]
    placement: Placement
    position: str  # query placement: first | last

    @property
    def where(self) -> str:
        return self.placement.where

    @property
    def name(self) -> Text:
        return self.placement.name

    @property
    def is_asymmetric(self) -> bool:
        return ALGORITHMS[self.algorithm].asymmetric

    def key_code(self, secret: Code) -> Code:
        return SECRETS[self.secret].code(secret)

    def code(self, key: Code, message: Code) -> Code:
        return self.encoded(ALGORITHMS[self.algorithm].code(key, message))

    def signer_code(self, key: Code) -> Code:
        """The raw signature as a function of the message under a fixed key (see Algorithm)."""
        return ALGORITHMS[self.algorithm].signer_code(key)

    def text_signer_code(self, key: Code) -> Code | None:
        """The signature's text as a function of the message under a fixed key, when one runtime
        call gives it whole (an HMAC in hex: the hash's own hexdigest); None otherwise."""
        algorithm = ALGORITHMS[self.algorithm]
        if self.encoding != "hex" or not algorithm.keyed or algorithm.asymmetric:
            return None
        return Code(f"hmac_hex_signer({key}, {py(algorithm.hash_name)})")

    def encoded(self, raw: Code) -> Code:
        """Raw signature bytes as the text sent, as generated code."""
        return ENCODINGS[self.encoding].code(raw)

    @property
    def url_safe(self) -> bool:
        """The signature's text never needs percent-encoding (hex digits)."""
        return self.encoding in URL_SAFE_ENCODINGS

    def message_code(self) -> Code:
        """The string to sign over `r: Signable`, as generated code."""
        return joined_code(self.parts)

    def string_to_sign(self, request: Received) -> bytes:
        return b"".join(p.received(request) for p in self.parts)

    def expected(self, secret: str, request: Received) -> str:
        """What the venue computes over the request as received."""
        key = SECRETS[self.secret].apply(secret)
        return ENCODINGS[self.encoding].apply(ALGORITHMS[self.algorithm].compute(key, self.string_to_sign(request)))

    def matches(self, sent: str, expected: str) -> bool:
        # Hex is compared case-insensitively (a digest is a number); base64 byte for byte.
        got = sent.lower() if self.encoding == "hex" else sent
        return hmac.compare_digest(got.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True)
class Auth:
    values: tuple[AuthValue, ...]  # in declaration order
    signature: Signature
    static_headers: tuple[tuple[Text, Text], ...]

    def value(self, key: str) -> AuthValue | None:
        return next((v for v in self.values if v.key == key), None)

    @property
    def timestamp(self) -> AuthValue | None:
        return self.value("timestamp")

    @property
    def nonce(self) -> AuthValue | None:
        return self.value("nonce")

    @property
    def recv_window(self) -> AuthValue | None:
        return self.value("recv_window")

    @property
    def payload(self) -> AuthValue | None:
        return self.value("payload")

    @property
    def clock_unit(self) -> str:
        """The unit of the client's clock: the timestamp's, else the nonce's, else ms."""
        for v in (self.timestamp, self.nonce):
            if v is not None:
                return v.unit
        return "ms"

    def placed(self, where: str) -> tuple[AuthValue, ...]:
        return tuple(v for v in self.values if v.placement.where == where)

    @property
    def secret_names(self) -> tuple[Text, ...]:
        """Header or parameter names whose values must never be shown."""
        names = [v.placement.name for v in self.values if v.key in ("api_key", "passphrase") or v.credential]
        return tuple(names) + (self.signature.placement.name,)

    def secret_in(self, where: str) -> tuple[Text, ...]:
        secret = {n.value for n in self.secret_names}
        placed = [v.placement for v in self.values] + [self.signature.placement]
        return tuple(dict.fromkeys(p.name for p in placed if p.where == where and p.name.value in secret))

    @property
    def client_imports(self) -> tuple[str, ...]:
        """The names the generated client imports from the generated signing module."""
        names = ["Signable", "signer", "signing_key", "string_to_sign"]
        names += [f"signed_{v.key}" for v in self.values if v.signed]
        names += ["NonceSource"] if self.nonce is not None else []
        names += ["with_body_field"] if self.signature.placement.where == "body" else []
        names += ["encode_payload"] if self.payload is not None else []
        stamp = self.timestamp
        names += {"iso8601": ["iso8601"], "seconds": ["decimal_seconds"]}.get(stamp.format, []) if stamp else []
        return tuple(sorted(names, key=lambda n: (n.lower(), n)))

    @property
    def uses_cryptography(self) -> bool:
        return self.signature.is_asymmetric

    @property
    def modules(self) -> tuple[str, ...]:
        """The standard-library modules the generated signing module imports."""
        algorithms = [self.signature.algorithm] + [v.signed.algorithm for v in self.values if v.signed]
        algorithms += [p.algorithm for p in _walk(self.signature.parts) if isinstance(p, Digest)]
        encodings = [self.signature.encoding] + [v.signed.encoding for v in self.values if v.signed]
        encodings += [p.encoding for p in _walk(self.signature.parts) if isinstance(p, Digest)]
        encodings += [v.payload_encoding for v in self.values if v.key == "payload"]
        found = set()
        if any(not ALGORITHMS[a].asymmetric for a in algorithms):
            found.add("hashlib")
        if any(ALGORITHMS[a].keyed and not ALGORITHMS[a].asymmetric for a in algorithms):
            found.add("hmac")
        if any(e.startswith("base64") for e in encodings) or self.signature.secret.startswith("base64"):
            found.add("base64")
        if "base64" in encodings:
            found.add("binascii")
        if self.signature.is_asymmetric:
            found.add("importlib")
        if any(v.is_time and v.format == "iso8601" for v in self.values):
            found.add("datetime")
        if self.nonce is not None:
            found.add("threading")
        if self.payload is not None and self.payload.payload_of == "fields" or self.signature.placement.where == "body":
            found.add("json")
        return tuple(sorted(found))


def _walk(parts: tuple[Part, ...]) -> list[Part]:
    out: list[Part] = []
    for p in parts:
        out.append(p)
        if isinstance(p, Digest):
            out.extend(_walk(p.parts))
    return out


def encode_json_payload(fields: Mapping[str, object]) -> bytes:
    """The simulator's and tests' compact JSON (the same rule as the clients' compact_json)."""
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64decode_any(text: str, encoding: str) -> bytes:
    """Decode a payload encoded with an entry of ENCODINGS; raises ValueError."""
    try:
        if encoding == "hex":
            return bytes.fromhex(text)
        if encoding == "base64url":
            return base64.urlsafe_b64decode(text)
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(str(exc)) from None


# ---------------------------------------------------------------------------------------------
# Building from a schema-valid `auth:` mapping.

Fail = Callable[[tuple[Any, ...], str, str], Exception]  # (location, rule, message) -> SpecError
AT: tuple[Any, ...] = ("auth",)
STANDARD_VALUES = ("api_key", "passphrase", "timestamp", "nonce", "recv_window", "payload")  # headers go in this order


def build_part(raw: Any, at: tuple[Any, ...], fail: Fail) -> Part:
    if isinstance(raw, str):
        return Word(raw)
    if "literal" in raw:
        return Literal(Text(raw["literal"]))
    if "header" in raw:
        return HeaderValue(Text(raw["header"]))
    digest = raw["digest"]
    if ALGORITHMS[digest["algorithm"]].keyed:
        raise fail(at + ("digest", "algorithm"), "signing", "a digest part takes a plain digest (sha256, sha512)")
    parts = tuple(build_part(p, at + ("digest", "of", i), fail) for i, p in enumerate(digest["of"]))
    return Digest(digest["algorithm"], digest.get("encoding", "raw"), parts)


def build_auth(raw: dict[str, Any], credentials: tuple[str, ...], fail: Fail) -> Auth:
    values: list[AuthValue] = []
    for key in STANDARD_VALUES:
        if key in raw:
            values.append(_value(key, raw[key], credentials, fail))
    for i, extra in enumerate(raw.get("extra", [])):
        at = AT + ("extra", i)
        if extra["name"] in {v.placement.name.value for v in values if v.placement.where == extra["in"]}:
            raise fail(at + ("name",), "signing", f"{extra['name']!r} is already placed there")
        src = extra["value"]
        credential = src.get("credential") if isinstance(src, dict) else None
        if credential is not None and credential not in credentials:
            raise fail(at + ("value",), "signing", f"credential {credential!r} is not among the venue's credentials")
        values.append(
            AuthValue(
                key=extra["name"],
                placement=Placement(extra["in"], Text(extra["name"])),
                credential=credential,
                word=src if isinstance(src, str) else None,
                literal=Text(src["literal"]) if isinstance(src, dict) and "literal" in src else None,
            )
        )
    sig = raw["signature"]
    separator = sig.get("separator")
    parts: list[Part] = []
    for i, p in enumerate(sig["prehash"]):
        if separator is not None and i:
            parts.append(Literal(Text(separator)))
        parts.append(build_part(p, AT + ("signature", "prehash", i), fail))
    algorithm = ALGORITHMS[sig["algorithm"]]
    secret = sig.get("secret", "pem" if algorithm.asymmetric else "text")
    if algorithm.asymmetric != (secret == "pem"):
        raise fail(AT + ("signature", "secret"), "signing", "secret: pem goes with the asymmetric algorithms only")
    if not algorithm.keyed:
        raise fail(
            AT + ("signature", "algorithm"), "signing", "a signature needs a keyed algorithm (hmac-*, ed25519, rsa-*)"
        )
    placement = Placement(sig["in"], Text(sig["name"]))
    if placement.where == "payload":
        raise fail(AT + ("signature", "in"), "signing", "the signature cannot be inside the payload it may sign")
    signature = Signature(
        algorithm=sig["algorithm"],
        encoding=sig["encoding"],
        secret=secret,
        parts=tuple(parts),
        placement=placement,
        position=sig.get("position", "last"),
    )
    auth = Auth(
        values=tuple(values),
        signature=signature,
        static_headers=tuple((Text(k), Text(v)) for k, v in raw.get("headers", {}).items()),
    )
    for part in _walk(signature.parts):
        for key in part.values_used():
            if auth.value(key) is None:
                raise fail(
                    AT + ("signature", "prehash"),
                    "signing",
                    f"the prehash uses @{key.replace('_', '-')}, so auth must place {key}",
                )
    payload = auth.payload
    if auth.placed("payload") and (payload is None or payload.payload_of != "fields"):
        raise fail(AT, "signing", "values placed in the payload need auth.payload with of: fields")
    if payload is not None and payload.payload_of == "fields" and not auth.placed("payload"):
        raise fail(AT + ("payload",), "signing", "payload of: fields needs values placed in: payload")
    if "passphrase" in credentials and auth.value("passphrase") is None:
        raise fail(AT, "passphrase", "credentials name a passphrase, so auth must say where it goes")
    return auth


def _value(key: str, raw: dict[str, Any], credentials: tuple[str, ...], fail: Fail) -> AuthValue:
    at = AT + (key,)
    signed = raw.get("signed")
    if key == "payload" and raw["in"] == "payload":
        raise fail(at + ("in",), "signing", "the payload cannot be placed inside itself")
    if key in ("api_key", "passphrase") and key not in credentials:
        raise fail(at, "signing", f"auth places {key}, which is not among the venue's credentials")
    return AuthValue(
        key=key,
        placement=Placement(raw["in"], Text(raw["name"])),
        unit=raw.get("unit", "ms"),
        format=raw.get("format", "integer"),
        expires_in=raw.get("expires_in", 0),
        default=raw.get("default"),
        signed=None if signed is None else SignedCredential(signed["algorithm"], signed.get("encoding", "base64")),
        payload_of=raw.get("of") if key == "payload" else None,
        payload_encoding=raw.get("encoding", "base64") if key == "payload" else "base64",
    )


# ---------------------------------------------------------------------------------------------
# The language fragments: spec.schema.json's auth $defs are exactly these (a test checks).


def _enum(table: Mapping[str, object], describe: Callable[[Any], str]) -> dict[str, Any]:
    return {"oneOf": [{"const": k, "description": describe(v)} for k, v in table.items()]}


def schema_defs() -> dict[str, Any]:
    wire = {"$ref": "#/$defs/wireName"}
    place = {
        "in": _enum(PLACES, lambda d: d),
        "name": wire,
    }
    time_keys = {
        "unit": {
            "enum": list(UNITS),
            "description": "Resolution: seconds, milliseconds or microseconds since the epoch (default ms).",
        },
        "format": {"$ref": "#/$defs/timeFormat"},
        "expires_in": {
            "type": "integer",
            "minimum": 1,
            "description": "Seconds added to the clock: an expiry time (now + expires_in), not a send time.",
        },
    }

    def placed(extra: dict[str, Any], description: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["in", "name"],
            "additionalProperties": False,
            "description": description,
            "properties": {**place, **extra},
        }

    return {
        "signingPart": {
            "description": "One part of the string to sign; the parts are concatenated as bytes, in order.",
            "oneOf": [{"const": word, "description": description} for word, (description, _, _) in WORDS.items()]
            + [
                {
                    "type": "object",
                    "required": ["literal"],
                    "additionalProperties": False,
                    "properties": {"literal": {"type": "string", "description": "Fixed text, such as a separator."}},
                },
                {
                    "type": "object",
                    "required": ["header"],
                    "additionalProperties": False,
                    "properties": {"header": {**wire, "description": "The value of this header as sent."}},
                },
                {
                    "type": "object",
                    "required": ["digest"],
                    "additionalProperties": False,
                    "properties": {
                        "digest": {
                            "type": "object",
                            "required": ["algorithm", "of"],
                            "additionalProperties": False,
                            "description": "A digest of other parts (Kraken: SHA-256 of nonce + body, raw bytes).",
                            "properties": {
                                "algorithm": {"$ref": "#/$defs/signingAlgorithm"},
                                "encoding": {
                                    "oneOf": [{"const": "raw", "description": "The digest's bytes (the default)."}]
                                    + _enum(ENCODINGS, lambda e: e.description)["oneOf"]
                                },
                                "of": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/signingPart"}},
                            },
                        }
                    },
                },
            ],
        },
        "signingAlgorithm": _enum(ALGORITHMS, lambda a: a.description),
        "signingEncoding": _enum(ENCODINGS, lambda e: e.description),
        "secretDecoding": _enum(SECRETS, lambda s: s.description),
        "timeFormat": _enum(TIME_FORMATS, lambda t: t.description),
        "auth": {
            "type": "object",
            "required": ["api_key", "signature"],
            "additionalProperties": False,
            "description": "The signing recipe as data: which values are sent where, and what is signed how.",
            "properties": {
                "timestamp": placed(time_keys, "The request time (or expiry time), filled in by the client."),
                "nonce": placed(
                    {k: time_keys[k] for k in ("unit",)},
                    "A strictly increasing integer per client (the clock in unit, or one more than the last nonce).",
                ),
                "recv_window": placed(
                    {"default": {"type": "integer", "minimum": 1, "description": "Sent when the caller sets none."}},
                    "How long the request stays valid (ms); the caller may set it.",
                ),
                "api_key": placed({}, "The API key."),
                "passphrase": placed(
                    {
                        "signed": {
                            "type": "object",
                            "required": ["algorithm"],
                            "additionalProperties": False,
                            "description": "Sent as encoding(algorithm(secret, passphrase)): signed with the secret.",
                            "properties": {
                                "algorithm": {"$ref": "#/$defs/signingAlgorithm"},
                                "encoding": {"$ref": "#/$defs/signingEncoding"},
                            },
                        }
                    },
                    "The passphrase given with the key.",
                ),
                "payload": placed(
                    {
                        "of": {
                            "oneOf": [
                                {"const": "body", "description": "The body bytes as sent."},
                                {
                                    "const": "fields",
                                    "description": "A compact JSON object of the values placed in: payload, in order.",
                                },
                            ]
                        },
                        "encoding": {"$ref": "#/$defs/signingEncoding"},
                    },
                    "An encoded copy (base64 by default) of the body or of stated fields; @payload signs it.",
                )
                | {"required": ["in", "name", "of"]},
                "extra": {
                    "type": "array",
                    "description": "Further values the client sends: a credential, the request path, or fixed text.",
                    "items": placed(
                        {
                            "value": {
                                "oneOf": [
                                    {"const": "@path", "description": "The request path as sent."},
                                    {
                                        "type": "object",
                                        "required": ["credential"],
                                        "additionalProperties": False,
                                        "properties": {"credential": {"$ref": "#/$defs/pythonName"}},
                                    },
                                    {
                                        "type": "object",
                                        "required": ["literal"],
                                        "additionalProperties": False,
                                        "properties": {"literal": {"type": "string"}},
                                    },
                                ]
                            }
                        },
                        "One value: where it goes and what it is.",
                    )
                    | {"required": ["in", "name", "value"]},
                },
                "signature": {
                    "type": "object",
                    "required": ["algorithm", "encoding", "prehash", "in", "name"],
                    "additionalProperties": False,
                    "properties": {
                        "algorithm": {"$ref": "#/$defs/signingAlgorithm"},
                        "encoding": {"$ref": "#/$defs/signingEncoding"},
                        "secret": {"$ref": "#/$defs/secretDecoding"},
                        "prehash": {
                            "type": "array",
                            "minItems": 1,
                            "description": "The string to sign: these parts, concatenated as bytes in order.",
                            "items": {"$ref": "#/$defs/signingPart"},
                        },
                        "separator": {
                            "type": "string",
                            "description": "Text put between every two parts (e.g. a newline).",
                        },
                        "in": {
                            "oneOf": [
                                {"const": "header", "description": "An HTTP header."},
                                {"const": "query", "description": "A query parameter, at `position`."},
                                {"const": "body", "description": "A field added to the body after signing it."},
                            ]
                        },
                        "name": wire,
                        "position": {
                            "enum": ["first", "last"],
                            "description": "For in: query, where the signature goes (default last).",
                        },
                    },
                },
                "headers": {
                    "type": "object",
                    "description": "Static headers sent with every signed request.",
                    "propertyNames": wire,
                    "additionalProperties": {"type": "string", "pattern": "^[\\x20-\\x7e]*$"},
                },
            },
        },
    }


if __name__ == "__main__":
    from specgen.spec.kinds.language import write

    write()  # rewrites every derived part of spec.schema.json, this module's included
