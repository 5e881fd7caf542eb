"""Construction projects: earned value per project, S-curves, dwellings against the target."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gosplan.errors import NotFound
from gosplan.i18n import N_, _
from gosplan.model import Period
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import heading_html, html_table, is_missing, note_html, pct, prose_qty, qty, status_word
from gosplan.service.wording import month_text

DWELLING = "dwelling"
PALETTE = {"pv": "#57606a", "ev": "#7a1f1f", "ac": "#d4a72c"}


def ratio(value: object) -> str:
    """SPI, CPI and SPI(t) as printed in the table and the text."""
    return "–" if is_missing(value) else f"{float(value):.2f}"


def forecast_range(row) -> str:
    text = row["forecast_end"] or "–"
    early, late = row["forecast_end_early"], row["forecast_end_late"]
    if early and late and early != late:
        text += f" ({early}..{late})"
    return text


def _status(ctx: ReviewContext) -> pd.DataFrame | None:
    from gosplan.service.projects import project_status

    def load() -> pd.DataFrame | None:
        try:
            return project_status(ctx.service, Period.parse(ctx.period).last_month())
        except NotFound:
            return None

    return ctx.memo("projects", load)


def project_summary(status: pd.DataFrame, dwellings: pd.DataFrame, year: int) -> list[str]:
    behind = status[status["status"].isin(["slipping", "late"])]
    ahead = status[~status["complete"].astype(bool) & status["status"].eq("on time") & (status["spi_t"] > 1.05)]
    lines = []
    if len(behind):
        items = "; ".join(_("{name} {status} (SPI(t) {spi}, forecast end {forecast} against {planned})", name=r.name,
                            status=status_word(r.status), spi=ratio(r.spi_t), forecast=month_text(r.forecast_end),
                            planned=month_text(r.planned_end)) for r in behind.itertuples())
        lines.append(_("Construction: {behind} of {count} projects behind schedule: {items}.", behind=len(behind),
                       count=len(status), items=items))
    else:
        lines.append(_("Construction: all {count} projects on schedule.", count=len(status)))
    if len(ahead):
        items = "; ".join(f"{r.name} (SPI(t) {ratio(r.spi_t)})" for r in ahead.itertuples())
        lines[-1] += " " + _("Ahead: {items}.", items=items)
    total = dwellings.iloc[-1]
    if not is_missing(total["target"]):
        lines.append(_("Dwellings from the tracked projects expected in {year}: {expected} (at least {low}) against "
                       "the national target of {target}; the other builders' reports make up the rest.", year=year,
                       expected=prose_qty(total["dwellings_expected_year"], DWELLING),
                       low=prose_qty(total["dwellings_expected_year_low"], DWELLING),
                       target=prose_qty(total["target"], DWELLING)))
    return lines


def s_curves(history: pd.DataFrame, status: pd.DataFrame) -> go.Figure:
    codes = status["project"].tolist()
    names = status.set_index("project")["name"]
    cols = 3
    rows = int(np.ceil(len(codes) / cols))
    titles = [names[c] if len(names[c]) <= 38 else names[c][:36] + "…" for c in codes]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=0.16 if rows > 1 else 0.1)
    for i, code in enumerate(codes):
        part = history[history["project"].eq(code)]
        r, c = divmod(i, cols)
        for column, label, dash in (("pv", _("planned value (PV)"), "dash"), ("ev", _("earned value (EV)"), "solid"),
                                    ("ac", _("actual cost (AC)"), "dot")):
            fig.add_trace(go.Scatter(x=part["period"], y=part[column] / 1000, name=label, legendgroup=column,
                                     showlegend=i == 0, line={"color": PALETTE[column], "dash": dash,
                                                               "width": 3 if column == "ev" else 2}),
                          row=r + 1, col=c + 1)
        fig.update_yaxes(title_text=_("billion won"), row=r + 1, col=c + 1, title_standoff=2)
        fig.update_xaxes(nticks=5, row=r + 1, col=c + 1)
    fig.update_layout(height=270 * rows + 60, margin={"l": 50, "r": 10, "t": 30, "b": 70}, template="plotly_white",
                      legend={"orientation": "h", "yanchor": "top", "y": -0.1 / rows, "x": 0}, font={"size": 11})
    fig.update_annotations(font_size=12)
    return fig


@section(order=60, key="projects")
def projects(ctx: ReviewContext) -> Section | None:
    from gosplan.service.projects import delivery_findings, dwellings_against_target, project_curves

    status = _status(ctx)
    if status is None or status.empty:
        return None
    as_of = Period.parse(ctx.period).last_month()
    units = ctx.service.units().set_index("code")["name"]
    status = status.assign(unit_name=status["unit"].map(units))
    dwellings = dwellings_against_target(ctx.service, as_of)
    history = project_curves(ctx.service, as_of)
    columns = [
        (_("Project"), "", lambda r: r["name"]),
        (_("Builder"), "", lambda r: r["unit_name"]),
        (_("Done"), "num", lambda r: f"{r['percent_complete']:.1f} %"),
        (_("Planned"), "num", lambda r: f"{r['planned_percent']:.1f} %"),
        (_("SPI"), "num", lambda r: ratio(r["spi"])),
        (_("CPI"), "num", lambda r: ratio(r["cpi"])),
        (_("SPI(t)"), "num", lambda r: ratio(r["spi_t"])),
        (_("EAC / budget"), "num", lambda r: f"{r['eac']:,.0f} / {r['bac']:,.0f}"),
        (_("Planned end"), "num", lambda r: r["planned_end"]),
        (_("Forecast end (range)"), "num", forecast_range),
        (_("Status"), "status", lambda r: status_word(r["status"])),
    ]
    dwell_columns = [
        (_("Builder"), "", lambda r: r["unit_name"]),
        (_("In projects"), "num", lambda r: qty(r["dwellings"], DWELLING)),
        (_("Completed in {year}", year=as_of.year), "num", lambda r: qty(r["dwellings_completed_year"], DWELLING)),
        (_("Expected in {year}", year=as_of.year), "num", lambda r: qty(r["dwellings_expected_year"], DWELLING)),
        (_("at least"), "num", lambda r: qty(r["dwellings_expected_year_low"], DWELLING)),
        (_("Annual target"), "num", lambda r: qty(r["target"], DWELLING)),
        (_("Share of target"), "num", lambda r: pct(r["share_of_target"])),
    ]
    figure = s_curves(history, status)
    body = (html_table(status, columns)
            + note_html(_("Earned value (PMI): SPI = EV/PV, CPI = EV/AC, SPI(t) = earned schedule / time elapsed "
                          "(Lipke); EAC = budget / CPI, in million won. Forecast end = start + planned duration / "
                          "SPI(t), the range from the recent monthly pace (80 %)."))
            + heading_html(_("Planned value, earned value and actual cost"))
            + figure.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False,
                                                                               "staticPlot": True})
            + heading_html(_("Dwellings from the projects against the {year} target", year=as_of.year))
            + html_table(dwellings, dwell_columns))
    every = delivery_findings(ctx.service, as_of)
    findings = every[every["year"].eq(str(as_of.year))].reset_index(drop=True)
    body += heading_html(_("Project records against the builders' reports, {year}", year=as_of.year))
    if findings.empty:
        body += "<p>" + html.escape(_("In {year} the dwellings the projects record as delivered agree with the "
                                      "builders' monthly reports.", year=as_of.year), quote=False) + "</p>"
    else:
        body += html_table(findings, FINDING_TABLE) + note_html(_(
            "A builder reports every dwelling it completes, so its projects cannot deliver more in a month than it "
            "reported. One of the two records is wrong: a data-quality finding to settle before either number is "
            "used."))
    if len(every) > len(findings):
        body += note_html(_("{count} earlier month(s) disagree as well (gosplan projects lists them).",
                        count=len(every) - len(findings)))
    summary = project_summary(status, dwellings, as_of.year) + delivery_summary(findings)
    return Section("projects", _("Construction projects"), body, summary,
                   {"projects": status, "dwellings": dwellings, "curves": history, "deliveries": findings})


FINDING_TABLE = [
    (N_("Builder"), "", lambda r: r["unit_name"]),
    (N_("Month"), "num", lambda r: r["period"]),
    (N_("Project"), "", lambda r: r["project_names"]),
    (N_("Delivered (project records)"), "num", lambda r: qty(r["delivered"], DWELLING)),
    (N_("Reported by the builder"), "num", lambda r: qty(r["reported"], DWELLING)),
    (N_("Difference"), "num", lambda r: qty(r["difference"], DWELLING)),
    (N_("Builder's reports in the year"), "num", lambda r: qty(r["reported_year"], DWELLING)),
]


def delivery_summary(findings: pd.DataFrame) -> list[str]:
    """One sentence per finding, both numbers in it."""
    return [_("Data quality: {projects} record {delivered} delivered in {month}; the builder ({builder}) reported "
              "{reported} that month and {reported_year} in {year} to date.", projects=r.project_names,
              delivered=prose_qty(r.delivered, DWELLING), month=month_text(r.period), builder=r.unit_name,
              reported=prose_qty(r.reported, DWELLING), reported_year=prose_qty(r.reported_year, DWELLING),
              year=r.year) for r in findings.itertuples()]

