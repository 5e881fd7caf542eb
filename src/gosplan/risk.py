"""Weather risk for agricultural targets (public import path).

See :mod:`gosplan.engines.risk` for the model, its parameters and their defaults.
"""

from gosplan.engines.risk import (
    DEFAULT_QUANTILES,
    FARM_COLUMNS,
    KINDS,
    MEASURE_COLUMNS,
    RANKING_COLUMNS,
    WEATHER_EVENT_COLUMNS,
    Exposure,
    Measure,
    RiskResult,
    WeatherRiskModel,
    WeatherRiskParameters,
    event_losses,
    fit_province_risk,
    fit_weather_risk,
    measures_from_frame,
    parse_events,
)

__all__ = [
    "DEFAULT_QUANTILES",
    "FARM_COLUMNS",
    "KINDS",
    "MEASURE_COLUMNS",
    "RANKING_COLUMNS",
    "WEATHER_EVENT_COLUMNS",
    "Exposure",
    "Measure",
    "RiskResult",
    "WeatherRiskModel",
    "WeatherRiskParameters",
    "event_losses",
    "fit_province_risk",
    "fit_weather_risk",
    "measures_from_frame",
    "parse_events",
]
