"""Issue 10: a venue added by YAML alone, and a documented limit raised, need no other change.

In a scratch copy of the project: copy an existing venue folder under a new name, raise a list limit
in a product spec the way a documentation update does (edit the snapshot, `docs check`, `docs
accept`, drop only that spec's own boundary cases), regenerate, and run the generic suites for both
venues. Everything passes, and the suites that discover venues from specs/ cover the new one. (The
rest of the suite runs on fixture specs, which the copy does not change.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT, venue_names

NEW_VENUE = "zz_yaml_only"
# The generic suites that must discover a new venue by themselves.
MUST_COVER = ("contract_tests", "test_simulator_e2e", "test_client_faults", "test_secrets", "test_specs")


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
    """Raise the first list limit found in a product spec by 5, with the spec's summary and
    descriptions that state it (`validate` refuses prose contradicting a limit), dropping that
    spec's own cases that pinned the old boundary (the only edits of the spec beside the limit)."""
    for venue in venue_names(specs):
        for path in sorted((specs / venue).glob("*.yaml")):
            text = path.read_text("utf-8")
            match = re.search(r"^(\s+)max_items: (\d+)$", text, re.M)
            if path.name == "venue.yaml" or not match:
                continue
            old = int(match.group(2))
            # The limit's own parameter (from its `- name:` line to the next) and the summary.
            start = text.rfind("\n  - name:", 0, match.start()) + 1
            following = text.find("\n  - ", match.end())
            end = following if following != -1 else len(text)
            block = text[start : match.start(2)] + str(old + 5) + text[match.end(2) : end]
            prose = re.compile(rf"^(\s*(?:summary|description): .*?)\b{old}\b", re.M)
            while prose.search(block):
                block = prose.sub(rf"\g<1>{old + 5}", block)
            text = prose.sub(rf"\g<1>{old + 5}", text[:start], count=1) + block + text[end:]
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
def grown_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The grown copy, and the venue whose limit was raised."""
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
    return project, spec.parent.name


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


def _pytest(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


def test_a_new_venue_and_a_raised_limit_need_no_other_change(grown_project: tuple[Path, str]) -> None:
    project, raised = grown_project
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    check = _specgen(project, env, "check")
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr
    packages = [str(p) for p in sorted((project / "generated").iterdir()) if (p / "py.typed").is_file()]
    assert any(p.endswith(NEW_VENUE) for p in packages)
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *packages],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert typed.returncode == 0, typed.stdout[-3000:]
    select = ["-k", f"{NEW_VENUE} or {raised}", "--ignore", "tests/test_grown_copy.py"]
    listed = _pytest(project, env, "--collect-only", *select).stdout
    covering = {line.split("::")[0] for line in listed.splitlines() if NEW_VENUE in line}
    missing = [suite for suite in MUST_COVER if not any(suite in name for name in covering)]
    assert not missing, f"suites that did not discover the new venue: {missing} (covering: {sorted(covering)})"
    suite = _pytest(project, env, "-rfE", *select)
    failed = [line for line in suite.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert suite.returncode == 0, "\n".join(failed) + suite.stdout[-3000:] + suite.stderr[-2000:]
