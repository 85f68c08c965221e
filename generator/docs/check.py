"""`specgen docs check`: each spec against its document snapshot, with both locations for every disagreement."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from specgen.docs.compare import Finding, compare
from specgen.docs.page import read_page
from specgen.docs.spec_side import SpecEndpoint, departures, endpoint_files, read_endpoint
from specgen.errors import SpecError, SpecErrors


@dataclass
class EndpointReport:
    spec: SpecEndpoint
    page_path: str  # the snapshot, as shown to users
    digest: str  # the snapshot's sha256 now
    disagreements: list[Finding] = field(default_factory=list)
    departed: list[tuple[Finding, int | None]] = field(default_factory=list)  # silenced, with the note's line
    stale: list[tuple[str, int | None]] = field(default_factory=list)  # departs naming no disagreement

    @property
    def digest_changed(self) -> bool:
        return bool(self.digest != self.spec.data["source"]["sha256"])

    @property
    def clean(self) -> bool:
        return not self.disagreements and not self.stale


def display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def check_specs(specs: Path, root: Path, only: str | None = None) -> list[EndpointReport]:
    """One report per endpoint spec; raises SpecErrors for specs or snapshots that cannot be read."""
    reports: list[EndpointReport] = []
    errors: list[SpecError] = []
    for path in endpoint_files(specs, only):
        try:
            reports.append(check_endpoint(path, root))
        except SpecErrors as exc:
            errors.extend(exc.errors)
        except SpecError as exc:
            errors.append(exc)
    if errors:
        raise SpecErrors(errors)
    return reports


def check_endpoint(path: Path, root: Path) -> EndpointReport:
    spec = read_endpoint(path, display(path, root))
    try:
        raw = spec.snapshot.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        line = spec.doc.line_of(("source", "snapshot"))
        raise SpecError(
            spec.doc.path, line, "snapshot", f"cannot read {spec.data['source']['snapshot']}: {exc}"
        ) from None
    report = EndpointReport(spec, display(spec.snapshot, root), hashlib.sha256(raw).hexdigest())
    findings = compare(read_page(text), spec)
    departs = departures(spec.doc)
    used: set[str] = set()
    for f in findings:
        note = _silencer(f.key, departs)
        if note is None:
            report.disagreements.append(f)
        else:
            used.add(note)
            report.departed.append((f, spec.doc.line_of(departs[note])))
    report.stale = [(k, spec.doc.line_of(at)) for k, at in departs.items() if k not in used]
    return report


def _silencer(key: str, departs: dict[str, tuple[str | int, ...]]) -> str | None:
    if key in departs:
        return key
    return None


def render(report: EndpointReport) -> list[str]:
    """The report's lines: disagreements first, then what is silenced on purpose, then the digest."""
    spec = report.spec
    lines = []
    for f in report.disagreements:
        lines.append(
            f"{spec.doc.path}:{spec.doc.line_of(f.spec_at)}: [{f.key}] {f.message} "
            f"(document: {report.page_path}:{f.doc_line if f.doc_line is not None else '?'})"
        )
    for key, line in report.stale:
        lines.append(
            f"{spec.doc.path}:{line}: [{key}] a note departs from this, but the document and the spec do not "
            "disagree on it (remove it from departs)"
        )
    for f, line in report.departed:
        lines.append(
            f"{spec.doc.path}:{line}: departs on purpose [{f.key}] {f.message} "
            f"(document: {report.page_path}:{f.doc_line if f.doc_line is not None else '?'})"
        )
    if report.digest_changed:
        lines.append(
            f"{spec.doc.path}:{spec.doc.line_of(('source', 'sha256'))}: {report.page_path} changed "
            f"(sha256 {report.digest}); "
            + ("no fact disagrees: run `specgen docs accept`" if report.clean else "resolve the disagreements above")
        )
    return lines
