"""Wire helpers: JSON, query strings, decimals and validation results.

Part of specgen's runtime, copied verbatim into every generated package (and into the shared
specgen_runtime package); do not edit. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping
from decimal import Decimal, InvalidOperation

# The runtime never imports typing (a few milliseconds of every import): what it needs for type
# checkers is in `if TYPE_CHECKING:` blocks, which mypy reads and Python skips.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from hashlib import _Hash
    from typing import Any, Self, TypeVar, dataclass_transform
    from typing import Literal as Literal
    from typing import cast as cast

    JSON = Any
    R = TypeVar("R", bound="Record")
    Out = list["Violation"]  # where a generated validator appends what it finds
else:
    JSON = object  # only ever named in annotations, which are never evaluated
    Out = list

    def cast(kind: object, value: object) -> object:
        """typing.cast, without importing typing: the value, unchanged."""
        return value

    def dataclass_transform(**options: object) -> Callable[[type], type]:
        """typing.dataclass_transform, without importing typing: marks nothing at run time."""
        return lambda cls: cls

    class _Literal:
        """typing.Literal where the generated modules' annotations name it.

        Annotations are never evaluated at import; typing.get_type_hints evaluates them, and
        subscribing this imports typing then and gives typing.Literal[...] itself.
        """

        __slots__ = ()

        def __getitem__(self, values: object) -> object:
            import typing

            return typing.Literal[values]

        def __repr__(self) -> str:
            return "typing.Literal"

    Literal = _Literal()


INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# What a validator says of an int64 outside its range (spelled out, the bounds take 50 digits).
OUTSIDE_INT64 = f"outside {INT64_MIN}..{INT64_MAX}"
init_field = object.__setattr__  # how a Record's __init__ sets a field, frozen as it is


def slot_setters(cls: type[Record]) -> tuple[Callable[[object, object], None], ...]:
    """The setters of the fields cls's own __slots__ names, in order.

    For an __init__ called for every request: init_field looks each field up by name, these
    are the fields' own setters.
    """
    return tuple(vars(cls)[name].__set__ for name in cls.__slots__)


class Record:
    """A frozen value: the fields __slots__ names, each set once by __init__ (with init_field).

    Records compare, hash and show themselves by value, as frozen dataclasses do; the generated
    models and the runtime's values use it instead of dataclasses, whose class machinery would
    cost every import of a package. Fields named in _hidden are left out of the repr.
    """

    __slots__: tuple[str, ...] = ()
    _hidden: tuple[str, ...] = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is frozen")

    def _values(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = [f"{n}={getattr(self, n)!r}" for n in self.__slots__ if n not in self._hidden]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self._values())


def _rebuild(cls: type[R], values: tuple[object, ...]) -> R:
    """A record from its values, for copy and pickle (its __init__ may take keywords only)."""
    record = object.__new__(cls)
    for name, value in zip(cls.__slots__, values, strict=True):
        init_field(record, name, value)
    return record


@dataclass_transform(kw_only_default=True, frozen_default=True)
class _ModelType(type):
    """Makes a Model's annotated fields its __slots__, and their defaults (None) its _defaults."""

    # Declared here, not in Model, so that typing.get_type_hints(model) reads the fields only.
    _defaults: dict[str, object]

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> _ModelType:
        if "__slots__" not in namespace:
            fields = tuple(namespace.get("__annotations__", ()))
            namespace["_defaults"] = {f: namespace.pop(f) for f in fields if f in namespace}
            namespace["__slots__"] = fields
        return super().__new__(mcs, name, bases, namespace)


class Model(Record, metaclass=_ModelType):
    """A generated model: a Record whose fields are its annotations.

    Each field is said once, `name: type` (`= None` when optional), and given by keyword, as type
    checkers read it (dataclass_transform).
    """

    __slots__: tuple[str, ...] = ()

    def __init__(self, **values: object) -> None:
        defaults = type(self)._defaults
        for name in self.__slots__:
            if name in values:
                init_field(self, name, values.pop(name))
            elif name in defaults:
                init_field(self, name, defaults[name])
            else:
                raise TypeError(f"{type(self).__name__}() needs the keyword argument {name!r}")
        if values:
            raise TypeError(
                f"{type(self).__name__}() takes no argument {', '.join(sorted(values))}"
            )

    @classmethod
    def _of(cls, *values: object) -> Self:
        """The model of values given in field order (from_json's fast path: no keywords)."""
        made = object.__new__(cls)
        # _rebuild's loop, one call less and not strict (the check costs a small model a third)
        for name, value in zip(cls.__slots__, values, strict=False):
            init_field(made, name, value)
        return made


class Violation(Record):
    """One broken rule: where (a JSON path such as $.items[3].name), which rule, and why."""

    __slots__ = ("path", "rule", "message")
    path: str
    rule: str
    message: str

    def __init__(self, path: str, rule: str, message: str) -> None:
        init_field(self, "path", path)
        init_field(self, "rule", rule)
        init_field(self, "message", message)

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


def _compact_encoder() -> Callable[[JSON], str]:
    """json.dumps(value, separators=(",", ":"), ensure_ascii=False), set up once.

    json.dumps makes a new encoder whenever it is given options, and the encoder a new C
    encoder for every value; a request's body is encoded on every call. (No check for cycles:
    the values are made from records.)
    """
    import json  # here, not at the top: json (and its regular expressions) cost every import

    encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator (another Python implementation)
        return encoder.encode
    # c_make_encoder takes its options by position only, in this order.
    markers, indent, sort_keys, skip_keys, allow_nan = None, None, False, False, True
    c_encoder = make(
        markers,
        encoder.default,
        json.encoder.encode_basestring,
        indent,
        ":",
        ",",
        sort_keys,
        skip_keys,
        allow_nan,
    )
    return lambda value: "".join(c_encoder(value, 0))


def _first_compact(value: JSON) -> str:
    """compact_json's first call: sets the encoder up (json is imported then) and uses it."""
    global _COMPACT
    _COMPACT = _compact_encoder()
    return _COMPACT(value)


_COMPACT = _first_compact


def item_path(path: str, index: int) -> str:
    """The JSON path of item index of the list at path; path itself when index is negative."""
    return path if index < 0 else f"{path}[{index}]"


def fail(out: list[Violation], path: str, index: int, suffix: str, rule: str, message: str) -> None:
    """Report that rule is broken at item_path(path, index) + suffix.

    The generated validators' one way to report: the path's text is made only for a violation.
    """
    out.append(Violation((path if index < 0 else f"{path}[{index}]") + suffix, rule, message))


def missing(
    out: list[Violation], path: str, index: int, value: JSON, names: tuple[str, ...]
) -> None:
    """Report each of names, the required fields, that the object value lacks, in their order."""
    for name in names:
        if name not in value:
            fail(out, path, index, "." + name, "required", "is required")


def compact_json(value: JSON) -> str:
    """JSON with no spaces, keys in the order given, non-ASCII kept as is."""
    return _COMPACT(value)


def _reject_constant(name: str) -> JSON:
    raise ValueError(f"{name} is not valid JSON")


def _set_up_decoding() -> None:
    """One decoder for every body (json.loads builds one, and its scanner, whenever given options),
    made when the first body comes: json is imported then."""
    global _decode, _scan
    import json

    decoder = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant)
    _decode = decoder.decode
    _scan = vars(decoder)["scan_once"]  # the scanner it made itself (not in the type stubs)


def _first_decode(text: str) -> JSON:
    _set_up_decoding()
    return _decode(text)


def _first_scan(text: str, index: int) -> tuple[JSON, int]:
    _set_up_decoding()
    return _scan(text, index)


_decode: Callable[[str], JSON] = _first_decode
_scan: Callable[[str, int], tuple[JSON, int]] = _first_scan


def loads(body: bytes) -> JSON:
    """Decode a JSON body; every number with a fraction or exponent becomes a Decimal."""
    text = body.decode("utf-8")
    # A body is one value, usually with no space around it: the decoder's scanner reads it
    # straight (decode's two calls and whitespace searches cost a short body a third of its
    # time). Anything else goes the decoder's whole way, which raises its own errors.
    try:
        value, end = _scan(text, 0)
    except (StopIteration, ValueError, RecursionError):
        end = -1
    if end == len(text) or (end > 0 and not text[end:].strip(" \t\n\r")):
        return value
    if text.startswith("\ufeff"):  # refused, as json.loads refuses it
        import json

        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _decode(text)


def decimal_text(value: Decimal) -> str:
    """Plain digits, never an exponent: Decimal('1E+2') -> '100'."""
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value}")
    return format(value, "f")


def to_decimal(value: JSON) -> Decimal:
    """A JSON number or numeric string as a finite Decimal; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        try:
            parsed = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a decimal: {value!r}") from None
        if not parsed.is_finite():
            raise ValueError(f"not a finite decimal: {value!r}")
        return parsed
    raise ValueError(f"not a decimal: {type(value).__name__}")


def is_int(value: object) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_integral(value: object) -> bool:
    """An integer as JSON means it: 7, or 7.0 (which the decoder reads as Decimal('7.0'))."""
    if isinstance(value, Decimal):
        return value.is_finite() and value == value.to_integral_value()
    return is_int(value)


def is_number(value: object) -> bool:
    """An int, float or Decimal that is not a bool."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def in_enum(value: object, allowed: tuple[object, ...]) -> bool:
    """Membership without True == 1 and 1.0 == 1 confusions."""
    kind = type(value)
    for a in allowed:
        if value == a and type(a) is kind:
            return True
    return False


def query_scalar(value: JSON) -> str:
    """A scalar as query text: true/false, decimals without an exponent."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


# Per set of safe characters: a test for text that percent-encoding leaves as it is, and the
# table that percent-encodes ASCII text as urllib's quote does (every character but letters,
# digits, _.~- (RFC 3986 unreserved) and safe becomes %XX).
_QUOTING: dict[str, tuple[Callable[[str], object], dict[int, str]]] = {}
_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"


def _quoting(safe: str) -> tuple[Callable[[str], object], dict[int, str]]:
    found = _QUOTING.get(safe)
    if found is None:
        kept = _UNRESERVED + "".join(c for c in safe if c.isascii())
        unchanged = re.compile(f"[{re.escape(kept)}]*\\Z").match
        table = {c: f"%{c:02X}" for c in range(128) if chr(c) not in kept}
        found = _QUOTING[safe] = (unchanged, table)
    return found


def percent_encoded(text: str, safe: str) -> str:
    """text percent-encoded except for safe, as urllib's quote does it.

    quote is slow Python: text that needs no escaping (most ids, symbols and numbers) is
    returned as it is, other ASCII text is encoded by one str.translate, and only the rest
    goes through quote.
    """
    unchanged, table = _quoting(safe)
    return text if unchanged(text) else _escaped(text, safe, table)


def _escaped(text: str, safe: str, table: dict[int, str]) -> str:
    if text.isascii():
        return text.translate(table)
    from urllib.parse import quote  # here: urllib.parse (and ipaddress) cost every import

    return quote(text, safe=safe)


def query_text(
    params: Mapping[str, JSON],
    names: Container[str] | None,
    encodings: Mapping[str, str],
    safe: str,
) -> str:
    """The parameters named in names (None: all of them), in order, as name=value pairs joined by &.

    Each value is written as query_value writes it (lists in their encoding) and percent-encoded
    except for safe. Names are the spec's wire names, which the spec language limits to
    [A-Za-z0-9_-].
    """
    unchanged, table = _quoting(safe)
    pairs = []
    for name, value in params.items():
        if names is not None and name not in names:
            continue
        kind = type(value)
        if kind is int:  # digits and "-": never escaped
            pairs.append(f"{name}={value}")
            continue
        if kind is not str:
            value = query_value(value, encodings.get(name))
        pairs.append(f"{name}={value if unchanged(value) else _escaped(value, safe, table)}")
    return "&".join(pairs)


def query_value(value: JSON, encoding: str | None) -> str:
    """One parameter's text before percent-encoding: lists as compact JSON or comma-joined."""
    if isinstance(value, list):
        if encoding == "comma":
            try:
                return ",".join(value)  # a list of strings, the usual one
            except TypeError:
                return ",".join(query_scalar(v) for v in value)
        return compact_json(value)
    return query_scalar(value)


def hmac_signer(key: bytes, hash_name: str) -> Callable[[bytes], bytes]:
    """HMAC under a fixed key: hmac.new(key, message, hash_name).digest() as a function of message.

    HMAC (RFC 2104) hashes the key padded with 0x36 bytes, then the message; and the key padded
    with 0x5c bytes, then that inner digest. Both padded keys are hashed here, once, so signing
    a message copies two hash states instead of building an HMAC (about half of hmac.new's time
    for a request's message). hashlib is imported here, when a client first signs.
    """
    inner, outer = _hmac_pads(key, hash_name)

    def digest(message: bytes) -> bytes:
        h = inner.copy()
        h.update(message)
        o = outer.copy()
        o.update(h.digest())
        return o.digest()

    return digest


def hmac_hex_signer(key: bytes, hash_name: str) -> Callable[[bytes], str]:
    """hmac_signer's digest as lower-case hex, from the hash itself (no bytes made to convert)."""
    inner, outer = _hmac_pads(key, hash_name)

    def hexdigest(message: bytes) -> str:
        h = inner.copy()
        h.update(message)
        o = outer.copy()
        o.update(h.digest())
        return o.hexdigest()

    return hexdigest


def _hmac_pads(key: bytes, hash_name: str) -> tuple[_Hash, _Hash]:
    """The hash states of HMAC's inner and outer padded keys (see hmac_signer)."""
    import hashlib

    size = hashlib.new(hash_name).block_size
    if len(key) > size:
        key = hashlib.new(hash_name, key).digest()
    key = key.ljust(size, b"\0")
    return hashlib.new(hash_name, bytes(b ^ 0x36 for b in key)), hashlib.new(
        hash_name, bytes(b ^ 0x5C for b in key)
    )


def has_key(value: JSON, key: str) -> bool:
    """value is an object with a member named key."""
    return isinstance(value, dict) and key in value


# Narrowing helpers for parsing values the validators have already checked.
def as_dict(value: JSON) -> Mapping[str, JSON]:
    """value, which must be an object."""
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, got {type(value).__name__}")
    return value


def as_list(value: JSON) -> list[JSON]:
    """value, which must be a list."""
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return value


def as_str(value: JSON) -> str:
    """value, which must be a string."""
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def as_int(value: JSON) -> int:
    """value, which must be integral, as an int."""
    if not is_integral(value):
        raise ValueError(f"expected an integer, got {type(value).__name__}")
    return int(value)


def as_float(value: JSON) -> float:
    """value, which must be a number, as a float."""
    if not is_number(value):
        raise ValueError(f"expected a number, got {type(value).__name__}")
    return float(value)


def as_bool(value: JSON) -> bool:
    """value, which must be true or false."""
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {type(value).__name__}")
    return value
