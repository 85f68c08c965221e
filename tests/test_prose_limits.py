"""Prose from data: a spec's summary or parameter description may not state a limit the spec
contradicts (`specgen validate` refuses it, naming file, line and rule), and the generated
docstrings state each parameter's limits from the spec's values, so raising a limit in the spec
changes them with it. Checked on a frozen fixture whose prose states its list's limit twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli, scratch_project

SPEC = Path("specs/fx_passphrase/batch_cancel_order.yaml")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return scratch_project(tmp_path, with_generated=False)


def _edit(project: Path, old: str, new: str) -> None:
    path = project / SPEC
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def _line(project: Path, needle: str) -> int:
    lines = (project / SPEC).read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_the_fixture_prose_agrees_with_its_limits(project: Path) -> None:
    result = run_cli(project, "validate")
    assert result.returncode == 0, result.stderr


def test_a_description_contradicting_the_limit_is_refused(project: Path) -> None:
    _edit(project, "Order ID List, maximum length 50.", "Order ID List, maximum length 40.")
    result = run_cli(project, "validate")
    assert result.returncode == 2
    line = _line(project, "maximum length 40")
    assert f"{SPEC.as_posix()}:{line}: [prose-limit]" in result.stderr
    assert '"maximum length 40"' in result.stderr and "50" in result.stderr


def test_a_summary_contradicting_the_limit_is_refused(project: Path) -> None:
    # The list's limit is lowered to 40 and its description follows; the summary still says 50.
    _edit(project, "    max_items: 50\n", "    max_items: 40\n")
    _edit(project, "Order ID List, maximum length 50.", "Order ID List, maximum length 40.")
    result = run_cli(project, "validate")
    assert result.returncode == 2
    assert f"{SPEC.as_posix()}:{_line(project, 'summary:')}: [prose-limit]" in result.stderr
    assert '"up to 50"' in result.stderr and "40" in result.stderr
    # generate refuses it too, and writes nothing.
    generated = run_cli(project, "generate")
    assert generated.returncode == 2 and "[prose-limit]" in generated.stderr
    assert not (project / "generated").exists()


def test_a_spec_stating_no_limit_is_not_held_to_its_prose(project: Path) -> None:
    # With no max_items the spec states no maximum, so the prose has nothing to contradict.
    _edit(project, "    max_items: 50\n", "")
    result = run_cli(project, "validate")
    assert result.returncode == 0, result.stderr


def test_docstrings_and_reference_state_the_limit_from_the_spec_value(project: Path) -> None:
    def stated() -> tuple[str, str]:
        result = run_cli(project, "generate")
        assert result.returncode == 0, result.stderr
        # The client's call of the endpoint, with its docstring, is in the endpoint's own module.
        client = (project / "generated" / "fx_passphrase" / "endpoints" / "batch_cancel_order.py").read_text("utf-8")
        reference = (project / "generated" / "fx_passphrase" / "README.md").read_text("utf-8")
        return client, reference

    client, reference = stated()
    assert "order_list: Order ID List, maximum length 50. Required; 1 to 50 items." in client
    assert "| 1 to 50 items |" in reference  # the parameter table's limits column
    _edit(project, "    max_items: 50\n", "    max_items: 60\n")
    _edit(project, "Order ID List, maximum length 50.", "Order ID List, maximum length 60.")
    _edit(project, "Cancel up to 50 spot orders", "Cancel up to 60 spot orders")
    client, reference = stated()
    assert "order_list: Order ID List, maximum length 60. Required; 1 to 60 items." in client
    assert "| 1 to 60 items |" in reference and "| 1 to 50 items |" not in reference
    assert "1 to 50 items" not in client
