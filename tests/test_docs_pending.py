"""A document changed in one venue (its digest not yet accepted) does not block generating the others."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from specgen.docs.pending import owned_by
from specgen.docs.spec_side import endpoint_files
from specgen.emit.pipeline import package_runtime

from tests.helpers import ROOT, run_cli, scratch_project, tree_bytes


def test_a_pending_digest_is_an_error_for_its_venue_only(tmp_path: Path) -> None:
    project = scratch_project(tmp_path, specs=ROOT / "specs")
    pending_spec, other_spec = endpoint_files(project / "specs")[:2]
    pending, other = pending_spec.parent.name, other_spec.parent.name
    snapshot = pending_spec.parent / yaml.safe_load(pending_spec.read_text("utf-8"))["source"]["snapshot"]
    snapshot.write_text(snapshot.read_text("utf-8") + "\nA later edit of the document.\n", "utf-8")
    text = other_spec.read_text("utf-8")
    summary = yaml.safe_load(text)["summary"]
    other_spec.write_text(text.replace(summary, summary + " Edited.", 1), "utf-8")
    before = tree_bytes(project / "generated")

    done = run_cli(project, "generate")

    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors and all("[digest]" in e and f"specs/{pending}/" in e for e in errors), done.stderr
    after = tree_bytes(project / "generated")
    assert set(after) == set(before)
    for rel in before:
        if owned_by(rel, pending):
            assert after[rel] == before[rel], rel  # the pending venue: exactly as it was
    assert any(after[rel] != before[rel] for rel in before if owned_by(rel, other))  # the other: regenerated


def test_accepting_the_digest_lets_the_venue_generate_again(tmp_path: Path) -> None:
    project = scratch_project(tmp_path, specs=ROOT / "specs")
    spec = endpoint_files(project / "specs")[0]
    snapshot = spec.parent / yaml.safe_load(spec.read_text("utf-8"))["source"]["snapshot"]
    snapshot.write_text(snapshot.read_text("utf-8") + "\nA sentence that states no fact.\n", "utf-8")
    assert run_cli(project, "validate").returncode == 2
    check = run_cli(project, "docs", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "changed" in check.stdout and "docs accept" in check.stdout
    accepted = run_cli(project, "docs", "accept")
    assert accepted.returncode == 0, accepted.stderr
    assert spec.name in accepted.stdout
    assert run_cli(project, "validate").returncode == 0
    # The spec now records another digest: an input changed, so the files made from that spec or
    # from the whole folder name new inputs in their provenance line (issues 13 and 15), and
    # nothing else in them changes.
    before = tree_bytes(project / "generated")
    assert run_cli(project, "generate").returncode == 0
    after = tree_bytes(project / "generated")
    provenance = re.compile(rb"\(inputs sha256:[0-9a-f]{64}\)")
    source = re.compile(rb"from specs/\w+/(\S*) \(inputs sha256:")
    assert set(after) == set(before)
    assert {rel for rel in after if after[rel] != before[rel]} == {
        rel
        for rel in after
        if owned_by(rel, spec.parent.name)
        and rel.split("/")[-1] not in {"py.typed", *package_runtime()}
        and source.findall(after[rel]) in ([spec.name.encode()], [b""])
    }
    assert all(provenance.sub(b"", after[rel]) == provenance.sub(b"", before[rel]) for rel in after)
    assert run_cli(project, "check").returncode == 0
