"""What importing a generated package costs: no module it can do without until it is used.

typing, json, urllib.parse (with ipaddress), hashlib and hmac cost a package's import several
milliseconds (issue 15 asks for under 15 ms in all); the packages import them where they are
first needed. The annotations still read back as typing's own objects (typing.get_type_hints).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import typing

import pytest

from tests.helpers import GENERATED, VENUES

# Modules a package needs only once it is used: read hints, encode, decode, sign, send.
LATER = ("typing", "json", "urllib.parse", "ipaddress", "hashlib", "hmac", "copy", "dataclasses", "socket", "asyncio")

SCRIPT = """
import importlib, sys
package = importlib.import_module(sys.argv[1])
imported = sorted(name for name in {later!r} if name in sys.modules)
import json, typing
hints = 0
models = [v for v in vars(package.models).values() if isinstance(v, type) and v.__module__.startswith(sys.argv[1])]
calls = [getattr(c, n) for c in (package.Client, package.AsyncClient) for n in dir(c) if not n.startswith("__")]
calls = [f for f in calls if callable(f) and getattr(f, "__module__", "").startswith(sys.argv[1])]
for value in models + calls:
    for hint in typing.get_type_hints(value).values():  # NameError if a name is missing
        hints += 1
print(json.dumps({{"imported": imported, "hints": hints}}))
"""


@pytest.mark.parametrize("venue", VENUES)
def test_a_package_imports_no_module_it_needs_only_later(venue: str) -> None:
    result = subprocess.run(
        [sys.executable, "-S", "-E", "-s", "-c", SCRIPT.format(later=LATER), venue],
        cwd=GENERATED,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["imported"] == []
    assert got["hints"] > 0  # every annotation of every model and call still evaluates


def test_literal_hints_are_typings_own() -> None:
    """The stand-in the modules import gives typing.Literal[...] itself, once subscripted."""
    sys.path.insert(0, str(GENERATED))
    try:
        wire = importlib.import_module(f"{VENUES[0]}._wire")
        assert wire.Literal["a", "b"] == typing.Literal["a", "b"]
        assert wire.Literal[1] | None == typing.Union[typing.Literal[1], None]  # noqa: UP007
    finally:
        sys.path.remove(str(GENERATED))
