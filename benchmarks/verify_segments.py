"""Check piecewise formatting (generator/formatting.py, Segments) against black on whole files.

For every module a spec set renders that is big enough to be formatted piecewise:
  1. every piece formatted in its own window and the pieces joined == black on the whole file;
  2. after one endpoint spec changes (its summary, and separately one of its limits), the module
     assembled from the pieces recorded for the old version plus freshly formatted windows for
     the rest == black on the whole new file.
Slow (every window is formatted): a development check, not part of `make bench`.

    python benchmarks/verify_segments.py PROJECT_DIR   # a folder with specs/, templates/, pyproject.toml
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from specgen.config import load_config  # noqa: E402
from specgen.emit import formatting  # noqa: E402
from specgen.emit.formatting import Formatter, Segments, format_one  # noqa: E402


def rendered(project: Path) -> dict[str, str]:
    import os

    from specgen.emit import pipeline
    from specgen.spec.specset import read_specs

    cwd = os.getcwd()
    os.chdir(project)
    try:
        config = load_config(None, {})
        venues = read_specs(config.specs, config.root)
        env = pipeline._env(config.templates)
        templates = pipeline.package_templates(config.templates)
        out: dict[str, str] = {}
        for venue in venues:
            sources, _ = pipeline._render_venue(env, templates, venue)
            out.update(sources)
        return out
    finally:
        os.chdir(cwd)


def check_windows(name: str, source: str, truth: str, mode_key: str) -> bool:
    seg = Segments.of(source, mode_key)
    if seg is None:
        print(f"  {name}: not cut into pieces")
        return True
    parts = []
    for piece in seg.pieces:
        text = Segments.extract(piece, format_one(piece.window))
        if text is None:
            print(f"  {name}: window of an unexpected shape ({piece.kind})")
            return True  # the formatter would format this module whole: fine
        parts.append(text)
    ok = "".join(parts) == truth
    split_ok = seg.split(truth) == parts
    print(
        f"  {name}: {len(seg.pieces)} pieces, windows joined {'==' if ok else '!='} whole; "
        f"cut from whole {'==' if split_ok else '!='} windows"
    )
    return ok and split_ok


def main() -> None:
    project = Path(sys.argv[1]).resolve()
    formatting.SEGMENT_MIN_BYTES = 0
    mode_key = formatting._mode_key()
    before = rendered(project)
    ok = True
    print("1. windows joined == whole file")
    truths = {}
    for name, source in sorted(before.items()):
        if name.startswith("contract_tests/"):
            continue
        truths[name] = format_one(source)
        ok &= check_windows(name, source, truths[name], mode_key)
    print("2. after one spec changed: recorded pieces + fresh windows == whole file")
    specs = sorted(p for p in (project / "specs").glob("*/*.yaml") if p.name != "venue.yaml")
    spec = specs[len(specs) // 2]
    original = spec.read_text("utf-8")
    added = spec.with_name("zz_added_copy.yaml")
    copy = re.sub(r"^operation: (\w+)", r"operation: \1_zz", original, count=1, flags=re.M)
    copy = re.sub(r"^model: .*\n", "", copy, flags=re.M)
    copy = re.sub(r"(\bmodel: )(\w+)", r"\1\2Zz", copy)
    edits = [
        ("summary", re.sub(r"^summary: (.*)$", r"summary: \1 (edited)", original, count=1, flags=re.M)),
        ("limit", re.sub(r"max_items: (\d+)", lambda m: f"max_items: {int(m.group(1)) + 1}", original, count=1)),
        ("added endpoint", copy),
        ("removed endpoint", ""),
    ]
    try:
        for label, text in edits:
            if text == original:
                continue
            with tempfile.TemporaryDirectory() as cache:
                fmt = Formatter(Path(cache))
                fmt.format_many({k: v for k, v in before.items() if not k.startswith("contract_tests/")})
                if label == "added endpoint":
                    added.write_text(text, "utf-8")
                elif label == "removed endpoint":
                    spec.unlink()
                else:
                    spec.write_text(text, "utf-8")
                after = {k: v for k, v in rendered(project).items() if not k.startswith("contract_tests/")}
                got = fmt.format_many(after)
                for name, source in sorted(after.items()):
                    if source == before.get(name):
                        continue
                    want = format_one(source)
                    same = got[name] == want
                    ok &= same
                    print(f"  {label} in {spec.name}: {name} {'==' if same else '!='} whole")
                print(f"  ({fmt.pieces_reused} pieces reused, {fmt.pieces_formatted} formatted in windows)")
                disabled = list((Path(cache) / "seg").glob("disabled-*"))
                ok &= not disabled
                spec.write_text(original, "utf-8")
                added.unlink(missing_ok=True)
    finally:
        spec.write_text(original, "utf-8")
        added.unlink(missing_ok=True)
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
