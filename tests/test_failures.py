"""Issue 6: nothing is lost. A failure at any stage of `generate` leaves generated/ as it was.

Each test takes a scratch copy of the project, changes an input so that `generate` has files to
write, injects a failure at one stage (a bad spec, a template error, the formatter, a write, the
swap, an interruption), and then requires generated/ to be byte-identical to before, with no
staging or retired tree left beside it. Two `generate` processes started together must leave
exactly what one clean run writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import specgen.emit.formatting
from specgen import cli
from specgen.emit.pipeline import SHARED_RUNTIME, package_runtime

from tests.helpers import ROOT, run_cli, scratch_project, tree_bytes

HEADER = "templates/macros/header.j2"


def leftovers(project: Path) -> list[str]:
    """Anything write_plan leaves beside generated/ when it does not finish: staging or retired trees."""
    return sorted(p.name for p in project.iterdir() if p.name.startswith((".generated.new-", ".generated.old-")))


def change_every_module(project: Path) -> None:
    """An edit to the header every package module starts with, so that generate has work to do."""
    path = project / HEADER
    text = path.read_text("utf-8")
    assert "Standard library only." in text
    path.write_text(text.replace("Standard library only.", "Standard library only (a failure test)."), "utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = scratch_project(tmp_path)
    monkeypatch.chdir(project)
    return project


def generate(*args: str) -> int:
    return cli.main(["generate", *args])


def assert_untouched(project: Path, before: dict[str, bytes]) -> None:
    assert tree_bytes(project / "generated") == before
    assert leftovers(project) == []


def fail_on_call(n: int, error: BaseException, real: Callable[..., Any]) -> Callable[..., Any]:
    """A stand-in for real that raises error on its n-th call (1-based) that touches the output
    trees (generated/ and the trees beside it), and works otherwise (caches are written too)."""
    calls = {"n": 0}

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        if any(".generated." in str(a) or str(a).endswith("/generated") for a in args):
            calls["n"] += 1
            if calls["n"] == n:
                raise error
        return real(*args, **kwargs)

    stand_in.calls = calls  # type: ignore[attr-defined]
    return stand_in


# -- failures before anything is written --------------------------------------------------------


def test_a_bad_spec_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_bytes(project / "generated")
    change_every_module(project)
    spec = project / "specs" / "fx_header" / "cancel_batch.yaml"
    spec.write_text(spec.read_text("utf-8").replace("signed: true", "signed: maybe"), "utf-8")
    line = spec.read_text("utf-8").splitlines().index("signed: maybe") + 1
    assert generate() == 2
    assert f"specs/fx_header/cancel_batch.yaml:{line}: [schema:type]" in capsys.readouterr().err
    assert_untouched(project, before)


def test_a_template_error_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_bytes(project / "generated")
    change_every_module(project)
    path = project / "templates" / "package" / "operations.py.j2"
    path.write_text(path.read_text("utf-8") + "{{ venue.no_such_attribute }}\n", "utf-8")
    assert generate() == 2
    err = capsys.readouterr().err
    assert "operations.py.j2" in err and "[template]" in err and "no_such_attribute" in err
    assert_untouched(project, before)


def test_a_formatter_error_changes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_bytes(project / "generated")
    change_every_module(project)

    def broken(source: str) -> str:
        raise ValueError("black exploded")

    monkeypatch.setattr(specgen.emit.formatting, "format_one", broken)
    assert generate("--no-cache") == 2
    err = capsys.readouterr().err
    assert "[format]" in err and "black exploded" in err
    assert_untouched(project, before)


# -- failures while the new tree is written or swapped in --------------------------------------


@pytest.mark.parametrize(
    "error",
    [OSError(28, "No space left on device", "generated/x.py"), KeyboardInterrupt()],
    ids=["disk_full", "interrupt"],
)
@pytest.mark.parametrize("nth", [1, 10])
def test_a_failure_while_writing_changes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: BaseException, nth: int
) -> None:
    before = tree_bytes(project / "generated")
    change_every_module(project)
    stand_in = fail_on_call(nth, error, Path.write_bytes)
    monkeypatch.setattr(Path, "write_bytes", stand_in)
    code = generate()
    assert stand_in.calls["n"] == nth  # type: ignore[attr-defined]  # it failed at the planned write, and stopped
    assert code == (130 if isinstance(error, KeyboardInterrupt) else 2)
    expected = (
        "interrupted; generated/ was not changed"
        if isinstance(error, KeyboardInterrupt)
        else "generated/x.py: [io] No space left on device"
    )
    assert capsys.readouterr().err == f"error: {expected}\n"
    assert_untouched(project, before)


@pytest.mark.parametrize("error", [OSError(13, "Permission denied"), KeyboardInterrupt()], ids=["oserror", "interrupt"])
@pytest.mark.parametrize("nth", [1, 2], ids=["retiring_the_old_tree", "moving_the_new_tree_in"])
def test_a_failure_during_the_swap_changes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException, nth: int
) -> None:
    before = tree_bytes(project / "generated")
    change_every_module(project)
    stand_in = fail_on_call(nth, error, os.rename)
    monkeypatch.setattr(os, "rename", stand_in)
    code = generate()
    assert stand_in.calls["n"] >= nth
    assert code == (130 if isinstance(error, KeyboardInterrupt) else 2)
    assert_untouched(project, before)


def test_without_failures_the_same_change_is_written(project: Path) -> None:
    """The control for the tests above: the change they make really does rewrite generated/."""
    before = tree_bytes(project / "generated")
    change_every_module(project)
    assert generate() == 0
    after = tree_bytes(project / "generated")
    changed = [rel for rel in before if after.get(rel) != before[rel]]
    runtime = set(package_runtime())  # copied verbatim: no template, so the change cannot reach them
    modules = [
        rel
        for rel in before
        if rel.endswith(".py")
        and rel.split("/")[0] not in ("contract_tests", SHARED_RUNTIME)
        and rel.split("/")[-1] not in runtime
    ]
    assert len(modules) > 20 and set(modules) <= set(changed)  # every rendered package module
    assert b"Standard library only (a failure test)." in after["fx_header/client.py"]
    assert leftovers(project) == []


# -- two runs at once -------------------------------------------------------------------------


def test_two_generate_runs_at_once_leave_one_clean_result(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    change_every_module(project)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "specgen", "generate"],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes
    clean = tmp_path / "clean"
    assert run_cli(project, "generate", "--output", str(clean)).returncode == 0
    assert tree_bytes(project / "generated") == tree_bytes(clean)
    assert (
        b"Standard library only (a failure test)." in (project / "generated" / "fx_header" / "client.py").read_bytes()
    )
    assert run_cli(project, "check").returncode == 0
    assert leftovers(project) == []
