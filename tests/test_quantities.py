import pytest

from gosplan.quantities import UnitError, conversion_factor, format_quantity, parse_unit


@pytest.mark.parametrize(("src", "dst", "factor"), [
    ("kt", "t", 1e3), ("Mt", "t", 1e6), ("t", "kt", 1e-3), ("GWh", "kWh", 1e6), ("TWh", "kWh", 1e9),
    ("t-km", "t_km", 1.0), ("ha", "hectare", 1.0), ("dwellings", "dwelling", 1.0), ("m**3", "m3", 1.0),
])
def test_conversion(src, dst, factor):
    assert conversion_factor(src, dst) == pytest.approx(factor)


@pytest.mark.parametrize(("src", "dst"), [("dwellings", "t"), ("kWh", "t"), ("ha", "km")])
def test_incompatible(src, dst):
    with pytest.raises(UnitError, match="cannot convert"):
        conversion_factor(src, dst)


@pytest.mark.parametrize("bad", ["", "furlongs per fortnight^", "'; DROP TABLE", "xyz"])
def test_unknown(bad):
    with pytest.raises(UnitError):
        parse_unit(bad)


def test_format():
    assert format_quantity(17_100_000, "t") == "17.1 Mt"
    assert format_quantity(24e9, "kWh") == "24.0 TWh"
    assert format_quantity(10_000, "dwelling") == "10,000 dwellings"
    assert format_quantity(51_826_297, "m**2") == "51.83 million m²"
