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

_REGISTRY = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
# Physical-planning units pint does not define, or defines differently.
_REGISTRY.define("tonne_metric = 1000 * kilogram = t")
_REGISTRY.define("kilotonne = 1000 * t = kt")
_REGISTRY.define("megatonne = 1000000 * t = Mt")
_REGISTRY.define("dwelling = [dwelling] = dwellings = flat = flats")
_REGISTRY.define("head = [head] = heads")
_REGISTRY.define("piece = [piece] = pcs = pieces")
_REGISTRY.define("wagon = [wagon] = wagons")
_REGISTRY.define("tonne_kilometer = t * km = t_km = tkm")
_REGISTRY.define("worker = [worker] = workers = persons = person")
_REGISTRY.define("worker_hour = worker * hour = worker_hours = man_hour = man_hours")
_REGISTRY.define("machine_hour = [machine_hour] = machine_hours = equipment_hour = equipment_hours")
_REGISTRY.define("won = [currency_won] = KPW")
_REGISTRY.define("thousand_won = 1000 * won")
_REGISTRY.define("million_won = 1000000 * won")

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


def registry() -> pint.UnitRegistry:
    return _REGISTRY


@lru_cache(maxsize=1024)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit of measure, with the spellings planners use (``t-km``, ``kt``, ``ha``)."""
    cleaned = str(text).strip()
    if not cleaned:
        raise UnitError("empty unit of measure")
    key = _ALIASES.get(cleaned, _ALIASES.get(cleaned.lower(), cleaned))
    try:
        return _REGISTRY.Unit(key)
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AttributeError,
        ValueError,
        TypeError,
        AssertionError,
    ) as exc:
        raise UnitError(f"unknown unit of measure {text!r}") from exc


@lru_cache(maxsize=4096)
def conversion_factor(source: str, target: str) -> float:
    """Multiply a value in ``source`` units by this to express it in ``target`` units."""
    src, dst = parse_unit(source), parse_unit(target)
    try:
        return float(_REGISTRY.Quantity(1.0, src).to(dst).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {source!r} to {target!r} (different dimensions)") from exc


def is_known_unit(text: str) -> bool:
    try:
        parse_unit(text)
    except UnitError:
        return False
    return True


def format_quantity(value: float, unit: str) -> str:
    """A readable quantity, scaled to a round prefix for tonnes and watt-hours.

    >>> format_quantity(17_100_000, "t")
    '17.1 Mt'
    >>> format_quantity(85_000, "t")
    '85.0 kt'
    """
    scales = {
        "t": [(1e6, "Mt"), (1e3, "kt"), (1, "t")],
        "kWh": [(1e9, "TWh"), (1e6, "GWh"), (1e3, "MWh"), (1, "kWh")],
    }
    if value != value:  # NaN
        return "–"
    for factor, name in scales.get(unit, []):
        if abs(value) >= factor:
            return f"{value / factor:,.1f} {name}"
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f} {unit}"
    return f"{value:,.2f} {unit}"
