"""specs -> validated model -> templates -> formatted files: the plan (relative path -> bytes).

This is the one pure step at the core: it reads specs and templates and returns bytes; it
writes nothing but caches. `generate` and `check` differ only in what they do with the plan.

Work is proportional to what changed. A venue's output depends only on its own folder under
specs/ and on what every venue shares (templates, the generator's source, the pinned tool
versions, the configured paths); see `plan_inputs`. So the plan is cached per venue: an entry
under <cache>/plan/, keyed by the sha256 of those inputs, records the digest of every file the
venue produces, and the bytes are kept content-addressed under <cache>/blobs/. A venue whose key
has an entry (and whose blobs are intact) is neither read, validated, rendered nor formatted;
the others are read and rendered in parallel, then formatted (black, with its own cache).

Only successful builds are recorded, so every error is still found by the full path. When all
entries exist, `expected_files` gives the digests of the whole plan without importing yaml,
jsonschema, jinja2 or black: `specgen check`'s fast path.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.config import Config
from generator.errors import SpecError, SpecErrors

if TYPE_CHECKING:
    import jinja2

    from generator.model import Venue

Plan = dict[str, bytes]

PACKAGE_DIR = "package"  # templates/package/<name>.py.j2 -> generated/<venue>/<name>.py
CONTRACT_TEMPLATE = "contract_test.py.j2"  # -> generated/contract_tests/test_<venue>__<op>.py
CONTRACT_DIR = "contract_tests"
CONFTEST_TEMPLATE = "contract_conftest.py.j2"  # -> generated/contract_tests/conftest.py
CONFTEST = f"{CONTRACT_DIR}/conftest.py"

# Bump when the layout or meaning of cache entries changes.
CACHE_FORMAT = "specgen-plan-2"
# Distributions whose code decides the bytes of the output (with the interpreter's version).
TOOLS = ("black", "jinja2", "pyyaml", "jsonschema", "markupsafe")
# Read and render venues in worker processes when at least this many need it.
PARALLEL_VENUES = 2


@dataclass(frozen=True)
class Result:
    venue_names: tuple[str, ...]
    spec_count: int
    plan: Plan


def package_templates(templates: Path) -> list[str]:
    folder = templates / PACKAGE_DIR
    names = sorted(p.name for p in folder.glob("*.py.j2")) if folder.is_dir() else []
    if not names:
        raise SpecError(str(folder), None, "template-missing", "no package templates (*.py.j2) found")
    return names


# ---------------------------------------------------------------------------------------------
# Inputs and their keys (standard library only: this runs on `check`'s fast path)


def _tree_digest(h: Any, root: Path) -> None:
    """Feed every file under root (relative path and content) into h, in a stable order."""
    if not root.is_dir():
        h.update(b"missing\0")
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            data = Path(dirpath, name).read_bytes()
            h.update(f"{rel_dir}/{name}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
            h.update(data)


def _tool_versions() -> str:
    """The installed versions of TOOLS, found the way importlib.metadata would, without importing it."""
    wanted = {name.lower().replace("-", "_"): name for name in TOOLS}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            project, _, release = name[: -len(".dist-info")].partition("-")
            key = project.lower().replace("-", "_").replace(".", "_")
            if key in wanted and key not in found:  # first on sys.path wins, as for imports
                found[key] = release
    if len(found) != len(wanted):
        from importlib.metadata import PackageNotFoundError, version  # slow, but always right

        for key, name in wanted.items():
            if key not in found:
                try:
                    found[key] = version(name)
                except PackageNotFoundError:
                    found[key] = "absent"
    return ";".join(f"{k}={found[k]}" for k in sorted(found))


def _where(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


@dataclass(frozen=True)
class PlanInputs:
    shared: str  # key of what every venue's output depends on
    venues: dict[str, str]  # venue folder name -> key of that venue's output


def venue_folders(specs: Path) -> list[Path]:
    """The venue folders, as specset.read_specs finds them."""
    return sorted(p for p in specs.iterdir() if p.is_dir() and not p.name.startswith("."))


def plan_inputs(config: Config) -> PlanInputs | None:
    """Keys of everything the plan depends on; None when the plan cannot be cached."""
    if config.no_cache or config.venue is not None or not config.specs.is_dir():
        return None
    h = hashlib.sha256()
    h.update(f"{CACHE_FORMAT}\0{sys.version}\0{_tool_versions()}\0".encode())
    # Where specs and templates are, as seen from the project (error messages show such paths);
    # relative, so that a copy of the project keeps its cache.
    h.update(f"{_where(config.specs, config.root)}\0{_where(config.templates, config.root)}\0".encode())
    h.update(b"generator\0")
    _tree_digest(h, Path(__file__).resolve().parent)
    h.update(b"templates\0")
    _tree_digest(h, config.templates)
    folders = venue_folders(config.specs)
    # Anything under specs/ outside a venue folder (hidden folders, loose files) is shared input:
    # no venue reads it today, and if one ever does, it must not be left out of every key.
    h.update(b"specs-outside-venues\0")
    for entry in sorted(config.specs.iterdir()):
        if entry not in folders:
            h.update(f"{entry.name}\0".encode("utf-8", "surrogateescape"))
            if entry.is_dir():
                _tree_digest(h, entry)
            elif entry.is_file():
                h.update(entry.read_bytes())
    shared = h.hexdigest()
    venues: dict[str, str] = {}
    for folder in folders:
        v = hashlib.sha256(f"{shared}\0{folder.name}\0".encode("utf-8", "surrogateescape"))
        _tree_digest(v, folder)
        venues[folder.name] = v.hexdigest()
    return PlanInputs(shared, venues)


# ---------------------------------------------------------------------------------------------
# The cache: entries (key -> digests of the files produced) and blobs (digest -> bytes)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PlanCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _entry_path(self, kind: str, key: str) -> Path:
        return self.root / "plan" / f"{kind}-{key}.json"

    def read_entry(self, kind: str, key: str) -> dict[str, Any] | None:
        try:
            entry = json.loads(self._entry_path(kind, key).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict) or not isinstance(entry.get("specs"), int):
            return None
        return entry

    def write_entry(self, kind: str, key: str, files: dict[str, bytes], specs: int) -> None:
        for data in files.values():
            self.write_blob(data)
        entry = {"files": {rel: digest(data) for rel, data in sorted(files.items())}, "specs": specs}
        self._atomic_write(self._entry_path(kind, key), json.dumps(entry, indent=0).encode("utf-8"))

    def _blob_path(self, hexdigest: str) -> Path:
        return self.root / "blobs" / hexdigest[:2] / hexdigest

    def read_blob(self, hexdigest: str) -> bytes | None:
        try:
            data = self._blob_path(hexdigest).read_bytes()
        except OSError:
            return None
        return data if digest(data) == hexdigest else None  # a damaged blob is a miss

    def write_blob(self, data: bytes) -> None:
        path = self._blob_path(digest(data))
        if not path.exists():
            self._atomic_write(path, data)

    def _atomic_write(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time


@dataclass(frozen=True)
class Expected:
    """What the plan holds, from the cache alone: relative path -> sha256, and the spec count."""

    files: dict[str, str]
    spec_count: int


def expected_files(config: Config) -> Expected | None:
    """The digests of the whole plan when every venue's entry is cached, else None."""
    inputs = plan_inputs(config)
    if inputs is None:
        return None
    cache = PlanCache(config.cache)
    files: dict[str, str] = {}
    specs = 0
    for name, key in inputs.venues.items():
        entry = cache.read_entry("venue", key)
        if entry is None:
            return None
        files.update(entry["files"])
        specs += entry["specs"]
    if inputs.venues:
        shared = cache.read_entry("shared", inputs.shared)
        if shared is None:
            return None
        files.update(shared["files"])
    return Expected(dict(sorted(files.items())), specs)


# ---------------------------------------------------------------------------------------------
# Building


def build_plan(config: Config) -> Result:
    inputs = plan_inputs(config)
    if inputs is None:
        return _build_uncached(config)
    cache = PlanCache(config.cache)
    plan: Plan = {}
    spec_count = 0
    misses: list[str] = []
    for name, key in inputs.venues.items():
        got = _load_entry(cache, "venue", key)
        if got is None:
            misses.append(name)
        else:
            plan.update(got[0])
            spec_count += got[1]
    shared = _load_entry(cache, "shared", inputs.shared) if inputs.venues else None

    built = _read_and_render_venues(config, misses)
    sources: dict[str, str] = {}
    for venue in built:
        sources.update(venue.sources)
    if inputs.venues and shared is None:
        sources[CONFTEST] = _render_conftest(config)
    formatted = _format(config, sources)
    for venue in built:
        files = dict(venue.raw)
        files.update({rel: formatted[rel] for rel in venue.sources})
        cache.write_entry("venue", inputs.venues[venue.name], files, venue.spec_count)
        plan.update(files)
        spec_count += venue.spec_count
    if inputs.venues:
        if shared is None:
            cache.write_entry("shared", inputs.shared, {CONFTEST: formatted[CONFTEST]}, 0)
            plan[CONFTEST] = formatted[CONFTEST]
        else:
            plan.update(shared[0])
    return Result(tuple(inputs.venues), spec_count, dict(sorted(plan.items())))


def _load_entry(cache: PlanCache, kind: str, key: str) -> tuple[Plan, int] | None:
    entry = cache.read_entry(kind, key)
    if entry is None:
        return None
    files: Plan = {}
    for rel, hexdigest in entry["files"].items():
        data = cache.read_blob(hexdigest)
        if data is None:
            return None
        files[rel] = data
    return files, entry["specs"]


def _build_uncached(config: Config) -> Result:
    """Everything afresh, in one process: --no-cache, --venue."""
    from generator.specset import read_specs

    venues = read_specs(config.specs, config.root, only=config.venue)
    env = _env(config.templates)
    templates = package_templates(config.templates)
    sources: dict[str, str] = {}
    plan: Plan = {}
    for venue in venues:
        venue_sources, raw = _render_venue(env, templates, venue)
        sources.update(venue_sources)
        plan.update(raw)
    if venues:
        sources[CONFTEST] = _render_conftest(config)
    plan.update(_format(config, sources))
    spec_count = sum(1 + len(v.endpoints) for v in venues)
    return Result(tuple(v.name.value for v in venues), spec_count, dict(sorted(plan.items())))


def _format(config: Config, sources: dict[str, str]) -> Plan:
    if not sources:
        return {}
    from generator.formatting import Formatter

    formatter = Formatter(None if config.no_cache else config.cache)
    return {rel: text.encode("utf-8") for rel, text in formatter.format_many(sources).items()}


_ENVS: dict[Path, jinja2.Environment] = {}


def _env(templates: Path) -> jinja2.Environment:
    from generator.render import make_env  # jinja is only needed once specs are valid

    if templates not in _ENVS:
        _ENVS[templates] = make_env(templates)
    return _ENVS[templates]


def _render_conftest(config: Config) -> str:
    from generator.render import render

    return render(_env(config.templates), CONFTEST_TEMPLATE)


def _render_venue(env: jinja2.Environment, templates: list[str], venue: Venue) -> tuple[dict[str, str], Plan]:
    """A venue's rendered (unformatted) Python sources, and its files that need no formatting."""
    from generator import cases, json_schema
    from generator.model import Data
    from generator.render import render

    sources: dict[str, str] = {}
    raw: Plan = {}
    pkg = venue.name.value
    for name in templates:
        sources[f"{pkg}/{name.removesuffix('.j2')}"] = render(env, f"{PACKAGE_DIR}/{name}", venue=venue)
    raw[f"{pkg}/py.typed"] = b""
    for endpoint in venue.endpoints:
        op = endpoint.operation.value
        raw[f"{pkg}/schemas/{op}.request.json"] = json_schema.dumps(json_schema.request_schema(venue, endpoint))
        raw[f"{pkg}/schemas/{op}.response.json"] = json_schema.dumps(json_schema.response_schema(venue, endpoint))
        sources[f"{CONTRACT_DIR}/test_{pkg}__{op}.py"] = render(
            env,
            CONTRACT_TEMPLATE,
            venue=venue,
            endpoint=endpoint,
            boundary_cases=Data(cases.request_cases(endpoint)),
            response_variants=Data(cases.response_variants(endpoint)),
        )
    return sources, raw


@dataclass(frozen=True)
class _Built:
    name: str
    spec_count: int
    sources: dict[str, str]
    raw: Plan


# A SpecError travels between processes as its fields (its constructor takes four arguments).
_ErrorFields = tuple[str, int | None, str, str]


def _fields(e: SpecError) -> _ErrorFields:
    return (e.file, e.line, e.rule, e.message)


def _venue_job(job: tuple[Config, str]) -> tuple[list[_ErrorFields], _ErrorFields | None, _Built | None]:
    """Read one venue, then render it: (spec errors, render error, result)."""
    config, name = job
    from generator.specset import read_specs

    try:
        (venue,) = read_specs(config.specs, config.root, only=name)
    except SpecErrors as exc:
        return [_fields(e) for e in exc.errors], None, None
    except SpecError as exc:
        return [_fields(exc)], None, None
    try:
        sources, raw = _render_venue(_env(config.templates), package_templates(config.templates), venue)
    except SpecError as exc:
        return [], _fields(exc), None
    return [], None, _Built(name, 1 + len(venue.endpoints), sources, raw)


def _read_and_render_venues(config: Config, names: list[str]) -> list[_Built]:
    """As the uncached path would: every spec error of every venue first, then the first
    template error, in venue order."""
    jobs = [(config, name) for name in names]
    workers = min(os.cpu_count() or 1, len(jobs), 8)
    if len(jobs) >= PARALLEL_VENUES and workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_venue_job, jobs))
    else:
        results = [_venue_job(job) for job in jobs]
    spec_errors = [SpecError(*fields) for errs, _, _ in results for fields in errs]
    if spec_errors:
        raise SpecErrors(spec_errors)
    package_templates(config.templates)  # as the uncached path: fails even with no venue to render
    for _, render_error, _ in results:
        if render_error is not None:
            raise SpecError(*render_error)
    return [built for _, _, built in results if built is not None]
