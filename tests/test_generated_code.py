"""Generated code a reviewer enjoys, checked on every module specgen writes: generated/ and the
packages generated from each set of frozen fixture specs.

Each check reads modules with `ast` on its own (not with the generator's code): no imported
name goes unused, no call passes a bare positional True/False, no local is assigned and never read.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from specgen.emit.imports import prune_imports

from tests.helpers import GENERATED, ROOT, VENUES, scratch_project

FIXTURE_SETS = {
    "specs": ROOT / "tests" / "fixtures" / "specs",
    "outcome_specs": ROOT / "tests" / "fixtures" / "outcome_specs",
    "kinds": ROOT / "tests" / "fixtures" / "kinds" / "specs",
}


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every generated module's source, by a readable name (product output and fixture output)."""
    roots = {"generated": GENERATED}
    for name, specs in FIXTURE_SETS.items():
        project = scratch_project(tmp_path_factory.mktemp(f"code-{name}"), specs=specs)
        roots[f"fixture {name}"] = project / "generated"
    found = {
        f"{label}: {p.relative_to(root)}": p.read_text("utf-8") for label, root in roots.items() for p in _py(root)
    }
    assert len(found) > 50 and any(k.startswith("fixture kinds") for k in found)
    return found


def _py(root: Path) -> Iterator[Path]:
    return (p for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts)


def unused_imports(source: str) -> list[str]:
    """Imported names the module never uses (a name in __all__ or imported `as` itself counts as
    used; a `# noqa` import, there for its side effect, and `from __future__` are exempt)."""
    tree = ast.parse(source)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            used |= {e.value for e in getattr(node.value, "elts", []) if isinstance(e, ast.Constant)}
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or getattr(node, "module", None) == "__future__":
            continue
        if "# noqa" in lines[node.lineno - 1]:
            continue
        for alias in node.names:
            name = (alias.asname or alias.name).split(".")[0]
            reexported = alias.asname == alias.name  # `import x as x`: an explicit re-export
            if alias.name != "*" and name not in used and not reexported:
                found.append(f"line {node.lineno}: {name}")
    return found


def positional_booleans(source: str) -> list[str]:
    """Calls passing True or False by position, whose meaning the reader cannot see."""
    return [
        f"line {n.lineno}: {ast.unparse(n)[:100]}"
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Call) and any(isinstance(a, ast.Constant) and isinstance(a.value, bool) for a in n.args)
    ]


def dead_assignments(source: str) -> list[str]:
    """Locals a function assigns and never reads (a name it declares global is no local)."""
    found = []
    for f in ast.walk(ast.parse(source)):
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [n for n in ast.walk(f) if isinstance(n, ast.Name)]
            read = {n.id for n in names if not isinstance(n.ctx, ast.Store)}
            read |= {g for n in ast.walk(f) if isinstance(n, ast.Global) for g in n.names}  # not locals
            found += [
                f"line {n.lineno}: {f.name} assigns {n.id}"
                for n in names
                if isinstance(n.ctx, ast.Store) and n.id not in read and n.id != "_"
            ]
    return found


def test_no_generated_module_imports_a_name_it_does_not_use(modules: dict[str, str]) -> None:
    problems = {name: found for name, src in modules.items() if (found := unused_imports(src))}
    assert not problems


def test_no_generated_module_leaves_a_gap_where_an_import_went(modules: dict[str, str]) -> None:
    gaps = [name for name, source in modules.items() if re.search(r"\n\n\n(from|import) ", source)]
    assert gaps == []


def test_no_call_passes_a_bare_positional_boolean(modules: dict[str, str]) -> None:
    problems = {name: found for name, src in modules.items() if (found := positional_booleans(src))}
    assert not problems


def test_no_generated_function_assigns_a_local_it_never_reads(modules: dict[str, str]) -> None:
    problems = {name: found for name, src in modules.items() if (found := dead_assignments(src))}
    assert not problems


def test_the_checks_find_what_they_look_for() -> None:
    source = (
        "from __future__ import annotations\n"
        "import os\n"
        "from . import _side  # noqa: F401\n"
        "from .a import b, c\n"
        "__all__ = ['c']\n"
        "def f():\n"
        "    x = 1\n"
        "    g(True)\n"
    )
    assert unused_imports(source) == ["line 2: os", "line 4: b"]
    assert positional_booleans(source) == ["line 8: g(True)"]
    assert dead_assignments(source) == ["line 7: f assigns x"]


def test_imports_are_cut_down_to_what_the_module_uses() -> None:
    source = (
        "from __future__ import annotations\n\n"
        "import json\n"
        "import time\n"
        "from . import _shared  # noqa: F401\n"
        "from .models import *  # noqa: F403\n"
        "from .a import (\n    Used,\n    Unused,\n    Exported,\n)\n"
        "from .b import Gone\n\n"
        "__all__ = ['Exported']\n\n\n"
        "def f() -> Used:\n    return time.time()\n"
    )
    pruned = prune_imports(source)
    assert unused_imports(pruned) == []
    assert "import json" not in pruned and "Gone" not in pruned and "Unused" not in pruned
    assert "from .a import Used, Exported\n" in pruned and "import time\n" in pruned
    assert "from . import _shared  # noqa: F401\n" in pruned and "from .models import *  # noqa: F403\n" in pruned
    assert prune_imports(pruned) == pruned
    # A statement removed from between two blank lines takes one of them along.
    rest = "import time\n\n\ndef f() -> float:\n    return time.time()\n"
    assert prune_imports("from __future__ import annotations\n\nimport json\n\n" + rest) == (
        "from __future__ import annotations\n\n" + rest
    )


def docstring_problems(source: str) -> list[str]:
    """Public modules, classes, functions and methods without a conventional docstring (PEP 257:
    triple-quoted, a one-line summary ending with a period, then a blank line before any more).
    Dunder methods are exempt (a client's __init__ is checked on its own)."""
    tree = ast.parse(source)
    found = []

    def check(node: ast.AST, what: str) -> None:
        body = getattr(node, "body", [])
        first = body[0] if body else None
        if not (
            isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
        ):
            found.append(f"{what}: no docstring")
            return
        if not (ast.get_source_segment(source, first) or "").startswith('"""'):
            found.append(f"{what}: not triple-quoted")
        lines = first.value.value.strip().splitlines()
        if not lines[0].rstrip().endswith("."):
            found.append(f"{what}: the summary line does not end with a period: {lines[0][:60]!r}")
        if len(lines) > 1 and lines[1].strip():
            found.append(f"{what}: no blank line after the summary line")

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.name.startswith("_"):
                    continue
                check(node, prefix + node.name)
                if isinstance(node, ast.ClassDef):
                    walk(node.body, prefix + node.name + ".")
            elif isinstance(node, ast.If):  # `if TYPE_CHECKING:` definitions
                walk(node.body, prefix)

    check(tree, "module")
    walk(tree.body, "")
    return found


def undocumented_parameters(source: str) -> list[str]:
    """Parameters of the clients' public methods (and __init__) their docstrings' Args leave out.

    An endpoint's calls (endpoints/*.py) document theirs in Calls, and its send_<operation>(call)
    is documented once on ClientCore; the awaited copies (AsyncCalls, AsyncClient) may instead
    say which Client method states them (the Client method is checked too)."""
    found = []
    for cls in ast.parse(source).body:
        if not (
            isinstance(cls, ast.ClassDef) and cls.name in ("_Core", "Client", "AsyncClient", "Calls", "AsyncCalls")
        ):
            continue
        for f in cls.body:
            if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if f.name.startswith("_") and (f.name != "__init__" or cls.name == "_Core"):
                continue  # _Core.__init__ is the clients' own business
            doc = ast.get_docstring(f) or ""
            if cls.name in ("Calls", "AsyncCalls") and f.name.startswith("send_"):
                continue  # ClientCore's docstring says what send_<operation>(call) takes
            if cls.name in ("AsyncClient", "AsyncCalls"):  # may refer to Client's method instead
                said = " ".join(doc.split())
                if f"Client.{f.name}, awaited: the same arguments" in said:
                    continue
                if f.name == "__init__" and "The arguments of Client.__init__ (see there)" in said:
                    continue
                if cls.name == "AsyncCalls":
                    found.append(f"AsyncCalls.{f.name}: names no Client method")
                    continue
            args = doc.split("Args:", 1)[1] if "Args:" in doc else ""
            names = [a.arg for a in f.args.args + f.args.kwonlyargs if a.arg != "self"]
            found += [f"{cls.name}.{f.name}: {name}" for name in names if f"\n    {name}: " not in "\n" + args]
    return found


def test_docstrings_are_conventional(modules: dict[str, str]) -> None:
    problems = {name: found for name, src in modules.items() if (found := docstring_problems(src))}
    assert not problems


def test_client_methods_document_every_parameter(modules: dict[str, str]) -> None:
    clients = {name: src for name, src in modules.items() if name.endswith("/client.py")}
    assert len(clients) >= 5
    problems = {name: found for name, src in clients.items() if (found := undocumented_parameters(src))}
    assert not problems
    calls = {name: src for name, src in modules.items() if "/endpoints/" in name and "class Calls(" in src}
    assert len(calls) >= len(clients)
    problems = {name: found for name, src in calls.items() if (found := undocumented_parameters(src))}
    assert not problems
    for src in clients.values():  # __init__ included, for both clients
        inits = [f for c in ast.parse(src).body if isinstance(c, ast.ClassDef) for f in c.body]
        assert sum(getattr(f, "name", "") == "__init__" and ast.get_docstring(f) is not None for f in inits) == 2


def test_the_docstring_checks_find_what_they_look_for() -> None:
    source = (
        '"""Module."""\n'
        "def f():\n    'One quote.'\n"
        'def g():\n    """No period\n    more."""\n'
        "def h():\n    pass\n"
        "class Client:\n"
        '    """A client."""\n'
        "    def __init__(self, *, key):\n"
        '        """Make one.\n\n        Args:\n            other: no.\n        """\n'
        "    def call(self, *, side, size):\n"
        '        """Call.\n\n        Args:\n            side: the side.\n        """\n'
        "class AsyncCalls:\n"
        '    """Calls."""\n'
        "    async def call(self, *, side):\n"
        '        """Call, awaited."""\n'
    )
    assert docstring_problems(source) == [
        "f: not triple-quoted",
        "g: the summary line does not end with a period: 'No period'",
        "g: no blank line after the summary line",
        "h: no docstring",
    ]
    assert undocumented_parameters(source) == [
        "Client.__init__: key",
        "Client.call: size",
        "AsyncCalls.call: names no Client method",
    ]


def test_every_model_is_exported_by_its_package_to_type_checkers_and_at_run_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`from <venue> import X` and `from <venue>.models import X` for each endpoint's models, and
    validators from `.validators`: the re-exports are the endpoint modules' __all__, extended one
    module at a time, which mypy reads only in that form (a chained star import hides them)."""
    monkeypatch.syspath_prepend(str(GENERATED))
    lines = []
    for venue in VENUES:
        package = importlib.import_module(venue)
        models = importlib.import_module(f"{venue}.models")
        validators = importlib.import_module(f"{venue}.validators")
        assert models.__all__ and validators.__all__
        assert set(models.__all__) <= set(package.__all__)
        assert all(getattr(package, name) is getattr(models, name) for name in models.__all__)
        for i, name in enumerate(models.__all__):
            lines += [
                f"from {venue} import {name} as _p{i}_{venue}",
                f"from {venue}.models import {name} as _m{i}_{venue}",
            ]
        lines += [f"from {venue}.validators import {name} as _v_{venue}_{name}" for name in validators.__all__]
    user = tmp_path / "user.py"
    user.write_text("\n".join(lines) + "\n", "utf-8")
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(user)],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(GENERATED)},
        capture_output=True,
        text=True,
    )
    assert typed.returncode == 0, typed.stdout[-3000:]
