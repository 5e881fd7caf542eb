"""Built-in data sets.

``build_demo(seed)`` returns a :class:`DemoEconomy`: a deterministic, seeded planned economy modelled
on the DPRK's 2021-2025 five-year plan and the July 2023 mid-year plenum, with magnitudes from public
South Korean estimates.

>>> from gosplan.examples import build_demo
>>> demo = build_demo()
>>> sorted(demo.plans["code"])
['ap-2021', 'ap-2022', 'ap-2023', 'fyp-2021-2025']
"""

from .demo import DemoEconomy, build_demo

__all__ = ["DemoEconomy", "build_demo"]
