"""Write a synthetic spec set of N endpoints, built from the bundled specs.

Every synthetic endpoint is a copy of one of the real endpoint specs in specs/ (taken in turn),
with its operation, model names and path made unique, so the set has exactly the variety of the
real ones: query lists encoded as JSON and comma-joined, JSON bodies, conditional limits, groups
(exactly / at least one of), same-fields and item-required rules, patterns, enums, nested
objects, one_of responses, envelopes and bare lists, hex and base64 signatures. Endpoints are
spread over venues of at most --per-venue endpoints (copies of the real venue files), the way a
large exchange splits its API into products.

Each synthetic spec also gets one of a few extra parameters (so copies are not byte-identical
apart from names) and keeps the real spec's test cases.

    python benchmarks/synth_specs.py OUT_DIR --endpoints 1000 [--per-venue 100]

writes OUT_DIR/specs/, OUT_DIR/templates (a copy) and OUT_DIR/pyproject.toml, ready for
`python -m specgen generate` with cwd=OUT_DIR. Deterministic: the same arguments write the
same bytes.
"""

from __future__ import annotations

import argparse
import copy
import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent

# Extra parameters, one per synthetic endpoint (in turn), in the variety of the real specs.
EXTRA_PARAMS: list[dict[str, Any]] = [
    {
        "name": "tag",
        "type": "string",
        "min_length": 1,
        "max_length": 32,
        "pattern": "^[A-Za-z0-9_-]+$",
        "description": "Free tag echoed back by the venue.",
    },
    {"name": "priority", "type": "int64", "minimum": 0, "maximum": 9, "description": "Priority, 0 to 9."},
    {"name": "mode", "type": "enum", "values": ["normal", "fast", "safe"], "description": "Processing mode."},
    {"name": "dryRun", "type": "bool", "description": "Validate without acting."},
    {"name": "limitPrice", "type": "decimal", "description": "A price bound."},
]


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _rename_models(node: Any, suffix: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "model" and isinstance(value, str):
                node[key] = value + suffix
            else:
                _rename_models(value, suffix)
    elif isinstance(node, list):
        for item in node:
            _rename_models(item, suffix)


def real_endpoints(specs: Path) -> list[tuple[str, Path]]:
    """(venue, endpoint spec) for every bundled endpoint, in a stable order."""
    out = []
    for venue_dir in sorted(p for p in specs.iterdir() if p.is_dir()):
        for spec in sorted(venue_dir.glob("*.yaml")):
            if spec.name != "venue.yaml":
                out.append((venue_dir.name, spec))
    return out


def synthetic_endpoint(raw: dict[str, Any], index: int, first_in_venue: bool = True) -> dict[str, Any]:
    doc = copy.deepcopy(raw)
    if not first_in_venue:
        doc.pop("actions", None)  # a venue offers each unified call (cancel_orders) through one endpoint
    tag = f"{index:04d}"
    doc["operation"] = f"{raw['operation']}_{tag}"
    doc.pop("model", None)  # the stem derives from the (unique) operation
    _rename_models(doc.get("params"), f"N{tag}")
    _rename_models(doc.get("response"), f"N{tag}")
    doc["http"]["path"] = f"{raw['http']['path']}/{tag}"
    for case in doc.get("tests", {}).get("request", []):
        case["expect"]["path"] = doc["http"]["path"]
    extra = copy.deepcopy(EXTRA_PARAMS[index % len(EXTRA_PARAMS)])
    names = {p["name"] for p in doc["params"]}
    if doc["http"].get("body") == "array":
        extra["in"] = "query"  # the body is the one list parameter itself
    if extra["name"] not in names:
        # Before the client-filled timestamp / recvWindow, like the real specs.
        at = next((i for i, p in enumerate(doc["params"]) if "source" in p), len(doc["params"]))
        doc["params"].insert(at, extra)
    doc["summary"] = f"{raw['summary']} (synthetic copy {tag})"
    return doc


def write_set(out: Path, endpoints: int, per_venue: int, source: Path = ROOT) -> dict[str, int]:
    specs_out = out / "specs"
    if specs_out.exists():
        shutil.rmtree(specs_out)
    specs_out.mkdir(parents=True)
    reals = real_endpoints(source / "specs")
    venues: dict[str, int] = {}
    # Endpoint i copies real endpoint i % len(reals); venues group copies of the same real venue.
    per_kind: dict[str, int] = {}
    loaded: dict[Path, Any] = {}
    for i in range(endpoints):
        venue, spec_path = reals[i % len(reals)]
        n = per_kind.get(venue, 0)
        per_kind[venue] = n + 1
        name = f"syn_{venue}_{n // per_venue:02d}"
        folder = specs_out / name
        if name not in venues:
            folder.mkdir()
            shutil.copytree(spec_path.parent / "sources", folder / "sources")
            vraw = yaml.load((spec_path.parent / "venue.yaml").read_text("utf-8"), Loader=_Loader)
            vraw["venue"] = name
            vraw["title"] = f"{vraw['title']} (synthetic {name})"
            (folder / "venue.yaml").write_text(
                yaml.dump(vraw, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100), "utf-8"
            )
            venues[name] = 0
        if spec_path not in loaded:
            loaded[spec_path] = yaml.load(spec_path.read_text("utf-8"), Loader=_Loader)
        doc = synthetic_endpoint(loaded[spec_path], i, first_in_venue=n % per_venue == 0)
        (folder / f"{doc['operation']}.yaml").write_text(
            yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100), "utf-8"
        )
        venues[name] += 1
    tdst = out / "templates"
    if tdst.exists():
        shutil.rmtree(tdst)
    shutil.copytree(source / "templates", tdst)
    (out / "pyproject.toml").write_text(
        '[tool.specgen]\nspecs = "specs"\ntemplates = "templates"\noutput = "generated"\n', "utf-8"
    )
    return venues


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--endpoints", type=int, default=100)
    ap.add_argument("--per-venue", type=int, default=100)
    ap.add_argument("--from", dest="source", type=Path, default=ROOT, help="project to copy specs and templates from")
    args = ap.parse_args()
    venues = write_set(args.out, args.endpoints, args.per_venue, args.source)
    print(f"{args.endpoints} endpoints in {len(venues)} venues under {args.out / 'specs'}")


if __name__ == "__main__":
    main()
