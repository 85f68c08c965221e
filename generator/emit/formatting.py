"""Turn rendered Python into the module written: its unused imports pruned, then formatted with
black, in-process, reusing earlier results.

Formatting dominates generation time, so results are cached on disk keyed by the sha256 of
(black version, mode, the pruning code, rendered source); cold work is spread over the available cores. The cache
holds only formatter outputs, so deleting it never changes what is generated. Pruning happens
inside the cached step, so a module whose rendering did not change is neither parsed nor formatted.

Whole files only: a module that changed is formatted whole by black, never piece by piece, so
what is written is always exactly black's output for that module.

The provenance header names a digest of the module's inputs (provenance.py): for a module that
lists the venue's endpoints, the whole spec folder, so one changed spec changes its first line.
Modules are therefore formatted (and cached) with their digest replaced by a placeholder of the
same length, which black lays out alike, and the digest is put back afterwards: a module whose
code did not change is a cache hit.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

from specgen.emit.imports import prune_imports
from specgen.errors import SpecError

LINE_LENGTH = 100
# Only worth a process pool when there is this much cold work: many files, or a few big ones
# (one changed spec re-formats its venue's modules, each of which grows with the venue).
PARALLEL_THRESHOLD = 24
PARALLEL_BYTES = 150_000


# The code that prunes imports: a cache entry is its output too, so a change to it is a miss.
PRUNING_CODE = Path(__file__).with_name("imports.py")


def _mode_key() -> str:
    pruning = hashlib.sha256(PRUNING_CODE.read_bytes()).hexdigest()
    return f"black={version('black')};line_length={LINE_LENGTH};target=py311;imports={pruning}"


def format_one(source: str) -> str:
    import black
    from black.mode import TargetVersion

    mode = black.Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)
    # black builds a large tree of short-lived objects; the cyclic collector, scanning it again
    # and again while it grows, made formatting superlinear in the module's size (a 10,000-line
    # module took three times as long per line as a 2,000-line one). One collection afterwards
    # reclaims it all. The output does not depend on when garbage is collected.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return black.format_str(source, mode=mode)
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)


# The provenance header's digest (see pipeline.provenance_line), and what stands in for it.
_DIGEST = re.compile(r"inputs sha256:([0-9a-f]{64})")
_PLACEHOLDER = "inputs sha256:" + "x" * 64


def _neutral(source: str) -> tuple[str, str | None]:
    """source with its one provenance digest replaced by the placeholder, and that digest (None:
    left as it is, when there is no digest, more than one, or the placeholder already occurs)."""
    found = set(_DIGEST.findall(source))
    if len(found) != 1 or _PLACEHOLDER in source:
        return source, None
    (digest,) = found
    return source.replace(f"inputs sha256:{digest}", _PLACEHOLDER), digest


def _restored(text: str, digest: str | None, expected: int) -> str | None:
    """Formatted text with the digest back in place; None when black did not keep every
    placeholder exactly once per original occurrence."""
    if digest is None:
        return text
    if text.count(_PLACEHOLDER) != expected:
        return None
    return text.replace(_PLACEHOLDER, f"inputs sha256:{digest}")


def _format_job(item: tuple[str, str]) -> tuple[str, str | None, str | None]:
    name, source = item
    try:
        return name, format_one(prune_imports(source)), None
    except Exception as exc:  # black raises several types; report them as one
        return name, None, f"{type(exc).__name__}: {exc}"


def _import_black() -> None:
    import black  # noqa: F401


def warm_worker() -> ProcessPoolExecutor:
    """One worker process that imports black at once, for the few modules an incremental run
    formats: the import (a tenth of a second) overlaps the reading and rendering meanwhile."""
    pool = ProcessPoolExecutor(max_workers=1)
    pool.submit(_import_black)
    return pool


def _run_jobs(
    jobs: list[tuple[str, str]], warm: ProcessPoolExecutor | None = None
) -> dict[str, tuple[str, str | None, str | None]]:
    workers = min(os.cpu_count() or 1, 8, len(jobs))
    big = len(jobs) >= PARALLEL_THRESHOLD or sum(len(src) for _, src in jobs) >= PARALLEL_BYTES
    if big and workers > 1:
        # Biggest first, one at a time, so that no worker is left with the largest file last.
        by_size = sorted(jobs, key=lambda job: (-len(job[1]), job[0]))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return {name: (name, text, error) for name, text, error in pool.map(_format_job, by_size)}
    if warm is not None:
        return {name: (name, text, error) for name, text, error in warm.map(_format_job, jobs)}
    return {job[0]: _format_job(job) for job in jobs}


class Formatter:
    def __init__(self, cache_dir: Path | None, warm: ProcessPoolExecutor | None = None) -> None:
        self.cache_dir = cache_dir
        self.warm = warm  # a warm_worker() to format a few cold modules in
        self.mode_key = _mode_key()
        self.hits = 0
        self.misses = 0
        self.formatted: list[str] = []  # the names black formatted, in name order

    def _key(self, source: str) -> str:
        return hashlib.sha256((self.mode_key + "\0" + source).encode("utf-8", "surrogatepass")).hexdigest()

    def format_many(self, sources: dict[str, str]) -> dict[str, str]:
        """The module written for each rendered source (imports pruned, formatted); raises
        SpecError naming the file black rejected."""
        out: dict[str, str] = {}
        cold: dict[str, str] = {}
        neutral = {name: _neutral(src) for name, src in sources.items()}
        keys = {name: self._key(text) for name, (text, _) in neutral.items()}
        for name, (text, digest) in neutral.items():
            cached = self._read(keys[name])
            restored = None if cached is None else _restored(cached, digest, text.count(_PLACEHOLDER))
            if restored is None:
                cold[name] = text
            else:
                out[name] = restored
        self.hits += len(out)
        self.misses += len(cold)
        jobs = sorted(cold.items())
        self.formatted += [name for name, _ in jobs]
        done = _run_jobs(jobs, self.warm) if jobs else {}
        for name, _ in jobs:  # errors are reported in name order
            _, formatted, error = done[name]
            if formatted is None:
                raise SpecError(name, None, "format", f"black could not format the rendered code: {error}")
            text, digest = neutral[name]
            restored = _restored(formatted, digest, text.count(_PLACEHOLDER))
            if restored is None:  # black moved the header about: format the module as it is
                restored = format_one(prune_imports(sources[name]))
            else:
                self._write(keys[name], formatted)
            out[name] = restored
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
