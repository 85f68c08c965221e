"""Format rendered Python with black, in-process, reusing earlier results.

Formatting dominates generation time, so results are cached on disk keyed by the sha256 of
(black version, mode, source); cold work is spread over the available cores. The cache holds
only formatter outputs, so deleting it never changes what is generated.

Whole files only: a module that changed is formatted whole by black, never piece by piece, so
what is written is always exactly black's output for that module.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

from specgen.errors import SpecError

LINE_LENGTH = 100
# Only worth a process pool when there is this much cold work: many files, or a few big ones
# (one changed spec re-formats its venue's modules, each of which grows with the venue).
PARALLEL_THRESHOLD = 24
PARALLEL_BYTES = 150_000


def _mode_key() -> str:
    return f"black={version('black')};line_length={LINE_LENGTH};target=py311"


def format_one(source: str) -> str:
    import black
    from black.mode import TargetVersion

    mode = black.Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)
    return black.format_str(source, mode=mode)


def _format_job(item: tuple[str, str]) -> tuple[str, str | None, str | None]:
    name, source = item
    try:
        return name, format_one(source), None
    except Exception as exc:  # black raises several types; report them as one
        return name, None, f"{type(exc).__name__}: {exc}"


def _run_jobs(jobs: list[tuple[str, str]]) -> dict[str, tuple[str, str | None, str | None]]:
    workers = min(os.cpu_count() or 1, 8, len(jobs))
    big = len(jobs) >= PARALLEL_THRESHOLD or sum(len(src) for _, src in jobs) >= PARALLEL_BYTES
    if big and workers > 1:
        # Biggest first, one at a time, so that no worker is left with the largest file last.
        by_size = sorted(jobs, key=lambda job: (-len(job[1]), job[0]))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return {name: (name, text, error) for name, text, error in pool.map(_format_job, by_size)}
    return {job[0]: _format_job(job) for job in jobs}


class Formatter:
    def __init__(self, cache_dir: Path | None) -> None:
        self.cache_dir = cache_dir
        self.mode_key = _mode_key()
        self.hits = 0
        self.misses = 0

    def _key(self, source: str) -> str:
        return hashlib.sha256((self.mode_key + "\0" + source).encode("utf-8", "surrogatepass")).hexdigest()

    def format_many(self, sources: dict[str, str]) -> dict[str, str]:
        """Formatted text for each name; raises SpecError naming the file black rejected."""
        out: dict[str, str] = {}
        cold: dict[str, str] = {}
        keys = {name: self._key(src) for name, src in sources.items()}
        for name, src in sources.items():
            cached = self._read(keys[name])
            if cached is None:
                cold[name] = src
            else:
                out[name] = cached
        self.hits += len(out)
        self.misses += len(cold)
        jobs = sorted(cold.items())
        done = _run_jobs(jobs) if jobs else {}
        for name, _ in jobs:  # errors are reported in name order
            _, formatted, error = done[name]
            if formatted is None:
                raise SpecError(name, None, "format", f"black could not format the rendered code: {error}")
            text = formatted
            out[name] = text
            self._write(keys[name], text)
        return out

    # -- whole files ----------------------------------------------------------------------------

    def _path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / key[:2] / key

    def _read(self, key: str) -> str | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            return path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def _write(self, key: str, text: str) -> None:
        path = self._path(key)
        if path is not None:
            self._atomic_write(path, text)

    def _atomic_write(self, path: Path, text: str) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(text, "utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time
