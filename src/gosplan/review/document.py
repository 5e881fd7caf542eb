"""The review: page one (the stocktake) and the annexes, each annex built by one function.

Page one holds at most seven judgements on the likelihood of delivering the plan, each with a
red/amber/green rating, its owner and the decision asked of the plenum
(:mod:`gosplan.review.stocktake`, from the fact table and the outlook). Everything else is an
annex: a registered section with a heading and a short lead (its summary sentences).

A later capability adds a section by dropping a module into ``gosplan/review/sections/`` that
registers a builder with :func:`section`; it touches no other section::

    @section(order=40, key="forecasts")
    def forecasts(ctx: ReviewContext) -> Section | None:
        ...

A builder returns ``None`` when it has nothing to say for this store (e.g. no projects).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from gosplan.i18n import N_, _, current_language
from gosplan.i18n.formats import format_month, format_year, juche_year
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
    lead: str = ""  # one sentence on what the annex holds (default: ANNEX_LEADS[key])

    @property
    def lead_text(self) -> str:
        return self.lead or annex_lead(self.key)


# What each annex holds, said in one sentence under its heading; its findings follow.
ANNEX_LEADS = {
    "sectors": N_("Each sector's fulfilment of the plan to date, like for like, its change on a year ago and the "
                  "units behind plan; the national index and its weights."),
    "indicators": N_("The key indicators nationally: target and actual to date, the year's plan done and what the "
                     "rest of the year needs."),
    "league": N_("The provinces ranked by their fulfilment of the key indicators."),
    "leaders": N_("The enterprises and farms furthest above and below their own plan."),
    "charts": N_("Cumulative output since January against the plan's trajectory and last year, nationally."),
    "balance": N_("What the fulfilment means for the whole economy through the input-output table, and the "
                  "capacities that bind the year's plan."),
    "forecasts": N_("The year-end outlook for each key indicator and province, the targets at risk, and the "
                    "open alerts."),
    "projects": N_("The construction projects' schedule and cost performance, and the dwellings they deliver."),
    "reserves": N_("Output the units could make with their own inputs at the best practice of their sector, "
                   "and the emulation movements."),
    "risk": N_("The weather's risk to the grain target and the measures that reduce it best for the money."),
    "actions": N_("The actions proposed from these findings, with owners, due dates and checks, and how the "
                  "actions accepted earlier are doing."),
    "not_reported": N_("Units with a target that missed at least one monthly report in the period."),
}


def annex_lead(key: str) -> str:
    """The lead sentence of annex ``key`` in the reader's language (empty for an annex without one)."""
    lead = ANNEX_LEADS.get(key, "")
    return _(lead) if lead else ""


@dataclass
class ReviewContext:
    """What a section builder may use: the service (and through it the store and engines).

    Expensive results are shared between the sections (and page one) through :meth:`memo`; the
    fact table and the outlook are read once per review.
    """

    service: Service
    period: str
    _memo: dict[str, Any] = field(default_factory=dict)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stocktake: Any = None

    @property
    def year(self) -> int:
        return Period.parse(self.period).year

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Share an expensive result between sections."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def facts(self) -> pd.DataFrame:
        """The fact table of the review's period (year to date), read once."""
        return self.memo("facts", lambda: self.service.facts(self.period))

    def outlook(self) -> pd.DataFrame | None:
        """The year-end outlook per unit and indicator (columns unit, indicator, expected_fulfilment,
        p_attain, ...) from the first registered provider that has one, else ``None``."""
        for i, provider in enumerate(_OUTLOOK_PROVIDERS):
            frame = self.memo(f"_outlook_{i}", lambda provider=provider: provider(self))
            if frame is not None and len(frame):
                return frame
        return None

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
OutlookProvider = Callable[[ReviewContext], "pd.DataFrame | None"]
_OUTLOOK_PROVIDERS: list[OutlookProvider] = []


def outlook_provider(provider: OutlookProvider) -> OutlookProvider:
    """Register a function returning the year-end outlook frame for page one (see :meth:`ReviewContext.outlook`)."""
    if provider not in _OUTLOOK_PROVIDERS:
        _OUTLOOK_PROVIDERS.append(provider)
    return provider


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
    """Page one (``stocktake``, a :class:`gosplan.review.stocktake.PageOne`) and the annexes (``sections``)."""

    period: str
    title: str
    sections: list[Section]
    generated_at: datetime
    stocktake: Any = None
    # Which reports the figures count: "provisional" (all current ones) or "official" (approved only).
    basis: str = "provisional"

    @property
    def basis_label(self) -> str:
        """The sentence saying which figures the review shows."""
        from gosplan.service.workflow import basis_label

        return basis_label(self.basis)

    @property
    def summary(self) -> list[str]:
        """Every annex's lead sentences, in order."""
        return [line for s in self.sections for line in s.summary]

    @property
    def annexes(self) -> list[tuple[str, Section]]:
        """(letter, section) of each annex: A, B, C..."""
        return [(annex_letter(i), s) for i, s in enumerate(self.sections)]

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


def annex_letter(i: int) -> str:
    """``0 -> 'A'``, ``25 -> 'Z'``, ``26 -> 'AA'``."""
    return chr(65 + i) if i < 26 else annex_letter(i // 26 - 1) + chr(65 + i % 26)


def build_sections(ctx: ReviewContext, only: list[str] | None = None,
                   timings: dict[str, float] | None = None) -> list[Section]:
    """Page one (into ``ctx.stocktake``) and every registered annex; ``timings`` collects seconds per step."""
    from gosplan.review.stocktake import page_one

    def timed(key: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return fn()
        finally:
            if timings is not None:
                timings[key] = timings.get(key, 0.0) + time.perf_counter() - start

    sections = []
    for order, key, builder in registered_sections():
        if only and key not in only:
            continue
        built = timed(key, lambda builder=builder: builder(ctx))
        if built is not None:
            built.order = order
            built.lead = built.lead_text  # in the language the review is built in
            sections.append(built)
    if not only:
        ctx.stocktake = timed("page one", lambda: page_one(ctx))
    return sections


def review_title(period: str) -> str:
    return _("Review of plan fulfilment, {period}", period=period_name(Period.parse(period)))


def review_basis(service: Service, basis: str | None = None) -> str:
    """The basis a review shows: ``basis`` if given, else official once any approval is recorded
    (provisional while nobody approves anything)."""
    from gosplan.service.workflow import approval_on

    if basis is not None:
        return basis
    return "official" if approval_on(service) else "provisional"


def build_review(service: Service, period: str, only: list[str] | None = None, basis: str | None = None) -> Review:
    """Page one and every registered annex for ``period`` (any month, quarter, half or year), on
    ``basis`` (see :func:`review_basis`).

    ``only`` builds just those annexes (and no page one), e.g. for a test of one section.
    """
    shown = review_basis(service, basis)
    ctx = ReviewContext(service.on_basis(shown), str(Period.parse(period)))
    sections = build_sections(ctx, only)
    return Review(ctx.period, review_title(ctx.period), sections, ctx.generated_at, ctx.stocktake, basis=shown)


def period_label(period: str) -> str:
    """A period inside a sentence: its code in English ("2023-H1"), its name for other readers ("2023년 상반기")."""
    return str(period) if current_language() == "en" else period_name(Period.parse(period))


def juche_years() -> bool:
    """Whether the review names the Juche year beside the Gregorian one (``GOSPLAN_JUCHE=1``)."""
    return os.environ.get("GOSPLAN_JUCHE", "").strip().lower() in ("1", "yes", "true", "on")


def year_text(year: int) -> str:
    """A year inside a period's name: "2023", or with :func:`juche_years` "2023 (Juche 112)" / "주체112(2023)"."""
    if not juche_years():
        return str(year)
    return f"주체{juche_year(year)}({year})" if current_language() == "ko" else f"{year} (Juche {juche_year(year)})"


def period_name(p: Period) -> str:
    """A period as its reader names it: "first half of 2023" / "2023년 상반기", "June 2023" / "2023년 6월"."""
    if p.kind == "H":
        if p.index == 1:
            return _("first half of {year}", year=year_text(p.year))
        return _("second half of {year}", year=year_text(p.year))
    if p.kind == "Q":
        return _("quarter {quarter} of {year}", quarter=p.index, year=year_text(p.year))
    if p.kind == "M":
        return format_month(p.start_date(), juche=juche_years())
    return format_year(p.year, juche=juche_years())

