"""Shared fixtures: the loopback exchange simulator, served from the bundled specs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from specgen.simulator import Simulator
from specgen.spec.model import Venue
from specgen.spec.specset import read_specs

from tests.helpers import ROOT


@pytest.fixture(scope="session")
def spec_venues() -> tuple[Venue, ...]:
    return read_specs(ROOT / "specs", ROOT)


@pytest.fixture
def simulator(spec_venues: tuple[Venue, ...]) -> Iterator[Simulator]:
    """Every venue served on 127.0.0.1 at a free port; stopped when the test ends."""
    with Simulator(spec_venues) as sim:
        yield sim
