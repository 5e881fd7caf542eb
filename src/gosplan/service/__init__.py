"""Use cases: load frames from the store, call the engines, write results back.

The only package that knows both the store and the engines. :class:`Service` (``core.py``) holds
the store, the batch runner and cached reference frames, and answers the foundation's questions
(fulfilment, status, import, export, the demo). Each later capability adds a module here with
functions that take the service as their first argument (``forecasts.py``, ``reserves.py``...), so
that the CLI, the API, the web pages and the review all call the same code.
"""

from gosplan.service.core import BY_CHOICES, Service, StatusView

__all__ = ["BY_CHOICES", "Service", "StatusView"]
