"""The monthly stocktake: each action's milestones rated red, amber or green as reports arrive, and
an action that slips twice escalated one link up its chain (pure).

>>> import pandas as pd
>>> milestones = pd.DataFrame({"key": ["a:coal"] * 3, "month": ["2023-07", "2023-08", "2023-09"],
...     "planned": [20.0, 40.0, 60.0]})
>>> actuals = pd.DataFrame({"key": ["a:coal"] * 3, "month": ["2023-07", "2023-08", "2023-09"],
...     "actual": [20.5, 38.5, 50.0]})
>>> rated = rate_milestones(milestones, actuals, through="2023-09")
>>> rated["rating"].tolist()
['green', 'amber', 'red']
>>> escalation(rated, [{"role": "ministry", "link": "coal_industry"}, {"role": "province", "link": "P1"}])
('coal_industry', 2)
"""

from __future__ import annotations

import math

import pandas as pd

from gosplan.engines.action_plan.chains import ESCALATION_ORDER

RATED_COLUMNS = ["key", "month", "planned", "actual", "share", "rating"]
RATINGS = ("green", "amber", "red")


def rate(actual: float, planned: float, amber_share: float = 0.95) -> str:
    """Green when the milestone is met, amber when within ``amber_share`` of it, red below; ``no data``
    when nothing was reported.

    >>> rate(99.0, 100.0), rate(94.0, 100.0), rate(float("nan"), 100.0)
    ('amber', 'red', 'no data')
    """
    if not math.isfinite(actual):
        return "no data"
    if actual >= planned - 1e-9:
        return "green"
    return "amber" if actual >= amber_share * planned else "red"


def rate_milestones(milestones: pd.DataFrame, actuals: pd.DataFrame, through: str,
                    amber_share: float = 0.95) -> pd.DataFrame:
    """Rate every milestone due by ``through`` (a month, ``YYYY-MM``) against the cumulative output
    since the plan began (``actuals``: key, month, actual); later milestones are left out."""
    due = milestones[milestones["month"].astype(str) <= through]
    merged = due.merge(actuals[["key", "month", "actual"]], on=["key", "month"], how="left")
    merged["actual"] = merged["actual"].astype(float)
    merged["share"] = merged["actual"] / merged["planned"].where(merged["planned"] > 0)
    merged["rating"] = [rate(a, p, amber_share) for a, p in zip(merged["actual"], merged["planned"], strict=True)]
    return merged[RATED_COLUMNS].sort_values(["key", "month"]).reset_index(drop=True)


def escalation(rated: pd.DataFrame, chain: list[dict], after: int = 2) -> tuple[str | None, int]:
    """Where an action goes after its milestones in ``rated`` slipped (amber or red): nowhere below
    ``after`` slips; then one link up the chain (ministry, province, plenum) per further slip.
    Returns (link or ``None``, number of slips)."""
    slips = int(rated["rating"].isin(["amber", "red"]).sum())
    if slips < after:
        return None, slips
    ladder = [link["link"] for role in ESCALATION_ORDER[1:-1] for link in chain if link["role"] == role]
    ladder.append("plenum")
    return ladder[min(slips - after, len(ladder) - 1)], slips


__all__ = ["RATED_COLUMNS", "RATINGS", "escalation", "rate", "rate_milestones"]
