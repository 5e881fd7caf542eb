"""The plan-making engine: material balances and norms, control figures and their distribution.

Pure computation (pandas/scipy in, frames and dataclasses out); the service layer
(:mod:`gosplan.service.plans`) loads the store and calls it. RAS/GRAS live beside the input-output
table in :mod:`gosplan.engines.balance.ras`.
"""

from gosplan.engines.plan.control import (
    CONTROL_COLUMNS,
    check_capacities,
    control_figures,
    distribute,
    expected_outturn,
    trend_growth,
)
from gosplan.engines.plan.material import (
    ITEMS,
    NORM_SOURCES,
    TABLE_COLUMNS,
    Implications,
    MaterialBalance,
    implications,
    material_balance,
    missing_norms,
    norm_matrix,
)
from gosplan.engines.plan.norms import NORM_COLUMNS, combine_norms, norms_from_io, norms_from_reports

__all__ = [
    "CONTROL_COLUMNS",
    "ITEMS",
    "NORM_COLUMNS",
    "NORM_SOURCES",
    "TABLE_COLUMNS",
    "Implications",
    "MaterialBalance",
    "check_capacities",
    "combine_norms",
    "control_figures",
    "distribute",
    "expected_outturn",
    "implications",
    "material_balance",
    "missing_norms",
    "norm_matrix",
    "norms_from_io",
    "norms_from_reports",
    "trend_growth",
]
