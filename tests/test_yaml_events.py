"""Spec files are parsed by libyaml (fast) and, where it refuses a text, by PyYAML's own parser:
both must read every spec the same, and refuse hostile YAML with the same error."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from specgen.errors import SpecError
from specgen.spec import loader
from specgen.spec.loader import MAX_DEPTH, Document, load_text

from tests.helpers import ROOT

SPEC_FILES = sorted(
    [*(ROOT / "specs").glob("**/*.yaml"), *(ROOT / "tests" / "fixtures").glob("**/*.yaml")],
    key=lambda p: p.as_posix(),
)


def pure(text: str, monkeypatch: pytest.MonkeyPatch) -> Document | str:
    """What PyYAML's own parser makes of text: the document, or the error as shown."""
    with monkeypatch.context() as m:
        m.setattr(loader, "_events", loader._pure_events)
        return read(text)


def read(text: str) -> Document | str:
    try:
        return load_text("spec.yaml", text)
    except SpecError as exc:
        return str(exc)


def same(a: Document | str, b: Document | str) -> bool:
    if isinstance(a, Document) and isinstance(b, Document):
        return (a.data, a.lines) == (b.data, b.lines)
    return a == b


def test_this_pyyaml_has_libyaml() -> None:
    # The fast path is what the other tests compare with PyYAML's parser; without libyaml they
    # would compare that parser with itself.
    assert yaml.__with_libyaml__


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_spec_reads_the_same_with_either_parser(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text("utf-8")
    fast = read(text)
    assert isinstance(fast, Document), fast
    assert same(fast, pure(text, monkeypatch))


HOSTILE = {
    "alias": ("a: &x [1]\nb: *x\n", "spec.yaml:1: [yaml] anchors and aliases are not allowed in specs"),
    "anchor on a key": ("a: {in: header, &k name: X}\n", "spec.yaml:1: [yaml] anchors and aliases are not allowed"),
    "anchor on a nested value": ("a:\n  b: &v 1\n", "spec.yaml:2: [yaml] anchors and aliases are not allowed"),
    "too deep": ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", f"nested more than {MAX_DEPTH}"),
    "duplicate key": ("a: 1\nb: 2\na: 3\n", "spec.yaml:3: [yaml] duplicate key 'a'"),
    "python tag": ("a: !!python/name:os.system x\n", "spec.yaml:1: [yaml] unsupported tag"),
    "binary tag": ("a: !!binary aGk=\n", "spec.yaml:1: [yaml] unsupported tag tag:yaml.org,2002:binary"),
    "timestamp": ("a: 2024-01-01\n", "spec.yaml:1: [yaml] unsupported tag tag:yaml.org,2002:timestamp"),
    "tagged mapping": ("a: !!omap {b: 1}\n", "spec.yaml:1: [yaml] unsupported tag tag:yaml.org,2002:omap"),
    "key not a string": ("1: a\n", "spec.yaml:1: [yaml] keys must be plain strings"),
    "key a list": ("[a]: b\n", "spec.yaml:1: [yaml] keys must be plain strings"),
    "empty": ("# nothing\n", "spec.yaml:1: [yaml] the file is empty"),
    "two documents": ("a: 1\n---\nb: 2\n", "spec.yaml:2: [yaml] a spec file holds one YAML document"),
    "control character": ("a: b\x07c\n", "spec.yaml:1: [yaml] character U+0007 is not allowed"),
    "lone surrogate": ('a: "\\ud800"\n', "spec.yaml:1: [yaml] the escape of U+D800 is a lone surrogate"),
    "syntax": ("a: [spot}\n", "spec.yaml:1: [yaml] expected ',' or ']', but got '}'"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml_is_refused_the_same_way_by_either_parser(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text, expected = HOSTILE[name]
    fast = read(text)
    assert isinstance(fast, str) and expected in fast, fast
    assert fast == pure(text, monkeypatch)


# Pieces of YAML syntax, spliced into real specs at random places.
PIECES = [
    *("&a ", "*a", "!!str ", "!!map ", "{", "}", "[", "]", ": ", "\n", "- ", "'", '"', "---\n", "...\n"),
    *("~", "yes", "0x1F", "1_000", ".inf", "  ", "#", "|\n", ">-\n", ", ", "\u00e9", "{a: 1}", "[1, 2]", "::"),
]


def test_where_both_parsers_accept_a_mangled_spec_they_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20261130)
    texts = [p.read_text("utf-8") for p in SPEC_FILES]
    accepted = 0
    for _ in range(400):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.3:
                text = text[:at] + text[at + rng.randint(1, 20) :]
            else:
                text = text[:at] + rng.choice(PIECES) + text[at:]
        fast, slow = read(text), pure(text, monkeypatch)
        if isinstance(fast, Document) and isinstance(slow, Document):
            accepted += 1
            assert same(fast, slow), text
        elif isinstance(fast, str) and isinstance(slow, str):
            assert fast == slow, text
    assert accepted > 50  # the comparison is not vacuous
