"""Learn from peers: a lagging unit studies the efficient units of its sector most like it."""

from __future__ import annotations

from gosplan.engines.actions import Findings, ProposedAction, finite, month_end, proposer, worded
from gosplan.quantities import display_unit, format_quantity

# Per sector, the lagging units with the largest untapped output; more would swamp the action plan.
PER_SECTOR = 2
# Months a unit is given to close part of its gap, and which part: half the way to the frontier is a
# goal a visit and a changed work organisation can reach; the rest needs investment.
MONTHS_TO_LEARN = 6
SHARE_OF_GAP = 0.5


def output_per_worker_goal(output_per_worker: float, efficiency: float, share: float = SHARE_OF_GAP) -> float:
    """Output per worker after closing ``share`` of the gap to the frontier (radially, workers fixed).

    >>> round(output_per_worker_goal(30.0, 0.75), 2)  # the frontier is 40 a worker; halfway is 35
    35.0
    """
    return output_per_worker * (1 + share * (1 / efficiency - 1))


@proposer("reserves", needs=("peers",))
def learn_from_peers(findings: Findings) -> list[ProposedAction]:
    """``peers``: experience-sharing pairs (unit, name, sector, indicator, uom, efficiency,
    output_reserve, rank, peer, peer_name, output_per_worker, peer_output_per_worker,
    energy_per_output, peer_energy_per_output), one row per (lagging unit, peer); output per
    worker is a month's."""
    table = findings.tables["peers"]
    if table.empty:
        return []
    first = table[table["rank"].eq(1)]
    chosen = first.sort_values(["sector", "output_reserve"], ascending=[True, False]).groupby("sector").head(
        PER_SECTOR)
    as_of = findings.as_of
    due = month_end(as_of.shift(MONTHS_TO_LEARN))
    actions = []
    for row in chosen.sort_values("output_reserve", ascending=False).itertuples(index=False):
        peers = table[table["unit"].eq(row.unit)].sort_values("rank")
        if not (finite(row.output_per_worker) and finite(row.efficiency) and row.efficiency > 0):
            continue
        goal = output_per_worker_goal(float(row.output_per_worker), float(row.efficiency))
        uom = str(row.uom)
        peer_names = peers["peer_name"].astype(str).tolist()
        now, target = format_quantity(float(row.output_per_worker), uom), format_quantity(goal, uom)
        title, title_words = worded(
            "Learn from {peers}: {unit} to raise output per worker from {now} a worker a month to {goal} a worker a "
            "month by {due} (untapped reserve {reserve} in {period})", peers=_join(peer_names), peer_list=peer_names,
            unit=str(row.name), now=now, goal=target, due=f"{due:%Y-%m-%d}",
            reserve=format_quantity(float(row.output_reserve), uom), period=str(findings.period))
        values = {"goal": target, "month": f"{due:%Y-%m}", "now": now, "peer": str(row.peer_name)}
        if finite(row.peer_output_per_worker):
            check, first = worded("Output per worker at least {goal} a worker a month in the months to {month} (now "
                                  "{now} a worker a month; {peer} {peer_rate} a worker a month)",
                                  peer_rate=format_quantity(float(row.peer_output_per_worker), uom), **values)
        else:
            check, first = worded("Output per worker at least {goal} a worker a month in the months to {month} (now "
                                  "{now} a worker a month; {peer} –)", **values)
        parts = [first]
        if finite(row.peer_energy_per_output) and finite(row.energy_per_output):
            energy, second = worded("electricity per unit of output towards {towards} per {unit} (now {now} per "
                                    "{unit})", towards=format_quantity(float(row.peer_energy_per_output), "kWh"),
                                    now=format_quantity(float(row.energy_per_output), "kWh"), unit=display_unit(uom))
            check = f"{check}; {energy}"
            parts.append(second)
        details = {"words": {"title": title_words, "check": parts},
                   "metric": "output_per_worker_goal", "goal": goal, "uom": uom,
                   "baseline": float(row.output_per_worker) / goal, "baseline_period": findings.period,
                   "output_per_worker": float(row.output_per_worker), "efficiency": float(row.efficiency),
                   "output_reserve": float(row.output_reserve), "peers": peers["peer"].astype(str).tolist(),
                   "key": f"reserves:{row.unit}:{findings.period}"}
        actions.append(ProposedAction(title, str(row.unit), due, str(row.indicator), str(row.unit),
                                      str(as_of.year), check, "reserves", details=details))
    return actions


def _per_worker(value: object, uom: str) -> str:
    return f"{format_quantity(float(value), uom)} a worker a month" if finite(value) else "–"  # type: ignore[arg-type]


def _per_unit(value: object, uom: str, energy_uom: str = "kWh") -> str:
    """Electricity per unit of output with both units: ``1,520 -> '1.5 MWh per t'``.

    >>> _per_unit(1520.0, "t"), _per_unit(0.35, "t_km")
    ('1.5 MWh per t', '0.35 kWh per t-km')
    """
    return f"{format_quantity(float(value), energy_uom)} per {display_unit(uom)}"  # type: ignore[arg-type]


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


__all__ = ["learn_from_peers", "output_per_worker_goal"]
