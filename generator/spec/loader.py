"""Read YAML safely and remember where each value came from, so errors can name a line.

Refused outright: files over MAX_BYTES, anchors and aliases (no spec needs them, and they are how
'billion laughs' bombs are built), duplicate keys (YAML would silently keep the last one), and
any tag beyond the plain JSON-compatible ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from specgen.errors import SpecError

MAX_BYTES = 1 << 20
MAX_DEPTH = 64  # nesting levels; real specs use under 20, and deeper ones would exhaust the stack
Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    path: str  # as shown to users (relative to the project when possible)
    data: Any
    lines: dict[Location, int]  # JSON path -> 1-based line

    def line_of(self, location: Location) -> int | None:
        """The line of the deepest known prefix of location."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return None


def load_text(display: str, text: str) -> Document:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SpecError(display, None, "size", f"spec file is larger than {MAX_BYTES} bytes")
    try:
        loader = _Loader(text, display)
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as a raw control
        raise SpecError(
            display,
            text.count("\n", 0, exc.position) + 1,
            "yaml",
            f"character U+{exc.character:04X} is not allowed; write it as an escape in a double-quoted string",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SpecError(display, line, "yaml", _one_line(exc.problem or str(exc))) from None
    except yaml.YAMLError as exc:
        raise SpecError(display, None, "yaml", _one_line(str(exc))) from None
    if node is None:
        raise SpecError(display, 1, "yaml", "the file is empty")
    builder = _Builder(display, loader)
    data = builder.build(node, ())
    return Document(display, data, builder.lines)


def load_file(path: Path, display: str) -> Document:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SpecError(display, None, "size", f"spec file is {size} bytes; the limit is {MAX_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(display, None, "io", exc.strerror or str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(display, None, "encoding", f"not UTF-8 (byte {exc.start})") from None
    return load_text(display, text)


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:float",
}


class _Loader(yaml.SafeLoader):
    """Refuses every anchor and alias, and nesting beyond MAX_DEPTH, as they are met."""

    def __init__(self, text: str, display: str) -> None:
        super().__init__(text)
        self.display = display
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise SpecError(self.display, line, "yaml", "anchors and aliases are not allowed in specs")
        if self.depth >= MAX_DEPTH:
            raise SpecError(self.display, line, "yaml", f"nested more than {MAX_DEPTH} levels deep")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Builder:
    """Turns composed nodes into plain data, recording each value's line on the way."""

    def __init__(self, display: str, constructor: yaml.SafeLoader) -> None:
        self.display = display
        self.constructor = constructor
        self.lines: dict[Location, int] = {}
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, here: Location) -> Any:
        line = node.start_mark.line + 1
        self.lines[here] = line
        if isinstance(node, yaml.CollectionNode):
            # The composer turns an alias into a second reference to the anchored node.
            if id(node) in self.seen:
                raise SpecError(self.display, line, "yaml", "anchors and aliases are not allowed in specs")
            self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            self._expect_tag(node, "tag:yaml.org,2002:map")
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                    raise SpecError(self.display, key_line, "yaml", "keys must be plain strings")
                key = key_node.value
                if key in out:
                    raise SpecError(self.display, key_line, "yaml", f"duplicate key {key!r}")
                out[key] = self.build(value_node, here + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            self._expect_tag(node, "tag:yaml.org,2002:seq")
            return [self.build(item, here + (i,)) for i, item in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            raise SpecError(self.display, line, "yaml", f"unsupported tag {node.tag}")
        return self.constructor.construct_object(node, deep=True)

    def _expect_tag(self, node: yaml.Node, tag: str) -> None:
        if node.tag != tag:
            raise SpecError(self.display, node.start_mark.line + 1, "yaml", f"unsupported tag {node.tag}")


def _one_line(text: str) -> str:
    return " ".join(text.split())
