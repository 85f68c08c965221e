"""The identity of this copy of specgen's runtime: a digest of its modules (see _shared.py)."""

RUNTIME_ID = "d961bf6be5864d1592d7a9c011d2803a"
