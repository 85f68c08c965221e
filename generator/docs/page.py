"""What a document page states, as a tree of fields with the line of each fact.

The request is read from parameter tables; the response from response tables and JSON examples
(each a separate view, placed into the spec's response by the comparison); limits from cells and
from prose. Which section a table or example belongs to is decided by the heading above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specgen.docs.examples import Example, json_blocks, scan
from specgen.docs.prose import Limit, encoding_in, limits_in, values_in
from specgen.docs.tables import Row, Table, clean, find_tables

# The path with or without its leading slash ("POST api/v1/x"); without one it must hold a slash.
_HTTP = re.compile(r"\b(GET|POST|PUT|DELETE|PATCH)\s+`?(/[\w/{}.\-:]+|[\w{}.\-]+/[\w/{}.\-:]+)`?")
_TAG = re.compile(r"<[^>]*>")
# An OpenAPI paths entry: "  /api/x:" with its operation ("    post:") on the next line.
_OPENAPI_PATH = re.compile(r"^\s*(/[\w/{}.\-]+):\s*$")
_OPENAPI_METHOD = re.compile(r"^\s*(get|post|put|delete|patch):\s*$")


@dataclass
class DocField:
    name: str
    line: int
    type: str | None = None  # the document's own type word ("LIST<LONG>", "string", or an example's value kind)
    required: bool | None = None
    description: str = ""
    limits: list[Limit] = field(default_factory=list)
    values: tuple[str, ...] = ()  # listed values (an enum)
    encoding: str | None = None
    children: dict[str, DocField] = field(default_factory=dict)
    from_example: bool = False


@dataclass
class View:
    """One account of the response: a table or an example, relative to wherever it sits in the body."""

    line: int
    kind: str  # "table" or "example"
    fields: dict[str, DocField]
    root: str = "object"  # an example's outermost value: "object" or "list"


@dataclass
class Page:
    lines: list[str]
    request: dict[str, DocField]
    request_line: int | None  # the request table's header line
    responses: list[View]
    limits: list[Limit]  # stated in prose, about the request as a whole ("Maximum 10 orders per request")
    method: str | None = None
    path: str | None = None
    title: str = ""


def read_page(text: str) -> Page:
    lines = text.splitlines()
    tables = find_tables(lines)
    blocks = json_blocks(lines)
    taken: set[int] = set()
    for t in tables:
        taken.update(range(t.line - 1, max(r.description_lines[-1] for r in t.rows)))
    for first, block in blocks:
        taken.update(range(first, first + len(block) + 1))
    page = Page(lines, {}, None, [], [])
    for t in tables:
        t.section = _section(lines, t.line - 1, "required" in t.columns)
        names = {r.name for r in t.rows}
        tree = _tree(t, names)
        if t.section == "request" and page.request_line is None:
            page.request, page.request_line = tree, t.line
        elif t.section == "response":
            page.responses.append(View(t.line, "table", tree))
    for first, block in blocks:
        if _section(lines, first, False, blocks_only=True) == "response":
            example = scan(first, block)
            if example.keys:
                root = "list" if "".join(block).lstrip().startswith("[") else "object"
                page.responses.append(View(example.line, "example", _example_tree(example), root))
    top = set(page.request)
    for i, line in enumerate(lines):
        if i in taken or not line.strip():
            continue
        words = clean(line)
        if page.method is None and (m := _HTTP.search(_TAG.sub(" ", words))):
            page.method, page.path = m.group(1), "/" + m.group(2).lstrip("/")
        elif page.method is None and (m := _OPENAPI_PATH.match(line)) and i + 1 < len(lines):
            if verb := _OPENAPI_METHOD.match(lines[i + 1]):
                page.method, page.path = verb.group(1).upper(), m.group(1)
        named = [n for n in top if re.search(rf"\b{re.escape(n)}\b", words)]
        for lim in limits_in(words, i + 1):
            if len(named) == 1 and not lim.when:
                page.request[named[0]].limits.append(lim)
            else:
                page.limits.append(lim)
        if not page.title and line.lstrip().startswith("#"):
            page.title = words.lstrip("# ").strip()
    if not page.title:
        page.title = next((clean(x) for x in lines if x.strip() and "skip to" not in x.lower()), "")
    return page


def _section(lines: list[str], start: int, has_required: bool, blocks_only: bool = False) -> str:
    """ "request" or "response": the nearest heading-like line above start that says which."""
    for i in range(start - 1, max(-1, start - 15), -1):
        text = lines[i].strip().lower()
        if not text or text.startswith(("|", "```", "~~~")) or len(text) > 80:
            continue
        if re.search(r"\b(responses?|returns?|results?|output)\b", text):
            return "response"
        if re.search(r"\b(request|parameters?|input|query|body)\b", text):
            return "request"
        if blocks_only:
            continue
    if blocks_only:
        return ""
    return "request" if has_required else "response"


def _tree(table: Table, names: set[str]) -> dict[str, DocField]:
    """Rows into a tree: `> name` under the nearest row above it one level up; `a.b` under `a`."""
    root: dict[str, DocField] = {}
    stack: list[DocField] = []  # the open row at each depth
    for row in table.rows:
        parts = [p for p in re.split(r"\.|\[\]\.?", row.name) if p]
        depth = row.depth
        parent = stack[depth - 1].children if 0 < depth <= len(stack) else root
        for p in parts[:-1]:  # a dotted name: its parents by name
            parent = parent.setdefault(p, DocField(p, row.line)).children
        node = _field(parts[-1], row, names)
        parent[node.name] = node
        del stack[depth:]
        stack.append(node)
    return root


def _field(name: str, row: Row, names: set[str]) -> DocField:
    text = row.description
    limits = limits_in(text, row.line)
    return DocField(
        name=name,
        line=row.line,
        type=row.type,
        required=row.required,
        description=text,
        limits=limits,
        values=row.values or values_in(text, names),
        encoding=encoding_in(row.type, text),
    )


def _example_tree(example: Example) -> dict[str, DocField]:
    root: dict[str, DocField] = {}
    for key in example.keys:
        parent = root
        for p in key.path[:-1]:
            parent = parent.setdefault(p, DocField(p, key.line, from_example=True)).children
        name = key.path[-1]
        if name not in parent:
            parent[name] = DocField(name, key.line, type=key.kind, from_example=True)
        elif parent[name].type in (None, "null"):
            parent[name].type = key.kind
    return root
