"""The identity of this copy of specgen's runtime: a digest of its modules (see _shared.py)."""

RUNTIME_ID = "5b23ef1e02591eb4e8e54c10bde0188f"
