"""Year-end forecasts, probability of attaining targets, exceptions and alerts.

The public face of :mod:`gosplan.engines.forecast`::

    from gosplan.forecast import attainment, detect, make_alerts, escalate
"""

from gosplan.engines.forecast import *  # noqa: F403
from gosplan.engines.forecast import __all__  # noqa: F401
