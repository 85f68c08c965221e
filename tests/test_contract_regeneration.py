"""Issue 4: a limit changed in a spec moves the validator, the schema and the contract tests
together, and the contract tests catch a validator that disagrees with its spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli, scratch_project, tree_bytes

CONTRACT = "generated/contract_tests/test_fx_passphrase__batch_cancel_order.py"


def run_contract_tests(project: Path, target: str = CONTRACT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(project), target],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    project = scratch_project(tmp_path_factory.mktemp("regen"))
    before = tree_bytes(project / "generated")
    spec = project / "specs" / "fx_passphrase" / "batch_cancel_order.yaml"
    text = spec.read_text()
    assert text.count("max_items: 50") == 1
    spec.write_text(text.replace("max_items: 50", "max_items: 40"))
    result = run_cli(project, "generate")
    assert result.returncode == 0, result.stderr
    return project, before, tree_bytes(project / "generated")


def test_changing_a_limit_changes_validator_schema_and_contract_tests(
    regenerated: tuple[Path, dict[str, bytes], dict[str, bytes]],
) -> None:
    project, before, after = regenerated
    changed = sorted(p for p in after if before.get(p) != after[p])
    assert changed == [
        "contract_tests/test_fx_passphrase__batch_cancel_order.py",
        "fx_passphrase/README.md",  # the reference states the limit
        "fx_passphrase/operations.py",
        "fx_passphrase/schemas/batch_cancel_order.request.json",
        "fx_passphrase/validators.py",
    ]
    validators = after["fx_passphrase/validators.py"].decode()
    assert "> 40:" in validators and "> 50:" not in validators
    schema = json.loads(after["fx_passphrase/schemas/batch_cancel_order.request.json"])
    assert schema["properties"]["orderList"]["maxItems"] == 40
    tests = after["contract_tests/test_fx_passphrase__batch_cancel_order.py"].decode()
    assert "orderList_over_max_41" in tests and "orderList_over_max_51" not in tests


def test_regenerated_contract_tests_pass(regenerated: tuple[Path, dict[str, bytes], dict[str, bytes]]) -> None:
    project, _, _ = regenerated
    result = run_contract_tests(project)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "contract cases:" in result.stdout and " 0 failed" in result.stdout


def test_a_wrong_validator_fails_the_contract_tests(
    regenerated: tuple[Path, dict[str, bytes], dict[str, bytes]],
) -> None:
    project, _, _ = regenerated
    validators = project / "generated" / "fx_passphrase" / "validators.py"
    text = validators.read_text()
    assert text.count("if len(v) > 40:") == 1
    validators.write_text(text.replace("if len(v) > 40:", "if len(v) > 41:"))  # off by one
    try:
        result = run_contract_tests(project)
    finally:
        validators.write_text(text)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "orderList_over_max_41" in result.stdout  # the boundary case that caught it
    assert "failed" in result.stdout
