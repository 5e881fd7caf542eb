"""Material balances in physical units: resources against uses, good by good.

For each balanced good ``g`` (an output indicator such as coal in t or electricity in kWh)::

    resources = production + stock_drawdown + imports
    uses      = productive_consumption + final_uses + exports + stock_build
    surplus   = resources - uses          (negative: a deficit)

Productive consumption comes from input norms: ``norm[g, k]`` units of ``g`` per unit of output of
indicator ``k`` (t of coal per kWh, kWh per t of rolled steel). With ``N`` the goods x indicators norm
matrix and ``Q`` the indicators x units output matrix, ``C = N Q`` is the goods x units consumption,
computed as one sparse product, so 200 goods x 10,000 enterprises take well under a second.

>>> import pandas as pd
>>> norms = pd.DataFrame({"good": ["coal", "electricity"], "consumer": ["electricity", "coal"],
...                       "norm": [0.0006, 20.0]})        # t of coal per kWh, kWh per t of coal
>>> output = pd.DataFrame({"unit": ["plant", "mine"], "indicator": ["electricity", "coal"],
...                        "value": [1.0e9, 700_000.0]})
>>> b = material_balance(norms, output)
>>> b.table[["production", "productive_consumption", "surplus"]].round(0).astype(int)
             production  productive_consumption   surplus
good
coal             700000                  600000    100000
electricity  1000000000                14000000  986000000
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.errors import InvalidValue

RESOURCE_ITEMS = ("production", "stock_drawdown", "imports")
USE_ITEMS = ("productive_consumption", "final_uses", "exports", "stock_build")
ITEMS = ("stock_drawdown", "imports", "final_uses", "exports", "stock_build")  # given from outside
TABLE_COLUMNS = (*RESOURCE_ITEMS, "resources", *USE_ITEMS, "uses", "surplus")
NORM_SOURCES = ("io_table", "reports", "entered")


@dataclass(frozen=True)
class MaterialBalance:
    """The balances of a set of goods: one row per good in ``table`` (columns ``TABLE_COLUMNS``).

    ``consumption`` is the goods x units matrix of productive consumption (``goods`` x ``units``);
    ``by_consumer`` the same summed per consuming indicator, in long form (good, consumer, amount).
    """

    table: pd.DataFrame
    consumption: sp.csr_matrix
    goods: pd.Index
    units: pd.Index
    by_consumer: pd.DataFrame

    def deficits(self, rtol: float = 1e-9) -> pd.DataFrame:
        """The goods whose uses exceed resources (beyond ``rtol`` of their uses), worst first."""
        t = self.table
        short = t[t["surplus"] < -rtol * t["uses"].abs().clip(lower=1.0)]
        return short.sort_values("surplus")

    def consumers(self, good: str) -> pd.DataFrame:
        """Who uses ``good`` productively: consuming indicator and amount, largest first."""
        frame = self.by_consumer[self.by_consumer["good"] == good]
        return frame.sort_values("amount", ascending=False).reset_index(drop=True)

    def top_units(self, good: str, n: int = 5) -> pd.Series:
        """The ``n`` units consuming most of ``good`` (amounts in the good's unit)."""
        if good not in self.goods:
            raise InvalidValue(f"{good!r} is not a balanced good")
        row = self.consumption.getrow(self.goods.get_loc(good)).toarray().ravel()
        order = np.argsort(-row)[:n]
        order = order[row[order] > 0]
        return pd.Series(row[order], index=self.units[order], name=good)

    def import_dependence(self) -> pd.DataFrame:
        """Domestic versus imported supply of each good (in the good's unit): ``domestic`` (production and
        stock drawdown), ``imports``, ``import_share`` (imports over resources) and ``import_share_closed``
        (the share if a deficit were closed by imports: ``(imports + deficit) / uses``).

        >>> items = pd.DataFrame({"imports": [10.0], "final_uses": [110.0]}, index=["coal"])
        >>> b = material_balance(pd.DataFrame(columns=["good", "consumer", "norm"]),
        ...                      pd.DataFrame({"unit": ["m"], "indicator": ["coal"], "value": [90.0]}), items,
        ...                      goods=["coal"])
        >>> b.import_dependence().round(3).to_dict("records")
        [{'domestic': 90.0, 'imports': 10.0, 'import_share': 0.1, 'import_share_closed': 0.182}]
        """
        t = self.table
        domestic = t["production"] + t["stock_drawdown"]
        deficit = (-t["surplus"]).clip(lower=0.0)
        resources = t["resources"].where(t["resources"] > 0)
        uses = t["uses"].where(t["uses"] > 0)
        return pd.DataFrame({"domestic": domestic, "imports": t["imports"],
                             "import_share": (t["imports"] / resources).fillna(0.0),
                             "import_share_closed": ((t["imports"] + deficit) / uses.where(deficit > 0, resources))
                             .fillna(0.0)}, index=t.index)

    def close(self, *, deficit_to: str = "imports", surplus_to: str = "stock_build") -> pd.DataFrame:
        """The balances closed by a balancing item: ``resources == uses`` for every good.

        A deficit is added to ``deficit_to`` (a resource: ``imports`` or ``stock_drawdown``), a surplus
        to ``surplus_to`` (a use: ``stock_build`` or ``exports``); the added amount is in the column
        ``balancing``. The original balance is left as it is.
        """
        if deficit_to not in ("imports", "stock_drawdown"):
            raise InvalidValue("deficit_to must be 'imports' or 'stock_drawdown'")
        if surplus_to not in ("stock_build", "exports"):
            raise InvalidValue("surplus_to must be 'stock_build' or 'exports'")
        t = self.table.copy()
        gap = t["surplus"].to_numpy()
        t[deficit_to] = t[deficit_to] + np.where(gap < 0, -gap, 0.0)
        t[surplus_to] = t[surplus_to] + np.where(gap > 0, gap, 0.0)
        t["balancing"] = np.abs(gap)
        _totals(t)
        return t


def norm_matrix(norms: pd.DataFrame, goods: Iterable[str], consumers: Iterable[str]) -> sp.csr_matrix:
    """The goods x consumers matrix of ``norms`` (columns good, consumer, norm); pairs outside are ignored.

    Raises :class:`~gosplan.errors.InvalidValue` naming the first negative or missing norm.
    """
    goods, consumers = pd.Index(goods), pd.Index(consumers)
    values = pd.to_numeric(norms["norm"], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        first = norms.iloc[int(np.flatnonzero(bad)[0])]
        raise InvalidValue(f"norm of {first['good']} per unit of {first['consumer']} must be a non-negative "
                           f"number, not {first['norm']!r}")
    rows = goods.get_indexer(norms["good"].astype(str))
    cols = consumers.get_indexer(norms["consumer"].astype(str))
    keep = (rows >= 0) & (cols >= 0)
    return sp.csr_matrix((values[keep], (rows[keep], cols[keep])), shape=(len(goods), len(consumers)))


def material_balance(norms: pd.DataFrame, output: pd.DataFrame, items: pd.DataFrame | None = None, *,
                     goods: Iterable[str] | None = None, produced_as: Mapping[str, str] | None = None
                     ) -> MaterialBalance:
    """Balance each good: production and productive consumption from ``output``, the rest from ``items``.

    ``norms``: columns good, consumer, norm. ``output``: columns unit, indicator, value (one period's
    output of every producing unit, in the indicators' units). ``items``: indexed by good, any of the
    columns stock_drawdown, imports, final_uses, exports, stock_build (missing ones are 0). ``goods``
    defaults to the goods of the norms; ``produced_as`` maps a good to the indicator that produces it
    when the codes differ.
    """
    goods_index = pd.Index(sorted(set(norms["good"].astype(str))) if goods is None else list(goods), name="good")
    if goods_index.has_duplicates:
        raise InvalidValue("goods must be listed once each")
    produced_as = dict(produced_as or {})
    producer = [produced_as.get(g, g) for g in goods_index]
    unit_codes = pd.Index(pd.unique(output["unit"].astype(str)))
    consumer_codes = pd.Index(pd.unique(pd.concat([output["indicator"].astype(str), pd.Series(producer)])))
    values = pd.to_numeric(output["value"], errors="coerce").to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        first = output.iloc[int(np.flatnonzero(~np.isfinite(values))[0])]
        raise InvalidValue(f"output of {first['unit']} in {first['indicator']} is not a number: {first['value']!r}")
    Q = sp.csr_matrix((values, (consumer_codes.get_indexer(output["indicator"].astype(str)),
                                unit_codes.get_indexer(output["unit"].astype(str)))),
                      shape=(len(consumer_codes), len(unit_codes)))
    N = norm_matrix(norms, goods_index, consumer_codes)
    C = (N @ Q).tocsr()
    by_indicator = np.asarray(Q.sum(axis=1)).ravel()
    table = pd.DataFrame(0.0, index=goods_index, columns=list(TABLE_COLUMNS))
    table["production"] = by_indicator[consumer_codes.get_indexer(producer)]
    table["productive_consumption"] = np.asarray(C.sum(axis=1)).ravel()
    if items is not None and len(items):
        unknown = [c for c in items.columns if c not in ITEMS]
        if unknown:
            raise InvalidValue(f"unknown balance items {unknown}; use {', '.join(ITEMS)}")
        given = items.reindex(goods_index).fillna(0.0)
        for column in items.columns:
            table[column] = given[column].astype(float).to_numpy()
    _totals(table)
    flows = (N @ sp.diags(by_indicator)).tocoo()
    by_consumer = pd.DataFrame({"good": goods_index[flows.row], "consumer": consumer_codes[flows.col],
                                "amount": flows.data})
    by_consumer = by_consumer[by_consumer["amount"] != 0].reset_index(drop=True)
    return MaterialBalance(table=table, consumption=C, goods=goods_index, units=unit_codes, by_consumer=by_consumer)


def _totals(table: pd.DataFrame) -> None:
    table["resources"] = table[list(RESOURCE_ITEMS)].sum(axis=1)
    table["uses"] = table[list(USE_ITEMS)].sum(axis=1)
    table["surplus"] = table["resources"] - table["uses"]


@dataclass(frozen=True)
class Implications:
    """What a change of output implies for the balances (``planned`` against ``actual`` output).

    ``table`` per good: production and productive consumption under each, their changes and
    ``left_for_others_change`` (production change minus consumption change: what the other users and
    final uses gain, negative when they lose). ``by_consumer``: the consumption change per consuming
    indicator (good, consumer, planned, actual, change).
    """

    table: pd.DataFrame
    by_consumer: pd.DataFrame


def implications(norms: pd.DataFrame, planned: pd.DataFrame, actual: pd.DataFrame, *,
                 goods: Iterable[str] | None = None, produced_as: Mapping[str, str] | None = None) -> Implications:
    """Apply observed output changes through the norms ("what H1 implies").

    ``planned`` and ``actual`` are output frames (unit, indicator, value) of the same period. An
    over-fulfilled steel plan shows up as more electricity and coal consumed, and so as less left
    for everyone else, in each good's physical unit.

    >>> import pandas as pd
    >>> norms = pd.DataFrame({"good": ["electricity"], "consumer": ["rolled_steel"], "norm": [600.0]})
    >>> plan = pd.DataFrame({"unit": ["mill"], "indicator": ["rolled_steel"], "value": [100.0]})
    >>> fact = plan.assign(value=112.0)
    >>> float(implications(norms, plan, fact).table.loc["electricity", "left_for_others_change"])
    -7200.0
    """
    goods = list(goods) if goods is not None else sorted(set(norms["good"].astype(str)))
    a = material_balance(norms, planned, goods=goods, produced_as=produced_as)
    b = material_balance(norms, actual, goods=goods, produced_as=produced_as)
    table = pd.DataFrame({
        "production_planned": a.table["production"], "production_actual": b.table["production"],
        "consumption_planned": a.table["productive_consumption"],
        "consumption_actual": b.table["productive_consumption"]})
    table["production_change"] = table["production_actual"] - table["production_planned"]
    table["consumption_change"] = table["consumption_actual"] - table["consumption_planned"]
    table["left_for_others_change"] = table["production_change"] - table["consumption_change"]
    merged = a.by_consumer.merge(b.by_consumer, on=["good", "consumer"], how="outer",
                                 suffixes=("_planned", "_actual")).fillna(0.0)
    merged = merged.rename(columns={"amount_planned": "planned", "amount_actual": "actual"})
    merged["change"] = merged["actual"] - merged["planned"]
    merged = merged.sort_values(["good", "change"], key=lambda s: s.abs() if s.name == "change" else s,
                                ascending=[True, False]).reset_index(drop=True)
    return Implications(table=table, by_consumer=merged)


def missing_norms(norms: pd.DataFrame, required: pd.DataFrame) -> pd.DataFrame:
    """The (good, consumer) pairs of ``required`` that have no norm: a balance would understate the uses.

    ``required`` has columns good, consumer (e.g. every pair with a flow in the input-output table).
    """
    have = set(zip(norms["good"].astype(str), norms["consumer"].astype(str), strict=True))
    mask = [(g, c) not in have for g, c in zip(required["good"].astype(str), required["consumer"].astype(str),
                                               strict=True)]
    return required.loc[mask, ["good", "consumer"]].reset_index(drop=True)
