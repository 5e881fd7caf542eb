"""Sentences of the written summary, built from the numbers by templates (no language model).

Every number in a sentence is formatted by the same function that formats it in the section's
table (:mod:`gosplan.review.format`), so text and tables agree to the printed digit; the tests
parse the numbers back out of the sentences and compare them with the tables.

>>> sector_sentence("Coal", "half-year", 1.04, 3.0e5, "t", lagging=3, units=14, shortfall=8.5e4)
'Coal: 104 % of the half-year plan, 300.0 kt more than a year ago; 3 of 14 units lag, together 85.0 kt short.'
>>> sector_sentence("Coal", "half-year", 1.04, None, "t", lagging=0, units=14, shortfall=0.0, probability=0.81)
'Coal: 104 % of the half-year plan; all 14 units on or above plan; probability of meeting the annual target 81 %.'
"""

from __future__ import annotations

import re

from gosplan.i18n import _
from gosplan.review.format import is_missing, pct, prose_qty

NUMBER = re.compile(r"[−-]?\d[\d,]*(?:\.\d+)?")


def probability_text(probability: float) -> str:
    """How a probability is printed in text and tables alike, as everywhere else: ``'< 1 %'``, ``'> 99 %'``
    or the whole percentage (a dash when unknown)."""
    from gosplan.service.wording import probability_label

    return probability_label(None if is_missing(probability) else float(probability))


def change_phrase(change: float | None, uom: str) -> str:
    """``'300.0 kt more than a year ago'`` / ``'less than'``; empty when unknown."""
    if change is None or is_missing(change):
        return ""
    amount = prose_qty(abs(float(change)), uom)
    if float(change) >= 0:
        return _("{amount} more than a year ago", amount=amount)
    return _("{amount} less than a year ago", amount=amount)


def sector_sentence(name: str, period_word: str, fulfilment: float, change: float | None, uom: str | None, *,
                    lagging: int | None = None, units: int | None = None, shortfall: float | None = None,
                    probability: float | None = None) -> str:
    """One key sector: fulfilment, change on last year, laggards and their shortfall, and (when a
    forecast is available) the probability of meeting the annual target."""
    change_text = change_phrase(change, uom) if uom else ""
    if change_text:
        parts = [_("{name}: {fulfilment} of the {period} plan, {change}", name=name, fulfilment=pct(fulfilment),
                   period=period_word, change=change_text)]
    else:
        parts = [_("{name}: {fulfilment} of the {period} plan", name=name, fulfilment=pct(fulfilment),
                   period=period_word)]
    if units:
        if lagging and uom and not is_missing(shortfall):
            parts.append(_("{lagging} of {units} units lag, together {shortfall} short", lagging=lagging, units=units,
                           shortfall=prose_qty(shortfall, uom)))
        elif lagging:
            parts.append(_("{lagging} of {units} units lag", lagging=lagging, units=units))
        else:
            parts.append(_("all {units} units on or above plan", units=units))
    if probability is not None and not is_missing(probability):
        parts.append(_("probability of meeting the annual target {probability}",
                       probability=probability_text(probability)))
    return "; ".join(parts) + "."



def numbers_in(text: str) -> list[str]:
    """The numbers of a sentence as printed (for checking them against the tables)."""
    return NUMBER.findall(text)
