"""Imports computed from use: a rendered module keeps only the imported names it uses.

Templates import what a module may need; which of those names a given venue's module really
uses depends on its spec (a venue with no query parameters never calls query_string). Rather
than mirror every template's conditions in its import lists, each rendered module is read
back and its imports cut down to the names the code that can see them uses: the module's own
(and `__all__`) for top-level imports and those under `if TYPE_CHECKING:`, a function's for the
imports at the top of its body. An import marked `# noqa` is kept whole: it is there for its
side effect. A `TYPE_CHECKING` block left empty goes, and with it the flag when nothing reads it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from itertools import pairwise

Edit = tuple[int, int, str]  # (first line, end line, replacement), 0-based, end exclusive


def _loaded(tree: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _exported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            if isinstance(node.value, (ast.List, ast.Tuple)):
                names |= {e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return names


def _statement(node: ast.Import | ast.ImportFrom, aliases: list[ast.alias], indent: str) -> str:
    names = ", ".join(a.name if a.asname is None else f"{a.name} as {a.asname}" for a in aliases)
    if isinstance(node, ast.Import):
        return f"{indent}import {names}\n"
    return f"{indent}from {'.' * node.level}{node.module or ''} import {names}\n"


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _prune(body: list[ast.stmt], used: set[str], lines: list[str]) -> Iterator[tuple[ast.stmt, str | None]]:
    """(statement, replacement) for each import in body that names something unused; None: drop it."""
    for node in body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or node.end_lineno is None:
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        span = lines[node.lineno - 1 : node.end_lineno]
        if any("# noqa" in line for line in span) or any(a.name == "*" for a in node.names):
            continue
        kept = [a for a in node.names if (a.asname or a.name).split(".")[0] in used or a.asname == a.name]
        if len(kept) < len(node.names):
            indent = lines[node.lineno - 1][: node.col_offset]
            yield node, (_statement(node, kept, indent) if kept else None)


def _span(node: ast.stmt) -> tuple[int, int]:
    assert node.end_lineno is not None
    return node.lineno - 1, node.end_lineno


def prune_imports(source: str) -> str:
    """source with every import of a name its scope does not use removed."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    names: set[str] = set()
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in ast.walk(tree):  # one walk: the names read anywhere, and the functions
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(node)
    module_used = names | _exported(tree)
    edits: list[Edit] = []
    dropped: set[int] = set()  # ids of the import statements that go
    for node, text in _prune(tree.body, module_used, lines):
        edits.append((*_span(node), text or ""))
    for block in (n for n in tree.body if _is_type_checking(n)):
        assert isinstance(block, ast.If)
        changes = list(_prune(block.body, module_used, lines))
        dropped |= {id(node) for node, text in changes if text is None}
        if all(id(node) in dropped for node in block.body) and not block.orelse:
            edits.append((*_span(block), ""))
        else:
            edits += [(*_span(node), text or "") for node, text in changes]
    for func in functions:
        if any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in func.body):  # most have none
            edits += [(*_span(node), text or "") for node, text in _prune(func.body, _loaded(func), lines)]
    out = _apply(lines, edits)
    return _close_gaps(_drop_unread_flag(out) if out != source else out)


# Two or more blank lines before a line that starts an import (a candidate; ast confirms it).
_GAP = re.compile(r"\n[ \t]*\n[ \t]*\n(?:from|import) ")


def _close_gaps(source: str) -> str:
    """At most one blank line before a top-level import: a template's import that is not rendered,
    or one pruned here, leaves a gap that black keeps (it allows two)."""
    if not _GAP.search(source):
        return source
    lines = source.splitlines(keepends=True)
    edits: list[Edit] = []
    body = ast.parse(source).body
    for before, node in pairwise(body):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and before.end_lineno is not None:
            between = lines[before.end_lineno : node.lineno - 1]
            if len(between) >= 2 and not "".join(between).strip():
                edits.append((before.end_lineno, node.lineno - 2, ""))
    return _apply(lines, edits)


def _apply(lines: list[str], edits: list[Edit]) -> str:
    lines = list(lines)
    for first, end, text in sorted(edits, reverse=True):
        lines[first:end] = [text]
    return "".join(lines)


def _drop_unread_flag(source: str) -> str:
    """Without its block, a module's `TYPE_CHECKING = False` is read by nothing: it goes too."""
    tree = ast.parse(source)
    if "TYPE_CHECKING" in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}:
        return source
    flags = [
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and [getattr(t, "id", None) for t in n.targets] == ["TYPE_CHECKING"]
    ]
    return _apply(source.splitlines(keepends=True), [(*_span(n), "") for n in flags])
