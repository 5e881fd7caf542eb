"""Reserves of producing units: DEA efficiency, peers, Malmquist change, experience-sharing pairs.

The public import path of :mod:`gosplan.engines.reserves`::

    >>> from gosplan.reserves import dea, malmquist
    >>> dea([[2.0], [4.0]], [[1.0], [4.0]]).efficiency.tolist()
    [0.5, 1.0]
"""

from gosplan.engines.reserves import DEAResult, dea, efficient_frame, nondominated
from gosplan.engines.reserves.experience import ExperiencePairs, experience_pairs
from gosplan.engines.reserves.malmquist import MALMQUIST_COLUMNS, malmquist

__all__ = ["MALMQUIST_COLUMNS", "DEAResult", "ExperiencePairs", "dea", "efficient_frame", "experience_pairs",
           "malmquist", "nondominated"]
