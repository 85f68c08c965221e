"""The runtime every package carries (issue 11 item 6, issue 15 item 1): plain modules under
generator/runtime/, copied verbatim into each generated package and once into the shared
package specgen_runtime; one error family across venues when that package is vendored beside
them, and each package still alone on the standard library."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import specgen.emit.formatting
from specgen.emit.pipeline import RUNTIME_DIR, SHARED_RUNTIME, runtime_files

from tests.helpers import GENERATED, ROOT, VENUES, run_cli, scratch_project

RUNTIME = runtime_files()


def test_every_package_carries_the_runtime_verbatim() -> None:
    shared = GENERATED / SHARED_RUNTIME
    ids = {(GENERATED / v / "_runtime_id.py").read_bytes() for v in VENUES}
    assert len(ids) == 1 and (shared / "_runtime_id.py").read_bytes() in ids
    for name, data in RUNTIME.items():
        assert data == (RUNTIME_DIR / name).read_bytes()
        for venue in VENUES:
            assert (GENERATED / venue / name).read_bytes() == data, (venue, name)
        if name != "_shared.py":
            assert (shared / name).read_bytes() == data, name
    assert (shared / "__init__.py").read_bytes() == (RUNTIME_DIR / "__init__.py").read_bytes()


def test_the_runtime_is_formatted_as_generated_code_is() -> None:
    for name, data in RUNTIME.items():
        text = data.decode("utf-8")
        assert specgen.emit.formatting.format_one(text) == text, name


def test_the_shared_module_list_names_every_runtime_module() -> None:
    namespace: dict[str, object] = {}
    source = (RUNTIME_DIR / "_shared.py").read_text("utf-8")
    exec(compile(source.replace('_SHARED = _share(__package__ or "")', ""), "_shared.py", "exec"), namespace)
    assert set(namespace["RUNTIME_MODULES"]) == {n.removesuffix(".py") for n in RUNTIME} - {"_shared"}  # type: ignore[arg-type]


def _run(folder: Path, code: str) -> subprocess.CompletedProcess[str]:
    """code in an isolated interpreter (-S -E -s: no site-packages, no environment, no user
    site) whose only extra import path is folder."""
    script = f"import sys\nsys.path.insert(0, {str(folder)!r})\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-S", "-E", "-s", "-c", script], capture_output=True, text=True, timeout=120)


# A venue's documented error body, answered through a fake transport: every package raises its ApiError.
RAISE = """
import importlib, json
from tests_venues import VENUES
def fail(package_name, venue):
    package = importlib.import_module(package_name)
    body = json.dumps({venue["code"]: 40001, venue["message"]: "bad"}).encode()
    class Fake:
        def send(self, request):
            return package.HttpResponse(400, (("Content-Type", "application/json"),), body)
    client = package.Client(transport=Fake(), **venue["credentials"])
    call = getattr(package, venue["request"]).from_json(venue["params"])
    getattr(client, "send_" + venue["operation"])(call)
"""


def _venue_facts(folder: Path) -> None:
    """tests_venues.py in folder: what RAISE needs to call each venue, from its spec."""
    from tests.test_client_faults import venue as venue_facts

    facts = {}
    for name in VENUES:
        v = venue_facts(name)
        [request] = [n for n in v.package.models.__all__ if n.endswith("Request")]
        facts[name] = {
            "code": v.code_key,
            "message": v.message_key,
            "credentials": v.credentials,
            "request": request,
            "params": v.params,
            "operation": v.operation,
        }
    (folder / "tests_venues.py").write_text(f"VENUES = {facts!r}\n", "utf-8")


def test_one_except_catches_every_venue_with_the_shared_runtime(tmp_path: Path) -> None:
    for name in (*VENUES, SHARED_RUNTIME):
        shutil.copytree(GENERATED / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    _venue_facts(tmp_path)
    result = _run(
        tmp_path,
        RAISE + """
import specgen_runtime
caught = []
for name, venue in VENUES.items():
    package = importlib.import_module(name)
    assert package._shared.uses_shared_runtime(), name
    assert package.ApiError is specgen_runtime.ApiError and package.Violation is specgen_runtime.Violation
    assert package.HttpxTransport is specgen_runtime.HttpxTransport
    try:
        fail(name, venue)
    except specgen_runtime.ApiError as exc:  # one except for every venue
        caught.append((name, exc.code, type(exc).__module__))
print(caught)
assert [c[0] for c in caught] == list(VENUES)
assert {c[2] for c in caught} == {"specgen_runtime.errors"}
assert "site" not in sys.modules and not any(p.endswith("site-packages") for p in sys.path)
""",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("'40001'") == len(VENUES)


def test_a_package_alone_under_another_name_uses_its_own_copy(tmp_path: Path) -> None:
    for name in VENUES:
        shutil.copytree(GENERATED / name, tmp_path / f"vendored_{name}", ignore=shutil.ignore_patterns("__pycache__"))
    _venue_facts(tmp_path)
    result = _run(
        tmp_path,
        RAISE + """
for name, venue in VENUES.items():
    package = importlib.import_module("vendored_" + name)
    assert not package._shared.uses_shared_runtime()
    assert package.ApiError.__module__ == f"vendored_{name}.errors"
    try:
        fail("vendored_" + name, venue)
    except package.ApiError as exc:
        assert exc.code == "40001" and exc.http_status == 400
    else:
        raise AssertionError(name)
assert "specgen_runtime" not in sys.modules and "httpx" not in sys.modules
""",
    )
    assert result.returncode == 0, result.stderr


def test_a_different_shared_runtime_is_not_used(tmp_path: Path) -> None:
    """A specgen_runtime from another specgen version (another RUNTIME_ID) is left alone."""
    [name, *_] = VENUES
    for folder in (name, SHARED_RUNTIME):
        shutil.copytree(GENERATED / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / SHARED_RUNTIME / "_runtime_id.py").write_text('RUNTIME_ID = "another"\n', "utf-8")
    result = _run(
        tmp_path,
        f"""
import {name} as package, specgen_runtime
assert not package._shared.uses_shared_runtime()
assert package.ApiError is not specgen_runtime.ApiError
assert package.ApiError.__module__ == "{name}.errors"
""",
    )
    assert result.returncode == 0, result.stderr


# -- retry rules come from the venue spec (errors.retry), not from code ---------------------------


def test_retry_statuses_are_the_specs() -> None:
    import importlib

    import yaml

    sys.path.insert(0, str(GENERATED))
    for name in VENUES:
        spec = yaml.safe_load((ROOT / "specs" / name / "venue.yaml").read_text("utf-8"))["errors"]
        client = importlib.import_module(f"{name}.client")
        expected = {r["status"]: r.get("only_with_retry_after", False) for r in spec.get("retry", [])}
        assert client.RETRY_STATUSES == expected, name
        assert client.RATE_LIMIT_STATUSES == tuple(spec.get("rate_limit_statuses", [429])), name


def test_a_venue_without_retry_rules_retries_no_answer(tmp_path: Path) -> None:
    """The fixture venue declares no errors.retry: its client resends no status, 429 included."""
    project = scratch_project(tmp_path)
    source = (project / "generated" / "fx_header" / "client.py").read_text("utf-8")
    assert "RETRY_STATUSES: dict[int, bool] = {}\n" in source
    assert "RATE_LIMIT_STATUSES: tuple[int, ...] = (429, 418)\n" in source


def test_a_status_listed_twice_is_a_spec_error(tmp_path: Path) -> None:
    project = scratch_project(tmp_path, with_generated=False)
    venue_file = project / "specs" / "fx_header" / "venue.yaml"
    text = venue_file.read_text("utf-8")
    rules = "  retry:\n    - {status: 429}\n    - {status: 429, only_with_retry_after: true}\n"
    venue_file.write_text(
        text.replace("  rate_limit_statuses: [429, 418]\n", "  rate_limit_statuses: [429, 418]\n" + rules), "utf-8"
    )
    result = run_cli(project, "validate")
    assert result.returncode == 2
    line = text[: text.index("  rate_limit_statuses")].count("\n") + 4  # the second rule's line
    assert f"specs/fx_header/venue.yaml:{line}: [duplicate-status] status 429 is listed twice" in result.stderr


def test_a_venue_cannot_take_the_shared_runtimes_folder(tmp_path: Path) -> None:
    from specgen.emit.pipeline import CONTRACT_DIR
    from specgen.spec.model import RESERVED_VENUES

    assert {SHARED_RUNTIME, CONTRACT_DIR} <= RESERVED_VENUES
    project = scratch_project(tmp_path, with_generated=False)
    folder = project / "specs" / SHARED_RUNTIME
    (project / "specs" / "fx_header").rename(folder)
    venue_file = folder / "venue.yaml"
    venue_file.write_text(
        venue_file.read_text("utf-8").replace("venue: fx_header\n", f"venue: {SHARED_RUNTIME}\n"), "utf-8"
    )
    result = run_cli(project, "validate")
    assert result.returncode == 2
    assert f"[reserved-name] venue '{SHARED_RUNTIME}' names a folder of generated/ of its own" in result.stderr
