"""Compare a plan (relative path -> bytes) with the output folder, and write it safely.

write_plan builds the complete new tree beside the old one and swaps it in with two renames,
under a lock, so a failure at any point leaves the old tree as it was and two concurrent runs
cannot interleave their files.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

Plan = dict[str, bytes]

# Written by Python and tools while tests run; never part of what the specs produce.
_IGNORED_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".hypothesis"}


def is_ignored(rel: str) -> bool:
    parts = rel.split("/")
    return any(p in _IGNORED_DIRS for p in parts) or rel.endswith((".pyc", ".pyo"))


def _files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative path, path) of every file in root that the specs could have produced."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _IGNORED_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if not is_ignored(rel):
                yield rel, path


def read_tree(root: Path) -> dict[str, bytes]:
    return {rel: path.read_bytes() for rel, path in _files(root)}


def tree_digests(root: Path) -> dict[str, str]:
    """sha256 of every file read_tree would read: the cheap comparison for `check`'s fast path."""
    import hashlib

    return {rel: hashlib.sha256(path.read_bytes()).hexdigest() for rel, path in _files(root)}


@dataclass(frozen=True)
class Drift:
    changed: tuple[str, ...]
    missing: tuple[str, ...]
    orphaned: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not (self.changed or self.missing or self.orphaned)


def compare(plan: Plan, root: Path) -> tuple[Drift, dict[str, bytes]]:
    current = read_tree(root)
    changed = tuple(sorted(p for p in plan if p in current and current[p] != plan[p]))
    missing = tuple(sorted(p for p in plan if p not in current))
    orphaned = tuple(sorted(p for p in current if p not in plan))
    unchanged = tuple(sorted(p for p in plan if current.get(p) == plan[p]))
    return Drift(changed, missing, orphaned, unchanged), current


def unified_diff(plan: Plan, current: dict[str, bytes], drift: Drift, label: str) -> str:
    chunks: list[str] = []
    for rel in sorted(drift.changed + drift.missing + drift.orphaned):
        old = _lines(current.get(rel))
        new = _lines(plan.get(rel))
        a = f"a/{label}/{rel}" if rel in current else "/dev/null"
        b = f"b/{label}/{rel}" if rel in plan else "/dev/null"
        what = "changed" if rel in drift.changed else ("missing" if rel in drift.missing else "orphaned")
        chunks.append(f"# {label}/{rel}: {what}\n")
        chunks.extend(difflib.unified_diff(old, new, a, b))
    return "".join(chunks)


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    text = data.decode("utf-8", "replace")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """An exclusive lock beside the output folder, held for a whole write."""
    import fcntl

    root.parent.mkdir(parents=True, exist_ok=True)
    lock_path = root.parent / f".{root.name}.lock"
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_plan(plan: Plan, root: Path, unchanged: Iterable[str] = ()) -> None:
    """Replace root with exactly plan. The old tree survives any failure before the swap.

    unchanged names files that are already in root with exactly the planned bytes (compare()
    says which, under the lock): they are hard-linked into the new tree instead of written, so
    a run that changes a few files writes a few files. Neither tree is ever written in place.
    """
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    reuse = set(unchanged)
    try:
        for rel, data in sorted(plan.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel in reuse:
                try:
                    os.link(root / rel, target)
                    continue
                except OSError:
                    pass  # no hard links here (or the file went away): write it
            target.write_bytes(data)
        _swap(staging, root)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, root: Path) -> None:
    if not root.exists():
        os.rename(staging, root)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
    os.rmdir(retired)
    os.rename(root, retired)
    try:
        os.rename(staging, root)
    except BaseException:
        os.rename(retired, root)  # put the old tree back
        raise
    shutil.rmtree(retired, ignore_errors=True)
