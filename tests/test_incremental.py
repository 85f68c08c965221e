"""Issue 15: after one spec changed, only what it decides is read, rendered and formatted again.

Counted, not timed: the venues read and rendered, the spec files parsed and checked afresh (not
taken from the document cache) and the modules black formatted. A damaged or foreign cache is a
miss, and whatever the caches hold, the bytes are those of a build without them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import marshal
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from specgen.config import Config, load_config
from specgen.emit.pipeline import DOCUMENTS, ENDPOINT_ENTRY, build_plan, trusted_cache
from specgen.spec.loader import Document, DocumentCache
from specgen.spec.specset import read_specs

from tests.helpers import FIXTURE_SPECS, ROOT, run_cli, scratch_project, tree_bytes


def _synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "benchmarks" / "synth_specs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project(tmp_path: Path) -> Config:
    """The fixture endpoints copied twice each (the benchmark's synthetic set): 4 venues of 2 endpoints."""
    source = tmp_path / "source"
    shutil.copytree(FIXTURE_SPECS, source / "specs")
    shutil.copytree(ROOT / "templates", source / "templates")
    venues = _synth().write_set(tmp_path / "project", 8, 2, source)
    assert sorted(venues.values()) == [2, 2, 2, 2]
    return load_config(tmp_path / "project" / "pyproject.toml", {"cache": str(tmp_path / "cache")})


def _edit_summary(config: Config) -> tuple[str, str]:
    """Change one endpoint's summary (it reaches its request model and its client method)."""
    venue = sorted(p for p in config.specs.iterdir() if p.is_dir())[-1]
    spec = sorted(p for p in venue.glob("*.yaml") if p.name != "venue.yaml")[-1]
    text = spec.read_text("utf-8")
    assert text.count("\nsummary: ") == 1
    spec.write_text(text.replace("\nsummary: ", "\nsummary: Edited. ", 1), "utf-8")
    return venue.name, spec.stem


def test_one_changed_spec_reads_renders_and_formats_only_its_own(project: Config) -> None:
    cold = build_plan(project)
    assert len(cold.rendered) == 4 and cold.parsed == 12  # 4 venue files, 8 endpoints
    assert any(rel.endswith("/client.py") for rel in cold.formatted)

    assert cold.endpoints_rendered == 8

    venue, op = _edit_summary(project)
    warm = build_plan(project)
    assert warm.rendered == (venue,)  # the other venues' files come from the plan cache
    assert warm.parsed == 1  # the venue's other specs come from the document cache
    assert warm.endpoints_rendered == 1  # the venue's other endpoint's files come from the endpoint cache
    # Neither the venue-wide modules (client, models/__init__, operations) nor the venue's other
    # endpoint: only the two modules the summary appears in.
    assert warm.formatted == (f"{venue}/endpoints/{op}.py", f"{venue}/models/{op}.py")
    assert b"Edited. " in warm.plan[f"{venue}/models/{op}.py"]

    fresh = build_plan(dataclasses.replace(project, no_cache=True))
    assert warm.plan == fresh.plan
    assert fresh.parsed == 12 and set(warm.formatted) < set(fresh.formatted)


def test_an_endpoint_whose_files_list_the_venue_is_rendered_whenever_the_venue_changes(project: Config) -> None:
    """An endpoint's files are reused only when they read nothing but its own inputs: once a
    template lists the venue's endpoints, each edit of one spec renders every endpoint again."""
    template = project.templates / "package" / "validators" / "_endpoint.py.j2"
    listing = "\n# {% for e in venue.endpoints %}{{ e.summary|doc }} {% endfor %}\n"
    template.write_text(template.read_text("utf-8") + listing, "utf-8")
    assert build_plan(project).endpoints_rendered == 8
    venue, op = _edit_summary(project)
    warm = build_plan(project)
    assert warm.rendered == (venue,) and warm.endpoints_rendered == 2
    other = next(rel for rel in warm.formatted if rel.startswith(f"{venue}/validators/") and op not in rel)
    assert b"Edited. " in warm.plan[other]  # the other endpoint's module lists the edited summary
    assert warm.plan == build_plan(dataclasses.replace(project, no_cache=True)).plan


def test_a_damaged_endpoint_entry_is_a_miss(project: Config) -> None:
    first = build_plan(project)
    live = trusted_cache(project.cache)
    assert live is not None
    packs = sorted((live / "plan").glob(f"{ENDPOINT_ENTRY}-*.pack"))
    assert len(packs) == 8
    for path in packs:
        data = path.read_bytes()
        path.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    for path in (live / "plan").glob("venue-*"):
        path.unlink()
    again = build_plan(project)
    assert again.endpoints_rendered == 8 and again.plan == first.plan


def test_a_damaged_or_foreign_document_cache_is_a_miss(project: Config) -> None:
    first = build_plan(project)
    live = trusted_cache(project.cache)
    assert live is not None
    entries = sorted(p for p in (live / DOCUMENTS).rglob("*") if p.is_file())
    assert len(entries) == 12
    damage = [
        lambda b: b[:-7],  # truncated
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),  # one bit flipped
        lambda b: b"",  # emptied
        lambda b: DocumentCache.MAGIC + b"\0" * 32 + b[len(DocumentCache.MAGIC) + 32 :],  # wrong digest
    ]
    for i, path in enumerate(entries):
        path.write_bytes(damage[i % len(damage)](path.read_bytes()))
    # A new generator (another salt) must not read what an older one wrote, and every damaged
    # entry is read afresh: the plan is rebuilt by the full path with the same bytes.
    for path in (live / "plan").iterdir():
        path.unlink()
    again = build_plan(project)
    assert again.parsed == 12
    assert again.plan == first.plan


def test_document_cache_entries_hold_exactly_what_was_read(tmp_path: Path) -> None:
    cache = DocumentCache(tmp_path, "salt")
    doc = Document("specs/v/op.yaml", {"a": [1, 2.5, None, True, "é"]}, {(): 1, ("a",): 1, ("a", 0): 2})
    key = cache.key("endpoint", doc.path, b"raw bytes")
    cache.put(key, doc)
    assert cache.get(key, doc.path) == doc
    assert DocumentCache(tmp_path, "other salt").key("endpoint", doc.path, b"raw bytes") != key
    assert cache.key("endpoint", "specs/v/other.yaml", b"raw bytes") != key  # messages name the path
    assert cache.key("venue", doc.path, b"raw bytes") != key
    # Well-formed entries of the wrong shape are misses too.
    payload = marshal.dumps(["not", "a", "pair"])
    path = tmp_path / key[:2] / key
    import hashlib

    path.write_bytes(DocumentCache.MAGIC + hashlib.sha256(payload).digest() + payload)
    assert cache.get(key, doc.path) is None
    assert (cache.hits, cache.misses) == (1, 1)


def test_read_specs_gives_the_same_venues_from_the_cache(tmp_path: Path) -> None:
    cache = DocumentCache(tmp_path, "salt")
    plain = read_specs(FIXTURE_SPECS, ROOT)
    first = read_specs(FIXTURE_SPECS, ROOT, documents=cache)
    second = read_specs(FIXTURE_SPECS, ROOT, documents=cache)
    assert cache.misses == cache.hits == 8
    assert plain == first == second


def test_incremental_output_is_identical_to_a_fresh_one_under_other_hash_seeds(project: Config) -> None:
    root = project.root
    assert run_cli(root, "generate", env={"PYTHONHASHSEED": "1"}).returncode == 0
    _edit_summary(project)
    warm = run_cli(root, "generate", env={"PYTHONHASHSEED": "2"})
    assert warm.returncode == 0, warm.stderr
    fresh = run_cli(root, "generate", "--no-cache", "--output", "fresh", env={"PYTHONHASHSEED": "3"})
    assert fresh.returncode == 0, fresh.stderr
    assert tree_bytes(root / "generated") == tree_bytes(root / "fresh")


def test_compiled_templates_are_reused_and_a_damaged_one_is_compiled_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specgen.emit.render import make_env, render

    templates, compiled = tmp_path / "templates", tmp_path / "compiled"
    templates.mkdir()
    (templates / "a.py.j2").write_text("x = {{ 1 + 2 }}\n", "utf-8")
    assert render(make_env(templates, compiled), "a.py.j2") == "x = 3\n"
    [entry] = list(compiled.iterdir())

    env = make_env(templates, compiled)
    monkeypatch.setattr(env, "compile", lambda *a, **k: pytest.fail("compiled again"))
    assert render(env, "a.py.j2") == "x = 3\n"  # from the cache
    monkeypatch.undo()

    good = entry.read_bytes()
    for damaged in (b"", good[:-3], b"\0" * 32 + good[32:], good[:40] + bytes([good[40] ^ 1]) + good[41:]):
        entry.write_bytes(damaged)
        assert render(make_env(templates, compiled), "a.py.j2") == "x = 3\n"
        assert entry.read_bytes() == good  # compiled afresh, and written again


def test_a_venue_template_named_like_an_endpoint_module_is_refused(tmp_path: Path) -> None:
    project = scratch_project(tmp_path, with_generated=False)
    (project / "templates" / "package" / "models" / "cancel_batch.py.j2").write_text("x = 1\n", "utf-8")
    result = run_cli(project, "generate")
    assert result.returncode == 2
    assert "[template-layout] fx_header/models/cancel_batch.py is rendered twice" in result.stderr
    assert not (project / "generated").exists()


def test_one_changed_spec_rewrites_only_the_files_made_from_it(project: Config) -> None:
    """Every other file keeps its bytes and is not written again (the new tree links it)."""
    root = project.root
    assert run_cli(root, "generate").returncode == 0
    output = root / "generated"
    before = {rel: (output / rel).stat().st_ino for rel in tree_bytes(output)}
    old = tree_bytes(output)
    venue, op = _edit_summary(project)
    result = run_cli(root, "generate")
    assert result.returncode == 0, result.stderr
    new = tree_bytes(output)
    moved = {rel for rel in new if new[rel] != old[rel]}
    own = {rel for rel in moved if f"/{op}." in rel}
    assert len(own) == 6  # its models, validators and calls, two schemas, its contract data
    assert moved - own == {
        rel for rel in new if rel.startswith(f"{venue}/") and f"from specs/{venue}/ (inputs".encode() in old[rel]
    }  # and the venue's modules that list its endpoints (their digest covers the folder)
    assert f"files written: {len(moved)}, unchanged: {len(new) - len(moved)}," in result.stdout
    assert all((output / rel).stat().st_ino == before[rel] for rel in new if rel not in moved)
