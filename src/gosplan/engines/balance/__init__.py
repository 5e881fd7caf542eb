"""The balance engine: input-output (Leontief/Ghosh) analysis and LP plan balancing.

Pure computation: numpy/scipy/pandas in, dataclasses and DataFrames out. See
:class:`~gosplan.engines.balance.table.IOTable` for the entry point.
"""

from gosplan.engines.balance.check import TableCheck, check_table, spectral_radius
from gosplan.engines.balance.dynamic import DynamicPlan, dynamic_plan
from gosplan.engines.balance.lp import PlanBalance, balance_plan
from gosplan.engines.balance.solvers import LeontiefSolver
from gosplan.engines.balance.table import KEY_CLASSES, IOTable, KeySectors

__all__ = [
    "KEY_CLASSES",
    "DynamicPlan",
    "IOTable",
    "KeySectors",
    "LeontiefSolver",
    "PlanBalance",
    "TableCheck",
    "balance_plan",
    "check_table",
    "dynamic_plan",
    "spectral_radius",
]
