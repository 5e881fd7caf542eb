"""Numbers, quantities and dates in the reader's language.

English keeps the SI-style scales of :mod:`gosplan.quantities` (17.1 Mt, 4.00 bn t-km). Korean readers
count large quantities in 만 (10⁴) and 억 (10⁸): 17,100,000 t is "1,710만 t" and 23.9 billion kWh is
"239억 kWh"; months are written "2023년 6월", and the Juche year may stand beside the Gregorian one.

>>> from gosplan.i18n import use_language
>>> with use_language("ko"):
...     format_month("2023-06"), format_month("2023-06", juche=True), korean_quantity(17_100_000, "t")
('2023년 6월', '주체112(2023)년 6월', '1,710만 t')
>>> format_month("2023-06")
'June 2023'
>>> korean_quantity(23_900_000_000, "kWh")
'239억 kWh'
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

from gosplan.i18n import current_language

#: The year 1 of the Juche calendar is 1912 (Kim Il Sung's birth year).
JUCHE_EPOCH = 1911


def juche_year(year: int) -> int:
    """The Juche year of a Gregorian year (2023 -> 112); years before 1912 have none."""
    if year <= JUCHE_EPOCH:
        raise ValueError(f"the Juche calendar starts in 1912; {year} has no Juche year")
    return year - JUCHE_EPOCH


def format_number(value: float, decimals: int = 0) -> str:
    """``value`` with digit grouping and ``decimals`` decimals ("–" for a missing value).

    Korean and English both group by thousands with a comma and use a decimal point.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{decimals}f}"


def korean_scale(value: float) -> tuple[float, str, int]:
    """The divisor, the suffix and the decimals for a quantity counted the Korean way:
    억 from 10⁸, 만 from 10⁴ (one decimal below 100만 and 10억), plain below 10⁴."""
    size = abs(value)
    if size >= 1e8:
        return 1e8, "억", 1 if size < 1e9 else 0
    if size >= 1e4:
        return 1e4, "만", 1 if size < 1e6 else 0
    return 1.0, "", 0 if size >= 100 or value == int(value) else 2


def korean_quantity(value: float, unit_label: str) -> str:
    """``value`` of ``unit_label`` in 만/억 ("1,710만 t", "8.5만 t", "239억 kWh"); "–" when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    factor, suffix, decimals = korean_scale(value)
    number = f"{value / factor:,.{decimals}f}"
    if decimals and number.endswith("." + "0" * decimals) and factor > 1:
        number = number[: -(decimals + 1)]
    return f"{number}{suffix} {unit_label}".strip()


def _year_month(period: str | dt.date) -> tuple[int, int]:
    if isinstance(period, dt.date):
        return period.year, period.month
    year, _, month = str(period).partition("-")
    return int(year), int(month[:2])


def format_month(period: str | dt.date, *, juche: bool = False) -> str:
    """A month as its reader writes it: "June 2023" / "2023년 6월" (with ``juche``: "주체112(2023)년 6월")."""
    year, month = _year_month(period)
    if current_language() == "ko":
        shown = f"주체{juche_year(year)}({year})" if juche else str(year)
        return f"{shown}년 {month}월"
    shown = f"{year} (Juche {juche_year(year)})" if juche else str(year)
    return f"{calendar.month_name[month]} {shown}"


def format_month_name(period: str | dt.date, *, short: bool = False) -> str:
    """A month without its year: "September" / "9월" (with ``short``: "Sep" / "9월").

    >>> format_month_name("2023-09"), format_month_name("2023-07", short=True)
    ('September', 'Jul')
    """
    _year, month = _year_month(period)
    if current_language() == "ko":
        return f"{month}월"
    return (calendar.month_abbr if short else calendar.month_name)[month]


def format_date(day: dt.date, *, juche: bool = False) -> str:
    """A date as its reader writes it: "31 December 2023" / "2023년 12월 31일"."""
    if current_language() == "ko":
        shown = f"주체{juche_year(day.year)}({day.year})" if juche else str(day.year)
        return f"{shown}년 {day.month}월 {day.day}일"
    shown = f"{day.year} (Juche {juche_year(day.year)})" if juche else str(day.year)
    return f"{day.day} {calendar.month_name[day.month]} {shown}"


def format_year(year: int, *, juche: bool = False) -> str:
    """A year: "2023" / "2023년", with ``juche`` "2023 (Juche 112)" / "주체112(2023)년"."""
    if current_language() == "ko":
        return f"주체{juche_year(year)}({year})년" if juche else f"{year}년"
    return f"{year} (Juche {juche_year(year)})" if juche else str(year)


def format_period(text: str) -> str:
    """A period or window label in the reader's words; English keeps the canonical text.

    Korean: "2023-06" -> "2023년 6월", "2023-H1" -> "2023년 상반기", "2023-Q2" -> "2023년 2분기",
    "2023-01..2023-06" -> "2023년 1월~6월", "2023-06..2023-06" -> "2023년 6월".

    >>> from gosplan.i18n import use_language
    >>> with use_language("ko"):
    ...     format_period("2023-01..2023-06"), format_period("2023-06..2023-06"), format_period("2023-H1")
    ('2023년 1월~6월', '2023년 6월', '2023년 상반기')
    >>> format_period("2023-01..2023-06")
    '2023-01..2023-06'
    """
    if current_language() != "ko":
        return text
    first, dots, last = text.partition("..")
    if dots:
        (y1, m1), (y2, m2) = _year_month(first), _year_month(last)
        if (y1, m1) == (y2, m2):  # a window of one month
            return f"{y1}년 {m1}월"
        return f"{y1}년 {m1}월~{m2}월" if y1 == y2 else f"{y1}년 {m1}월~{y2}년 {m2}월"
    year, dash, part = text.partition("-")
    if not year.isdigit():
        return text
    if not dash:
        return f"{year}년"
    if part[:1] in "Hh" and part[1:].isdigit():
        return f"{year}년 {'상' if part[1:] == '1' else '하'}반기"
    if part[:1] in "Qq" and part[1:].isdigit():
        return f"{year}년 {int(part[1:])}분기"
    if part.isdigit():
        return format_month(text)
    return text


__all__ = [
    "JUCHE_EPOCH",
    "format_date",
    "format_month",
    "format_month_name",
    "format_number",
    "format_period",
    "format_year",
    "juche_year",
    "korean_quantity",
    "korean_scale",
]
