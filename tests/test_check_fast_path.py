"""Issue 7: `specgen check`'s fast path (the plan cache under .specgen-cache/plan/) is exactly as
trustworthy as the full path.

The fast path is taken when the cache holds, for exactly the current inputs, the digest of every
planned file; it then only hashes generated/. Whether it was taken is seen from what the process
imported (`-X importtime`): the full path imports yaml, jsonschema, jinja2 and black, the fast
path none of them. Nothing here measures time.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from specgen.emit import pipeline

from tests.helpers import FIXTURE_SPECS, ROOT

HEAVY = ("yaml", "jsonschema", "jinja2", "black")


def _run(project: Path, *args: str, pythonpath: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "specgen", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _imported(result: subprocess.CompletedProcess[str]) -> set[str]:
    """Top-level names of the modules the run imported (from -X importtime's stderr)."""
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def _messages(result: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(line for line in result.stderr.splitlines() if not line.startswith("import time:"))


def _fast(result: subprocess.CompletedProcess[str]) -> bool:
    return not (_imported(result) & set(HEAVY))


@pytest.fixture(scope="module")
def generated_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """specs/, templates/ and pyproject.toml copied, generated once, the cache warm."""
    project = tmp_path_factory.mktemp("fast-path") / "project"
    project.mkdir()
    shutil.copytree(FIXTURE_SPECS, project / "specs")
    shutil.copytree(ROOT / "templates", project / "templates")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    first = _run(project, "generate")
    assert first.returncode == 0, _messages(first)
    return project


@pytest.fixture()
def project(generated_project: Path, tmp_path: Path) -> Path:
    """A private copy of the generated project, using the original's cache: a copied cache is
    never trusted (test_cache_trust.py), so the copy names the one this machine wrote."""
    copy = tmp_path / "project"
    shutil.copytree(generated_project, copy, symlinks=True, ignore=shutil.ignore_patterns(".specgen-cache"))
    config = (copy / "pyproject.toml").read_text("utf-8")
    cache = generated_project / ".specgen-cache"
    (copy / "pyproject.toml").write_text(config.replace("[tool.specgen]\n", f'[tool.specgen]\ncache = "{cache}"\n', 1))
    return copy


def test_stamp_hit_exits_0_without_the_heavy_imports(project: Path) -> None:
    result = _run(project, "check")
    assert result.returncode == 0, result.stdout + _messages(result)
    assert "generated/ is up to date" in result.stdout
    assert _fast(result), _imported(result) & set(HEAVY)


def test_generate_with_a_warm_stamp_writes_nothing(project: Path) -> None:
    result = _run(project, "generate")
    assert result.returncode == 0, _messages(result)
    assert "files written: 0" in result.stdout and "removed: 0" in result.stdout
    assert _fast(result)


@pytest.mark.parametrize("kind", ["hand_edit", "missing", "orphaned", "emptied"])
def test_drift_with_a_warm_stamp_exits_1_with_a_diff_naming_the_file(project: Path, kind: str) -> None:
    gen = project / "generated"
    if kind == "hand_edit":
        target = gen / "fx_header" / "client.py"
        target.write_text(target.read_text("utf-8").replace("def ", "def  ", 1), "utf-8")
        named, what = "generated/fx_header/client.py", "changed"
    elif kind == "missing":
        (gen / "fx_passphrase" / "validators" / "batch_cancel_order.py").unlink()
        named, what = "generated/fx_passphrase/validators/batch_cancel_order.py", "missing"
    elif kind == "orphaned":
        (gen / "fx_query" / "leftover.py").write_text("x = 1\n", "utf-8")
        named, what = "generated/fx_query/leftover.py", "orphaned"
    else:
        (gen / "fx_query" / "signing.py").write_bytes(b"")
        named, what = "generated/fx_query/signing.py", "changed"
    result = _run(project, "check")
    assert result.returncode == 1, result.stdout + _messages(result)
    assert f"# {named}: {what}" in result.stdout
    assert f"--- a/{named}" in result.stdout or f"+++ b/{named}" in result.stdout
    assert "differs from the specs" in result.stderr
    fixed = _run(project, "generate")
    assert fixed.returncode == 0, _messages(fixed)
    again = _run(project, "check")
    assert again.returncode == 0 and _fast(again)


def test_a_changed_template_invalidates_the_stamp(project: Path) -> None:
    template = project / "templates" / "package" / "signing.py.j2"
    template.write_text(template.read_text("utf-8") + "\n\n# a new line from the template\n", "utf-8")
    result = _run(project, "check")
    assert result.returncode == 1, result.stdout + _messages(result)
    assert "# generated/fx_header/signing.py: changed" in result.stdout
    assert "+# a new line from the template" in result.stdout
    assert _run(project, "generate").returncode == 0
    assert _run(project, "check").returncode == 0


def test_a_changed_spec_invalidates_the_stamp(project: Path) -> None:
    spec = project / "specs" / "fx_header" / "cancel_batch.yaml"
    text = spec.read_text("utf-8")
    assert "max_items: 20" in text
    spec.write_text(text.replace("max_items: 20", "max_items: 19", 1), "utf-8")
    result = _run(project, "check")
    assert result.returncode == 1, result.stdout + _messages(result)
    assert "# generated/fx_header/validators/cancel_batch.py: changed" in result.stdout
    assert "generated/fx_passphrase/" not in result.stdout  # other venues' entries still hold


def test_an_input_change_that_changes_no_output_still_takes_the_full_path(project: Path) -> None:
    # A file in specs/ outside every venue folder changes no generated byte (headers digest only
    # a venue's own folder), but it is an input: the stamp must not hold.
    (project / "specs" / "NOTES.md").write_text("not read by any venue\n", "utf-8")
    result = _run(project, "check")
    assert result.returncode == 0, result.stdout + _messages(result)
    assert not _fast(result)
    assert _fast(_run(project, "check"))  # recorded again for the new inputs


def test_a_spec_error_is_reported_even_when_the_old_output_matches(project: Path) -> None:
    spec = project / "specs" / "fx_header" / "cancel_batch.yaml"
    spec.write_text(spec.read_text("utf-8").replace("max_items: 20", "max_items: []", 1), "utf-8")
    result = _run(project, "check")
    assert result.returncode == 2
    assert "specs/fx_header/cancel_batch.yaml:" in result.stderr


def test_a_changed_generator_invalidates_the_stamp(project: Path) -> None:
    # The generator's own source is an input: run a copy of it, then change the copy.
    shutil.copytree(ROOT / "generator", project / "gen_src" / "specgen", ignore=shutil.ignore_patterns("__pycache__"))
    pythonpath = project / "gen_src"
    first = _run(project, "check", pythonpath=pythonpath)
    assert first.returncode == 0 and _fast(first)  # the same bytes: the same key
    source = pythonpath / "specgen" / "spec" / "naming.py"
    source.write_text(source.read_text("utf-8") + "\n# an edit that changes no output\n", "utf-8")
    result = _run(project, "check", pythonpath=pythonpath)
    assert result.returncode == 0 and not _fast(result)


def test_no_cache_never_uses_the_stamp(project: Path) -> None:
    target = project / "generated" / "fx_header" / "errors.py"
    target.write_text(target.read_text("utf-8") + "# edited\n", "utf-8")
    result = _run(project, "check", "--no-cache")
    assert result.returncode == 1
    assert "# generated/fx_header/errors.py: changed" in result.stdout
    assert not _fast(result)


def test_a_damaged_cache_costs_time_not_correctness(project: Path) -> None:
    # The cache this project uses (the original's; see the fixture), every pack and venue entry of it.
    found = re.search(r'^cache = "(.*)"$', (project / "pyproject.toml").read_text("utf-8"), re.M)
    assert found is not None
    packs, entries = (sorted(Path(found[1]).glob(f"*/plan/{pattern}")) for pattern in ("*.pack", "venue-*.json"))
    assert packs and entries
    for pack in packs[::2]:
        pack.write_bytes(b"garbage")
    for entry in entries[1::2]:
        entry.write_text("{not json", "utf-8")
    target = project / "generated" / "fx_header" / "client.py"
    target.write_text(target.read_text("utf-8") + "# edited\n", "utf-8")
    result = _run(project, "check")
    assert result.returncode == 1
    assert "# generated/fx_header/client.py: changed" in result.stdout
    assert _run(project, "generate").returncode == 0
    assert _run(project, "check").returncode == 0


def _specgen_imports(path: Path) -> set[str]:
    """The specgen modules a source file imports (at any depth of the file), as dotted names."""
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("specgen"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("specgen"))
    return found


def test_the_cache_key_covers_every_module_the_emitters_import() -> None:
    """A module the output depends on but the key leaves out would let a stale stamp pass `check`."""
    package = ROOT / "generator"

    def keyed(rel: str) -> bool:
        return any(rel == part or rel.startswith(part.rstrip("/") + "/") for part in pipeline.EMITTER_CODE)

    def source(module: str) -> Path | None:
        parts = module.split(".")[1:]
        if not parts:
            return package / "__init__.py"
        rel = Path(*parts)
        for candidate in (package / rel.with_suffix(".py"), package / rel / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    keyed_files = [p for p in sorted(package.rglob("*.py")) if keyed(p.relative_to(package).as_posix())]
    assert keyed_files
    # Modules imported only to run the generator (not to shape its output) are left out on purpose.
    unshaping = {"specgen.config"}
    missing = set()
    for path in keyed_files:
        for module in _specgen_imports(path) - unshaping:
            found = source(module)
            if found is not None and not keyed(found.relative_to(package).as_posix()):
                missing.add(f"{path.relative_to(package)} imports {module}")
    assert not missing, sorted(missing)
