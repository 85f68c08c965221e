"""Issue 14 item 6: the bounded soak (benchmarks/soak.py), tiny, for every simulated venue in specs/.

The soak races two clients on every order; these tests run it small and hold its counts at 0, and
show the counts are not 0 by construction: a book that cancels an order twice, or answers a
cancel without making it, is caught.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest
from specgen.simulator.book import Book, Result

from tests.helpers import ROOT


def load_soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak", ROOT / "benchmarks" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_tiny_soak_loses_and_doubles_nothing() -> None:
    soak = load_soak()
    figures = soak.run(clients=3, cancels=4)
    assert figures, "no venue was soaked"
    for f in figures:
        assert (f.requests, f.errors, f.lost, f.doubled) == (12, 0, 0, 0), f
        assert f.requests_per_second > 0 and 0 < f.p50_ms <= f.p99_ms


def test_the_soak_command_prints_its_table_and_exits_0(tmp_path: Any) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--clients", "2", "--cancels", "3", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "| venue | clients × cancels | requests/s |" in result.stdout
    assert '"lost": 0' in out.read_text("utf-8")


def test_a_book_that_cancels_twice_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Book._cancel_one

    def forgetful(book: dict[str, Any], target: Any, precedence: str) -> Result:
        result = original(book, target, precedence)
        if result.order is not None:  # the order stays open: the next cancel moves it again
            book[result.order.order_id] = dataclasses.replace(result.order, status="open")
            return Result(target, "cancelled", result.order)
        return result

    monkeypatch.setattr(Book, "_cancel_one", staticmethod(forgetful))
    figures = load_soak().run(clients=2, cancels=4)
    assert all(f.doubled == 4 and f.lost == 4 for f in figures), figures  # open in the book, moved twice


def test_a_book_that_answers_without_cancelling_loses_orders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        Book, "_cancel_one", staticmethod(lambda book, target, precedence: Result(target, "unknown", None))
    )
    figures = load_soak().run(clients=2, cancels=2)
    assert all(f.lost == 2 and f.doubled == 0 for f in figures), figures
