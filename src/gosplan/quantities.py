"""Units of measure at the boundary (pint).

Inside the store every indicator keeps one canonical unit; values that arrive in another unit
(a mine reporting ``kt`` for an indicator kept in ``t``) are converted on the way in with
:func:`conversion_factor`. Counted things (dwellings, wagons, head of cattle) are units too, so a
report of dwellings in ``t`` is refused rather than silently accepted.

>>> conversion_factor("kt", "t")
1000.0
>>> conversion_factor("GWh", "kWh")
1000000.0
"""

from __future__ import annotations

from functools import lru_cache

import pint

_DEFINITIONS = [
    # Physical-planning units pint does not define, or defines differently.
    "tonne_metric = 1000 * kilogram = t",
    "kilotonne = 1000 * t = kt",
    "megatonne = 1000000 * t = Mt",
    "dwelling = [dwelling] = dwellings = flat = flats",
    "head = [head] = heads",
    "piece = [piece] = pcs = pieces",
    "wagon = [wagon] = wagons",
    "tonne_kilometer = t * km = t_km = tkm",
    "worker = [worker] = workers = persons = person",
    "worker_hour = worker * hour = worker_hours = man_hour = man_hours",
    "machine_hour = [machine_hour] = machine_hours = equipment_hour = equipment_hours",
    "won = [currency_won] = KPW",
    "thousand_won = 1000 * won",
    "million_won = 1000000 * won",
]


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The one unit registry, built on first use (parsing pint's definitions costs about a second;
    the parsed form is cached on disk where the user cache folder is writable)."""
    try:
        reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=":auto:")
    except Exception:  # an unwritable or broken cache folder must not stop the program
        reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for definition in _DEFINITIONS:
        reg.define(definition)
    return reg


_ALIASES = {
    "t-km": "t_km",
    "tkm": "t_km",
    "t km": "t_km",
    "tonne": "t",
    "tonnes": "t",
    "ton": "t",
    "tons": "t",
    "kwh": "kWh",
    "mwh": "MWh",
    "gwh": "GWh",
    "twh": "TWh",
    "mw": "MW",
    "ha": "hectare",
    "m3": "meter**3",
    "m²": "meter**2",
    "m³": "meter**3",
}


class UnitError(ValueError):
    """A unit of measure that is unknown or cannot be converted to the wanted one."""


@lru_cache(maxsize=1024)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit of measure, with the spellings planners use (``t-km``, ``kt``, ``ha``)."""
    cleaned = str(text).strip()
    if not cleaned:
        raise UnitError("empty unit of measure")
    key = _ALIASES.get(cleaned, _ALIASES.get(cleaned.lower(), cleaned))
    try:
        return registry().Unit(key)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError,
            ValueError, TypeError, AssertionError) as exc:
        raise UnitError(f"unknown unit of measure {text!r}") from exc


@lru_cache(maxsize=4096)
def conversion_factor(source: str, target: str) -> float:
    """Multiply a value in ``source`` units by this to express it in ``target`` units."""
    src, dst = parse_unit(source), parse_unit(target)
    try:
        return float(registry().Quantity(1.0, src).to(dst).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {source!r} to {target!r} (different dimensions)") from exc


def is_known_unit(text: str) -> bool:
    try:
        parse_unit(text)
    except UnitError:
        return False
    return True


_DISPLAY_NAMES = {
    "m**3": "m³", "meter**3": "m³", "m**2": "m²", "meter**2": "m²", "t_km": "t-km", "tkm": "t-km",
    "hectare": "ha", "dwelling": "dwellings", "worker": "workers", "machine_hour": "machine-hours",
    "million_won": "million won",
}


#: Units that Korean readers count in their own words (the others keep their symbols: t, kWh, m³, ha).
_KOREAN_NAMES = {"dwelling": "세대", "dwellings": "세대", "worker": "명", "workers": "명", "head": "마리",
                 "piece": "개", "wagon": "량", "machine_hour": "기계시간", "worker_hour": "로동시간", "won": "원"}
#: Money kept in thousands or millions of won is shown in won to Korean readers (who count it in 만/억 원).
_WON_FACTORS = {"thousand_won": 1e3, "million_won": 1e6}


def _korean() -> bool:
    from gosplan.i18n import current_language

    return current_language() == "ko"


def display_unit(unit: str) -> str:
    """The unit as a reader expects to see it: ``m**3`` -> ``m³``, ``t_km`` -> ``t-km``; for Korean readers
    counted things in Korean words (``dwelling`` -> ``세대``)."""
    if _korean():
        if unit in _WON_FACTORS:
            return {"thousand_won": "천 원", "million_won": "백만 원"}[unit]
        if unit in _KOREAN_NAMES:
            return _KOREAN_NAMES[unit]
    return _DISPLAY_NAMES.get(unit, unit)


#: Korean quantities stay in plain digits below this and are counted in 만 and 억 from it.
KOREAN_SCALE_FROM = 1e5


def _korean_scale(value: float, unit: str) -> tuple[float, str, int]:
    """:func:`quantity_scale` for Korean readers: 만 (10⁴) and 억 (10⁸), money in won."""
    from gosplan.i18n.formats import korean_scale

    to_won = _WON_FACTORS.get(unit, 1.0)
    shown = "원" if to_won != 1.0 else display_unit(unit)
    size = abs(value) * to_won
    if size < KOREAN_SCALE_FROM:
        return 1.0 / to_won, shown, 0 if size >= 100 or size == int(size) else 2
    factor, suffix, _ = korean_scale(size)
    counted = size / factor  # three significant digits, as the English scales keep
    return factor / to_won, f"{suffix} {shown}", 2 if counted < 10 else 1 if counted < 100 else 0


_SCALES = {
    "t": [(1e6, "Mt"), (1e3, "kt"), (1, "t")],
    "kWh": [(1e9, "TWh"), (1e6, "GWh"), (1e3, "MWh"), (1, "kWh")],
}


def quantity_scale(value: float, unit: str) -> tuple[float, str, int]:
    """The divisor, the unit label and the decimals :func:`format_quantity` uses for ``value``.

    Tables use it to write a row of quantities in one scale with the unit once.

    >>> quantity_scale(17_100_000, "t")
    (1000000.0, 'Mt', 1)
    >>> quantity_scale(56_140_000, "m**2")
    (1000000.0, 'million m²', 2)
    """
    if _korean():
        return _korean_scale(value, unit)
    for factor, name in _SCALES.get(unit, []):
        if abs(value) >= factor:
            return factor, name, 1
    shown = display_unit(unit)
    if abs(value) >= 1e9:
        return 1e9, f"bn {shown}", 2
    if abs(value) >= 1e6:
        return 1e6, f"million {shown}", 2
    if abs(value) >= 100 or value == int(value):
        return 1.0, shown, 0
    return 1.0, shown, 2


def format_quantity(value: float, unit: str) -> str:
    """A readable quantity, scaled to a round prefix for tonnes and watt-hours.

    >>> format_quantity(17_100_000, "t")
    '17.1 Mt'
    >>> format_quantity(85_000, "t")
    '85.0 kt'
    >>> format_quantity(4_003_090_000, "t_km")
    '4.00 bn t-km'
    >>> from gosplan.i18n import use_language
    >>> with use_language("ko"):
    ...     format_quantity(17_200_000, "t"), format_quantity(15_830, "dwelling"), format_quantity(23.9e9, "kWh")
    ('1,720만 t', '15,830 세대', '239억 kWh')
    """
    if value != value:  # NaN
        return "–"
    factor, name, decimals = quantity_scale(value, unit)
    number = f"{value / factor:,.{decimals}f}"
    if _korean() and name[:1] in ("만", "억"):  # "1,720만 t": the count word joins the number
        if decimals and number.endswith("." + "0" * decimals):
            number = number[: -(decimals + 1)]
        return f"{number}{name}"
    return f"{number} {name}"
