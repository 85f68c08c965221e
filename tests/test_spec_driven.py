"""Issue 10: specgen is driven by the specs alone.

- generator/ and templates/ name no venue, no venue's header and no wire name: those live in specs/;
- in a scratch copy of the project, a venue added by YAML alone (a copy of an existing venue folder
  under a new name) and a limit raised in an existing spec (with that spec's own cases) regenerate,
  and the whole suite then passes and covers the new venue, with no other change.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import FIXTURE_SPECS, ROOT, venue_names

# Words a venue's spec may use that are also the generator's own vocabulary (HTTP and signing
# concepts every venue has); naming them in generator/ is not venue knowledge.
GENERIC = {"request", "timestamp", "signature", "nonce", "process", "Content-Type", "locale"}
# The unified call's own parameter, `cancel_orders(symbol, order_ids=, client_ids=)` (issue 16), is
# specgen's vocabulary: each spec maps it to its own wire name in its `actions:` section.
UNIFIED = {"symbol"}


def _spec_files(specs: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for venue in venue_names(specs):
        for path in sorted((specs / venue).glob("*.yaml")):
            found.append((path, yaml.safe_load(path.read_text("utf-8"))))
    return found


def _header_names(value: Any, out: set[str]) -> None:
    """Every header and parameter name a venue's auth section places something under."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "name" and isinstance(item, str):
                out.add(item)
            elif key == "headers" and isinstance(item, dict):
                out.update(str(k) for k in item)
            else:
                _header_names(item, out)
    elif isinstance(value, list):
        for item in value:
            _header_names(item, out)


def _wire_names(value: Any, out: set[str]) -> None:
    """The wire names of every request parameter and of the fields of its items, recursively."""
    if isinstance(value, dict):
        if isinstance(value.get("name"), str):
            out.add(value["name"])
        for key in ("items", "fields", "variants", "type"):
            if key in value:
                _wire_names(value[key], out)
    elif isinstance(value, list):
        for item in value:
            _wire_names(item, out)


def venue_facts() -> dict[str, str]:
    """word -> where it comes from, for every venue in specs/ and in the test fixtures."""
    facts: dict[str, str] = {}
    for specs in (ROOT / "specs", FIXTURE_SPECS):
        for path, doc in _spec_files(specs):
            where = path.relative_to(ROOT).as_posix()
            words: set[str] = set()
            if doc.get("kind") == "venue":
                words.add(path.parent.name)
                brand = str(doc.get("title", "")).split(" ")[0]
                words.update({brand, brand.lower()})  # "Binance" in prose, "binance" in a name
                _header_names(doc.get("auth"), words)
            else:
                _wire_names(doc.get("params"), words)
            for word in words - GENERIC - UNIFIED - {""}:
                facts.setdefault(word, where)
    return facts


def _generator_sources() -> list[Path]:
    paths = sorted((ROOT / "generator").rglob("*.py")) + sorted((ROOT / "templates").rglob("*.j2"))
    return [p for p in paths if "__pycache__" not in p.parts]


def test_generator_and_templates_name_no_venue_fact() -> None:
    facts = venue_facts()
    assert {"orderId", "category"} & set(facts), "the product specs still name these wire names"
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(facts, key=len, reverse=True)) + r")(?![\w-])"
    )
    found = []
    for path in _generator_sources():
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for match in pattern.finditer(line):
                word = match.group(1)
                found.append(f"{path.relative_to(ROOT)}:{number}: {word!r} (from {facts[word]})")
    assert not found, "venue facts belong in specs/:\n" + "\n".join(found)


# -- a venue by YAML alone, a limit raised, the whole suite --------------------------------------

NEW_VENUE = "zz_yaml_only"


def _copy_project(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for rel in filter(None, listed.decode("utf-8").split("\0")):
        source = ROOT / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)


def _raise_a_limit(specs: Path) -> tuple[Path, str]:
    """Raise the first list limit found in a product spec by 5, dropping that spec's own cases
    that pinned the old boundary (the only edit of the spec beside the limit)."""
    for venue in venue_names(specs):
        for path in sorted((specs / venue).glob("*.yaml")):
            text = path.read_text("utf-8")
            match = re.search(r"^(\s+)max_items: (\d+)$", text, re.M)
            if path.name == "venue.yaml" or not match:
                continue
            old = int(match.group(2))
            text = text[: match.start(2)] + str(old + 5) + text[match.end(2) :]
            doc = yaml.safe_load(text)
            cases = doc.get("tests", {}).get("malformed", [])
            kept = [c for c in cases if c.get("rule") not in ("maxItems", "max_items_when")]
            if len(kept) != len(cases):
                doc["tests"]["malformed"] = kept
                # Re-dump only the tests section: the rest of the file keeps its text and line numbers.
                head = text.split("\ntests:\n", 1)[0]
                rest = yaml.safe_dump({"tests": doc["tests"]}, sort_keys=False, allow_unicode=True, width=10**6)
                tail = text.split("\ntests:\n", 1)[1]
                after = re.search(r"^\S", tail, re.M)
                text = head + "\n" + rest + (tail[after.start() :] if after else "")
            path.write_text(text, "utf-8")
            return path, f"{old} -> {old + 5}"
    raise AssertionError("no product spec has a list limit to raise")


@pytest.fixture(scope="module")
def grown_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("grown") / "project"
    _copy_project(project)
    specs = project / "specs"
    source = venue_names(specs)[0]
    shutil.copytree(specs / source, specs / NEW_VENUE)
    venue_yaml = specs / NEW_VENUE / "venue.yaml"
    text = venue_yaml.read_text("utf-8")
    assert re.search(rf"^venue: {source}$", text, re.M)
    venue_yaml.write_text(re.sub(rf"^venue: {source}$", f"venue: {NEW_VENUE}", text, flags=re.M), "utf-8")
    spec, _ = _raise_a_limit(specs)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    _update_the_document(project, spec.parent.name, env)
    done = _specgen(project, env, "generate")
    assert done.returncode == 0, done.stderr
    return project


def _specgen(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specgen", *args], cwd=project, env=env, capture_output=True, text=True
    )


def _update_the_document(project: Path, venue: str, env: dict[str, str]) -> None:
    """The documentation change behind the raised limit: the words `docs check` says now disagree
    with the spec are changed in the snapshot, and the new digest is accepted (the README's workflow)."""
    report = _specgen(project, env, "docs", "check", "--venue", venue)
    assert report.returncode == 1, report.stdout + report.stderr
    found = re.findall(
        r'the document says "([^"]+)" for \S+; the spec has max_items (\d+) \(document: ([^:]+):(\d+)\)', report.stdout
    )
    assert found, report.stdout
    for phrase, new, doc, line in found:
        path = project / doc
        lines = path.read_text("utf-8").split("\n")
        old = re.search(r"\d+", phrase)
        assert old is not None and phrase in lines[int(line) - 1]
        lines[int(line) - 1] = lines[int(line) - 1].replace(phrase, phrase.replace(old.group(0), new, 1))
        path.write_text("\n".join(lines), "utf-8")
    again = _specgen(project, env, "docs", "check", "--venue", venue)
    assert again.returncode == 0, again.stdout + again.stderr
    accepted = _specgen(project, env, "docs", "accept", "--venue", venue)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_a_new_venue_and_a_raised_limit_need_no_other_change(grown_project: Path) -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    check = subprocess.run(
        [sys.executable, "-m", "specgen", "check"], cwd=grown_project, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr
    packages = [str(p) for p in sorted((grown_project / "generated").iterdir()) if (p / "py.typed").is_file()]
    assert any(p.endswith(NEW_VENUE) for p in packages)
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *packages],
        cwd=grown_project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert typed.returncode == 0, typed.stdout[-3000:]
    # The whole suite but this module (which would recurse), in the grown copy.
    suite = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rfE",
            "--deselect",
            "tests/test_spec_driven.py::test_a_new_venue_and_a_raised_limit_need_no_other_change",
        ],
        cwd=grown_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    failed = [line for line in suite.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert suite.returncode == 0, "\n".join(failed) + suite.stdout[-3000:] + suite.stderr[-2000:]
    # ... and the generic suites covered the new venue.
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only"],
        cwd=grown_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    covering = {line.split("::")[0] for line in listed.splitlines() if NEW_VENUE in line}
    assert any("contract_tests" in name for name in covering), covering
    assert len(covering) >= 3, covering
