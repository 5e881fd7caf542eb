"""Reserves of producing units: DEA efficiency, untapped output, peers to learn from, Malmquist change.

For a period, every producing unit's inputs (the indicators of role ``input``: workers, energy,
equipment hours, materials) and its output (the output indicator of its sector) are read from the
store; DEA in output orientation then says how much more each unit could produce with what it
already has, in the output's own physical unit, against the best units of its peer group: its sector
(split by output where a sector makes several) and, where the unit has one, its technology (grouping
``technology`` of the unit groups: hydro with hydro, open-pit with underground never).

Natural conditions no manager controls (a mine's seam thickness, a hydro station's river inflow, a
farm's soil) are the groupings named in :data:`CONDITIONS`, each unit's value its group code; where
every unit of a peer group has one, it enters DEA as a non-discretionary input (Banker & Morey 1986):
no unit is measured against peers with better conditions than its own, and no reserve is ever found
in the condition itself.

Variable returns to scale by default: what can be tapped within the year, at the unit's present
scale (a mine cannot double its size in six months). The constant-returns reserve is computed beside
it (``crs_reserve``); the difference is what a change of scale would add.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()
>>> view = reserves(service, "2023-H1", sector="coal")
>>> bool((view.table["output_reserve"] >= 0).all()), view.table["uom"].iloc[0]
(True, 't')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gosplan.errors import InvalidValue, NotFound, Problem, ValidationError
from gosplan.i18n import N_, _, ngettext
from gosplan.model import Period
from gosplan.reserves import DEAResult, experience_pairs, malmquist
from gosplan.reserves import dea as run_dea
from gosplan.service.actions import finding

RTS_OPTIONS = ("crs", "vrs")
DEFAULT_RTS = "vrs"
TECHNOLOGY = "technology"  # the grouping of unit_groups that splits peer groups
WORKERS = "workers"
ENERGY = "energy_use"
# Groupings of unit_groups holding a natural condition (group code = the unit's value): the name and
# unit shown for it.
CONDITIONS: dict[str, str] = {"seam_thickness": N_("seam thickness (m)"),
                              "inflow_index": N_("river inflow (× design)"),
                              "soil_quality": N_("soil quality (0-100)")}
PRO_RATED = "pro-rated for missing months"
REPORTED = "reported"
RESERVE_COLUMNS = ["unit", "name", "sector", "technology", "peer_group", "province", "indicator", "uom", "output",
                   "output_basis", "produced", "months_reported", "efficiency",
                   "potential_output", "output_reserve", "reserve_share", "crs_efficiency", "crs_reserve", "status",
                   "malmquist", "efficiency_change", "technical_change"]
PEER_COLUMNS = ["unit", "name", "sector", "indicator", "uom", "efficiency", "output_reserve", "rank", "peer",
                "peer_name", "peer_efficiency", "scale_ratio", "output_per_worker", "peer_output_per_worker",
                "energy_per_output", "peer_energy_per_output"]


@dataclass
class Production:
    """Inputs ``X`` and output ``Y`` (one column, ``output``) of the producing units of a period.

    ``units`` holds, per unit (same index), its name, sector, province, output indicator and its
    unit of measure.
    """

    period: str
    X: pd.DataFrame
    Y: pd.DataFrame
    units: pd.DataFrame


@dataclass
class ReservesView:
    """What ``gosplan reserves`` shows: one row per unit (``table``), experience-sharing ``pairs``
    with what differs, and the DEA result behind them."""

    period: str
    rts: str
    table: pd.DataFrame
    pairs: pd.DataFrame
    differences: pd.DataFrame
    result: DEAResult
    compared_with: str | None
    small_groups: pd.DataFrame  # peer groups with fewer units than DEA needs: group, units, needed
    # Non-controllable conditions used: peer group -> condition groupings (keys of CONDITIONS).
    conditions: dict[str, list[str]] = field(default_factory=dict)
    # Conditions some but not all units of a peer group have (so not used there): group -> groupings.
    conditions_incomplete: dict[str, list[str]] = field(default_factory=dict)
    # Each peer group in words of the reader's language ("coal:open_pit" -> "Coal · Open-pit mining").
    group_labels: dict[str, str] = field(default_factory=dict)

    def group_label(self, group: str) -> str:
        """A peer group in words (its code where no label is known)."""
        return self.group_labels.get(group, group)


def _province(service, code: str) -> str | None:
    kinds = service.units().set_index("code")["kind"]
    return next((node for node in service.hierarchy().path(code) if kinds.get(node) == "province"), None)


def production(service, period: str | Period, sector: str | None = None) -> Production:
    """Inputs and output of every producing unit in ``period`` (optionally of one ``sector``).

    Sum indicators are totals over the period, mean indicators (workers) the average month; a unit
    that missed some months is counted at its reporting rate (mean of the months it reported times
    the months of the period), so a late report neither hides nor inflates a reserve. The reserves
    table labels such an output "pro-rated for missing months" and shows the fact table's
    ``produced`` beside it (docs/figures.md).
    """
    p = Period.parse(period)
    key = ("production", str(p), sector)
    return service._cached(key, lambda: _production(service, p, sector))


def _production(service, p: Period, sector: str | None) -> Production:
    indicators = service.indicators().set_index("code")
    inputs = [c for c in indicators.index if indicators.loc[c, "role"] == "input"]
    outputs = [c for c in indicators.index if indicators.loc[c, "role"] == "output"]
    if not inputs:
        raise NotFound(_("no indicator has role 'input' (workers, energy...): import them to measure reserves"))
    units = service.units().set_index("code")
    technology = service.store.unit_groups(TECHNOLOGY).set_index("unit")["group_code"]
    enterprises = units[units["sector"].notna() & units["sector"].astype(str).ne("")]
    if sector is not None:
        if sector not in set(enterprises["sector"]):
            raise NotFound(_("no producing unit in sector {sector}", sector=repr(sector)))
        enterprises = enterprises[enterprises["sector"].eq(sector)]
    totals = service.store.report_totals(str(p.first_month()), str(p.last_month()), indicators=inputs + outputs,
                                         units=list(enterprises.index))
    if totals.empty:
        raise NotFound(_("no reports of inputs and outputs for {period}", period=p))
    per_period = totals["mean"] * np.where(totals["indicator"].map(indicators["time_aggregation"]).eq("mean"),
                                           1, p.length)
    wide = totals.assign(value=per_period).pivot_table(index="unit", columns="indicator", values="value")
    # A unit's output is the output indicator of its own sector (a mine's coal, not its dwellings).
    own = {code: [o for o in outputs if o in wide.columns and indicators.loc[o, "sector"] == sec]
           for code, sec in enterprises["sector"].items() if code in wide.index}
    rows = []
    for code, candidates in own.items():
        present = [o for o in candidates if np.isfinite(wide.loc[code, o]) and wide.loc[code, o] > 0]
        x = wide.loc[code, [i for i in inputs if i in wide.columns]]
        if not present or len(x) < len(inputs) or not (np.isfinite(x) & (x > 0)).all():
            continue  # not a producing unit with a full set of inputs (e.g. a farm, a builder)
        out = max(present, key=lambda o: wide.loc[code, o])
        rows.append((code, units.loc[code, "name"], units.loc[code, "sector"], str(technology.get(code, "")),
                     _province(service, code), out, indicators.loc[out, "unit"], float(wide.loc[code, out])))
    if not rows:
        raise NotFound(_("no producing unit reported all of {inputs} and an output for {period}",
                         inputs=", ".join(inputs), period=p))
    meta = pd.DataFrame(rows, columns=["unit", "name", "sector", "technology", "province", "indicator", "uom",
                                       "output"])
    meta = meta.sort_values(["sector", "unit"], kind="stable").set_index("unit")
    X = wide.loc[meta.index, inputs].astype(float)
    Y = meta[["output"]].astype(float)
    return Production(str(p), X.rename_axis(None, axis=1), Y, meta.drop(columns="output"))


def reserves(service, period: str | Period, *, sector: str | None = None, rts: str = DEFAULT_RTS,
             lagging_below: float = 0.9, peers: int = 3) -> ReservesView:
    """Efficiency, untapped output (in the output's unit) and peers of every producing unit.

    Output-oriented DEA within each peer group (sector, output and technology; see :func:`peer_groups`).
    ``rts``: ``vrs`` by default (what can be tapped at the present scale), ``crs`` to compare every
    unit with the most productive scale; the CRS efficiency and reserve are always in the table beside
    (``crs_efficiency``, ``crs_reserve``). Malmquist change (constant returns, the index's usual
    definition) against the same period a year earlier where both periods have data; ``peers``
    efficient units of the same group, most similar in scale and input mix, for every unit below
    ``lagging_below``. ``small_groups`` lists the groups with fewer units than DEA needs.
    """
    if rts not in RTS_OPTIONS:
        raise InvalidValue(_("{option} must be one of {choices}, not {value}", option="--rts",
                              choices=", ".join(RTS_OPTIONS), value=repr(rts)))
    p = Period.parse(period)
    key = ("reserves", str(p), sector, rts, lagging_below, peers)
    return service._cached(key, lambda: _reserves(service, p, sector, rts, lagging_below, peers))


def _reserves(service, p: Period, sector: str | None, rts: str, lagging_below: float,
              k: int) -> ReservesView:
    now = production(service, p, sector)
    groups = peer_groups(now.units)
    values, used, incomplete = conditions(service, groups)
    X = now.X.join(values)
    fixed = list(values.columns)
    result = run_dea(X, now.Y, rts=rts, orientation="output", groups=groups,  # type: ignore[arg-type]
                     non_discretionary=fixed)
    crs = result if rts == "crs" else run_dea(X, now.Y, rts="crs", orientation="output", groups=groups,
                                              non_discretionary=fixed)
    table = now.units.copy()
    table["peer_group"] = groups
    table["output"] = now.Y["output"]
    table["efficiency"] = result.efficiency
    table["potential_output"] = result.targets["output"]
    table["output_reserve"] = result.output_reserve["output"].clip(lower=0.0)  # no negative rounding noise
    table["reserve_share"] = table["output_reserve"] / table["output"]
    table["crs_efficiency"] = crs.efficiency
    table["crs_reserve"] = crs.output_reserve["output"].clip(lower=0.0)
    table["status"] = result.status
    _label_output(service, p, table)
    change, compared = _malmquist(service, p, sector, now)
    table = table.join(change)
    table = table.reset_index()[RESERVE_COLUMNS]
    found = experience_pairs(result, k=k, lagging_below=lagging_below)
    pairs = _pairs_table(found.pairs, now, table)
    return ReservesView(str(p), rts, table, pairs, found.differences, result, compared, result.small_groups,
                        used, incomplete, peer_group_labels(service, groups))


def conditions(service, groups: pd.Series) -> tuple[pd.DataFrame, dict[str, list[str]], dict[str, list[str]]]:
    """The non-controllable conditions of the units of ``groups`` (index: unit, values: peer group).

    Returns the values (one column per condition grouping of :data:`CONDITIONS`; 0 where a peer group
    does not use the condition, which constrains nothing there), the conditions used per peer group,
    and those some but not all units of a group have (not used there: a unit without a value cannot
    be placed). A group code that is not a positive number is refused, naming unit and grouping.
    """
    values = pd.DataFrame(index=groups.index)
    used: dict[str, list[str]] = {}
    incomplete: dict[str, list[str]] = {}
    problems = []
    for grouping in CONDITIONS:
        rows = service.store.unit_groups(grouping)
        rows = rows[rows["unit"].isin(groups.index)]
        if rows.empty:
            continue
        number = pd.to_numeric(rows["group_code"], errors="coerce")
        for unit, code in rows.loc[~(number > 0), ["unit", "group_code"]].itertuples(index=False):
            problems.append(Problem("unit_groups", None, "group_code",
                                    _("{grouping} of {unit} must be a positive number, got {code}",
                                      grouping=grouping, unit=unit, code=repr(code))))
        column = pd.Series(number.to_numpy(), index=rows["unit"]).reindex(groups.index)
        has = column.notna().groupby(groups).agg(["all", "any"])
        for group in has.index[has["all"]]:
            used.setdefault(str(group), []).append(grouping)
        for group in has.index[has["any"] & ~has["all"]]:
            incomplete.setdefault(str(group), []).append(grouping)
        values[grouping] = column.where(groups.map(has["all"]).astype(bool), 0.0).fillna(0.0)
    if problems:
        raise ValidationError(problems)
    return values.loc[:, values.ne(0).any()], used, incomplete


def reserve_notes(view: ReservesView) -> list[str]:
    """The footnotes of a reserves table: returns to scale, and the peer groups too small for DEA.

    Sentences, for the command line and the review alike."""
    notes = []
    if view.rts == "vrs":
        notes.append(_("VRS: each unit against the best units of its own scale, what can be tapped within the year; "
                       "CRS: against the most productive scale of its group; the difference needs a change of size "
                       "(years, not months)."))
    else:
        notes.append(_("CRS: each unit against the most productive scale of its group; part of such a reserve needs "
                       "a change of size (--rts vrs: what can be tapped at the present scale)."))
    if view.conditions:
        by_condition: dict[str, list[str]] = {}
        for group, names in view.conditions.items():
            for name in names:
                by_condition.setdefault(name, []).append(group)
        listed = "; ".join(f"{_(CONDITIONS[name])}: {', '.join(map(view.group_label, groups))}"
                           for name, groups in by_condition.items())
        notes.append(_("Not controllable, so compared but never counted as a reserve (non-discretionary inputs): "
                       "{conditions}. No unit is measured against peers with better conditions than its own.",
                       conditions=listed))
    for group, names in view.conditions_incomplete.items():
        notes.append(_("{conditions} not used in {group}: some of its units have no value.",
                       conditions=", ".join(_(CONDITIONS[name]) for name in names), group=view.group_label(group)))
    small = view.small_groups
    if len(small):
        s = len(view.result.output_names)
        groups = ", ".join(_("{group} ({units} of {needed})", group=view.group_label(g), units=int(n), needed=int(k))
                           for g, n, k in zip(small["group"], small["units"], small["needed"], strict=True))
        notes.append(ngettext(
            "Small peer groups: DEA needs at least max(m×s, 3(m+s)) units per group for m inputs and {count} "
            "output; fewer in {groups}. There many units score 1 only for want of comparable units: their "
            "reserves are lower bounds.",
            "Small peer groups: DEA needs at least max(m×s, 3(m+s)) units per group for m inputs and {count} "
            "outputs; fewer in {groups}. There many units score 1 only for want of comparable units: their "
            "reserves are lower bounds.", s, groups=groups))
    return notes


def _label_output(service, p: Period, table: pd.DataFrame) -> None:
    """``produced`` (the fact table's figure for the unit and its output over the period) beside the
    DEA's ``output``: equal where the unit reported every month, else the output is the unit's
    monthly mean times the months of the period and says so in ``output_basis``."""
    facts = service.facts(p, window="period")
    rows = facts.set_index(["unit", "indicator"])
    keys = list(zip(table.index, table["indicator"], strict=True))
    found = rows.reindex(pd.MultiIndex.from_tuples(keys, names=["unit", "indicator"]))
    table["produced"] = found["produced"].to_numpy(dtype=float)
    table["months_reported"] = found["months_reported"].fillna(0).to_numpy(dtype=int)
    complete = table["months_reported"].ge(p.length).to_numpy()
    table["output"] = np.where(complete, table["produced"], table["output"])
    table["output_basis"] = np.where(complete, REPORTED, PRO_RATED)


def peer_group_labels(service, groups: pd.Series) -> dict[str, str]:
    """Each peer group's code (``sector[:product][:technology]``, see :func:`peer_groups`) in the words of
    the reader's language: the sector's name, the product's and the technology's, joined by " · "."""
    sectors = service.sectors().set_index("code")["name"]
    products = service.indicators().set_index("code")["name"]
    technologies = (service.store.unit_groups(TECHNOLOGY).drop_duplicates("group_code")
                    .set_index("group_code")["group_name"])
    labels = {}
    for group in pd.unique(groups.astype(str)):
        sector, *rest = group.split(":")
        words = [sectors.get(sector, sector), *(products.get(part, technologies.get(part, part)) for part in rest)]
        labels[group] = " · ".join(str(word) for word in words)
    return labels


def peer_groups(units: pd.DataFrame) -> pd.Series:
    """Reference sets: the sector, split by output where a sector makes several (steel and zinc
    tonnes are not the same product, so they are not compared), and by technology where a unit has
    one (a hydro station is not told to learn from a thermal plant).

    >>> units = pd.DataFrame({"sector": ["electricity", "electricity", "coal"], "indicator": "x",
    ...                       "technology": ["hydro", "thermal", ""]})
    >>> peer_groups(units).tolist()
    ['electricity:hydro', 'electricity:thermal', 'coal']
    """
    several = units.groupby("sector")["indicator"].transform("nunique").gt(1)
    base = units["sector"].where(~several, units["sector"] + ":" + units["indicator"])
    if "technology" not in units:
        return base
    technology = units["technology"].fillna("").astype(str)
    return base.where(technology.eq(""), base + ":" + technology)



def _malmquist(service, p: Period, sector: str | None, now: Production) -> tuple[pd.DataFrame, str | None]:
    """Malmquist change within each peer group under constant returns (its usual definition, and the
    cross-period programmes are always feasible there)."""
    empty = pd.DataFrame(np.nan, index=now.units.index, columns=["malmquist", "efficiency_change",
                                                                  "technical_change"])
    before_period = p.previous_year()
    try:
        before = production(service, before_period, sector)
    except NotFound:
        return empty, None
    parts = []
    for _group, members in now.units.groupby(peer_groups(now.units)).groups.items():
        both = [u for u in members if u in before.X.index]
        if len(both) < 2:
            continue
        frame = malmquist(before.X.loc[both], before.Y.loc[both], now.X.loc[both], now.Y.loc[both], rts="crs",
                          orientation="output", names=both)
        parts.append(frame[["m", "ec", "tc"]].set_axis(["malmquist", "efficiency_change", "technical_change"],
                                                        axis=1))
    if not parts:
        return empty, None
    return pd.concat(parts).reindex(now.units.index), str(before_period)


def _pairs_table(pairs: pd.DataFrame, now: Production, table: pd.DataFrame) -> pd.DataFrame:
    if pairs.empty:
        return pd.DataFrame(columns=PEER_COLUMNS)
    info = table.set_index("unit")
    per_worker = now.Y["output"] / Period.parse(now.period).length / now.X[WORKERS]
    energy = now.X[ENERGY] / now.Y["output"]
    out = pairs[["unit", "efficiency", "rank", "peer", "peer_efficiency", "scale_ratio"]].copy()
    out["name"] = out["unit"].map(info["name"])
    out["sector"] = out["unit"].map(info["sector"])
    out["indicator"] = out["unit"].map(info["indicator"])
    out["uom"] = out["unit"].map(info["uom"])
    out["output_reserve"] = out["unit"].map(info["output_reserve"])
    out["peer_name"] = out["peer"].map(info["name"])
    out["output_per_worker"] = out["unit"].map(per_worker)
    out["peer_output_per_worker"] = out["peer"].map(per_worker)
    out["energy_per_output"] = out["unit"].map(energy)
    out["peer_energy_per_output"] = out["peer"].map(energy)
    return out[PEER_COLUMNS].reset_index(drop=True)


def with_peers(table: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The reserves table with ``learn_from``: the peers of each lagging unit, most similar first."""
    learn = pairs.sort_values(["unit", "rank"]).groupby("unit")["peer"].agg(", ".join)
    return table.assign(learn_from=table["unit"].map(learn).fillna(""))


def output_per_worker(service, unit: str, period: str | Period) -> float:
    """Monthly output of ``unit``'s own indicator per average worker in ``period`` (NaN without data);
    a month's figure, so that periods of different length compare."""
    try:
        now = production(service, period)
    except NotFound:
        return float("nan")
    if unit not in now.Y.index:
        return float("nan")
    return float(now.Y.loc[unit, "output"] / Period.parse(now.period).length / now.X.loc[unit, WORKERS])


@finding("peers")
def _peers(service, period: str) -> pd.DataFrame | None:
    """Experience-sharing pairs of the period (``PEER_COLUMNS``); ``None`` without inputs in the store."""
    try:
        return reserves(service, period).pairs
    except NotFound:
        return None
