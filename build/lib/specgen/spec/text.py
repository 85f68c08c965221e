"""Types that keep spec text out of generated code unless it goes through one escaping filter.

Text wraps every string a spec supplies. It cannot be turned into str implicitly, so a template
that writes `{{ field.description }}` fails instead of pasting third-party text into code; the
`py` filter (repr) and `doc` filter (docstring text) are the only ways out. Ident is a name that has been checked
to be a safe Python identifier and may be printed as it is.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Text:
    value: str

    def __str__(self) -> str:
        raise TypeError("spec text cannot be printed raw; use the |py or |doc filter")

    def __format__(self, spec: str) -> str:
        raise TypeError("spec text cannot be printed raw; use the |py or |doc filter")

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True, order=True)
class Ident:
    value: str

    def __post_init__(self) -> None:
        if not self.value.isidentifier() or not self.value.isascii() or keyword.iskeyword(self.value):
            raise ValueError(f"not a safe Python identifier: {self.value!r}")

    def __str__(self) -> str:
        return self.value


class Code(str):
    """Python source produced by a filter: the only strings templates may print."""


def unwrap(value: object) -> object:
    """The plain value of a model scalar (Text or a number), for data files and comparisons."""
    return value.value if isinstance(value, Text) else value
