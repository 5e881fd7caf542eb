"""Weather risk to the grain target: distribution of the total, P(target met), ranked measures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from gosplan.errors import NotFound
from gosplan.i18n import N_, _, current_language
from gosplan.model import Period
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import heading_html, html_table, note_html, prose_qty, qty
from gosplan.service.wording import month_text, probability_label, probability_reason

SCENARIOS = 20_000


def _risk(ctx: ReviewContext):
    """The grain outlook (the forecast's, months to come under weather scenarios) of the review month."""
    from gosplan.service.forecasts import grain_outlook

    def load():
        try:
            return grain_outlook(ctx.service, Period.parse(ctx.period).last_month(), n_scenarios=SCENARIOS)
        except NotFound:
            return None

    return ctx.memo("grain_outlook", load)


def headline(outlook) -> pd.DataFrame:
    """The numbers of the section as label/value rows (the same text the summary prints)."""
    t = outlook.summary()
    risk = outlook.weather
    observed = float(risk.observed_losses["loss"].sum()) if len(risk.observed_losses) else 0.0
    p = t["p_target_met"]
    reason = probability_reason(p, t["target"], t["lower_99"], t["upper_99"], "t")
    rows = [("Annual grain target", qty(t["target"], "t"), prose_qty(t["target"], "t")),
            ("Normal-weather output", qty(t["normal_total"], "t"), prose_qty(t["normal_total"], "t")),
            ("Expected output", qty(t["expected_total"], "t"), prose_qty(t["expected_total"], "t")),
            ("5 % / 50 % / 95 % of scenarios below", " / ".join(qty(t[q], "t") for q in ("q05", "q50", "q95")), ""),
            ("P(target met)", f"{probability_label(p)} ({reason})" if reason else probability_label(p),
             probability_label(p)),
            ("Expected shortfall", qty(t["expected_shortfall"], "t"), prose_qty(t["expected_shortfall"], "t")),
            ("Loss to the weather observed so far", qty(observed, "t"), prose_qty(observed, "t")),
            ("Weather scenarios", f"{t['n_scenarios']:,}", "")]
    frame = pd.DataFrame(rows, columns=["label", "value", "prose"])
    frame.insert(1, "text", [_(label) for label in HEADLINE_LABELS])
    return frame


# The rows of the section's first table (the label column keeps the English as its key).
HEADLINE_LABELS = [N_("Annual grain target"), N_("Normal-weather output"), N_("Expected output"),
                   N_("5 % / 50 % / 95 % of scenarios below"), N_("P(target met)"), N_("Expected shortfall"),
                   N_("Loss to the weather observed so far"), N_("Weather scenarios")]


def risk_summary(outlook, numbers: pd.DataFrame, measures: pd.DataFrame) -> list[str]:
    risk = outlook.weather
    table = numbers.set_index("label")
    value = table["value"] if current_language() == "en" else table["prose"].where(table["prose"].ne(""),
                                                                                    table["value"])
    values = {"target": value["Annual grain target"], "probability": value["P(target met)"],
              "expected": value["Expected output"], "shortfall": value["Expected shortfall"]}
    if len(risk.observed):
        provinces = ", ".join(dict.fromkeys(risk.province_names.get(p, p) for p in risk.observed["province"]))
        kinds = "/".join(dict.fromkeys(weather_word(k) for k in risk.observed["kind"]))
        line = _("Grain and weather: the probability of meeting the annual grain target of {target} is "
                 "{probability} after the {kinds} in {provinces} observed to {month} (estimated loss {loss}); "
                 "expected output {expected}, expected shortfall {shortfall}.", kinds=kinds, provinces=provinces,
                 month=month_text(str(risk.as_of)), loss=value["Loss to the weather observed so far"], **values)
    else:
        line = _("Grain and weather: the probability of meeting the annual grain target of {target} is "
                 "{probability}; expected output {expected}, expected shortfall {shortfall}.", **values)
    lines = [line]
    if len(measures):
        best = measures.iloc[0]
        lines.append(_("Best value against the remaining weather risk: {measure} ({amount} less expected "
                       "shortfall).", measure=measure_name(best["measure"]),
                       amount=prose_qty(best["shortfall_reduction"], "t")))
    return lines


WEATHER_WORDS = {"drought": N_("drought"), "flood": N_("flood"), "heavy rain": N_("heavy rain"),
                 "cold": N_("cold"), "cold spell": N_("cold spell"), "typhoon": N_("typhoon")}


def weather_word(kind: str) -> str:
    """A kind of abnormal weather in the reader's language."""
    return _(WEATHER_WORDS[kind]) if kind in WEATHER_WORDS else kind


MEASURE_WORDS = {"irrigation": N_("irrigation"), "drainage": N_("drainage"), "embankment": N_("embankment"),
                 "seedbeds": N_("seedbeds")}


def measure_name(name: str) -> str:
    """A candidate measure's name; the default candidates ("irrigation in X") in the reader's language."""
    kind, found, place = str(name).partition(" in ")
    if found and kind in MEASURE_WORDS:
        return _("{measure} in {place}", measure=_(MEASURE_WORDS[kind]), place=place)
    return str(name)



def distribution(outlook) -> go.Figure:
    totals = outlook.totals / 1e6
    target = outlook.target / 1e6
    fig = go.Figure(go.Histogram(x=totals, nbinsx=60, marker={"color": "#8c959f"}, name=_("scenarios"),
                                 histnorm="probability"))
    fig.add_vline(x=target, line={"color": "#cf222e", "width": 3, "dash": "dash"})
    fig.add_annotation(x=target, y=1, yref="paper", text=_("target {amount} Mt", amount=f"{target:.2f}"),
                       showarrow=False,
                       xanchor="right" if target > np.median(totals) else "left", font={"color": "#cf222e"})
    fig.add_vline(x=float(np.mean(totals)), line={"color": "#7a1f1f", "width": 2})
    fig.add_annotation(x=float(np.mean(totals)), y=0.92, yref="paper", text=_("expected"), showarrow=False,
                       xanchor="right", font={"color": "#7a1f1f"})
    # The target must be on the axis even when (almost) no scenario reaches it.
    low, high = min(float(totals.min()), target), max(float(totals.max()), target)
    pad = 0.04 * (high - low or 1.0)
    fig.update_xaxes(range=[low - pad, high + pad])
    fig.update_layout(height=320, margin={"l": 50, "r": 10, "t": 20, "b": 40}, template="plotly_white",
                      xaxis_title=_("national grain output in the year, Mt"), yaxis_title=_("share of scenarios"),
                      showlegend=False, font={"size": 12})
    return fig


@section(order=70, key="risk")
def weather_risk_section(ctx: ReviewContext) -> Section | None:
    outlook = _risk(ctx)
    if outlook is None:
        return None
    risk = outlook.weather
    numbers = headline(outlook)
    provinces = outlook.provinces.sort_values("weather_loss_share", ascending=False)
    measures = outlook.measures.head(10)
    body = html_table(numbers, [("", "", lambda r: r["text"]), ("", "num", lambda r: r["value"])])
    body += note_html(_("The grain outlook of the year-end outlook section: the forecast from the reports, its "
                        "months to come under abnormal-weather scenarios (drought, heavy rain and flood, cold spells "
                        "by month and province; gosplan.risk). Weather up to the review month is what was observed; "
                        "normal-weather output comes from the past years' reports with their recorded events' losses "
                        "undone."))
    body += distribution(outlook).to_html(full_html=False, include_plotlyjs=False,
                                       config={"displaylogo": False, "staticPlot": True})
    if len(risk.observed):
        events = risk.observed.assign(name=risk.observed["province"].map(risk.province_names))
        body += heading_html(_("Abnormal weather observed this year")) + html_table(events, [
            (_("Province"), "", lambda r: r["name"]), (_("Month"), "num", lambda r: r["period"]),
            (_("Kind"), "", lambda r: weather_word(r["kind"])),
            (_("Severity"), "num", lambda r: f"{r['severity']:.2f}"),
            ("", "note", lambda r: r["description"])])
    body += heading_html(_("Candidate measures, best value for money first")) + html_table(measures, [
        ("#", "num", lambda r: int(r["rank"])), (_("Measure"), "", lambda r: measure_name(r["measure"])),
        (_("Area"), "num", lambda r: f"{r['area']:,.0f} ha"),
        (_("Cost (million won)"), "num", lambda r: f"{r['cost']:,.0f}"),
        (_("Shortfall reduction"), "num", lambda r: qty(r["shortfall_reduction"], "t")),
        (_("per million won"), "num", lambda r: qty(r["reduction_per_cost"], "t")),
        (_("P(target met) after"), "num", lambda r: probability_label(r["p_target_met"]))])
    body += note_html(_("Measures protect only against the weather still to come this year. Default candidates (a "
                        "tenth of each province's unprotected area irrigated or drained) carry assumed costs; give "
                        "real ones with {command}.", command="gosplan risk --measures FILE"))
    body += heading_html(_("By province")) + html_table(provinces, [
        (_("Province"), "", lambda r: r["province_name"]),
        (_("Annual target"), "num", lambda r: qty(r["target"], "t")),
        (_("Normal output"), "num", lambda r: qty(r["normal_output"], "t")),
        (_("Expected output"), "num", lambda r: qty(r["expected_total"], "t")),
        (_("P(attain)"), "num", lambda r: probability_label(r["p_attain"])),
        (_("Weather loss"), "num", lambda r: f"{100 * r['weather_loss_share']:.1f} %"),
        (_("Lost to observed weather"), "num", lambda r: qty(r["observed_loss"], "t"))])
    return Section("risk", _("Weather risk to the grain target"), body, risk_summary(outlook, numbers, measures),

                   {"risk": numbers, "measures": measures, "provinces": provinces, "events": risk.observed})
