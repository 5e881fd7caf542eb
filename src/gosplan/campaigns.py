"""Movements (campaigns): Bass diffusion of joins and the effect of joining on productivity.

The public import path of :mod:`gosplan.engines.campaigns`::

    >>> from gosplan.campaigns import fit_bass, campaign_effect
"""

from gosplan.engines.campaigns import (
    EVENT_STUDY_COLUMNS,
    FORECAST_COLUMNS,
    BassFit,
    CampaignEffect,
    bass_cumulative,
    campaign_effect,
    fit_bass,
)

__all__ = ["EVENT_STUDY_COLUMNS", "FORECAST_COLUMNS", "BassFit", "CampaignEffect", "bass_cumulative",
           "campaign_effect", "fit_bass"]
