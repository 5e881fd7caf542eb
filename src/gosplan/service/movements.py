"""Movements that cross sectors: who may join, how each sector is measured, spread and effect per sector.

A movement (campaign) starts in one sector and may be joined by units of any sector listed in its
``campaign_measures``; each sector's units are measured by that sector's own indicator: an output per
worker (``per`` = workers) or a norm of consumption (e.g. electricity used per tonne of steel). The
sector of the campaign's own indicator is always eligible and measured by output per worker.

The units that may join are the producing units of each eligible sector that reported the sector's
product in the months the effect is measured over. Spread (a Bass fit) is fitted across all of them
and per sector; the effect of joining is estimated per sector, against units of the same sector only
(a power station is compared with power stations), with the staggered difference-in-differences
engine (:func:`gosplan.campaigns.campaign_effect`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.campaigns import BassFit, CampaignEffect, campaign_effect, fit_bass
from gosplan.engines.potentiality import Stall, movement_stall
from gosplan.model import Period, month_ordinal

WORKERS = "workers"
# Months of the measure before joining that the effect is measured against, and months after joining it
# is averaged over: later months rest on the first few cohorts alone, whose comparison straddles the turn
# of the year when staffing plans change.
PRE_MONTHS = 6
POST_MONTHS = 3
TECHNOLOGY = "technology"  # the grouping of unit_groups that splits peer groups (as for reserves)
QUIET_MONTHS = 3  # no join for this long while units remain: the movement has stalled
SECTOR_COLUMNS = ["sector", "sector_name", "indicator", "per", "measure", "lower_is_better", "eligible", "joined",
                  "share_joined", "last_join", "bass_m", "effect_percent", "ci_low", "ci_high", "n_comparison",
                  "pre_trend", "stalled", "stall_reason", "note"]


@dataclass
class SectorMeasure:
    """How one sector's units are measured in a movement: ``indicator`` per ``per``."""

    sector: str
    indicator: str
    per: str

    @property
    def product(self) -> str:
        """The sector's output indicator: what a unit must report to be eligible."""
        return self.indicator if self.per == WORKERS else self.per


@dataclass
class SectorSpread:
    """Spread and effect of a movement in one sector."""

    measure: SectorMeasure
    eligible: list[str]
    members: pd.DataFrame
    fit: BassFit | None
    effect: CampaignEffect | None
    note: str


def sector_measures(service, campaign: dict) -> list[SectorMeasure]:
    """The campaign's own sector first (output per worker of its indicator), then the stored measures."""
    indicators = service.indicators().set_index("code")
    own_sector = indicators["sector"].get(campaign["indicator"])
    out = [SectorMeasure(str(own_sector), str(campaign["indicator"]), WORKERS)] if isinstance(own_sector, str) else []
    stored = service.store.campaign_measures(campaign["name"])
    for row in stored.itertuples(index=False):
        if row.sector != own_sector:
            out.append(SectorMeasure(str(row.sector), str(row.indicator), str(row.per)))
    return out


def _window(campaign: dict, members: pd.DataFrame) -> tuple[str, str]:
    start = Period.parse(str(campaign["start"])).first_month()
    last_join = str(members["joined"].max()) if len(members) else str(start)
    return str(start.shift(-PRE_MONTHS)), str(Period.parse(last_join).shift(PRE_MONTHS))


def measure_panel(service, measure: SectorMeasure, units: list[str], first: str, last: str) -> pd.DataFrame:
    """Monthly ``indicator / per`` (``unit``, ``period``, ``value``) of ``units`` from ``first`` to ``last``."""
    reports = service.store.reports(indicators=[measure.indicator, measure.per], units=units, first=first, last=last)
    wide = reports.pivot_table(index=["unit", "period"], columns="indicator", values="value")
    if measure.indicator not in wide or measure.per not in wide:
        return pd.DataFrame(columns=["unit", "period", "value"])
    value = (wide[measure.indicator] / wide[measure.per].where(wide[measure.per] > 0)).rename("value")
    return value[value.gt(0) & value.notna()].reset_index()


def _eligible(service, campaign: dict, members: pd.DataFrame
              ) -> list[tuple[SectorMeasure, list[str], pd.DataFrame]]:
    units = service.units()
    sector_of = units.set_index("code")["sector"]
    technology = service.store.unit_groups(TECHNOLOGY).set_index("unit")["group_code"]
    first, last = _window(campaign, members)
    out = []
    for measure in sector_measures(service, campaign):
        in_sector = units.loc[units["sector"].eq(measure.sector), "code"].tolist()
        joined = members[members["unit"].map(sector_of).eq(measure.sector)]
        # Where the sector's units have technologies, the movement is for the technologies its members
        # use: thermal stations that burn less coal are compared with thermal stations, never with hydro.
        used = set(technology.reindex(joined["unit"]).dropna())
        if used:
            in_sector = [u for u in in_sector if technology.get(u) in used]
        reported = service.store.reports(indicators=[measure.product], units=in_sector, first=first, last=last)
        out.append((measure, sorted(set(reported["unit"]) | set(joined["unit"])), joined))
    return out


def eligible_units(service, campaign: dict, members: pd.DataFrame) -> list[str]:
    """Every unit that may join: the producing units of each eligible sector that reported its product
    in the months the effect is measured over, and every member."""
    return sorted({u for _, units, _ in _eligible(service, campaign, members) for u in units} | set(members["unit"]))


def sector_spread(service, campaign: dict, members: pd.DataFrame, n_boot: int = 400) -> list[SectorSpread]:
    """Spread and effect of the movement in each eligible sector (members of other sectors are ignored)."""
    first, last = _window(campaign, members)
    out = []
    for measure, eligible, joined in _eligible(service, campaign, members):
        fit = None
        if len(joined) >= 3:
            fit = fit_bass(joined["joined"], eligible=len(eligible))
        effect, note = _effect(service, measure, joined, eligible, first, last, n_boot)
        out.append(SectorSpread(measure, eligible, joined, fit, effect, note))
    return out


def _effect(service, measure: SectorMeasure, joined: pd.DataFrame, eligible: list[str], first: str, last: str,
            n_boot: int) -> tuple[CampaignEffect | None, str]:
    if len(joined) == 0:
        return None, "no unit of the sector joined"
    if len(eligible) - len(joined) < 1 or len(eligible) < 3:
        return None, "too few units to compare"
    panel = measure_panel(service, measure, eligible, first, last)
    if panel.empty:
        return None, f"no {measure.indicator} per {measure.per} reported"
    try:
        effect = campaign_effect(panel, dict(zip(joined["unit"], joined["joined"], strict=True)),
                                 pre=PRE_MONTHS, post=POST_MONTHS, n_boot=n_boot)
    except ValueError as error:
        return None, str(error)
    return effect, ""


def sector_table(service, spreads: list[SectorSpread], as_of: str) -> pd.DataFrame:
    """One row per sector: eligible, joined, fitted potential, effect in percent with its interval and
    the pre-joining trend (log points), and whether the spread has stalled in the sector by ``as_of``
    (``SECTOR_COLUMNS``; ``measure`` is ``indicator/per``, ``lower_is_better`` for norms of consumption)."""
    names = service.sectors().set_index("code")["name"]
    rows = []
    for s in spreads:
        halted = stall(s.members, len(s.eligible), s.fit, as_of)
        pct = s.effect.percent if s.effect is not None else (np.nan, np.nan, np.nan)
        rows.append({
            "sector": s.measure.sector, "sector_name": names.get(s.measure.sector, s.measure.sector),
            "indicator": s.measure.indicator, "per": s.measure.per,
            "measure": f"{s.measure.indicator}/{s.measure.per}", "lower_is_better": s.measure.per != WORKERS,
            "eligible": len(s.eligible), "joined": len(s.members),
            "share_joined": len(s.members) / len(s.eligible) if s.eligible else np.nan,
            "last_join": str(s.members["joined"].max()) if len(s.members) else None,
            "bass_m": s.fit.m if s.fit is not None else np.nan,
            "effect_percent": pct[0], "ci_low": pct[1], "ci_high": pct[2],
            "n_comparison": s.effect.n_comparison if s.effect is not None else 0,
            "pre_trend": s.effect.pre_trend if s.effect is not None else np.nan,
            "stalled": halted.stalled, "stall_reason": halted.reason, "note": s.note,
        })
    return pd.DataFrame(rows, columns=SECTOR_COLUMNS)


def stall(members: pd.DataFrame, eligible: int, fit: BassFit | None, as_of: str) -> Stall:
    """Whether the movement has stalled by month ``as_of`` (see :func:`movement_stall`)."""
    months = [month_ordinal(str(m)) for m in members["joined"]]
    return movement_stall(months, eligible, month_ordinal(str(Period.parse(as_of).last_month())),
                          fit.m if fit is not None else None, quiet_months=QUIET_MONTHS)
