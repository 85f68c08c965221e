"""specs -> validated model -> templates -> formatted files: the plan (relative path -> bytes).

This is the one pure step at the core: it reads specs and templates and returns bytes; it
writes nothing but the formatter cache. `generate` and `check` differ only in what they do with
the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator import cases, json_schema
from generator.config import Config
from generator.errors import SpecError
from generator.formatting import Formatter
from generator.model import Data, Venue
from generator.output import Plan
from generator.specset import read_specs

PACKAGE_DIR = "package"  # templates/package/<name>.py.j2 -> generated/<venue>/<name>.py
CONTRACT_TEMPLATE = "contract_test.py.j2"  # -> generated/contract_tests/test_<venue>__<op>.py
CONTRACT_DIR = "contract_tests"
CONFTEST_TEMPLATE = "contract_conftest.py.j2"  # -> generated/contract_tests/conftest.py


@dataclass(frozen=True)
class Result:
    venues: tuple[Venue, ...]
    spec_count: int
    plan: Plan


def package_templates(templates: Path) -> list[str]:
    folder = templates / PACKAGE_DIR
    names = sorted(p.name for p in folder.glob("*.py.j2")) if folder.is_dir() else []
    if not names:
        raise SpecError(str(folder), None, "template-missing", "no package templates (*.py.j2) found")
    return names


def build_plan(config: Config) -> Result:
    venues = read_specs(config.specs, config.root, only=config.venue)
    from generator.render import make_env, render  # jinja is only needed once specs are valid

    env = make_env(config.templates)
    sources: dict[str, str] = {}
    plan: Plan = {}
    templates = package_templates(config.templates)
    for venue in venues:
        pkg = venue.name.value
        for name in templates:
            out = f"{pkg}/{name.removesuffix('.j2')}"
            sources[out] = render(env, f"{PACKAGE_DIR}/{name}", venue=venue)
        plan[f"{pkg}/py.typed"] = b""
        for endpoint in venue.endpoints:
            op = endpoint.operation.value
            plan[f"{pkg}/schemas/{op}.request.json"] = json_schema.dumps(json_schema.request_schema(venue, endpoint))
            plan[f"{pkg}/schemas/{op}.response.json"] = json_schema.dumps(json_schema.response_schema(venue, endpoint))
            sources[f"{CONTRACT_DIR}/test_{pkg}__{op}.py"] = render(
                env,
                CONTRACT_TEMPLATE,
                venue=venue,
                endpoint=endpoint,
                boundary_cases=Data(cases.request_cases(endpoint)),
                response_variants=Data(cases.response_variants(endpoint)),
            )
    if venues:
        sources[f"{CONTRACT_DIR}/conftest.py"] = render(env, CONFTEST_TEMPLATE)
    formatter = Formatter(None if config.no_cache else config.cache)
    for rel, text in formatter.format_many(sources).items():
        plan[rel] = text.encode("utf-8")
    spec_count = sum(1 + len(v.endpoints) for v in venues)
    return Result(venues, spec_count, dict(sorted(plan.items())))
