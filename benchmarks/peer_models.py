"""msgspec and pydantic v2 models that mirror an endpoint spec's response body, for the
validation benchmark (benchmarks/micro.py).

Each is what a person would write with that library for the same response: one model per
object (msgspec Structs, pydantic BaseModels), the spec's types, required fields, nullability,
limits, patterns and enums as the library's own constraints, unknown fields allowed (as
specgen's response validators allow them), typed values built. The models are made from the
spec's YAML at run time rather than written out per venue, so they cannot drift from it.

Type kinds: string (str with min/max length and pattern), int64 (int within its range),
int_string (str of digits, as sent), float, decimal and decimal_string (Decimal), bool,
bool_string ("true"/"false"), enum (Literal), list, object, one_of (the first variant whose
when_has key the value has, else the last), map (dict). An optional field that is absent is
None; null is refused unless the spec says nullable, as specgen's validators do.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INTEGER_TEXT = "^-?(0|[1-9][0-9]*)$"


def _python_pattern(pattern: str) -> str:
    """An ECMA-262 pattern as Python's re reads it, end anchor included ($ is \\Z in ECMA)."""
    return pattern[:-1] + "\\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern


class _Models:
    """Spec type -> library type; the two libraries differ only in how they state a constraint,
    a model and a one_of (the subclasses below)."""

    def __init__(self) -> None:
        self.count = 0

    def constrained(self, base: Any, **limits: Any) -> Any:
        """base with the limits that are not None; a pattern is ECMA-262."""
        raise NotImplementedError

    def model(self, name: str, fields: list[tuple[str, Any, bool]]) -> Any:
        raise NotImplementedError

    def one_of(self, variants: list[tuple[str | None, Any]]) -> Any:
        raise NotImplementedError

    def type(self, t: dict[str, Any]) -> Any:
        kind = t["type"]
        if kind == "string":
            found = self.constrained(
                str,
                min_length=t.get("min_length"),
                max_length=t.get("max_length"),
                pattern=t.get("pattern"),
            )
        elif kind == "int64":
            found = self.constrained(int, ge=t.get("minimum", INT64_MIN), le=t.get("maximum", INT64_MAX))
        elif kind == "int_string":
            found = self.constrained(str, pattern=INTEGER_TEXT)
        elif kind == "float":
            found = self.constrained(float, ge=t.get("minimum"), le=t.get("maximum"))
        elif kind in ("decimal", "decimal_string"):
            found = Decimal
        elif kind == "bool":
            found = bool
        elif kind == "bool_string":
            found = Literal["true", "false"]
        elif kind == "enum":
            found = Literal[tuple(t["values"])]
        elif kind == "list":
            items = self.type(t["items"])
            found = self.constrained(list[items], min_length=t.get("min_items"), max_length=t.get("max_items"))  # type: ignore[valid-type]
        elif kind == "map":
            found = dict[str, self.type(t["values"])]  # type: ignore[misc]
        elif kind == "object":
            self.count += 1
            fields = [(f["name"], self.type(f), bool(f.get("required"))) for f in t.get("fields", [])]
            found = self.model(t.get("model") or f"Model{self.count}", fields)
        elif kind == "one_of":
            found = self.one_of([(v.get("when_has"), self.type(v["type"])) for v in t["variants"]])
        else:
            raise NotImplementedError(f"type kind {kind!r}")
        return Union[found, None] if t.get("nullable") else found  # noqa: UP007 (found may be any type form)


def _pick(variants: list[tuple[str | None, Any]]) -> Callable[[Any], int]:
    """The index of the variant a value is: the first whose when_has key it has, else the last."""
    keys = [(i, key) for i, (key, _) in enumerate(variants) if key is not None]
    last = len(variants) - 1

    def pick(value: Any) -> int:
        if isinstance(value, dict):
            return next((i for i, key in keys if key in value), last)
        return next((i for i, key in keys if hasattr(value, key)), last)

    return pick


class _Msgspec(_Models):
    def __init__(self) -> None:
        super().__init__()
        import msgspec

        self.msgspec = msgspec

    def constrained(self, base: Any, **limits: Any) -> Any:
        given = {k: v for k, v in limits.items() if v is not None}
        if "pattern" in given:
            given["pattern"] = _python_pattern(given["pattern"])
        return Annotated[base, self.msgspec.Meta(**given)] if given else base

    def model(self, name: str, fields: list[tuple[str, Any, bool]]) -> Any:
        attrs = [(f"f{i}", ann) if required else (f"f{i}", ann, None) for i, (_, ann, required) in enumerate(fields)]
        rename = {f"f{i}": wire for i, (wire, _, _) in enumerate(fields)}
        return self.msgspec.defstruct(name, attrs, kw_only=True, rename=rename)

    def one_of(self, variants: list[tuple[str | None, Any]]) -> Any:
        # msgspec decodes a union of Structs only by a tag field; a one_of has none, so it is
        # decoded as a value and converted to the variant its keys name (_OneOf, below).
        return _OneOf(self.msgspec, variants)


class _OneOf:
    def __init__(self, msgspec: Any, variants: list[tuple[str | None, Any]]) -> None:
        self.convert, self.types, self.pick = msgspec.convert, [t for _, t in variants], _pick(variants)

    def __call__(self, value: Any) -> Any:
        return self.convert(value, self.types[self.pick(value)])


def msgspec_decoder(body: dict[str, Any]) -> Callable[[bytes], Any]:
    """raw JSON bytes -> the typed body, with msgspec; raises msgspec.ValidationError."""
    import msgspec

    built = _Msgspec().type(body)
    if isinstance(built, _OneOf):
        decode_any = msgspec.json.Decoder().decode
        return lambda raw: built(decode_any(raw))
    if body["type"] == "list" and isinstance(body["items"], dict) and body["items"]["type"] == "one_of":
        one = _Msgspec().type(body["items"])
        decode_list = msgspec.json.Decoder(list[Any]).decode
        return lambda raw: [one(item) for item in decode_list(raw)]
    return msgspec.json.Decoder(built).decode


class _Pydantic(_Models):
    def __init__(self) -> None:
        super().__init__()
        import annotated_types
        import pydantic

        self.pydantic, self.annotated_types = pydantic, annotated_types

    def constrained(self, base: Any, **limits: Any) -> Any:
        given = {k: v for k, v in limits.items() if v is not None}
        if not given:
            return base
        if base in (str, int, float):  # pydantic's default regex engine reads ECMA's $ as the end
            return Annotated[base, self.pydantic.Field(**given)]
        return Annotated[base, self.annotated_types.Len(given.get("min_length", 0), given.get("max_length"))]

    def model(self, name: str, fields: list[tuple[str, Any, bool]]) -> Any:
        pydantic = self.pydantic
        specs = {
            f"f{i}": (ann, pydantic.Field(alias=wire) if required else pydantic.Field(None, alias=wire))
            for i, (wire, ann, required) in enumerate(fields)
        }
        return pydantic.create_model(name, __config__=pydantic.ConfigDict(extra="ignore"), **specs)

    def one_of(self, variants: list[tuple[str | None, Any]]) -> Any:
        pydantic, pick = self.pydantic, _pick(variants)
        tagged = tuple(Annotated[t, pydantic.Tag(str(i))] for i, (_, t) in enumerate(variants))
        either = Union[tagged]  # noqa: UP007 (a union of a tuple of types)
        return Annotated[either, pydantic.Discriminator(lambda value: str(pick(value)))]


def pydantic_validator(body: dict[str, Any]) -> Callable[[bytes], Any]:
    """raw JSON bytes -> the typed body, with pydantic v2; raises pydantic.ValidationError."""
    import pydantic

    return pydantic.TypeAdapter(_Pydantic().type(body)).validate_json
