"""Share one runtime between venue packages: specgen_runtime, when it is there and the same.

Every generated package carries its own copy of specgen's runtime (errors, outcomes' building
blocks, transport, retry, wire helpers), so that one package copied alone needs nothing but the
standard library. When the package `specgen_runtime` (emitted once into generated/, to be
vendored beside the venue packages) is importable and holds exactly the same runtime (equal
RUNTIME_ID), this package's runtime modules become that package's modules before anything
imports them: every venue then raises the very same ApiError, ValidationError, ... classes, so one
`except` covers them all. Type checkers see only this package's own copy (the same code).

Part of specgen's runtime, copied verbatim into every generated package; do not edit. Standard
library only.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["SHARED_PACKAGE", "uses_shared_runtime"]

SHARED_PACKAGE = "specgen_runtime"
# The modules that are the same in every package, in the order they import one another.
RUNTIME_MODULES = (
    "_wire",
    "outcome",
    "errors",
    "accounting",
    "limiter",
    "transport",
    "retry",
    "metadata",
    "answers",
    "client_base",
)


def _share(package: str) -> bool:
    if not package or package == SHARED_PACKAGE:
        return False
    if any(f"{package}.{name}" in sys.modules for name in RUNTIME_MODULES):
        return False  # this package's own copy is in use already: never mix the two
    try:
        mine = importlib.import_module(f"{package}._runtime_id").RUNTIME_ID
        shared = importlib.import_module(f"{SHARED_PACKAGE}._runtime_id").RUNTIME_ID
    except ImportError:
        return False
    if mine != shared:
        return False  # another version of the runtime: keep this package's own copy
    parent = sys.modules[package]
    for name in RUNTIME_MODULES:
        module = importlib.import_module(f"{SHARED_PACKAGE}.{name}")
        sys.modules[f"{package}.{name}"] = module
        setattr(parent, name, module)
    return True


_SHARED = _share(__package__ or "")


def uses_shared_runtime() -> bool:
    """True when this package's errors, transports and retry policy are specgen_runtime's."""
    return _SHARED
