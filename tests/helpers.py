"""Shared test helpers: scratch copies of the project and running the CLI in them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated"
FIXTURE_SPECS = ROOT / "tests" / "fixtures" / "specs"


def venue_names(specs: Path = ROOT / "specs") -> tuple[str, ...]:
    """The venues a specs folder holds: every folder with a venue.yaml (what specgen reads)."""
    return tuple(sorted(p.name for p in specs.iterdir() if (p / "venue.yaml").is_file()))


# The product venues, discovered: generic suites run for whatever specs/ holds.
VENUES = venue_names()


def case_now_ms(venue: Any, case: dict[str, Any]) -> int:
    """A pinned request case's clock reading (in the unit of the venue's timestamp) in the
    simulator's milliseconds."""
    stamp = venue.auth.timestamp
    unit = stamp.unit if stamp is not None else "ms"
    at = int(case["timestamp"])
    return {"s": at * 1000, "ms": at, "us": at // 1000}[unit]


def scratch_project(tmp: Path, with_generated: bool = True, specs: Path = FIXTURE_SPECS) -> Path:
    """A project in tmp with the given specs (the frozen fixtures by default) and this checkout's
    templates; with_generated runs `specgen generate` once so generated/ is what the specs produce."""
    project = tmp / "project"
    project.mkdir()
    shutil.copytree(specs, project / "specs")
    shutil.copytree(ROOT / "templates", project / "templates")
    # Share the formatter cache: it is keyed by content, so sharing it changes no output, only time.
    config = (ROOT / "pyproject.toml").read_text("utf-8")
    config = config.replace("[tool.specgen]\n", f'[tool.specgen]\ncache = "{ROOT / ".specgen-cache"}"\n', 1)
    (project / "pyproject.toml").write_text(config, "utf-8")
    if with_generated:
        result = run_cli(project, "generate")
        assert result.returncode == 0, result.stderr
    return project


def run_cli(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m specgen ARGS` in project, with this checkout's generator importable."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "specgen", *args],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
