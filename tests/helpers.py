"""Shared test helpers: scratch copies of the project and running the CLI in them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated"
VENUES = ("binance_coinm", "bingx_spot", "bitget_spot", "bybit_v5", "ztdx_futures")


def scratch_project(tmp: Path, with_generated: bool = True) -> Path:
    """A copy of the project's inputs (and, optionally, its committed output) in tmp."""
    project = tmp / "project"
    project.mkdir()
    for name in ("specs", "templates"):
        shutil.copytree(ROOT / name, project / name)
    # Share the formatter cache: it is keyed by content, so sharing it changes no output, only time.
    config = (ROOT / "pyproject.toml").read_text("utf-8")
    config = config.replace("[tool.specgen]\n", f'[tool.specgen]\ncache = "{ROOT / ".specgen-cache"}"\n', 1)
    (project / "pyproject.toml").write_text(config, "utf-8")
    if with_generated:
        shutil.copytree(GENERATED, project / "generated", ignore=shutil.ignore_patterns("__pycache__"))
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
