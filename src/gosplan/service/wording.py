"""Sentences about the outlook made from codes and numbers: alert messages, probabilities, tautness.

Engines return numbers and codes; the words are made here, at the edge, with the indicator's unit
and the same number formatting as the review (:func:`gosplan.quantities.format_quantity`), so a
message never shows ``2.28e+09`` or ``nan``.

>>> probability_label(0.004), probability_label(0.995), probability_label(0.8123)
('< 1 %', '> 99 %', '81 %')
>>> probability_reason(0.0, target=4.9e6, lower=4.1e6, upper=4.4e6, uom="t")
'target 11 % above everything the outlook sees as possible (at most 4.4 Mt)'
"""

from __future__ import annotations

import math

from gosplan.i18n import N_, _, current_language, ngettext
from gosplan.i18n.formats import format_month
from gosplan.quantities import format_quantity

KIND_WORDS = {"step": N_("step"), "slope": N_("change of trend"), "outlier": N_("one-month outlier")}


def qty(value: float | None, uom: str) -> str:
    """A quantity with its unit; a dash when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_quantity(float(value), uom)


def probability_label(p: float | None) -> str:
    """``'< 1 %'``, ``'> 99 %'`` or the whole percentage; a dash when unknown."""
    if p is None or p != p:
        return "–"
    if p < 0.01:
        return "< 1 %"
    if p > 0.99:
        return "> 99 %"
    return f"{100 * p:.0f} %"


def month_text(period: str) -> str:
    """A month inside a sentence: its code for English readers ("2023-04"), its name for others ("2023년 4월")."""
    if current_language() == "en":
        return str(period)
    try:
        return format_month(str(period))
    except ValueError:
        return str(period)


def kind_word(kind: str) -> str:
    """The kind of a change an alert reports, in the reader's language."""
    return _(KIND_WORDS[kind]) if kind in KIND_WORDS else kind


def probability_reason(p: float | None, target: float, lower: float, upper: float, uom: str,
                       lower_better: bool = False) -> str:
    """Why a probability prints as ``< 1 %`` or ``> 99 %``: where the target lies against the outlook's
    99 % range (``lower``, ``upper``); empty for probabilities in between."""
    if p is None or p != p or 0.01 <= p <= 0.99 or not all(map(math.isfinite, (target, lower, upper))):
        return ""
    unlikely = p < 0.01
    if unlikely != lower_better:  # target above the range: more is needed than the outlook allows
        gap = target / upper - 1 if upper > 0 else math.inf
        if gap >= 0:
            return _("target {gap} above everything the outlook sees as possible (at most {upper})",
                     gap=f"{100 * gap:.0f} %", upper=qty(upper, uom))
        return _("target within 1 % of the outlook's highest outcome ({upper})", upper=qty(upper, uom))
    gap = 1 - target / lower if lower > 0 else math.inf
    if gap >= 0:
        return _("target {gap} below everything the outlook sees as possible (at least {lower})",
                 gap=f"{100 * gap:.0f} %", lower=qty(lower, uom))
    return _("target within 1 % of the outlook's lowest outcome ({lower})", lower=qty(lower, uom))


def probability_text(p: float | None, target: float, lower: float, upper: float, uom: str,
                     lower_better: bool = False) -> str:
    """The label and, at the extremes, the reason: ``'< 1 % (target 11 % above ...)'``."""
    reason = probability_reason(p, target, lower, upper, uom, lower_better)
    return f"{probability_label(p)} ({reason})" if reason else probability_label(p)


def attainment_message(year: int, target: float, expected: float, low: float, high: float, p: float,
                       rest_needed: float, rest_vs_path: float, uom: str) -> str:
    """``'P(reaching the 2023 target of 4.9 Mt) < 1 %; expected 4.5 Mt (80 %: 4.3 Mt to 4.7 Mt); the rest
    of the year needs 4.7 Mt, +0.3 % against the plan's path'``: the rest of the year against the plan's
    own (seasonal) path, never a flat monthly rate."""
    values = {"year": year, "target": qty(target, uom), "probability": probability_label(p),
              "expected": qty(expected, uom), "low": qty(low, uom), "high": qty(high, uom)}
    if rest_needed == rest_needed and rest_needed > 0:
        values["rest"] = qty(rest_needed, uom)
        if rest_vs_path == rest_vs_path:
            values["path"] = f"{100 * rest_vs_path:+.1f} %".replace("-", "−")
            return _("P(reaching the {year} target of {target}) {probability}; expected {expected} (80 %: {low} to "
                     "{high}); the rest of the year needs {rest}, {path} against the plan's path", **values)
        return _("P(reaching the {year} target of {target}) {probability}; expected {expected} (80 %: {low} to "
                 "{high}); the rest of the year needs {rest}", **values)
    return _("P(reaching the {year} target of {target}) {probability}; expected {expected} (80 %: {low} to "
             "{high})", **values)


def change_message(kind: str, relative: float, size: float, period: str, probability: float, uom: str,
                   favourable: bool) -> str:
    """``'step of −40 % (−12.0 kt a month) from 2023-03, probability 99 %'``; good news says so."""
    values = {"kind": kind_word(kind), "share": f"{100 * relative:+.0f} %".replace("-", "−") if relative == relative
              else "–", "amount": ("+" if size >= 0 else "−") + qty(abs(size), uom) if size == size else "–",
              "period": month_text(period), "probability": probability_label(probability)}
    if favourable:
        return _("{kind} of {share} ({amount} a month) from {period}, probability {probability}; favourable",
                 **values)
    return _("{kind} of {share} ({amount} a month) from {period}, probability {probability}", **values)


def missing_message(months: list[str]) -> str:
    """``'no report for 2023-04'`` / ``'no report for 2023-04, 2023-05 (2 months)'``."""
    if len(months) == 1:
        return _("no report for {month}", month=month_text(months[0]))
    return ngettext("no report for {months} ({count} month)", "no report for {months} ({count} months)",
                    len(months), months=", ".join(month_text(m) for m in months))



__all__ = ["attainment_message", "change_message", "missing_message", "probability_label", "probability_reason",
           "probability_text", "qty"]
