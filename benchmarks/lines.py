"""Generated lines per endpoint beyond the shared runtime: how much code one endpoint costs.

The runtime (generator/runtime/, copied verbatim into each package and into specgen_runtime/)
is the same for every venue, so it is left out; everything else under generated/ counts: the
rendered package modules, the JSON Schemas and the contract-test data and modules.

    python benchmarks/lines.py [GENERATED_DIR]

prints the figure and, per kind of file (models.py, validators.py, schemas/*.json, ...), its
lines per endpoint, largest first: where the next cut is.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from specgen.emit.pipeline import SHARED_RUNTIME, package_runtime


@dataclass(frozen=True)
class LineCount:
    endpoints: int
    runtime: int  # lines of the runtime copies (left out of the figure)
    rest: int  # every other generated line
    python: int = 0  # of rest: Python modules (what black formats); the others are data and docs
    kinds: dict[str, int] = field(default_factory=dict)  # of rest: lines per kind of file

    @property
    def per_endpoint(self) -> float:
        return self.rest / self.endpoints if self.endpoints else 0.0

    @property
    def python_per_endpoint(self) -> float:
        return self.python / self.endpoints if self.endpoints else 0.0


def file_kind(rel: tuple[str, ...]) -> str:
    """What a generated file is, the same for every venue: the module's name, or its folder and
    suffix for files that exist once per endpoint (schemas/*.request.json, data/*.json)."""
    if len(rel) <= 2:
        return rel[-1] if rel[0] != "contract_tests" else "contract_tests/" + rel[-1]
    suffixes = "".join(Path(rel[-1]).suffixes[-2:]) if rel[-2] == "schemas" else Path(rel[-1]).suffix
    return f"{rel[-2] if rel[-2] == 'schemas' else rel[1]}/*{suffixes}"


def count_lines(generated: Path) -> LineCount:
    """Lines of generated/ split into runtime copies and the rest; endpoints are counted by their
    request schemas (one per endpoint)."""
    runtime_names = set(package_runtime())
    runtime = rest = python = 0
    kinds: Counter[str] = Counter()
    for path in sorted(p for p in generated.rglob("*") if p.is_file()):
        rel = path.relative_to(generated).parts
        lines = len(path.read_bytes().splitlines())
        if rel[0] == SHARED_RUNTIME or (len(rel) == 2 and rel[1] in runtime_names):
            runtime += lines
        else:
            rest += lines
            python += lines if path.suffix == ".py" else 0
            kinds[file_kind(rel)] += lines
    endpoints = len(list(generated.glob("*/schemas/*.request.json")))
    return LineCount(endpoints, runtime, rest, python, dict(kinds.most_common()))


if __name__ == "__main__":
    c = count_lines(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("generated"))
    print(
        f"{c.endpoints} endpoints: {c.per_endpoint:.0f} lines each beyond the runtime"
        f" ({c.python_per_endpoint:.0f} of them Python; {c.rest} in all; runtime {c.runtime})"
    )
    for kind, lines in c.kinds.items():
        print(f"  {lines / max(c.endpoints, 1):7.1f}  {kind}")
