"""exactly_one_of, at_least_one_of, at_most_one_of: how many of a group of members are present.

Over an endpoint's parameters (`params:`) or, per item, over an object's fields (`fields:`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any, ClassVar

from specgen.emit.literal import literal
from specgen.spec.kinds.base import Case, Ctx, Lines, Members, Rule, names, rule_kind, text_or_none, violation
from specgen.spec.kinds.rules.common import WIRE_NAMES, every_key_required
from specgen.spec.loader import Location
from specgen.spec.text import Text

if TYPE_CHECKING:
    from specgen.emit.cases import CaseKit, Scope


def _key(scope: str) -> str:
    return "params" if scope == "params" else "fields"


@dataclass(frozen=True)
class Group(Rule):
    scopes: ClassVar[tuple[str, ...]] = ("params", "item")
    words: ClassVar[str]
    fewest: ClassVar[int]  # members that must be present: 0 or 1
    most: ClassVar[int | None]  # members that may be present: 1, or None for all

    members: tuple[Text, ...]
    scope: str

    @classmethod
    def language(cls, scope: str) -> dict[str, Any]:
        return every_key_required({_key(scope): WIRE_NAMES})

    @classmethod
    def build(cls, ctx: Ctx, raw: dict[str, Any], at: Location, members: Members) -> Rule:
        key = _key(members.scope)
        for name in raw[key]:
            members.need(at + (key,), name, cls.kind)
        return cls(text_or_none(raw.get("description")), tuple(Text(n) for n in raw[key]), members.scope)

    @property
    def message(self) -> Text:
        verb = "send" if self.scope == "params" else "needs"
        return Text(f"{verb} {self.words}: {names(self.members)}")

    def _broken_when(self) -> str:
        if self.fewest == self.most:
            return f"n != {self.fewest}"
        if self.most is None:
            return f"n < {self.fewest}"
        return f"n > {self.most}"

    def json_schema(self) -> dict[str, Any]:
        # From the same bounds as the check: at least one present (fewest 1), at most one (most 1).
        each = [{"required": [m.value]} for m in self.members]
        if self.fewest == self.most == 1:
            return {"oneOf": each}
        if self.most is None:
            return {"anyOf": each}
        pairs = combinations([m.value for m in self.members], 2)
        return {"not": {"anyOf": [{"required": [a, b]} for a, b in pairs]}}

    def check(self, w: Lines, var: str, path: str) -> None:
        # a sum of booleans: a generator over the names costs more than the check itself
        w.add("n = " + " + ".join(f"({literal(m)} in {var})" for m in self.members))
        with w.block(f"if {self._broken_when()}:"):
            w.add(violation(path, self.kind, self.message))

    def exclusive_with(self, name: str) -> tuple[str, ...]:
        if self.most != 1 or all(m.value != name for m in self.members):
            return ()
        return tuple(m.value for m in self.members if m.value != name)

    def cases(self, kit: CaseKit, scope: Scope) -> list[Case]:
        wanted = [m.value for m in self.members]
        samples = {n: scope.sample(n) for n in wanted}
        if any(s is None for s in samples.values()):
            return []
        stripped = {k: v for k, v in scope.value.items() if k not in wanted}
        none_ok, all_ok = self.fewest == 0, self.most is None
        out = [kit.case(scope.name(f"{self.kind}_none"), scope.put(stripped), none_ok, self.kind, scope.path)]
        for n in wanted:
            out.append(kit.case(scope.name(f"{self.kind}_only_{n}"), scope.put({**stripped, n: samples[n]}), True))
        out.append(
            kit.case(scope.name(f"{self.kind}_all"), scope.put({**stripped, **samples}), all_ok, self.kind, scope.path)
        )
        return out


@rule_kind
@dataclass(frozen=True)
class ExactlyOneOf(Group):
    kind = "exactly_one_of"
    summary = "Exactly one of the members is present."
    words = "exactly one of"
    fewest = 1
    most = 1


@rule_kind
@dataclass(frozen=True)
class AtLeastOneOf(Group):
    kind = "at_least_one_of"
    summary = "At least one of the members is present."
    words = "at least one of"
    fewest = 1
    most = None


@rule_kind
@dataclass(frozen=True)
class AtMostOneOf(Group):
    kind = "at_most_one_of"
    summary = "At most one of the members is present."
    words = "at most one of"
    fewest = 0
    most = 1
