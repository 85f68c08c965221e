"""`specgen changes`: each spec change judged for the callers of the generated client (oasdiff as the model).

Applied to a scratch git copy of the bundled specs; the parameters to change are found generically.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from specgen.docs.spec_side import endpoint_files

from tests.helpers import run_cli, scratch_project

Edit = Callable[[dict[str, Any]], None]


def _with(key: str, test: Callable[[dict[str, Any]], bool]) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    def find(spec: dict[str, Any]) -> dict[str, Any] | None:
        return next((p for p in spec["params"] if key in p and test(p)), None)

    return find


has_max = _with("max_items", lambda p: True)
has_enum = _with("values", lambda p: len(p["values"]) >= 2)


def lower_limit(spec: dict[str, Any]) -> None:
    p = has_max(spec)
    assert p is not None
    p["max_items"] -= 1


def raise_limit(spec: dict[str, Any]) -> None:
    p = has_max(spec)
    assert p is not None
    p["max_items"] += 1


def remove_param(spec: dict[str, Any]) -> None:
    spec["params"].pop()


def narrow_enum(spec: dict[str, Any]) -> None:
    p = has_enum(spec)
    assert p is not None
    p["values"].pop()


def widen_enum(spec: dict[str, Any]) -> None:
    p = has_enum(spec)
    assert p is not None
    p["values"].append("plantedValue")


def add_optional(spec: dict[str, Any]) -> None:
    spec["params"].append({"name": "plantedOptional", "type": "string"})


def add_required(spec: dict[str, Any]) -> None:
    spec["params"].append({"name": "plantedRequired", "type": "string", "required": True})


def remove_response_field(spec: dict[str, Any]) -> None:
    body = spec["response"]["body"]
    while "fields" not in body:
        body = body["items"] if body["type"] == "list" else body["variants"][-1]["type"]
    body["fields"].pop()


def add_response_field(spec: dict[str, Any]) -> None:
    body = spec["response"]["body"]
    while "fields" not in body:
        body = body["items"] if body["type"] == "list" else body["variants"][-1]["type"]
    body["fields"].append({"name": "plantedField", "type": "string"})


# (edit, which specs it applies to, breaking?, words the report line holds)
CASES: dict[str, tuple[Edit, Callable[[dict[str, Any]], object], bool, str]] = {
    "lowered_limit": (lower_limit, has_max, True, "max_items lowered"),
    "raised_limit": (raise_limit, has_max, False, "max_items raised"),
    "removed_parameter": (remove_param, lambda s: s["params"], True, "removed"),
    "narrowed_enum": (narrow_enum, has_enum, True, "enum narrowed"),
    "widened_enum": (widen_enum, has_enum, False, "enum widened"),
    "added_optional_parameter": (add_optional, lambda s: True, False, "optional parameter plantedOptional added"),
    "added_required_parameter": (add_required, lambda s: True, True, "required parameter plantedRequired added"),
    "removed_response_field": (remove_response_field, lambda s: True, True, "response field"),
    "added_response_field": (add_response_field, lambda s: True, False, "response field plantedField added"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = scratch_project(tmp_path_factory.mktemp("changes"), with_generated=False)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)
    return project


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_spec_change_is_judged_for_callers(project: Path, case: str) -> None:
    edit, applies, breaking, words = CASES[case]
    path = next(p for p in endpoint_files(project / "specs") if applies(yaml.safe_load(p.read_text("utf-8"))))
    original = path.read_text("utf-8")
    try:
        spec = yaml.safe_load(original)
        edit(spec)
        path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
        done = run_cli(project, "changes")
    finally:
        path.write_text(original, "utf-8")
    assert done.returncode == (1 if breaking else 0), done.stdout + done.stderr
    [line] = [x for x in done.stdout.splitlines() if words in x]
    assert line.startswith("BREAKING" if breaking else "ok"), line
    assert f"{path.parent.name}.{spec['operation']}" in line and ".yaml:" in line


def test_no_change_is_nothing_to_report(project: Path) -> None:
    done = run_cli(project, "changes")
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
    assert "0 for callers" in done.stderr


def test_a_bad_revision_is_an_error(project: Path) -> None:
    done = run_cli(project, "changes", "--since", "no-such-rev")
    assert done.returncode == 2 and "[git]" in done.stderr
