"""specgen: YAML specs of exchange REST endpoints -> typed, vendorable Python packages.

Subpackages: spec (load -> validate -> model), emit (render -> schema, cases -> format -> plan
-> write or diff), simulator (the loopback exchange) and contract (contract-test support).
"""

# The one definition of the version: pyproject.toml reads it, `specgen --version` prints it and
# every generated file's header names it.
__version__ = "0.1.0"
