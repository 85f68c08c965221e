"""Generated lines per endpoint beyond the shared runtime: how much code one endpoint costs.

The runtime (generator/runtime/, copied verbatim into each package and into specgen_runtime/)
is the same for every venue, so it is left out; everything else under generated/ counts: the
rendered package modules, the JSON Schemas and the contract-test data and modules.

    python benchmarks/lines.py [GENERATED_DIR]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from specgen.emit.pipeline import SHARED_RUNTIME, package_runtime


@dataclass(frozen=True)
class LineCount:
    endpoints: int
    runtime: int  # lines of the runtime copies (left out of the figure)
    rest: int  # every other generated line
    python: int = 0  # of rest: Python modules (what black formats); the others are data and docs

    @property
    def per_endpoint(self) -> float:
        return self.rest / self.endpoints if self.endpoints else 0.0

    @property
    def python_per_endpoint(self) -> float:
        return self.python / self.endpoints if self.endpoints else 0.0


def count_lines(generated: Path) -> LineCount:
    """Lines of generated/ split into runtime copies and the rest; endpoints are counted by their
    request schemas (one per endpoint)."""
    runtime_names = set(package_runtime())
    runtime = rest = python = 0
    for path in sorted(p for p in generated.rglob("*") if p.is_file()):
        rel = path.relative_to(generated).parts
        lines = len(path.read_bytes().splitlines())
        if rel[0] == SHARED_RUNTIME or (len(rel) == 2 and rel[1] in runtime_names):
            runtime += lines
        else:
            rest += lines
            python += lines if path.suffix == ".py" else 0
    endpoints = len(list(generated.glob("*/schemas/*.request.json")))
    return LineCount(endpoints, runtime, rest, python)


if __name__ == "__main__":
    c = count_lines(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("generated"))
    print(
        f"{c.endpoints} endpoints: {c.per_endpoint:.0f} lines each beyond the runtime"
        f" ({c.python_per_endpoint:.0f} of them Python; {c.rest} in all; runtime {c.runtime})"
    )
