"""Year-end forecasts, P(attain target), exception detection and alerts (pure engine).

Series are named by ``series_id``; the service layer uses ``"indicator|unit"`` (see
:func:`gosplan.engines.forecast.alerts.split_series_id`).
"""

from gosplan.engines.forecast.alerts import (
    ALERT_COLUMNS,
    ESCALATION_COLUMNS,
    chains,
    escalate,
    lowest_alerts,
    make_alerts,
    readable,
    series_id,
    split_series_id,
)
from gosplan.engines.forecast.annual import ATTAINMENT_COLUMNS, attainment
from gosplan.engines.forecast.exceptions import EXCEPTION_COLUMNS, detect, missing_months

__all__ = ["ALERT_COLUMNS", "ATTAINMENT_COLUMNS", "ESCALATION_COLUMNS", "EXCEPTION_COLUMNS", "attainment",
           "chains", "detect", "escalate", "lowest_alerts", "make_alerts", "missing_months", "readable",
           "series_id", "split_series_id"]
