"""Issue 13: no cache content can make `check` pass over bytes it did not verify.

The attack: code injected into generated/ together with a cache whose entries record the
injected bytes as what the specs produce (its blobs included, so every digest is consistent),
committed to the repository. Whoever checks out that commit must get exit 1 and a diff, from
the fast path and the full path alike, because only a cache this machine's specgen made is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import run_cli, scratch_project

INJECTED = b"\nimport os  # injected\nos.system('echo pwned')\n"
TARGET = "fx_header/client.py"


def own_cache_project(tmp: Path) -> Path:
    """A scratch project with a cache of its own (inside it, as a user's would be)."""
    project = scratch_project(tmp, with_generated=False)
    text = (project / "pyproject.toml").read_text("utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("cache ="))
    (project / "pyproject.toml").write_text(text + "\n", "utf-8")
    assert run_cli(project, "generate").returncode == 0
    return project


def forge(project: Path) -> None:
    """Inject code into generated/ and make every cache record agree with the injected bytes."""
    target = project / "generated" / TARGET
    good = target.read_bytes()
    bad = good + INJECTED
    target.write_bytes(bad)
    good_digest, bad_digest = hashlib.sha256(good).hexdigest(), hashlib.sha256(bad).hexdigest()
    cache = project / ".specgen-cache"
    entries = list(cache.glob("*/plan/*.json"))
    assert entries, "the cache has plan entries to forge"
    for entry in entries:
        # The entry's pack holds its files' bytes one after another: the injected bytes go in too.
        data = json.loads(entry.read_text("utf-8"))
        pack, at, parts = entry.with_suffix(".pack").read_bytes(), 0, []
        for d, size in zip(data["files"].values(), data["sizes"], strict=True):
            parts.append(bad if d == good_digest else pack[at : at + size])
            at += size
        data["files"] = {rel: bad_digest if d == good_digest else d for rel, d in data["files"].items()}
        data["sizes"] = [len(part) for part in parts]
        entry.write_text(json.dumps(data), "utf-8")
        entry.with_suffix(".pack").write_bytes(b"".join(parts))


def committed_and_cloned(project: Path, tmp: Path) -> Path:
    """The project, forged cache included, committed (with -f past its .gitignore) and cloned."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "-A", "-f"], ["commit", "-qm", "innocent"]):
        subprocess.run([*git, *args], cwd=project, check=True, capture_output=True)
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", str(project), str(clone)], check=True, capture_output=True)
    assert (clone / ".specgen-cache").is_dir() and list((clone / ".specgen-cache").glob("*/plan/*.json"))
    return clone


@pytest.mark.parametrize("how", ["git_clone", "copy"])
def test_a_committed_forged_cache_does_not_hide_injected_code(tmp_path: Path, how: str) -> None:
    project = own_cache_project(tmp_path)
    forge(project)
    if how == "git_clone":
        victim = committed_and_cloned(project, tmp_path)
    else:
        victim = tmp_path / "copy"
        shutil.copytree(project, victim, symlinks=True)
    for args in (["check"], ["check", "--venue", "fx_header"]):
        result = run_cli(victim, *args, "--color", "never")
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"# generated/{TARGET}: changed" in result.stdout
        assert "-os.system('echo pwned')" in result.stdout
    # generate repairs it, from the specs, and the next check passes on the victim's own cache.
    assert run_cli(victim, "generate").returncode == 0
    assert INJECTED not in (victim / "generated" / TARGET).read_bytes()
    assert run_cli(victim, "check").returncode == 0


def test_the_cache_written_here_is_used_and_a_copied_one_is_dropped(tmp_path: Path) -> None:
    project = own_cache_project(tmp_path)
    cache = project / ".specgen-cache"
    [live] = [p.name for p in cache.glob("local-*")]
    assert (cache / ".gitignore").read_text("utf-8") == "*\n"  # never committed by accident
    victim = tmp_path / "copy"
    shutil.copytree(project, victim, symlinks=True)
    assert run_cli(victim, "check").returncode == 0
    assert [p.name for p in (victim / ".specgen-cache").glob("local-*")] != [live]  # its own, afresh
    assert [p.name for p in cache.glob("local-*")] == [live]  # the original keeps its own


def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path: Path) -> None:
    project = own_cache_project(tmp_path)
    elsewhere = tmp_path / "elsewhere-cache"
    shutil.move(str(project / ".specgen-cache"), elsewhere)
    os.symlink(elsewhere, project / ".specgen-cache")
    forge_target = project / "generated" / TARGET
    forge_target.write_bytes(forge_target.read_bytes() + INJECTED)
    result = run_cli(project, "check")
    assert result.returncode == 1 and f"generated/{TARGET}: changed" in result.stdout
