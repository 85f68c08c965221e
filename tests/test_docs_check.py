"""`specgen docs check` notices each kind of document change, planted in copies of every bundled snapshot.

The plants are found generically (a row of the request table, a limit in a cell or in prose, a
listed value, a nested response field), so every venue under specs/ is covered without naming one.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from specgen.docs.check import EndpointReport, check_endpoint, render
from specgen.docs.page import DocField, read_page
from specgen.docs.spec_side import endpoint_files
from specgen.docs.tables import Row, Table, find_tables

from tests.helpers import ROOT, run_cli, scratch_project

SPECS = endpoint_files(ROOT / "specs")
MAX_WORD = re.compile(r"(max(?:imum)?\b[^0-9|\n]{0,12}?)(\d+)", re.I)

# A plant: (lines of the page) -> (lines after, the line to expect in the report, what the key contains)
Plant = Callable[[list[str]], tuple[list[str], int | None, str]]


def _request_table(lines: list[str]) -> Table:
    page = read_page("\n".join(lines))
    return next(t for t in find_tables(lines) if t.line == page.request_line)


def _rows(lines: list[str]) -> list[Row]:
    return _request_table(lines).rows


def _snapshot(spec: Path) -> Path:
    report = check_endpoint(spec, ROOT)
    return report.spec.snapshot


def _check_copy(tmp_path: Path, spec: Path, plant: Plant) -> tuple[EndpointReport, int | None, str]:
    venue = tmp_path / "specs" / spec.parent.name
    shutil.copytree(spec.parent, venue)
    snapshot = venue / _snapshot(spec).relative_to(spec.parent)
    lines = snapshot.read_text("utf-8").split("\n")
    planted, line, key = plant(lines)
    snapshot.write_text("\n".join(planted), "utf-8")
    return check_endpoint(venue / spec.name, tmp_path), line, key


def _assert_reported(report: EndpointReport, line: int | None, key: str) -> None:
    text = "\n".join(render(report))
    hits = [f for f in report.disagreements if key in f.key and (line is None or f.doc_line == line)]
    assert hits, f"expected [{key}] at document line {line}:\n{text}"
    rendered = [x for x in render(report) if f"[{hits[0].key}]" in x]
    assert re.search(r"\.yaml:\d+: ", rendered[0]) and re.search(r"\.(md|html?):\d+\)", rendered[0]), rendered
    assert report.digest_changed


# -- plants ----------------------------------------------------------------------------------


def _limit_lines(lines: list[str], in_table: bool) -> list[int]:
    table = _request_table(lines)
    rows = {n for r in table.rows for n in r.description_lines}
    # prose: only lines the page reads as a size of the request (not "a maximum value of 60" elsewhere)
    page = read_page("\n".join(lines))
    sizes = {lim.line for lim in page.limits if lim.measure == "count"}
    sizes |= {lim.line for d in page.request.values() for lim in d.limits}
    found = []
    for i, text in enumerate(lines, 1):
        if not MAX_WORD.search(text) or re.search(r"times|/\s*\d*s\b|per second", text):
            continue
        if (i in rows) == in_table and (in_table or i in sizes):
            found.append(i)
    return found


def limit_changed(in_table: bool, delta: int) -> Plant:
    def plant(lines: list[str]) -> tuple[list[str], int | None, str]:
        i = _limit_lines(lines, in_table)[0]
        m = MAX_WORD.search(lines[i - 1])
        assert m is not None
        lines = list(lines)
        lines[i - 1] = lines[i - 1][: m.start(2)] + str(int(m.group(2)) + delta) + lines[i - 1][m.end(2) :]
        return lines, i, " max"

    return plant


def cell_limit_removed(lines: list[str]) -> tuple[list[str], int | None, str]:
    i = _limit_lines(lines, True)[0]
    lines = list(lines)
    lines[i - 1] = MAX_WORD.sub("", lines[i - 1], count=1)
    return lines, i, " max"


def prose_limit_added(lines: list[str]) -> tuple[list[str], int | None, str]:
    return lines + ["", "At most 3 orders can be sent per request."], len(lines) + 2, " max"


def optional_param_added(lines: list[str]) -> tuple[list[str], int | None, str]:
    row = next(r for r in _rows(lines) if r.required is False)
    lines = list(lines)
    text = lines[row.line - 1]
    lines.insert(row.line, text.replace(row.name, "plantedExtra", 1))
    return lines, row.line + 1, "plantedExtra presence"


def param_removed(lines: list[str]) -> tuple[list[str], int | None, str]:
    rows = _rows(lines)
    leaves = [r for k, r in enumerate(rows) if r.depth == 0 and (k + 1 == len(rows) or rows[k + 1].depth == 0)]
    row = leaves[-1]
    drop = set(row.description_lines) | {row.line}
    return [x for i, x in enumerate(lines, 1) if i not in drop], None, f"param {row.name} presence"


_FLIP = {"YES": "NO", "NO": "YES", "yes": "no", "no": "yes", "true": "false", "false": "true", "Yes": "No", "No": "Yes"}


def required_flipped(lines: list[str]) -> tuple[list[str], int | None, str]:
    table = _request_table(lines)
    row = next(r for r in table.rows if r.required is not None)
    lines = list(lines)
    text = lines[row.line - 1]
    if "|" in text:
        cells = text.split("|")
        k = table.columns.index("required") + (1 if text.lstrip().startswith("|") else 0)
        word = re.search(r"[A-Za-z]+", cells[k])
        assert word is not None
        cells[k] = cells[k][: word.start()] + _FLIP[word.group(0)] + cells[k][word.end() :]
        lines[row.line - 1] = "|".join(cells)
    elif re.search(r"<t[rd]\b", text):  # an HTML row, a cell a line: the first cell holding a required word
        i, cell = next(
            (i, m)
            for i in range(row.line - 1, len(lines))
            if (m := re.search(r"<td>\s*([A-Za-z]+)\s*</td>", lines[i])) and m.group(1) in _FLIP
        )
        lines[i] = lines[i][: cell.start(1)] + _FLIP[cell.group(1)] + lines[i][cell.end(1) :]
    else:
        word = "YES" if row.required else "NO"
        lines[row.line - 1] = text.replace(f"{row.type}{word}", f"{row.type}{_FLIP[word]}", 1)
    return lines, row.line, f"{row.name} required"


def _enum_rows(lines: list[str]) -> list[tuple[str, DocField]]:
    """Request rows that list their values in backticks (a value added beside them reads as one more)."""
    page = read_page("\n".join(lines))
    return [(n, d) for n, d in page.request.items() if d.values and f"`{d.values[-1]}`" in lines[d.line - 1]]


def enum_value_added(lines: list[str]) -> tuple[list[str], int | None, str]:
    name, field = _enum_rows(lines)[0]
    lines = list(lines)
    i = field.line - 1
    last = lines[i].rfind(f"`{field.values[-1]}`")
    at = last + len(field.values[-1]) + 2
    lines[i] = lines[i][:at] + ", `plantedvalue`" + lines[i][at:]
    return lines, field.line, f"param {name} values"


def nested_response_field_added(lines: list[str]) -> tuple[list[str], int | None, str]:
    page = read_page("\n".join(lines))

    def deepest(fields: dict[str, object], depth: int) -> tuple[int, object]:
        best: tuple[int, object] = (-1, None)
        for d in fields.values():
            kids = d.children
            best = max(best, (depth, d), deepest(kids, depth + 1), key=lambda x: x[0])
        return best

    view = page.responses[0]
    _, field = deepest(view.fields, 0)
    line = field.line
    name = field.name
    lines = list(lines)
    text = lines[line - 1]
    if view.kind == "example":
        indent = text[: len(text) - len(text.lstrip())]
        lines.insert(line - 1, f'{indent}"plantedNested": "x",')
    elif re.search(r"<t[rd]\b", text):  # an HTML row, a cell a line: a copy of the whole row before it
        start = next(i for i in range(line - 1, -1, -1) if "<tr" in lines[i])
        end = next(i for i in range(line - 1, len(lines)) if "</tr>" in lines[i])
        lines[start:start] = [x.replace(name, "plantedNested", 1) for x in lines[start : end + 1]]
    else:
        lines.insert(line - 1, text.replace(name, "plantedNested", 1))
    return lines, line, "plantedNested presence"


def cosmetic(lines: list[str]) -> tuple[list[str], int | None, str]:
    lines = list(lines)
    page = read_page("\n".join(lines))
    taken = {n for t in find_tables(lines) for r in t.rows for n in [t.line, *r.description_lines]}
    prose = [
        i
        for i, x in enumerate(lines)
        if len(x.split()) >= 4 and not re.search(r"[\d`|{}\[\]]", x) and i + 1 not in taken and i > 0
    ]
    assert prose, "no sentence to reword"
    i = prose[0]
    words = lines[i].split(" ")
    lines[i] = " ".join(words[:-1] + ["indeed", words[-1]])  # a reworded sentence
    lines.append("")
    lines.append("> Note: read the general information page before calling this endpoint.")
    del page
    return lines, None, ""


def _has_list_param(spec: Path) -> bool:
    return any(p.get("type") == "list" for p in yaml.safe_load(spec.read_text("utf-8")).get("params", []))


def _cases() -> list[tuple[str, Path, Plant]]:
    cases: list[tuple[str, Path, Plant]] = []
    for spec in SPECS:
        lines = _snapshot(spec).read_text("utf-8").split("\n")
        page = read_page("\n".join(lines))
        venue = spec.parent.name
        # plants that edit the request table apply only where the page has one (and the row they need)
        rows = _rows(lines) if page.request_line is not None else []
        if rows and _limit_lines(lines, True):
            cases.append((f"{venue}-cell-limit-raised", spec, limit_changed(True, +5)))
            cases.append((f"{venue}-cell-limit-lowered", spec, limit_changed(True, -1)))
            if not _limit_lines(lines, False):  # else the prose still states the limit
                cases.append((f"{venue}-cell-limit-removed", spec, cell_limit_removed))
        if rows and _limit_lines(lines, False):
            cases.append((f"{venue}-prose-limit-raised", spec, limit_changed(False, +5)))
            cases.append((f"{venue}-prose-limit-lowered", spec, limit_changed(False, -1)))
        if _has_list_param(spec):  # "at most 3 orders" limits a list; an endpoint without one has nothing to limit
            cases.append((f"{venue}-prose-limit-added", spec, prose_limit_added))
        if any(r.required is False for r in rows):
            cases.append((f"{venue}-optional-param-added", spec, optional_param_added))
        if len(rows) > 1:  # removing the only row removes the table: another change
            cases.append((f"{venue}-param-removed", spec, param_removed))
        if any(r.required is not None for r in rows):
            cases.append((f"{venue}-required-flipped", spec, required_flipped))
        if _enum_rows(lines):
            cases.append((f"{venue}-enum-value-added", spec, enum_value_added))
        if page.responses:
            cases.append((f"{venue}-nested-response-field-added", spec, nested_response_field_added))
    return cases


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_planted_change_is_reported_with_both_locations(tmp_path: Path, case: tuple[str, Path, Plant]) -> None:
    _, spec, plant = case
    report, line, key = _check_copy(tmp_path, spec, plant)
    _assert_reported(report, line, key)


def test_every_kind_of_plant_finds_a_target_in_some_snapshot() -> None:
    kinds = {c[0].split("-", 1)[1] for c in CASES}
    assert {
        "cell-limit-raised",
        "cell-limit-lowered",
        "cell-limit-removed",
        "prose-limit-raised",
        "prose-limit-lowered",
        "optional-param-added",
        "param-removed",
        "required-flipped",
        "enum-value-added",
        "nested-response-field-added",
    } <= kinds


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_a_cosmetic_edit_is_not_a_disagreement(tmp_path: Path, spec: Path) -> None:
    report, _, _ = _check_copy(tmp_path, spec, cosmetic)
    assert report.clean, "\n".join(render(report))
    assert report.digest_changed


def test_cli_exit_codes_and_departures(tmp_path: Path) -> None:
    project = scratch_project(tmp_path, with_generated=False, specs=ROOT / "specs")
    spec = project / SPECS[0].relative_to(ROOT)
    snapshot = project / _snapshot(SPECS[0]).relative_to(ROOT)
    done = run_cli(project, "docs", "check")
    assert done.returncode == 0, done.stdout + done.stderr

    planted, line, key = required_flipped(snapshot.read_text("utf-8").split("\n"))
    snapshot.write_text("\n".join(planted), "utf-8")
    done = run_cli(project, "docs", "check")
    assert done.returncode == 1, done.stdout + done.stderr
    [reported] = [x for x in done.stdout.splitlines() if key in x and "departs" not in x]
    found = re.search(r"\[(param [^\]]+)\]", reported)
    assert found and f".md:{line})" in reported
    refused = run_cli(project, "docs", "accept")
    assert refused.returncode == 1 and "refused" in refused.stderr

    # A note that departs on purpose silences exactly that disagreement, and the report says so.
    text = spec.read_text("utf-8")
    note = f"  - about: Planted.\n    decision: Departs on purpose.\n    departs: [{found.group(1)}]\n"
    spec.write_text(text.replace("\nnotes:\n", "\nnotes:\n" + note, 1), "utf-8")
    done = run_cli(project, "docs", "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert any("departs on purpose" in x and found.group(1) in x for x in done.stdout.splitlines())

    # A departure naming no disagreement is reported.
    spec.write_text(spec.read_text("utf-8").replace(found.group(1), "param noSuchParam type"), "utf-8")
    done = run_cli(project, "docs", "check")
    assert done.returncode == 1 and "noSuchParam" in done.stdout

    spec.write_text("kind: endpoint\nnope: [\n", "utf-8")
    done = run_cli(project, "docs", "check")
    assert done.returncode == 2 and "[yaml]" in done.stderr


def _departing_specs() -> list[tuple[Path, str]]:
    from specgen.docs.spec_side import departures

    return [
        (spec, next(iter(departures(check_endpoint(spec, ROOT).spec.doc))))
        for spec in SPECS
        if departures(check_endpoint(spec, ROOT).spec.doc)
    ]


@pytest.mark.parametrize("spec,key", _departing_specs(), ids=lambda x: x.parent.name if isinstance(x, Path) else x)
def test_an_unmarked_departure_or_assumption_is_reported(tmp_path: Path, spec: Path, key: str) -> None:
    """Each spec fact the document does not state is marked by a note (departs); unmark one and it is reported."""
    venue = tmp_path / "specs" / spec.parent.name
    shutil.copytree(spec.parent, venue)
    text = (venue / spec.name).read_text("utf-8")
    marked = re.search(rf"\n    departs: \[([^\]]*)\b{re.escape(key)}\b", text)
    assert marked is not None
    left = [k.strip() for k in re.search(r"departs: \[([^\]]*)\]", text[marked.start() :]).group(1).split(",")]  # type: ignore[union-attr]
    rest = [k for k in left if k != key]
    line = f"\n    departs: [{', '.join(left)}]"
    text = text.replace(line, f"\n    departs: [{', '.join(rest)}]" if rest else "", 1)
    (venue / spec.name).write_text(text, "utf-8")
    report = check_endpoint(venue / spec.name, tmp_path)
    assert [f.key for f in report.disagreements] == [key], "\n".join(render(report))
