"""Issue 13: the output folder is replaced as a whole, so where it may be is checked first.

An output that is, contains or lies inside the project root, the specs, the templates or the
cache is refused before anything is written; only a folder carrying specgen's marker is
replaced; links and other non-regular entries in the output are reported, never followed; a
run killed with SIGKILL leaves staging trees that the next run removes under the lock; `check`
waits for a running `generate`; the output folder keeps its permissions.
"""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from specgen import cli
from specgen.emit.output import MARKER

from tests.helpers import ROOT, run_cli, scratch_project, tree_bytes


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = scratch_project(tmp_path)
    monkeypatch.chdir(project)
    return project


def everything(root: Path) -> dict[str, bytes]:
    """Every file under root (the project and what lies beside it), to prove nothing moved."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts
    }


@pytest.mark.parametrize(
    ("flags", "config", "names"),
    [
        (["--output", "."], None, "project root"),
        (["--output", ".."], None, "project root"),
        (["--output", "/"], None, "project root"),
        (["--output", "specs"], None, "specs"),
        (["--output", "specs/fx_header"], None, "specs"),
        (["--output", "templates"], None, "templates"),
        (["--output", "templates/package"], None, "templates"),
        (["--output", ".specgen-cache"], 'cache = ".specgen-cache"', "cache"),
        (["--output", "build"], 'cache = "build/cache"', "cache"),
        ([], 'output = "."', "project root"),
    ],
)
@pytest.mark.parametrize("command", ["generate", "check"])
def test_an_output_that_would_take_inputs_with_it_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str], flags: list[str], config: str | None, names: str, command: str
) -> None:
    if config is not None:
        text = (project / "pyproject.toml").read_text("utf-8")
        text = "\n".join(line for line in text.splitlines() if not line.startswith(("cache =", "output =")))
        (project / "pyproject.toml").write_text(text.replace("[tool.specgen]", f"[tool.specgen]\n{config}"), "utf-8")
    before = everything(project.parent)
    code = cli.main([command, *flags])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "[output]" in err and names in err, err
    assert everything(project.parent) == before


def test_a_folder_without_the_marker_is_not_replaced(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = project / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own file\n", "utf-8")
    assert cli.main(["generate", "--output", "mine"]) == 2
    err = capsys.readouterr().err
    assert "mine: [output]" in err and MARKER in err
    assert (mine / "notes.txt").read_text("utf-8") == "my own file\n"
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_an_empty_folder_or_none_is_written_and_gets_the_marker(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "empty").mkdir()
    assert cli.main(["generate", "--output", "empty"]) == 0
    assert cli.main(["generate", "--output", "new/deeper"]) == 0
    assert tree_bytes(project / "empty") == tree_bytes(project / "new" / "deeper") == tree_bytes(project / "generated")
    assert (project / "empty" / MARKER).is_file()


def test_an_output_folder_that_is_a_link_is_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep\n", "utf-8")
    os.symlink(elsewhere, project / "linked")
    assert cli.main(["generate", "--output", "linked"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]


def test_a_link_in_the_output_is_reported_and_never_followed(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT\n", "utf-8")
    client = project / "generated" / "fx_header" / "client.py"
    client.unlink()
    os.symlink(secret, client)
    os.symlink(tmp_path, project / "generated" / "fx_header" / "linked_dir")

    assert cli.main(["check", "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert "TOP-SECRET-CONTENT" not in out
    assert "# generated/fx_header/client.py: changed: a symbolic link, not a regular file; not read" in out
    assert "# generated/fx_header/linked_dir: orphaned: a symbolic link" in out

    assert cli.main(["generate"]) == 0
    assert not client.is_symlink() and b"TOP-SECRET" not in client.read_bytes()
    assert not (project / "generated" / "fx_header" / "linked_dir").exists()
    assert secret.read_text("utf-8") == "TOP-SECRET-CONTENT\n"  # the target is untouched
    assert cli.main(["check"]) == 0


def test_a_fifo_in_the_output_is_reported_without_blocking(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(project / "generated" / "fx_header" / "pipe")
    result = run_cli(project, "check", "--color", "never")  # a subprocess: a hang fails by timeout
    assert result.returncode == 1
    assert "# generated/fx_header/pipe: orphaned: a FIFO, not a regular file; not read" in result.stdout
    assert run_cli(project, "generate").returncode == 0
    assert not (project / "generated" / "fx_header" / "pipe").exists()


KILL_DURING_SWAP = """
import os, signal, sys
from specgen import cli
from specgen.emit import output

def killed(staging, root):
    os.kill(os.getpid(), signal.SIGKILL)  # as kill -9 would, with both trees on disk

output._swap = killed
sys.exit(cli.main(["generate"]))
"""


def test_staging_left_by_a_kill_9_is_removed_by_the_next_run(project: Path) -> None:
    header = project / "templates" / "macros" / "header.j2"
    header.write_text(header.read_text("utf-8").replace("Standard library only.", "Stdlib only."), "utf-8")
    before = tree_bytes(project / "generated")
    killed = subprocess.run(
        [sys.executable, "-c", KILL_DURING_SWAP],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=300,
    )
    assert killed.returncode == -9
    left = sorted(p.name for p in project.iterdir() if p.name.startswith(".generated.new-"))
    assert len(left) == 1
    assert tree_bytes(project / "generated") == before  # the kill came before the swap
    # A retired tree from a kill between the two renames of a swap, too.
    (project / ".generated.old-abc123").mkdir()
    (project / ".generated.old-abc123" / "x.py").write_text("x = 1\n", "utf-8")

    assert run_cli(project, "check").returncode == 1  # check reads; it removes nothing
    assert (project / left[0]).exists()
    again = run_cli(project, "generate")
    assert again.returncode == 0, again.stderr
    assert not [p.name for p in project.iterdir() if p.name.startswith((".generated.new-", ".generated.old-"))]
    assert b"Stdlib only." in (project / "generated" / "fx_header" / "client.py").read_bytes()


def test_check_waits_for_a_running_generate(project: Path) -> None:
    lock = project / ".generated.lock"
    with open(lock, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # what generate holds while it swaps trees
        started = time.monotonic()
        check = subprocess.Popen(
            [sys.executable, "-m", "specgen", "check"],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2.0)
        assert check.poll() is None, "check did not wait for the lock"
        fcntl.flock(handle, fcntl.LOCK_UN)
    out, err = check.communicate(timeout=300)
    assert check.returncode == 0, err
    assert time.monotonic() - started >= 2.0 and "is up to date" in out


def test_check_beside_generate_never_fails_with_io(project: Path) -> None:
    header = project / "templates" / "macros" / "header.j2"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for i in range(3):
        header.write_text(header.read_text("utf-8").replace("only.", f"only{i}."), "utf-8")
        generate = subprocess.Popen([sys.executable, "-m", "specgen", "generate"], cwd=project, env=env)
        checks = [run_cli(project, "check") for _ in range(3)]
        assert generate.wait(timeout=300) == 0
        for result in checks:
            assert result.returncode in (0, 1), result.stderr
            assert "[io]" not in result.stderr


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o775])
def test_the_output_folder_keeps_its_permissions(project: Path, mode: int) -> None:
    os.chmod(project / "generated", mode)
    header = project / "templates" / "macros" / "header.j2"
    header.write_text(header.read_text("utf-8").replace("only.", "only!"), "utf-8")
    result = run_cli(project, "generate")
    assert result.returncode == 0, result.stderr
    assert b"only!" in (project / "generated" / "fx_header" / "client.py").read_bytes()
    assert stat.S_IMODE((project / "generated").stat().st_mode) == mode


def test_a_new_output_folder_gets_the_usual_permissions(project: Path) -> None:
    umask = os.umask(0o022)
    try:
        result = run_cli(project, "generate", "--output", "fresh")
    finally:
        os.umask(umask)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((project / "fresh").stat().st_mode) == 0o755
