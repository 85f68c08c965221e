"""Install the peers of benchmarks/requirements.txt into the interpreter running this script
(benchmarks/.venv under `make bench`), and record which ones installed.

All at once first; if that fails, each peer on its own (its dependencies still pinned by the
file), so one peer that cannot be installed does not take the others with it. The result goes to
<venv>/install-status.json, which benchmarks/run.py reads to report a missing peer in the table.
Never exits non-zero for a peer that failed to install: the table says so instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"


def peers() -> list[str]:
    """The top-level requirement lines (before the 'their dependencies' part)."""
    out = []
    for line in REQUIREMENTS.read_text("utf-8").splitlines():
        if line.startswith("# their dependencies"):
            break
        if line and not line.startswith("#"):
            out.append(line.strip())
    return out


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
    )


def main() -> None:
    status: dict[str, str] = {}
    everything = pip("-r", str(REQUIREMENTS))
    if everything.returncode == 0:
        status = {p.split("==")[0]: "ok" for p in peers()}
    else:
        for req in peers():
            one = pip(req, "--constraint", str(REQUIREMENTS))
            last = (one.stderr.strip().splitlines() or ["unknown error"])[-1]
            status[req.split("==")[0]] = "ok" if one.returncode == 0 else f"failed: {last[:120]}"
    path = Path(sys.prefix) / "install-status.json"
    path.write_text(json.dumps(status, indent=1) + "\n", "utf-8")
    for name, state in status.items():
        print(f"  {name}: {state}")


if __name__ == "__main__":
    main()
