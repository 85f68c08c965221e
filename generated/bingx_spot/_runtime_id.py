"""The identity of this copy of specgen's runtime: a digest of its modules (see _shared.py)."""

RUNTIME_ID = "2ec4c5087551d7dcae69deab750707b6"
