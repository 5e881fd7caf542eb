"""Reserves and movements: untapped output by sector and province, experience-sharing pairs, and how
far the emulation movements have spread and what they changed."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from gosplan.errors import NotFound
from gosplan.model import month_label
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import html_table, pct, qty

TOP_UNITS = 10
TOP_PAIRS = 12
COLOURS = {"observed": "#7a1f1f", "fit": "#57606a", "forecast": "#d4a72c"}


def ratio(value: object) -> str:
    """Efficiency and Malmquist indices as printed in tables and text."""
    return "–" if pd.isna(value) else f"{float(value):.3f}"  # type: ignore[arg-type]


def by_sector(table: pd.DataFrame) -> pd.DataFrame:
    """Per sector and output: units, units lagging (efficiency below 0.9), output (the DEA's, pro-rated for
    missing months), produced (every report, as in the fact table), reserve (at the present scale, VRS by
    default) and the CRS reserve beside it, share."""
    grouped = table.groupby(["sector", "indicator", "uom"], sort=False)
    out = grouped.agg(units=("unit", "size"), lagging=("efficiency", lambda e: int((e < 0.9).sum())),
                      output=("output", "sum"), output_reserve=("output_reserve", "sum"),
                      crs_reserve=("crs_reserve", "sum"), produced=("produced", "sum"),
                      groups=("peer_group", lambda g: ", ".join(dict.fromkeys(g)))).reset_index()
    out["reserve_share"] = out["output_reserve"] / out["output"]
    return out.sort_values("reserve_share", ascending=False).reset_index(drop=True)


def by_province(table: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Per province: units, units lagging, mean efficiency, and its unit with the largest reserve share."""
    rows = []
    for province, group in table.groupby("province"):
        top = group.loc[group["reserve_share"].idxmax()]
        rows.append({"province": province, "province_name": names.get(province, province), "units": len(group),
                     "lagging": int((group["efficiency"] < 0.9).sum()), "mean_efficiency": group["efficiency"].mean(),
                     "largest": top["name"], "largest_reserve": top["output_reserve"], "uom": top["uom"],
                     "largest_share": top["reserve_share"]})
    return pd.DataFrame(rows).sort_values("mean_efficiency").reset_index(drop=True)


def spread_chart(view) -> go.Figure:
    """Cumulative members by month with the fitted Bass curve and its forecast."""
    fit = view.fit
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=fit.observed["period"], y=fit.observed["cumulative"], mode="markers+lines",
                             name="units joined", line={"color": COLOURS["observed"], "width": 3}))
    last = int(fit.observed["months"].max())
    fitted = view.forecast[view.forecast["months"] <= last]
    ahead = view.forecast[view.forecast["months"] >= last]
    fig.add_trace(go.Scatter(x=fitted["period"], y=fitted["cumulative"], name="Bass fit",
                             line={"color": COLOURS["fit"], "dash": "dash"}))
    fig.add_trace(go.Scatter(x=ahead["period"], y=ahead["cumulative"], name="forecast",
                             line={"color": COLOURS["forecast"], "dash": "dot"}))
    fig.add_hline(y=view.eligible, line={"color": "#afb8c1", "width": 1},
                  annotation_text=f"{view.eligible} eligible units", annotation_position="bottom right")
    fig.update_layout(height=320, margin={"l": 50, "r": 10, "t": 20, "b": 40}, template="plotly_white",
                      yaxis_title="units joined", legend={"orientation": "h", "y": -0.15}, font={"size": 11})
    return fig


def movement_sentence(view) -> str:
    """One sentence on a movement's spread and effect, numbers as in its chart and table."""
    c = view.campaign
    text = f"Movement {c['name']}: {len(view.members)} of {view.eligible} units joined since {c['start']}"
    if view.fit is not None:
        end = view.forecast.iloc[-1]
        text += f"; the Bass fit expects {end['cumulative']:.1f} by {end['period']}"
    if view.effect is not None:
        estimate, low, high = view.effect_percent
        text += (f"; joining raised output per worker by {estimate:+.1f} % "
                 f"({round(100 * view.effect.level)} % interval {low:+.1f} to {high:+.1f} %)")
    return text + "."


def reserve_sentence(sectors: pd.DataFrame, period: str) -> str:
    top = sectors.head(3)
    items = "; ".join(f"{r.indicator_name.lower()} {qty(r.output_reserve, r.uom)} ({pct(r.reserve_share)} of "
                      f"output)" for r in top.itertuples())
    lagging = int(sectors["lagging"].sum())
    return (f"Reserves in {period}: {lagging} of {int(sectors['units'].sum())} producing units work below 90 % "
            f"of the best practice of their peer group at their present scale; the largest untapped output "
            f"within the year: {items}.")


def _movements(ctx: ReviewContext) -> tuple[str, list[str], dict[str, pd.DataFrame]]:
    from gosplan.service.campaigns import campaign_list, campaign_view

    listed = campaign_list(ctx.service)
    body, lines, tables = "", [], {}
    for name in listed["name"]:
        view = campaign_view(ctx.service, name)
        lines.append(movement_sentence(view))
        body += f"<h3>Movement {html.escape(name)}</h3><p>{html.escape(str(view.campaign['description']))}</p>"
        if view.fit is not None:
            body += spread_chart(view).to_html(full_html=False, include_plotlyjs=False,
                                               config={"displaylogo": False, "staticPlot": True})
            body += (f'<p class="note">Bass (1969) diffusion fitted by least squares: innovation p = '
                     f"{view.fit.p:.3f}, imitation q = {view.fit.q:.2f}, potential m = {view.fit.m:.1f}; joins "
                     f"peaked {view.fit.peak_month:.1f} months after {month_label(view.fit.start)}.</p>")
            tables[f"forecast:{name}"] = view.forecast
        if view.effect is not None:
            tables[f"effect:{name}"] = view.effect.event_study
            body += (f"<p>{html.escape(lines[-1])} Comparison: {html.escape(view.effect_note)}. Staggered "
                     "difference in differences (Callaway &amp; Sant'Anna 2021) with a unit bootstrap.</p>")
    return body, lines, tables


def _reserves_part(ctx: ReviewContext) -> tuple[str, list[str], dict[str, pd.DataFrame]]:
    from gosplan.service.reserves import reserve_notes, reserves, with_peers

    try:
        view = ctx.memo("reserves", lambda: reserves(ctx.service, ctx.period))
    except NotFound:
        return "", [], {}
    table = with_peers(view.table, view.pairs)
    names = ctx.service.units().set_index("code")["name"]
    sectors = by_sector(table)
    sector_names = ctx.service.sectors().set_index("code")["name"]
    sectors["indicator_name"] = sectors["indicator"].map(ctx.service.indicators().set_index("code")["name"])
    provinces = by_province(table, names)
    top = table.sort_values("reserve_share", ascending=False).head(TOP_UNITS)
    pairs = view.pairs[view.pairs["rank"].eq(1)].sort_values("output_reserve", ascending=False).head(TOP_PAIRS)
    body = (
        "<h3>Untapped output by sector</h3>"
        + html_table(sectors, [(_("Sector"), "", lambda r: sector_names.get(r["sector"], r["sector"])),
                               (_("Output"), "", lambda r: r["indicator_name"]),
                               (_("Units"), "num", lambda r: str(r["units"])),
                               (_("Below 90 %"), "num", lambda r: str(r["lagging"])),
                               # The fact table's produced (every report); the reserve's share is of the
                               # DEA output, pro-rated for units that missed a month.
                               (_("Produced"), "num", lambda r: qty(r["produced"], r["uom"])),
                               (f"Untapped ({view.rts.upper()})", "num",
                                lambda r: qty(r["output_reserve"], r["uom"])),
                               (_("At best scale (CRS)"), "num", lambda r: qty(r["crs_reserve"], r["uom"])),
                               (_("Share"), "num", lambda r: pct(r["reserve_share"])),
                               (_("Peer groups"), "", lambda r: r["groups"])])
        + "<h3>By province</h3>"
        + html_table(provinces, [(_("Province"), "", lambda r: r["province_name"]),
                                 (_("Units"), "num", lambda r: str(r["units"])),
                                 (_("Below 90 %"), "num", lambda r: str(r["lagging"])),
                                 (_("Mean efficiency"), "num", lambda r: ratio(r["mean_efficiency"])),
                                 (_("Largest reserve"), "", lambda r: r["largest"]),
                                 (_("Untapped"), "num", lambda r: qty(r["largest_reserve"], r["uom"])),
                                 (_("Share"), "num", lambda r: pct(r["largest_share"]))])
        + f"<h3>The {len(top)} units with the largest reserve</h3>"
        + html_table(top, [(_("Unit"), "", lambda r: r["name"]), (_("Efficiency"), "num", lambda r: ratio(r["efficiency"])),
                           (_("Untapped"), "num", lambda r: qty(r["output_reserve"], r["uom"])),
                           (_("Share"), "num", lambda r: pct(r["reserve_share"])),
                           (_("Malmquist"), "num", lambda r: ratio(r["malmquist"])),
                           (_("Learn from"), "", lambda r: r["learn_from"] or "–")])
        + "<h3>Proposed experience sharing</h3>"
        + html_table(pairs, [(_("Unit"), "", lambda r: r["name"]), (_("Learn from"), "", lambda r: r["peer_name"]),
                             (_("Output a worker a month"), "num", lambda r: f"{qty(r['output_per_worker'], r['uom'])}"
                              f" → {qty(r['peer_output_per_worker'], r['uom'])}"),
                             (_("Energy per unit of output"), "num", lambda r: f"{r['energy_per_output']:,.3g} → "
                              f"{r['peer_energy_per_output']:,.3g}")])
        + f'<p class="note">Output-oriented DEA ({view.rts.upper()}) against the best units of the same peer '
          "group: the sector, split by product and by technology where a unit has one (hydro stations with hydro "
          "stations, open-pit mines with open-pit mines). Workers, energy, equipment hours and materials in; the "
          "product out. Untapped output is what a unit could make with its own inputs at the best practice. "
          "Peers are efficient units of the group most like the unit in scale and input mix. Malmquist index "
          f"(constant returns) against {view.compared_with or 'no earlier period'} (above 1: productivity "
          "rose).</p>"
        + "".join(f'<p class="note">{html.escape(line)}</p>' for line in reserve_notes(view))
    )
    summary = [reserve_sentence(sectors, view.period)]
    tables = {"reserves": table, "sectors": sectors, "provinces": provinces, "pairs": view.pairs,
              "small_groups": view.small_groups}
    return body, summary, tables


@section(order=65, key="reserves")
def reserves_section(ctx: ReviewContext) -> Section | None:
    """Reserves where inputs are reported, movements where campaigns are stored; nothing without either."""
    body, summary, tables = _reserves_part(ctx)
    movements, lines, movement_tables = _movements(ctx)
    if movements:
        body += "<h2>Movements</h2>" + movements
        summary += lines
        tables.update(movement_tables)
    if not body:
        return None
    return Section("reserves", "Reserves and movements", body, summary, tables)
