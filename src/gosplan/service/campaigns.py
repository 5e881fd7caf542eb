"""Movements (campaigns): how far they have spread (Bass fit and reach forecast) and what joining changed.

The units that could join a movement are the producing units of the sector of its indicator (a coal
movement is for coal mines). The effect of joining is measured on output per worker, month by
month, against the units of the same sector that had not joined yet (a staggered difference in
differences; see :func:`gosplan.campaigns.campaign_effect` for its assumptions).

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()
>>> campaign_list(service)[["name", "members", "eligible"]].values.tolist()
[['coal-innovation-2023', 12, 16]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from gosplan.campaigns import BassFit, CampaignEffect, campaign_effect, fit_bass
from gosplan.errors import NotFound
from gosplan.i18n import _
from gosplan.model import Period

LIST_COLUMNS = ["name", "origin_unit", "start", "indicator", "members", "eligible", "share_joined",
                "last_join", "description"]
# Months of output per worker before joining that the effect is measured against, and months after
# joining it is averaged over: later months rest on the first few cohorts alone, whose comparison
# straddles the turn of the year when staffing plans change.
PRE_MONTHS = 6
POST_MONTHS = 3


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

    @property
    def effect_percent(self) -> tuple[float, float, float] | None:
        """Effect on output per worker and its interval, in percent."""
        return None if self.effect is None else self.effect.percent


def _eligible_units(service, indicator: str) -> list[str]:
    indicators = service.indicators().set_index("code")
    if indicator not in indicators.index:
        raise NotFound(f"unknown indicator {indicator!r}")
    sector = indicators.loc[indicator, "sector"]
    units = service.units()
    return units.loc[units["sector"].eq(sector), "code"].tolist() if sector else []


def campaign_list(service) -> pd.DataFrame:
    """Every movement with how many units joined out of how many could (``LIST_COLUMNS``)."""
    campaigns = service.store.campaigns()
    members = service.store.campaign_members()
    rows = []
    for c in campaigns.to_dict("records"):
        joined = members[members["campaign"].eq(c["name"])]
        eligible = len(_eligible_units(service, c["indicator"])) or len(joined)
        rows.append({**c, "members": len(joined), "eligible": eligible,
                     "share_joined": len(joined) / eligible if eligible else float("nan"),
                     "last_join": joined["joined"].max() if len(joined) else None})
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def productivity_panel(service, units: list[str], indicator: str, first: str, last: str) -> pd.DataFrame:
    """Monthly output per worker (``unit``, ``period``, ``value``) of ``units`` from ``first`` to ``last``."""
    reports = service.store.reports(indicators=[indicator, "workers"], units=units, first=first, last=last)
    wide = reports.pivot_table(index=["unit", "period"], columns="indicator", values="value")
    if indicator not in wide or "workers" not in wide:
        return pd.DataFrame(columns=["unit", "period", "value"])
    value = (wide[indicator] / wide["workers"]).rename("value")
    return value[value.gt(0) & value.notna()].reset_index()


def campaign_view(service, name: str, *, horizon: int = 12, n_boot: int = 400) -> CampaignView:
    """The Bass fit, reach forecast ``horizon`` months past the last join, and effect of ``name``."""
    return service._cached(("campaign", name, horizon, n_boot), lambda: _view(service, name, horizon, n_boot))


def _view(service, name: str, horizon: int, n_boot: int) -> CampaignView:
    campaigns = service.store.campaigns().set_index("name")
    if name not in campaigns.index:
        known = ", ".join(campaigns.index) or "none"
        raise NotFound(f"no campaign {name!r} (known: {known})")
    campaign = {"name": name, **campaigns.loc[name].to_dict()}
    members = service.store.campaign_members(name)
    names = service.units().set_index("code")["name"]
    members.insert(2, "name", members["unit"].map(names))
    eligible_units = _eligible_units(service, campaign["indicator"])
    eligible = max(len(eligible_units), len(members))
    fit = fit_bass(members["joined"], eligible=eligible) if len(members) >= 3 else None
    forecast = fit.forecast(horizon) if fit is not None else pd.DataFrame()
    effect, note = _effect(service, campaign, members, eligible_units, n_boot)
    return CampaignView(campaign, members, eligible, fit, forecast, effect, note, horizon)


def _effect(service, campaign: dict, members: pd.DataFrame, units: list[str], n_boot: int
            ) -> tuple[CampaignEffect | None, str]:
    if len(members) == 0 or len(units) < 3:
        return None, "too few units to compare"
    start = Period.parse(campaign["start"]).first_month()
    last = Period.parse(str(members["joined"].max())).shift(PRE_MONTHS)
    panel = productivity_panel(service, units, campaign["indicator"], str(start.shift(-PRE_MONTHS)), str(last))
    if panel.empty:
        return None, "no output per worker reported (workers are an input indicator)"
    joined = dict(zip(members["unit"], members["joined"], strict=True))
    try:
        effect = campaign_effect(panel, joined, pre=PRE_MONTHS, post=POST_MONTHS, n_boot=n_boot)
    except ValueError as error:
        return None, str(error)
    low, high = (100 * v for v in effect.pre_trend_ci)
    note = _("output per worker, {joined} joined against {never} never joined and those not joined yet; "
             "pre-joining trend {trend} ({low}..{high})", joined=effect.n_joined, never=effect.n_comparison,
             trend=f"{100 * effect.pre_trend:+.1f} %", low=f"{low:+.1f}", high=f"{high:+.1f}")
    return effect, note
