"""`specgen new endpoint VENUE --from PAGE.md` on each bundled snapshot: a spec that passes validate and
whose parameters (names, types, required-ness, nested fields) are the hand-written spec's, except
where a note of the hand-written spec departs from the document on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from specgen.docs.spec_side import departures, endpoint_files, read_endpoint

from tests.helpers import ROOT, run_cli, scratch_project

SPECS = endpoint_files(ROOT / "specs")


def _compare(skeleton: list[dict[str, Any]], hand: list[dict[str, Any]], prefix: str, departs: set[str]) -> None:
    # the skeleton takes the document's names (a spec that renames a field keeps it as document_name);
    # a parameter whose presence the spec departs from on purpose is set aside on both sides
    kept = [p for p in hand if f"param {prefix}{p.get('document_name', p['name'])} presence" not in departs]
    skeleton = [p for p in skeleton if f"param {prefix}{p['name']} presence" not in departs]
    named = [p.get("document_name", p["name"]) for p in kept]
    assert [p["name"] for p in skeleton] == named, prefix or "parameters, in order"
    for s, h, name in zip(skeleton, kept, named, strict=True):
        path = prefix + name
        if s["type"] != h["type"]:
            # An enum the skeleton made of listed values the spec departs from (a link, say) is no enum there.
            listed = s["type"] == "enum" and f"param {path} values" in departs
            assert f"param {path} type" in departs or listed, f"{path}: skeleton {s['type']}, spec {h['type']}"
        if bool(s.get("required")) != bool(h.get("required")):
            assert f"param {path} required" in departs, f"{path}: required-ness differs"
        if h["type"] == "list" and s["type"] == "list":
            if h["items"]["type"] == "object":
                _compare(s["items"]["fields"], h["items"]["fields"], path + ".", departs)
            for key in ("max_items", "encoding"):
                if key in s:
                    assert s[key] == h.get(key), f"{path}: {key}"


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_a_skeleton_from_each_snapshot_matches_the_hand_written_spec(tmp_path: Path, spec: Path) -> None:
    hand = read_endpoint(spec, str(spec))
    project = scratch_project(tmp_path, with_generated=False, specs=ROOT / "specs")
    page = tmp_path / "new-page.md"
    shutil.copyfile(hand.snapshot, page)

    done = run_cli(project, "new", "endpoint", spec.parent.name, "--from", str(page), "--operation", "from_page")

    assert done.returncode == 0, done.stderr
    written = project / "specs" / spec.parent.name / "from_page.yaml"
    assert (project / "specs" / spec.parent.name / "sources" / "new-page.md").read_bytes() == page.read_bytes()
    assert run_cli(project, "validate").returncode == 0
    skeleton = yaml.safe_load(written.read_text("utf-8"))
    assert skeleton["http"]["method"] == hand.data["http"]["method"]
    assert skeleton["http"]["path"] == hand.data["http"]["path"]
    assert all(n["about"] and n["decision"] for n in skeleton["notes"])
    _compare(skeleton["params"], hand.data["params"], "", set(departures(hand.doc)))
    check = run_cli(project, "docs", "check", "--venue", spec.parent.name)
    assert check.returncode == 0, check.stdout  # the skeleton agrees with its document


def test_a_page_without_tables_still_gives_a_valid_spec_with_notes(tmp_path: Path) -> None:
    project = scratch_project(tmp_path, with_generated=False, specs=ROOT / "specs")
    page = tmp_path / "bare.md"
    page.write_text("# Ping\n\nChecks that the server answers.\n", "utf-8")
    venue = SPECS[0].parent.name
    done = run_cli(project, "new", "endpoint", venue, "--from", str(page))
    assert done.returncode == 0, done.stderr
    spec = yaml.safe_load((project / "specs" / venue / "ping.yaml").read_text("utf-8"))
    abouts = " ".join(n["about"] for n in spec["notes"])
    assert "no HTTP method" in abouts and "no parameter table" in abouts and "no response" in abouts
    assert run_cli(project, "validate").returncode == 0


def test_refuses_to_overwrite_a_spec(tmp_path: Path) -> None:
    project = scratch_project(tmp_path, with_generated=False, specs=ROOT / "specs")
    spec = SPECS[0]
    page = tmp_path / "again.md"
    shutil.copyfile(read_endpoint(spec, str(spec)).snapshot, page)
    before = (project / spec.relative_to(ROOT)).read_bytes()
    done = run_cli(project, "new", "endpoint", spec.parent.name, "--from", str(page), "--operation", spec.stem)
    assert done.returncode == 2 and "[exists]" in done.stderr
    assert (project / spec.relative_to(ROOT)).read_bytes() == before
