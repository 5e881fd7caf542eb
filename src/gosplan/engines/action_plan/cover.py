"""Which action of a definite plan covers each of the engines' raw proposals, or why none does (pure).

A proposal names a unit and an indicator (a province and the grain target for the weather proposals).
The plan's actions and decisions on the same finding cover it; a weather proposal is covered by the
drainage or irrigation the plan schedules in its province. Otherwise the reason is a code the edge
puts into words: ``pace_met`` (the pace shown already meets the target, so no measure) or
``no_finding`` (the plan has no target to date for that unit and indicator).

>>> import pandas as pd
>>> document = {"actions": [{"number": 1, "finding": "a:coal", "unit": "a", "measure": "peer_learning"}],
...     "decisions": [{"finding": "a:coal", "unit": "a", "kind": "uncovered"}],
...     "met": [{"unit": "b", "indicator": "coal"}]}
>>> proposals = pd.DataFrame({"origin": ["laggards", "forecast", "projects"], "unit": ["a", "b", "c"],
...     "indicator": ["coal", "coal", "dwellings"]})
>>> proposal_cover(document, proposals)[["actions", "decisions", "reason"]].values.tolist()
[[[1], [1], 'covered'], [[], [], 'pace_met'], [[], [], 'no_finding']]
"""

from __future__ import annotations

import pandas as pd

COVER_COLUMNS = ["actions", "decisions", "reason"]
# What a raw proposal's cover can be: actions (and perhaps decisions), decisions alone, or neither.
COVER_REASONS = ("covered", "plenum", "pace_met", "no_finding")
WEATHER_MEASURES = ("irrigate",)
WEATHER_DECISIONS = ("area",)


def proposal_cover(document: dict, proposals: pd.DataFrame) -> pd.DataFrame:
    """One row per proposal (same index, :data:`COVER_COLUMNS`): the numbers of the plan's actions that
    cover it, the numbers (1-based, in the document's order) of its decisions for the plenum, and a
    :data:`COVER_REASONS` code."""
    actions = document.get("actions") or []
    decisions = list(enumerate(document.get("decisions") or [], start=1))
    met = {(m["unit"], m["indicator"]) for m in document.get("met") or []}
    rows = []
    for origin, unit, indicator in zip(proposals["origin"], proposals["unit"], proposals["indicator"], strict=True):
        if origin == "risk":
            mine = [a["number"] for a in actions if a["measure"] in WEATHER_MEASURES and a["unit"] == unit]
            theirs = [n for n, d in decisions if d["kind"] in WEATHER_DECISIONS and d["unit"] == unit]
        else:
            finding = f"{unit}:{indicator}"
            mine = [a["number"] for a in actions if a["finding"] == finding]
            theirs = [n for n, d in decisions if d["finding"] == finding]
        if mine:
            reason = "covered"
        elif theirs:
            reason = "plenum"
        elif (unit, indicator) in met:
            reason = "pace_met"
        else:
            reason = "no_finding"
        rows.append((mine, theirs, reason))
    return pd.DataFrame(rows, columns=COVER_COLUMNS, index=proposals.index)
