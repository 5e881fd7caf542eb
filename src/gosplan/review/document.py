"""The review as a list of sections, each built by one function from the service's results.

A later capability adds a section by dropping a module into ``gosplan/review/sections/`` that
registers a builder with :func:`section`; it touches no other section::

    @section(order=40, key="forecasts")
    def forecasts(ctx: ReviewContext) -> Section | None:
        ...

A builder returns ``None`` when it has nothing to say for this store (e.g. no projects).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from gosplan.model import Period

if TYPE_CHECKING:
    from gosplan.service import Service


@dataclass
class Section:
    """One part of the review: its sentences for the summary, its HTML body and its tables."""

    key: str
    title: str
    body_html: str = ""
    summary: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    order: int = 100


@dataclass
class ReviewContext:
    """What a section builder may use: the service (and through it the store and engines)."""

    service: Service
    period: str
    _memo: dict[str, Any] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return Period.parse(self.period).year

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Share an expensive result between sections."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


    def annual_probability(self, indicator: str) -> float | None:
        """P(annual target of ``indicator`` met nationally), if a registered provider knows it.

        The forecast capability registers a provider with :func:`probability_provider`; without one
        the summary simply leaves the probability out.
        """
        for i, provider in enumerate(_PROBABILITY_PROVIDERS):
            values = self.memo(f"_probability_{i}", lambda provider=provider: provider(self) or {})
            if indicator in values:
                return float(values[indicator])
        return None


ProbabilityProvider = Callable[[ReviewContext], "dict[str, float] | None"]
_PROBABILITY_PROVIDERS: list[ProbabilityProvider] = []


def probability_provider(provider: ProbabilityProvider) -> ProbabilityProvider:
    """Register a function returning ``{indicator: P(annual target met)}`` for the summary sentences."""
    if provider not in _PROBABILITY_PROVIDERS:
        _PROBABILITY_PROVIDERS.append(provider)
    return provider


SectionBuilder = Callable[[ReviewContext], "Section | None"]
_BUILDERS: dict[str, tuple[int, SectionBuilder]] = {}


def section(order: int, key: str) -> Callable[[SectionBuilder], SectionBuilder]:
    """Register a section builder; ``order`` places it in the document."""

    def register(builder: SectionBuilder) -> SectionBuilder:
        _BUILDERS[key] = (order, builder)
        return builder

    return register


def registered_sections() -> list[tuple[int, str, SectionBuilder]]:
    import gosplan.review.sections as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return sorted((order, key, builder) for key, (order, builder) in _BUILDERS.items())


@dataclass
class Review:
    period: str
    title: str
    sections: list[Section]
    generated_at: datetime

    @property
    def summary(self) -> list[str]:
        return [line for s in self.sections for line in s.summary]

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


def build_review(service: Service, period: str, only: list[str] | None = None) -> Review:
    """Run every registered section builder for ``period`` (e.g. ``2023-H1``)."""
    p = Period.parse(period)
    ctx = ReviewContext(service, str(p))
    sections = []
    for order, key, builder in registered_sections():
        if only and key not in only:
            continue
        built = builder(ctx)
        if built is not None:
            built.order = order
            sections.append(built)
    title = f"Review of plan fulfilment, {_period_name(p)}"
    return Review(str(p), title, sections, datetime.now(UTC))


def _period_name(p: Period) -> str:
    if p.kind == "H":
        return f"{'first' if p.index == 1 else 'second'} half of {p.year}"
    if p.kind == "Q":
        return f"quarter {p.index} of {p.year}"
    if p.kind == "M":
        return p.start_date().strftime("%B %Y")
    return str(p.year)
