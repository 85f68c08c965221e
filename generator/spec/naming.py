"""Python names from wire names: itemIdList -> item_id_list, clientRefIDs -> client_ref_ids."""

from __future__ import annotations

import keyword
import re

# A plural acronym (IDs), a capitalised or lower word (Order, client, v5), or an acronym (URL).
_WORD = re.compile(r"[A-Z]+s(?![a-z])|[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")

# Names a generated method or record uses for itself, and builtins its annotations use (a
# field named `dict` would shadow `dict[str, JSON]` inside its own class body).
RESERVED = frozenset(
    {
        "self",
        "cls",
        "to_wire",
        "from_json",
        "init_field",
        "dict",
        "tuple",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "object",
    }
)


def snake(name: str) -> str:
    words = _WORD.findall(name.replace("-", "_"))
    out = "_".join(w.lower() for w in words) or "_"
    if out[0].isdigit():
        out = "_" + out
    return safe(out)


def safe(name: str) -> str:
    """Keywords and the generated code's own names get a trailing underscore."""
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in RESERVED:
        return name + "_"
    return name


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", name) if part)
