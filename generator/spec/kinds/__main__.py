"""`python -m specgen.spec.kinds`: rewrite spec.schema.json's kind-derived parts."""

from specgen.spec.kinds.language import SCHEMA_FILE, write

print(f"{SCHEMA_FILE}: {'updated' if write() else 'up to date'}")
