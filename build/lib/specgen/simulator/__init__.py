"""The loopback exchange simulator: serves every venue's endpoints from the specs alone."""

from specgen.simulator.faults import Fault
from specgen.simulator.server import Simulator, serve_forever

__all__ = ["Fault", "Simulator", "serve_forever"]
