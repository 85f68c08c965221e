"""Docs drift: read a venue's document snapshot, compare it with the spec, accept it, start specs from it."""
