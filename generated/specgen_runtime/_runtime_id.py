"""The identity of this copy of specgen's runtime: a digest of its modules (see _shared.py)."""

RUNTIME_ID = "74dcddb51c7390ebba14ad159a1dfb09"
