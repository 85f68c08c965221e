"""Rule kinds: one module each (groups share one), registered with @rule_kind."""
