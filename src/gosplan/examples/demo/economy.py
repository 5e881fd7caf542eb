"""The demo economy as one object: :class:`DemoEconomy` and :func:`build_demo`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from .activity import simulate
from .catalogue import (
    FIVE_YEAR_FIGURES,
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
        targets=pd.concat([activity.targets, five_year_targets(units_frame())],
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


def five_year_targets(units: pd.DataFrame) -> pd.DataFrame:
    """The five-year plan's national targets for 2024 and 2025 (:data:`FIVE_YEAR_FIGURES`), at the root unit.

    >>> from gosplan.examples.demo.catalogue import units_frame
    >>> five_year_targets(units_frame()).query("indicator == 'coal'")["value"].tolist()
    [18500000.0, 19500000.0]
    """
    root = str(units.loc[units["parent"].isna(), "code"].iloc[0])
    rows = [(FIVE_YEAR_PLAN, code, root, str(year), float(value))
            for code, years in FIVE_YEAR_FIGURES.items() for year, value in sorted(years.items())]
    return pd.DataFrame(rows, columns=["plan", "indicator", "unit", "period", "value"])
