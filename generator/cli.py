"""`specgen validate | generate | check | serve`: the command line.

Exit codes follow `black --check`: 0 all good, 1 generated/ differs from what the specs produce,
2 usage, configuration, spec or template errors (one line each; --debug adds the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from specgen import __version__
from specgen.config import Config, load_config
from specgen.errors import SpecError, SpecErrors

EXIT_OK, EXIT_DRIFT, EXIT_ERROR = 0, 1, 2

EXAMPLES = """\
examples:
  specgen validate                      check every spec (file, line and rule for each error)
  specgen validate --venue my_venue     one venue's specs only
  specgen generate                      write the output folder (default generated/) from specs/
  specgen generate --venue my_venue     regenerate one venue, leaving the others as they are
  specgen check                         exit 1 with a diff when the output is stale (CI, pre-commit)
  specgen check --color always | less -R
  specgen serve --port 8765             the loopback exchange simulator

Settings come from [tool.specgen] in the nearest pyproject.toml (specs, templates, output,
cache); the flags override them. Without a templates setting the bundled templates are used.
"""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="pyproject.toml to read [tool.specgen] from")
    common.add_argument("--specs", help="specs folder (default from config: specs)")
    common.add_argument("--templates", help="templates folder (default: the templates bundled with specgen)")
    common.add_argument("--output", help="output folder (default: generated)")
    common.add_argument("--no-cache", action="store_true", help="format everything afresh")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    venue = argparse.ArgumentParser(add_help=False)
    venue.add_argument("--venue", help="only this venue (the name of its folder under specs/)")
    shown = argparse.ArgumentParser(add_help=False)
    shown.add_argument(
        "--color",
        "--colour",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the diff (auto: when stdout is a terminal and NO_COLOR is unset)",
    )
    parser = argparse.ArgumentParser(
        prog="specgen",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"specgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, parents: list[argparse.ArgumentParser], help: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            parents=parents,
            help=help,
            description=help,
            epilog=f"examples:\n{example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    command(
        "validate",
        [common, venue],
        "check the specs only",
        "  specgen validate\n  specgen validate --venue my_venue --specs path/to/specs\n",
    )
    command(
        "generate",
        [common, venue],
        "write the output folder from the specs (replaced as a whole; only a folder specgen wrote)",
        "  specgen generate\n"
        "  specgen generate --venue my_venue\n"
        "  specgen generate --output build/clients --no-cache\n",
    )
    command(
        "check",
        [common, venue, shown],
        "exit 1 with a diff if the output is not what the specs produce",
        "  specgen check\n  specgen check --venue my_venue\n  specgen check --color never > drift.diff\n",
    )
    s = command(
        "serve",
        [common, venue],
        "run the loopback exchange simulator",
        "  specgen serve\n  specgen serve --venue my_venue --port 9000\n",
    )
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument(
        "--rate-limits", action="store_true", help="enforce the specs' rate-limit pools (the venue's rate-limit answer)"
    )
    e = command(
        "export",
        [common, venue],
        "write an OpenAPI 3.1 document per venue (default folder: openapi/)",
        "  specgen export openapi\n  specgen export openapi --venue my_venue --output build/openapi\n",
    )
    e.add_argument("format", choices=["openapi"])
    from specgen.docs.commands import add_parsers

    add_parsers(sub, common)  # docs check | docs accept | new endpoint | changes
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors already (0 for --help, --version)
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
        handlers: dict[str, Callable[[Config, argparse.Namespace], int]] = {
            "validate": _validate,
            "generate": _generate,
            "check": _check,
            "serve": _serve,
            "export": _export,
        }
        return handlers.get(args.command, _docs)(config, args)
    except SpecErrors as exc:
        for e in exc.errors:
            _error(e.render())
        if args.debug:
            raise
        return EXIT_ERROR
    except SpecError as exc:
        _error(exc.render())
        if args.debug:
            raise
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted; generated/ was not changed", file=sys.stderr)
        return 130
    except OSError as exc:
        where = exc.filename or "(no file named)"
        if exc.filename2:
            where = f"{where} -> {exc.filename2}"
        _error(f"{where}: [io] {exc.strerror or exc}")
        if args.debug:
            raise
        return EXIT_ERROR
    except Exception as exc:  # a bug in specgen itself: still one line; --debug shows where
        what = " ".join(f"{type(exc).__name__}: {exc}".split())
        _error(f"specgen: [internal] {what} (run with --debug for the traceback)")
        if args.debug:
            raise
        return EXIT_ERROR


def _printable(text: str) -> str:
    """Undecodable bytes of file names (surrogate escapes) as backslash escapes: always printable."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _error(message: str) -> None:
    print(f"error: {_printable(message)}", file=sys.stderr)


def _rel(config: Config, path: Path) -> str:
    try:
        return str(path.relative_to(config.root))
    except ValueError:
        return str(path)


class Progress:
    """One self-overwriting status line on stderr, only when stderr is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty() and os.environ.get("TERM") != "dumb"
        self.shown = False

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        count = f" {done}/{total}" if total > 1 else ""
        self.stream.write(f"\r\033[Kspecgen: {what}{count}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def _check_location(config: Config) -> None:
    from specgen.emit.output import check_location

    others = {"specs": config.specs, "cache": config.cache}
    if config.templates.is_dir():
        others["templates"] = config.templates
    check_location(config.output, config.root, others, _rel(config, config.output))


def _validate(config: Config, args: argparse.Namespace) -> int:
    from specgen.spec.specset import read_specs

    venues = read_specs(config.specs, config.root, only=config.venue)
    endpoints = sum(len(v.endpoints) for v in venues)
    print(f"specs valid: {len(venues)} venues, {endpoints} endpoints")
    return EXIT_OK


def _scope(config: Config) -> Callable[[str], bool] | None:
    from specgen.emit.output import MARKER
    from specgen.emit.pipeline import venue_scope

    if config.venue is None:
        return None
    owned = venue_scope(config.venue)
    return lambda rel: rel == MARKER or owned(rel)


def _generate(config: Config, args: argparse.Namespace) -> int:
    from specgen.docs.pending import build_plan_except_pending
    from specgen.emit.output import (
        MARKER,
        compare,
        locked,
        marker_digest,
        read_tree,
        remove_stale_staging,
        tree_digests,
        with_marker,
        write_plan,
    )
    from specgen.emit.pipeline import expected_files, plan_inputs

    _check_location(config)
    label = _rel(config, config.output)
    scope = _scope(config)
    inputs = plan_inputs(config)
    expected = expected_files(config, inputs)  # every venue cached: nothing to read, render or format
    if expected is not None:
        with locked(config.output):
            remove_stale_staging(config.output)
            if tree_digests(config.output, scope) == {**expected.files, MARKER: marker_digest()}:
                print(
                    f"specs read: {expected.spec_count}; files written: 0, "
                    f"unchanged: {len(expected.files)}, removed: 0 ({label}/)"
                )
                return EXIT_OK
    progress = Progress(sys.stderr)
    try:
        result, pending = build_plan_except_pending(config, progress, inputs)  # an unaccepted digest's venue is kept
        progress("writing", 0, 1)
        plan = with_marker(result.plan)
        with locked(config.output):
            remove_stale_staging(config.output)
            drift, _ = compare(plan, config.output, scope)
            if not drift.clean:
                keep: dict[str, bytes] = {}
                if scope is not None:  # the other venues' files stay exactly as they are
                    keep = {rel: data for rel, data in read_tree(config.output).items() if not scope(rel)}
                write_plan({**keep, **plan}, config.output, unchanged=[*drift.unchanged, *keep], label=label)
    finally:
        progress.clear()
    written = len(drift.changed) + len(drift.missing)
    print(
        f"specs read: {result.spec_count}; files written: {written}, "
        f"unchanged: {len(drift.unchanged)}, removed: {len(drift.orphaned)} ({label}/)"
    )
    if pending:
        raise SpecErrors(pending)
    return EXIT_OK


def _colour(args: argparse.Namespace) -> bool:
    if args.color == "auto":
        return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    return bool(args.color == "always")


def _check(config: Config, args: argparse.Namespace) -> int:
    from specgen.emit.output import MARKER, compare, locked, marker_digest, tree_digests, unified_diff, with_marker
    from specgen.emit.pipeline import build_plan, expected_files, plan_inputs

    _check_location(config)
    label = _rel(config, config.output)
    scope = _scope(config)
    # Fast path: when this machine's cache holds the digest of every planned file for exactly
    # these inputs, hashing the output decides. Any difference falls through to the full path.
    inputs = plan_inputs(config)
    expected = expected_files(config, inputs)
    if expected is not None:
        with locked(config.output, shared=True):
            current = tree_digests(config.output, scope)
        if current == {**expected.files, MARKER: marker_digest()}:
            print(f"{label}/ is up to date ({len(expected.files)} files from {expected.spec_count} specs)")
            return EXIT_OK
    progress = Progress(sys.stderr)
    try:
        result = build_plan(config, progress, inputs)
    finally:
        progress.clear()
    plan = with_marker(result.plan)
    with locked(config.output, shared=True):
        drift, current_bytes = compare(plan, config.output, scope)
    if drift.clean:
        print(f"{label}/ is up to date ({len(result.plan)} files from {result.spec_count} specs)")
        return EXIT_OK
    sys.stdout.write(_printable(unified_diff(plan, current_bytes, drift, label, colour=_colour(args))))
    print(
        f"{label}/ differs from the specs: {len(drift.changed)} changed, {len(drift.missing)} missing, "
        f"{len(drift.orphaned)} orphaned. Run `specgen generate` and review the diff.",
        file=sys.stderr,
    )
    return EXIT_DRIFT


def _docs(config: Config, args: argparse.Namespace) -> int:
    from specgen.docs.commands import run

    return run(config, args)


def _export(config: Config, args: argparse.Namespace) -> int:
    """`specgen export openapi`: <venue>.openapi.json per venue into --output (default: openapi/)."""
    from specgen.emit.openapi import document, dumps
    from specgen.spec.specset import read_specs

    venues = read_specs(config.specs, config.root, only=config.venue)
    folder = Path(args.output) if args.output else config.root / "openapi"
    folder.mkdir(parents=True, exist_ok=True)
    for venue in venues:
        path = folder / f"{venue.name.value}.openapi.json"
        path.write_bytes(dumps(document(venue)))
        print(f"wrote {_rel(config, path)}")
    return 0


def _serve(config: Config, args: argparse.Namespace) -> int:
    from specgen.simulator import serve_forever

    try:
        return serve_forever(config, venue=args.venue, host=args.host, port=args.port, rate_limits=args.rate_limits)
    except OSError as exc:  # a busy or forbidden port: name it
        if exc.filename:
            raise
        raise SpecError(
            f"{args.host}:{args.port}", None, "io", f"cannot listen: {exc.strerror or exc}; choose another --port"
        ) from None
