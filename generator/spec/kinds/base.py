"""What every kind definition shares: the registries, the build context and a code writer.

A rule kind is a subclass of Rule, a type kind a subclass of Type; each registers itself with
@rule_kind / @type_kind and owns everything about its kind: the keys it admits in a spec
(its language-schema fragment), how it is built and cross-checked, its JSON Schema, the
validator code it emits, its derived contract cases and its messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from specgen.emit.literal import literal
from specgen.errors import SpecError
from specgen.spec.loader import Document, Location
from specgen.spec.text import Code, Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit, Scope
    from specgen.spec.kinds.fields import Field, Type

Case = dict[str, Any]


class Ctx:
    """Where we are in which document, so every error can name its line."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def fail(self, at: Location, rule: str, message: str) -> SpecError:
        return SpecError(self.doc.path, self.doc.line_of(at), rule, message)


class Lines:
    """Python statements built line by line, indented by `with lines.block():`."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._depth = 0

    def add(self, line: str) -> None:
        self._lines.append("    " * self._depth + line)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self.add(header)
        self._depth += 1
        yield
        self._depth -= 1

    def text(self) -> str:
        return "\n".join(self._lines)


class Where(str):
    """The generated expression of a JSON path in parts: item `counter` of the list at `base` (base
    itself when the counter is negative), then `suffix` (an expression for member steps).

    Violations are written from the parts, `fail(out, base, counter, suffix, ...)`, so the text is
    made only for a violation: made for every list item, the paths cost a valid response more
    than its checks. As a string it is the whole expression.
    """

    base: str
    counter: str
    suffix: str

    def __new__(cls, base: str, counter: str, suffix: str = '""') -> Where:
        text = base if counter == "-1" else f"item_path({base}, {counter})"
        made = super().__new__(cls, text if suffix == '""' else f"{text} + {suffix}")
        made.base, made.counter, made.suffix = base, counter, suffix
        return made

    def member(self, step: str) -> Where:
        """This path and then step, an expression such as '".symbol"' or '"." + key'."""
        return Where(self.base, self.counter, step if self.suffix == '""' else f"{self.suffix} + {step}")


def violation(path: str, rule: str, message: str | Text) -> str:
    """The statement that reports rule (broken, saying message) at path: the one way generated
    validators report; rule and message are texts (a message given as Code is an expression),
    path an expression or a Where."""
    said = message if isinstance(message, Code) else literal(message)
    if isinstance(path, Where):
        return f"fail(out, {path.base}, {path.counter}, {path.suffix}, {literal(rule)}, {said})"
    return f"out.append(Violation({path}, {literal(rule)}, {said}))"


def at_member(path: str, step: str) -> str:
    """The path expression of step (an expression such as '".symbol"') below path."""
    return path.member(step) if isinstance(path, Where) else f"{path} + {step}"


def scalar(value: Any) -> Any:
    """A spec scalar as the model keeps it: strings become Text."""
    return Text(value) if isinstance(value, str) else value


def text_or_none(value: str | None) -> Text | None:
    return None if value is None else Text(value)


def names(values: tuple[Text, ...]) -> str:
    return ", ".join(v.value for v in values)


class Members:
    """The members a rule may name: an endpoint's parameters or an object's fields.

    Each scope words its errors as users know them: an unknown parameter of an endpoint, an
    unknown field of an object.
    """

    def __init__(self, ctx: Ctx, scope: str, fields: tuple[Field, ...]) -> None:
        self.ctx = ctx
        self.scope = scope  # params | item
        self.by_wire = {f.wire.value: f for f in fields}

    def need(self, at: Location, name: str, what: str) -> Field:
        found = self.by_wire.get(name)
        if found is not None:
            return found
        if self.scope == "params":
            raise self.ctx.fail(
                at, "unknown-param", f"{what} names {name!r}, which is not a parameter of this endpoint"
            )
        raise self.ctx.fail(at, "unknown-field", f"rule {what} names {name!r}, which is not a field of this object")


@dataclass(frozen=True)
class Rule:
    """A rule over the members of one object (an endpoint's parameters, or a list item's fields)."""

    kind: ClassVar[str]
    scopes: ClassVar[tuple[str, ...]] = ("params",)  # params | item
    summary: ClassVar[str]  # one line for the language schema

    description: Text | None

    @classmethod
    def language(cls, scope: str) -> dict[str, Any]:
        """The keys this kind admits besides kind and description: {"properties", "required"}."""
        raise NotImplementedError

    @classmethod
    def build(cls, ctx: Ctx, raw: dict[str, Any], at: Location, members: Members) -> Rule:
        raise NotImplementedError

    @classmethod
    def spec_limit(cls, raw: dict[str, Any], param: str, value: Any) -> int | None:
        """The max_items a rule as written in a spec puts on param while a condition has value (None: no limit)."""
        return None

    @property
    def message(self) -> Text:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema that holds of the object when the rule does."""
        raise NotImplementedError

    def check(self, w: Lines, var: str, path: str) -> None:
        """Statements appending a Violation to `out` when `var` (a dict at JSON path `path`) breaks the rule."""
        raise NotImplementedError

    def cases(self, kit: CaseKit, scope: Scope) -> list[Case]:
        """Contract cases near the rule's edges."""
        raise NotImplementedError

    def exclusive_with(self, name: str) -> tuple[str, ...]:
        """Members that must be absent when name is present (none unless the rule says so)."""
        return ()

    def conditional_limit(self) -> ConditionalLimit | None:
        """The lower limit this rule puts on a list while a condition holds, if it does."""
        return None

    def prose(self) -> str:
        """The rule in words, for docstrings."""
        return self.message.value


@dataclass(frozen=True)
class Condition:
    param: Text
    python: str  # the parameter's Python name, for callers that pass keyword arguments
    values: tuple[Any, ...]

    @property
    def words(self) -> str:
        return f"{self.param.value} is " + " or ".join(repr(v.value if isinstance(v, Text) else v) for v in self.values)


@dataclass(frozen=True)
class ConditionalLimit:
    """At most max items in the list parameter param while when holds."""

    param: Text
    python: str  # the list parameter's Python name
    max: int
    when: Condition


RULE_KINDS: dict[str, type[Rule]] = {}
TYPE_KINDS: dict[str, type[Type]] = {}

R = TypeVar("R", bound=type[Rule])
T = TypeVar("T", bound="type[Type]")


def rule_kind(cls: R) -> R:
    """Register a rule kind under its `kind` name."""
    if cls.kind in RULE_KINDS:
        raise ValueError(f"rule kind {cls.kind!r} is defined twice")
    RULE_KINDS[cls.kind] = cls
    return cls


def type_kind(cls: T) -> T:
    """Register a type kind under its `kind` name."""
    kind: str = cls.kind
    if kind in TYPE_KINDS:
        raise ValueError(f"type kind {kind!r} is defined twice")
    TYPE_KINDS[kind] = cls
    return cls


def build_rule(ctx: Ctx, raw: dict[str, Any], at: Location, members: Members) -> Rule:
    return RULE_KINDS[raw["kind"]].build(ctx, raw, at, members)


def on_each(
    build: Callable[[dict[str, Any], Location], Any], raws: list[dict[str, Any]], at: Location
) -> tuple[Any, ...]:
    return tuple(build(r, at + (i,)) for i, r in enumerate(raws))
