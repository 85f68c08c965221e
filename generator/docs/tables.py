"""Parameter tables in a document page: markdown pipe tables, and tables whose cells lost their separators.

Exchange pages write the same table many ways: `Name | Type | Mandatory | Description`,
`Parameter | Required | Type | Comments`, nested rows as `> pair` or `\\>> code`, a long cell
broken over several lines, an example on a row of its own, or (copied from a web page) a header
such as `NameTypeRequiredDescription` with each row's cells run together. Every row keeps its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Header words, by the role of their column. Compared lowercased, without punctuation.
ROLES = {
    "name": ("name", "parameter", "parameter name", "parameters", "param", "param name", "field", "field name", "key"),
    "type": ("type", "data type", "value type", "param type"),
    "required": ("required", "mandatory", "is required", "must", "required or not"),
    "description": ("description", "comments", "comment", "remarks", "remark", "notes", "desc", "explanation"),
    "values": ("enum", "enums", "values", "allowed values", "possible values", "enum values", "options"),
    "optional": ("optional",),  # a column that says yes for optional parameters
}
_ROLE_OF = {word: role for role, words in ROLES.items() for word in words}

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*(\[\])?$")
_NEST = re.compile(r"^((?:\\?>|»|&gt;|└|─|-\s|\s)+)")
TRUE_WORDS = {"yes", "true", "required", "mandatory", "y", "是"}
FALSE_WORDS = {"no", "false", "optional", "n", "否"}

# Type words as documents write them, for tables whose cells are run together.
TYPE_WORDS = (
    r"(?:JSON\s+)?(?:LIST|ARRAY)(?:\s*<[^>]*>)?|STRING(?:\[\])?|LONG(?:\[\])?|INT(?:EGER|32|64)?(?:\[\])?"
    r"|FLOAT(?:32|64)?|DOUBLE|DECIMAL|BIGDECIMAL|NUMBER|BOOL(?:EAN)?|OBJECT|ENUM"
)


@dataclass
class Row:
    name: str  # the wire name, nesting marks removed
    depth: int  # 0 for a top-level parameter, 1 for `> name`, 2 for `>> name`
    line: int  # 1-based line of the row in the page
    type: str | None = None
    required: bool | None = None
    description: str = ""
    description_lines: list[int] = field(default_factory=list)  # lines the description spans
    values: tuple[str, ...] = ()  # from a column of allowed values (Enum, Values)


@dataclass
class Table:
    line: int  # the header's line
    columns: tuple[str, ...]  # role of each column ("name", "type", ... or "" for an unknown one)
    rows: list[Row]
    section: str = ""  # "request" or "response", from the heading above it


def clean(cell: str) -> str:
    """Markdown decoration off: links keep their text, no bold or code marks, escapes undone."""
    text = _LINK.sub(r"\1", cell)
    text = text.replace("**", "").replace("\\[", "[").replace("\\]", "]").replace("\\_", "_").replace("\\|", "|")
    return " ".join(text.split())


def _role(header: str) -> str:
    key = re.sub(r"[^a-z ]", "", clean(header).replace("`", "").lower()).strip()
    return _ROLE_OF.get(key, "")


def split_name(cell: str) -> tuple[str, int]:
    """`\\>> code` -> ("code", 2); `[kind](/docs/enum)` -> ("kind", 0)."""
    text = clean(cell).replace("`", "").strip()
    depth = 0
    m = _NEST.match(text)
    if m:
        depth = sum(m.group(1).count(c) for c in (">", "»", "└")) + m.group(1).count("&gt;")
        text = text[m.end() :]
    return text.strip(), depth


def parse_required(cell: str) -> bool | None:
    word = clean(cell).replace("`", "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _listed(cell: str) -> tuple[str, ...]:
    """`limit` `market` / limit, market / limit | market: the values a values column lists."""
    words = [w for w in re.split(r"[\s,/|]+", clean(cell).replace("`", " ")) if w and w not in ("-", "—")]
    return tuple(dict.fromkeys(words))


def _required(by_role: dict[str, str]) -> bool | None:
    if "required" in by_role:
        return parse_required(by_role["required"])
    optional = parse_required(by_role["optional"]) if "optional" in by_role else None
    return None if optional is None else not optional


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", text)]


def find_tables(lines: list[str]) -> list[Table]:
    """Every parameter table in the page: a name column and a type or required column (or only a description)."""
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        table, i = _pipe_table(lines, i) or _run_together_table(lines, i) or (None, i + 1)
        if table is not None and table.rows:
            tables.append(table)
    if any("<table" in line.lower() for line in lines):
        tables.extend(t for t in html_tables("\n".join(lines)) if t.rows)
        tables.sort(key=lambda t: t.line)
    return tables


_TABLE = re.compile(r"<table\b.*?</table>", re.I | re.S)
_TR = re.compile(r"<tr\b.*?</tr>", re.I | re.S)
_CELL = re.compile(r"<t([hd])\b[^>]*>(.*?)</t[hd]>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def html_tables(text: str) -> list[Table]:
    """Tables written in HTML (<table><tr><th>Name</th>...): each <tr> a row, on the line it starts."""
    import html

    tables: list[Table] = []
    for t in _TABLE.finditer(text):
        rows = [
            (text.count("\n", 0, t.start() + r.start()) + 1, _CELL.findall(r.group(0)))
            for r in _TR.finditer(t.group(0))
        ]
        rows = [(line, [html.unescape(_TAG.sub(" ", c)) for _, c in cells]) for line, cells in rows if cells]
        if not rows:
            continue
        columns = tuple(_role(c) for c in rows[0][1])
        if not _usable(columns):
            continue
        table = Table(rows[0][0], columns, [])
        for line, cells in rows[1:]:
            _add_row(table, [c.replace("|", "\\|") for c in cells], line, line)
        tables.append(table)
    return tables


def _usable(columns: tuple[str, ...]) -> bool:
    typed = "type" in columns or "required" in columns or "optional" in columns
    # A bare Field | Description table is how some pages list a response's fields.
    return "name" in columns and (typed or columns == ("name", "description"))


def _pipe_table(lines: list[str], i: int) -> tuple[Table, int] | None:
    if "|" not in lines[i] or i + 1 >= len(lines) or not _SEPARATOR.match(lines[i + 1]):
        return None
    columns = tuple(_role(c) for c in _cells(lines[i]))
    if not _usable(columns):
        return None
    table = Table(i + 1, columns, [])
    j = i + 2
    outer = lines[i].lstrip().startswith("|")  # `| a | b |`, or Slate's `a | b` without outer pipes
    pending: tuple[str, int] | None = None  # a row still open: its cell text runs onto the next line
    while j < len(lines):
        raw = lines[j]
        if not outer:
            if "|" not in raw:
                break
            _add_row(table, _cells(raw), j + 1, j + 1)
            j += 1
            continue
        if pending is None and (not raw.strip() or not raw.lstrip().startswith("|")):
            break
        text, start = (pending[0] + " " + raw.strip(), pending[1]) if pending else (raw, j)
        if not raw.rstrip().endswith("|") and j + 1 < len(lines) and lines[j + 1].strip():
            pending = (text, start)
            j += 1
            continue
        pending = None
        _add_row(table, _cells(text), start + 1, j + 1)
        j += 1
    return table, j


def _add_row(table: Table, cells: list[str], line: int, last: int) -> None:
    by_role = {role: cells[k] for k, role in enumerate(table.columns) if role and k < len(cells)}
    name, depth = split_name(by_role.get("name", ""))
    filled = [c for c in cells if c.strip()]
    if len(filled) <= 1 or not _NAME.match(name):
        # An example or remark on a row of its own continues the row above.
        if table.rows:
            row = table.rows[-1]
            row.description = (row.description + " " + clean(" ".join(filled))).strip()
            row.description_lines.extend(range(line, last + 1))
        return
    table.rows.append(
        Row(
            name=name,
            depth=depth,
            line=line,
            type=clean(by_role["type"]).replace("`", "") or None if "type" in by_role else None,
            required=_required(by_role),
            description=clean(by_role.get("description", "")),
            values=_listed(by_role.get("values", "")),
            description_lines=list(range(line, last + 1)),
        )
    )


def _header_words() -> str:
    words = sorted({w for ws in ROLES.values() for w in ws}, key=len, reverse=True)
    return "|".join(re.escape(w.title().replace(" ", "")) + "|" + re.escape(w.title()) for w in words)


_RUN_HEADER = re.compile(rf"^(?:{_header_words()})(?:\s*(?:{_header_words()})){{2,3}}$")


def _run_together_table(lines: list[str], i: int) -> tuple[Table, int] | None:
    """`NameTypeRequiredDescription` and rows like `symbolSTRINGYESTrading pair` (cells lost their separators)."""
    header = lines[i].strip()
    if "|" in header or not _RUN_HEADER.match(header):
        return None
    words = re.findall(_header_words(), header)
    columns = tuple(_role(w) for w in words)
    if not _usable(columns) or "" in columns:
        return None
    parts = {
        "name": r"(?P<name>[A-Za-z_][A-Za-z0-9_]*?)",
        "type": rf"(?P<type>{TYPE_WORDS})",
        "required": r"(?P<required>YES|NO|Yes|No|yes|no|TRUE|FALSE|True|False|true|false|Required|Optional)",
        "description": r"(?P<description>.*)",
    }
    row_re = re.compile("^" + "".join(parts[c] for c in columns) + "$", re.IGNORECASE)
    table = Table(i + 1, columns, [])
    j = i + 1
    while j < len(lines) and lines[j].strip():
        m = row_re.match(lines[j].strip())
        if m is None:
            break
        got = m.groupdict()
        table.rows.append(
            Row(
                name=got["name"],
                depth=0,
                line=j + 1,
                type=got.get("type"),
                required=parse_required(got["required"]) if got.get("required") else None,
                description=(got.get("description") or "").strip(),
                description_lines=[j + 1],
            )
        )
        j += 1
    return table, j
