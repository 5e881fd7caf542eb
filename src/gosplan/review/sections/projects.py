"""Construction projects: earned value per project, S-curves, dwellings against the target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gosplan.errors import NotFound
from gosplan.model import Period
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import html_table, is_missing, pct, qty

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
        items = "; ".join(f"{r.name} {r.status} (SPI(t) {ratio(r.spi_t)}, forecast end {r.forecast_end} "
                          f"against {r.planned_end})" for r in behind.itertuples())
        lines.append(f"Construction: {len(behind)} of {len(status)} projects behind schedule: {items}.")
    else:
        lines.append(f"Construction: all {len(status)} projects on schedule.")
    if len(ahead):
        lines[-1] += " Ahead: " + "; ".join(f"{r.name} (SPI(t) {ratio(r.spi_t)})" for r in ahead.itertuples()) + "."
    total = dwellings.iloc[-1]
    if not is_missing(total["target"]):
        lines.append(f"Dwellings from the tracked projects expected in {year}: "
                     f"{qty(total['dwellings_expected_year'], DWELLING)} "
                     f"(at least {qty(total['dwellings_expected_year_low'], DWELLING)}) against the national "
                     f"target of {qty(total['target'], DWELLING)}; the other builders' reports make up the rest.")
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
        for column, label, dash in (("pv", "planned value (PV)", "dash"), ("ev", "earned value (EV)", "solid"),
                                    ("ac", "actual cost (AC)", "dot")):
            fig.add_trace(go.Scatter(x=part["period"], y=part[column] / 1000, name=label, legendgroup=column,
                                     showlegend=i == 0, line={"color": PALETTE[column], "dash": dash,
                                                               "width": 3 if column == "ev" else 2}),
                          row=r + 1, col=c + 1)
        fig.update_yaxes(title_text="billion won", row=r + 1, col=c + 1, title_standoff=2)
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
        (f"Completed in {as_of.year}", "num", lambda r: qty(r["dwellings_completed_year"], DWELLING)),
        (f"Expected in {as_of.year}", "num", lambda r: qty(r["dwellings_expected_year"], DWELLING)),
        (_("at least"), "num", lambda r: qty(r["dwellings_expected_year_low"], DWELLING)),
        (_("Annual target"), "num", lambda r: qty(r["target"], DWELLING)),
        (_("Share of target"), "num", lambda r: pct(r["share_of_target"])),
    ]
    figure = s_curves(history, status)
    body = (html_table(status, columns)
            + '<p class="note">Earned value (PMI): SPI = EV/PV, CPI = EV/AC, SPI(t) = earned schedule / time '
              "elapsed (Lipke); EAC = budget / CPI, in million won. Forecast end = start + planned duration / "
              "SPI(t), the range from the recent monthly pace (80 %).</p>"
            + "<h3>Planned value, earned value and actual cost</h3>"
            + figure.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False,
                                                                               "staticPlot": True})
            + f"<h3>Dwellings from the projects against the {as_of.year} target</h3>"
            + html_table(dwellings, dwell_columns))
    every = delivery_findings(ctx.service, as_of)
    findings = every[every["year"].eq(str(as_of.year))].reset_index(drop=True)
    body += f"<h3>Project records against the builders' reports, {as_of.year}</h3>"
    if findings.empty:
        body += (f"<p>In {as_of.year} the dwellings the projects record as delivered agree with the builders' "
                 "monthly reports.</p>")
    else:
        body += html_table(findings, FINDING_TABLE) + (
            '<p class="note">A builder reports every dwelling it completes, so its projects cannot deliver more '
            "in a month than it reported. One of the two records is wrong: a data-quality finding to settle "
            "before either number is used.</p>")
    if len(every) > len(findings):
        body += (f'<p class="note">{len(every) - len(findings)} earlier month(s) disagree as well '
                 "(gosplan projects lists them).</p>")
    summary = project_summary(status, dwellings, as_of.year) + delivery_summary(findings)
    return Section("projects", "Construction projects", body, summary,
                   {"projects": status, "dwellings": dwellings, "curves": history, "deliveries": findings})


FINDING_TABLE = [
    (_("Builder"), "", lambda r: r["unit_name"]),
    (_("Month"), "num", lambda r: r["period"]),
    (_("Project"), "", lambda r: r["project_names"]),
    (_("Delivered (project records)"), "num", lambda r: qty(r["delivered"], DWELLING)),
    (_("Reported by the builder"), "num", lambda r: qty(r["reported"], DWELLING)),
    (_("Difference"), "num", lambda r: qty(r["difference"], DWELLING)),
    (_("Builder's reports in the year"), "num", lambda r: qty(r["reported_year"], DWELLING)),
]


def delivery_summary(findings: pd.DataFrame) -> list[str]:
    """One sentence per finding, both numbers in it."""
    return [f"Data quality: {r.project_names} record {qty(r.delivered, DWELLING)} delivered in {r.period}; "
            f"the builder ({r.unit_name}) reported {qty(r.reported, DWELLING)} that month and "
            f"{qty(r.reported_year, DWELLING)} in {r.year} to date." for r in findings.itertuples()]
