"""Type kinds: one module each, registered with @type_kind."""
