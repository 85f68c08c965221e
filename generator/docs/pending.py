"""A venue whose document changed but whose digest is not yet accepted: the others still generate.

Its generated files are kept exactly as they are (the last reviewed state) and its digest error is
reported, so `generate` exits 2 for that venue alone.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from specgen.config import Config
from specgen.emit.output import Plan, read_tree
from specgen.emit.pipeline import CONTRACT_DATA, PlanInputs, Progress, Result, build_plan
from specgen.errors import SpecError, SpecErrors


def pending_venues(errors: list[SpecError], config: Config) -> frozenset[str] | None:
    """The venues the errors are about when every error is a stale digest; None otherwise."""
    specs = config.specs.resolve()
    venues: set[str] = set()
    for e in errors:
        path = Path(e.file)
        path = (path if path.is_absolute() else config.root / path).resolve()
        if e.rule != "digest" or specs not in path.parents:
            return None
        venues.add(path.relative_to(specs).parts[0])
    return frozenset(venues) if venues else None


def owned_by(rel: str, venue: str) -> bool:
    """Whether an output file belongs to a venue: its package, or its contract-test data."""
    return rel.startswith(f"{venue}/") or rel.startswith(f"{CONTRACT_DATA}/{venue}/")


def build_plan_except_pending(
    config: Config, progress: Progress | None = None, inputs: PlanInputs | None = None
) -> tuple[Result, list[SpecError]]:
    """The plan, with any venue held back by a pending digest kept as it is in the output folder."""
    try:
        return build_plan(config, progress, inputs), []
    except SpecErrors as exc:
        pending = pending_venues(exc.errors, config)
        if pending is None:
            raise
        errors = exc.errors
    result = build_plan(replace(config, skip=config.skip | pending), progress)
    kept: Plan = {rel: data for rel, data in read_tree(config.output).items() if any(owned_by(rel, v) for v in pending)}
    plan = dict(sorted({**result.plan, **kept}.items()))
    return replace(result, plan=plan), errors
