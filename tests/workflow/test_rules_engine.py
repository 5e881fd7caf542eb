"""The rules engine: formulas parsed without eval, rules judged over wide values, min-max bounds."""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.engines.rules import check_bounds, evaluate, generate_bounds, parse_rule
from gosplan.errors import InvalidValue


@pytest.mark.parametrize("text", [
    "__import__('os').system('x') > 0", "a.b > 0", "a[0] > 0", "a ** 2 > 1", "lambda: 1 > 0", "a if b else c > 0",
    "open(a) > 0", "'text' > 0", "a < b < c", "a and b", "a > 0; b", "min() > 0", "children(1) > 0", "True > 0",
])
def test_anything_but_arithmetic_over_codes_is_refused(text):
    with pytest.raises(InvalidValue):
        parse_rule(text)


def test_a_rule_from_text_or_parts_and_bracketed_codes():
    rule = parse_rule("[coal.hard] + children(coal) >= max(a, 2 * b) - -1")
    assert rule.operator == ">=" and rule.left.text == "[coal.hard] + children(coal)"
    assert rule.indicators == {"coal.hard", "coal", "a", "b"}
    assert parse_rule(left="x", operator="!=", right="0").text == "x != 0"
    with pytest.raises(InvalidValue, match="unknown operator"):
        parse_rule(left="x", operator="=<", right="0")


def _values(rows):
    return pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])


def test_rules_judge_each_unit_and_month_and_skip_missing_values():
    values = _values([("E1", "2023-06", "coal_used", 80.0), ("E1", "2023-06", "electricity", 100.0),
                      ("E2", "2023-06", "coal_used", 70.0), ("E2", "2023-06", "electricity", 100.0),
                      ("E3", "2023-06", "coal_used", 500.0)])  # E3: no electricity reported, not judged
    found = evaluate({"r": parse_rule("coal_used <= 0.7 * electricity")}, values)
    assert found[["unit", "left_value", "right_value"]].values.tolist() == [["E1", 80.0, 70.0]]
    strict = evaluate({"r": parse_rule("coal_used < 0.7 * electricity")}, values)
    assert sorted(strict["unit"]) == ["E1", "E2"]
    assert evaluate({"r": parse_rule("coal_used / (electricity - 100) > 0")}, values).empty  # x / 0 skipped


def test_sum_of_children_equals_the_parents_own_report():
    values = _values([("P", "2023-01", "coal", 30.0), ("E1", "2023-01", "coal", 10.0),
                      ("E2", "2023-01", "coal", 20.000000000001), ("Q", "2023-01", "coal", 5.0),
                      ("E3", "2023-01", "coal", 6.0)])
    parents = {"P": None, "Q": None, "E1": "P", "E2": "P", "E3": "Q"}
    found = evaluate({"sum": parse_rule("coal == children(coal)")}, values, parents)
    assert found[["unit", "left_value", "right_value"]].values.tolist() == [["Q", 5.0, 6.0]]


def test_minmax_bounds_from_history_and_values_outside():
    # Median 100, MAD 10: bounds 100 +- 3 x 1.4826 x 10 = 55.522 .. 144.478 (the outlier 900 moves nothing).
    history = pd.DataFrame({"unit": "E1", "indicator": "coal",
                            "value": [100.0, 110, 90, 100, 120, 80, 900]})
    bounds = generate_bounds(history, k=3.0, min_months=6)
    assert bounds[["low", "high"]].values.ravel().tolist() == pytest.approx([55.522, 144.478], abs=1e-9)
    assert generate_bounds(history.head(5), min_months=6).empty
    steady = generate_bounds(pd.DataFrame({"unit": "E1", "indicator": "x", "value": [5.0] * 8}), non_negative=["x"])
    assert steady[["low", "high"]].values.ravel().tolist() == pytest.approx([4.5, 5.5])
    found = check_bounds(_values([("E1", "2023-06", "coal", 150.0), ("E1", "2023-07", "coal", 50.0),
                                  ("E1", "2023-08", "coal", 100.0)]), bounds)
    assert found[["period", "operator"]].values.tolist() == [["2023-06", "<="], ["2023-07", ">="]]
