"""The domain vocabulary of gosplan: units, sectors, indicators, plans, targets, reports, actions.

The month is the base grain of time. Targets may be set for a year, a half, a quarter or a month;
reports are always monthly. :class:`Period` parses and names all of them::

    >>> Period.parse("2023-H1").months()[-1]
    Period('2023-06')
    >>> Period.parse("2023-06").year_to_date().label
    '2023-01..2023-06'

Table-shaped data travels between layers as pandas DataFrames whose columns are listed in the
``*_COLUMNS`` constants below; the store, the importers and the engines all speak these columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from gosplan.errors import InvalidValue
from gosplan.i18n import _

_PERIOD_LENGTH = {"Y": 12, "H": 6, "Q": 3, "M": 1}

Aggregation = Literal["sum", "mean", "last", "max"]
Direction = Literal["higher", "lower"]
PeriodKind = Literal["Y", "H", "Q", "M"]

AGGREGATIONS: tuple[str, ...] = ("sum", "mean", "last", "max")
DIRECTIONS: tuple[str, ...] = ("higher", "lower")
STATUS_CLASSES: tuple[str, ...] = ("exceeding", "on track", "at risk", "lagging", "missing", "no target")

# Columns of the frames exchanged between the store, importers, engines and interfaces.
SECTOR_COLUMNS = ["code", "name", "parent"]
UNIT_COLUMNS = ["code", "name", "kind", "parent", "sector"]
INDICATOR_COLUMNS = [
    "code",
    "name",
    "unit",
    "aggregation",
    "time_aggregation",
    "direction",
    "sector",
    "key",
    "role",
]
# An indicator's metadata (stored beside it, optional in an indicators file): what the figure is, how it
# is calculated, where it comes from, which body answers for it, how often it is reported.
INDICATOR_METADATA_COLUMNS = ["definition", "method", "source", "responsible", "frequency"]
#: The metadata written in words (frequency is a code): each has a Korean column, ``definition_ko``...
INDICATOR_TEXT_COLUMNS = ["definition", "method", "source", "responsible"]
INDICATOR_TEXT_COLUMNS_KO = [f"{column}_ko" for column in INDICATOR_TEXT_COLUMNS]
FREQUENCIES: tuple[str, ...] = ("monthly", "quarterly", "half-yearly", "annual")
ROLES: tuple[str, ...] = ("output", "input")
PLAN_COLUMNS = ["code", "name", "kind", "start_year", "end_year", "parent"]
TARGET_COLUMNS = ["plan", "indicator", "unit", "period", "value"]
REPORT_COLUMNS = ["indicator", "unit", "period", "value"]
REPORT_HISTORY_COLUMNS = [*REPORT_COLUMNS, "revision", "source", "recorded_by", "recorded_at"]
ACTION_COLUMNS = [
    "id",
    "title",
    "owner_unit",
    "plan",
    "indicator",
    "unit",
    "period",
    "due",
    "status",
    "check",
    "origin",
    "created_at",
]
ACTION_STATUSES: tuple[str, ...] = ("proposed", "accepted", "in progress", "done", "rejected")

_PERIOD_RE = re.compile(
    r"^\s*(?P<year>\d{4})(?:-(?:(?P<half>[Hh][12])|(?P<quarter>[Qq][1-4])|(?P<month>\d{1,2})))?\s*$"
)


@dataclass(frozen=True)
class Period:
    """A year, half-year, quarter or month.

    Text forms: ``2023``, ``2023-H1``, ``2023-Q3``, ``2023-06``. Periods sort by their first month,
    then by length (a year sorts before its first half, which sorts before its first quarter).
    """

    year: int
    kind: PeriodKind
    index: int = 1

    def __post_init__(self) -> None:
        limit = {"Y": 1, "H": 2, "Q": 4, "M": 12}.get(self.kind)
        if limit is None:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not 1 <= self.index <= limit:
            raise ValueError(f"{self.kind} index must be 1..{limit}, got {self.index}")
        if not 1000 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """Parse ``2023``, ``2023-H1``, ``2023-Q2`` or ``2023-06`` (also ``2023-6``).

        >>> Period.parse("2023-q2")
        Period('2023-Q2')
        """
        if isinstance(text, Period):
            return text
        match = _PERIOD_RE.match(str(text))
        if not match:
            raise InvalidValue(_("not a period: {text} (expected 2023, 2023-H1, 2023-Q2 or 2023-06)", text=repr(text)))
        year = int(match["year"])
        if year < 1000:
            raise InvalidValue(_("not a period: {text} (the year must be 1000..9999)", text=repr(text)))
        if match["half"]:
            return cls(year, "H", int(match["half"][1]))
        if match["quarter"]:
            return cls(year, "Q", int(match["quarter"][1]))
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise InvalidValue(_("not a period: {text} (month must be 01..12)", text=repr(text)))
            return cls(year, "M", month)
        return cls(year, "Y", 1)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, "M", month)

    @classmethod
    def from_ordinal(cls, ordinal: int) -> Period:
        """The month with :attr:`ordinal` (months since year 0)."""
        return cls(ordinal // 12, "M", ordinal % 12 + 1)

    @property
    def length(self) -> int:
        """Number of months covered."""
        return _PERIOD_LENGTH[self.kind]

    @property
    def first_month_number(self) -> int:
        return (self.index - 1) * self.length + 1

    @property
    def ordinal(self) -> int:
        """Months since year 0 of the first month: a fast integer key for month arithmetic."""
        return self.year * 12 + self.first_month_number - 1

    @property
    def label(self) -> str:
        return str(self)

    def months(self) -> list[Period]:
        """The months this period covers, in order."""
        start = self.first_month_number
        return [Period(self.year, "M", m) for m in range(start, start + self.length)]

    def first_month(self) -> Period:
        return Period(self.year, "M", self.first_month_number)

    def last_month(self) -> Period:
        return Period(self.year, "M", self.first_month_number + self.length - 1)

    def contains(self, other: Period) -> bool:
        return self.ordinal <= other.ordinal and other.last_month().ordinal <= self.last_month().ordinal

    def shift(self, months: int) -> Period:
        """Shift a month by ``months`` (only for monthly periods)."""
        if self.kind != "M":
            raise ValueError("shift works on months; use previous_year() for other periods")
        return Period.from_ordinal(self.ordinal + months)

    def previous_year(self) -> Period:
        """The same period one year earlier."""
        return Period(self.year - 1, self.kind, self.index)

    def year_period(self) -> Period:
        return Period(self.year, "Y", 1)

    def year_to_date(self) -> MonthRange:
        """January of the same year up to the last month of this period."""
        return MonthRange(Period(self.year, "M", 1), self.last_month())

    def start_date(self) -> date:
        return date(self.year, self.first_month_number, 1)

    def __str__(self) -> str:
        if self.kind == "Y":
            return f"{self.year}"
        if self.kind == "M":
            return f"{self.year}-{self.index:02d}"
        return f"{self.year}-{self.kind}{self.index}"

    def __repr__(self) -> str:
        return f"Period('{self}')"

    def _sort_key(self) -> tuple[int, int]:
        return (self.ordinal, -self.length)

    def __lt__(self, other: Period) -> bool:
        return self._sort_key() < other._sort_key()

    def __le__(self, other: Period) -> bool:
        return self._sort_key() <= other._sort_key()

    def __gt__(self, other: Period) -> bool:
        return self._sort_key() > other._sort_key()

    def __ge__(self, other: Period) -> bool:
        return self._sort_key() >= other._sort_key()


@dataclass(frozen=True)
class MonthRange:
    """An inclusive range of months, e.g. the year to date."""

    first: Period
    last: Period

    def months(self) -> list[Period]:
        return [Period.from_ordinal(o) for o in range(self.first.ordinal, self.last.ordinal + 1)]

    @property
    def label(self) -> str:
        return f"{self.first}..{self.last}"

    def __len__(self) -> int:
        return self.last.ordinal - self.first.ordinal + 1


def month_label(ordinal: int) -> str:
    """``'2023-06'`` for a month ordinal; the canonical month text used in the store."""
    return f"{ordinal // 12}-{ordinal % 12 + 1:02d}"


def month_ordinal(label: str) -> int:
    """Inverse of :func:`month_label`; accepts only canonical ``YYYY-MM`` text."""
    return int(label[:4]) * 12 + int(label[5:7]) - 1


@dataclass(frozen=True)
class Sector:
    code: str
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class Unit:
    """A reporting unit: the country, a province, a county, an enterprise."""

    code: str
    name: str
    kind: str
    parent: str | None = None
    sector: str | None = None


@dataclass(frozen=True)
class Indicator:
    """A measured quantity with its canonical unit of measure and how it aggregates.

    ``aggregation`` says how values combine over units, ``time_aggregation`` over months
    (one of sum, mean, last, max). ``direction`` is ``"higher"`` when more is better. ``role`` is
    ``"output"`` for plan indicators and ``"input"`` for resources a producing unit uses (workers,
    equipment hours, energy, materials), which are reported like outputs and feed the reserves engine.
    """

    code: str
    name: str
    unit: str
    aggregation: Aggregation = "sum"
    time_aggregation: Aggregation = "sum"
    direction: Direction = "higher"
    sector: str | None = None
    key: bool = False
    role: str = "output"


@dataclass(frozen=True)
class Plan:
    """A five-year plan (kind ``five-year``) or an annual plan under it (kind ``annual``)."""

    code: str
    name: str
    kind: str
    start_year: int
    end_year: int
    parent: str | None = None


@dataclass(frozen=True)
class Target:
    plan: str
    indicator: str
    unit: str
    period: str
    value: float


@dataclass(frozen=True)
class Report:
    """One revision of an actual monthly value. The current value is the highest revision."""

    indicator: str
    unit: str
    period: str
    value: float
    revision: int = 1
    source: str = ""
    recorded_by: str = ""
    recorded_at: datetime | None = None


@dataclass
class Action:
    """An item of the action plan: who does what by when, linked to a target, with a check."""

    title: str
    owner_unit: str
    due: date
    plan: str | None = None
    indicator: str | None = None
    unit: str | None = None
    period: str | None = None
    status: str = "proposed"
    check: str = ""
    origin: str = ""
    id: int | None = None
    created_at: datetime | None = None
    details: dict = field(default_factory=dict)
