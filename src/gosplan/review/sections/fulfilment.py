"""The foundation's sections: sectors, key indicators, league table, leaders and laggards, charts,
units that have not reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gosplan.model import Period
from gosplan.quantities import conversion_factor
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import html_table, pct, qty, signed_pct, signed_qty


def _period_word(ctx: ReviewContext) -> str:
    kind = Period.parse(ctx.period).kind
    return {"H": "half-year", "Q": "quarter", "M": "year-to-date", "Y": "annual"}[kind]


def _fulfilment(ctx: ReviewContext) -> pd.DataFrame:
    return ctx.memo("fulfilment", lambda: ctx.service.fulfilment(ctx.period))


@section(order=10, key="sectors")
def sectors(ctx: ReviewContext) -> Section | None:
    service = ctx.service
    table = service.sector_fulfilment(ctx.period)
    if table.empty:
        return None
    root = service.root()
    top = table[table["unit"].eq(root)].copy()
    # Show the sectors that carry indicators directly (coal, electricity...), not umbrella groups.
    direct = set(service.indicators()["sector"].dropna())
    top = top[top["sector"].isin(direct)].sort_values("fulfilment", ascending=False)
    summary = []
    word = _period_word(ctx)
    for row in top.itertuples(index=False):
        if np.isnan(row.fulfilment):
            continue
        line = f"{row.sector_name}: {pct(row.fulfilment)} of the {word} plan"
        if row.method == "same-unit totals" and not np.isnan(row.previous):
            line += (f", {signed_qty(row.actual - row.previous, row.uom)} ({signed_pct(row.change)})"
                     " on the same period a year ago")
        summary.append(line + ".")
    columns = [
        ("Sector", "", lambda r: r["sector_name"]),
        ("Fulfilment", "num", lambda r: pct(r["fulfilment"])),
        ("Actual", "num", lambda r: qty(r["actual"], r["uom"]) if r["uom"] else "–"),
        ("Target", "num", lambda r: qty(r["target"], r["uom"]) if r["uom"] else "–"),
        ("vs last year", "num", lambda r: signed_pct(r["change"])),
        ("Status", "status", lambda r: r["status"]),
        ("Combined as", "note", lambda r: r["method"]),
    ]
    body = html_table(top, columns)
    body += ('<p class="note">A sector adds its indicators where they share a unit of measure '
             "(rolled steel and non-ferrous metals in tonnes); otherwise it averages their fulfilment.</p>")
    return Section("sectors", "Fulfilment by sector", body, summary, {"sectors": top})


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
        ("Indicator", "", lambda r: r["indicator_name"]),
        ("Target to date", "num", lambda r: qty(r["target"], r["uom"])),
        ("Actual", "num", lambda r: qty(r["actual"], r["uom"])),
        ("Fulfilment", "num", lambda r: pct(r["fulfilment"])),
        ("vs last year", "num", lambda r: signed_pct(r["change"])),
        ("Annual target", "num", lambda r: qty(r["annual_target"], r["uom"])),
        ("Rate so far /month", "num", lambda r: qty(r["rate_to_date"], r["uom"])),
        ("Required /month", "num", lambda r: qty(r["required_rate"], r["uom"])),
        ("Status", "status", lambda r: r["status"]),
        ("Units missing", "num", lambda r: int(r["missing"])),
    ]
    lagging = top[top["status"].isin(["lagging", "at risk"])]
    summary = []
    if len(lagging):
        names = ", ".join(f"{r.indicator_name} ({pct(r.fulfilment)})" for r in lagging.itertuples())
        summary.append(f"Key indicators behind plan nationally: {names}.")
    faster = top[(top["required_rate"] > top["rate_to_date"] * 1.05) & top["months_left"].gt(0)]
    if len(faster):
        names = ", ".join(
            f"{r.indicator_name} ({qty(r.required_rate, r.uom)}/month needed against {qty(r.rate_to_date, r.uom)}"
            " so far)" for r in faster.itertuples())
        summary.append(f"To meet the annual plan the second period must run faster for: {names}.")
    body = html_table(top, columns)
    return Section("indicators", "Key indicators", body, summary, {"indicators": top})


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
    matrix = part.pivot_table(index=["unit", "unit_name"], columns="indicator", values="fulfilment")
    matrix = matrix.reindex(columns=[c for c in key.index if c in matrix.columns])
    score = matrix.mean(axis=1)
    on_track = part.assign(ok=part["status"].isin(["exceeding", "on track"])).groupby("unit")["ok"].mean()
    missing = part.groupby("unit")["missing"].sum()
    frame = matrix.reset_index()
    frame["mean"] = score.to_numpy()
    frame["on_track"] = frame["unit"].map(on_track)
    frame["missing"] = frame["unit"].map(missing)
    frame = frame.sort_values("mean", ascending=False).reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    columns = [("#", "num", lambda r: int(r["rank"])), ("Unit", "", lambda r: r["unit_name"])]
    for code in matrix.columns:
        columns.append((str(key[code]), "num", lambda r, c=code: pct(r[c])))
    columns += [("Mean", "num", lambda r: pct(r["mean"])),
                ("Indicators on track", "num", lambda r: pct(r["on_track"])),
                ("Missing reports", "num", lambda r: int(r["missing"]))]
    best, worst = frame.iloc[0], frame.iloc[-1]
    summary = [f"Best {hierarchy_kind(service, best['unit'])!s}: {best['unit_name']} "
               f"(mean fulfilment {pct(best['mean'])}); last: {worst['unit_name']} ({pct(worst['mean'])})."]
    body = html_table(frame, columns)
    return Section("league", "League table of units", body, summary, {"league": frame})


def hierarchy_kind(service, unit: str) -> str:
    units = service.units().set_index("code")
    return units.loc[unit, "kind"] if unit in units.index else "unit"


@section(order=40, key="leaders")
def leaders(ctx: ReviewContext) -> Section | None:
    service = ctx.service
    top, bottom = service.leaders_and_laggards(ctx.period, limit=15)
    if top.empty and bottom.empty:
        return None
    lead_cols = [
        ("Unit", "", lambda r: r["unit_name"]),
        ("Indicator", "", lambda r: r["indicator_name"]),
        ("Fulfilment", "num", lambda r: pct(r["fulfilment"])),
        ("Above target", "num", lambda r: qty(-r["gap"], r["uom"])),
    ]
    lag_cols = [
        ("Unit", "", lambda r: r["unit_name"]),
        ("Indicator", "", lambda r: r["indicator_name"]),
        ("Fulfilment", "num", lambda r: pct(r["fulfilment"])),
        ("Shortfall", "num", lambda r: qty(r["gap"], r["uom"])),
        ("Required /month", "num", lambda r: qty(r["required_rate"], r["uom"])),
        ("Status", "status", lambda r: r["status"]),
    ]
    summary = []
    table = _fulfilment(ctx)
    leaves = table[table["unit"].map(service.hierarchy().is_leaf) & table["target_is_own"]]
    for code, group in leaves.groupby("indicator"):
        lag = group[group["status"].isin(["lagging", "at risk"])]
        if len(lag) and code in set(service.indicators().loc[lambda d: d["key"].astype(bool), "code"]):
            uom = group["uom"].iloc[0]
            gap = (lag["target"] - lag["actual"]).sum()
            summary.append(f"{group['indicator_name'].iloc[0]}: {len(lag)} of {len(group)} units lag, "
                           f"together {qty(gap, uom)} short.")
    body = "<h3>Leaders</h3>" + html_table(top, lead_cols) + "<h3>Laggards</h3>" + html_table(bottom, lag_cols)
    return Section("leaders", "Leaders and laggards", body, summary, {"leaders": top, "laggards": bottom})


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
    months = ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"]
    for i, code in enumerate(codes):
        part = data[data["indicator"].eq(code)]
        unit = ind.loc[code, "unit"]
        scale, label = _display_scale(part[["cum_target", "cum_actual", "cum_previous"]].max().max(), unit)
        r, c = divmod(i, cols)
        show = i == 0
        fig.add_trace(go.Scatter(x=months, y=part["cum_target"] * scale, name="plan trajectory",
                                 line={"color": "#57606a", "dash": "dash"}, showlegend=show,
                                 legendgroup="t"), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(x=months, y=part["cum_previous"] * scale, name="last year",
                                 line={"color": "#8c959f"}, showlegend=show, legendgroup="p"), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(x=months, y=part["cum_actual"] * scale, name="actual",
                                 line={"color": "#7a1f1f", "width": 3}, showlegend=show, legendgroup="a"),
                      row=r + 1, col=c + 1)
        fig.update_yaxes(title_text=label, row=r + 1, col=c + 1, title_standoff=2)
    fig.update_layout(height=260 * rows, margin={"l": 40, "r": 10, "t": 40, "b": 30},
                      legend={"orientation": "h", "y": 1.02 + 0.02 * rows, "x": 0}, template="plotly_white")
    body = ('<p class="note">Cumulative actual since January against the plan trajectory and last year, '
            "national totals.</p>" + fig.to_html(full_html=False, include_plotlyjs=False,
                                                  config={"displaylogo": False}))
    return Section("charts", "Cumulative actual against the plan trajectory", body, [], {"cumulative": data})


def _display_scale(peak: float, unit: str) -> tuple[float, str]:
    choices = {"t": [("Mt", 1e6), ("kt", 1e3)], "kWh": [("TWh", 1e9), ("GWh", 1e6), ("MWh", 1e3)]}
    for name, size in choices.get(unit, []):
        if peak and peak >= size:
            return conversion_factor(unit, name), name
    return 1.0, unit


@section(order=90, key="not_reported")
def not_reported(ctx: ReviewContext) -> Section | None:
    missing = ctx.service.not_reported(ctx.period)
    if missing.empty:
        body = "<p>Every unit with a target reported every month.</p>"
        return Section("not_reported", "Units that have not reported", body, [], {"not_reported": missing})
    columns = [
        ("Unit", "", lambda r: r["unit_name"]),
        ("Code", "", lambda r: r["unit"]),
        ("Indicator", "", lambda r: r["indicator_name"]),
        ("Months reported", "num", lambda r: int(r["months_reported"]) if r["months_reported"] == r["months_reported"]
         else 0),
        ("Months missing", "num", lambda r: int(r["months_missing"])),
    ]
    units = missing["unit"].nunique()
    summary = [f"{units} unit{'s' if units != 1 else ''} did not report every month; they are shown as "
               "missing, not as zero."]
    return Section("not_reported", "Units that have not reported", html_table(missing, columns), summary,
                   {"not_reported": missing})
