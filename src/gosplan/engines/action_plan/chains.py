"""Delivery chains: who a unit depends on (suppliers by input norm), its ministry and its province.

A chain is read top to bottom when an action slips: the unit itself, then the suppliers it needs,
then the ministry it answers to, then the province committee, and last the plenum.

>>> import pandas as pd
>>> units = pd.DataFrame({"code": ["KP", "P1", "P1.c", "mine", "plant"],
...     "name": ["Country", "Province", "County", "Mine", "Plant"],
...     "kind": ["country", "province", "county", "enterprise", "enterprise"],
...     "parent": [None, "KP", "P1", "P1.c", "P1.c"]})
>>> output = pd.DataFrame({"unit": ["mine", "plant"], "indicator": ["coal", "electricity"], "value": [9.0, 5.0]})
>>> norms = pd.DataFrame({"good": ["coal"], "consumer": ["electricity"], "norm": [0.4]})
>>> ministries = pd.DataFrame({"unit": ["plant"], "group_code": ["power"], "group_name": ["Electric power"]})
>>> chain = delivery_chains(units, output, norms, ministries)
>>> chain.query("unit == 'plant'")[["role", "link", "good"]].values.tolist()
[['supplier', 'mine', 'coal'], ['ministry', 'power', None], ['province', 'P1', None]]
"""

from __future__ import annotations

import pandas as pd

CHAIN_COLUMNS = ["unit", "indicator", "role", "link", "link_name", "good", "norm"]
# The order in which a slipping action climbs its chain.
ESCALATION_ORDER = ("supplier", "ministry", "province", "plenum")


def province_of(units: pd.DataFrame) -> dict[str, str]:
    """Every unit's province (the first ancestor of kind ``province``; a province is its own)."""
    parent = units.set_index("code")["parent"].to_dict()
    kind = units.set_index("code")["kind"].to_dict()
    out: dict[str, str] = {}
    for code in parent:
        node, seen = code, set()
        while isinstance(node, str) and kind.get(node) != "province" and node not in seen:
            seen.add(node)
            node = parent.get(node)
        if isinstance(node, str) and kind.get(node) == "province":
            out[code] = node
    return out


def suppliers_of(units: pd.DataFrame, output: pd.DataFrame, good: str, unit: str) -> str | None:
    """The producer of ``good`` nearest ``unit``: in its own county, else its province, else the largest
    producer in the country (``output``: unit, indicator, value)."""
    producers = output[output["indicator"].eq(good) & output["value"].gt(0) & output["unit"].ne(unit)]
    if producers.empty:
        return None
    parent = units.set_index("code")["parent"].to_dict()
    provinces = province_of(units)
    same_county = producers[producers["unit"].map(parent).eq(parent.get(unit))]
    same_province = producers[producers["unit"].map(provinces).eq(provinces.get(unit))]
    for pool in (same_county, same_province, producers):
        if len(pool):
            return str(pool.sort_values(["value", "unit"], ascending=[False, True])["unit"].iloc[0])
    return None


def delivery_chains(units: pd.DataFrame, output: pd.DataFrame, norms: pd.DataFrame,
                    ministries: pd.DataFrame, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per link of each producing unit's chain (:data:`CHAIN_COLUMNS`).

    ``output``: what each leaf unit produced (unit, indicator, value); ``norms``: input norms (good,
    consumer, norm: good per unit of the consumer's output; a unit's own good is left out);
    ``ministries``: unit, group_code, group_name; ``pairs`` limits the chains to these (unit, indicator).
    """
    names = units.set_index("code")["name"].to_dict()
    provinces = province_of(units)
    ministry = ministries.drop_duplicates("unit").set_index("unit")
    keys = output[["unit", "indicator"]].drop_duplicates() if pairs is None else pairs[["unit", "indicator"]]
    rows = []
    for unit, indicator in keys.itertuples(index=False):
        for good, norm in norms.loc[norms["consumer"].eq(indicator), ["good", "norm"]].itertuples(index=False):
            if good == indicator:
                continue
            supplier = suppliers_of(units, output, good, unit)
            if supplier is not None:
                rows.append((unit, indicator, "supplier", supplier, names.get(supplier, supplier), good, float(norm)))
        if unit in ministry.index:
            rows.append((unit, indicator, "ministry", str(ministry.at[unit, "group_code"]),
                         str(ministry.at[unit, "group_name"]), None, None))
        if unit in provinces and provinces[unit] != unit:
            rows.append((unit, indicator, "province", provinces[unit], names.get(provinces[unit]), None, None))
    return pd.DataFrame(rows, columns=CHAIN_COLUMNS)
