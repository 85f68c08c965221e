"""Issue 13: the command line as a tool: --version, examples in --help, progress on a terminal
(quiet otherwise), --venue on generate and check, a coloured diff on a terminal, and errors that
name the port or path."""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import specgen
from specgen import cli

from tests.helpers import ROOT, run_cli, scratch_project, tree_bytes


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = scratch_project(tmp_path)
    monkeypatch.chdir(project)
    return project


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"specgen {specgen.__version__}"


@pytest.mark.parametrize("command", [None, "validate", "generate", "check", "serve"])
def test_help_shows_examples(capsys: pytest.CaptureFixture[str], command: str | None) -> None:
    assert cli.main([command, "--help"] if command else ["--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert f"  specgen {command or 'generate'}" in out


def run_on_terminal(project: Path, *args: str) -> tuple[int, str]:
    """specgen with stderr on a pseudo-terminal: (exit code, what the terminal showed)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "specgen", *args],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm"},
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 300)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return process.wait(timeout=300), shown.decode("utf-8", "replace")


def test_progress_on_a_terminal_and_quiet_otherwise(project: Path) -> None:
    code, shown = run_on_terminal(project, "generate", "--no-cache", "--output", "tty")
    assert code == 0
    assert "specgen: reading specs" in shown and "formatting" in shown
    assert shown.endswith("\r\x1b[K")  # the status line is cleared at the end
    piped = run_cli(project, "generate", "--no-cache", "--output", "piped")
    assert piped.returncode == 0 and piped.stderr == ""
    assert tree_bytes(project / "tty") == tree_bytes(project / "piped")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_venue_limits_generate_and_check_to_one_venue(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project / "specs" / "fx_header" / "cancel_batch.yaml", "max_items: 20", "max_items: 19")
    other = project / "generated" / "fx_query" / "client.py"
    edit(other, '"""', '"""Hand-edited. ')

    assert cli.main(["check", "--venue", "fx_header", "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert "generated/fx_header/validators/cancel_batch.py: changed" in out and "fx_query" not in out

    assert cli.main(["generate", "--venue", "fx_header"]) == 0
    capsys.readouterr()
    assert b"19" in (project / "generated" / "fx_header" / "validators" / "cancel_batch.py").read_bytes()
    assert other.read_text("utf-8").startswith('"""Hand-edited. ')  # another venue's file: untouched

    assert cli.main(["check", "--venue", "fx_header"]) == 0
    assert cli.main(["check", "--venue", "fx_query", "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert "generated/fx_query/client.py: changed" in out and "fx_header" not in out
    assert cli.main(["check", "--venue", "nope"]) == 2
    assert "[unknown-venue] no venue 'nope'" in capsys.readouterr().err


def test_the_diff_is_coloured_on_request_or_on_a_terminal_only(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project / "generated" / "fx_header" / "errors.py", '"""', '"""Edited. ')
    assert cli.main(["check", "--color", "always"]) == 1
    coloured = capsys.readouterr().out
    assert "\x1b[31m-" in coloured and "\x1b[32m+" in coloured and "\x1b[0m" in coloured
    assert cli.main(["check"]) == 1  # auto: stdout is not a terminal here
    plain = capsys.readouterr().out
    assert "\x1b[" not in plain and "-" in plain
    assert plain == coloured.replace("\x1b[0m", "").replace("\x1b[1m", "").replace("\x1b[31m", "").replace(
        "\x1b[32m", ""
    ).replace("\x1b[36m", "")


def test_serve_on_a_busy_port_names_the_port(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli(project, "serve", "--port", str(port))
    assert result.returncode == 2
    assert f"error: 127.0.0.1:{port}: [io]" in result.stderr and "--port" in result.stderr


def test_an_unwritable_output_names_the_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "blocked").write_text("a file where a folder should be\n", "utf-8")
    assert cli.main(["generate", "--output", "blocked/out"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "blocked" in err and "(no file named)" not in err
