"""Every bundled spec agrees with its document snapshot (`specgen docs check`), and the snapshot is pinned.

This replaces a hand-kept inventory of names and limits: the facts are read from the documents
themselves, so a spec is held to whatever its own snapshot states. Venues are discovered from specs/.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from specgen.docs.check import check_endpoint, render
from specgen.docs.spec_side import endpoint_files

from tests.helpers import ROOT

SPECS = ROOT / "specs"


def endpoint_specs() -> list[Path]:
    return endpoint_files(SPECS)


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", endpoint_specs(), ids=_id)
def test_docs_check_finds_no_disagreement(path: Path) -> None:
    report = check_endpoint(path, ROOT)
    assert report.clean, "\n".join(render(report))
    assert not report.digest_changed, "\n".join(render(report))


@pytest.mark.parametrize("path", endpoint_specs(), ids=_id)
def test_recorded_digest_matches_the_snapshot(path: Path) -> None:
    report = check_endpoint(path, ROOT)
    assert hashlib.sha256(report.spec.snapshot.read_bytes()).hexdigest() == report.spec.data["source"]["sha256"]


@pytest.mark.parametrize("path", endpoint_specs(), ids=_id)
def test_the_document_is_read(path: Path) -> None:
    """docs check has something to hold the spec to: the request table and an account of the response."""
    from specgen.docs.page import read_page

    report = check_endpoint(path, ROOT)
    page = read_page(report.spec.snapshot.read_text("utf-8"))
    # a parameter whose presence a note departs from on purpose (a row named "None") is set aside
    departed = {
        key.split()[1]
        for note in report.spec.data.get("notes", [])
        for key in note.get("departs", [])
        if key.startswith("param ") and key.endswith(" presence")
    }
    if departed >= set(report.spec.params):  # the spec says the page lists none of them (no table)
        assert not page.request
    else:
        assert page.request
    assert set(page.request) - departed == set(report.spec.params) - departed
    assert page.responses
    assert page.method == report.spec.data["http"]["method"]
    assert page.path == report.spec.data["http"]["path"]


@pytest.mark.parametrize("path", endpoint_specs(), ids=_id)
def test_every_spec_records_its_decisions(path: Path) -> None:
    data = check_endpoint(path, ROOT).spec.data
    for note in data.get("notes", []):
        assert note["about"].strip() and note["decision"].strip()
