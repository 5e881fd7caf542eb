"""Experience transfer: for each lagging unit, the efficient peers most like it, and what differs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gosplan.engines.reserves.dea import DEAResult

PAIR_COLUMNS = ["unit", "sector", "efficiency", "rank", "peer", "peer_efficiency", "scale_ratio",
                "mix_distance", "distance", "in_reference_set"]
DIFFERENCE_COLUMNS = ["unit", "peer", "measure", "unit_value", "peer_value", "peer_over_unit"]
_EFFICIENT = 1.0 - 1e-9


@dataclass
class ExperiencePairs:
    """``pairs``: one row per (lagging unit, peer); ``differences``: their partial productivities."""

    pairs: pd.DataFrame
    differences: pd.DataFrame


def experience_pairs(result: DEAResult, sectors: Sequence[Any] | None = None, k: int = 3,
                     lagging_below: float = 0.9) -> ExperiencePairs:
    """Propose, for each unit with efficiency below ``lagging_below``, ``k`` efficient peers to learn from.

    Peers come from the unit's own sector (``sectors``, else the ``groups`` the DEA ran with, else
    everyone) and are ranked by similarity: ``distance = |log(scale ratio)| + mix distance``, where
    scale is the unit's total input (each input divided by its mean over all units, so no unit of
    measure dominates) and the mix distance is half the L1 distance between input shares (0 for the
    same mix, 1 for disjoint ones). A small, similar peer is a better teacher than a giant with another
    technology, even if the giant carries more weight in the DEA reference set
    (``in_reference_set`` says whether it does).

    ``differences`` lists, for every pair, each output per unit of each input (e.g. tonnes per worker)
    and each input per unit of each output (e.g. kWh per tonne), for the unit and its peer.

    >>> from gosplan.engines.reserves.dea import dea
    >>> X = [[10.0, 5.0], [20.0, 10.0], [20.0, 10.0], [10.0, 20.0]]; Y = [[10.0], [10.0], [20.0], [10.0]]
    >>> r = dea(X, Y, names=["a", "b", "c", "d"])   # d is radially efficient but wastes input 2
    >>> experience_pairs(r, k=2).pairs[["unit", "peer"]].values.tolist()
    [['b', 'c'], ['b', 'a']]
    """
    names = result.names
    # Scale, input mix, waste and the differences are about what a unit controls: its
    # non-discretionary inputs (seam, inflow, soil) are no experience to share.
    disc = np.asarray(result.info.get("discretionary", np.ones(len(result.input_names), bool)), bool)
    x = result.inputs.to_numpy(float)[:, disc]
    y = result.outputs.to_numpy(float)
    labels = sectors if sectors is not None else result.info.get("groups")
    labels = np.zeros(len(names), dtype=int) if labels is None else np.asarray(labels)
    eff = result.efficiency.to_numpy()
    optimal = result.status.to_numpy() == "optimal"
    efficient = optimal & (eff >= _EFFICIENT)
    slacks = np.hstack([result.input_slack.to_numpy(float)[:, disc], result.output_slack.to_numpy(float)])
    slack = slacks / np.hstack([x.mean(axis=0), y.mean(axis=0)])
    if result.info.get("slacks", True):
        # A unit with slacks is on the frontier only radially: it still wastes something.
        efficient &= np.nan_to_num(slack, nan=np.inf).sum(axis=1) <= 1e-9
    lagging = optimal & (eff < lagging_below)
    scaled = x / np.where(x.mean(axis=0) > 0, x.mean(axis=0), 1.0)
    size = scaled.sum(axis=1)
    mix = scaled / np.where(size > 0, size, 1.0)[:, None]
    reference = result.lambdas.tocsr() if result.lambdas.shape[1] == len(names) else None
    rows: list[dict[str, Any]] = []
    for unit in np.flatnonzero(lagging):
        candidates = np.flatnonzero(efficient & (labels == labels[unit]))
        candidates = candidates[candidates != unit]
        if len(candidates) == 0:
            continue
        with np.errstate(divide="ignore"):
            scale_ratio = size[candidates] / size[unit]
        mix_distance = 0.5 * np.abs(mix[candidates] - mix[unit]).sum(axis=1)
        distance = np.abs(np.log(scale_ratio)) + mix_distance
        in_ref = set(reference[unit].indices) if reference is not None else set()
        for rank, pos in enumerate(np.argsort(distance, kind="stable")[:k], start=1):
            peer = candidates[pos]
            rows.append({"unit": names[unit], "sector": labels[unit], "efficiency": eff[unit], "rank": rank,
                         "peer": names[peer], "peer_efficiency": eff[peer], "scale_ratio": scale_ratio[pos],
                         "mix_distance": mix_distance[pos], "distance": distance[pos],
                         "in_reference_set": bool(peer in in_ref), "_u": unit, "_p": peer})
    pairs = pd.DataFrame(rows, columns=[*PAIR_COLUMNS, "_u", "_p"])
    inputs = [name for name, keep in zip(result.input_names, disc, strict=True) if keep]
    differences = _differences(pairs, x, y, inputs, result.output_names)
    return ExperiencePairs(pairs.drop(columns=["_u", "_p"]).reset_index(drop=True), differences)


def _differences(pairs: pd.DataFrame, x: np.ndarray, y: np.ndarray, inputs: list[str],
                 outputs: list[str]) -> pd.DataFrame:
    if pairs.empty:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    u = pairs["_u"].to_numpy(int)
    p = pairs["_p"].to_numpy(int)
    parts = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for r, out in enumerate(outputs):
            for i, inp in enumerate(inputs):
                for measure, num, den in ((f"{out} per {inp}", y[:, r], x[:, i]),
                                          (f"{inp} per {out}", x[:, i], y[:, r])):
                    unit_value = num[u] / den[u]
                    peer_value = num[p] / den[p]
                    parts.append(pd.DataFrame({
                        "unit": pairs["unit"].to_numpy(), "peer": pairs["peer"].to_numpy(),
                        "measure": measure,
                        "unit_value": unit_value, "peer_value": peer_value,
                        "peer_over_unit": peer_value / unit_value, "_order": np.arange(len(u))}))
    frame = pd.concat(parts, ignore_index=True).sort_values("_order", kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)[DIFFERENCE_COLUMNS]
