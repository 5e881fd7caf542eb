"""Movements (campaigns): how far they have spread (Bass fit and reach forecast) and what joining changed.

The units that could join a movement are the producing units of the sector of its indicator (a coal
movement is for coal mines) and of the sectors it crossed into (:mod:`gosplan.service.movements`).
The effect of joining is measured month by month, per sector, against the units of the same sector
that had not joined yet (a staggered difference in differences; see
:func:`gosplan.campaigns.campaign_effect` for its assumptions); the headline effect is the own
sector's, on output per worker.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()
>>> campaign_list(service)[["name", "members", "eligible"]].values.tolist()
[['coal-innovation-2023', 18, 26]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from gosplan.campaigns import BassFit, CampaignEffect, fit_bass
from gosplan.engines.potentiality import Stall
from gosplan.errors import NotFound
from gosplan.i18n import _
from gosplan.service.movements import (
    SectorMeasure,
    eligible_units,
    measure_panel,
    sector_spread,
    sector_table,
    stall,
)

LIST_COLUMNS = ["name", "origin_unit", "start", "indicator", "members", "eligible", "share_joined",
                "last_join", "description"]


@dataclass
class CampaignView:
    """One movement: its record, members, the fitted Bass curve with a reach forecast, and the effect
    of joining on output per worker (``None`` where there are too few joins or no inputs)."""

    campaign: dict[str, Any]
    members: pd.DataFrame
    eligible: int
    fit: BassFit | None
    forecast: pd.DataFrame
    effect: CampaignEffect | None
    effect_note: str
    horizon: int
    # Per eligible sector (the movement's own first): eligible, joined, fitted potential, effect.
    sectors: pd.DataFrame
    stall: Stall

    @property
    def effect_percent(self) -> tuple[float, float, float] | None:
        """Effect on output per worker and its interval, in percent."""
        return None if self.effect is None else self.effect.percent


def campaign_list(service) -> pd.DataFrame:
    """Every movement with how many units joined out of how many could (``LIST_COLUMNS``)."""
    campaigns = service.store.campaigns()
    members = service.store.campaign_members()
    rows = []
    for c in campaigns.to_dict("records"):
        joined = members[members["campaign"].eq(c["name"])]
        eligible = len(eligible_units(service, c, joined)) or len(joined)
        rows.append({**c, "members": len(joined), "eligible": eligible,
                     "share_joined": len(joined) / eligible if eligible else float("nan"),
                     "last_join": joined["joined"].max() if len(joined) else None})
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def productivity_panel(service, units: list[str], indicator: str, first: str, last: str) -> pd.DataFrame:
    """Monthly output per worker (``unit``, ``period``, ``value``) of ``units`` from ``first`` to ``last``."""
    return measure_panel(service, SectorMeasure("", indicator, "workers"), units, first, last)


def campaign_view(service, name: str, *, horizon: int = 12, n_boot: int = 400) -> CampaignView:
    """The Bass fit, reach forecast ``horizon`` months past the last join, and effect of ``name``."""
    return service._cached(("campaign", name, horizon, n_boot), lambda: _view(service, name, horizon, n_boot))


def _view(service, name: str, horizon: int, n_boot: int) -> CampaignView:
    campaigns = service.store.campaigns().set_index("name")
    if name not in campaigns.index:
        if campaigns.empty:
            raise NotFound(_("no campaign {name} (known: none)", name=repr(name)))
        raise NotFound(_("no campaign {name} (known: {known})", name=repr(name), known=", ".join(campaigns.index)))
    campaign = {"name": name, **campaigns.loc[name].to_dict()}
    members = service.store.campaign_members(name)
    names = service.units().set_index("code")["name"]
    members.insert(2, "name", members["unit"].map(names))
    spreads = sector_spread(service, campaign, members, n_boot=n_boot)
    eligible = len({u for s in spreads for u in s.eligible} | set(members["unit"]))
    fit = fit_bass(members["joined"], eligible=eligible) if len(members) >= 3 else None
    forecast = fit.forecast(horizon) if fit is not None else pd.DataFrame()
    # The headline effect is the movement's own sector's (output per worker); other sectors are in ``sectors``.
    effect, note = _effect(spreads[0].effect, spreads[0].note) if spreads else (None, "too few units to compare")
    as_of = service.store.last_reported_month() or str(members["joined"].max())
    return CampaignView(campaign, members, eligible, fit, forecast, effect, note, horizon,
                        sector_table(service, spreads, as_of), stall(members, eligible, fit, as_of))


def _effect(effect: CampaignEffect | None, reason: str) -> tuple[CampaignEffect | None, str]:
    if effect is None:
        return None, reason or "too few units to compare"
    low, high = (100 * v for v in effect.pre_trend_ci)
    note = _("output per worker, {joined} joined against {never} never joined and those not joined yet; "
             "pre-joining trend {trend} ({low}..{high})", joined=effect.n_joined, never=effect.n_comparison,
             trend=f"{100 * effect.pre_trend:+.1f} %", low=f"{low:+.1f}", high=f"{high:+.1f}")
    return effect, note
