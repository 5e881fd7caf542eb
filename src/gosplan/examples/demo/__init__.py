"""The built-in demo economy (see :func:`build_demo`); magnitudes and sources in ``FIGURES.md``."""

from .economy import DemoEconomy, build_demo

__all__ = ["DemoEconomy", "build_demo"]
