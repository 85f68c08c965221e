"""Issue 13: spec input is read defensively, and unusable names are spec errors, never [internal].

Only regular files are read, never through a link leading out of the specs folder, and never
more than the size limit plus one byte: a link to /dev/zero, a FIFO, or a snapshot linked to a
file elsewhere are refused at once with the file named. Schema patterns match whole strings (a
trailing newline does not pass), lone surrogates and keywords are errors with file and line,
and a pattern prone to catastrophic backtracking is refused.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest
from specgen import cli
from specgen.spec.loader import MAX_BYTES
from specgen.spec.patterns import catastrophic
from specgen.spec.validate import language_schema, whole_string

from tests.helpers import scratch_project

ENDPOINT = "specs/fx_header/cancel_batch.yaml"
VENUE = "specs/fx_header/venue.yaml"
LINE = re.compile(r"^error: (?P<file>.+?)(?::(?P<line>\d+))?: \[(?P<rule>[a-z:A-Z_-]+)\] (?P<message>\S.*)$")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = scratch_project(tmp_path, with_generated=False)
    monkeypatch.chdir(project)
    return project


def errors(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, str | None]]:
    """Run the CLI; require exit 2 and only well-formed error lines; return them parsed."""
    code = cli.main(list(args) or ["validate"])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.splitlines()
    assert lines and all(LINE.match(line) for line in lines), err
    assert "[internal]" not in err and "Traceback" not in err
    return [LINE.match(line).groupdict() for line in lines]  # type: ignore[union-attr]


def edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def line_of(project: Path, rel: str, needle: str) -> str:
    lines = (project / rel).read_text("utf-8").splitlines()
    return str(next(i for i, line in enumerate(lines, 1) if needle in line))


# -- files that are not plain files ------------------------------------------------------------


def in_time(seconds: float, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, str | None]]:
    """errors(), failing (instead of hanging the suite) when it takes longer than seconds."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = errors(capsys, *args)
        except BaseException as exc:  # noqa: BLE001 - re-raised below in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still reading after {time.monotonic() - started:.1f} s"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def test_a_spec_linked_to_dev_zero_is_refused_at_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ENDPOINT).unlink()
    os.symlink("/dev/zero", project / ENDPOINT)
    [error] = in_time(10, capsys)
    assert error["file"] == ENDPOINT and error["rule"] == "io"
    assert "/dev/zero" in str(error["message"]) and "outside" in str(error["message"])


def test_a_fifo_spec_is_refused_without_waiting_for_a_writer(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ENDPOINT).unlink()
    os.mkfifo(project / ENDPOINT)
    for command in (["validate"], ["check"], ["generate"]):
        [error] = in_time(20, capsys, *command)
        assert (error["file"], error["rule"]) == (ENDPOINT, "io")
        assert "FIFO" in str(error["message"])
    assert not (project / "generated").exists()


def test_a_spec_linked_out_of_the_specs_folder_is_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_bytes((project / ENDPOINT).read_bytes())
    (project / ENDPOINT).unlink()
    os.symlink(outside, project / ENDPOINT)
    [error] = errors(capsys)
    assert (error["file"], error["rule"]) == (ENDPOINT, "io")
    assert "outside" in str(error["message"])


def test_a_link_inside_the_specs_folder_is_followed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = project / "specs" / "fx_header" / "cancel_batch.yml.real"
    (project / ENDPOINT).rename(real)
    os.symlink(real.name, project / ENDPOINT)
    assert cli.main(["validate"]) == 0, capsys.readouterr().err


def test_a_snapshot_linked_out_of_the_specs_folder_is_not_read(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [snapshot] = (project / "specs" / "fx_header" / "sources").iterdir()
    outside = tmp_path / "secret.md"
    outside.write_bytes(snapshot.read_bytes())  # even the right bytes: the link alone is refused
    snapshot.unlink()
    os.symlink(outside, snapshot)
    [error] = errors(capsys)
    assert error["file"] == ENDPOINT and error["line"] == line_of(project, ENDPOINT, "snapshot:")
    assert error["rule"] == "io" and "outside" in str(error["message"])


def test_a_snapshot_that_is_a_fifo_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [snapshot] = (project / "specs" / "fx_header" / "sources").iterdir()
    snapshot.unlink()
    os.mkfifo(snapshot)
    [error] = in_time(10, capsys)
    assert error["file"] == ENDPOINT and "FIFO" in str(error["message"])


def test_a_venue_folder_linked_out_of_the_specs_folder_is_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside_venue"
    (project / "specs" / "fx_header").rename(outside)
    os.symlink(outside, project / "specs" / "fx_header")
    [error] = errors(capsys)
    assert error["file"] == "specs/fx_header" or str(error["file"]).endswith("fx_header")
    assert "outside" in str(error["message"])


@pytest.mark.parametrize("extra", [0, 1])
def test_the_size_limit_reads_at_most_one_byte_more(
    project: Path, capsys: pytest.CaptureFixture[str], extra: int
) -> None:
    path = project / ENDPOINT
    text = path.read_bytes()
    padded = text + b"#" * (MAX_BYTES - len(text) - 1) + b"\n"
    assert len(padded) == MAX_BYTES
    path.write_bytes(padded + b"#" * extra)
    if extra == 0:
        assert cli.main(["validate"]) == 0, capsys.readouterr().err
    else:
        [error] = errors(capsys)
        assert (error["file"], error["rule"]) == (ENDPOINT, "size")
        assert str(MAX_BYTES) in str(error["message"])


def test_a_file_growing_past_the_limit_while_read_is_cut_at_the_limit(tmp_path: Path) -> None:
    from specgen.errors import SpecError
    from specgen.spec.loader import read_bounded

    path = tmp_path / "grows.yaml"
    path.write_bytes(b"a" * 100)
    assert read_bounded(path, tmp_path, "grows.yaml", 100) == b"a" * 100
    path.write_bytes(b"a" * 101)
    with pytest.raises(SpecError) as caught:
        read_bounded(path, tmp_path, "grows.yaml", 100)
    assert caught.value.rule == "size"


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("operation: cancel_batch", 'operation: "cancel_batch\\n"', "operation:"),
        ("model: CancelBatchOrder", 'model: "CancelBatchOrder\\n"', "model: CancelBatchOrder"),
        ("  - name: category", '  - name: "category\\n"', "- name:"),
    ],
)
def test_a_trailing_newline_in_a_name_fails_the_schema(
    project: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str
) -> None:
    line = line_of(project, ENDPOINT, key)
    edit(project, ENDPOINT, old, new)
    [error] = errors(capsys)
    assert (error["file"], error["line"], error["rule"]) == (ENDPOINT, line, "schema:pattern")


def test_every_language_pattern_matches_whole_strings_only() -> None:
    patterns: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("pattern"), str):
                patterns.append(value["pattern"])
            for child in value.values():
                collect(child)
        elif isinstance(value, list):
            for child in value:
                collect(child)

    collect(language_schema())
    assert len(patterns) > 10
    anchored = [p for p in patterns if p.endswith("$") and not p.endswith("\\$")]
    assert len(anchored) > 10
    for pattern in anchored:
        compiled = whole_string(pattern)
        for sample in ("cancel_batch", "CancelBatch", "a.b", "/v5/order", "https://x.example", "0" * 64, "$x"):
            if compiled.search(sample):
                assert not compiled.search(sample + "\n"), pattern
                assert not compiled.search(sample + "\n\n"), pattern


@pytest.mark.parametrize(
    ("rel", "starts", "line"),
    [
        (ENDPOINT, "  - name: category", '  - name: "\\ud800"'),
        (ENDPOINT, "summary:", 'summary: "Cancel \\udfff orders"'),
        (VENUE, "venue:", 'venue: "fx_header\\udc80"'),
    ],
)
def test_a_lone_surrogate_is_a_yaml_error_with_its_line(
    project: Path, capsys: pytest.CaptureFixture[str], rel: str, starts: str, line: str
) -> None:
    lines = (project / rel).read_text("utf-8").splitlines(keepends=True)
    number = next(i for i, text in enumerate(lines) if text.startswith(starts))
    lines[number] = line + "\n"
    (project / rel).write_text("".join(lines), "utf-8")
    [error] = errors(capsys)
    assert (error["file"], error["line"], error["rule"]) == (rel, str(number + 1), "yaml")
    assert "surrogate" in str(error["message"])


@pytest.mark.parametrize(
    ("folder", "why"),
    [
        ("class", "keyword"),
        ("match", "keyword"),
        ("json", "shadow"),
        ("specgen", "shadow"),
        ("contract_tests", "names a folder of generated/"),
        ("Bybit", "cannot name a Python package"),
        ("by-bit", "cannot name a Python package"),
        ("by__bit", "cannot name a Python package"),
        ("bybit_", "cannot name a Python package"),
        ("b\udcffx", "cannot name a Python package"),
    ],
)
def test_unusable_venue_folder_names_are_spec_errors(
    project: Path, capsys: pytest.CaptureFixture[str], folder: str, why: str
) -> None:
    target = project / "specs" / folder
    (project / "specs" / "fx_header").rename(target)
    edit(project, f"specs/{folder}/venue.yaml", "venue: fx_header", f"venue: {folder if folder.isascii() else 'x'}")
    found = errors(capsys)
    assert [e["rule"] for e in found] == ["reserved-name" if folder == "contract_tests" else "venue-name"]
    assert why in str(found[0]["message"])


def test_a_keyword_as_a_model_name_is_a_spec_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = line_of(project, ENDPOINT, "model: CancelBatchOrder")
    edit(project, ENDPOINT, "model: CancelBatchOrder", "model: None")
    [error] = errors(capsys)
    assert (error["file"], error["line"], error["rule"]) == (ENDPOINT, line, "reserved-name")


def test_keywords_as_operation_and_python_names_still_generate(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project, ENDPOINT, "operation: cancel_batch", "operation: class")
    edit(project, ENDPOINT, "  - name: category\n", "  - name: category\n    python: from\n")
    assert cli.main(["generate", "--venue", "fx_header"]) == 0, capsys.readouterr().err
    calls = (project / "generated" / "fx_header" / "endpoints" / "class_.py").read_text("utf-8")
    assert "def class_(" in calls and "from_:" in calls


# -- patterns ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["^(a+)+$", "^(a|a)*$", "^([a-z]+)*$", "^(\\d{1,3})*$", "^(\\w+\\s?)*$"])
def test_a_catastrophic_pattern_is_refused_with_its_line(
    project: Path, capsys: pytest.CaptureFixture[str], pattern: str
) -> None:
    line = line_of(project, ENDPOINT, 'pattern: "^[A-Z0-9-]+$"')
    edit(project, ENDPOINT, 'pattern: "^[A-Z0-9-]+$"', f"pattern: '{pattern}'")
    [error] = errors(capsys)
    assert (error["file"], error["line"], error["rule"]) == (ENDPOINT, line, "pattern")
    assert "exponential" in str(error["message"])


@pytest.mark.parametrize(
    "pattern",
    [
        "^[A-Z0-9-]+$",
        "^[0-9]{1,20}$",
        "^\\d+(\\.\\d+)?$",
        "^([a-z]+\\.)*[a-z]+$",
        "^(\\d{1,3}\\.){3}\\d{1,3}$",
        "^([0-9]+,)*[0-9]+$",
        "^(ab|cd)+$",
        "^(a++)+$",
    ],
)
def test_safe_patterns_are_accepted_and_fast(pattern: str) -> None:
    assert catastrophic(pattern) is None
    started = time.perf_counter()
    for n in range(1, 40):
        re.search(pattern, "a" * n + "!")
        re.search(pattern, "1" * n + "!")
    assert time.perf_counter() - started < 1.0


def test_refused_patterns_really_are_slow() -> None:
    # The shape the check refuses, measured: so the refusal guards against something real.
    started = time.perf_counter()
    re.search("^(a+)+$", "a" * 22 + "!")
    assert time.perf_counter() - started > 0.01
    assert catastrophic("^(a+)+$") is not None
