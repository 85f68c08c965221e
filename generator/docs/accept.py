"""`specgen docs accept`: record each changed snapshot's digest in its spec, after review.

Only the hex digest on the spec's own `sha256:` line is rewritten, so comments, layout and every
other byte of the spec stay as the author wrote them.
"""

from __future__ import annotations

import os
from pathlib import Path

from specgen.docs.check import EndpointReport
from specgen.errors import SpecError


def accept(reports: list[EndpointReport], root: Path) -> list[str]:
    """Rewrite the digest of every report whose snapshot changed; returns the spec files written."""
    written = []
    for report in reports:
        if not report.digest_changed:
            continue
        doc = report.spec.doc
        line = doc.line_of(("source", "sha256"))
        path = report.spec.folder / Path(doc.path).name
        old = report.spec.data["source"]["sha256"]
        lines = path.read_text("utf-8").splitlines(keepends=True)
        if line is None or old not in lines[line - 1]:
            raise SpecError(doc.path, line, "digest", "cannot find the recorded sha256 to replace")
        lines[line - 1] = lines[line - 1].replace(old, report.digest, 1)
        temporary = path.with_name(f".{path.name}.accept")
        temporary.write_text("".join(lines), "utf-8")
        os.replace(temporary, path)  # whole or not at all
        written.append(doc.path)
    return written
