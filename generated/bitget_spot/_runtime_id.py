"""The identity of this copy of specgen's runtime: a digest of its modules (see _shared.py)."""

RUNTIME_ID = "f57019bf06e1c6b02f11797e1b9ae2bd"
