"""Shared fixtures: the loopback exchange simulator, served from the bundled specs, and the
packages generated from the frozen fixture specs (tests/fixtures/specs)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from specgen.simulator import Simulator
from specgen.spec.model import Venue
from specgen.spec.specset import read_specs

from tests.helpers import ROOT, scratch_project


@pytest.fixture(scope="session")
def spec_venues() -> tuple[Venue, ...]:
    return read_specs(ROOT / "specs", ROOT)


@pytest.fixture
def simulator(spec_venues: tuple[Venue, ...]) -> Iterator[Simulator]:
    """Every venue served on 127.0.0.1 at a free port; stopped when the test ends."""
    with Simulator(spec_venues) as sim:
        yield sim


@pytest.fixture(scope="session")
def fixture_packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fixture specs generated once into a scratch project, importable for the session."""
    project = scratch_project(tmp_path_factory.mktemp("fixture-packages"))
    generated = project / "generated"
    sys.path.insert(0, str(generated))
    try:
        yield generated
    finally:
        sys.path.remove(str(generated))
