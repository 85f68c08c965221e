"""Support for the generated contract tests: the differential harness and random cases."""

from specgen.contract.harness import Contract, load_contracts, random_bodies, random_params

__all__ = ["Contract", "load_contracts", "random_bodies", "random_params"]
