"""The action plan: turn the engines' findings into concrete, checkable actions (pure, no I/O).

A *proposer* is a function from :class:`Findings` to a list of :class:`ProposedAction`. Proposers
live in modules of :mod:`gosplan.engines.proposers` and register themselves with
:func:`proposer`; every module there is imported when actions are proposed, so a capability
(reserves: learn from peers; balance: relieve a binding capacity; forecast: targets at risk) adds
its own proposer by dropping in a module, without touching the others::

    @proposer("reserves", needs=("peers",))
    def learn_from_peers(findings: Findings) -> list[ProposedAction]:
        ...

A proposer runs only when the findings hold every table it ``needs``. Each action names an owner
unit, a linked target (indicator, unit, period), a due date and a measurable check; ``details``
keeps the numbers the check is judged by (``metric`` and ``baseline``).

>>> import pandas as pd
>>> fulfilment = pd.DataFrame([{"unit": "mine.a", "unit_name": "Mine A", "indicator": "coal",
...     "indicator_name": "Coal", "uom": "t", "target": 100.0, "actual": 80.0, "fulfilment": 0.8,
...     "status": "lagging", "annual_target": 200.0, "months_left": 6, "required_rate": 20.0,
...     "rate_to_date": 13.3, "key": True}])
>>> actions = propose(Findings("2023-H1", {"laggards": fulfilment}))
>>> actions.loc[0, "title"]
'Close the gap of 20.0 t in Coal at Mine A by 2023-12-31: 20.0 t a month from July'
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from gosplan.model import Period

PROPOSAL_COLUMNS = ["title", "owner_unit", "due", "plan", "indicator", "unit", "period", "check", "origin",
                    "details"]


@dataclass
class ProposedAction:
    """One proposed action; ``origin`` names the proposer, ``details`` the numbers behind it."""

    title: str
    owner_unit: str
    due: date
    indicator: str | None
    unit: str | None
    period: str | None
    check: str
    origin: str
    plan: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Findings:
    """What the engines found for a period: named tables (e.g. ``laggards``, ``projects``,
    ``risk_measures``) and named values (e.g. ``as_of``, ``risk_summary``)."""

    period: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def as_of(self) -> Period:
        """The last month the findings cover."""
        return Period.parse(self.values.get("as_of") or self.period).last_month()

    def has(self, names: Sequence[str]) -> bool:
        return all(name in self.tables and self.tables[name] is not None for name in names)


Proposer = Callable[[Findings], list[ProposedAction]]
_PROPOSERS: dict[str, tuple[tuple[str, ...], Proposer]] = {}


def proposer(name: str, needs: Sequence[str] = ()) -> Callable[[Proposer], Proposer]:
    """Register a proposer under ``name``; it runs when the findings have every table in ``needs``."""

    def register(function: Proposer) -> Proposer:
        _PROPOSERS[name] = (tuple(needs), function)
        return function

    return register


def registered_proposers() -> dict[str, tuple[tuple[str, ...], Proposer]]:
    """Every proposer, after importing the modules of :mod:`gosplan.engines.proposers`."""
    import gosplan.engines.proposers as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return dict(_PROPOSERS)


def propose(findings: Findings, only: Sequence[str] | None = None) -> pd.DataFrame:
    """Run the registered proposers on ``findings``; one row per action (:data:`PROPOSAL_COLUMNS`)."""
    actions: list[ProposedAction] = []
    for name, (needs, function) in sorted(registered_proposers().items()):
        if (only is None or name in only) and findings.has(needs):
            for action in function(findings):
                # The review shows the proposals stored for its own period; tracking measures from there.
                action.details.setdefault("proposed_for", findings.period)
                actions.append(action)
    return pd.DataFrame([asdict(a) for a in actions], columns=PROPOSAL_COLUMNS)


# -- helpers shared by proposers ---------------------------------------------------------------------

def month_end(period: Period) -> date:
    """The last day of the month ``period``."""
    nxt = period.last_month().shift(1)
    return date.fromordinal(nxt.start_date().toordinal() - 1)


def month_name(period: Period) -> str:
    return period.start_date().strftime("%B")


def worded(template: str, /, months: tuple[str, ...] = (), words: tuple[str, ...] = (),
           **values: object) -> tuple[str, dict]:
    """An action's text in English and the record to make it again in another language at the edge.

    ``template`` is the English message with named placeholders; ``values`` are JSON-ready numbers
    and strings; the keys in ``months`` hold month codes printed as month names, those in ``words``
    English words the edge translates. Engines keep their numbers and codes; the words are the edge's.

    >>> text, record = worded("Raise {what} from {month}", months=("month",), what="coal", month="2023-07")
    >>> text, record["values"]["month"]
    ('Raise coal from July', '2023-07')
    """
    shown = {key: month_name(Period.parse(str(value))) if key in months else value for key, value in values.items()}
    record = {"template": template, "values": values, "months": list(months), "words": list(words)}
    return template.format(**shown), record


def finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
