"""Read YAML safely and remember where each value came from, so errors can name a line.

Refused outright: files over MAX_BYTES, anchors and aliases (no spec needs them, and they are how
'billion laughs' bombs are built), duplicate keys (YAML would silently keep the last one), and
any tag beyond the plain JSON-compatible ones.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from specgen.errors import SpecError

MAX_BYTES = 1 << 20
SNAPSHOT_MAX_BYTES = 16 << 20  # a document snapshot (only hashed)
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
        return _Builder(display, _events(text)).document()
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


def _events(text: str) -> Iterator[yaml.Event]:
    """The text's YAML events, from libyaml where PyYAML has it (every PyYAML wheel does; it
    parses about twenty times faster), else from PyYAML's own parser.

    Where both parsers accept a text they give the same events (tests/test_yaml_events.py). A text
    libyaml refuses is parsed again by PyYAML's parser, which words the error (so messages read the
    same on every machine) or, on a few odd texts it is laxer about, accepts it. libyaml in turn
    is laxer about a few texts PyYAML's parser refuses (a tab before a flow value, `[a?b]`): those
    are errors only where PyYAML has no libyaml.
    """
    if not yaml.__with_libyaml__ or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return _pure_events(text)  # (a character YAML does not allow: PyYAML's message names it)
    try:
        return iter(list(yaml.parse(text, Loader=yaml.CSafeLoader)))
    except yaml.YAMLError:
        return _pure_events(text)


def _pure_events(text: str) -> Iterator[yaml.Event]:
    # Lazily: an alias or a nesting bomb is refused where it starts, before the rest is parsed.
    return yaml.parse(text, Loader=yaml.SafeLoader)


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def read_bounded(path: Path, within: Path, display: str, limit: int, what: str = "spec file") -> bytes:
    """The bytes of a regular file inside `within` (links resolved), reading at most limit + 1.

    A link that leads out of `within`, a FIFO (which would block), a device such as /dev/zero
    (endless) or anything else that is not a regular file is refused before a byte is read; the
    size is judged by what is read, not by what stat says, so a file growing meanwhile is caught.
    """
    try:
        real = path.resolve(strict=True)
        base = within.resolve(strict=True)
    except OSError as exc:
        raise SpecError(display, None, "io", exc.strerror or str(exc)) from None
    if base not in real.parents:
        raise SpecError(display, None, "io", f"{what} is a link to {real}, outside {within}; links must stay inside it")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the resolved path is
        # not swapped for a link meanwhile.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise SpecError(display, None, "io", exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise SpecError(display, None, "io", f"{what} is {kind}; only regular files are read")
        if info.st_size > limit:
            raise SpecError(display, None, "size", f"{what} is {info.st_size} bytes; the limit is {limit}")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise SpecError(display, None, "io", exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise SpecError(display, None, "size", f"{what} is more than {limit} bytes; the limit is {limit}")
    return b"".join(chunks)


def load_file(path: Path, display: str, within: Path | None = None) -> Document:
    """A spec file, read with read_bounded inside `within` (default: the file's own folder)."""
    return load_bytes(display, read_bounded(path, within or path.parent, display, MAX_BYTES))


def load_bytes(display: str, raw: bytes) -> Document:
    """A spec file's bytes (as read_bounded returned them), decoded and loaded."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(display, None, "encoding", f"not UTF-8 (byte {exc.start})") from None
    return load_text(display, text)


class DocumentCache:
    """Spec documents already read and accepted by the language schema, by content (as black
    caches formatted files): reading and checking a spec costs far more than hashing it.

    An entry's key is the sha256 of the salt (a digest of the code that reads and checks specs,
    and of the tools' versions), the document kind, the path shown in messages and the file's
    bytes. Only documents the schema accepted are written, so every error is still found by
    reading. An entry is marshal data behind its own sha256: a damaged, truncated or foreign
    entry is a miss, never a wrong document. The folder is safe to delete.
    """

    MAGIC = b"specgen-document-1\0"

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.hits = 0
        self.misses = 0

    def key(self, kind: str, display: str, raw: bytes) -> str:
        h = hashlib.sha256(f"{self.salt}\0{kind}\0{display}\0".encode("utf-8", "surrogateescape"))
        h.update(raw)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str, display: str) -> Document | None:
        found = self._read(key, display)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def _read(self, key: str, display: str) -> Document | None:
        try:
            blob = self._path(key).read_bytes()
        except OSError:
            return None
        head, payload = blob[: len(self.MAGIC) + 32], blob[len(self.MAGIC) + 32 :]
        if head != self.MAGIC + hashlib.sha256(payload).digest():
            return None
        try:
            entry = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], dict)):
            return None
        return Document(display, entry[0], entry[1])

    def put(self, key: str, doc: Document) -> None:
        payload = marshal.dumps((doc.data, doc.lines))
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(self.MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:float",
}


class _Builder:
    """Turns a document's events into plain data, recording each value's line on the way, and
    refuses every anchor and alias, nesting beyond MAX_DEPTH, keys that are not plain strings,
    duplicate keys and tags beyond the JSON-compatible ones, as they are met."""

    def __init__(self, display: str, events: Iterator[yaml.Event]) -> None:
        self.display = display
        self.events = events
        self.lines: dict[Location, int] = {}
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()

    def document(self) -> Document:
        next(self.events)  # StreamStartEvent
        event = next(self.events)
        if isinstance(event, yaml.StreamEndEvent):
            raise SpecError(self.display, 1, "yaml", "the file is empty")
        data = self.build(next(self.events), (), 0)
        next(self.events)  # DocumentEndEvent
        event = next(self.events)
        if not isinstance(event, yaml.StreamEndEvent):
            raise SpecError(self.display, _line(event), "yaml", "a spec file holds one YAML document; found another")
        return Document(self.display, data, self.lines)

    def build(self, event: Any, here: Location, depth: int) -> Any:
        line = _line(event)
        self._plain(event, line)
        if depth >= MAX_DEPTH:
            raise SpecError(self.display, line, "yaml", f"nested more than {MAX_DEPTH} levels deep")
        self.lines[here] = line
        if isinstance(event, yaml.MappingStartEvent):
            self._expect_tag(event, yaml.MappingNode, "tag:yaml.org,2002:map")
            out: dict[str, Any] = {}
            while not isinstance(key := next(self.events), yaml.MappingEndEvent):
                key_line = _line(key)
                self._plain(key, key_line)
                if not isinstance(key, yaml.ScalarEvent) or self._tag(key, yaml.ScalarNode) != "tag:yaml.org,2002:str":
                    raise SpecError(self.display, key_line, "yaml", "keys must be plain strings")
                self._encodable(key.value, key_line)
                if key.value in out:
                    raise SpecError(self.display, key_line, "yaml", f"duplicate key {key.value!r}")
                out[key.value] = self.build(next(self.events), here + (key.value,), depth + 1)
            return out
        if isinstance(event, yaml.SequenceStartEvent):
            self._expect_tag(event, yaml.SequenceNode, "tag:yaml.org,2002:seq")
            items: list[Any] = []
            while not isinstance(item := next(self.events), yaml.SequenceEndEvent):
                items.append(self.build(item, here + (len(items),), depth + 1))
            return items
        # a scalar: what is left (the parsers produce no other node event)
        tag = self._tag(event, yaml.ScalarNode)
        if tag not in _SCALAR_TAGS:
            raise SpecError(self.display, line, "yaml", f"unsupported tag {tag}")
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, str):
            self._encodable(value, line)
        return value

    def _plain(self, event: yaml.Event, line: int) -> None:
        """Refuse an alias, or an anchor (on a key too), where it is met."""
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise SpecError(self.display, line, "yaml", "anchors and aliases are not allowed in specs")

    def _tag(self, event: Any, kind: type[yaml.Node]) -> str:
        """The event's tag, resolved as PyYAML's composer would (a plain scalar's from its text)."""
        if event.tag is not None and event.tag != "!":
            return str(event.tag)
        value = event.value if kind is yaml.ScalarNode else None
        return str(self.resolver.resolve(kind, value, event.implicit))  # type: ignore[no-untyped-call]

    def _encodable(self, text: str, line: int) -> None:
        """Refuse lone surrogates ("\\ud800" escapes): no UTF-8 file or Python source can hold them."""
        if text.isascii():
            return
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SpecError(
                self.display,
                line,
                "yaml",
                f"the escape of U+{ord(text[exc.start]):04X} is a lone surrogate, which no UTF-8 text can hold; "
                "write the character itself or a pair of escapes",
            ) from None

    def _expect_tag(self, event: yaml.Event, kind: type[yaml.Node], tag: str) -> None:
        found = self._tag(event, kind)
        if found != tag:
            raise SpecError(self.display, _line(event), "yaml", f"unsupported tag {found}")


def _line(event: Any) -> int:
    """The 1-based line an event starts on."""
    return int(event.start_mark.line) + 1


def _one_line(text: str) -> str:
    return " ".join(text.split())
