import pytest
from hypothesis import given
from hypothesis import strategies as st

from gosplan.model import Period, month_label, month_ordinal


@pytest.mark.parametrize(("text", "kind", "months"), [
    ("2023", "Y", 12), ("2023-H1", "H", 6), ("2023-h2", "H", 6), ("2023-Q3", "Q", 3), ("2023-06", "M", 1),
    ("2023-6", "M", 1),
])
def test_parse(text, kind, months):
    p = Period.parse(text)
    assert p.kind == kind and len(p.months()) == months


@pytest.mark.parametrize("bad", ["", "23", "2023-13", "2023-00", "2023-H3", "2023-Q5", "2023/06", "abc",
                                 "2023-06; DROP TABLE reports", None])
def test_parse_rejects(bad):
    with pytest.raises(ValueError):
        Period.parse(bad)


def test_canonical_text_and_relations():
    assert str(Period.parse("2023-q2")) == "2023-Q2"
    assert Period.parse("2023-H2").months()[0] == Period.parse("2023-07")
    assert Period.parse("2023-Q2").year_to_date().label == "2023-01..2023-06"
    assert Period.parse("2023-H1").contains(Period.parse("2023-06"))
    assert not Period.parse("2023-H1").contains(Period.parse("2023-07"))
    assert Period.parse("2023-01").shift(-1) == Period.parse("2022-12")
    assert Period.parse("2023-H1").previous_year() == Period.parse("2022-H1")
    assert sorted(map(Period.parse, ["2023-Q1", "2023-01", "2023", "2022-12"])) == list(
        map(Period.parse, ["2022-12", "2023", "2023-Q1", "2023-01"]))


@given(st.integers(1000 * 12, 9999 * 12 + 11))
def test_month_label_round_trip(ordinal):
    assert month_ordinal(month_label(ordinal)) == ordinal
    assert Period.parse(month_label(ordinal)).ordinal == ordinal
