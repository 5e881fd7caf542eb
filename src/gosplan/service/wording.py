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

from gosplan.quantities import format_quantity

KIND_WORDS = {"step": "step", "slope": "change of trend", "outlier": "one-month outlier"}


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
            return (f"target {100 * gap:.0f} % above everything the outlook sees as possible "
                    f"(at most {qty(upper, uom)})")
        return f"target within 1 % of the outlook's highest outcome ({qty(upper, uom)})"
    gap = 1 - target / lower if lower > 0 else math.inf
    if gap >= 0:
        return (f"target {100 * gap:.0f} % below everything the outlook sees as possible "
                f"(at least {qty(lower, uom)})")
    return f"target within 1 % of the outlook's lowest outcome ({qty(lower, uom)})"


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
    text = (f"P(reaching the {year} target of {qty(target, uom)}) {probability_label(p)}; expected "
            f"{qty(expected, uom)} (80 %: {qty(low, uom)} to {qty(high, uom)})")
    if rest_needed == rest_needed and rest_needed > 0:
        text += f"; the rest of the year needs {qty(rest_needed, uom)}"
        if rest_vs_path == rest_vs_path:
            text += f", {100 * rest_vs_path:+.1f} % against the plan's path".replace("-", "−")
    return text


def change_message(kind: str, relative: float, size: float, period: str, probability: float, uom: str,
                   favourable: bool) -> str:
    """``'step of −40 % (−12.0 kt a month) from 2023-03, probability 99 %'``; good news says so."""
    word = KIND_WORDS.get(kind, kind)
    share = f"{100 * relative:+.0f} %".replace("-", "−") if relative == relative else "–"
    amount = ("+" if size >= 0 else "−") + qty(abs(size), uom) if size == size else "–"
    text = f"{word} of {share} ({amount} a month) from {period}, probability {probability_label(probability)}"
    return text + ("; favourable" if favourable else "")


def missing_message(months: list[str]) -> str:
    """``'no report for 2023-04'`` / ``'no report for 2023-04, 2023-05 (2 months)'``."""
    if len(months) == 1:
        return f"no report for {months[0]}"
    return f"no report for {', '.join(months)} ({len(months)} months)"


__all__ = ["attainment_message", "change_message", "missing_message", "probability_label", "probability_reason",
           "probability_text", "qty"]
