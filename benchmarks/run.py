"""`make bench`: specgen against the tools users would pick instead, measured in one run, printed
as one table of medians and ratios.

Run with the project's interpreter (.venv); the peers run from benchmarks/.venv (installed by
`make bench` from benchmarks/requirements.txt). Everything is written under benchmarks/.work/.
Whole-process rows give wall time (perf_counter around the process) and peak resident memory
(ru_maxrss from wait4: the largest process of the tree, worker processes included).

    python benchmarks/run.py [--full] [--budget SECONDS] [--markdown FILE]

The default run stays within --budget (default 270 s, after the peers are installed): rows that
would not fit say so. specgen's cold run of the 1,000-endpoint set gets what is left of the
budget (stopped, and reported as such, when it needs more); after it, the one-spec-change rows.
--full lets that cold run take as long as it needs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lines import count_lines
from specgen.spec.specset import VENUE_FILE, venue_folders

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
PEER_VENV = HERE / ".venv"
PEER_PY = PEER_VENV / "bin" / "python"
PROJECT_PY = Path(sys.executable)
PER_VENUE = 50  # endpoints per synthetic venue: the size of one exchange product's API
# Measured processes cache bytecode as a normal installation does, whatever the environment says
# (an empty PYTHONDONTWRITEBYTECODE is unset); the first run of each kind writes the cache.
BYTECODE = {"PYTHONDONTWRITEBYTECODE": ""}


@dataclass
class Row:
    area: str
    what: str
    tool: str
    value: float | None = None  # seconds or µs (see unit)
    unit: str = "s"
    runs: int = 0
    peak_mb: float | None = None
    note: str = ""
    ratio: str = ""
    target: str = ""


@dataclass
class Bench:
    budget: float
    full: bool
    start: float = field(default_factory=time.perf_counter)
    rows: list[Row] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)

    def left(self) -> float:
        return self.budget - (time.perf_counter() - self.start)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        shown = "-" if row.value is None else f"{row.value:.3g} {row.unit}"
        print(f"  {row.area} | {row.what} | {row.tool}: {shown} {row.note}", flush=True)
        return row


def run_timed(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    ok: tuple[int, ...] = (0,),
) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS MB, exit code, output tail) of one process."""
    full_env = {**os.environ, **BYTECODE, **(env or {})}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = None if timeout is None else t0 + timeout
    out = b""
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        chunk = proc.stdout.read() or b""
        out = (out + chunk)[-4000:]
        if pid:
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            out = (out + (proc.stdout.read() or b""))[-4000:]
            return wall, usage.ru_maxrss / 1024, proc.returncode, out.decode(errors="replace")
        if deadline is not None and time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            return float("inf"), usage.ru_maxrss / 1024, -9, out.decode(errors="replace")
        time.sleep(0.005)


def measure(
    b: Bench,
    area: str,
    what: str,
    tool: str,
    cmd: list[str],
    cwd: Path,
    n: int,
    env: dict[str, str] | None = None,
    prepare: Any = None,
    timeout: float | None = None,
    ok: tuple[int, ...] = (0,),
) -> Row:
    walls, peaks = [], []
    for _ in range(n):
        if prepare is not None:
            prepare()
        wall, peak, code, out = run_timed(cmd, cwd, env, timeout)
        if wall == float("inf"):
            return b.add(Row(area, what, tool, None, note=f"stopped after {timeout:.0f} s", runs=len(walls)))
        if code not in ok:
            last = out.strip().splitlines()[-1:] or ["?"]
            return b.add(Row(area, what, tool, None, note=f"failed (exit {code}): {last[0][:90]}"))
        walls.append(wall)
        peaks.append(peak)
    return b.add(Row(area, what, tool, statistics.median(walls), "s", n, max(peaks)))


def specgen(*args: str) -> list[str]:
    return [str(PROJECT_PY), "-m", "specgen", *args]


# The generator, specs and templates are copied at the start of a run, so that edits made in the
# working tree meanwhile (the generator's own source is an input of every cache key) cannot
# change what one run measures.
SNAPSHOT = WORK / "src"
SPECGEN_ENV = {"PYTHONPATH": str(SNAPSHOT)}


def snapshot() -> None:
    clear(SNAPSHOT)
    SNAPSHOT.mkdir(parents=True)
    for name in ("generator", "specs", "templates", "generated"):
        shutil.copytree(ROOT / name, SNAPSHOT / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", SNAPSHOT / "pyproject.toml")


def peer_missing(b: Bench, name: str) -> str | None:
    if not PEER_PY.exists():
        return "not installed (no benchmarks/.venv)"
    state = b.status.get(name, "ok")
    return None if state == "ok" else f"not installed: {state}"


def peer_bin(name: str) -> str:
    return str(PEER_VENV / "bin" / name)


PEER_ENV = {"PATH": f"{PEER_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}


# ---------------------------------------------------------------------------------------------


def project_copy(dest: Path, with_generated: bool) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("specs", "templates"):
        shutil.copytree(SNAPSHOT / name, dest / name)
    shutil.copy(SNAPSHOT / "pyproject.toml", dest / "pyproject.toml")
    if with_generated:
        shutil.copytree(SNAPSHOT / "generated", dest / "generated")
    return dest


def clear(*paths: Path) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def lines_row(b: Bench, area: str, generated: Path) -> None:
    """Generated lines per endpoint beyond the shared runtime (per-venue modules spread over its endpoints)."""
    if not generated.is_dir():
        return
    c = count_lines(generated)
    per = c.per_endpoint
    b.add(
        Row(
            area,
            "generated lines per endpoint, beyond the shared runtime",
            "specgen",
            per,
            "lines",
            note=(
                f"{c.rest} lines for {c.endpoints} endpoints ({c.python_per_endpoint:.0f} per endpoint in Python"
                f" modules, the rest JSON Schemas, contract data, READMEs); runtime copies {c.runtime} lines left out"
            ),
            target=f"<= 300: {'met' if per <= 300 else 'MISSED'}",
        )
    )


def bench_bundled(b: Bench) -> None:
    venues = venue_folders(ROOT / "specs")
    endpoints = sum(1 for v in venues for f in v.glob("*.yaml") if f.name != VENUE_FILE)
    area = f"1 generation: bundled specs ({endpoints} endpoints, {len(venues)} venues)"
    proj = project_copy(WORK / "bundled", with_generated=True)
    cache, out = proj / ".specgen-cache", proj / "generated"
    measure(
        b,
        area,
        "generate, cold (no cache, no output)",
        "specgen",
        specgen("generate"),
        proj,
        1,
        SPECGEN_ENV,
        prepare=lambda: clear(cache, out),
    )
    measure(
        b,
        area,
        "check, cold cache (full path)",
        "specgen",
        specgen("check"),
        proj,
        1,
        SPECGEN_ENV,
        prepare=lambda: clear(cache),
    )
    lines_row(b, area, out)
    r = measure(b, area, "check, warm (stamp)", "specgen", specgen("check"), proj, 9, SPECGEN_ENV)
    if r.value is not None:
        r.target = f"< 0.3 s: {'met' if r.value < 0.3 else 'MISSED'}"
    measure(b, area, "generate, warm (nothing changed)", "specgen", specgen("generate"), proj, 5, SPECGEN_ENV)


def synth(n: int) -> Path:
    dest = WORK / f"s{n}"
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(PROJECT_PY),
            str(HERE / "synth_specs.py"),
            str(dest),
            "--endpoints",
            str(n),
            "--per-venue",
            str(PER_VENUE),
            "--from",
            str(SNAPSHOT),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [str(PROJECT_PY), str(HERE / "to_openapi.py"), str(dest / "specs"), str(dest / "openapi.json")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dest


def bench_peers_generation(b: Bench, area: str, proj: Path, n: int, runs: int, timeout: float) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    missing = peer_missing(b, "openapi-python-client")
    if missing:
        rows["opc"] = b.add(
            Row(area, "generate from the same endpoints as OpenAPI 3.1", "openapi-python-client", note=missing)
        )
    else:
        rows["opc"] = measure(
            b,
            area,
            "generate from the same endpoints as OpenAPI 3.1 (ruff formatting)",
            "openapi-python-client",
            [
                peer_bin("openapi-python-client"),
                "generate",
                "--path",
                "openapi.json",
                "--output-path",
                "opc-out",
                "--overwrite",
            ],
            proj,
            runs,
            PEER_ENV,
            prepare=lambda: clear(proj / "opc-out"),
            timeout=timeout,
        )
    missing = peer_missing(b, "datamodel-code-generator")
    if missing:
        rows["dmcg"] = b.add(Row(area, "models from the same OpenAPI 3.1", "datamodel-code-generator", note=missing))
    else:
        rows["dmcg"] = measure(
            b,
            area,
            "models from the same OpenAPI 3.1 (black + isort)",
            "datamodel-code-generator",
            [
                peer_bin("datamodel-codegen"),
                "--input",
                "openapi.json",
                "--input-file-type",
                "openapi",
                "--output",
                "dmcg_models.py",
            ],
            proj,
            runs,
            {**PEER_ENV, "PYTHONWARNINGS": "ignore"},
            prepare=lambda: clear(proj / "dmcg_models.py"),
            timeout=timeout,
        )
    return rows


def _touch_spec(proj: Path, k: int) -> Path:
    """Change one endpoint spec's summary (it reaches the generated code): a one-spec edit."""
    venue = sorted(p for p in (proj / "specs").iterdir() if p.is_dir())[0]
    spec = sorted(p for p in venue.glob("*.yaml") if p.name != "venue.yaml")[0]
    text = spec.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("summary:"):
            lines[i] = line.rstrip("\n").split(" [edit")[0] + f" [edit {k}]\n"
    spec.write_text("".join(lines), "utf-8")
    return spec


def bench_synthetic(b: Bench, n: int, cold_timeout: float) -> None:
    proj = synth(n)
    venues = [p for p in (proj / "specs").iterdir() if p.is_dir()]
    area = f"1 generation: synthetic, {n} endpoints ({len(venues)} venues of {n // len(venues)})"
    cache, out = proj / ".specgen-cache", proj / "generated"
    peers = bench_peers_generation(b, area, proj, n, 1, timeout=max(30.0, min(300.0, b.left())))
    cold = measure(
        b,
        area,
        "generate, cold (no cache, no output)",
        "specgen",
        specgen("generate"),
        proj,
        1,
        SPECGEN_ENV,
        prepare=lambda: clear(cache, out),
        timeout=cold_timeout,
    )
    opc = peers.get("opc")
    if cold.value is not None and opc is not None and opc.value is not None:
        cold.ratio = ratio(cold.value, opc.value, "openapi-python-client")
        cold.target = "<= openapi-python-client: " + ("met" if cold.value <= opc.value else "MISSED")
    if cold.value is None:
        b.add(
            Row(
                f"2 incremental: one spec of {n} changed",
                "check / generate after one spec changed",
                "specgen",
                note="not run: the cold run did not finish (make bench BENCH_FULL=1 lets it)",
            )
        )
        return
    lines_row(b, area, out)
    measure(b, area, "check, warm (stamp)", "specgen", specgen("check"), proj, 5, SPECGEN_ENV)
    measure(b, area, "generate, warm (nothing changed)", "specgen", specgen("generate"), proj, 3, SPECGEN_ENV)
    inc = f"2 incremental: one spec of {n} changed"
    counter = iter(range(1, 100))
    c = measure(
        b,
        inc,
        "check (exit 1 with the diff)",
        "specgen",
        specgen("check"),
        proj,
        1,
        SPECGEN_ENV,
        prepare=lambda: _touch_spec(proj, next(counter)),
        ok=(1,),
    )
    g = measure(
        b,
        inc,
        "generate",
        "specgen",
        specgen("generate"),
        proj,
        1,
        SPECGEN_ENV,
        prepare=lambda: _touch_spec(proj, next(counter)),
    )
    for r in (c, g):
        if r.value is not None and n >= 1000:
            r.target = f"< 1 s: {'met' if r.value < 1 else 'MISSED'}"


def ratio(mine: float, theirs: float, who: str) -> str:
    if mine <= theirs:
        return f"{theirs / mine:.1f}x faster than {who}"
    return f"{mine / theirs:.1f}x slower than {who}"


def bench_micro(b: Bench) -> None:
    py = PEER_PY if PEER_PY.exists() else PROJECT_PY
    proc = subprocess.run(
        [str(py), str(HERE / "micro.py"), str(SNAPSHOT / "generated"), str(SNAPSHOT / "specs")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if proc.returncode != 0:
        b.add(Row("3 client", "micro-benchmarks", "all", note=f"failed: {proc.stderr.strip().splitlines()[-1:]}"))
        return
    res = json.loads(proc.stdout)
    micro_requests(b, res["request"])
    micro_async(b, res["async"])
    micro_validation(b, res["validation"])


def micro_requests(b: Bench, res: dict[str, Any]) -> None:
    area = "3 client: build + validate + sign one batch cancel"
    for venue, r in res.items():
        if "error" in r:
            b.add(Row(area, venue, "specgen", note=r["error"][:100]))
            continue
        s = b.add(Row(area, venue, "specgen", r["specgen_us"], "µs"))
        b.add(Row(area, venue, "hand-written stdlib floor", r["floor_us"], "µs"))
        parts = [f"{s.value / r['floor_us']:.1f}x the floor"]
        target = [f"<= 1.5x floor: {'met' if s.value <= 1.5 * r['floor_us'] else 'MISSED'}"]
        if "ccxt_us" in r:
            b.add(Row(area, venue, "ccxt sign()", r["ccxt_us"], "µs"))
            parts.append(ratio(s.value, r["ccxt_us"], "ccxt"))
            if r["ccxt_us"] <= 3 * r["floor_us"]:  # 3x faster than ccxt would be faster than the floor
                target.append(">= 3x faster than ccxt: n/a (ccxt's signing is within 3x of the floor)")
            else:
                target.append(f">= 3x faster than ccxt: {'met' if r['ccxt_us'] >= 3 * s.value else 'MISSED'}")
        else:
            b.add(Row(area, venue, "ccxt sign()", note=peer_missing(b, "ccxt") or r.get("ccxt", "")))
        s.ratio, s.target = "; ".join(parts), "; ".join(target)


def micro_async(b: Bench, res: dict[str, Any]) -> None:
    area = "3 client: async, one batch cancel sent through an in-process fake (per-request overhead)"
    for venue, r in res.items():
        if "error" in r:
            b.add(Row(area, venue, "specgen AsyncClient", note=r["error"][:100]))
            continue
        s = b.add(Row(area, venue, "specgen AsyncClient", r["specgen_us"], "µs"))
        if "ccxt_us" in r:
            b.add(Row(area, venue, "ccxt.async_support request()", r["ccxt_us"], "µs"))
            s.ratio = ratio(s.value, r["ccxt_us"], "ccxt")
        else:
            b.add(Row(area, venue, "ccxt.async_support request()", note=peer_missing(b, "ccxt") or r.get("ccxt", "")))


VALIDATION_PEERS = ("jsonschema", "fastjsonschema", "msgspec", "pydantic")


def micro_validation(b: Bench, res: dict[str, Any]) -> None:
    area = "4 validation from bytes (decode + validate)"
    for venue, r in res.items():
        if "error" in r:
            b.add(Row(area, venue, "specgen", note=r["error"][:100]))
            continue
        for label in ("example", "batch10"):
            row = r[label]
            what = f"{venue}: {'response example' if label == 'example' else '10-item batch'} ({row['bytes']} B)"
            s = b.add(Row(area, what, "specgen compiled validator", row["specgen_us"], "µs"))
            parts, target = [], []
            for peer in VALIDATION_PEERS:
                key = f"{peer}_us"
                if key in row:
                    b.add(Row(area, what, peer, row[key], "µs"))
                    parts.append(ratio(s.value, row[key], peer))
                else:
                    b.add(Row(area, what, peer, note=peer_missing(b, peer) or row.get(peer, "")))
            if label == "batch10":
                target.append(f"<= 40 µs: {'met' if s.value <= 40 else 'MISSED'}")
                if "pydantic_us" in row:
                    target.append(f"faster than pydantic: {'met' if s.value < row['pydantic_us'] else 'MISSED'}")
                if "msgspec_us" in row:
                    met = s.value <= 1.5 * row["msgspec_us"]
                    target.append(f"<= 1.5x msgspec: {'met' if met else 'MISSED'}")
            s.ratio, s.target = "; ".join(parts), "; ".join(target)


def import_time(py: Path, code: str, env: dict[str, str], n: int) -> float | None:
    """Median wall time of `python -c code` minus that of `python -c pass`, in ms (interleaved)."""
    base, full = [], []
    for _ in range(n + 1):
        for code_, into in (("pass", base), (code, full)):
            t0 = time.perf_counter()
            proc = subprocess.run([str(py), "-c", code_], env={**os.environ, **BYTECODE, **env}, capture_output=True)
            if proc.returncode != 0:
                return None
            into.append(time.perf_counter() - t0)
    return (statistics.median(full[1:]) - statistics.median(base[1:])) * 1000  # first: warm-up


def bench_imports(b: Bench) -> None:
    area = "3 client: import time beyond a bare interpreter"
    gen_env = {"PYTHONPATH": str(SNAPSHOT / "generated")}
    py = PEER_PY if PEER_PY.exists() else PROJECT_PY
    for venue in ("bybit_v5", "binance_coinm"):
        ms = import_time(py, f"import {venue}", gen_env, 15)
        r = b.add(Row(area, f"import {venue}", "specgen", ms, "ms", 15))
        if ms is not None:
            r.target = f"< 15 ms: {'met' if ms < 15 else 'MISSED'}"
    for name, code in (("ccxt", "import ccxt"), ("pybit", "from pybit.unified_trading import HTTP")):
        missing = peer_missing(b, name)
        if missing:
            b.add(Row(area, code, name, note=missing))
            continue
        ms = import_time(PEER_PY, code, {}, 7)
        b.add(Row(area, code, name, ms, "ms", 7))
    by = next((r for r in b.rows if r.area == area and r.tool == "specgen" and r.value), None)
    if by is not None:
        for r in b.rows:
            if r.area == area and r.tool in ("ccxt", "pybit") and r.value:
                by.ratio = (by.ratio + "; " if by.ratio else "") + ratio(by.value, r.value, r.tool)


# ---------------------------------------------------------------------------------------------


def fmt_value(r: Row) -> str:
    if r.value is None:
        return "—"
    v = r.value
    if r.unit == "s":
        return f"{v:.2f} s" if v < 100 else f"{v:.0f} s"
    if r.unit == "µs":
        return f"{v:.1f} µs" if v < 100 else f"{v:.0f} µs"
    return f"{v:.1f} {r.unit}"


def table(b: Bench) -> str:
    lines = [
        "| area | measurement | tool | median | runs | peak RSS | ratio / note | target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    last_area = None
    for r in sorted(b.rows, key=lambda row: row.area.split(" ", 1)[0]):  # by area number, run order within
        area = r.area if r.area != last_area else ""
        last_area = r.area
        peak = f"{r.peak_mb:.0f} MB" if r.peak_mb is not None else ""
        note = "; ".join(x for x in (r.ratio, r.note) if x)
        runs = str(r.runs) if r.runs else ""
        lines.append(f"| {area} | {r.what} | {r.tool} | {fmt_value(r)} | {runs} | {peak} | {note} | {r.target} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    try:
        load = f", load average {os.getloadavg()[0]:.1f} at the start"
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()} "
        f"{platform.release()}{load}; {date.today().isoformat()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", default=os.environ.get("BENCH_FULL") == "1")
    ap.add_argument("--budget", type=float, default=270.0)
    ap.add_argument("--markdown", type=Path, default=WORK / "results.md")
    ap.add_argument("--only-1000", action="store_true", help="only the 1,000-endpoint rows")
    args = ap.parse_args()
    b = Bench(args.budget, args.full)
    WORK.mkdir(parents=True, exist_ok=True)
    status_file = PEER_VENV / "install-status.json"
    if status_file.exists():
        b.status = json.loads(status_file.read_text("utf-8"))
    header = machine()
    snapshot()
    print(f"specgen benchmarks: {header}", flush=True)
    if not args.only_1000:
        bench_bundled(b)
        bench_micro(b)
        bench_imports(b)
        bench_synthetic(b, 100, cold_timeout=max(60.0, b.left() - 90))
    bench_synthetic(b, 1000, cold_timeout=3600.0 if b.full else max(60.0, b.left()))
    elapsed = time.perf_counter() - b.start
    text = f"Machine: {header}. Whole run: {elapsed:.0f} s" f"{' (--full)' if b.full else ''}.\n\n{table(b)}\n"
    args.markdown.write_text(text, "utf-8")
    print()
    print(text)


if __name__ == "__main__":
    main()
