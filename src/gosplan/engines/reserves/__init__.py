"""Reserves: DEA efficiency, peers, slacks, super-efficiency, Malmquist, experience transfer."""

from gosplan.engines.reserves.dea import DEAResult, dea
from gosplan.engines.reserves.frame import efficient_frame, nondominated

__all__ = ["DEAResult", "dea", "efficient_frame", "nondominated"]
