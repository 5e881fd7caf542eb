"""Reserves and movements: untapped output by sector and province, experience-sharing pairs, and how
far the emulation movements have spread and what they changed."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from gosplan.errors import NotFound
from gosplan.i18n import _
from gosplan.model import month_label
from gosplan.review.document import ReviewContext, Section, period_label, section
from gosplan.review.format import heading_html, html_table, note_html, pct, prose_qty, qty
from gosplan.service.wording import month_text

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
                             name=_("units joined"), line={"color": COLOURS["observed"], "width": 3}))
    last = int(fit.observed["months"].max())
    fitted = view.forecast[view.forecast["months"] <= last]
    ahead = view.forecast[view.forecast["months"] >= last]
    fig.add_trace(go.Scatter(x=fitted["period"], y=fitted["cumulative"], name=_("Bass fit"),
                             line={"color": COLOURS["fit"], "dash": "dash"}))
    fig.add_trace(go.Scatter(x=ahead["period"], y=ahead["cumulative"], name=_("forecast"),
                             line={"color": COLOURS["forecast"], "dash": "dot"}))
    fig.add_hline(y=view.eligible, line={"color": "#afb8c1", "width": 1},
                  annotation_text=_("{count} eligible units", count=view.eligible),
                  annotation_position="bottom right")
    fig.update_layout(height=320, margin={"l": 50, "r": 10, "t": 20, "b": 40}, template="plotly_white",
                      yaxis_title=_("units joined"), legend={"orientation": "h", "y": -0.15}, font={"size": 11})
    return fig


def movement_sentence(view) -> str:
    """One sentence on a movement's spread and effect, numbers as in its chart and table."""
    c = view.campaign
    parts = [_("Movement {name}: {joined} of {eligible} units joined since {start}", name=c["name"],
               joined=len(view.members), eligible=view.eligible, start=month_text(c["start"]))]
    if view.fit is not None:
        end = view.forecast.iloc[-1]
        parts.append(_("the Bass fit expects {count} by {month}", count=f"{end['cumulative']:.1f}",
                       month=month_text(end["period"])))
    if view.effect is not None:
        estimate, low, high = view.effect_percent
        parts.append(_("joining raised output per worker by {estimate} ({level} interval {low} to {high})",
                       estimate=f"{estimate:+.1f} %", level=f"{round(100 * view.effect.level)} %", low=f"{low:+.1f}",
                       high=f"{high:+.1f} %"))
    return "; ".join(parts) + "."


def reserve_sentence(sectors: pd.DataFrame, period: str) -> str:
    top = sectors.head(3)
    items = "; ".join(_("{name} {amount} ({share} of output)", name=r.indicator_name.lower(),
                        amount=prose_qty(r.output_reserve, r.uom), share=pct(r.reserve_share))
                      for r in top.itertuples())
    lagging = int(sectors["lagging"].sum())
    return _("Reserves in {period}: {lagging} of {units} producing units work below 90 % of the best practice of "
             "their peer group at their present scale; the largest untapped output within the year: {items}.",
             period=period, lagging=lagging, units=int(sectors["units"].sum()), items=items)


def _movements(ctx: ReviewContext) -> tuple[str, list[str], dict[str, pd.DataFrame]]:
    from gosplan.service.campaigns import campaign_list, campaign_view

    listed = campaign_list(ctx.service)
    body, lines, tables = "", [], {}
    for name in listed["name"]:
        view = campaign_view(ctx.service, name)
        lines.append(movement_sentence(view))
        body += heading_html(_("Movement {name}", name=name))
        body += f"<p>{html.escape(str(view.campaign['description']))}</p>"
        if view.fit is not None:
            body += spread_chart(view).to_html(full_html=False, include_plotlyjs=False,
                                               config={"displaylogo": False, "staticPlot": True})
            body += note_html(_("Bass (1969) diffusion fitted by least squares: innovation p = {p}, imitation q = "
                                "{q}, potential m = {m}; joins peaked {months} months after {start}.",
                                p=f"{view.fit.p:.3f}", q=f"{view.fit.q:.2f}", m=f"{view.fit.m:.1f}",
                                months=f"{view.fit.peak_month:.1f}", start=month_text(month_label(view.fit.start))))
            tables[f"forecast:{name}"] = view.forecast
        if view.effect is not None:
            tables[f"effect:{name}"] = view.effect.event_study
            body += "<p>" + html.escape(_("{sentence} Comparison: {comparison}. Staggered difference in differences "
                                          "(Callaway & Sant'Anna 2021) with a unit bootstrap.", sentence=lines[-1],
                                          comparison=view.effect_note), quote=False) + "</p>"
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
        heading_html(_("Untapped output by sector"))
        + html_table(sectors, [(_("Sector"), "", lambda r: sector_names.get(r["sector"], r["sector"])),
                               (_("Output"), "", lambda r: r["indicator_name"]),
                               (_("Units"), "num", lambda r: str(r["units"])),
                               (_("Below 90 %"), "num", lambda r: str(r["lagging"])),
                               # The fact table's produced (every report); the reserve's share is of the
                               # DEA output, pro-rated for units that missed a month.
                               (_("Produced"), "num", lambda r: qty(r["produced"], r["uom"])),
                               (_("Untapped ({returns})", returns=view.rts.upper()), "num",
                                lambda r: qty(r["output_reserve"], r["uom"])),
                               (_("At best scale (CRS)"), "num", lambda r: qty(r["crs_reserve"], r["uom"])),
                               (_("Share"), "num", lambda r: pct(r["reserve_share"])),
                               (_("Peer groups"), "", lambda r: ", ".join(map(view.group_label,
                                                                               r["groups"].split(", "))))])
        + heading_html(_("By province"))
        + html_table(provinces, [(_("Province"), "", lambda r: r["province_name"]),
                                 (_("Units"), "num", lambda r: str(r["units"])),
                                 (_("Below 90 %"), "num", lambda r: str(r["lagging"])),
                                 (_("Mean efficiency"), "num", lambda r: ratio(r["mean_efficiency"])),
                                 (_("Largest reserve"), "", lambda r: r["largest"]),
                                 (_("Untapped"), "num", lambda r: qty(r["largest_reserve"], r["uom"])),
                                 (_("Share"), "num", lambda r: pct(r["largest_share"]))])
        + heading_html(_("The {count} units with the largest reserve", count=len(top)))
        + html_table(top, [(_("Unit"), "", lambda r: r["name"]),
                           (_("Efficiency"), "num", lambda r: ratio(r["efficiency"])),
                           (_("Untapped"), "num", lambda r: qty(r["output_reserve"], r["uom"])),
                           (_("Share"), "num", lambda r: pct(r["reserve_share"])),
                           (_("Malmquist"), "num", lambda r: ratio(r["malmquist"])),
                           (_("Learn from"), "", lambda r: r["learn_from"] or "–")])
        + heading_html(_("Proposed experience sharing"))
        + html_table(pairs, [(_("Unit"), "", lambda r: r["name"]), (_("Learn from"), "", lambda r: r["peer_name"]),
                             (_("Output a worker a month"), "num", lambda r: f"{qty(r['output_per_worker'], r['uom'])}"
                              f" → {qty(r['peer_output_per_worker'], r['uom'])}"),
                             (_("Energy per unit of output"), "num", lambda r: f"{r['energy_per_output']:,.3g} → "
                              f"{r['peer_energy_per_output']:,.3g}")])
        + note_html(_("Output-oriented DEA ({returns}) against the best units of the same peer group: the sector, "
                      "split by product and by technology where a unit has one (hydro stations with hydro stations, "
                      "open-pit mines with open-pit mines). Workers, energy, equipment hours and materials in; the "
                      "product out. Untapped output is what a unit could make with its own inputs at the best "
                      "practice. Peers are efficient units of the group most like the unit in scale and input mix. "
                      "Malmquist index (constant returns) against {earlier} (above 1: productivity rose).",
                      returns=view.rts.upper(), earlier=view.compared_with or _("no earlier period")))
        + "".join(note_html(line) for line in reserve_notes(view))
    )
    summary = [reserve_sentence(sectors, period_label(view.period))]
    tables = {"reserves": table, "sectors": sectors, "provinces": provinces, "pairs": view.pairs,
              "small_groups": view.small_groups}
    return body, summary, tables


@section(order=65, key="reserves")
def reserves_section(ctx: ReviewContext) -> Section | None:
    """Reserves where inputs are reported, movements where campaigns are stored; nothing without either."""
    body, summary, tables = _reserves_part(ctx)
    movements, lines, movement_tables = _movements(ctx)
    if movements:
        body += "<h2>" + html.escape(_("Movements")) + "</h2>" + movements
        summary += lines
        tables.update(movement_tables)
    if not body:
        return None
    return Section("reserves", _("Reserves and movements"), body, summary, tables)

