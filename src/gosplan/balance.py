"""Public import path of the balance engine.

>>> from gosplan.balance import IOTable
>>> t = IOTable.from_flows([[150, 500], [200, 100]], [1000, 2000], labels=["agriculture", "manufacturing"])
>>> t.leontief_inverse().round(3).to_numpy().tolist()
[[1.254, 0.33], [0.264, 1.122]]
"""

from gosplan.engines.balance import readers
from gosplan.engines.balance.check import TableCheck, check_table
from gosplan.engines.balance.dynamic import DynamicPlan, dynamic_plan
from gosplan.engines.balance.lp import PlanBalance, balance_plan
from gosplan.engines.balance.ras import gras, ras
from gosplan.engines.balance.readers import (
    read_bea_requirements,
    read_bea_use,
    read_flows_csv,
    read_oecd_csv,
    read_table,
    write_flows_csv,
)
from gosplan.engines.balance.solvers import LeontiefSolver
from gosplan.engines.balance.table import IOTable, KeySectors

__all__ = [
    "DynamicPlan",
    "IOTable",
    "KeySectors",
    "LeontiefSolver",
    "PlanBalance",
    "TableCheck",
    "balance_plan",
    "check_table",
    "dynamic_plan",
    "gras",
    "ras",
    "read_bea_requirements",
    "read_bea_use",
    "read_flows_csv",
    "read_oecd_csv",
    "read_table",
    "readers",
    "write_flows_csv",
]
