"""Format rendered Python with black, in-process, reusing earlier results.

Formatting dominates generation time, so results are cached on disk keyed by the sha256 of
(black version, mode, source); cold work is spread over the available cores. The cache holds
only formatter outputs, so deleting it never changes what is generated.

Big modules (a venue's validators, models, client) change a little when one spec changes, so
their formatted output is also reused piece by piece: see `Segments`. A module is cut at its
top-level statements, and a large class at its body statements; the formatted text of a piece
is cached under the sha256 of the piece together with the two pieces before it (black's
decisions about a statement, blank lines before it included, depend only on the statement and
the one before it; two give a margin for black's second pass). A piece whose key is not cached
is formatted in such a small window of its own. Whole-file runs record every piece of their
output, and check that pieces recorded before agree with them: if one ever does not, piecewise
reuse is switched off for good in that cache (`seg/disabled-*`), so a mistake in this reasoning
costs time, never output.
"""

from __future__ import annotations

import ast
import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from specgen.errors import SpecError

LINE_LENGTH = 100
# Only worth a process pool when there is this much cold work: many files, or a few big ones
# (one changed spec re-formats its venue's modules, each of which grows with the venue).
PARALLEL_THRESHOLD = 24
PARALLEL_BYTES = 150_000

# Piecewise reuse: for modules at least this big, with at least this many pieces, when at least
# this share of their pieces is cached.
SEGMENT_MIN_BYTES = 32_000
SEGMENT_MIN_PIECES = 8
SEGMENT_MIN_HIT_RATIO = 0.5
CLASS_MIN_BODY = 6  # a class with this many body statements is cut into them
SEGMENT_FORMAT = "segments-1"
_PREFIX = "pass\n"  # stands for "not at the top of the file" in windows that start later


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


# ---------------------------------------------------------------------------------------------
# Pieces


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators])


def _end(node: ast.stmt) -> int:
    assert node.end_lineno is not None
    return node.end_lineno


def _separate(stmts: list[ast.stmt], after: int) -> bool:
    """Every statement starts on a line of its own, after `after` and after the one before it."""
    for node in stmts:
        if _first_line(node) <= after:
            return False
        after = _end(node)
    return True


def _is_split_class(node: ast.stmt, lines: list[str]) -> bool:
    return (
        isinstance(node, ast.ClassDef)
        and len(node.body) >= CLASS_MIN_BODY
        and lines[node.lineno - 1].rstrip().endswith(":")
        and _separate(node.body, node.lineno)
    )


@dataclass(frozen=True)
class Piece:
    key: str
    window: str  # the source to format when the piece is not cached
    kind: str  # tail: after statement `index` of the window to its end; head: up to the class line
    index: int  # statements before the piece's own in the window (top-level, or in the class)


@dataclass(frozen=True)
class Segments:
    """A module as pieces, in order; their formatted texts, joined, are the formatted module."""

    pieces: tuple[Piece, ...]
    shape: tuple[int, ...]  # per top-level statement: body statements of a class cut up, else -1

    @staticmethod
    def of(source: str, mode_key: str) -> Segments | None:
        if "fmt:" in source or "yapf:" in source or "\r" in source or "\f" in source or not source.endswith("\n"):
            return None  # formatter directives and odd line ends: always formatted whole
        try:
            stmts = ast.parse(source).body
        except (SyntaxError, ValueError):
            return None
        lines = source.splitlines(keepends=True)
        if len(stmts) < 2 or not _separate(stmts, 0):
            return None
        # Each top-level statement's region: from the end of the one before to its own end (the
        # last one to the end of the file), so comments and blank lines go with what follows.
        regions: list[str] = []
        forms: list[tuple[str, str, list[str]] | None] = []  # split class: (header, last body, body regions)
        prev = 0
        for i, node in enumerate(stmts):
            end = _end(node) if i < len(stmts) - 1 else len(lines)
            regions.append("".join(lines[prev:end]))
            if _is_split_class(node, lines) and (i < len(stmts) - 1 or end == _end(node)):
                assert isinstance(node, ast.ClassDef)
                header = "".join(lines[prev : node.lineno])
                body, at = [], node.lineno
                for child in node.body:
                    body.append("".join(lines[at : _end(child)]))
                    at = _end(child)
                forms.append((header, body[-1], body))
            else:
                forms.append(None)
            prev = end

        def context(i: int) -> str:
            form = forms[i]
            return regions[i] if form is None else form[0] + form[1]  # a class: header and last body statement

        def key(*parts: object) -> str:
            h = hashlib.sha256(f"{SEGMENT_FORMAT}\0{mode_key}".encode())
            for part in parts:
                h.update(b"\0" + str(part).encode("utf-8", "surrogatepass"))
            return h.hexdigest()

        pieces: list[Piece] = []
        for i in range(len(stmts)):
            before = [context(j) for j in range(max(0, i - 2), i)]
            prefix = _PREFIX if i > 2 else ""
            index = len(before) + (1 if prefix else 0)
            form = forms[i]
            if form is None:
                window = prefix + "".join(before) + regions[i]
                pieces.append(Piece(key("tail", index, window), window, "tail", index))
                continue
            header, _, body = form
            window = prefix + "".join(before) + header + body[0] + body[1]
            pieces.append(Piece(key("head", index, window), window, "head", index))
            for j in range(len(body)):
                inner = body[max(0, j - 2) : j]
                window = header + "".join(inner) + body[j]
                pieces.append(Piece(key("body", len(inner), window), window, "body", len(inner)))
        shape = tuple(-1 if form is None else len(form[2]) for form in forms)
        return Segments(tuple(pieces), shape)

    @staticmethod
    def extract(piece: Piece, formatted: str) -> str | None:
        """The piece's own text in its formatted window (None: not the expected shape)."""
        try:
            stmts = ast.parse(formatted).body
        except (SyntaxError, ValueError):
            return None
        lines = formatted.splitlines(keepends=True)
        if piece.kind == "body":
            if len(stmts) != 1 or not isinstance(stmts[0], ast.ClassDef):
                return None
            cls = stmts[0]
            if len(cls.body) != piece.index + 1 or not _header_alone(cls, lines):
                return None
            start = _end(cls.body[piece.index - 1]) if piece.index else cls.lineno
            return "".join(lines[start:])
        if len(stmts) != piece.index + 1:
            return None
        start = _end(stmts[piece.index - 1]) if piece.index else 0
        if piece.kind == "tail":
            return "".join(lines[start:])
        node = stmts[piece.index]
        if not isinstance(node, ast.ClassDef) or not _header_alone(node, lines):
            return None
        cls = node
        return "".join(lines[start : cls.lineno])

    def split(self, formatted: str) -> list[str] | None:
        """Each piece's text, cut from the whole formatted module (None: shapes differ)."""
        try:
            out_stmts = ast.parse(formatted).body
        except (SyntaxError, ValueError):
            return None
        lines = formatted.splitlines(keepends=True)
        if len(out_stmts) != len(self.shape):
            return None
        texts: list[str] = []
        prev = 0
        for i, (body_count, out) in enumerate(zip(self.shape, out_stmts, strict=False)):
            end = _end(out) if i < len(out_stmts) - 1 else len(lines)
            if body_count >= 0:
                if not isinstance(out, ast.ClassDef) or len(out.body) != body_count or not _header_alone(out, lines):
                    return None
                if end != _end(out):  # the last statement, followed by more lines: not cut in the source
                    return None
                texts.append("".join(lines[prev : out.lineno]))
                at = out.lineno
                for child in out.body:
                    texts.append("".join(lines[at : _end(child)]))
                    at = _end(child)
            else:
                texts.append("".join(lines[prev:end]))
            prev = end
        return texts if len(texts) == len(self.pieces) else None


def _header_alone(cls: ast.ClassDef, lines: list[str]) -> bool:
    """The class statement's header is its own single line, the body below it."""
    return lines[cls.lineno - 1].rstrip().endswith(":") and _first_line(cls.body[0]) > cls.lineno


# ---------------------------------------------------------------------------------------------


class Formatter:
    def __init__(self, cache_dir: Path | None) -> None:
        self.cache_dir = cache_dir
        self.mode_key = _mode_key()
        self.hits = 0
        self.misses = 0
        self.pieces_reused = 0
        self.pieces_formatted = 0

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
        segments = {name: self._segments(src) for name, src in cold.items()}
        # Modules most of whose pieces are cached: format only the missing pieces, in windows.
        piecewise = self._piecewise({n: s for n, s in segments.items() if s is not None and self._mostly_cached(s)})
        for name, text in piecewise.items():
            out[name] = text
            self._write(keys[name], text)
        jobs = sorted((name, src) for name, src in cold.items() if name not in piecewise)
        done = _run_jobs(jobs) if jobs else {}
        for name, _ in jobs:  # errors are reported in name order
            _, formatted, error = done[name]
            if formatted is None:
                raise SpecError(name, None, "format", f"black could not format the rendered code: {error}")
            text = formatted
            out[name] = text
            self._write(keys[name], text)
            seg = segments[name]
            if seg is not None:
                self._record(seg, text)
        return out

    # -- pieces ---------------------------------------------------------------------------------

    def _segment_dir(self) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / "seg"

    def _disabled_marker(self) -> Path | None:
        seg = self._segment_dir()
        return None if seg is None else seg / f"disabled-{hashlib.sha256(self.mode_key.encode()).hexdigest()[:16]}"

    def _segments(self, source: str) -> Segments | None:
        marker = self._disabled_marker()
        if marker is None or len(source) < SEGMENT_MIN_BYTES or marker.exists():
            return None
        seg = Segments.of(source, self.mode_key)
        return seg if seg is not None and len(seg.pieces) >= SEGMENT_MIN_PIECES else None

    def _mostly_cached(self, seg: Segments) -> bool:
        found = sum(1 for p in seg.pieces if self._piece_path(p.key).exists())
        return found >= SEGMENT_MIN_HIT_RATIO * len(seg.pieces)

    def _piece_path(self, key: str) -> Path:
        seg = self._segment_dir()
        assert seg is not None
        return seg / key[:2] / key

    def _read_piece(self, key: str) -> str | None:
        try:
            return self._piece_path(key).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def _piecewise(self, todo: dict[str, Segments]) -> dict[str, str]:
        """Formatted modules assembled from cached and freshly formatted pieces (a module whose
        window does not format as expected is left out: it is formatted whole)."""
        texts: dict[str, list[str | None]] = {}
        windows: dict[str, Piece] = {}
        for name, seg in todo.items():
            got = [self._read_piece(p.key) for p in seg.pieces]
            texts[name] = got
            for piece, text in zip(seg.pieces, got, strict=False):
                if text is None:
                    windows.setdefault(piece.key, piece)
        done = _run_jobs(sorted((k, p.window) for k, p in windows.items())) if windows else {}
        fresh: dict[str, str] = {}
        for k, piece in windows.items():
            formatted = done[k][1]
            text = None if formatted is None else Segments.extract(piece, formatted)
            if text is not None:
                fresh[k] = text
                self._write_piece(k, text)
        out: dict[str, str] = {}
        for name, seg in todo.items():
            parts = [t if t is not None else fresh.get(p.key) for p, t in zip(seg.pieces, texts[name], strict=False)]
            if all(t is not None for t in parts):
                out[name] = "".join(t for t in parts if t is not None)
                self.pieces_reused += sum(1 for t in texts[name] if t is not None)
                self.pieces_formatted += sum(1 for t in texts[name] if t is None)
        return out

    def _record(self, seg: Segments, formatted: str) -> None:
        """Keep each piece of a module formatted whole; disagreeing with a kept one disables reuse."""
        texts = seg.split(formatted)
        if texts is None:
            return
        for piece, text in zip(seg.pieces, texts, strict=False):
            kept = self._read_piece(piece.key)
            if kept is None:
                self._write_piece(piece.key, text)
            elif kept != text:
                marker = self._disabled_marker()
                assert marker is not None
                self._atomic_write(marker, f"piece {piece.key} differs from a whole-file run\n")
                return

    def _write_piece(self, key: str, text: str) -> None:
        self._atomic_write(self._piece_path(key), text)

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
