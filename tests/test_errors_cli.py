"""Issue 6: wherever a user can go wrong, the CLI says what and where, in one line per error.

Each case breaks one thing in a scratch copy of the project (the configuration, a spec, a
template) and requires exit code 2 and stderr made only of lines of the form
`error: FILE[:LINE]: [RULE] MESSAGE`, naming the expected file, line and rule; no traceback
unless --debug.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from specgen import cli
from specgen.spec.loader import MAX_BYTES

from tests.helpers import GENERATED, run_cli, scratch_project, tree_bytes

LINE = re.compile(r"^error: (?P<file>.+?)(?::(?P<line>\d+))?: \[(?P<rule>[a-z:A-Z_-]+)\] (?P<message>\S.*)$")
ENDPOINT = "specs/fx_header/cancel_batch.yaml"
VENUE = "specs/fx_header/venue.yaml"


@dataclass(frozen=True)
class Expect:
    file: str  # the file the error names (a path relative to the project, or its end)
    rule: str
    line: int | None | str  # a number, None for no line, or a text whose (first) line is meant
    message: str  # a piece of the message


def edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    path.write_text(text.replace(old, new), "utf-8")


def write(project: Path, rel: str, text: str | bytes) -> None:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")


def line_of(project: Path, rel: str, needle: str) -> int:
    lines = (project / rel).read_text("utf-8").splitlines()
    [number] = [i for i, line in enumerate(lines, 1) if needle in line]
    return number


def run(project: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(args)
    err = capsys.readouterr().err
    return code, err.splitlines()


def check_one_line(project: Path, code: int, lines: list[str], expect: Expect) -> None:
    assert code == 2, lines
    assert len(lines) == 1, lines
    found = LINE.match(lines[0])
    assert found, lines[0]
    assert found["file"].endswith(expect.file), (found["file"], expect.file)
    assert found["rule"] == expect.rule, lines[0]
    line = expect.line
    if isinstance(line, str):
        line = line_of(project, expect.file, line)
    assert (int(found["line"]) if found["line"] else None) == line, lines[0]
    assert expect.message in found["message"], lines[0]
    assert "Traceback" not in lines[0]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = scratch_project(tmp_path, with_generated=False)
    monkeypatch.chdir(project)
    return project


Breaker = Callable[[Path], None]

# -- the configuration -----------------------------------------------------------------------


def bad_toml(p: Path) -> None:
    edit(p, "pyproject.toml", "[tool.specgen]\n", "[tool.specgen\n")


def unknown_config_key(p: Path) -> None:
    edit(p, "pyproject.toml", 'output = "generated"\n', 'output = "generated"\noutptu = "elsewhere"\n')


def config_value_of_wrong_type(p: Path) -> None:
    edit(p, "pyproject.toml", 'output = "generated"\n', "output = 3\n")


def specs_folder_missing(p: Path) -> None:
    shutil.rmtree(p / "specs")


CONFIG_CASES: dict[str, tuple[Breaker, list[str], Expect]] = {
    "unknown_venue": (
        lambda p: None,
        ["validate", "--venue", "nope"],
        Expect("specs", "unknown-venue", None, "no venue 'nope' (known: fx_comma, fx_header, fx_passphrase"),
    ),
    "config_file_missing": (
        lambda p: None,
        ["validate", "--config", "nowhere/pyproject.toml"],
        Expect("nowhere/pyproject.toml", "config", None, "configuration file not found"),
    ),
    "bad_toml": (bad_toml, ["validate"], Expect("pyproject.toml", "config", "[tool.specgen", "not valid TOML")),
    "unknown_config_key": (
        unknown_config_key,
        ["validate"],
        Expect("pyproject.toml", "config", "outptu", "unknown key(s) in [tool.specgen]: outptu"),
    ),
    "config_value_of_wrong_type": (
        config_value_of_wrong_type,
        ["validate"],
        Expect("pyproject.toml", "config", "output = 3", "output must be a non-empty string path"),
    ),
    "specs_folder_missing": (
        specs_folder_missing,
        ["validate"],
        Expect("specs", "config", None, "specs folder does not exist"),
    ),
}

# -- specs -----------------------------------------------------------------------------------

BOMB = (
    "\n".join(
        ["kind: endpoint", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        + [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=False)]
    )
    + "\n"
)


def yaml_bomb(p: Path) -> None:
    write(p, "specs/fx_header/bomb.yaml", BOMB)


def oversized(p: Path) -> None:
    write(p, "specs/fx_header/big.yaml", "kind: endpoint\n" + "# padding\n" * (MAX_BYTES // 10 + 1))


def malformed_yaml(p: Path) -> None:
    edit(p, ENDPOINT, "    when: {param: category, in: [spot]}", "    when: {param: category, in: [spot}")


def raw_control_character(p: Path) -> None:
    edit(p, ENDPOINT, "description: The orders to cancel.", "description: The orders\x07 to cancel.")


def too_deep(p: Path) -> None:
    write(p, "specs/fx_header/deep.yaml", "kind: endpoint\nx: " + "[" * 5000 + "]" * 5000 + "\n")


def duplicate_key(p: Path) -> None:
    edit(p, ENDPOINT, "signed: true\n", "signed: true\nsigned: false\n")


def python_tag(p: Path) -> None:
    edit(p, ENDPOINT, "signed: true\n", "signed: !!python/object/apply:os.system [echo hi]\n")


def not_utf8(p: Path) -> None:
    write(p, ENDPOINT, (p / ENDPOINT).read_bytes().replace(b"The orders to cancel.", b"The orders \xff to cancel."))


def unknown_spec_key(p: Path) -> None:
    edit(p, ENDPOINT, "signed: true\n", "signed: true\nsigend: true\n")


def unknown_nested_key(p: Path) -> None:
    edit(p, ENDPOINT, "    min_items: 1\n", "    min_items: 1\n    min_itmes: 2\n")


def wrong_type(p: Path) -> None:
    edit(p, ENDPOINT, "    max_items: 20\n", "    max_items: twenty\n")


def max_below_min(p: Path) -> None:
    edit(p, ENDPOINT, "    max_items: 20\n", "    max_items: 0\n")


def condition_on_unknown_param(p: Path) -> None:
    edit(p, ENDPOINT, "    when: {param: category, in: [spot]}", "    when: {param: categroy, in: [spot]}")


def limit_on_unknown_param(p: Path) -> None:
    edit(p, ENDPOINT, "    param: request\n    max: 10\n", "    param: requests\n    max: 10\n")


def duplicate_operation(p: Path) -> None:
    text = (p / ENDPOINT).read_text("utf-8").replace("model: CancelBatch", "model: AgainCancelBatch")
    write(
        p,
        "specs/fx_header/cancel_batch_again.yaml",
        text.replace("operation: cancel_batch\n", "operation: cancel_batch\nmodel: Again\n"),
    )


def python_name_collision(p: Path) -> None:
    edit(
        p,
        ENDPOINT,
        "        - name: orderLinkId\n",
        "        - name: order_id\n          type: string\n        - name: orderLinkId\n",
    )


def text_too_long(p: Path) -> None:
    edit(p, ENDPOINT, "description: The orders to cancel.", "description: " + "x" * 20001)


def digest_mismatch(p: Path) -> None:
    path = p / "specs/fx_header/sources/bybit-v5-cancel-batch.md"
    path.write_text(path.read_text("utf-8") + "\nA later edit of the document.\n", "utf-8")


def wrong_kind(p: Path) -> None:
    edit(p, ENDPOINT, "kind: endpoint\n", "kind: venue\n")


def venue_file_missing(p: Path) -> None:
    (p / VENUE).unlink()


SPEC_CASES: dict[str, tuple[Breaker, Expect]] = {
    "yaml_alias_bomb": (
        yaml_bomb,
        Expect("specs/fx_header/bomb.yaml", "yaml", 2, "anchors and aliases are not allowed"),
    ),
    "oversized_spec": (oversized, Expect("specs/fx_header/big.yaml", "size", None, f"the limit is {MAX_BYTES}")),
    "malformed_yaml": (malformed_yaml, Expect(ENDPOINT, "yaml", "in: [spot}", "expected ','")),
    "raw_control_character": (
        raw_control_character,
        Expect(ENDPOINT, "yaml", "The orders", "character U+0007 is not allowed"),
    ),
    "nested_too_deep": (too_deep, Expect("specs/fx_header/deep.yaml", "yaml", 2, "nested more than 64 levels deep")),
    "duplicate_key": (duplicate_key, Expect(ENDPOINT, "yaml", "signed: false", "duplicate key 'signed'")),
    "python_tag": (python_tag, Expect(ENDPOINT, "yaml", "signed: !!python", "unsupported tag")),
    "not_utf8": (not_utf8, Expect(ENDPOINT, "encoding", None, "not UTF-8")),
    "unknown_key": (
        unknown_spec_key,
        Expect(ENDPOINT, "schema:additionalProperties", "sigend", "'sigend' was unexpected"),
    ),
    "unknown_nested_key": (
        unknown_nested_key,
        Expect(ENDPOINT, "schema:additionalProperties", "min_itmes", "'min_itmes' was unexpected"),
    ),
    "wrong_type": (
        wrong_type,
        Expect(ENDPOINT, "schema:type", "max_items: twenty", "'twenty' is not of type 'integer'"),
    ),
    "max_below_min": (
        max_below_min,
        Expect(ENDPOINT, "min-max", "max_items: 0", "max_items (0) is below min_items (1)"),
    ),
    "condition_on_unknown_param": (
        condition_on_unknown_param,
        Expect(ENDPOINT, "unknown-param", "categroy", "'categroy', which is not a parameter"),
    ),
    "limit_on_unknown_param": (
        limit_on_unknown_param,
        Expect(ENDPOINT, "unknown-param", "param: requests", "'requests', which is not a parameter"),
    ),
    "duplicate_operation": (
        duplicate_operation,
        Expect(
            "specs/fx_header/cancel_batch_again.yaml",
            "duplicate-operation",
            "operation: cancel_batch",
            f"already defined in {ENDPOINT}",
        ),
    ),
    "python_name_collision": (
        python_name_collision,
        Expect(
            ENDPOINT,
            "name-collision",
            "- name: order_id",
            "'order_id' and 'orderId' both become the Python name 'order_id'",
        ),
    ),
    "text_too_long": (text_too_long, Expect(ENDPOINT, "schema:maxLength", "x" * 20001, "is too long")),
    "document_changed": (digest_mismatch, Expect(ENDPOINT, "digest", "sha256:", "Review the document's changes")),
    "wrong_kind": (wrong_kind, Expect(ENDPOINT, "schema:kind", 1, "expected kind: endpoint, found 'venue'")),
    "venue_file_missing": (venue_file_missing, Expect("specs/fx_header", "venue-file", None, "needs a venue.yaml")),
}

# -- templates -------------------------------------------------------------------------------


def template_syntax_error(p: Path) -> None:
    edit(
        p,
        "templates/package/__init__.py.j2",
        "__all__ = [\n",
        "__all__ = [\n{% if %}\n",
    )


def missing_macro(p: Path) -> None:
    (p / "templates/macros/header.j2").unlink()


def missing_contract_template(p: Path) -> None:
    (p / "templates/contract_test.py.j2").unlink()


def no_package_templates(p: Path) -> None:
    shutil.rmtree(p / "templates/package")


def undefined_in_template(p: Path) -> None:
    edit(
        p,
        "templates/package/__init__.py.j2",
        "__all__ = [\n",
        "__all__ = [\n    {{ venue.colour }}\n",
    )


def raw_spec_text_in_template(p: Path) -> None:
    edit(
        p,
        "templates/package/__init__.py.j2",
        "__all__ = [\n",
        "__all__ = [\n    # {{ venue.title }}\n",
    )


def template_reads_raw_value(p: Path) -> None:
    edit(
        p,
        "templates/package/__init__.py.j2",
        "__all__ = [\n",
        "__all__ = [\n    # {{ venue.title.value }}\n",
    )


TEMPLATE_CASES: dict[str, tuple[Breaker, Expect]] = {
    "template_syntax_error": (
        template_syntax_error,
        Expect("templates/package/__init__.py.j2", "template-syntax", "{% if %}", "Expected an expression"),
    ),
    "missing_macro_template": (
        missing_macro,
        Expect("templates/macros/header.j2", "template-missing", None, "template not found"),
    ),
    "missing_contract_template": (
        missing_contract_template,
        Expect("templates/contract_test.py.j2", "template-missing", None, "template not found"),
    ),
    "no_package_templates": (
        no_package_templates,
        Expect("templates/package", "template-missing", None, "no package templates"),
    ),
    "undefined_in_template": (
        undefined_in_template,
        Expect("templates/package/__init__.py.j2", "template", "venue.colour", "has no attribute 'colour'"),
    ),
    "raw_spec_text_in_template": (
        raw_spec_text_in_template,
        Expect("templates/package/__init__.py.j2", "template", "# {{ venue.title }}", "printed a raw Text"),
    ),
    "template_reads_raw_value": (
        template_reads_raw_value,
        Expect("templates/package/__init__.py.j2", "template", "venue.title.value", "read .value of spec text"),
    ),
}


@pytest.mark.parametrize("case", list(CONFIG_CASES), ids=list(CONFIG_CASES))
def test_configuration_errors(project: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    breaker, args, expect = CONFIG_CASES[case]
    breaker(project)
    code, lines = run(project, args, capsys)
    check_one_line(project, code, lines, expect)


@pytest.mark.parametrize("case", list(SPEC_CASES), ids=list(SPEC_CASES))
def test_spec_errors(project: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    breaker, expect = SPEC_CASES[case]
    breaker(project)
    code, lines = run(project, ["validate", "--venue", "fx_header"], capsys)
    check_one_line(project, code, lines, expect)


# A changed document holds back its own venue only (the others still generate): tests/test_docs_pending.py.
BLOCKING_CASES = [c for c in SPEC_CASES if c != "document_changed"]


@pytest.mark.parametrize("case", BLOCKING_CASES, ids=BLOCKING_CASES)
def test_spec_errors_leave_generated_untouched(project: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(GENERATED, project / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    before = tree_bytes(project / "generated")
    breaker, expect = SPEC_CASES[case]
    breaker(project)
    for command in ("generate", "check"):
        code, lines = run(project, [command], capsys)
        assert code == 2, lines
        assert any(expect.file in line and f"[{expect.rule}]" in line for line in lines), lines
    assert tree_bytes(project / "generated") == before


@pytest.mark.parametrize("case", list(TEMPLATE_CASES), ids=list(TEMPLATE_CASES))
def test_template_errors(project: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    breaker, expect = TEMPLATE_CASES[case]
    breaker(project)
    code, lines = run(project, ["generate", "--output", str(project / "out")], capsys)
    check_one_line(project, code, lines, expect)
    assert not (project / "out").exists()


def test_several_errors_give_one_line_each(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong_type(project)
    unknown_spec_key(project)
    edit(project, "specs/fx_query/venue.yaml", "kind: venue\n", "kind: venue\nflavour: 1\n")
    code, lines = run(project, ["validate"], capsys)
    assert code == 2
    # In venue order, then by file and line: fx_header's endpoint errors, then fx_query's venue.yaml.
    assert [LINE.match(line)["rule"] for line in lines] == [  # type: ignore[index]
        "schema:additionalProperties",
        "schema:type",
        "schema:additionalProperties",
    ]
    assert lines[2].startswith("error: specs/fx_query/venue.yaml:")


def test_usage_errors_exit_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
    assert cli.main(["generate", "--no-such-flag"]) == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_no_traceback_unless_debug(project: Path) -> None:
    max_below_min(project)
    quiet = run_cli(project, "validate")
    assert quiet.returncode == 2 and "Traceback" not in quiet.stderr
    assert quiet.stderr.splitlines() == [line for line in quiet.stderr.splitlines() if LINE.match(line)]
    loud = run_cli(project, "validate", "--debug")
    assert loud.returncode != 0 and "Traceback (most recent call last)" in loud.stderr
    assert "[min-max] max_items (0) is below min_items (1)" in loud.stderr


def test_an_internal_error_is_one_line_too(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import specgen.spec.specset

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(specgen.spec.specset, "read_specs", broken)
    code, lines = run(project, ["validate"], capsys)
    check_one_line(
        project,
        code,
        lines,
        Expect("specgen", "internal", None, "RuntimeError: a bug over two lines (run with --debug"),
    )
    with pytest.raises(RuntimeError):
        cli.main(["validate", "--debug"])
