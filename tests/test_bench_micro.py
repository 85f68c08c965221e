"""The request benchmark measures what it says: for every venue it names, the generated client's
request (built from the spec's first request case, its models read from where the endpoint's calls
are defined) has exactly the hand-written floor's bytes. No timing here; `make bench` times them."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tests.helpers import GENERATED, ROOT, venue_names

sys.path.insert(0, str(GENERATED))  # the product packages, as test_client_faults imports them


def _micro() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_micro", ROOT / "benchmarks" / "micro.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


MICRO = _micro()


@pytest.mark.parametrize("venue", sorted(set(MICRO.VENUES) & set(venue_names())))
def test_the_client_sends_the_floors_bytes(venue: str) -> None:
    setup = MICRO.Setup(venue, MICRO.endpoint_spec(ROOT / "specs", venue))
    built = getattr(setup.client_class(**setup.kwargs), f"build_{setup.op}")(setup.call)
    floor = MICRO.FLOORS[venue](setup.wire, setup.ts)
    assert (built.method, built.url, built.headers, built.body) == floor


def test_each_benchmarked_venue_has_its_floor() -> None:
    assert set(MICRO.VENUES) == set(MICRO.FLOORS)
