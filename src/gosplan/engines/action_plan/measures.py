"""The catalogue of measure types and how each is sized in physical units (pure).

Every measure names its effect in the unit of the target it serves, what it costs and where that
comes from. A unit's own effort (learning from a peer) is bounded by a multiple of the pace it has
shown; resources from outside (workers moved from a unit ahead of plan, inputs from a supplier)
are bounded by what the source can spare; what no measure covers becomes a decision for the plenum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

# code -> what the measure does; the order is the order measures are tried.
MEASURE_TYPES: dict[str, str] = {
    "supplier_delivery": "deliver inputs from a named supplier",
    "peer_learning": "learn from a named peer",
    "join_movement": "join the emulation movement of the indicator",
    "move_workers": "move workers from a unit ahead of plan",
    "irrigate": "drain or irrigate named areas in the field-work season",
    "capacity": "repair or commission capacity",
}


@dataclass(frozen=True)
class Settings:
    """Feasibility bounds: ``pace_multiple`` caps what a unit's own effort can add (1.3: at most 30 %
    above the pace it has shown); ``donor_floor`` is the fulfilment a unit lending workers keeps;
    ``amber_share`` the share of a milestone below which it is red; ``escalate_after`` slips."""

    pace_multiple: float = 1.3
    donor_floor: float = 1.0
    donor_min: float = 1.05
    amber_share: float = 0.95
    escalate_after: int = 2


def peer_learning_effect(output_per_worker: float, efficiency: float, shown_rest: float, room: float,
                         share: float = 0.5) -> float:
    """Extra output over the rest of the year from closing ``share`` of the gap to the frontier,
    bounded by ``room`` (what the pace multiple leaves).

    >>> round(peer_learning_effect(30.0, 0.75, 600.0, 1000.0), 6)  # 1/0.75 - 1 = 1/3; half of it on 600
    100.0
    >>> peer_learning_effect(30.0, 0.75, 600.0, 40.0)
    40.0
    """
    if not (efficiency > 0 and math.isfinite(output_per_worker)):
        return 0.0
    return max(0.0, min(room, share * (1 / efficiency - 1) * shown_rest))


def donor_surplus(workers: float, fulfilment: float, floor: float = 1.0) -> int:
    """Workers a unit ahead of plan can lend and still meet ``floor`` of its plan.

    >>> donor_surplus(1000, 1.25)  # 1000 * (1 - 1/1.25)
    200
    >>> donor_surplus(1000, 0.98)
    0
    """
    if not (workers > 0 and fulfilment > floor):
        return 0
    return math.floor(workers * (1 - floor / fulfilment) + 1e-9)


def pick_donor(candidates: pd.DataFrame, province: str | None) -> pd.Series | None:
    """The donor with the most workers to spare, preferring one in the same province."""
    if candidates.empty:
        return None
    ranked = candidates.assign(near=candidates["province"].eq(province)).sort_values(
        ["near", "surplus", "unit"], ascending=[False, False, True])
    return ranked.iloc[0]


def schedule_area(area: float, capacity: list[float]) -> list[float]:
    """Spread ``area`` over months in order, at most ``capacity[i]`` in month ``i``.

    >>> schedule_area(100.0, [0.0, 60.0, 60.0])
    [0.0, 60.0, 40.0]
    """
    out = []
    left = area
    for room in capacity:
        take = max(0.0, min(left, room))
        out.append(take)
        left -= take
    return out
