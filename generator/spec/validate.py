"""Check a loaded document against the spec language's JSON Schema, naming file and line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from specgen.errors import SpecError
from specgen.spec.loader import Document

MAX_ERRORS = 20


@lru_cache(maxsize=1)
def language_schema() -> dict[str, Any]:
    text = resources.files("specgen").joinpath("spec.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=256)
def whole_string(pattern: str) -> re.Pattern[str]:
    """A JSON Schema pattern with ECMA-262's meaning of `$`: the end of the string.

    Python's `$` also matches before a final newline, so "cancel_batch\n" would pass
    "^[a-z_]+$"; each `$` outside a character class becomes `\\Z`.
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = "\\Z"
        out.append(char)
        i += 1
    return re.compile("".join(out))


def _pattern_keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    import jsonschema

    if validator.is_type(instance, "string") and not whole_string(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=2)
def _validator(kind: str) -> Any:
    import jsonschema  # imported here: `specgen check` with a warm cache never needs it

    schema = dict(language_schema())
    schema = {"$ref": f"#/$defs/{kind}", "$defs": schema["$defs"]}
    extend: Any = jsonschema.validators.extend  # untyped in the stubs
    cls = extend(jsonschema.Draft202012Validator, {"pattern": _pattern_keyword})
    return cls(schema, format_checker=jsonschema.FormatChecker())


def _keys_named(error: Any) -> list[str]:
    """The unexpected keys an additionalProperties error names."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [k for k in instance if repr(k) in error.message]


def _language_error(doc: Document) -> SpecError | None:
    """Every spec states its language version first of all: the rest is read by that version's rules."""
    from specgen.spec.kinds.language import KNOWN_LANGUAGES, LANGUAGE

    known = ", ".join(KNOWN_LANGUAGES)
    if "language" not in doc.data:
        return SpecError(
            doc.path,
            doc.line_of(()),
            "language-version",
            f"the spec states no language version; add 'language: {LANGUAGE}'",
        )
    if doc.data["language"] not in KNOWN_LANGUAGES:
        return SpecError(
            doc.path,
            doc.line_of(("language",)),
            "language-version",
            f"language {doc.data['language']!r} is not a version this specgen reads (known: {known})",
        )
    return None


def check_document(doc: Document, expected_kind: str) -> list[SpecError]:
    data = doc.data
    if not isinstance(data, dict):
        return [SpecError(doc.path, doc.line_of(()), "schema:type", "a spec must be a mapping")]
    unknown_language = _language_error(doc)
    if unknown_language is not None:
        return [unknown_language]
    if data.get("kind") != expected_kind:
        found = data.get("kind")
        return [
            SpecError(
                doc.path, doc.line_of(("kind",)), "schema:kind", f"expected kind: {expected_kind}, found {found!r}"
            )
        ]
    import jsonschema

    out: list[SpecError] = []
    seen: set[tuple[Any, ...]] = set()
    errors = sorted(_validator(expected_kind).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    paths = [tuple(e.absolute_path) for e in errors]
    unknown = {
        (tuple(e.absolute_path), k) for e in errors if e.validator == "additionalProperties" for k in _keys_named(e)
    }
    for error in errors:
        error = jsonschema.exceptions.best_match([error])
        where = tuple(error.absolute_path)
        if "propertyNames" in error.schema_path:
            # A key the object's type does not take (max_items on a string, name on a list's items).
            key_name = error.instance
            if (where, key_name) in unknown:
                continue  # already reported as an unknown key
            allowed = error.validator_value if error.validator == "enum" else None
            message = f"key {key_name!r} is not allowed here" + (
                f" (this type takes: {', '.join(allowed)})" if allowed else " (it belongs to a field, not to a type)"
            )
            out.append(
                SpecError(
                    doc.path,
                    doc.line_of(where + (key_name,)),
                    "schema:propertyNames",
                    f"at {'/'.join(str(p) for p in where) or '(top)'}: {message}",
                )
            )
            continue
        if error.validator == "unevaluatedProperties" and any(
            len(p) > len(where) and p[: len(where)] == where and repr(p[len(where)]) in error.message for p in paths
        ):
            continue  # an echo of a deeper error: the branch that failed left its keys unevaluated
        line_at = where
        if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
            # The line of the first unexpected key, rather than of the mapping that holds it.
            line_at += next(((k,) for k in error.instance if repr(k) in error.message), ())
        key = (where, error.validator, error.message)
        if key in seen:
            continue
        seen.add(key)
        at = "/".join(str(p) for p in where) or "(top)"
        out.append(SpecError(doc.path, doc.line_of(line_at), f"schema:{error.validator}", f"at {at}: {error.message}"))
        if len(out) >= MAX_ERRORS:
            break
    return out
