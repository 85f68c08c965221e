"""`specgen validate | generate | check | serve`: the command line.

Exit codes follow `black --check`: 0 all good, 1 generated/ differs from what the specs produce,
2 usage, configuration, spec or template errors (one line each; --debug adds the traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from specgen.config import Config, load_config
from specgen.errors import SpecError, SpecErrors

EXIT_OK, EXIT_DRIFT, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="pyproject.toml to read [tool.specgen] from")
    common.add_argument("--specs", help="specs folder (default from config: specs)")
    common.add_argument("--templates", help="templates folder (default: templates)")
    common.add_argument("--output", help="output folder (default: generated)")
    common.add_argument("--no-cache", action="store_true", help="format everything afresh")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    parser = argparse.ArgumentParser(prog="specgen", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", parents=[common], help="check the specs only")
    v.add_argument("--venue", help="only this venue")
    sub.add_parser("generate", parents=[common], help="write generated/ from the specs")
    sub.add_parser("check", parents=[common], help="exit 1 with a diff if generated/ is not what the specs produce")
    s = sub.add_parser("serve", parents=[common], help="run the loopback exchange simulator")
    s.add_argument("--venue", help="only this venue")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    from specgen.docs.commands import add_parsers

    add_parsers(sub, common)  # docs check | docs accept | new endpoint | changes
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors already
        return int(exc.code or 0)
    try:
        config = load_config(
            args.config,
            {
                "specs": args.specs,
                "templates": args.templates,
                "output": args.output,
                "no_cache": args.no_cache,
                "venue": getattr(args, "venue", None),
            },
        )
        handlers = {"validate": _validate, "generate": _generate, "check": _check, "serve": _serve}
        return handlers.get(args.command, _docs)(config, args)
    except SpecErrors as exc:
        for e in exc.errors:
            print(f"error: {e.render()}", file=sys.stderr)
        if args.debug:
            raise
        return EXIT_ERROR
    except SpecError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        if args.debug:
            raise
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted; generated/ was not changed", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"error: {exc.filename or '(no file named)'}: [io] {exc.strerror or exc}", file=sys.stderr)
        if args.debug:
            raise
        return EXIT_ERROR
    except Exception as exc:  # a bug in specgen itself: still one line; --debug shows where
        what = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(f"error: specgen: [internal] {what} (run with --debug for the traceback)", file=sys.stderr)
        if args.debug:
            raise
        return EXIT_ERROR


def _rel(config: Config, path: Path) -> str:
    try:
        return str(path.relative_to(config.root))
    except ValueError:
        return str(path)


def _validate(config: Config, args: argparse.Namespace) -> int:
    from specgen.spec.specset import read_specs

    venues = read_specs(config.specs, config.root, only=config.venue)
    endpoints = sum(len(v.endpoints) for v in venues)
    print(f"specs valid: {len(venues)} venues, {endpoints} endpoints")
    return EXIT_OK


def _generate(config: Config, args: argparse.Namespace) -> int:
    from specgen.docs.pending import build_plan_except_pending
    from specgen.emit.output import compare, locked, tree_digests, write_plan
    from specgen.emit.pipeline import expected_files

    label = _rel(config, config.output)
    expected = expected_files(config)  # every venue cached: nothing to read, render or format
    if expected is not None:
        with locked(config.output):
            if tree_digests(config.output) == expected.files:
                print(
                    f"specs read: {expected.spec_count}; files written: 0, "
                    f"unchanged: {len(expected.files)}, removed: 0 ({label}/)"
                )
                return EXIT_OK
    result, pending = build_plan_except_pending(config)  # a venue with an unaccepted digest is kept as it is
    with locked(config.output):
        drift, _ = compare(result.plan, config.output)
        if not drift.clean:
            write_plan(result.plan, config.output, unchanged=drift.unchanged)
    written = len(drift.changed) + len(drift.missing)
    print(
        f"specs read: {result.spec_count}; files written: {written}, "
        f"unchanged: {len(drift.unchanged)}, removed: {len(drift.orphaned)} ({label}/)"
    )
    if pending:
        raise SpecErrors(pending)
    return EXIT_OK


def _check(config: Config, args: argparse.Namespace) -> int:
    from specgen.emit.output import compare, tree_digests, unified_diff
    from specgen.emit.pipeline import build_plan, expected_files

    label = _rel(config, config.output)
    # Fast path: when the cache holds the digest of every planned file for exactly these inputs,
    # hashing generated/ decides. Any difference falls through to the full path for the diff.
    expected = expected_files(config)
    if expected is not None and tree_digests(config.output) == expected.files:
        print(f"{label}/ is up to date ({len(expected.files)} files from {expected.spec_count} specs)")
        return EXIT_OK
    result = build_plan(config)
    drift, current = compare(result.plan, config.output)
    if drift.clean:
        print(f"{label}/ is up to date ({len(result.plan)} files from {result.spec_count} specs)")
        return EXIT_OK
    sys.stdout.write(unified_diff(result.plan, current, drift, label))
    print(
        f"{label}/ differs from the specs: {len(drift.changed)} changed, {len(drift.missing)} missing, "
        f"{len(drift.orphaned)} orphaned. Run `specgen generate` and review the diff.",
        file=sys.stderr,
    )
    return EXIT_DRIFT


def _docs(config: Config, args: argparse.Namespace) -> int:
    from specgen.docs.commands import run

    return run(config, args)


def _serve(config: Config, args: argparse.Namespace) -> int:
    from specgen.simulator import serve_forever

    return serve_forever(config, venue=args.venue, host=args.host, port=args.port)
