"""specgen: YAML specs of exchange REST endpoints -> typed, vendorable Python packages.

Subpackages: spec (load -> validate -> model), emit (render -> schema, cases -> format -> plan
-> write or diff), simulator (the loopback exchange) and contract (contract-test support).
"""
