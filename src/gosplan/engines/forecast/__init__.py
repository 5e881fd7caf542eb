"""Year-end forecasts, P(attain target), exception detection and alerts (pure engine).

Series are named by ``series_id``; the service layer uses ``"indicator|unit"`` (see
:func:`gosplan.engines.forecast.alerts.split_series_id`).
"""

from gosplan.engines.forecast.annual import ATTAINMENT_COLUMNS, attainment

__all__ = ["ATTAINMENT_COLUMNS", "attainment"]
