"""Compare a plan (relative path -> bytes) with the output folder, and write it safely.

write_plan builds the complete new tree beside the old one and swaps it in with two renames,
under a lock, so a failure at any point leaves the old tree as it was and two concurrent runs
cannot interleave their files. The output folder is replaced as a whole, so specgen only ever
replaces a folder that carries its marker file (MARKER), and refuses output locations that
would take the project, the specs, the templates or the cache with them.

Nothing here follows a symbolic link found in the output: links and other non-regular entries
are reported (check) and dropped with the old tree (generate), never read.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from specgen.errors import SpecError

Plan = dict[str, bytes]
Scope = Callable[[str], bool]  # which relative paths a run is about (--venue); None: all

# Written into every output folder; its presence is what allows specgen to replace the folder.
MARKER = ".specgen-output"
MARKER_BYTES = (
    b"This folder is written by specgen and replaced as a whole by `specgen generate`.\n"
    b"Do not edit or add files here: they would be removed.\n"
)

# Written by Python and tools while tests run; never part of what the specs produce.
_IGNORED_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".hypothesis"}


def is_ignored(rel: str) -> bool:
    parts = rel.split("/")
    return any(p in _IGNORED_DIRS for p in parts) or rel.endswith((".pyc", ".pyo"))


def with_marker(plan: Plan) -> Plan:
    """The plan as written: the files the specs produce and the marker."""
    return dict(sorted({**plan, MARKER: MARKER_BYTES}.items()))


def marker_digest() -> str:
    return hashlib.sha256(MARKER_BYTES).hexdigest()


# ---------------------------------------------------------------------------------------------
# Where the output may be


def check_location(output: Path, root: Path, others: dict[str, Path], label: str | None = None) -> None:
    """Refuse an output folder that is, contains or lies inside the specs, templates or cache, or
    that is or contains the project root: replacing it would delete them."""
    label = label or str(output)
    if output.is_symlink():
        raise SpecError(label, None, "output", "the output folder is a symbolic link; configure the real folder")
    if output.exists() and not output.is_dir():
        raise SpecError(label, None, "output", "the output path exists and is not a folder")
    out = output.resolve()
    project = root.resolve()
    if out == project or out in project.parents:
        raise SpecError(
            label, None, "output", f"the output folder would contain the project root {project}; choose a subfolder"
        )
    for name, path in others.items():
        other = path.resolve()
        if out == other or out in other.parents or other in out.parents:
            raise SpecError(
                label,
                None,
                "output",
                f"the output folder overlaps the {name} folder {path}; generating would replace it",
            )


# ---------------------------------------------------------------------------------------------
# Reading the output without following links


@dataclass(frozen=True)
class Tree:
    files: dict[str, Path]  # relative path -> regular file
    special: dict[str, str] = field(default_factory=dict)  # relative path -> what it is instead


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def scan(root: Path, scope: Scope | None = None) -> Tree:
    """Every entry in root the specs could have produced (within scope), links not followed."""
    files: dict[str, Path] = {}
    special: dict[str, str] = {}
    if root.is_symlink() or not root.is_dir():
        return Tree(files, special)

    def visit(folder: Path, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in _IGNORED_DIRS:
                        visit(Path(entry.path), rel + "/")
                    continue
                if is_ignored(rel) or (scope is not None and not scope(rel)):
                    continue
                if entry.is_file(follow_symlinks=False):  # from the directory entry: no stat call
                    files[rel] = Path(entry.path)
                else:
                    special[rel] = _kind(entry.stat(follow_symlinks=False).st_mode)

    visit(root, "")
    return Tree(files, special)


def _read_regular(path: Path) -> bytes:
    """A file's bytes, refusing to follow a link that replaced it since the scan (plain reads on
    the descriptor: a buffered file object costs more than the read for most generated files)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_tree(root: Path, scope: Scope | None = None) -> dict[str, bytes]:
    return {rel: _read_regular(path) for rel, path in scan(root, scope).files.items()}


def tree_digests(root: Path, scope: Scope | None = None) -> dict[str, str]:
    """sha256 of every regular file read_tree would read (`check`'s fast path); a non-regular
    entry gets a value no digest equals, so it never passes for a planned file."""
    tree = scan(root, scope)
    out = {rel: hashlib.sha256(_read_regular(path)).hexdigest() for rel, path in tree.files.items()}
    out.update({rel: f"special:{kind}" for rel, kind in tree.special.items()})
    return dict(sorted(out.items()))


# ---------------------------------------------------------------------------------------------
# Comparing


@dataclass(frozen=True)
class Drift:
    changed: tuple[str, ...]
    missing: tuple[str, ...]
    orphaned: tuple[str, ...]
    unchanged: tuple[str, ...]
    special: dict[str, str] = field(default_factory=dict)  # non-regular entries (in changed/orphaned)

    @property
    def clean(self) -> bool:
        return not (self.changed or self.missing or self.orphaned)


def compare(plan: Plan, root: Path, scope: Scope | None = None) -> tuple[Drift, dict[str, bytes]]:
    tree = scan(root, scope)
    current = {rel: _read_regular(path) for rel, path in tree.files.items()}
    present = set(current) | set(tree.special)
    changed = tuple(sorted(p for p in plan if p in present and current.get(p) != plan[p]))
    missing = tuple(sorted(p for p in plan if p not in present))
    orphaned = tuple(sorted(p for p in present if p not in plan))
    unchanged = tuple(sorted(p for p in plan if p in current and current[p] == plan[p]))
    return Drift(changed, missing, orphaned, unchanged, dict(tree.special)), current


_COLOURS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m", "#": "\033[1m"}
_RESET = "\033[0m"


def unified_diff(plan: Plan, current: dict[str, bytes], drift: Drift, label: str, colour: bool = False) -> str:
    chunks: list[str] = []
    for rel in sorted(drift.changed + drift.missing + drift.orphaned):
        what = "changed" if rel in drift.changed else ("missing" if rel in drift.missing else "orphaned")
        if rel in drift.special:
            what += f": {drift.special[rel]}, not a regular file; not read"
        chunks.append(f"# {label}/{rel}: {what}\n")
        old = _lines(current.get(rel))
        new = _lines(plan.get(rel))
        a = f"a/{label}/{rel}" if rel in current else "/dev/null"
        b = f"b/{label}/{rel}" if rel in plan else "/dev/null"
        chunks.extend(difflib.unified_diff(old, new, a, b))
    if not colour:
        return "".join(chunks)
    return "".join(_paint(line) for chunk in chunks for line in chunk.splitlines(keepends=True))


def _paint(line: str) -> str:
    if line.startswith(("+++", "---")):
        code = _COLOURS["#"]
    else:
        code = _COLOURS.get(line[:1], "")
    if not code:
        return line
    body = line.rstrip("\n")
    return f"{code}{body}{_RESET}" + line[len(body) :]


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    text = data.decode("utf-8", "replace")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


# ---------------------------------------------------------------------------------------------
# Locking and writing


def _staging_prefixes(root: Path) -> tuple[str, str]:
    return f".{root.name}.new-", f".{root.name}.old-"


@contextmanager
def locked(root: Path, shared: bool = False) -> Iterator[None]:
    """A lock beside the output folder: exclusive for a write, shared for a read (`check`), so
    that a check never sees the moment between the two renames of a swap.

    A reader that cannot create the lock file (a read-only checkout) reads unlocked: no writer
    can be at work there either.
    """
    import fcntl

    lock_path = root.parent / f".{root.name}.lock"
    try:
        if not shared:
            root.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole block
    except OSError:
        if not shared:
            raise
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_stale_staging(root: Path) -> list[str]:
    """Remove the staging trees a killed run left beside root. Call with the exclusive lock held:
    then no other run is using them."""
    removed: list[str] = []
    if not root.parent.is_dir():
        return removed
    prefixes = _staging_prefixes(root)
    for entry in sorted(root.parent.iterdir()):
        if entry.name.startswith(prefixes) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _check_replaceable(root: Path, label: str) -> None:
    if root.is_symlink():
        raise SpecError(label, None, "output", "the output folder is a symbolic link; configure the real folder")
    if not root.exists():
        return
    if not root.is_dir():
        raise SpecError(label, None, "output", "the output path exists and is not a folder")
    marker = root / MARKER
    if marker.is_file() and not marker.is_symlink():
        return
    if any(True for _ in root.iterdir()):
        raise SpecError(
            label,
            None,
            "output",
            f"the folder is not empty and has no {MARKER} marker, so specgen did not write it; "
            "generating replaces the whole folder, so empty it or choose another output folder",
        )


def _folder_mode(root: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(root, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o777 & ~umask


def write_plan(plan: Plan, root: Path, unchanged: Iterable[str] = (), label: str | None = None) -> None:
    """Replace root with exactly plan. The old tree survives any failure before the swap.

    unchanged names files that are already in root with exactly the planned bytes (compare()
    says which, under the lock): they are hard-linked into the new tree instead of written, so
    a run that changes a few files writes a few files. Neither tree is ever written in place.
    The new folder gets the old one's permissions (mkdtemp would leave it 0700).
    """
    _check_replaceable(root, label or str(root))
    mode = _folder_mode(root)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefixes(root)[0], dir=root.parent))
    reuse = set(unchanged)
    made: set[str] = set()  # folders of the new tree made so far (each made once)
    old, new = f"{root}/", f"{staging}/"  # joined as strings: thousands of files
    try:
        for rel, data in sorted(plan.items()):
            folder = rel.rpartition("/")[0]
            if folder not in made:
                (staging / folder).mkdir(parents=True, exist_ok=True)
                made.add(folder)
            if rel in reuse:
                try:
                    os.link(old + rel, new + rel, follow_symlinks=False)
                    continue
                except OSError:
                    pass  # no hard links here (or the file went away): write it
            (staging / rel).write_bytes(data)
        os.chmod(staging, mode)
        _swap(staging, root)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, root: Path) -> None:
    if not root.exists():
        os.rename(staging, root)
        return
    retired = Path(tempfile.mkdtemp(prefix=_staging_prefixes(root)[1], dir=root.parent))
    os.rmdir(retired)
    os.rename(root, retired)
    try:
        os.rename(staging, root)
    except BaseException:
        os.rename(retired, root)  # put the old tree back
        raise
    shutil.rmtree(retired, ignore_errors=True)
