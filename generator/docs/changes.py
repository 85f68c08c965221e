"""`specgen changes [--since REV]`: what a spec change means for the people calling the generated clients.

Read from the specs (at REV in git, and in the working tree), not from the generated code, and
judged as oasdiff judges an OpenAPI change: a call that worked before and may now be refused, or a
response value a caller read that may now be missing or of another type, is breaking; anything
that only accepts more or returns more is not. Exit 1 when something is breaking.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specgen.config import Config
from specgen.errors import SpecError
from specgen.spec.loader import Document, Location, load_text

UPPER = ("max_items", "max_length", "maximum")  # lowering one refuses calls that passed
LOWER = ("min_items", "min_length", "minimum")  # raising one refuses calls that passed


@dataclass(frozen=True)
class Change:
    breaking: bool
    endpoint: str  # venue.operation
    what: str
    where: str  # file:line in the newer spec (or the older one, for what was removed)


@dataclass(frozen=True)
class _Spec:
    doc: Document
    data: Any


def run_changes(config: Config, since: str, venue: str | None) -> int:
    old = _specs_at(config, since, venue)
    new = _specs_now(config, venue)
    changes = diff_specs(old, new)
    for c in changes:
        print(f"{'BREAKING' if c.breaking else 'ok'}: {c.endpoint}: {c.what} ({c.where})")
    breaking = sum(c.breaking for c in changes)
    print(
        f"changes since {since}: {len(changes)} for callers, {breaking} breaking"
        + ("; bump the major version of the vendored package" if breaking else ""),
        file=sys.stderr,
    )
    return 1 if breaking else 0


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)
    except OSError as exc:
        raise SpecError(str(root), None, "git", f"cannot run git: {exc}") from None
    if done.returncode != 0:
        raise SpecError(str(root), None, "git", " ".join(done.stderr.split()) or f"git {' '.join(args)} failed")
    return done.stdout


def _key(data: Any, path: str) -> str:
    venue = Path(path).parent.name
    return f"{venue}.{data.get('operation', Path(path).stem)}" if isinstance(data, dict) else path


def _wanted(rel: str, venue: str | None) -> bool:
    parts = Path(rel).parts
    return len(parts) == 2 and parts[1].endswith(".yaml") and parts[1] != "venue.yaml" and venue in (None, parts[0])


def _specs_at(config: Config, rev: str, venue: str | None) -> dict[str, _Spec]:
    top = Path(_git(config.root, "rev-parse", "--show-toplevel").strip())
    prefix = config.specs.resolve().relative_to(top.resolve()).as_posix()
    out: dict[str, _Spec] = {}
    for rel in _git(top, "ls-tree", "-r", "--name-only", rev, "--", prefix).splitlines():
        inner = rel[len(prefix) + 1 :]
        if _wanted(inner, venue):
            doc = load_text(f"{rev}:{rel}", _git(top, "show", f"{rev}:{rel}"))
            out[_key(doc.data, inner)] = _Spec(doc, doc.data)
    return out


def _specs_now(config: Config, venue: str | None) -> dict[str, _Spec]:
    from specgen.docs.check import display
    from specgen.spec.loader import load_file

    out: dict[str, _Spec] = {}
    for path in sorted(config.specs.glob("*/*.yaml")):
        inner = path.relative_to(config.specs).as_posix()
        if _wanted(inner, venue):
            doc = load_file(path, display(path, config.root))
            out[_key(doc.data, inner)] = _Spec(doc, doc.data)
    return out


def diff_specs(old: dict[str, _Spec], new: dict[str, _Spec]) -> list[Change]:
    changes: list[Change] = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            changes.append(Change(True, key, "operation removed", _at(old[key], ())))
        elif key not in old:
            changes.append(Change(False, key, "operation added", _at(new[key], ())))
        else:
            _Diff(key, old[key], new[key], changes).run()
    return changes


def _at(spec: _Spec, location: Location) -> str:
    return f"{spec.doc.path}:{spec.doc.line_of(location)}"


class _Diff:
    def __init__(self, key: str, old: _Spec, new: _Spec, out: list[Change]) -> None:
        self.key, self.old, self.new, self.out = key, old, new, out

    def add(self, breaking: bool, what: str, location: Location, in_old: bool = False) -> None:
        self.out.append(Change(breaking, self.key, what, _at(self.old if in_old else self.new, location)))

    def run(self) -> None:
        self.fields(self.old.data.get("params", []), self.new.data.get("params", []), ("params",), "", True)
        self.rules()
        old_body, new_body = self.old.data["response"]["body"], self.new.data["response"]["body"]
        self.response(old_body, new_body, ("response", "body"), "")

    def fields(self, old: list[Any], new: list[Any], at: Location, prefix: str, request: bool) -> None:
        before = {f["name"]: (i, f) for i, f in enumerate(old)}
        after = {f["name"]: (i, f) for i, f in enumerate(new)}
        for name, (i, _) in before.items():
            if name not in after:
                if request:
                    self.add(True, f"parameter {prefix}{name} removed", at + (i,), in_old=True)
                else:
                    self.add(True, f"response field {prefix}{name} removed", at + (i,), in_old=True)
        for name, (i, f) in after.items():
            here = at + (i,)
            if name not in before:
                if request:
                    required = bool(f.get("required"))
                    self.add(required, f"{'required' if required else 'optional'} parameter {prefix}{name} added", here)
                else:
                    self.add(False, f"response field {prefix}{name} added", here)
                continue
            was = before[name][1]
            if request:
                self.param(was, f, here, prefix + name)
            else:
                self.field(was, f, here, prefix + name)

    def param(self, was: dict[str, Any], now: dict[str, Any], at: Location, name: str) -> None:
        if bool(was.get("required")) != bool(now.get("required")):
            tighter = bool(now.get("required"))
            self.add(tighter, f"parameter {name} is now {'required' if tighter else 'optional'}", at + ("required",))
        self.type_facts(was, now, at, f"parameter {name}", name)

    def type_facts(self, was: dict[str, Any], now: dict[str, Any], at: Location, label: str, name: str) -> None:
        """Type and constraints of one request value (a parameter, a field of one, a list's items)."""
        if was["type"] != now["type"]:
            self.add(True, f"{label}: type {was['type']} -> {now['type']}", at + ("type",))
            return
        for key in UPPER + LOWER:
            a, b = was.get(key), now.get(key)
            if a == b:
                continue
            upper = key in UPPER
            if a is None or b is None:
                tighter = b is not None
                what = f"{key} {b} added" if b is not None else f"{key} {a} removed"
            else:
                tighter = b < a if upper else b > a
                what = f"{key} {'lowered' if b < a else 'raised'} {a} -> {b}"
            self.add(tighter, f"{label}: {what}", at + ((key,) if b is not None else ()))
        values_a, values_b = was.get("values"), now.get("values")
        if values_a is not None and values_b is not None:
            gone = [v for v in values_a if v not in values_b]
            new = [v for v in values_b if v not in values_a]
            if gone:
                self.add(True, f"{label}: enum narrowed, {', '.join(map(str, gone))} removed", at + ("values",))
            if new:
                self.add(False, f"{label}: enum widened, {', '.join(map(str, new))} added", at + ("values",))
        if was.get("pattern") != now.get("pattern"):
            self.add(
                now.get("pattern") is not None, f"{label}: pattern {was.get('pattern')!r} -> {now.get('pattern')!r}", at
            )
        if now["type"] == "list":
            self.type_facts(was["items"], now["items"], at + ("items",), f"{label} items", name)
        if now["type"] == "object":
            self.fields(was.get("fields", []), now.get("fields", []), at + ("fields",), name + ".", True)

    def rules(self) -> None:
        def keyed(rules: list[Any]) -> dict[str, tuple[int, dict[str, Any]]]:
            out = {}
            for i, r in enumerate(rules):
                body = {k: v for k, v in r.items() if k not in ("description", "max", "min")}
                out[repr(sorted(body.items(), key=lambda kv: kv[0]))] = (i, r)
            return out

        before = keyed(self.old.data.get("rules", []) or [])
        after = keyed(self.new.data.get("rules", []) or [])
        for k, (i, r) in before.items():
            if k not in after:
                self.add(False, f"rule {r['kind']} removed ({_rule_words(r)})", ("rules", i), in_old=True)
        for k, (i, r) in after.items():
            if k not in before:
                self.add(True, f"rule {r['kind']} added ({_rule_words(r)})", ("rules", i))
                continue
            was = before[k][1]
            tighter: tuple[tuple[str, Callable[[Any, Any], bool]], ...] = (
                ("max", lambda a, b: b < a),
                ("min", lambda a, b: b > a),
            )
            for bound, tighter_if in tighter:
                if bound in r and was.get(bound) != r[bound] and was.get(bound) is not None:
                    self.add(
                        tighter_if(was[bound], r[bound]),
                        f"rule {r['kind']} ({_rule_words(r)}): {bound} {was[bound]} -> {r[bound]}",
                        ("rules", i, bound),
                    )

    def response(self, was: dict[str, Any], now: dict[str, Any], at: Location, name: str) -> None:
        if was["type"] != now["type"]:
            self.add(True, f"response {name or 'body'}: type {was['type']} -> {now['type']}", at + ("type",))
            return
        if now["type"] == "object":
            self.fields(
                was.get("fields", []), now.get("fields", []), at + ("fields",), name + "." if name else "", False
            )
        elif now["type"] == "list":
            self.response(was["items"], now["items"], at + ("items",), name)  # items are named as their list
        elif now["type"] == "one_of":
            for i, (a, b) in enumerate(zip(was.get("variants", []), now.get("variants", []), strict=False)):
                self.response(a["type"], b["type"], at + ("variants", i, "type"), name)
            if len(was.get("variants", [])) != len(now.get("variants", [])):
                self.add(True, f"response {name or 'body'}: variants changed", at + ("variants",))

    def field(self, was: dict[str, Any], now: dict[str, Any], at: Location, name: str) -> None:
        if bool(was.get("required")) != bool(now.get("required")):
            loosened = not now.get("required")  # a field callers could rely on may now be missing
            self.add(loosened, f"response field {name} is now {'optional' if loosened else 'always present'}", at)
        self.response(was, now, at, name)


def _rule_words(rule: dict[str, Any]) -> str:
    names = rule.get("params") or rule.get("fields") or [rule.get("param")]
    when = rule.get("when")
    words = ", ".join(str(n) for n in names if n)
    if when:
        words += f" when {when.get('param')} in {when.get('in')}"
    return words
