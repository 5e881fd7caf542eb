"""Year-end outlook: expected fulfilment and P(attain) by key indicator and province, targets at risk,
the rates the second half needs, open alerts with their escalation path, and forecast fans.

Registers the probability provider, so the sector sentences of the summary end with "probability of
meeting the annual target 0.81".
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gosplan.errors import NotFound
from gosplan.i18n import N_, _, ngettext
from gosplan.model import Period
from gosplan.review.document import ReviewContext, Section, outlook_provider, probability_provider, section
from gosplan.review.format import heading_html, html_table, note_html, pct, qty
from gosplan.review.sections.fulfilment import _display_scale
from gosplan.service.wording import kind_word, month_text, probability_label, probability_reason

AT_RISK_PER_INDICATOR = 3
ALERTS_SHOWN = 25
MONTHS = [N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"), N_("Aug"), N_("Sep"),
          N_("Oct"), N_("Nov"), N_("Dec")]
SEVERITY_WORDS = {"critical": N_("critical"), "warning": N_("warning"), "notable": N_("notable"),
                  "info": N_("info")}
ALERT_KIND_WORDS = {"attainment": N_("attainment"), "missing": N_("missing report")}


def _as_of(ctx: ReviewContext) -> Period:
    return Period.parse(ctx.period).last_month()


def _outlook(ctx: ReviewContext) -> pd.DataFrame | None:
    from gosplan.service.forecasts import forecast

    def load() -> pd.DataFrame | None:
        try:
            table = forecast(ctx.service, _as_of(ctx))
        except NotFound:
            return None
        return table if len(table) else None

    return ctx.memo("forecast", load)


@outlook_provider
def outlook_frame(ctx: ReviewContext) -> pd.DataFrame | None:
    """The year-end outlook (expected fulfilment and P(attain) per unit and indicator) for page one."""
    return _outlook(ctx)


@probability_provider
def national_probabilities(ctx: ReviewContext) -> dict[str, float] | None:
    """``{indicator: P(national annual target met)}`` from the forecast (None without one)."""
    table = _outlook(ctx)
    if table is None:
        return None
    top = table[table["unit"].eq(ctx.service.root())]
    return {str(i): float(p) for i, p in zip(top["indicator"], top["p_attain"], strict=True) if p == p}


def _signed(ratio: float) -> str:
    return "–" if ratio != ratio else f"{100 * float(ratio):+.1f} %"


def _interval(low: float, high: float, uom: str) -> str:
    return f"{qty(low, uom)} – {qty(high, uom)}"


def _probability(r: pd.Series) -> str:
    """P(attain) as printed everywhere: '< 1 %' and '> 99 %' carry their reason."""
    reason = probability_reason(r["p_attain"], r["target"], r["lower_99"], r["upper_99"], r["uom"],
                                r["direction"] == "lower")
    return f"{probability_label(r['p_attain'])} ({reason})" if reason else probability_label(r["p_attain"])


def _expected(r: pd.Series) -> str:
    """The expected total; marked when it includes the model's fill of months not reported."""
    text = qty(r["expected_total"], r["uom"])
    return text + " *" if r["imputed"] == r["imputed"] and r["imputed"] > 0 else text


OUTLOOK_COLUMNS = [
    (N_("Indicator"), "", lambda r: r["indicator_name"] + (" ‡" if r["outlook"] == "forecast × weather" else "")),
    (N_("Unit"), "", lambda r: r["unit_name"]),
    (N_("Annual target"), "num", lambda r: qty(r["target"], r["uom"])),
    (N_("Produced"), "num", lambda r: qty(r["actual_to_date"], r["uom"])),
    (N_("Expected"), "num", _expected),
    (N_("Expected fulfilment"), "num", lambda r: pct(r["expected_fulfilment"])),
    (N_("80 % interval"), "num", lambda r: _interval(r["lower_80"], r["upper_80"], r["uom"])),
    (N_("95 % interval"), "num", lambda r: _interval(r["lower_95"], r["upper_95"], r["uom"])),
    (N_("P(attain)"), "", _probability),  # the reason of a "< 1 %" wraps under it
]
OUTLOOK_NOTE = N_("Produced: every report so far (the fact table). * Expected incl. missing months: the model "
                  "fills the months not yet reported. ‡ The months to come conditioned on weather scenarios "
                  "(observed weather to date, random weather after): the same outlook as the weather-risk section.")


def alert_kind(kind: str) -> str:
    """The kind of an alert as printed: attainment, missing report, or the kind of change."""
    return _(ALERT_KIND_WORDS[kind]) if kind in ALERT_KIND_WORDS else kind_word(kind)


def fan_chart(table: pd.DataFrame, cumulative: pd.DataFrame, as_of: Period, names: pd.Series) -> go.Figure:
    """Cumulative actual, the forecast fan to December (80 %, 95 %) and the annual target line.

    Only the year-end values are forecast; between the last report and December the fan is drawn
    along last year's monthly pattern (or evenly without one).
    """
    months = [_(m) for m in MONTHS]
    codes = list(table["indicator"])
    cols = 3
    rows = int(np.ceil(len(codes) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[str(names.get(c, c)) for c in codes],
                        vertical_spacing=0.08 if rows > 2 else 0.15)
    last = as_of.index
    for i, row in enumerate(table.itertuples(index=False)):
        part = cumulative[cumulative["indicator"].eq(row.indicator)].sort_values("month")
        previous = part["previous"].to_numpy(dtype=float)[last:]
        weights = previous if np.isfinite(previous).all() and previous.sum() > 0 else np.ones(12 - last)
        share = np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
        scale, label = _display_scale(max(float(row.upper_95), float(row.target)), str(row.uom))
        base = float(row.actual_to_date)
        future_x = months[last - 1:] if last else [months[0], *months]
        r, c = divmod(i, cols)
        show = i == 0

        where = {"row": r + 1, "col": c + 1}
        for low, high, colour, name in ((row.lower_95, row.upper_95, "rgba(122,31,31,0.12)", _("forecast 95 %")),
                                        (row.lower_80, row.upper_80, "rgba(122,31,31,0.25)", _("forecast 80 %"))):
            lo, hi = base + share * (low - base), base + share * (high - base)
            fig.add_trace(go.Scatter(x=future_x + future_x[::-1], y=np.concatenate([hi, lo[::-1]]) * scale,
                                     fill="toself", fillcolor=colour, line={"width": 0}, name=name,
                                     showlegend=show, legendgroup=name, hoverinfo="skip"), **where)
        fig.add_trace(go.Scatter(x=future_x, y=(base + share * (row.expected_total - base)) * scale,
                                 line={"color": "#7a1f1f", "dash": "dot"}, name=_("expected"), showlegend=show,
                                 legendgroup="e"), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(x=months[:last], y=part["cum_actual"].to_numpy(float)[:last] * scale,
                                 line={"color": "#7a1f1f", "width": 3}, name=_("actual"), showlegend=show,
                                 legendgroup="a"), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(x=months, y=[row.target * scale] * 12, line={"color": "#cf222e", "dash": "dash"},
                                 name=_("annual target"), showlegend=show, legendgroup="t"), row=r + 1, col=c + 1)
        fig.update_yaxes(title_text=label, row=r + 1, col=c + 1, title_standoff=2)
    # Calendar order: plotly orders a categorical axis by first appearance, and the fan comes first.
    fig.update_xaxes(categoryorder="array", categoryarray=months, tickvals=months[::2])
    fig.update_yaxes(tickformat=",~r", rangemode="tozero")
    fig.update_traces(mode="lines")
    fig.update_layout(height=260 * rows, margin={"l": 50, "r": 10, "t": 40, "b": 30},
                      legend={"orientation": "h", "y": 1.02 + 0.02 * rows, "x": 0}, template="plotly_white")
    return fig


def _summary(national: pd.DataFrame, provinces: pd.DataFrame, alerts: pd.DataFrame) -> list[str]:
    likely = national[national["p_attain"] >= 0.5]
    risky = national[national["p_attain"] < 0.5].sort_values("p_attain")
    lines = [_("Year-end outlook: {likely} of {count} key indicators are more likely than not to meet their annual "
               "targets.", likely=len(likely), count=len(national))]
    if len(risky):
        named = "; ".join(_("{name} expected at {fulfilment} of target (probability {probability})",
                            name=r.indicator_name, fulfilment=pct(r.expected_fulfilment),
                            probability=probability_label(r.p_attain)) for r in risky.head(4).itertuples())
        lines.append(_("Most at risk: {items}.", items=named))
    if len(provinces):
        worst = provinces.sort_values("expected_fulfilment").iloc[0]
        lines.append(_("Weakest province outlook: {indicator} in {province}, expected at {fulfilment} of its target "
                       "(probability {probability}).", indicator=worst["indicator_name"],
                       province=worst["unit_name"], fulfilment=pct(worst["expected_fulfilment"]),
                       probability=probability_label(worst["p_attain"])))
    if len(alerts):
        top = int(alerts["reached_top"].sum())
        lines.append(ngettext("{count} alert is open; {top} of them now lie with the top of the hierarchy.",
                              "{count} alerts are open; {top} of them now lie with the top of the hierarchy.",
                              len(alerts), top=top))
    return lines


@section(order=55, key="forecasts")
def forecasts(ctx: ReviewContext) -> Section | None:
    from gosplan.service.alerts import alert_messages, list_alerts, refresh_alerts
    from gosplan.service.forecasts import targets_at_risk

    refresh_alerts(ctx.service, _as_of(ctx))  # the month's alerts, raised once (the monthly refresh)

    table = _outlook(ctx)
    if table is None:
        return None
    service = ctx.service
    as_of = _as_of(ctx)
    root = service.root()
    national = table[table["unit"].eq(root)].sort_values("indicator_name").reset_index(drop=True)
    provinces = table[table["unit_kind"].eq("province")].sort_values(["indicator_name", "expected_fulfilment"])
    provinces = provinces.reset_index(drop=True)
    at_risk = targets_at_risk(service, str(as_of))
    at_risk = pd.DataFrame(columns=table.columns) if at_risk is None else at_risk
    at_risk = (at_risk.sort_values("shortfall", ascending=False, kind="stable").groupby("indicator")
               .head(AT_RISK_PER_INDICATOR).sort_values(["indicator_name", "shortfall"], ascending=[True, False])
               .reset_index(drop=True))
    rates = national.copy()
    alerts = list_alerts(service, open_only=True)
    alerts = alerts[alerts["raised"] <= str(as_of)].reset_index(drop=True)
    shown = alerts.head(ALERTS_SHOWN)
    shown = shown.assign(message=alert_messages(service, shown))

    body = note_html(_("Year-end totals forecast from the monthly reports to {month} by exponential smoothing with a "
                   "monthly season (gosplan.forecast); aggregate units on the sum of their enterprises' reports; "
                   "grain with its months to come under weather scenarios. P(attain) is the probability that the "
                   "year's total reaches the annual target.", month=month_text(str(as_of))))
    body += (heading_html(_("Key indicators, national")) + html_table(national, OUTLOOK_COLUMNS)
             + note_html(_(OUTLOOK_NOTE)))
    body += heading_html(_("By province")) + html_table(provinces, OUTLOOK_COLUMNS)
    body += (heading_html(_("Targets at risk, by expected shortfall"))
             + note_html(_("Enterprises and farms with P(attain) below 0.5; the {count} largest shortfalls of each "
                       "indicator, in its own unit.", count=AT_RISK_PER_INDICATOR)))
    body += html_table(at_risk, [
        (_("Indicator"), "", lambda r: r["indicator_name"]), (_("Unit"), "", lambda r: r["unit_name"]),
        (_("Expected shortfall"), "num", lambda r: qty(r["shortfall"], r["uom"])),
        (_("Annual target"), "num", lambda r: qty(r["target"], r["uom"])),
        (_("Expected"), "num", lambda r: qty(r["expected_total"], r["uom"])),
        (_("P(attain)"), "num", lambda r: probability_label(r["p_attain"])),
        (_("Needed a month"), "num", lambda r: qty(r["required_monthly_rate"], r["uom"])),
        (_("So far a month"), "num", lambda r: qty(r["rate_to_date"], r["uom"]))])
    body += heading_html(_("What the rest of the year needs, against the plan's own path")) + html_table(rates, [
        (_("Indicator"), "", lambda r: r["indicator_name"]),
        (_("Produced"), "num", lambda r: qty(r["actual_to_date"], r["uom"])),
        (_("Annual plan done"), "num", lambda r: pct(r["annual_done"])),
        (_("Needed for the rest"), "num", lambda r: qty(r["rest_needed"], r["uom"])),
        (_("Plan's path for the rest"), "num", lambda r: qty(r["rest_path"], r["uom"])),
        (_("vs path"), "num", lambda r: _signed(r["rest_vs_path"])),
        (_("Months left"), "num", lambda r: int(r["months_remaining"]))])
    body += note_html(_("The plan's path is its own (seasonal) trajectory for the months left: for grain and other "
                    "seasonal output a flat monthly rate misleads. +: the rest of the year must bring more than the "
                    "plan expected of it."))
    body += heading_html(_("Open alerts and where they have escalated to"))
    if alerts.empty:
        body += "<p>" + html.escape(_("No open alerts (raise them with {command}).", command="\x00"), quote=False
                                    ).replace("\x00", "<code>gosplan alerts raise --as-of YYYY-MM</code>") + "</p>"
    else:
        body += html_table(shown, [
            (_("Id"), "num", lambda r: int(r["id"])),
            (_("Severity"), "", lambda r: _(SEVERITY_WORDS[r["severity"]]) if r["severity"] in SEVERITY_WORDS
             else r["severity"]),
            (_("Indicator"), "", lambda r: r["indicator"]), (_("Unit"), "", lambda r: r["unit"]),
            (_("Kind"), "", lambda r: alert_kind(r["kind"])), (_("Raised"), "num", lambda r: r["raised"]),
            (_("Now with"), "", lambda r: r["escalated_to"] or r["unit"]), (_("Path"), "", lambda r: r["path"]),
            ("", "note", lambda r: r["message"])])
    cumulative = service.cumulative(str(as_of), indicators=national["indicator"].tolist())
    names = service.indicators().set_index("code")["name"]
    chart = fan_chart(national, cumulative, as_of, names)
    body += heading_html(_("Cumulative actual and the forecast fan")) + chart.to_html(
        full_html=False, include_plotlyjs=False, config={"displaylogo": False, "staticPlot": True})
    return Section("forecasts", _("Year-end outlook and alerts"), body, _summary(national, provinces, alerts),

                   {"national": national, "provinces": provinces, "at_risk": at_risk, "rates": rates,
                    "alerts": alerts})
