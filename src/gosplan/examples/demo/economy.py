"""The demo economy as one object: :class:`DemoEconomy` and :func:`build_demo`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from .activity import simulate
from .catalogue import (
    FIVE_YEAR_GROWTH_TO_2025,
    FIVE_YEAR_PLAN,
    indicators_frame,
    plans_frame,
    sectors_frame,
    units_frame,
)
from .extras import campaign_frames, farms_frame, project_frames, weather_frame
from .io_table import io_frames


@dataclass
class DemoEconomy:
    """A ready-made planned economy modelled on the DPRK's 2021-2025 five-year plan.

    Every attribute is a pandas DataFrame in the columns of :mod:`gosplan.model` (``io_table`` is a
    dict of frames). Build one with :func:`build_demo`; :meth:`tables` lists them all by name.
    """

    seed: int
    sectors: pd.DataFrame
    units: pd.DataFrame
    indicators: pd.DataFrame
    plans: pd.DataFrame
    targets: pd.DataFrame
    reports: pd.DataFrame
    corrections: pd.DataFrame
    farms: pd.DataFrame
    campaigns: pd.DataFrame
    campaign_members: pd.DataFrame
    weather_events: pd.DataFrame
    projects: pd.DataFrame
    project_milestones: pd.DataFrame
    project_progress: pd.DataFrame
    io_table: dict[str, pd.DataFrame]
    capacities: pd.DataFrame
    # Hidden truths for checking engines: technology, technical efficiency, H1 2023 fulfilment.
    enterprise_profiles: pd.DataFrame = field(repr=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        """All frames by name; the frames of ``io_table`` appear as ``io_<name>`` (e.g. ``io_Z``)."""
        out: dict[str, pd.DataFrame] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, pd.DataFrame):
                out[item.name] = value
            elif isinstance(value, dict):
                out.update({f"io_{key}": frame for key, frame in value.items()})
        return out


def build_demo(seed: int = 2023) -> DemoEconomy:
    """Build the demo economy; the same seed always gives identical frames.

    >>> demo = build_demo(seed=7)
    >>> demo.units.loc[demo.units["code"] == "KP", "kind"].item()
    'country'
    >>> sorted(demo.reports["period"].unique())[-1]
    '2023-06'
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    activity = simulate(rng)
    campaigns, members = campaign_frames()
    farms = farms_frame(rng, activity.targets)
    projects, milestones, progress = project_frames(rng)
    io_table, capacities = io_frames(rng)
    return DemoEconomy(
        seed=seed,
        sectors=sectors_frame(),
        units=units_frame(),
        indicators=indicators_frame(),
        plans=plans_frame(),
        targets=pd.concat([activity.targets, five_year_targets(activity.targets, units_frame())],
                          ignore_index=True),
        reports=activity.reports,
        corrections=activity.corrections,
        farms=farms,
        campaigns=campaigns,
        campaign_members=members,
        weather_events=weather_frame(),
        projects=projects,
        project_milestones=milestones,
        project_progress=progress,
        io_table=io_table,
        capacities=capacities,
        enterprise_profiles=activity.profiles,
    )


def five_year_targets(targets: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The five-year plan's national 2025 targets: the 2023 annual plan's national totals grown by
    :data:`FIVE_YEAR_GROWTH_TO_2025`, rounded to three significant digits as planners state them.

    >>> from gosplan.examples.demo.activity import _plan_round
    >>> _plan_round(4_899_400 * 1.03)
    5050000.0
    """
    from .activity import _plan_round

    root = str(units.loc[units["parent"].isna(), "code"].iloc[0])
    annual = targets[targets["period"].eq("2023") & targets["indicator"].isin(list(FIVE_YEAR_GROWTH_TO_2025))]
    national = annual.groupby("indicator")["value"].sum()
    rows = [(FIVE_YEAR_PLAN, code, root, "2025", _plan_round(float(national[code]) * growth))
            for code, growth in FIVE_YEAR_GROWTH_TO_2025.items() if code in national.index]
    return pd.DataFrame(rows, columns=["plan", "indicator", "unit", "period", "value"])
