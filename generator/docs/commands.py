"""The `docs check`, `docs accept`, `new endpoint` and `changes` subcommands (wired in specgen.cli)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from specgen.config import Config

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    docs = sub.add_parser("docs", help="compare specs with their document snapshots")
    docs_sub = docs.add_subparsers(dest="docs_command", required=True)
    c = docs_sub.add_parser(
        "check", parents=[common], help="exit 1 listing each fact a spec and its document disagree on"
    )
    c.add_argument("--venue", help="only this venue")
    a = docs_sub.add_parser("accept", parents=[common], help="record the digests of changed snapshots")
    a.add_argument("--venue", help="only this venue")
    a.add_argument("--force", action="store_true", help="record them even while docs check disagrees")
    new = sub.add_parser("new", help="start a spec from a document page")
    new_sub = new.add_subparsers(dest="new_command", required=True)
    e = new_sub.add_parser("endpoint", parents=[common], help="write a spec skeleton from a page's tables")
    e.add_argument("new_venue", metavar="VENUE")
    e.add_argument("--from", dest="page", type=Path, required=True, metavar="PAGE.md")
    e.add_argument("--operation", help="the operation name (default: from the page's title)")
    ch = sub.add_parser("changes", parents=[common], help="what the spec changes since REV mean for callers")
    ch.add_argument("--since", default="HEAD", metavar="REV", help="git revision to compare with (default HEAD)")
    ch.add_argument("--venue", help="only this venue")


def run(config: Config, args: argparse.Namespace) -> int:
    if args.command == "new":
        from specgen.docs.skeleton import new_endpoint

        return new_endpoint(config, args.new_venue, args.page, args.operation)
    if args.command == "changes":
        from specgen.docs.changes import run_changes

        return run_changes(config, args.since, config.venue)
    return docs_accept(config, args) if args.docs_command == "accept" else docs_check(config, args)


def docs_check(config: Config, args: argparse.Namespace) -> int:
    from specgen.docs.check import check_specs, render

    reports = check_specs(config.specs, config.root, only=config.venue)
    for report in reports:
        for line in render(report):
            print(line)
    bad = [r for r in reports if not r.clean]
    changed = sum(r.digest_changed for r in reports)
    count = sum(len(r.disagreements) + len(r.stale) for r in bad)
    departed = sum(len(r.departed) for r in reports)
    print(
        f"docs check: {len(reports)} endpoints, {count} disagreements, {departed} departures on purpose, "
        f"{changed} changed snapshots",
        file=sys.stderr,
    )
    return EXIT_FOUND if bad else EXIT_OK


def docs_accept(config: Config, args: argparse.Namespace) -> int:
    from specgen.docs.accept import accept
    from specgen.docs.check import check_specs, render

    reports = check_specs(config.specs, config.root, only=config.venue)
    bad = [r for r in reports if not r.clean and r.digest_changed]
    if bad and not args.force:
        for report in bad:
            for line in render(report):
                print(line)
        print("docs accept: refused while docs check disagrees (--force records the digests anyway)", file=sys.stderr)
        return EXIT_FOUND
    written = accept(reports, config.root)
    for path in written:
        print(f"accepted: {path}")
    print(f"docs accept: {len(written)} digests recorded", file=sys.stderr)
    return EXIT_OK
