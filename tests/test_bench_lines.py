"""The benchmark's generated-lines-per-endpoint figure leaves out exactly the runtime copies."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from specgen.emit.pipeline import SHARED_RUNTIME, package_runtime

from tests.helpers import ROOT


def _lines_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_lines", ROOT / "benchmarks" / "lines.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_runtime_copies_are_left_out_and_endpoints_counted_by_request_schema(tmp_path: Path) -> None:
    runtime_name = sorted(package_runtime())[0]
    files = {
        f"{SHARED_RUNTIME}/anything.py": "a\nb\nc\n",  # runtime: 3
        f"venue_a/{runtime_name}": "x\n" * 5,  # runtime: 5
        "venue_a/client.py": "x\n" * 7,
        "venue_a/schemas/op1.request.json": "{\n}\n",
        "venue_a/schemas/op2.request.json": "{\n}\n",
        "venue_a/sub/" + runtime_name: "x\n",  # not a package's top-level runtime copy: counted
        "contract_tests/data/venue_a/op1.json": "{}\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    count = _lines_module().count_lines(tmp_path)
    assert (count.endpoints, count.runtime, count.rest) == (2, 8, 7 + 2 + 2 + 1 + 1)
    assert count.per_endpoint == 6.5
    assert (count.python, count.python_per_endpoint) == (7 + 1, 4.0)  # client.py and the nested copy
    # per kind of file, the same name for every venue: where the lines are
    assert count.kinds == {
        "client.py": 7,
        "schemas/*.request.json": 4,
        "sub/*.py": 1,
        "data/*.json": 1,  # contract_tests/data/<venue>/<op>.json
    }
