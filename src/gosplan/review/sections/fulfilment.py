"""The foundation's sections: sectors, key indicators, league table, leaders and laggards, charts,
units that have not reported."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gosplan.engines.facts import weighted_index
from gosplan.i18n import N_, _, ngettext
from gosplan.i18n.codes import code_word
from gosplan.model import Period
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import (
    axis_scale,
    heading_html,
    html_table,
    is_missing,
    method_word,
    money,
    pct,
    per_unit,
    prose_qty,
    qty,
    signed_pct,
    signed_qty,
    status_word,
)
from gosplan.review.sentences import change_phrase, probability_text
from gosplan.review.terminal import change_text, shown_pct


def _lead(ctx: ReviewContext, key: str) -> str:
    """The annex's lead sentence and the plan(s) its figures compare against."""
    from gosplan.review.document import annex_lead
    from gosplan.review.stocktake import plans_line

    return " ".join(t for t in (annex_lead(key), plans_line(ctx)) if t)


PERIOD_WORDS = {"H": N_("half-year"), "Q": N_("quarter"), "M": N_("year-to-date"), "Y": N_("annual")}


def _period_word(ctx: ReviewContext) -> str:
    return _(PERIOD_WORDS[Period.parse(ctx.period).kind])


def _fulfilment(ctx: ReviewContext) -> pd.DataFrame:
    return ctx.memo("fulfilment", lambda: ctx.service.fulfilment(ctx.period))


def _sector_laggards(ctx: ReviewContext) -> pd.DataFrame:
    """Per sector: leaf units with their own target, how many are lagging and how many at risk (the
    status classes of the tables), and their shortfall (target minus actual; one uom)."""
    service = ctx.service
    table = _fulfilment(ctx)
    leaves = table[table["unit"].map(service.hierarchy().is_leaf) & table["target_is_own"]]
    behind = leaves["status"].isin(["lagging", "at risk"])
    frame = leaves.assign(lagging=leaves["status"].eq("lagging"), at_risk=leaves["status"].eq("at risk"),
                          short=np.where(behind, leaves["target"] - leaves["actual"], 0.0))
    grouped = frame.groupby("sector", observed=True).agg(units=("lagging", "size"), lagging=("lagging", "sum"),
                                                        at_risk=("at_risk", "sum"), shortfall=("short", "sum"),
                                                        uoms=("uom", "nunique"))
    grouped.loc[grouped["uoms"] > 1, "shortfall"] = np.nan  # no total across units of measure
    return grouped.drop(columns="uoms")


def units_phrase(lagging: int, at_risk: int, units: int, shortfall: float | None, uom: str | None) -> str:
    """How many units are in each class behind plan: the classes of the status column (the table's
    note gives their thresholds), so the words never count "at risk" as "lagging".

    >>> units_phrase(3, 5, 16, 8.5e4, "t")
    '3 of 16 units lagging and 5 at risk, together 85.0 kt short'
    >>> units_phrase(0, 2, 14, None, None)
    '2 of 14 units at risk'
    >>> units_phrase(0, 0, 14, 0.0, "t")
    'all 14 units on track or exceeding'
    """
    if not units:
        return ""
    if not lagging and not at_risk:
        return _("all {units} units on track or exceeding", units=units)
    values = {"lagging": lagging, "at_risk": at_risk, "units": units}
    if uom and shortfall is not None and not is_missing(shortfall):
        values["shortfall"] = prose_qty(shortfall, uom)
        if lagging and at_risk:
            return _("{lagging} of {units} units lagging and {at_risk} at risk, together {shortfall} short", **values)
        if lagging:
            return _("{lagging} of {units} units lagging, together {shortfall} short", **values)
        return _("{at_risk} of {units} units at risk, together {shortfall} short", **values)
    if lagging and at_risk:
        return _("{lagging} of {units} units lagging and {at_risk} at risk", **values)
    if lagging:
        return _("{lagging} of {units} units lagging", **values)
    return _("{at_risk} of {units} units at risk", **values)


def sector_sentence(name: str, period_word: str, fulfilment: float, digits: int, change: float | None,
                    uom: str | None, units: str, probability: float | None = None) -> str:
    """One key sector: fulfilment as shown in the table, like-for-like change, units behind plan by
    class, and (with a forecast) the probability of meeting the annual target.

    >>> sector_sentence("Timber", "half-year", 0.947, 1, None, None, "")
    'Timber: 94.7 % of the half-year plan.'
    """
    change_text_ = change_phrase(change, uom) if uom else ""
    if change_text_:
        parts = [_("{name}: {fulfilment} of the {period} plan, {change} (same units)", name=name,
                   fulfilment=shown_pct(fulfilment, digits), period=period_word, change=change_text_)]
    else:
        parts = [_("{name}: {fulfilment} of the {period} plan", name=name, fulfilment=shown_pct(fulfilment, digits),
                   period=period_word)]
    if units:
        parts.append(units)
    if probability is not None and not is_missing(probability):
        parts.append(_("probability of meeting the annual target {probability}",
                       probability=probability_text(probability)))
    return "; ".join(parts) + "."


def _sector_probability(ctx: ReviewContext, sector: str) -> float | None:
    codes = ctx.service.indicators().loc[lambda d: d["sector"].eq(sector), "code"].tolist()
    return ctx.annual_probability(codes[0]) if len(codes) == 1 else None


@section(order=10, key="sectors")
def sectors(ctx: ReviewContext) -> Section | None:
    service = ctx.service
    root = service.root()
    table = service.sector_fulfilment(ctx.period, unit=root)
    if table.empty:
        return None
    top = table[table["unit"].eq(root)].copy()
    # Show the sectors that carry indicators directly (coal, electricity...), not umbrella groups.
    direct = set(service.indicators()["sector"].dropna())
    top = top[top["sector"].isin(direct)].sort_values("fulfilment", ascending=False)
    lag = _sector_laggards(ctx)
    top["units"] = top["sector"].map(lag["units"]).fillna(0).astype(int)
    top["lagging"] = top["sector"].map(lag["lagging"]).fillna(0).astype(int)
    top["shortfall"] = top["sector"].map(lag["shortfall"])
    top["probability"] = [_sector_probability(ctx, code) for code in top["sector"]]
    top["probability"] = top["probability"].astype(float)
    top["at_risk"] = top["sector"].map(lag["at_risk"]).fillna(0).astype(int)
    summary = []
    word = _period_word(ctx)
    limits = service.thresholds
    weights = service.index(ctx.period)[1]
    for row in top.itertuples(index=False):
        if np.isnan(row.fulfilment):
            continue
        same_unit = row.method == "same-unit totals" and not np.isnan(row.previous)
        units = units_phrase(row.lagging, row.at_risk, row.units, row.shortfall if same_unit else None,
                             row.uom if same_unit else None)
        summary.append(sector_sentence(
            row.sector_name, word, row.fulfilment, row.fulfilment_digits, row.growth if same_unit else None,
            row.uom if same_unit else None, units,
            probability=None if np.isnan(row.probability) else row.probability))
    columns = [
        (_("Sector"), "", lambda r: r["sector_name"]),
        (_("Fulfilment"), "num", lambda r: shown_pct(r["fulfilment"], r["fulfilment_digits"])),
        (_("Actual"), "num", lambda r: qty(r["actual"], r["uom"]) if r["uom"] else "–"),
        (_("Target"), "num", lambda r: qty(r["target"], r["uom"]) if r["uom"] else "–"),
        (_("Produced"), "num", lambda r: qty(r["produced"], r["uom"]) if r["uom"] else "–"),
        (_("Change on a year ago"), "num", lambda r: signed_qty(r["growth"], r["uom"]) if r["uom"] else "–"),
        (_("vs last year"), "num", lambda r: change_text(r["change"], r["change_note"])),
        (_("Units lagging"), "num", lambda r: _("{count} of {total}", count=r["lagging"], total=r["units"])),
        (_("Units at risk"), "num", lambda r: _("{count} of {total}", count=r["at_risk"], total=r["units"])),
        (_("Not reported"), "num", lambda r: int(r["expected"] - r["reported"])),
        (_("Shortfall of laggards"), "num", lambda r: qty(r["shortfall"], r["uom"]) if r["uom"] else "–"),
        (_("Status"), "status", lambda r: status_word(r["status"])),
    ]
    if top["probability"].notna().any():
        columns.insert(-1, (_("P(annual target)"), "num",
                            lambda r: "–" if np.isnan(r["probability"]) else probability_text(r["probability"])))
    body = html_table(top, columns)
    body += '<p class="note">' + html.escape(_(
        "A sector adds its indicators where they share a unit of measure (rolled steel and non-ferrous metals in "
        "tonnes); otherwise it combines them at constant plan prices (the weights are listed with the national "
        "index). Actual and target are those of the units that reported every month (like for like); units that "
        "did not report are counted, not taken as zero; produced counts every report. vs last year compares the "
        "same units over the same months (n/c: too few comparable units). Units lagging: enterprises and farms "
        "with their own target below {at_risk} of it; at risk: from {at_risk} to {on_track}; their shortfall is "
        "target minus actual to date.", at_risk=pct(limits.at_risk), on_track=pct(limits.on_track)),
        quote=False) + "</p>"
    if len(weights):
        body += heading_html(_("Weights of the national index")) + html_table(weights, [
            (_("Indicator"), "", lambda r: r["indicator_name"]),
            (_("Plan price"), "num", lambda r: _("{price} won per {unit}", price=f"{r['price']:,.2f}",
                                              unit=per_unit(r["uom"]))),
            (_("Target to date at plan prices"), "num", lambda r: money(r["value_target"])),
            (_("Weight"), "num", lambda r: pct(r["share"], 1)),
        ])
    return Section("sectors", _("Fulfilment by sector"), body, summary, {"sectors": top},
                   lead=_lead(ctx, "sectors"))


def _index_sentence(row: pd.Series, word: str) -> str:
    """The national index with its basis (a row of ``engines.facts.weighted_index``)."""
    values = {"method": method_word(row["method"]), "fulfilment": pct(row["fulfilment"], 1), "period": word}
    if is_missing(row["change"]):
        text = _("National index ({method}): {fulfilment} of the {period} plan", **values)
    else:
        text = _("National index ({method}): {fulfilment} of the {period} plan, {change} on last year (same units)",
                 change=signed_pct(row["change"]), **values)
    if row["method"] == "constant plan prices":
        text += "; " + _("{count} indicators weighted by the value of their targets", count=int(row["indicators"]))
    if isinstance(row["unpriced"], str) and row["unpriced"]:
        text += " " + _("({names} without a price)", names=row["unpriced"].replace(";", ", "))
    return text + "."


@section(order=20, key="indicators")
def indicators(ctx: ReviewContext) -> Section | None:
    service = ctx.service
    table = _fulfilment(ctx)
    root = service.root()
    key = set(service.indicators().loc[lambda d: d["key"].astype(bool), "code"])
    top = table[table["unit"].eq(root) & table["indicator"].isin(key)].sort_values("indicator_name")
    if top.empty:
        return None
    columns = [
        (_("Indicator"), "", lambda r: r["indicator_name"]),
        (_("Target to date"), "num", lambda r: qty(r["target_basis"], r["uom"])),
        (_("Actual"), "num", lambda r: qty(r["actual_basis"], r["uom"])),
        (_("Fulfilment"), "num", lambda r: shown_pct(r["fulfilment"], r["fulfilment_digits"])),
        (_("vs last year"), "num", lambda r: change_text(r["change"], r["change_note"])),
        (_("Produced to date"), "num", lambda r: qty(r["produced"], r["uom"])),
        (_("Annual target"), "num", lambda r: qty(r["annual_target"], r["uom"])),
        (_("Annual plan done"), "num", lambda r: pct(r["annual_done"])),
        (_("Rest of year vs plan path"), "num", lambda r: signed_pct(r["rest_vs_path"])),
        (_("Status"), "status", lambda r: status_word(r["status"])),
        (_("Units missing"), "num", lambda r: int(r["units_missing"])),
    ]
    lagging = top[top["status"].isin(["lagging", "at risk"])]
    summary = []
    index = service.index(ctx.period)[0]
    if len(index):
        summary.append(_index_sentence(index.iloc[0], _period_word(ctx)))
    if len(lagging):
        names = ", ".join(f"{r.indicator_name} ({shown_pct(r.fulfilment, r.fulfilment_digits)})"
                          for r in lagging.itertuples())
        summary.append(_("Key indicators behind plan nationally: {names}.", names=names))
    above = top[top["rest_vs_path"].gt(0) & top["months_left"].gt(0)].sort_values("rest_vs_path", ascending=False)
    if len(above):
        names = ", ".join(_("{name} {share} above", name=r.indicator_name.lower(), share=pct(r.rest_vs_path, 1))
                          for r in above.itertuples())
        if int(top["months_left"].iloc[0]) == 6:
            summary.append(_("To meet the annual plan, the rest of the year must bring more than the plan's own "
                             "path for the second half: {names}.", names=names))
        else:
            summary.append(_("To meet the annual plan, the rest of the year must bring more than the plan's own "
                             "path for the remaining months: {names}.", names=names))
    body = html_table(top, columns)
    body += '<p class="note">' + html.escape(_(
        "Produced to date counts every report, including units that missed a month; target, actual and "
        "fulfilment are like for like. Rest of year vs plan path: what the rest of the year must bring to meet "
        "the annual target, against what the plan's own monthly path expects for those months."),
        quote=False) + "</p>"
    return Section("indicators", _("Key indicators"), body, summary, {"indicators": top},
                   lead=_lead(ctx, "indicators"))


@section(order=30, key="league")
def league(ctx: ReviewContext) -> Section | None:
    service = ctx.service
    table = _fulfilment(ctx)
    hierarchy = service.hierarchy()
    root = service.root()
    children = set(hierarchy.children[root])
    key = service.indicators().loc[lambda d: d["key"].astype(bool)].set_index("code")["name"]
    part = table[table["unit"].isin(children) & table["indicator"].isin(key.index)]
    if part.empty:
        return None
    matrix = part.pivot_table(index=["unit", "unit_name"], columns="indicator", values="fulfilment",
                              observed=True)
    matrix = matrix.reindex(columns=[c for c in key.index if c in matrix.columns])
    if matrix.empty:  # nothing complete reported yet (e.g. a period after the last report)
        return None
    index = weighted_index(part).set_index("unit")
    score = index["fulfilment"].reindex(matrix.index.get_level_values("unit")).set_axis(matrix.index)
    on_track = part.assign(ok=part["status"].isin(["exceeding", "on track"])).groupby("unit")["ok"].mean()
    missing = part.groupby("unit")["missing"].sum()
    frame = matrix.reset_index()
    frame["mean"] = score.to_numpy()
    frame["on_track"] = frame["unit"].map(on_track)
    frame["missing"] = frame["unit"].map(missing)
    frame = frame.sort_values("mean", ascending=False).reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    columns = [("#", "num", lambda r: int(r["rank"])), (_("Unit"), "", lambda r: r["unit_name"])]
    for code in matrix.columns:
        columns.append((str(key[code]), "num", lambda r, c=code: pct(r[c])))
    columns += [(_("Index"), "num", lambda r: pct(r["mean"], 1)),
                (_("Indicators on track"), "num", lambda r: pct(r["on_track"])),
                (_("Missing reports"), "num", lambda r: int(r["missing"]))]
    best, worst = frame.iloc[0], frame.iloc[-1]
    summary = [_("Best {kind}: {best} (index {best_index} of plan at constant plan prices); last: {last} "
                 "({last_index}).", kind=kind_word(hierarchy_kind(service, best["unit"])), best=best["unit_name"],
                 best_index=pct(best["mean"], 1), last=worst["unit_name"], last_index=pct(worst["mean"], 1))]
    body = html_table(frame, columns)
    return Section("league", _("League table of units"), body, summary, {"league": frame})


def kind_word(kind: str) -> str:
    """A kind of unit in the reader's language (province / 도)."""
    return code_word(kind)


def hierarchy_kind(service, unit: str) -> str:
    units = service.units().set_index("code")
    return units.loc[unit, "kind"] if unit in units.index else "unit"


@section(order=40, key="leaders")
def leaders(ctx: ReviewContext) -> Section | None:
    service = ctx.service
    if ctx.facts().empty:  # no targets or reports in the period's year
        return None
    top, bottom = service.leaders_and_laggards(ctx.period, limit=15)
    if top.empty and bottom.empty:
        return None
    lead_cols = [
        (_("Unit"), "", lambda r: r["unit_name"]),
        (_("Indicator"), "", lambda r: r["indicator_name"]),
        (_("Fulfilment"), "num", lambda r: shown_pct(r["fulfilment"], r["fulfilment_digits"])),
        (_("Above target"), "num", lambda r: qty(-r["gap"], r["uom"])),
    ]
    lag_cols = [
        (_("Unit"), "", lambda r: r["unit_name"]),
        (_("Indicator"), "", lambda r: r["indicator_name"]),
        (_("Fulfilment"), "num", lambda r: shown_pct(r["fulfilment"], r["fulfilment_digits"])),
        (_("Shortfall"), "num", lambda r: qty(r["gap"], r["uom"])),
        (_("Rest of year vs plan path"), "num", lambda r: signed_pct(r["rest_vs_path"])),
        (_("Status"), "status", lambda r: status_word(r["status"])),
    ]
    # Laggards per sector are counted in the sectors' sentences; no second list here.
    summary: list[str] = []
    body = (heading_html(_("Leaders")) + html_table(top, lead_cols)
            + heading_html(_("Laggards")) + html_table(bottom, lag_cols))
    return Section("leaders", _("Leaders and laggards"), body, summary, {"leaders": top, "laggards": bottom})


@section(order=50, key="charts")
def charts(ctx: ReviewContext) -> Section | None:
    service = ctx.service
    data = service.cumulative(ctx.period)
    if data.empty:
        return None
    ind = service.indicators().set_index("code")
    codes = list(dict.fromkeys(data["indicator"]))
    cols = 3
    rows = int(np.ceil(len(codes) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[str(ind.loc[c, "name"]) for c in codes],
                        vertical_spacing=0.08 if rows > 2 else 0.15)
    # Distinct labels: a categorical axis merges repeated ones (J, M, A) into one point.
    months = [_(m) for m in MONTH_ABBREVIATIONS]
    for i, code in enumerate(codes):
        part = data[data["indicator"].eq(code)]
        unit = ind.loc[code, "unit"]
        scale, label = _display_scale(part[["cum_target", "cum_actual", "cum_previous"]].max().max(), unit)
        r, c = divmod(i, cols)
        show = i == 0
        fig.add_trace(go.Scatter(x=months, y=part["cum_target"] * scale, name=_("plan trajectory"),
                                 line={"color": "#57606a", "dash": "dash"}, showlegend=show,
                                 legendgroup="t"), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(x=months, y=part["cum_previous"] * scale, name=_("last year"),
                                 line={"color": "#8c959f"}, showlegend=show, legendgroup="p"), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(x=months, y=part["cum_actual"] * scale, name=_("actual"),
                                 line={"color": "#7a1f1f", "width": 3}, showlegend=show, legendgroup="a"),
                      row=r + 1, col=c + 1)
        fig.update_yaxes(title_text=label, row=r + 1, col=c + 1, title_standoff=2)
    # Every other month (twelve labels do not fit a third of a printed page), in calendar order.
    fig.update_xaxes(categoryorder="array", categoryarray=months, tickvals=months[::2])
    fig.update_yaxes(tickformat=",~r", rangemode="tozero")
    fig.update_traces(mode="lines")
    fig.update_layout(height=260 * rows, margin={"l": 40, "r": 10, "t": 40, "b": 30},
                      legend={"orientation": "h", "y": 1.02 + 0.02 * rows, "x": 0}, template="plotly_white")
    body = ('<p class="note">' + html.escape(_("Cumulative actual since January against the plan trajectory and "
                                               "last year, national totals."), quote=False)
            + "</p>" + fig.to_html(full_html=False, include_plotlyjs=False,
                                   config={"displaylogo": False, "staticPlot": True}))
    return Section("charts", _("Cumulative actual against the plan trajectory"), body, [], {"cumulative": data})


# Month labels of the charts' axes: distinct, short (a third of a printed page wide).
MONTH_ABBREVIATIONS = [N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"), N_("Aug"),
                       N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec")]


def _display_scale(peak: float, unit: str) -> tuple[float, str]:
    return axis_scale(peak, unit)


@section(order=90, key="not_reported")
def not_reported(ctx: ReviewContext) -> Section | None:
    missing = ctx.service.not_reported(ctx.period)
    if missing.empty:
        body = "<p>" + html.escape(_("Every unit with a target reported every month.")) + "</p>"
        return Section("not_reported", _("Units that have not reported"), body, [], {"not_reported": missing})
    columns = [
        (_("Unit"), "", lambda r: r["unit_name"]),
        (_("Code"), "", lambda r: r["unit"]),
        (_("Indicator"), "", lambda r: r["indicator_name"]),
        (_("Months reported"), "num",
         lambda r: int(r["months_reported"]) if r["months_reported"] == r["months_reported"]
         else 0),
        (_("Months missing"), "num", lambda r: int(r["months_missing"])),
    ]
    units = missing["unit"].nunique()
    summary = [ngettext("{count} unit did not report every month; they are shown as missing, not as zero.",
                        "{count} units did not report every month; they are shown as missing, not as zero.", units)]
    return Section("not_reported", _("Units that have not reported"), html_table(missing, columns), summary,
                   {"not_reported": missing})

