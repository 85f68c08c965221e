"""specgen's runtime: the modules every generated package needs, copied into each verbatim."""
