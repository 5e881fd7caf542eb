"""Status by a grouping beside the territorial hierarchy (``gosplan status --by ministry``).

The fact table's rows of the leaf units under a unit, grouped by the units' group in a grouping
(:func:`gosplan.engines.groupings.group_fulfilment`).
"""

from __future__ import annotations

import pandas as pd

from gosplan.engines.groupings import group_fulfilment
from gosplan.errors import NotFound
from gosplan.i18n import _


def group_table(service, period: str, unit: str, grouping: str, indicators: list[str] | None = None,
                window: str = "ytd") -> pd.DataFrame:
    """Fulfilment by group of ``grouping`` over the leaf units of ``unit``'s subtree.

    >>> from gosplan.service import Service
    >>> service = Service.open("sqlite://"); _ = service.load_demo()
    >>> table = group_table(service, "2023-06", "KP", "ministry", ["coal"])
    >>> table[["group_name", "reported"]].values.tolist()
    [['Coal industry', 16]]
    """
    groups = service.store.unit_groups(grouping)
    if groups.empty:
        known = service.groupings()
        if known:
            raise NotFound(_("no unit belongs to a group of {grouping}; groupings in the store: {known}",
                             grouping=repr(grouping), known=", ".join(known)))
        raise NotFound(_("no unit belongs to a group of {grouping}; import a unit_groups file first",
                         grouping=repr(grouping)))
    hierarchy = service.hierarchy()
    leaves = [code for code in hierarchy.subtree(unit) if hierarchy.is_leaf(code)]
    facts = service.facts(period, window)
    rows = facts[facts["unit"].isin(leaves)]
    if indicators is not None:
        rows = rows[rows["indicator"].isin(indicators)]
    directions = service.indicators().set_index("code")["direction"]
    return group_fulfilment(rows, groups, grouping, lower_is_better=directions.eq("lower"),
                            thresholds=service.thresholds)
